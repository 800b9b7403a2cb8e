//go:build browser

package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"quorum/internal/browsertest"
	"quorum/internal/db"
	"quorum/meetings"
)

// TestJourneyMinutes is issue 5's journey. The demo's three past partnership meetings all
// have minutes, so the clerk first schedules one more (an extra meeting held three days
// ago) and writes its minutes from the pre-filled draft: two actions and a resolution,
// seen in the live preview, saved with their references written in; an autosave offered
// back after a reload; sent to the chair, who approves them for circulation; approved by
// the clerk at the next meeting; and from then on the editor is refused.
func TestJourneyMinutes(t *testing.T) {
	srv := browsertest.Start(t)
	clerk := browsertest.NewBrowser(t)
	if err := browsertest.Login(clerk, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}

	// First, the demo's own draft: a table, a post-meeting note, resolutions and actions.
	d, err := db.Open(srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	var demoDraft int64
	err = d.QueryRow(`SELECT meeting_id FROM minutes WHERE status = 'draft' AND text LIKE '%Post-meeting note%'`).Scan(&demoDraft)
	d.Close()
	if err != nil {
		t.Fatalf("the demo has no draft minutes with a post-meeting note: %v", err)
	}
	visit(t, clerk, fmt.Sprintf("%s/meetings/%d/minutes", srv.URL, demoDraft))
	expectText(t, clerk, "article.quorum-minutes .quorum-note", "Post-meeting note")
	expectJS(t, clerk, `getComputedStyle(document.querySelector(".quorum-note")).fontStyle === "italic"`)
	expectJS(t, clerk, `(a => { const o = a.querySelector(".quorum-action-owner"); return o.getBoundingClientRect().right > a.getBoundingClientRect().right - 5; })(document.querySelector("article .quorum-action"))`)
	browsertest.Screenshot(t, clerk, "minutes-00-demo-draft")
	browsertest.CheckA11y(t, clerk)
	followLink(t, clerk, `main a[href^="/boards/"]:not([href$="/new"])`)
	expectText(t, clerk, "h1", "Northvale Safer Communities Partnership")
	day := time.Now().In(meetings.London).AddDate(0, 0, -3)
	if err := browsertest.Fill(clerk, map[string]string{"date": day.Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	submit(t, clerk, `form[action$="/meetings"] button[type="submit"]`)
	expectText(t, clerk, "h1", "Meeting on "+day.Format("2 January 2006"))
	meetingURL := location(t, clerk)
	minutesURL := meetingURL + "/minutes"

	// The pre-filled draft: the agenda's items, and the board's open actions to update.
	followLink(t, clerk, `main a[href$="/minutes/edit"]`)
	expectText(t, clerk, "h1", "Write the minutes")
	draft := textareaValue(t, clerk)
	for _, want := range []string{"## 4. Minutes of the last meeting and matters arising",
		"## 5. Violence Reduction Action Plan: verbal update", "- **NSCP/", "Update: "} {
		if !strings.Contains(draft, want) {
			t.Errorf("the draft lacks %q:\n%s", want, draft)
		}
	}
	// Side by side on a wide screen, and the preview no taller than the text box.
	expectJS(t, clerk, `(() => {
		const t = document.getElementById("text").getBoundingClientRect();
		const p = document.getElementById("minutes-preview").getBoundingClientRect();
		return p.left > t.right && Math.abs(p.top - t.top) < 120 && p.height <= t.height + 2;
	})()`)
	browsertest.Screenshot(t, clerk, "minutes-01-edit-draft")
	browsertest.CheckA11y(t, clerk)

	// Two actions and a resolution under the plan's item, and the preview follows.
	heading := "## 5. Violence Reduction Action Plan: verbal update\n\n"
	added := `The Vice-Chair reported that the Violence Reduction Unit had confirmed the partnership’s grant
for 2026–27 at £48,000, with the first half paid in May.

RESOLVED that

1. the update be noted; and
2. the grant be spent on the priorities of the refreshed plan.

ACTION @HA: circulate the grant offer letter to the Board (by next meeting)

ACTION @GL, @PN: bring a costed plan for detached youth work in the town centre (by next meeting)

`
	insertText(t, clerk, heading, added)
	waitJS(t, clerk, `(p => !!p && !!p.querySelector(".quorum-resolution ol") &&
		p.innerText.includes("Action: @HA") && p.innerText.includes("Action: @GL, @PN"))(document.getElementById("minutes-preview"))`,
		10*time.Second)
	expectJS(t, clerk, `[...document.querySelectorAll("#minutes-preview .quorum-resolution")].some(r => r.innerText.includes("the grant be spent on the priorities"))`)
	// The preview scrolls on its own, beside the text box.
	expectJS(t, clerk, `(p => {
		const h = [...p.querySelectorAll("h2")].find(h => h.textContent.includes("Violence Reduction"));
		p.scrollTop = h.offsetTop - p.offsetTop;
		return p.scrollHeight > p.clientHeight && p.scrollTop > 0;
	})(document.getElementById("minutes-preview"))`)
	browsertest.Screenshot(t, clerk, "minutes-02-preview")
	browsertest.CheckA11y(t, clerk)

	// Saved: the flash names the new references, and the text now carries them.
	submit(t, clerk, `#minutes-form button[type="submit"]`)
	flash := mustText(t, clerk, ".govuk-notification-banner--success")
	refs := regexp.MustCompile(`NSCP/\d\d/\d+`).FindAllString(flash, -1)
	if !strings.Contains(flash, "Minutes saved (version 1)") || len(refs) != 2 {
		t.Fatalf("after saving: %q, want version 1 and two references", flash)
	}
	expectText(t, clerk, "article.quorum-minutes", "ACTION "+refs[0]+" @HA: circulate the grant offer letter")
	expectText(t, clerk, "article.quorum-minutes", "ACTION "+refs[1]+" @GL, @PN: bring a costed plan")
	expectText(t, clerk, "main table", refs[0])
	browsertest.Screenshot(t, clerk, "minutes-03-saved")
	browsertest.CheckA11y(t, clerk)

	followLink(t, clerk, `main a[href$="/minutes/edit"]`)
	text := textareaValue(t, clerk)
	for _, want := range []string{"ACTION " + refs[0] + " @HA: circulate", "ACTION " + refs[1] + " @GL, @PN: bring"} {
		if !strings.Contains(text, want) {
			t.Errorf("the saved text lacks %q", want)
		}
	}

	// Autosave: typed text is posted in the background (every 20 seconds, and when the
	// clerk leaves the text, as here), and a reload offers it back.
	if err := chromedp.Do(clerk, chromedp.Evaluate[chromedp.Void](`(t => {
		const at = t.value.indexOf("paid in May.") + "paid in May.".length;
		t.focus();
		t.setSelectionRange(at, at);
	})(document.getElementById("text"))`), chromedp.SendKeys(chromedp.ID("text"), " Partners thanked the unit for its support."),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("text").blur()`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, clerk, `document.getElementById("autosave-status").textContent.startsWith("Autosaved at")`, 5*time.Second)
	visit(t, clerk, minutesURL+"/edit")
	expectText(t, clerk, ".govuk-notification-banner", "Text you typed was autosaved")
	if strings.Contains(textareaValue(t, clerk), "Partners thanked the unit") {
		t.Error("the editor shows the autosaved text before it is asked for")
	}
	browsertest.Screenshot(t, clerk, "minutes-04-autosave-offered")
	browsertest.CheckA11y(t, clerk)
	followLink(t, clerk, `.govuk-notification-banner a[href$="?autosave=1"]`)
	expectText(t, clerk, ".govuk-inset-text", "This is the text autosaved at")
	if !strings.Contains(textareaValue(t, clerk), "the first half paid in May. Partners thanked the unit for its support.") {
		t.Errorf("the autosaved text is not in the editor:\n%s", textareaValue(t, clerk))
	}
	submit(t, clerk, `#minutes-form button[type="submit"]`)
	expectText(t, clerk, ".govuk-notification-banner--success", "Minutes saved (version 2)")

	// Versions, and what changed between them.
	followLink(t, clerk, `main a[href$="/minutes/versions"]`)
	expectText(t, clerk, "h1", "Versions of the minutes")
	browsertest.Screenshot(t, clerk, "minutes-05-versions")
	browsertest.CheckA11y(t, clerk)
	submit(t, clerk, `main form button[type="submit"]`)
	expectText(t, clerk, "h1", "Changes to the minutes")
	expectText(t, clerk, ".quorum-diff ins", "Partners thanked the unit for its support.")
	expectText(t, clerk, ".quorum-diff del", "the first half paid in May.")
	browsertest.Screenshot(t, clerk, "minutes-06-diff")
	browsertest.CheckA11y(t, clerk)

	// To the chair.
	visit(t, clerk, minutesURL)
	submit(t, clerk, `form[action$="/send-to-chair"] button[type="submit"]`)
	expectText(t, clerk, ".govuk-notification-banner--success", "Minutes sent to the chair")
	expectText(t, clerk, "main .govuk-tag", "With the chair")
	browsertest.Screenshot(t, clerk, "minutes-07-with-chair")
	browsertest.CheckA11y(t, clerk)

	// The chair approves them for circulation.
	chair := browsertest.NewBrowser(t)
	if err := browsertest.Login(chair, srv.URL, "chair@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, chair, minutesURL)
	expectText(t, chair, "main", "The draft is with you, as chair")
	expectText(t, chair, "article.quorum-minutes", "ACTION "+refs[1])
	browsertest.Screenshot(t, chair, "minutes-08-chair")
	browsertest.CheckA11y(t, chair)
	submit(t, chair, `form[action$="/circulate"] button[type="submit"]`)
	expectText(t, chair, ".govuk-notification-banner--success", "Minutes approved for circulation")
	expectText(t, chair, "main .govuk-tag", "Circulated as a draft")
	browsertest.Screenshot(t, chair, "minutes-09-circulated")
	browsertest.CheckA11y(t, chair)

	// At the next meeting the clerk records their approval.
	visit(t, clerk, minutesURL)
	if err := chromedp.Do(clerk, chromedp.Click(chromedp.CSS(`main details summary`))); err != nil {
		t.Fatal(err)
	}
	next, err := browsertest.Eval[string](clerk, `document.querySelector("#at_meeting option").textContent`)
	if err != nil || next == "" {
		t.Fatalf("no meeting offered to approve the minutes: %v", err)
	}
	browsertest.Screenshot(t, clerk, "minutes-10-record-approval")
	browsertest.CheckA11y(t, clerk)
	submit(t, clerk, `form[action$="/approve"] button[type="submit"]`)
	expectText(t, clerk, ".govuk-notification-banner--success", "Minutes approved as a correct record")
	expectText(t, clerk, "main .govuk-inset-text", "Approved as a correct record at the meeting held on")
	expectJS(t, clerk, `!document.querySelector('main a[href$="/minutes/edit"]')`)
	browsertest.Screenshot(t, clerk, "minutes-11-approved")
	browsertest.CheckA11y(t, clerk)

	// From now on the editor and a save are refused.
	if err := browsertest.Visit(clerk, minutesURL+"/edit"); err == nil || !strings.Contains(err.Error(), "HTTP 409") {
		t.Errorf("the editor of approved minutes: %v, want HTTP 409", err)
	}
	browsertest.Screenshot(t, clerk, "minutes-12-edit-refused")
	browsertest.CheckA11y(t, clerk)
	// A save sent anyway, as from an editor left open in another tab.
	if err := chromedp.Do(clerk, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = %q;
		const t = document.createElement("input");
		t.type = "hidden";
		t.name = "text";
		t.value = "# Rewritten";
		const b = document.createElement("button");
		b.type = "submit";
		b.id = "stale-save";
		b.textContent = "Save";
		f.append(t, b);
		document.querySelector("main").append(f);
	})()`, minutesURL))); err != nil {
		t.Fatal(err)
	}
	res, err := browsertest.Submit(clerk, "#stale-save")
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 409 {
		t.Errorf("saving approved minutes: HTTP %d, want 409", res.Status)
	}
	browsertest.Screenshot(t, clerk, "minutes-13-save-refused")
	browsertest.CheckA11y(t, clerk)
	visit(t, clerk, minutesURL)
	expectText(t, clerk, "article.quorum-minutes", "Partners thanked the unit for its support.")

	// On a phone the editor and the preview stack, and nothing is wider than the screen.
	if err := chromedp.Do(clerk, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	visit(t, clerk, fmt.Sprintf("%s/meetings/%d/minutes/edit", srv.URL, demoDraft))
	expectJS(t, clerk, `document.getElementById("minutes-preview").getBoundingClientRect().top > document.getElementById("text").getBoundingClientRect().bottom`)
	expectJS(t, clerk, `document.documentElement.scrollWidth <= window.innerWidth`)
	browsertest.Screenshot(t, clerk, "minutes-14-edit-phone")
	browsertest.CheckA11y(t, clerk)
	visit(t, clerk, fmt.Sprintf("%s/meetings/%d/minutes", srv.URL, demoDraft))
	expectJS(t, clerk, `document.documentElement.scrollWidth <= window.innerWidth`)
	browsertest.Screenshot(t, clerk, "minutes-15-show-phone")
}

// textareaValue is the minutes editor's text.
func textareaValue(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := browsertest.Eval[string](ctx, `document.getElementById("text").value`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// insertText puts text into the editor after the first occurrence of after, as a paste
// would, and lets the page know it changed.
func insertText(t *testing.T, ctx context.Context, after, text string) {
	t.Helper()
	ok, err := browsertest.Eval[bool](ctx, fmt.Sprintf(`(t => {
		const after = %q;
		const at = t.value.indexOf(after);
		if (at < 0) return false;
		const end = at + after.length;
		t.focus();
		t.setSelectionRange(end, end);
		t.setRangeText(%q, end, end, "end");
		t.dispatchEvent(new InputEvent("input", {bubbles: true, inputType: "insertFromPaste"}));
		return true;
	})(document.getElementById("text"))`, after, text))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("the editor has no %q", after)
	}
}

// waitJS waits until the expression is true on the page.
func waitJS(t *testing.T, ctx context.Context, expr string, timeout time.Duration) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout))); err != nil {
		t.Fatalf("waiting %s for %s: %v", timeout, expr, err)
	}
}
