package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"quorum/internal/auth"
	"quorum/internal/outbox"
	"quorum/internal/pack"
	"quorum/meetings"
)

// pdfPages is the text of each page of a PDF, read back by poppler's pdftotext.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	f := filepath.Join(t.TempDir(), "pack.pdf")
	os.WriteFile(f, pdf, 0o600)
	out, err := exec.Command("pdftotext", "-layout", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1]
}

// packMeeting gives the demo's next meeting two papers on a substantive item, one on an
// exempt item, and returns the meeting.
func packMeeting(t *testing.T, s *testServer) (partnership, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	p := demoNSCP(t, s)
	st := s.app.meetings
	items := map[string]int64{}
	budget := &meetings.AgendaItem{MeetingID: p.next.ID, Title: "Partnership budget 2026/27", Purpose: "for decision"}
	if err := st.AddItem(ctx, budget); err != nil {
		t.Fatal(err)
	}
	secret := &meetings.AgendaItem{MeetingID: p.next.ID, Title: "Domestic homicide review: Family A", Purpose: "for noting",
		Exempt: true, ExemptReason: "Information about individuals (paragraph 1)"}
	if err := st.AddItem(ctx, secret); err != nil {
		t.Fatal(err)
	}
	items["budget"], items["secret"] = budget.ID, secret.ID
	for _, np := range []struct {
		item  int64
		title string
		pages int
		size  [2]float64
	}{{budget.ID, "Budget report", 5, meetings.SizeA4}, {budget.ID, "Budget annex", 2, meetings.SizeA4Landscape}, {secret.ID, "Review summary CONFIDENTIAL", 3, meetings.SizeA4}} {
		if _, err := st.AddPaper(ctx, meetings.NewPaper{ItemID: np.item, Title: np.title, Filename: np.title + ".pdf",
			Data: meetings.SamplePaper(np.title, np.pages, np.size)}); err != nil {
			t.Fatal(err)
		}
	}
	return p, items
}

var agendaPaperRe = regexp.MustCompile(`Paper: (.+?)\s{2,}(\d+)\s*$`)

