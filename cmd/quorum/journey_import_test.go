//go:build browser

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quorum/internal/browsertest"
	"quorum/internal/db"
	"quorum/meetings"
)

// TestJourneyImportMinutes is issue 10's journey in the app: the clerk finds the board's
// meetings without minutes, uploads the oldest one's minutes as a text file, sees them
// converted beside the original, maps an owner the board does not know, saves them as
// approved, and imports the next meeting's (pasted) minutes, which close one of the
// first meeting's actions.
func TestJourneyImportMinutes(t *testing.T) {
	srv := browsertest.Start(t)
	bg := context.Background()
	d, err := db.Open(srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := meetings.NewStore(d)
	b, err := st.BoardByShortName(bg, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	var ms []*meetings.Meeting
	for _, days := range []int{-300, -250} {
		m := &meetings.Meeting{BoardID: b.ID, StartsAt: londonAt(days, "10:00"), EndsAt: londonAt(days, "12:00"),
			Mode: meetings.ModeHybrid, Place: b.DefaultPlace}
		if err := st.ScheduleMeeting(bg, m); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}

	ctx := browsertest.NewBrowser(t)
	if err := browsertest.Login(ctx, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, fmt.Sprintf("%s/boards/%d/minutes/import", srv.URL, b.ID))
	expectText(t, ctx, "h1", "Import old minutes")
	expectText(t, ctx, "tbody", ukDate(ms[0].StartsAt))
	browsertest.Screenshot(t, ctx, "import-01-board")
	browsertest.CheckA11y(t, ctx)

	followLink(t, ctx, "tbody a")
	expectText(t, ctx, "h1", "Import the minutes of this meeting")
	browsertest.Screenshot(t, ctx, "import-02-upload")
	browsertest.CheckA11y(t, ctx)

	file := filepath.Join(t.TempDir(), "nscp-minutes.txt")
	if err := os.WriteFile(file, []byte(oldMinutes(ms[0])), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/minutes/import"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner", "nscp-minutes.txt was converted")
	expectJS(t, ctx, `document.querySelectorAll("mark").length > 10`)
	expectText(t, ctx, "#owners", "Who are these owners?")
	browsertest.Screenshot(t, ctx, "import-03-preview")
	browsertest.CheckA11y(t, ctx)

	if err := browsertest.Fill(ctx, map[string]string{"handle-0": "ZC"}); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/import/owners"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner", "1 owner remembered")
	expectJS(t, ctx, `!document.querySelector("#owners")`)
	expectJS(t, ctx, `document.getElementById("text").value.includes("ACTION @ZC:")`)
	browsertest.Screenshot(t, ctx, "import-04-mapped")

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("approved"))); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/import/save"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner", "saved, with 3 actions")
	expectText(t, ctx, ".govuk-notification-banner", "Approved at the meeting held on "+ukDate(ms[1].StartsAt))
	expectText(t, ctx, "#imported", "Minutes imported")
	browsertest.Screenshot(t, ctx, "import-05-imported")
	browsertest.CheckA11y(t, ctx)

	// The next meeting, pasted: its matters arising report the evaluation circulated.
	followLink(t, ctx, `a.govuk-button--secondary[href$="/minutes/import"]`)
	expectText(t, ctx, "h1", "Import the minutes of this meeting")
	second := strings.Replace(oldMinutes(ms[1]), "Item 1: Welcome and apologies\nThe Chair welcomed partners to the meeting.",
		"Item 1: Minutes of the last meeting and matters arising\nThe minutes were agreed as a correct record. "+
			"The youth outreach evaluation had been circulated to partners: action complete.", 1)
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("pasted"), second)); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/minutes/import"] button[type="submit"]`)
	expectText(t, ctx, "fieldset", "Earlier actions these minutes report done")
	expectText(t, ctx, "fieldset", "circulate the youth outreach evaluation to partners")
	expectJS(t, ctx, `document.querySelectorAll("input[name=close]:checked").length === 1`)
	browsertest.Screenshot(t, ctx, "import-06-preview-done")
	browsertest.CheckA11y(t, ctx)
	submit(t, ctx, `form[action$="/import/save"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner", "Marked done:")
	expectText(t, ctx, "#imported", "Minutes imported")
	browsertest.Screenshot(t, ctx, "import-07-imported-done")

	visit(t, ctx, fmt.Sprintf("%s/boards/%d/actions?status=all&q=youth+outreach", srv.URL, b.ID))
	browsertest.Screenshot(t, ctx, "import-08-action-log")

	// On a phone, the side-by-side view stacks and the page does not scroll sideways.
	visit(t, ctx, fmt.Sprintf("%s/boards/%d/minutes/import", srv.URL, b.ID))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	m3 := &meetings.Meeting{BoardID: b.ID, StartsAt: londonAt(-240, "10:00"), EndsAt: londonAt(-240, "12:00"), Mode: meetings.ModeHybrid}
	if err := st.ScheduleMeeting(bg, m3); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, fmt.Sprintf("%s/meetings/%d/minutes/import", srv.URL, m3.ID))
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("pasted"), oldMinutes(m3))); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/minutes/import"] button[type="submit"]`)
	browsertest.Screenshot(t, ctx, "import-09-preview-phone")
	expectJS(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`)
}
