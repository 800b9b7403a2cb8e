//go:build browser

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quorum/internal/browsertest"
)

// Journeys drive the real binary in Chromium: go test -tags browser ./cmd/quorum -run Journey -v
// Screenshots land in testdata/screens/ at the module root.

// TestJourneyPublicPages opens what an anonymous visitor sees first.
func TestJourneyPublicPages(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := browsertest.NewBrowser(t)

	for _, p := range []struct{ name, path, heading string }{
		{"public-home", "/", "Boards"},
		{"public-login", "/login", "Sign in to Quorum"},
	} {
		visit(t, ctx, srv.URL+p.path)
		expectText(t, ctx, "h1", p.heading)
		expectText(t, ctx, ".govuk-service-navigation", "Sign in")
		browsertest.Screenshot(t, ctx, p.name)
		browsertest.CheckA11y(t, ctx)
	}
	// The layout's script ran: GOV.UK Frontend saw a supported browser.
	expectJS(t, ctx, `document.body.classList.contains("govuk-frontend-supported")`)

	// On a phone nothing is wider than the screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, srv.URL+"/")
	browsertest.Screenshot(t, ctx, "public-home-phone")
	browsertest.CheckA11y(t, ctx)
	expectJS(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`)
}

// TestJourneyClerkCreatesBoard is issue 3's first journey: the demo clerk signs in,
// creates a board, adds a member, sees them on the board page and signs out.
func TestJourneyClerkCreatesBoard(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := browsertest.NewBrowser(t)

	if err := browsertest.Login(ctx, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	expectText(t, ctx, ".quorum-account", "Tom Brennan")
	expectText(t, ctx, "main", "Northvale Safer Communities Partnership")
	browsertest.Screenshot(t, ctx, "clerk-01-home")
	browsertest.CheckA11y(t, ctx)

	// An empty form is refused with an error summary that links to the field.
	visit(t, ctx, srv.URL+"/boards/new")
	browsertest.Screenshot(t, ctx, "clerk-02-board-new")
	browsertest.CheckA11y(t, ctx)
	res, err := browsertest.Submit(ctx, `main form button[type="submit"]`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 422 {
		t.Errorf("empty board form: HTTP %d, want 422", res.Status)
	}
	expectText(t, ctx, ".govuk-error-summary", "There is a problem")
	expectJS(t, ctx, `!!document.querySelector('.govuk-error-summary a[href="#name"]') && !!document.getElementById("name")`)
	expectJS(t, ctx, `document.title.startsWith("Error: ")`)
	browsertest.Screenshot(t, ctx, "clerk-03-board-new-errors")
	browsertest.CheckA11y(t, ctx)

	if err := browsertest.Fill(ctx, map[string]string{
		"name":       "Northvale Youth Justice Management Board",
		"short_name": "YJMB",
	}); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Choose(ctx, "parent_id", "Northvale Safer Communities Partnership"); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `main form button[type="submit"]`)
	expectText(t, ctx, "h1", "Northvale Youth Justice Management Board")
	expectText(t, ctx, ".govuk-notification-banner--success", "created")
	expectText(t, ctx, "main", "This board has no members yet")
	browsertest.Screenshot(t, ctx, "clerk-04-board-created")
	browsertest.CheckA11y(t, ctx)

	// Add a member from the board page.
	if err := browsertest.Choose(ctx, "person_id", "Gareth Lloyd"); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Choose(ctx, "role", "Chair"); err != nil {
		t.Fatal(err)
	}
	submit(t, ctx, `form[action$="/members"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-notification-banner--success", "")
	members, err := browsertest.Text(ctx, "main table")
	if err != nil {
		t.Fatalf("members table: %v", err)
	}
	if !strings.Contains(members, "Gareth Lloyd") || !strings.Contains(members, "Chair") {
		t.Errorf("board page members = %q, want Gareth Lloyd as Chair", members)
	}
	browsertest.Screenshot(t, ctx, "clerk-05-member-added")
	browsertest.CheckA11y(t, ctx)

	// Sign out is a POST form in the header.
	submit(t, ctx, `form[action="/logout"] button[type="submit"]`)
	expectText(t, ctx, ".govuk-service-navigation", "Sign in")
	expectJS(t, ctx, `!document.querySelector('form[action="/logout"]')`)
	browsertest.Screenshot(t, ctx, "clerk-06-signed-out")
	browsertest.CheckA11y(t, ctx)
}

func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := browsertest.Visit(ctx, url); err != nil {
		t.Fatal(err)
	}
}

// submit presses a button and fails the test unless the answer is a page that worked.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	res, err := browsertest.Submit(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status >= 400 {
		summary, _ := browsertest.Text(ctx, ".govuk-error-summary")
		t.Fatalf("press %s: HTTP %d %s", sel, res.Status, summary)
	}
}

// expectText fails unless the first element sel picks contains want.
func expectText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	got, err := browsertest.Text(ctx, sel)
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	if !strings.Contains(got, want) {
		t.Errorf("%s says %q, want it to contain %q", sel, got, want)
	}
}

// expectJS fails unless the expression is true on the page.
func expectJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	ok, err := browsertest.Eval[bool](ctx, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if !ok {
		t.Errorf("on the page, %s is false", expr)
	}
}
