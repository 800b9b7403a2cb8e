// Quorum's one script, loaded as a module (so deferred, and only by browsers that GOV.UK
// Frontend supports). Pages work without it: it only marks the body as scripted, which
// GOV.UK Frontend's CSS and components look for, and starts the components. It lives in a
// file because the Content-Security-Policy forbids inline script.
import { initAll } from "/static/js/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
