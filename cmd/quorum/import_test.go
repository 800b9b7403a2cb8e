package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"quorum/meetings"
)

// pastMeeting schedules a meeting of the partnership days ago (negative), before the
// demo's own, for minutes to be imported into.
func pastMeeting(t *testing.T, s *testServer, days int) *meetings.Meeting {
	t.Helper()
	ctx := context.Background()
	b, err := s.app.meetings.BoardByShortName(ctx, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	m := &meetings.Meeting{BoardID: b.ID, StartsAt: londonAt(days, "10:00"), EndsAt: londonAt(days, "12:00"),
		Mode: meetings.ModeHybrid, Place: b.DefaultPlace}
	if err := s.app.meetings.ScheduleMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func ukDate(t time.Time) string { return t.In(meetings.London).Format("2 January 2006") }

// oldMinutes is minutes as a clerk typed them before Quorum: narrative, with actions
// written "HA to ..." and "ACTION: DR", and one owner the board does not know.
func oldMinutes(m *meetings.Meeting) string {
	return fmt.Sprintf(`Northvale Safer Communities Partnership

Minutes of the meeting held at 10.00 am on %s in Committee Room 2, Northvale Civic Centre

Present: Cllr Margaret Okafor (Chair), Helen Ashworth (Vice-Chair), Priya Natarajan (Northvale Borough Council) and Kwame Mensah (Northvale Fire and Rescue Service)
Apologies: Supt Daniel Reyes

Item 1: Welcome and apologies
The Chair welcomed partners to the meeting.

Item 2: Youth outreach
Helen Ashworth presented the evaluation of the summer youth outreach programme.
RESOLVED that the evaluation be noted.
HA to circulate the youth outreach evaluation to partners by the next meeting.

Item 3: Burglary
Partners discussed the rise in burglary in two wards.
ACTION: DR to share the burglary hotspot map with the neighbourhood teams by the next meeting.
Rachel Dunley to arrange a briefing for ward councillors.

The meeting closed at 11.45 am.
`, ukDate(m.StartsAt))
}

// textareaOf is the text a page's textarea holds.
func textareaOf(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea[^>]*id="` + id + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no textarea %s on the page", id)
	}
	return html.UnescapeString(m[1])
}

