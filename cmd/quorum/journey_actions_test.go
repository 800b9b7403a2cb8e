//go:build browser

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quorum/actions"
	"quorum/internal/browsertest"
	"quorum/internal/db"
	"quorum/internal/outbox"
)

// TestJourneyActions is issue 8's journey: the chair opens the dashboard and sees the
// overdue count; the clerk sends the officer a link for a dissemination action; the
// officer follows the emailed link (read from the outbox), uploads the document, and the
// action is done and listed as circulated.
func TestJourneyActions(t *testing.T) {
	srv := browsertest.Start(t)
	bg := context.Background()
	d, err := db.Open(srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	store := actions.NewStore(d)
	var boardID int64
	if err := d.QueryRow(`SELECT id FROM boards WHERE short_name = 'NSCP'`).Scan(&boardID); err != nil {
		t.Fatal(err)
	}
	dash, err := store.Dashboard(bg, boardID)
	if err != nil {
		t.Fatal(err)
	}
	if dash.Overdue == 0 {
		t.Fatal("the demo partnership has no overdue action to show")
	}

	// The chair: the dashboard, its overdue count, and the log behind it.
	ctx := browsertest.NewBrowser(t)
	if err := browsertest.Login(ctx, srv.URL, "chair@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	followLink(t, ctx, `a[href="/boards/`+fmt.Sprint(boardID)+`"]`)
	followLink(t, ctx, `nav[aria-label="Board pages"] a[href$="/dashboard"]`)
	expectText(t, ctx, "h1", "Chair’s dashboard")
	expectText(t, ctx, "#overdue", fmt.Sprintf("%d overdue", dash.Overdue))
	expectJS(t, ctx, `!!document.querySelector("svg[role=img] title")`)
	browsertest.Screenshot(t, ctx, "actions-01-dashboard")
	browsertest.CheckA11y(t, ctx)

	followLink(t, ctx, "#overdue a")
	expectText(t, ctx, "h1", "Action log")
	n, err := browsertest.Eval[int](ctx, `document.querySelectorAll("tbody .quorum-action-log__row--overdue").length`)
	if err != nil || n != dash.Overdue {
		t.Errorf("the overdue log shows %d rows, want %d (%v)", n, dash.Overdue, err)
	}
	browsertest.Screenshot(t, ctx, "actions-02-log-overdue")
	browsertest.CheckA11y(t, ctx)
	visit(t, ctx, fmt.Sprintf("%s/boards/%d/actions?status=all", srv.URL, boardID))
	browsertest.Screenshot(t, ctx, "actions-03-log-all")
	browsertest.CheckA11y(t, ctx)

	// The clerk sends the officer a link for the plan to be circulated.
	clerk := browsertest.NewBrowser(t)
	if err := browsertest.Login(clerk, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, clerk, fmt.Sprintf("%s/boards/%d/actions?q=Youth+Justice+Plan", srv.URL, boardID))
	browsertest.Screenshot(t, clerk, "actions-04-log-clerk")
	browsertest.CheckA11y(t, clerk)
	followLink(t, clerk, "tbody .quorum-action-log__ref a")
	actionURL := location(t, clerk)
	expectText(t, clerk, "main", "Circulate the Youth Justice Plan")
	if err := browsertest.Choose(clerk, "person_id", "Gareth Lloyd"); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, clerk, "actions-05-action-clerk")
	browsertest.CheckA11y(t, clerk)
	submit(t, clerk, `form[action$="/links"] button[type="submit"]`)
	expectText(t, clerk, ".govuk-notification-banner", "A link for")
	expectText(t, clerk, "#links ~ table", "Gareth Lloyd")

	// The officer's mail, as the outbox holds it.
	ms, _, err := outbox.List(bg, d, false, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	link := ""
	for _, m := range ms {
		if m.To == "gareth.lloyd@northvale.example" && strings.HasPrefix(m.Key, "link:") {
			link = regexp.MustCompile(`https?://\S+/a/[A-Za-z0-9_-]+`).FindString(m.Body)
		}
	}
	if link == "" {
		t.Fatal("no link in the outbox for the officer")
	}

	// The officer, signed in nowhere, follows it and uploads the plan.
	officer := browsertest.NewBrowser(t)
	visit(t, officer, link)
	expectText(t, officer, "h1", "Your action")
	expectText(t, officer, "main", "Hello Gareth Lloyd")
	browsertest.Screenshot(t, officer, "actions-06-officer-link")
	browsertest.CheckA11y(t, officer)
	pdf := filepath.Join(t.TempDir(), "youth-justice-plan-2026-27.pdf")
	if err := os.WriteFile(pdf, demoPDF("Youth Justice Plan 2026-27"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(officer, chromedp.SetUploadFiles(chromedp.ID("file"), []string{pdf})); err != nil {
		t.Fatal(err)
	}
	submit(t, officer, `form[action$="/complete"] button[type="submit"]`)
	expectText(t, officer, "h1", "Action done")
	expectText(t, officer, "main", "sent to the members of the board")
	browsertest.Screenshot(t, officer, "actions-07-officer-done")
	browsertest.CheckA11y(t, officer)

	// The link is used up: a plain page, nothing changed.
	if err := browsertest.Visit(officer, link); err == nil || !strings.Contains(err.Error(), "410") {
		t.Errorf("the used link answered %v, want HTTP 410", err)
	}
	expectText(t, officer, "main", "already used")
	browsertest.Screenshot(t, officer, "actions-08-link-used")
	browsertest.CheckA11y(t, officer)

	// The action is done, its document circulated and listed as such.
	visit(t, clerk, actionURL)
	expectText(t, clerk, ".govuk-summary-list", "Done")
	expectText(t, clerk, ".govuk-summary-list", "youth-justice-plan-2026-27.pdf")
	browsertest.Screenshot(t, clerk, "actions-09-action-done")
	browsertest.CheckA11y(t, clerk)
	visit(t, ctx, fmt.Sprintf("%s/boards/%d/dashboard", srv.URL, boardID))
	expectText(t, ctx, "#circulated + ul", "Youth Justice Plan")
	browsertest.Screenshot(t, ctx, "actions-10-dashboard-circulated")
	browsertest.CheckA11y(t, ctx)
	if circ, err := store.Circulated(bg, boardID, dash.At.AddDate(0, 0, -1)); err != nil || len(circ) != 1 {
		t.Errorf("circulated: %v %+v", err, circ)
	}
	members, _ := store.BoardMembers(bg, d, boardID)
	mails, _ := outbox.ByKeyPrefix(bg, d, "circulate:")
	if len(mails) != len(members) {
		t.Errorf("%d circulation mails for %d members", len(mails), len(members))
	}

	// An officer with an account: my actions.
	priya := browsertest.NewBrowser(t)
	if err := browsertest.Login(priya, srv.URL, "priya.natarajan@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, priya, srv.URL+"/my/actions")
	expectText(t, priya, "h1", "My actions")
	browsertest.Screenshot(t, priya, "actions-11-my-actions")
	browsertest.CheckA11y(t, priya)

	// The administrator's outbox.
	admin := browsertest.NewBrowser(t)
	if err := browsertest.Login(admin, srv.URL, "admin@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, admin, srv.URL+"/admin/outbox")
	expectText(t, admin, "main", "youth-justice-plan-2026-27.pdf circulated")
	browsertest.Screenshot(t, admin, "actions-12-outbox")
	browsertest.CheckA11y(t, admin)
	visit(t, admin, fmt.Sprintf("%s/boards/%d/actions/import", srv.URL, boardID))
	browsertest.Screenshot(t, admin, "actions-13-import")
	browsertest.CheckA11y(t, admin)

	// On a phone the log scrolls inside its own box, not the page.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, fmt.Sprintf("%s/boards/%d/actions", srv.URL, boardID))
	browsertest.Screenshot(t, ctx, "actions-14-log-phone")
	expectJS(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`)
	visit(t, ctx, fmt.Sprintf("%s/boards/%d/dashboard", srv.URL, boardID))
	browsertest.Screenshot(t, ctx, "actions-15-dashboard-phone")
	expectJS(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`)
}
