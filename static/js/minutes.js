// The minutes editor: a live preview beside the text and an autosave of the text as typed.
// The page works without it: the form saves, and the preview shows the text as loaded.
(function () {
  "use strict";
  var form = document.getElementById("minutes-form");
  var text = document.getElementById("text");
  var preview = document.getElementById("minutes-preview");
  var status = document.getElementById("autosave-status");
  if (!form || !text) {
    return;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: new URLSearchParams({ text: body }),
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    });
  }

  // Preview: the server renders and sanitises the fragment, a moment after typing stops.
  var previewTimer = null;
  var previewSeq = 0;
  function refreshPreview() {
    if (!preview) {
      return;
    }
    var seq = ++previewSeq;
    post(form.dataset.previewUrl, text.value).then(function (res) {
      if (!res.ok) {
        throw new Error("preview " + res.status);
      }
      return res.text();
    }).then(function (html) {
      if (seq === previewSeq) {
        preview.innerHTML = html;
      }
    }).catch(function () { /* the last preview stays */ });
  }
  text.addEventListener("input", function () {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 600);
  });

  // Autosave: every 20 seconds, and when the clerk leaves the text, if it changed since the
  // last one.
  var lastSaved = text.value;
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  function autosave() {
    if (submitting || text.value === lastSaved) {
      return;
    }
    var sent = text.value;
    post(form.dataset.autosaveUrl, sent).then(function (res) {
      if (res.ok) {
        lastSaved = sent;
        if (status) {
          var now = new Date();
          status.textContent = "Autosaved at " + now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }) +
            ". Save the minutes to keep your changes.";
        }
      } else if (status) {
        status.textContent = "Autosave failed (" + res.status + "). Your text is still here: save the minutes to keep it.";
      }
    }).catch(function () {
      if (status) {
        status.textContent = "Autosave failed: you may be offline. Your text is still here.";
      }
    });
  }
  setInterval(autosave, 20000);
  // And at once when the clerk leaves the text: another field, another tab or window. Not
  // when they leave it for the form's own buttons: the form is being sent, and a background
  // post racing its navigation gains nothing.
  text.addEventListener("blur", function (e) {
    var to = e.relatedTarget;
    if (to && to.form === form && to.type === "submit") {
      return;
    }
    autosave();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      autosave();
    }
  });
})();