func importRows(t *testing.T, s *testServer, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.app.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportMinutesFromText(t *testing.T) {
	s := newTestServer(t)
	clerk := s.signedIn(t, "clerk@northvale.example")
	m := pastMeeting(t, s, -250)
	path := fmt.Sprintf("/meetings/%d/minutes/import", m.ID)

	res := clerk.get(path)
	wantStatus(t, "import page", res, http.StatusOK)
	if !strings.Contains(res.body, "(this meeting)") || !strings.Contains(res.body, "Upload the minutes") {
		t.Fatalf("the import page does not list the meeting as without minutes:\n%s", res.body)
	}
	board := clerk.get(fmt.Sprintf("/boards/%d/minutes/import", m.BoardID))
	wantStatus(t, "board's import page", board, http.StatusOK)
	if !strings.Contains(board.body, ukDate(m.StartsAt)) {
		t.Errorf("the board's import page does not list %s", ukDate(m.StartsAt))
	}

	res = clerk.multipart(path, "", nil, "nscp-minutes.txt", []byte(oldMinutes(m)))
	wantStatus(t, "upload", res, http.StatusSeeOther)
	page := clerk.get(path)
	wantStatus(t, "preview", page, http.StatusOK)
	for _, want := range []string{"<mark>", `href="#md-`, `href="#src-`, "Resolution", "Action", "Owners not matched",
		"Rachel Dunley", "Lines not understood", "Who are these owners?", "These lines would stop the minutes being saved"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	for _, want := range []string{`<dt class="govuk-summary-list__key">Items</dt><dd class="govuk-summary-list__value">3</dd>`,
		`<dt class="govuk-summary-list__key">Resolutions</dt><dd class="govuk-summary-list__value">1</dd>`,
		`<dt class="govuk-summary-list__key">Actions</dt><dd class="govuk-summary-list__value">3</dd>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the summary lacks %s", want)
		}
	}
	if n := importRows(t, s, `SELECT count(*) FROM minutes WHERE meeting_id = ?`, m.ID); n != 0 {
		t.Fatalf("the preview saved minutes")
	}

	// Saved as converted, the unknown owner refuses the save at its line; nothing is saved.
	text := textareaOf(t, page.body, "text")
	res = clerk.post(path+"/save", url.Values{"text": {text}})
	wantStatus(t, "save with an unknown owner", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "Rachel-Dunley") || !strings.Contains(res.body, "The minutes were not saved") {
		t.Errorf("the refusal does not name the owner's line:\n%s", res.body)
	}
	if n := importRows(t, s, `SELECT count(*) FROM minutes WHERE meeting_id = ?`, m.ID); n != 0 {
		t.Fatalf("a refused save saved minutes")
	}

	// The clerk maps her once: the minutes' Rachel Dunley is the board's Zoë Castell.
	res = clerk.post(path+"/owners", url.Values{"found": {"Rachel Dunley"}, "handle-0": {"nope-nobody"}})
	wantStatus(t, "map to an unknown handle", res, http.StatusUnprocessableEntity)
	zoe := "ZC"
	if !strings.Contains(page.body, `<option value="ZC">Zoë Castell, Northvale Borough Council (@ZC)</option>`) {
		t.Errorf("Zoë Castell is not among the owners to choose from")
	}
	res = clerk.post(path+"/owners", url.Values{"found": {"Rachel Dunley"}, "handle-0": {zoe}})
	wantStatus(t, "map owner", res, http.StatusSeeOther)
	page = clerk.get(path)
	if strings.Contains(page.body, "Who are these owners?") || strings.Contains(page.body, "would stop the minutes being saved") {
		t.Errorf("the mapping was not applied on converting again: %s", regexp.MustCompile(`Owners not matched</dt>.*`).FindString(page.body))
	}
	text = textareaOf(t, page.body, "text")
	if !strings.Contains(text, "@"+zoe+":") {
		t.Errorf("the converted text does not give the action to @%s:\n%s", zoe, text)
	}

	res = clerk.post(path+"/save", url.Values{"text": {text}})
	wantStatus(t, "save", res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, path) {
		t.Errorf("save went to %s", loc)
	}
	done := clerk.get(path)
	for _, want := range []string{"Minutes imported", "What the import found and did", "Read the minutes"} {
		if !strings.Contains(done.body, want) {
			t.Errorf("the page after saving lacks %q", want)
		}
	}
	if n := importRows(t, s, `SELECT count(*) FROM minutes WHERE meeting_id = ? AND status = 'draft'`, m.ID); n != 1 {
		t.Fatalf("no draft minutes saved")
	}
	if n := importRows(t, s, `SELECT count(*) FROM actions WHERE meeting_id = ? AND status = 'open'`, m.ID); n != 3 {
		t.Errorf("%d open actions in the log from the import, want 3", n)
	}
	log := clerk.get(fmt.Sprintf("/boards/%d/actions", m.BoardID))
	if !strings.Contains(log.body, "circulate the youth outreach evaluation to partners") {
		t.Errorf("the action log does not show the imported action")
	}

	// The mapping is the board's: another meeting's import matches her at once.
	m2 := pastMeeting(t, s, -230)
	path2 := fmt.Sprintf("/meetings/%d/minutes/import", m2.ID)
	wantStatus(t, "second upload", clerk.post(path2, url.Values{"pasted": {oldMinutes(m2)}}), http.StatusSeeOther)
	page = clerk.get(path2)
	if strings.Contains(page.body, "Who are these owners?") {
		t.Errorf("the remembered mapping was not applied to the next import")
	}
	if !strings.Contains(textareaOf(t, page.body, "text"), "@"+zoe+":") {
		t.Errorf("the pasted import does not use the remembered mapping")
	}
	// Forgotten, she is unmatched again.
	wantStatus(t, "forget", clerk.post(path2+"/owners", url.Values{"found": {"Rachel Dunley"}, "forget": {"1"}}), http.StatusSeeOther)
	if page = clerk.get(path2); !strings.Contains(page.body, "Who are these owners?") {
		t.Errorf("the forgotten mapping is still applied")
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	s := newTestServer(t)
	clerk := s.signedIn(t, "clerk@northvale.example")
	m := pastMeeting(t, s, -250)
	path := fmt.Sprintf("/meetings/%d/minutes/import", m.ID)
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		name, file string
		data       []byte
		status     int
		want       string
	}{
		{"binary", "minutes.txt", binary, 422, "not text"},
		{"old Word", "minutes.doc", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 1024)...), 422, "save it as .docx"},
		{"zip that is not a docx", "minutes.docx", []byte("PK\x03\x04 this is not really a zip file at all"), 422, "not a Word .docx document"},
		{"PDF", "minutes.pdf", []byte("%PDF-1.7\n1 0 obj\n"), 422, "this is a PDF"},
		{"empty", "minutes.txt", nil, 422, "Choose a .docx or .txt file"},
		{"too big", "minutes.txt", bytes.Repeat([]byte("The Chair welcomed partners.\n"), 11<<20/29), 413, "larger than 10 MB"},
	} {
		res := clerk.multipart(path, "", nil, tc.file, tc.data)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.status)
			continue
		}
		if !strings.Contains(res.body, tc.want) {
			t.Errorf("%s: the page does not say %q", tc.name, tc.want)
		}
	}
	if n := importRows(t, s, `SELECT count(*) FROM import_uploads`); n != 0 {
		t.Errorf("%d refused uploads kept", n)
	}
	if n := importRows(t, s, `SELECT count(*) FROM minutes WHERE meeting_id = ?`, m.ID); n != 0 {
		t.Errorf("refused uploads saved minutes")
	}
	// A meeting still to come, and one whose minutes are approved, take no import.
	ctx := context.Background()
	all, _ := s.app.meetings.AllMeetings(ctx, m.BoardID)
	for _, other := range all {
		if other.ID == m.ID {
			continue
		}
		mins, err := s.app.minutes.Minutes(ctx, other.ID)
		approved := err == nil && (mins.Status == "approved" || mins.Status == "signed")
		if approved || other.StartsAt.After(time.Now()) {
			res := clerk.multipart(fmt.Sprintf("/meetings/%d/minutes/import", other.ID), "", nil, "m.txt", []byte(oldMinutes(m)))
			wantStatus(t, "import into "+other.Title(), res, http.StatusConflict)
		}
	}
	// Only the clerk imports.
	member := s.signedIn(t, "priya.natarajan@northvale.example")
	if res := member.multipart(path, "", nil, "m.txt", []byte(oldMinutes(m))); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member's upload: %d, want 403", res.StatusCode)
	}
}

// TestImportSeries imports two meetings oldest first: the second's matters arising report
// one of the first's actions complete, which is closed; the other stays open and is
// carried forward. The first is approved at the second, as the original was.
func TestImportSeries(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	clerk := s.signedIn(t, "clerk@northvale.example")
	m1 := pastMeeting(t, s, -300)
	m2 := pastMeeting(t, s, -250)
	p1 := fmt.Sprintf("/meetings/%d/minutes/import", m1.ID)
	p2 := fmt.Sprintf("/meetings/%d/minutes/import", m2.ID)

	page := clerk.get(p2)
	if !strings.Contains(page.body, "earlier meeting has no minutes yet") {
		t.Errorf("importing the later meeting first is not warned against")
	}

	first := strings.Replace(oldMinutes(m1), "Rachel Dunley to arrange a briefing for ward councillors.\n", "", 1)
	wantStatus(t, "upload 1", clerk.multipart(p1, "", nil, "m1.txt", []byte(first)), http.StatusSeeOther)
	page = clerk.get(p1)
	if !strings.Contains(page.body, "recorded as approved at the next meeting, "+ukDate(m2.StartsAt)) {
		t.Errorf("the approval box does not name the next meeting")
	}
	res := clerk.post(p1+"/save", url.Values{"text": {textareaOf(t, page.body, "text")}, "approved": {"1"}})
	wantStatus(t, "save 1", res, http.StatusSeeOther)
	mins, err := s.app.minutes.Minutes(ctx, m1.ID)
	if err != nil || mins.Status != "approved" || mins.ApprovedAtMeetingID != m2.ID {
		t.Fatalf("the first minutes are not approved at the second meeting: %+v %v", mins, err)
	}
	var evaluation, hotspots int64
	s.app.db.QueryRow(`SELECT id FROM actions WHERE meeting_id = ? AND text LIKE 'circulate the youth outreach%'`, m1.ID).Scan(&evaluation)
	s.app.db.QueryRow(`SELECT id FROM actions WHERE meeting_id = ? AND text LIKE '%burglary hotspot map%'`, m1.ID).Scan(&hotspots)
	if evaluation == 0 || hotspots == 0 {
		t.Fatalf("the first meeting's actions are not in the log")
	}

	second := fmt.Sprintf(`Northvale Safer Communities Partnership

Minutes of the meeting held at 10.00 am on %s in Committee Room 2, Northvale Civic Centre

Present: Cllr Margaret Okafor (Chair), Helen Ashworth (Vice-Chair) and Priya Natarajan (Northvale Borough Council)

Item 1: Minutes of the last meeting and matters arising
The minutes of the meeting held on %s were agreed as a correct record.
Youth outreach: the evaluation had been circulated to partners in the week after the meeting. Action complete.
Burglary: the hotspot map was not yet complete, and would be shared once the new quarter's figures were in.

Item 2: Night-time economy
Priya Natarajan reported on the Purple Flag assessment.
RESOLVED that the report be noted.

The meeting closed at 11.30 am.
`, ukDate(m2.StartsAt), ukDate(m1.StartsAt))
	wantStatus(t, "upload 2", clerk.multipart(p2, "", nil, "m2.txt", []byte(second)), http.StatusSeeOther)
	page = clerk.get(p2)
	if !strings.Contains(page.body, fmt.Sprintf(`value="%d" checked`, evaluation)) {
		t.Fatalf("the completed action is not offered to close:\n%s", page.body)
	}
	if strings.Contains(page.body, fmt.Sprintf(`value="%d"`, hotspots)) {
		t.Errorf("the action still to do is offered to close")
	}
	res = clerk.post(p2+"/save", url.Values{"text": {textareaOf(t, page.body, "text")}, "close": {fmt.Sprint(evaluation)}})
	wantStatus(t, "save 2", res, http.StatusSeeOther)

	a, err := s.app.actions.Action(ctx, evaluation)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != "done" || a.CompletedNote != "marked complete in the minutes of "+ukDate(m2.StartsAt) {
		t.Errorf("the completed action: status %s, note %q", a.Status, a.CompletedNote)
	}
	if a.CarriedForward != 0 {
		t.Errorf("the completed action was carried forward %d times", a.CarriedForward)
	}
	b, err := s.app.actions.Action(ctx, hotspots)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != "open" || b.CarriedForward < 1 {
		t.Errorf("the open action: status %s, carried forward %d times, want open and carried", b.Status, b.CarriedForward)
	}
	done := clerk.get(p2)
	if !strings.Contains(done.body, a.Ref) || !strings.Contains(done.body, "Earlier actions marked done") {
		t.Errorf("the summary does not list %s as marked done", a.Ref)
	}

	// A save that fails leaves the actions it would close open.
	m3 := pastMeeting(t, s, -240)
	p3 := fmt.Sprintf("/meetings/%d/minutes/import", m3.ID)
	wantStatus(t, "upload 3", clerk.post(p3, url.Values{"pasted": {strings.ReplaceAll(second, "Youth outreach", "Burglary hotspot map")}}), http.StatusSeeOther)
	res = clerk.post(p3+"/save", url.Values{"text": {"## 1. Minutes\n\nACTION @nobody-known: do it\n"}, "close": {fmt.Sprint(hotspots)}})
	wantStatus(t, "refused save", res, http.StatusUnprocessableEntity)
	if b, _ := s.app.actions.Action(ctx, hotspots); b.Status != "open" {
		t.Errorf("a refused save closed %s", b.Ref)
	}
}

// TestImportCommandSavesAMeeting: quorum minutes import -meeting ID saves the file as the
// meeting's minutes, approved when asked; line errors save nothing.
func TestImportCommandSavesAMeeting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "quorum.db")
	a, err := openApp(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadDemo(ctx, a); err != nil {
		t.Fatal(err)
	}
	s := &testServer{app: a}
	m := pastMeeting(t, s, -250)
	a.Close()
	env := func(string) string { return "" }

	in := filepath.Join(dir, "old.txt")
	os.WriteFile(in, []byte(oldMinutes(m)), 0o644)
	var out bytes.Buffer
	err = run(ctx, []string{"minutes", "import", in, "-db", dbFile, "-board", "NSCP", "-meeting", fmt.Sprint(m.ID), "-approved"}, env, nil, &out)
	if err == nil || !strings.Contains(out.String(), "Rachel-Dunley") {
		t.Fatalf("an unknown owner did not refuse the save: %v\n%s", err, out.String())
	}
	without := strings.Replace(oldMinutes(m), "Rachel Dunley to arrange a briefing for ward councillors.\n", "", 1)
	os.WriteFile(in, []byte(without), 0o644)
	out.Reset()
	if err := run(ctx, []string{"minutes", "import", in, "-approved", "-db", dbFile, "-meeting", fmt.Sprint(m.ID)}, env, nil, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	for _, want := range []string{"actions: 2", "saved as version 1", "approved at the meeting held on"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the command's output lacks %q:\n%s", want, out.String())
		}
	}
	a, err = openApp(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	mins, err := a.minutes.Minutes(ctx, m.ID)
	if err != nil || mins.Status != "approved" {
		t.Errorf("the minutes are not saved and approved: %+v %v", mins, err)
	}
}