// TestPackPageNumbers builds the pack and checks, page by page, that every paper starts
// where the agenda says, that every page is numbered, and that the public pack holds no
// exempt paper.
func TestPackPageNumbers(t *testing.T) {
	s := newTestServer(t)
	p, _ := packMeeting(t, s)
	svc := s.app.packs("")
	b, err := svc.Build(context.Background(), p.next.ID, pack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.PDF)
	if len(pages) != b.Pages {
		t.Fatalf("pdftotext reads %d pages, the pack says %d", len(pages), b.Pages)
	}
	sum := 0
	for _, part := range b.Parts {
		sum += part.Pages
	}
	if sum != len(pages) {
		t.Errorf("parts add up to %d pages, the pack has %d", sum, len(pages))
	}
	for i, pg := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(pg, want) {
			t.Errorf("page %d is not stamped %q", i+1, want)
		}
	}
	checked := 0
	for _, pg := range pages[:4] {
		for _, line := range strings.Split(pg, "\n") {
			m := agendaPaperRe.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[2])
			title := strings.TrimSpace(m[1])
			if n < 1 || n > len(pages) {
				t.Errorf("agenda sends %q to page %d of %d", title, n, len(pages))
				continue
			}
			got := strings.ToLower(pages[n-1])
			ok := strings.Contains(got, strings.ToLower(title)+", page 1") // the papers made here
			switch {
			case title == "Action log" || strings.HasPrefix(title, "Circulated"):
				ok = strings.Contains(pages[n-1], title)
			case strings.Contains(title, "minutes of the meeting"):
				ok = strings.Contains(got, "minutes of the meeting held")
			case strings.HasPrefix(title, "Update on the "): // a plan's update paper
				ok = strings.Contains(pages[n-1], "RAG summary by theme")
			case title == "CSP Plan 2026–2029: consultation draft": // the demo's paper
				ok = strings.Contains(got, "consultation draft for the partnership. page 1 of")
			}
			if !ok {
				t.Errorf("agenda says %q starts on page %d, which reads:\n%s", title, n, pages[n-1])
			}
			checked++
		}
	}
	if checked < 3 {
		t.Errorf("found %d page references in the agenda:\n%s", checked, strings.Join(pages[:3], "\n---\n"))
	}
	all := strings.Join(pages, "\n")
	if strings.Contains(all, "CONFIDENTIAL") {
		t.Error("the public pack holds the exempt paper")
	}
	for _, want := range []string{"Domestic homicide review: Family A", "Exempt: Information about individuals (paragraph 1)", "Membership", "Tom Brennan"} {
		if !strings.Contains(all, want) {
			t.Errorf("pack lacks %q", want)
		}
	}
	res, err := svc.Build(context.Background(), p.next.ID, pack.Options{Restricted: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := strings.Join(pdfPages(t, res.PDF), "\n"); !strings.Contains(r, "Review summary CONFIDENTIAL, page 3") || !strings.Contains(r, "Restricted: not for publication") {
		t.Error("the restricted pack lacks the exempt paper or its label")
	}
}

func TestPackPublishDownloadAndLatePapers(t *testing.T) {
	s := newTestServer(t)
	p, items := packMeeting(t, s)
	ctx := context.Background()
	clerk := s.signedIn(t, "clerk@northvale.example")
	id := p.next.ID
	wantCode(t, "publish", clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", id), nil), http.StatusSeeOther)
	page := clerk.get(fmt.Sprintf("/meetings/%d/pack", id))
	wantCode(t, "pack page", page, http.StatusOK)
	if !strings.Contains(page.body, "Restricted agenda pack") || !strings.Contains(page.body, "pack.pdf?version=1") {
		t.Errorf("pack page:\n%.3000s", page.body)
	}
	if m := s.meeting(t, id); m.Status != meetings.StatusAgendaPublished {
		t.Errorf("meeting is %s", m.Status)
	}

	// Every member, and the substitute named for the meeting, has exactly one message.
	msgs, err := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("pack:meeting:%d:v1:", id))
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]int{}
	for _, m := range msgs {
		to[m.To]++
		if !strings.Contains(m.Body, fmt.Sprintf("/meetings/%d/pack.pdf", id)) || !strings.Contains(m.Body, "#your-attendance") || !strings.Contains(m.Body, "Partnership budget 2026/27") {
			t.Errorf("message to %s:\n%s", m.To, m.Body)
		}
	}
	members, _ := s.app.meetings.Members(ctx, p.board.ID)
	for _, mb := range members {
		if mb.Email != "" && to[mb.Email] != 1 {
			t.Errorf("%s has %d messages", mb.Email, to[mb.Email])
		}
	}
	if to["sarah.whitfield@northvale.example"] != 1 {
		t.Errorf("the named substitute has %d messages", to["sarah.whitfield@northvale.example"])
	}

	// A partner downloads the pack: PDF, a file name, an ETag, ranges.
	chair := s.signedIn(t, "chair@northvale.example")
	pdf := chair.get(fmt.Sprintf("/meetings/%d/pack.pdf", id))
	wantCode(t, "pack.pdf", pdf, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" || pdf.Header.Get("ETag") == "" ||
		!strings.Contains(pdf.Header.Get("Content-Disposition"), "NSCP-") || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Errorf("headers %v", pdf.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, chair.base+fmt.Sprintf("/meetings/%d/pack.pdf", id), nil)
	req.Header.Set("Range", "bytes=0-99")
	if r := chair.do(req); r.StatusCode != http.StatusPartialContent || len(r.body) != 100 {
		t.Errorf("range: %d, %d bytes", r.StatusCode, len(r.body))
	}
	req, _ = http.NewRequest(http.MethodGet, chair.base+fmt.Sprintf("/meetings/%d/pack.pdf", id), nil)
	req.Header.Set("If-None-Match", pdf.Header.Get("ETag"))
	if r := chair.do(req); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}

	// The restricted pack: a copy stamped for the member; nobody else.
	rp := chair.get(fmt.Sprintf("/meetings/%d/pack-restricted.pdf", id))
	wantCode(t, "restricted", rp, http.StatusOK)
	if text := strings.Join(pdfPages(t, []byte(rp.body)), "\n"); !strings.Contains(text, "Copy made for Cllr Margaret Okafor") || !strings.Contains(text, "CONFIDENTIAL") {
		t.Error("restricted copy is not stamped for the chair or lacks the exempt paper")
	}
	if r := s.client().get(fmt.Sprintf("/meetings/%d/pack-restricted.pdf", id)); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("restricted, anonymous: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if err := s.app.users.CreateUser(ctx, &auth.User{Email: "outsider@example.org", Name: "Outsider", Role: auth.RoleUser}, demoPassword); err != nil {
		t.Fatal(err)
	}
	outsider := s.signedIn(t, "outsider@example.org")
	if r := outsider.get(fmt.Sprintf("/meetings/%d/pack-restricted.pdf", id)); r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
		t.Errorf("outsider: %d", r.StatusCode)
	}

	// A late paper: version 2 with Supplement 1, partners told what changed, version 1 kept.
	if _, err := s.app.meetings.AddPaper(ctx, meetings.NewPaper{ItemID: items["budget"], Title: "Late budget note", Filename: "late.pdf",
		Data: meetings.SamplePaper("Late budget note", 2, meetings.SizeA4)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "publish v2", clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", id), nil), http.StatusSeeOther)
	sup := chair.get(fmt.Sprintf("/meetings/%d/pack.pdf?supplement=1", id))
	wantCode(t, "supplement", sup, http.StatusOK)
	if text := strings.Join(pdfPages(t, []byte(sup.body)), "\n"); !strings.Contains(text, "S1. Late budget note") || strings.Contains(text, "Budget report, page 1") {
		t.Errorf("supplement:\n%.2000s", text)
	}
	v1 := chair.get(fmt.Sprintf("/meetings/%d/pack.pdf?version=1", id))
	wantCode(t, "version 1", v1, http.StatusOK)
	if v1.body != pdf.body {
		t.Error("version 1 changed")
	}
	if !strings.Contains(chair.get(fmt.Sprintf("/meetings/%d/pack.pdf", id)).Header.Get("Content-Disposition"), "-v2.pdf") {
		t.Error("version 2 is not named with its version")
	}
	v2msgs, _ := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("pack:meeting:%d:v2:", id))
	if len(v2msgs) != len(msgs) || !strings.Contains(v2msgs[0].Body, "Late budget note (new paper)") {
		t.Errorf("%d messages for version 2 (%d for version 1): %+v", len(v2msgs), len(msgs), v2msgs)
	}
	// Publishing again with nothing changed is refused, and says why.
	r := clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", id), nil)
	wantCode(t, "publish unchanged", r, http.StatusSeeOther)
	if packs, _ := s.app.meetings.Packs(ctx, id); packs[0].Version != 2 {
		t.Errorf("an unchanged pack made version %d", packs[0].Version)
	}
}

