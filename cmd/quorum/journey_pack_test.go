//go:build browser

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quorum/internal/auth"
	"quorum/internal/browsertest"
	"quorum/meetings"
)

// packDownload is what a page learns by fetching a pack.
type packDownload struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Magic       string `json:"magic"`
	Size        int    `json:"size"`
}

// fetchPack fetches path from the page, as its download link would, and reports what
// came back.
func fetchPack(t *testing.T, ctx context.Context, path string) packDownload {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[packDownload](fmt.Sprintf(`fetch(%q).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get("Content-Type") || "", disposition: r.headers.get("Content-Disposition") || "",
			magic: String.fromCharCode(...b.slice(0, 5)), size: b.length};
	})`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	return got
}

// TestJourneyPackPublishAndDownload is issue 6's journey: the clerk publishes the pack
// for the demo's next meeting; a partner opens the meeting page and downloads the pack;
// the restricted pack is refused to someone not on the board.
func TestJourneyPackPublishAndDownload(t *testing.T) {
	srv := browsertest.Start(t)
	bg := context.Background()
	a, err := openApp(bg, srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	board, err := a.meetings.BoardByShortName(bg, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	next, err := a.meetings.Meetings(bg, board.ID, true, 1)
	if err != nil || len(next) == 0 {
		t.Fatal("no next meeting")
	}
	meetingURL := fmt.Sprintf("%s/meetings/%d", srv.URL, next[0].ID)

	// The clerk publishes from the meeting page.
	clerk := browsertest.NewBrowser(t)
	if err := browsertest.Login(clerk, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, clerk, meetingURL)
	expectText(t, clerk, "#pack", "not published yet")
	browsertest.Screenshot(t, clerk, "pack-01-meeting-before")
	browsertest.CheckA11y(t, clerk)
	submit(t, clerk, `#pack form[action$="/pack/publish"] button[type="submit"]`)
	expectText(t, clerk, ".govuk-notification-banner--success", "Agenda pack published")
	expectText(t, clerk, "h1", "Agenda pack")
	expectText(t, clerk, "#packs", "Latest")
	browsertest.Screenshot(t, clerk, "pack-02-published")
	browsertest.CheckA11y(t, clerk)
	packs, err := a.meetings.Packs(bg, next[0].ID)
	if err != nil || len(packs) == 0 {
		t.Fatalf("after publishing: %v, %d packs", err, len(packs))
	}
	var public meetings.Pack
	for _, p := range packs {
		if !p.Restricted && p.Supplement == 0 {
			public = p
		}
	}

	// A partner opens the meeting page and downloads the pack through its link.
	priya := browsertest.NewBrowser(t)
	if err := browsertest.Login(priya, srv.URL, "priya.natarajan@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, priya, meetingURL)
	expectText(t, priya, "#pack", "Download the agenda pack (PDF)")
	browsertest.Screenshot(t, priya, "pack-03-partner-meeting")
	browsertest.CheckA11y(t, priya)
	href, err := browsertest.Eval[string](priya, `document.querySelector('#pack a[href$="/pack.pdf"]').getAttribute("href")`)
	if err != nil {
		t.Fatal(err)
	}
	got := fetchPack(t, priya, href)
	if got.Status != 200 || got.Type != "application/pdf" || got.Magic != "%PDF-" || int64(got.Size) != public.Size ||
		!strings.Contains(got.Disposition, "NSCP-") {
		t.Errorf("the pack as downloaded: %+v, want the %d-byte PDF of %d pages", got, public.Size, public.Pages)
	}
	followLink(t, priya, `#pack a[href$="/pack"]`)
	expectText(t, priya, "#packs", fmt.Sprintf("%d pages", public.Pages))
	browsertest.Screenshot(t, priya, "pack-04-partner-packs")
	browsertest.CheckA11y(t, priya)

	// Someone signed in but not on the board is refused the restricted pack.
	if err := a.users.CreateUser(bg, &auth.User{Email: "outsider@example.org", Name: "Olive Outsider", Role: auth.RoleUser}, demoPassword); err != nil {
		t.Fatal(err)
	}
	outsider := browsertest.NewBrowser(t)
	if err := browsertest.Login(outsider, srv.URL, "outsider@example.org", demoPassword); err != nil {
		t.Fatal(err)
	}
	restricted := fmt.Sprintf("%s/meetings/%d/pack-restricted.pdf", srv.URL, next[0].ID)
	if err := browsertest.Visit(outsider, restricted); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("the restricted pack answered an outsider with %v, want HTTP 403", err)
	}
	expectText(t, outsider, "main", "only for members of this board")
	browsertest.Screenshot(t, outsider, "pack-05-restricted-refused")
	browsertest.CheckA11y(t, outsider)
	if r := fetchPack(t, outsider, fmt.Sprintf("/meetings/%d/pack-restricted.pdf", next[0].ID)); r.Status != 403 || r.Magic == "%PDF-" {
		t.Errorf("restricted pack fetched by an outsider: %+v", r)
	}
}
