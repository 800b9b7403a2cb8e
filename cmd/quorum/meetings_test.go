package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"quorum/meetings"
)

// meetingsAccessIDs finds, on a board, an id of each kind the meetings routes resolve:
// an agenda item, a paper and a forward-plan item (the demo gives the delivery group one
// of each).
func meetingsAccessIDs(t *testing.T, st *meetings.Store, boardID int64) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	ms, err := st.AllMeetings(ctx, boardID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		full, err := st.Meeting(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range full.Items {
			if ids["item"] == 0 {
				ids["item"] = it.ID
			}
			for _, p := range it.Papers {
				if ids["paper"] == 0 {
					ids["paper"] = p.ID
				}
			}
		}
	}
	plan, err := st.ForwardPlan(ctx, boardID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) > 0 {
		ids["forward"] = plan[0].ID
	}
	for _, k := range []string{"item", "paper", "forward"} {
		if ids[k] == 0 {
			t.Fatalf("the demo gives board %d no %s", boardID, k)
		}
	}
	return ids
}

// partnership is the demo partnership with its next two meetings and the people tests sign in as.
type partnership struct {
	board       *meetings.Board
	next, after *meetings.Meeting
	people      map[string]int64
}

func demoNSCP(t *testing.T, s *testServer) partnership {
	t.Helper()
	ctx := context.Background()
	st := s.app.meetings
	b, err := st.BoardByShortName(ctx, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	next, err := st.NextMeeting(ctx, b.ID, time.Now())
	if err != nil || next == nil {
		t.Fatalf("next meeting: %v", err)
	}
	after, err := st.NextMeeting(ctx, b.ID, next.StartsAt)
	if err != nil || after == nil {
		t.Fatalf("meeting after: %v", err)
	}
	people := map[string]int64{}
	all, _ := st.People(ctx)
	for _, p := range all {
		people[p.Name] = p.ID
	}
	return partnership{board: b, next: next, after: after, people: people}
}

func (c *client) multipart(path, token string, fields map[string]string, filename string, file []byte) response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write(file)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req)
}

func testPDF(t *testing.T, text string, pages int) []byte {
	t.Helper()
	b := demoPaper(text, "A test paper", pages)
	if len(b) == 0 {
		t.Fatal("no PDF")
	}
	return b
}

func wantCode(t *testing.T, what string, res response, status int) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: HTTP %d, want %d\n%.2000s", what, res.StatusCode, status, res.body)
	}
}

func (s *testServer) meeting(t *testing.T, id int64) *meetings.Meeting {
	t.Helper()
	m, err := s.app.meetings.Meeting(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func itemTitled(t *testing.T, m *meetings.Meeting, title string) meetings.AgendaItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Title == title {
			return it
		}
	}
	t.Fatalf("no item %q on the agenda of %s", title, m.Title())
	return meetings.AgendaItem{}
}