func TestPackBuildCommand(t *testing.T) {
	s := newTestServer(t)
	p, _ := packMeeting(t, s)
	dbFile := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.app.db.Exec(`VACUUM INTO ?`, dbFile); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "pack.pdf")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"pack", "build", "-meeting", fmt.Sprint(p.next.ID), "-o", out, "-db", dbFile, "-restricted"},
		func(string) string { return "" }, nil, &stdout)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if text := strings.Join(pdfPages(t, data), "\n"); !strings.Contains(text, "CONFIDENTIAL") {
		t.Error("restricted pack from the command lacks the exempt paper")
	}
	if !strings.Contains(stdout.String(), "papers") {
		t.Errorf("stdout: %s", stdout.String())
	}
}

// TestPackLatePaperUpload: a paper uploaded or replaced after the pack is published makes
// its supplement and the next version of the pack in the same request, and everyone told
// once; publishing again with nothing changed is still refused.
func TestPackLatePaperUpload(t *testing.T) {
	s := newTestServer(t)
	p, items := packMeeting(t, s)
	ctx := context.Background()
	clerk := s.signedIn(t, "clerk@northvale.example")
	id := p.next.ID
	wantCode(t, "publish", clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", id), nil), http.StatusSeeOther)
	v1msgs, _ := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("pack:meeting:%d:v1:", id))

	res := clerk.multipart(fmt.Sprintf("/items/%d/papers", items["budget"]), "", map[string]string{"paper_title": "Late budget note"},
		"late.pdf", meetings.SamplePaper("Late budget note", 2, meetings.SizeA4))
	wantCode(t, "upload after publish", res, http.StatusSeeOther)
	packs, err := s.app.meetings.Packs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sup := false
	for _, pk := range packs {
		if pk.Version > 2 {
			t.Errorf("pack version %d after one upload", pk.Version)
		}
		if pk.Version == 2 && pk.Supplement == 1 && !pk.Restricted {
			sup = true
		}
	}
	if !sup || packs[0].Version != 2 {
		t.Fatalf("after the upload: %+v", packs)
	}
	page := clerk.get(fmt.Sprintf("/meetings/%d", id)) // the redirect's page, with the flash
	if !strings.Contains(page.body, "Version 2 of the agenda pack published, with Supplement 1") {
		t.Errorf("the flash does not say the pack was published again:\n%.4000s", page.body)
	}
	text := strings.Join(pdfPages(t, []byte(clerk.get(fmt.Sprintf("/meetings/%d/pack.pdf?supplement=1", id)).body)), "\n")
	if !strings.Contains(text, "S1. Late budget note") {
		t.Errorf("supplement 1:\n%.2000s", text)
	}
	v2msgs, _ := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("pack:meeting:%d:v2:", id))
	to := map[string]int{}
	for _, m := range v2msgs {
		to[m.To]++
		if !strings.Contains(m.Body, "Late budget note (new paper)") || !strings.Contains(m.Subject, "version 2") {
			t.Errorf("message to %s: %s\n%s", m.To, m.Subject, m.Body)
		}
	}
	if len(v2msgs) != len(v1msgs) || len(to) != len(v1msgs) {
		t.Errorf("%d messages for version 2 to %d people; %d for version 1", len(v2msgs), len(to), len(v1msgs))
	}
	if pg := clerk.get(fmt.Sprintf("/meetings/%d/pack", id)); strings.Contains(pg.body, `id="unpublished"`) {
		t.Error("the pack page says a paper is not in the pack")
	}

	// Publishing again with nothing changed is refused.
	wantCode(t, "publish unchanged", clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", id), nil), http.StatusSeeOther)
	if packs, _ := s.app.meetings.Packs(ctx, id); packs[0].Version != 2 {
		t.Errorf("an unchanged pack made version %d", packs[0].Version)
	}

	// Replacing a paper through the API: version 3 with Supplement 2.
	var old int64
	s.app.db.QueryRow(`SELECT id FROM papers WHERE title = 'Budget report'`).Scan(&old)
	res = clerk.multipart(fmt.Sprintf("/items/%d/papers", items["budget"]), "", map[string]string{"replaces": fmt.Sprint(old), "paper_title": "Budget report"},
		"budget-v2.pdf", meetings.SamplePaper("Budget report revised", 4, meetings.SizeA4))
	wantCode(t, "replace after publish", res, http.StatusSeeOther)
	packs, _ = s.app.meetings.Packs(ctx, id)
	if packs[0].Version != 3 || !strings.Contains(packs[0].Changes, "Budget report (version 2 replaces the earlier version)") {
		t.Errorf("after the replacement: version %d, changes %q", packs[0].Version, packs[0].Changes)
	}
	if v3, _ := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("pack:meeting:%d:v3:", id)); len(v3) != len(v1msgs) {
		t.Errorf("%d messages for version 3", len(v3))
	}

	// Before any publication an upload publishes nothing.
	other := &meetings.AgendaItem{MeetingID: p.after.ID, Title: "Something later", Purpose: "for noting"}
	if err := s.app.meetings.AddItem(ctx, other); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "upload before publication", clerk.multipart(fmt.Sprintf("/items/%d/papers", other.ID), "", nil, "later.pdf",
		meetings.SamplePaper("Later", 1, meetings.SizeA4)), http.StatusSeeOther)
	if packs, _ := s.app.meetings.Packs(ctx, p.after.ID); len(packs) != 0 {
		t.Errorf("an upload before publication published %d packs", len(packs))
	}
}

