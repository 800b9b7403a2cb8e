//go:build browser

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"quorum/internal/browsertest"
	"quorum/meetings"
)

// TestJourneyClerkBuildsAgenda is issue 4's journey: the clerk schedules a meeting, sees
// its standard and standing items, plans an item for it, takes the offered item onto the
// agenda, moves it, adds a sub-item and a paper, and publishes the agenda; then a partner
// sends apologies naming a substitute from their own organisation.
func TestJourneyClerkBuildsAgenda(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := browsertest.NewBrowser(t)

	if err := browsertest.Login(ctx, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	board := followLink(t, ctx, `main a[href^="/boards/"]:not([href$="/new"])`)
	expectText(t, ctx, "h1", "Northvale Safer Communities Partnership")

	// Schedule a meeting a year and a half away, on a Thursday.
	day := time.Now().In(meetings.London).AddDate(1, 6, 0)
	for day.Weekday() != time.Thursday {
		day = day.AddDate(0, 0, 1)
	}
	if err := browsertest.Fill(ctx, map[string]string{"date": day.Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/meetings"] button[type="submit"]`)
	expectText(t, ctx, "h1", "Meeting on "+day.Format("2 January 2006"))
	agenda := mustText(t, ctx, "#agenda + div table")
	for _, want := range []string{"1 Welcome and introductions", "4 Minutes of the last meeting and matters arising",
		"5 Violence Reduction Action Plan: verbal update", "6 Crime performance dashboard", "7 Any other business", "8 Date of next meeting"} {
		if !strings.Contains(agenda, want) {
			t.Errorf("new agenda lacks %q: %s", want, agenda)
		}
	}
	meetingURL := location(t, ctx)
	browsertest.Screenshot(t, ctx, "agenda-01-scheduled")
	browsertest.CheckA11y(t, ctx)

	// Plan an item for it on the forward plan.
	visit(t, ctx, board+"/forward-plan")
	expectText(t, ctx, "h1", "Forward plan")
	if err := browsertest.Fill(ctx, map[string]string{"title": "Youth violence: summer programme", "owner": "Gareth Lloyd, Youth Justice"}); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Choose(ctx, "target_meeting_id", day.Format("2 January 2006")); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/forward-plan"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "Added to the forward plan")
	browsertest.Screenshot(t, ctx, "agenda-02-forward-plan")
	browsertest.CheckA11y(t, ctx)

	// The meeting offers it; the clerk adds it and moves it up above the dashboard.
	visit(t, ctx, meetingURL)
	expectText(t, ctx, "#offered + p + ul", "Youth violence: summer programme")
	browsertest.Screenshot(t, ctx, "agenda-03-offered")
	submit(t, ctx, `form[action$="/offers"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "Item 7 added")
	submit(t, ctx, `tr:nth-child(7) form[action$="/move"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "Youth violence: summer programme is now item 6")
	agenda = mustText(t, ctx, "#agenda + div table")
	if !strings.Contains(agenda, "6 Youth violence: summer programme") || !strings.Contains(agenda, "7 Crime performance dashboard") {
		t.Errorf("after the move: %s", agenda)
	}
	browsertest.Screenshot(t, ctx, "agenda-04-moved")
	browsertest.CheckA11y(t, ctx)

	// On the item's page: a sub-item and a paper.
	followLink(t, ctx, `tr:nth-child(6) a[href$="/edit"]`)
	expectText(t, ctx, "h1", "Item 6: Youth violence: summer programme")
	if err := browsertest.Fill(ctx, map[string]string{"sub_title": "Knife crime in schools"}); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/sub-items"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "Item 6a added")
	followLink(t, ctx, `tr:nth-child(6) a[href$="/edit"]`)
	pdf := filepath.Join(t.TempDir(), "summer-programme.pdf")
	if err := os.WriteFile(pdf, demoPaper("Youth violence: summer programme", "Report to the partnership", 3), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file that is not a PDF is refused with the field marked.
	notPDF := filepath.Join(t.TempDir(), "notes.pdf")
	os.WriteFile(notPDF, []byte("these are notes, not a PDF"), 0o644)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{notPDF})); err != nil {
		t.Fatal(err)
	}
	res, err := browsertest.Submit(ctx, `form[action$="/papers"] button[type="submit"]`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 422 {
		t.Errorf("not a PDF: HTTP %d, want 422", res.Status)
	}
	expectText(t, ctx, ".govuk-error-summary", "must be a PDF")
	browsertest.Screenshot(t, ctx, "agenda-05-paper-refused")
	browsertest.CheckA11y(t, ctx)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{pdf})); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Fill(ctx, map[string]string{"paper_title": "Summer programme report"}); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/papers"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "Paper added to item 6: Summer programme report (3 pages)")
	expectText(t, ctx, "#agenda + div table", "Summer programme report")

	// Publish the agenda.
	submit(t, ctx, `form[action$="/publish"]:not([action$="/pack/publish"]) button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "Agenda published")
	expectText(t, ctx, ".govuk-summary-list", "Agenda published on")
	browsertest.Screenshot(t, ctx, "agenda-06-published")
	browsertest.CheckA11y(t, ctx)

	// A partner sends apologies from My meetings, naming a council colleague.
	submit(t, ctx, `form[action="/logout"] button[type="submit"]`)
	if err := browsertest.Login(ctx, srv.URL, "priya.natarajan@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, srv.URL+"/my/meetings")
	expectText(t, ctx, "h1", "My meetings")
	browsertest.Screenshot(t, ctx, "apologies-01-my-meetings")
	browsertest.CheckA11y(t, ctx)
	first, err := browsertest.Eval[string](ctx, `document.querySelector('.govuk-summary-card select[name="substitute_id"]').id`)
	if err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Choose(ctx, first, "Gareth Lloyd"); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, fmt.Sprintf(`#%s ~ button, form:has(#%s) button[type="submit"]`, first, first))
	expectText(t, ctx, ".govuk-notification-banner--success", "naming Gareth Lloyd as your substitute")
	expectText(t, ctx, ".govuk-summary-card", "Apologies sent, Gareth Lloyd to attend in your place")
	browsertest.Screenshot(t, ctx, "apologies-02-sent")
	browsertest.CheckA11y(t, ctx)

	// The new meeting's page: one click sends apologies there too.
	visit(t, ctx, meetingURL)
	expectText(t, ctx, "#your-attendance", "If you cannot attend")
	submit(t, ctx, `#your-attendance form button[type="submit"]`)
	expectText(t, ctx, "#your-attendance", "You have sent apologies")
	expectText(t, ctx, "#attendance + table", "Priya Natarajan")
	browsertest.Screenshot(t, ctx, "apologies-03-meeting-page")
	browsertest.CheckA11y(t, ctx)

	// On a phone nothing is wider than the screen but the agenda's own scroll box.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, meetingURL)
	browsertest.Screenshot(t, ctx, "apologies-04-meeting-phone")
	expectJS(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`)
}

// followLink opens the href of the first link sel picks and returns it.
func followLink(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	href, err := browsertest.Eval[string](ctx, fmt.Sprintf(`(a => a ? a.href : "")(document.querySelector(%q))`, sel))
	if err != nil || href == "" {
		t.Fatalf("no link %s: %v", sel, err)
	}
	visit(t, ctx, href)
	return href
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitN(loc, "#", 2)[0]
}

func mustText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := browsertest.Text(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