func TestClerkBuildsAgenda(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	c := s.signedIn(t, "clerk@northvale.example")
	page := fmt.Sprintf("/meetings/%d", d.next.ID)

	res := c.get(page)
	wantCode(t, "meeting page", res, 200)
	for _, want := range []string{"Offered for this agenda", "Serious Violence Duty: strategic needs assessment refresh", "Community Safety Partnership Plan 2026–2029: consultation",
		"CSP Plan 2026–2029: consultation draft", "Violence Reduction Action Plan: verbal update", "Publish agenda", "Move this meeting"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("clerk's meeting page lacks %q", want)
		}
	}
	m := s.meeting(t, d.next.ID)
	plan, _ := s.app.meetings.ForwardPlan(context.Background(), d.board.ID)
	var offered int64
	for _, f := range plan {
		if strings.HasPrefix(f.Title, "Serious Violence Duty") {
			offered = f.ID
		}
	}
	res = c.post(page+"/offers", url.Values{"kind": {"forward"}, "offer_id": {fmt.Sprint(offered)}, "version": {fmt.Sprint(m.AgendaVersion)}})
	wantCode(t, "add offered item", res, 303)
	m = s.meeting(t, d.next.ID)
	svd := itemTitled(t, m, "Serious Violence Duty: strategic needs assessment refresh")
	if svd.Number != "8" || svd.Presenter != "Northvale Police" {
		t.Errorf("added item = %s %q", svd.Number, svd.Presenter)
	}

	// Up one place with the page's version; the same stale form again is a conflict.
	stale := fmt.Sprint(m.AgendaVersion)
	wantCode(t, "move up", c.post(fmt.Sprintf("/items/%d/move", svd.ID), url.Values{"direction": {"up"}, "version": {stale}}), 303)
	if it := itemTitled(t, s.meeting(t, d.next.ID), svd.Title); it.Number != "7" {
		t.Errorf("after moving up the item is %s", it.Number)
	}
	res = c.post(fmt.Sprintf("/items/%d/move", svd.ID), url.Values{"direction": {"up"}, "version": {stale}})
	wantCode(t, "stale move", res, 409)
	if !strings.Contains(res.body, "Someone else changed this agenda") {
		t.Errorf("stale move page does not say why")
	}
	if it := itemTitled(t, s.meeting(t, d.next.ID), svd.Title); it.Number != "7" {
		t.Errorf("a stale move moved the item to %s", it.Number)
	}
	wantCode(t, "bad direction", c.post(fmt.Sprintf("/items/%d/move", svd.ID), url.Values{"direction": {"sideways"}}), 422)

	// Edit page; bad input is re-shown, good input saved.
	wantCode(t, "item page", c.get(fmt.Sprintf("/items/%d/edit", svd.ID)), 200)
	res = c.post(fmt.Sprintf("/items/%d", svd.ID), url.Values{"title": {"SVD needs assessment"}, "duration_minutes": {"twenty"}})
	wantCode(t, "bad timing", res, 422)
	if !strings.Contains(res.body, "whole minutes") {
		t.Error("bad timing not explained")
	}
	res = c.post(fmt.Sprintf("/items/%d", svd.ID), url.Values{"title": {"SVD needs assessment"}, "purpose": {"for decision"},
		"presenter": {"Supt Daniel Reyes"}, "duration_minutes": {"20"}, "exempt": {"1"}})
	wantCode(t, "exempt without reason", res, 422)
	res = c.post(fmt.Sprintf("/items/%d", svd.ID), url.Values{"title": {"SVD needs assessment"}, "purpose": {"for decision"},
		"presenter": {"Supt Daniel Reyes"}, "duration_minutes": {"20"}, "exempt": {"1"}, "exempt_reason": {"Schedule 12A paragraph 7"}})
	wantCode(t, "edit item", res, 303)

	// Sub-items 7a and 7b.
	for _, title := range []string{"Youth violence", "Knife crime"} {
		wantCode(t, "sub-item", c.post(fmt.Sprintf("/items/%d/sub-items", svd.ID), url.Values{"title": {title}, "purpose": {"for noting"}}), 303)
	}
	wantCode(t, "empty sub-item", c.post(fmt.Sprintf("/items/%d/sub-items", svd.ID), url.Values{"title": {""}}), 422)
	m = s.meeting(t, d.next.ID)
	if a, b := itemTitled(t, m, "Youth violence"), itemTitled(t, m, "Knife crime"); a.Number != "7a" || b.Number != "7b" {
		t.Errorf("sub-items numbered %s, %s", a.Number, b.Number)
	}

	// Postpone the knife crime sub-item to the meeting after; it appears there.
	kc := itemTitled(t, m, "Knife crime")
	wantCode(t, "postpone to nowhere", c.post(fmt.Sprintf("/items/%d/postpone", kc.ID), url.Values{"to_meeting": {"999999"}}), 422)
	wantCode(t, "postpone", c.post(fmt.Sprintf("/items/%d/postpone", kc.ID), url.Values{"to_meeting": {fmt.Sprint(d.after.ID)}}), 303)
	res = c.get(fmt.Sprintf("/meetings/%d", d.after.ID))
	if !strings.Contains(res.body, "Knife crime") || !strings.Contains(res.body, "Postponed from") {
		t.Errorf("the later meeting does not show the postponed item")
	}

	// Remove the other sub-item; standard items stay.
	yv := itemTitled(t, m, "Youth violence")
	wantCode(t, "remove", c.post(fmt.Sprintf("/items/%d/remove", yv.ID), url.Values{}), 303)
	wantCode(t, "remove standard", c.post(fmt.Sprintf("/items/%d/remove", m.Items[0].ID), url.Values{}), 422)

	// Publish; a second publish is a conflict.
	wantCode(t, "publish", c.post(page+"/publish", url.Values{}), 303)
	wantCode(t, "publish again", c.post(page+"/publish", url.Values{}), 409)

	// The API shows items with papers.
	u, _ := s.app.users.UserByEmail(context.Background(), "clerk@northvale.example")
	token, _ := s.app.users.CreateToken(context.Background(), u.ID)
	res = c.json("GET", fmt.Sprintf("/api/v1/meetings/%d", d.next.ID), token, "")
	wantCode(t, "API meeting", res, 200)
	var got struct {
		Items []struct {
			Number string `json:"number"`
			Title  string `json:"title"`
			Papers []struct {
				ID    int64 `json:"id"`
				Pages int   `json:"pages"`
			} `json:"papers"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	papers := 0
	for _, it := range got.Items {
		if it.Papers == nil {
			t.Errorf("item %s has papers null, want a list", it.Number)
		}
		papers += len(it.Papers)
	}
	if papers != 1 {
		t.Errorf("API meeting has %d papers, want the demo's 1", papers)
	}
}

func TestPapersOverHTTP(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	c := s.signedIn(t, "clerk@northvale.example")
	m := s.meeting(t, d.next.ID)
	item := itemTitled(t, m, "Violence Reduction Action Plan: verbal update")
	up := fmt.Sprintf("/items/%d/papers", item.ID)
	before := countRows(t, s, "papers")

	report := testPDF(t, "VRAP progress", 3)
	res := c.multipart(up, "", map[string]string{"paper_title": "VRAP progress report"}, "vrap.pdf", report)
	wantCode(t, "upload", res, 303)
	bad := []struct {
		name   string
		file   []byte
		status int
		say    string
	}{
		{"same file again", report, 422, "already a paper of this meeting"},
		{"not a PDF", []byte("GIF89a not a pdf"), 422, "must be a PDF"},
		{"broken PDF", report[:len(report)/2], 422, "damaged PDF"},
		{"no file", nil, 422, "Select a PDF"},
		{"too large", append([]byte("%PDF-1.7\n"), make([]byte, 21<<20)...), 413, "smaller than 20 MB"},
	}
	for _, b := range bad {
		name := "x.pdf"
		if b.file == nil {
			name = ""
		}
		res := c.multipart(up, "", nil, name, b.file)
		if res.StatusCode != b.status || !strings.Contains(res.body, b.say) {
			t.Errorf("%s: HTTP %d, want %d saying %q", b.name, res.StatusCode, b.status, b.say)
		}
	}
	if n := countRows(t, s, "papers"); n != before+1 {
		t.Errorf("papers: %d, want %d", n, before+1)
	}

	m = s.meeting(t, d.next.ID)
	p := itemTitled(t, m, item.Title).Papers[0]
	res = c.get(fmt.Sprintf("/papers/%d", p.ID))
	wantCode(t, "download", res, 200)
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(res.Header.Get("Content-Disposition"), `filename=vrap.pdf`) ||
		!bytes.Equal([]byte(res.body), report) {
		t.Errorf("download: %s, %s, %d bytes", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), len(res.body))
	}

	// A new version over the API, with a token.
	u, _ := s.app.users.UserByEmail(context.Background(), "clerk@northvale.example")
	token, _ := s.app.users.CreateToken(context.Background(), u.ID)
	res = c.multipart(fmt.Sprintf("/api/v1/items/%d/papers", item.ID), token, map[string]string{"replaces": fmt.Sprint(p.ID)}, "vrap-v2.pdf", testPDF(t, "VRAP progress v2", 4))
	wantCode(t, "API upload", res, 201)
	var v2 meetings.Paper
	json.Unmarshal([]byte(res.body), &v2)
	if v2.Version != 2 || v2.Pages != 4 || v2.SeriesID != p.ID {
		t.Errorf("API paper = %+v", v2)
	}
	res = c.multipart(fmt.Sprintf("/api/v1/items/%d/papers", item.ID), token, nil, "bad.pdf", []byte("nope"))
	if res.StatusCode != 422 || !strings.Contains(res.body, `"field":"file"`) {
		t.Errorf("API bad upload: %d %s", res.StatusCode, res.body)
	}
	res = c.get(fmt.Sprintf("/meetings/%d", d.next.ID))
	if !strings.Contains(res.body, "Updated") || !strings.Contains(res.body, "Earlier version") {
		t.Error("the meeting page does not mark the new version")
	}

	// An exempt item's papers are for members only, on a public board too.
	wantCode(t, "make exempt", c.post(fmt.Sprintf("/items/%d", item.ID), url.Values{"title": {item.Title}, "exempt": {"1"},
		"exempt_reason": {"Schedule 12A paragraph 3"}}), 303)
	anon := s.client()
	anon.t = t
	res = anon.get(fmt.Sprintf("/meetings/%d", d.next.ID))
	wantCode(t, "public meeting page", res, 200)
	if strings.Contains(res.body, "VRAP progress") || !strings.Contains(res.body, "Schedule 12A paragraph 3") {
		t.Error("the public sees an exempt item's papers, or not its reason")
	}
	wantCode(t, "exempt paper to the public", anon.get(fmt.Sprintf("/papers/%d", p.ID)), 404)
	wantCode(t, "exempt paper to a member", s.signedIn(t, "priya.natarajan@northvale.example").get(fmt.Sprintf("/papers/%d", p.ID)), 200)
}

func TestPartnerSendsApologies(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	c := s.signedIn(t, "priya.natarajan@northvale.example")
	page := fmt.Sprintf("/meetings/%d", d.next.ID)
	res := c.get(page)
	wantCode(t, "meeting page", res, 200)
	if !strings.Contains(res.body, "Send apologies") || !strings.Contains(res.body, "Gareth Lloyd") {
		t.Fatal("partner's page offers no apologies or no substitute from the council")
	}
	if strings.Contains(res.body, "Move this meeting") || strings.Contains(res.body, "Offered for this agenda") {
		t.Error("a partner sees the clerk's forms")
	}
	// A substitute from another organisation is refused; nothing is recorded.
	res = c.post(page+"/apologies", url.Values{"action": {"substitute"}, "substitute_id": {fmt.Sprint(d.people["Supt Daniel Reyes"])}})
	wantCode(t, "wrong organisation", res, 422)
	if a, _ := s.app.meetings.AttendanceOf(context.Background(), d.next.ID, d.people["Priya Natarajan"]); a != nil {
		t.Errorf("a refused substitute left %+v", a)
	}
	wantCode(t, "no substitute chosen", c.post(page+"/apologies", url.Values{"action": {"substitute"}}), 422)
	res = c.post(page+"/apologies", url.Values{"action": {"substitute"}, "substitute_id": {fmt.Sprint(d.people["Gareth Lloyd"])}})
	wantCode(t, "apologies with substitute", res, 303)
	res = c.get(page)
	if !strings.Contains(res.body, "You have sent apologies, naming Gareth Lloyd as your substitute") {
		t.Error("the page does not confirm the apologies")
	}
	// From My meetings: withdraw, then plain apologies, back to the list.
	res = c.post(page+"/apologies", url.Values{"action": {"withdraw"}, "back": {"/my/meetings"}})
	wantCode(t, "withdraw", res, 303)
	if res.Header.Get("Location") != "/my/meetings" {
		t.Errorf("back to %s", res.Header.Get("Location"))
	}
	wantCode(t, "apologies", c.post(page+"/apologies", url.Values{"back": {"/my/meetings"}}), 303)
	res = c.get("/my/meetings")
	wantCode(t, "my meetings", res, 200)
	if !strings.Contains(res.body, "Apologies sent") || !strings.Contains(res.body, "I can attend after all") {
		t.Error("My meetings does not show the apologies")
	}
	a, _ := s.app.meetings.AttendanceOf(context.Background(), d.next.ID, d.people["Priya Natarajan"])
	if a == nil || a.Status != meetings.Apologies || a.SubstituteID != 0 || !a.SentBySelf {
		t.Errorf("attendance = %+v", a)
	}
	// A past meeting takes no apologies from the partner.
	past, _ := s.app.meetings.Meetings(context.Background(), d.board.ID, false, 1)
	wantCode(t, "past meeting", c.post(fmt.Sprintf("/meetings/%d/apologies", past[0].ID), url.Values{}), 409)

	// The partner declares an interest in an item.
	m := s.meeting(t, d.next.ID)
	item := itemTitled(t, m, "Crime performance dashboard")
	wantCode(t, "empty declaration", c.post(page+"/declarations", url.Values{"item_id": {fmt.Sprint(item.ID)}}), 422)
	wantCode(t, "declaration", c.post(page+"/declarations", url.Values{"item_id": {fmt.Sprint(item.ID)}, "kind": {"non-pecuniary"},
		"nature": {"My partner works in the police analysis team"}}), 303)
	res = c.get(page)
	if !strings.Contains(res.body, "My partner works in the police analysis team") || !strings.Contains(res.body, "declared by the member") {
		t.Error("the declaration is not on the meeting page")
	}
	// A partner cannot declare for someone else.
	c.post(page+"/declarations", url.Values{"item_id": {fmt.Sprint(item.ID)}, "person_id": {fmt.Sprint(d.people["Kwame Mensah"])}, "nature": {"Other"}})
	ds, _ := s.app.meetings.Declarations(context.Background(), d.next.ID)
	for _, dd := range ds {
		if dd.PersonID == d.people["Kwame Mensah"] {
			t.Error("a partner declared for someone else")
		}
	}
	res = c.get(fmt.Sprintf("/boards/%d/interests", d.board.ID))
	wantCode(t, "register", res, 200)
	if !strings.Contains(res.body, "domestic abuse helpline") || !strings.Contains(res.body, "Trustee of Eastbrook Youth Club") {
		t.Error("the board's register lacks the demo's interests")
	}
}

func TestClerkRecordsAttendanceAndQuorum(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	c := s.signedIn(t, "clerk@northvale.example")
	page := fmt.Sprintf("/meetings/%d", d.next.ID)
	res := c.get(page)
	if !strings.Contains(res.body, "Not quorate") || !strings.Contains(res.body, "of 5 needed") {
		t.Errorf("no quorum check on the clerk's page")
	}
	record := func(name, status, subFor string) response {
		v := url.Values{"person_id": {fmt.Sprint(d.people[name])}, "status": {status}}
		if subFor != "" {
			v.Set("substitute_for", fmt.Sprint(d.people[subFor]))
		}
		return c.post(page+"/attendance", v)
	}
	wantCode(t, "substitute from another organisation", record("Gareth Lloyd", "present", "Supt Daniel Reyes"), 422)
	wantCode(t, "guest as present", record("Zoë Castell", "present", ""), 303) // an adviser is a member
	wantCode(t, "no person", c.post(page+"/attendance", url.Values{"status": {"present"}}), 422)
	wantCode(t, "bad status", record("Linda Shaw", "asleep", ""), 422)
	for _, n := range []string{"Cllr Margaret Okafor", "Helen Ashworth", "Priya Natarajan", "Kwame Mensah"} {
		wantCode(t, n, record(n, "present", ""), 303)
	}
	wantCode(t, "substitute", record("Insp Sarah Whitfield", "present", "Supt Daniel Reyes"), 303)
	res = c.get(page)
	if !strings.Contains(res.body, "Quorate") || !strings.Contains(res.body, "5 voting members present of 5 needed") {
		t.Errorf("quorum after five: %s", between(res.body, `id="quorum"`, "</div>"))
	}
	wantCode(t, "remove", c.post(page+"/attendance/remove", url.Values{"person_id": {fmt.Sprint(d.people["Kwame Mensah"])}}), 303)
	wantCode(t, "remove again", c.post(page+"/attendance/remove", url.Values{"person_id": {fmt.Sprint(d.people["Kwame Mensah"])}}), 422)

	// A guest the list does not offer is typed by email; a name nobody has is refused at the
	// field, with nothing recorded.
	guest := &meetings.Person{Name: "Rhian Cole", Email: "rhian.cole@northvale.example", JobTitle: "Crime Analyst"}
	if err := s.app.meetings.CreatePerson(context.Background(), guest); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.get(page).body, "Rhian Cole") {
		t.Errorf("a person never at the board's meetings is offered in the attendance list")
	}
	res = c.post(page+"/attendance", url.Values{"person": {"Nobody Known"}, "status": {"also_present"}})
	wantCode(t, "unknown name", res, 422)
	if !strings.Contains(res.body, "Nobody called") || !strings.Contains(res.body, `id="person-error"`) {
		t.Errorf("unknown name: no message at the field")
	}
	wantCode(t, "guest by email", c.post(page+"/attendance", url.Values{"person": {"RHIAN.COLE@northvale.example"}, "status": {"also_present"}}), 303)
	if body := between(c.get(page).body, `id="attendance"`, "Record attendance"); !strings.Contains(body, "Rhian Cole") {
		t.Errorf("guest not recorded: %s", body)
	}
	// Recorded once, they are offered for the board's next meeting.
	if later := fmt.Sprintf("/meetings/%d", d.after.ID); !strings.Contains(between(c.get(later).body, `id="person_id"`, "</select>"), "Rhian Cole") {
		t.Errorf("an earlier attendee is not offered at the next meeting")
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	before, _, _ := strings.Cut(after, to)
	return before
}

func TestClerkSchedulesMovesAndCancels(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	c := s.signedIn(t, "clerk@northvale.example")
	board := fmt.Sprintf("/boards/%d", d.board.ID)
	before := countRows(t, s, "meetings")
	first := time.Now().AddDate(2, 0, 0).In(meetings.London)
	res := c.post(board+"/series", url.Values{"first_date": {first.Format("2006-01-02")}, "every": {"3"}, "series_time": {"14:00"}, "series_mode": {"virtual"}})
	wantCode(t, "series", res, 303)
	added := countRows(t, s, "meetings") - before
	if added < 1 || added > 4 {
		t.Errorf("series added %d meetings", added)
	}
	for _, bad := range []url.Values{
		{"first_date": {"next week"}},
		{"first_date": {first.Format("2006-01-02")}},                                  // every day already taken
		{"dates": {first.AddDate(0, 0, 1).Format("2006-01-02") + "\n31 June"}},        // a date that isn't
		{"first_date": {first.AddDate(0, 0, 2).Format("2006-01-02")}, "every": {"0"}}, // how often
		{"first_date": {first.AddDate(0, 0, 2).Format("2006-01-02")}, "series_time": {"25:00"}},
	} {
		res := c.post(board+"/series", bad)
		if res.StatusCode != 422 {
			t.Errorf("series %v: HTTP %d, want 422", bad, res.StatusCode)
		}
	}
	if n := countRows(t, s, "meetings") - before; n != added {
		t.Errorf("refused series changed the meetings: %d, want %d", n, added)
	}
	res = c.post(board+"/series", url.Values{"dates": {first.AddDate(0, 0, 1).Format("2006-01-02") + "\n" + first.AddDate(0, 0, 8).Format("2006-01-02")}})
	wantCode(t, "series by dates", res, 303)

	page := fmt.Sprintf("/meetings/%d", d.next.ID)
	wantCode(t, "move to nonsense", c.post(page+"/move", url.Values{"date": {"soon"}}), 422)
	wantCode(t, "end before start", c.post(page+"/move", url.Values{"date": {first.AddDate(0, 0, 20).Format("2006-01-02")}, "time": {"14:00"}, "end_time": {"13:00"}}), 422)
	newDay := d.next.StartsAt.AddDate(0, 0, 7).In(meetings.London)
	res = c.post(page+"/move", url.Values{"date": {newDay.Format("2006-01-02")}, "time": {"14:00"}, "end_time": {"16:00"}, "mode": {"virtual"},
		"place": {"Microsoft Teams"}, "notice": {"Moved to avoid the budget council."}})
	wantCode(t, "move", res, 303)
	partner := s.signedIn(t, "priya.natarajan@northvale.example")
	res = partner.get(page)
	if !strings.Contains(res.body, "This meeting has moved") || !strings.Contains(res.body, "Moved to avoid the budget council.") {
		t.Error("partners do not see the move notice")
	}
	wantCode(t, "cancel without notice", c.post(page+"/cancel", url.Values{}), 422)
	wantCode(t, "cancel", c.post(page+"/cancel", url.Values{"cancel_notice": {"No business this quarter."}}), 303)
	res = partner.get(page)
	if !strings.Contains(res.body, "This meeting is cancelled") || !strings.Contains(res.body, "No business this quarter.") {
		t.Error("partners do not see the cancellation notice")
	}
	if strings.Contains(res.body, "Send apologies") {
		t.Error("apologies offered for a cancelled meeting")
	}
	wantCode(t, "cancel again", c.post(page+"/cancel", url.Values{"cancel_notice": {"x"}}), 409)
	wantCode(t, "partner cannot cancel", partner.post(fmt.Sprintf("/meetings/%d/cancel", d.after.ID), url.Values{"cancel_notice": {"x"}}), 403)
}

func TestForwardPlanPages(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	c := s.signedIn(t, "clerk@northvale.example")
	fp := fmt.Sprintf("/boards/%d/forward-plan", d.board.ID)
	res := c.get(fp)
	wantCode(t, "forward plan", res, 200)
	for _, want := range []string{"Items by meeting", "Domestic abuse strategy: annual report", "Night-time economy", "No meeting yet", "On the agenda"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("forward plan lacks %q", want)
		}
	}
	wantCode(t, "add empty", c.post(fp, url.Values{"title": {""}}), 422)
	wantCode(t, "add to another board's meeting", c.post(fp, url.Values{"title": {"x"}, "target_meeting_id": {"999999"}}), 422)
	wantCode(t, "add", c.post(fp, url.Values{"title": {"Prevent duty update"}, "owner": {"Northvale Police"}, "purpose": {"for noting"},
		"target_meeting_id": {fmt.Sprint(d.after.ID)}}), 303)
	res = c.get(fmt.Sprintf("/meetings/%d", d.after.ID))
	if !strings.Contains(res.body, "Prevent duty update") {
		t.Error("the new forward-plan item is not offered at its meeting")
	}
	plan, _ := s.app.meetings.ForwardPlan(context.Background(), d.board.ID)
	id := plan[len(plan)-1].ID
	wantCode(t, "withdraw", c.post(fmt.Sprintf("/forward-plan/%d", id), url.Values{"title": {"Prevent duty update"}, "status": {"withdrawn"},
		"target_meeting_id": {fmt.Sprint(d.after.ID)}}), 303)
	wantCode(t, "bad status", c.post(fmt.Sprintf("/forward-plan/%d", id), url.Values{"title": {"Prevent duty update"}, "status": {"lost"}}), 422)
	anon := s.client()
	anon.t = t
	wantCode(t, "public forward plan", anon.get(fp), 200)

	// The person page holds their register.
	p := fmt.Sprintf("/people/%d", d.people["Joseph Adeyemi"])
	res = c.get(p)
	if !strings.Contains(res.body, "Register of interests") || !strings.Contains(res.body, "domestic abuse helpline") {
		t.Error("the person page lacks the register")
	}
	wantCode(t, "empty interest", c.post(p+"/interests", url.Values{"nature": {" "}}), 422)
	wantCode(t, "interest", c.post(p+"/interests", url.Values{"kind": {"other"}, "nature": {"Volunteer, food bank"}, "interest_starts_on": {"2025-01-01"}}), 303)
	wantCode(t, "end bad date", c.post(p+"/interests/end", url.Values{"interest_id": {"1"}, "ends_on": {"yesterday"}}), 422)
}