var vrapLineRe = regexp.MustCompile(`^\s*(\d+)\s+Violence Reduction Action Plan.*?\s{2,}(\d+)\s*$`)

// TestPackCarriesPlanUpdatePaper: the standing item a plan is attached to carries the
// plan's update paper in the pack, after a slip naming the item, where the agenda says.
func TestPackCarriesPlanUpdatePaper(t *testing.T) {
	s := newTestServer(t)
	p := demoNSCP(t, s)
	b, err := s.app.packs("").Build(context.Background(), p.next.ID, pack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.PDF)
	item, start := "", 0
	for _, pg := range pages[:3] {
		for _, line := range strings.Split(pg, "\n") {
			if m := vrapLineRe.FindStringSubmatch(line); m != nil {
				item = m[1]
				start, _ = strconv.Atoi(m[2])
			}
		}
	}
	if start < 2 || start >= len(pages) {
		t.Fatalf("the agenda gives the VRAP item (%q) page %d of %d:\n%s", item, start, len(pages), strings.Join(pages[:3], "\n---\n"))
	}
	slip := pages[start-1]
	if !strings.Contains(slip, "Item "+item) || !strings.Contains(slip, "Violence Reduction Action Plan: verbal update") ||
		!strings.Contains(slip, "Update on the Violence Reduction Action Plan 2024–2027") {
		t.Errorf("page %d, where the agenda says item %s starts, is not its slip:\n%s", start, item, slip)
	}
	paper := pages[start]
	for _, want := range []string{"Violence Reduction Action Plan 2024–2027", "Update for the meeting of ", "RAG summary by theme", "Sign-off"} {
		if !strings.Contains(paper, want) {
			t.Errorf("page %d, after the slip, lacks %q:\n%s", start+1, want, paper)
		}
	}
	bookmarked := false
	for _, pt := range b.Parts {
		if strings.Contains(pt.Title, "Update on the Violence Reduction Action Plan") && pt.Start == start+1 {
			bookmarked = true
		}
	}
	if !bookmarked {
		t.Errorf("no part for the update paper starting on page %d: %+v", start+1, b.Parts)
	}
}
