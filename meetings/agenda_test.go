package meetings

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"quorum/internal/errs"
)

// fixture is a board with members from two organisations and three meetings: one past,
// two to come.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	s       *Store
	board   *Board
	other   *Board
	police  *Organisation
	council *Organisation
	people  map[string]int64
	past    *Meeting
	next    *Meeting
	later   *Meeting
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), s: NewStore(newTestDB(t)), people: map[string]int64{}}
	f.police = &Organisation{Name: "Police", Handle: "police", Kind: "police"}
	f.council = &Organisation{Name: "Council", Handle: "council", Kind: "council"}
	f.must(f.s.CreateOrganisation(f.ctx, f.police))
	f.must(f.s.CreateOrganisation(f.ctx, f.council))
	f.board = &Board{Name: "Safer Partnership", ShortName: "SP", QuorumCount: 3}
	f.must(f.s.CreateBoard(f.ctx, f.board))
	f.other = &Board{Name: "Other Board", ShortName: "OB"}
	f.must(f.s.CreateBoard(f.ctx, f.other))
	for _, p := range []struct{ key, name, role string }{
		{"chair", "Cllr Ann Chair", "chair"}, {"cllr", "Cllr Bob Member", "member"}, {"officer", "Carol Officer", ""},
		{"supt", "Supt Dan Police", "member"}, {"insp", "Insp Eve Police", ""}, {"adviser", "Fay Adviser", "adviser"},
	} {
		org := f.council.ID
		if strings.Contains(p.name, "Police") {
			org = f.police.ID
		}
		person := &Person{Name: p.name, OrganisationID: org}
		f.must(f.s.CreatePerson(f.ctx, person))
		f.people[p.key] = person.ID
		if p.role != "" {
			f.must(f.s.AddMember(f.ctx, &Membership{BoardID: f.board.ID, PersonID: person.ID, Role: p.role, StartsOn: "2020-01-01"}))
		}
	}
	_, err := f.s.AddStandingItem(f.ctx, f.board.ID, "Action plan: verbal update", "verbal update", "Ann Chair")
	f.must(err)
	at := func(days int) *Meeting {
		m := &Meeting{BoardID: f.board.ID, StartsAt: time.Now().AddDate(0, 0, days).Truncate(time.Minute)}
		f.must(f.s.ScheduleMeeting(f.ctx, m))
		return m
	}
	f.past, f.next, f.later = at(-30), at(30), at(120)
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// wantErr fails unless err has the code (and, when field is set, the field).
func (f *fixture) wantErr(err error, code, field string) {
	f.t.Helper()
	if err == nil {
		f.t.Fatalf("want %s error, got none", code)
	}
	if errs.Code(err) != code || (field != "" && errs.FieldOf(err) != field) {
		f.t.Fatalf("want %s on %q, got %s on %q: %v", code, field, errs.Code(err), errs.FieldOf(err), err)
	}
}

func (f *fixture) agenda(m *Meeting) string {
	f.t.Helper()
	items, err := f.s.Items(f.ctx, m.ID)
	f.must(err)
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(" | ")
		}
		fmt.Fprintf(&b, "%s %s", it.Number, it.Title)
		if it.Position != i+1 {
			f.t.Errorf("item %s at position %d, want %d", it.Number, it.Position, i+1)
		}
	}
	return b.String()
}

func (f *fixture) item(m *Meeting, title string) *AgendaItem {
	f.t.Helper()
	items, err := f.s.Items(f.ctx, m.ID)
	f.must(err)
	for _, it := range items {
		if it.Title == title {
			return &it
		}
	}
	f.t.Fatalf("no item %q on %s", title, f.agenda(m))
	return nil
}

func (f *fixture) version(m *Meeting) int {
	got, err := f.s.Meeting(f.ctx, m.ID)
	f.must(err)
	return got.AgendaVersion
}

func TestSeriesDates(t *testing.T) {
	b := &Board{YearStartMonth: 5}
	first := time.Date(2026, 5, 31, 10, 0, 0, 0, London)
	_, end := b.MunicipalYear(first)
	got := SeriesDates(first, 3, end)
	var days []string
	for _, d := range got {
		days = append(days, d.Format("2006-01-02 15:04"))
	}
	want := "2026-05-31 10:00,2026-08-31 10:00,2026-11-30 10:00,2027-02-28 10:00"
	if strings.Join(days, ",") != want {
		t.Errorf("series = %v, want %s", days, want)
	}
	if s, e := b.MunicipalYear(time.Date(2027, 3, 1, 0, 0, 0, 0, London)); s.Format("2006-01-02") != "2026-05-01" || e.Format("2006-01-02") != "2027-05-01" {
		t.Errorf("municipal year of March 2027 = %s to %s", s, e)
	}
}

func TestScheduleSeries(t *testing.T) {
	f := newFixture(t)
	first := time.Date(2031, 6, 12, 10, 0, 0, 0, London)
	ms, err := f.s.ScheduleSeries(f.ctx, f.board.ID, SeriesDates(first, 3, first.AddDate(1, 0, 0)), 2*time.Hour, ModeVirtual, "Teams")
	f.must(err)
	if len(ms) != 4 {
		t.Fatalf("got %d meetings, want 4", len(ms))
	}
	for _, m := range ms {
		if got := f.agenda(&m); !strings.Contains(got, "5 Action plan: verbal update") || !strings.HasPrefix(got, "1 Welcome") {
			t.Errorf("series meeting agenda = %s", got)
		}
	}
	// A second series clashing with one day is refused whole.
	before, _ := f.s.AllMeetings(f.ctx, f.board.ID)
	_, err = f.s.ScheduleSeries(f.ctx, f.board.ID, []time.Time{first.AddDate(0, 1, 0), first.Add(4 * time.Hour)}, time.Hour, ModeVirtual, "")
	f.wantErr(err, errs.Invalid, "dates")
	after, _ := f.s.AllMeetings(f.ctx, f.board.ID)
	if len(after) != len(before) {
		t.Errorf("a refused series left %d meetings, want %d", len(after), len(before))
	}
	_, err = f.s.ScheduleSeries(f.ctx, f.board.ID, nil, time.Hour, ModeVirtual, "")
	f.wantErr(err, errs.Invalid, "dates")
}

func TestMoveAndCancel(t *testing.T) {
	f := newFixture(t)
	was := f.next.StartsAt
	to := was.AddDate(0, 0, 7)
	f.must(f.s.MoveMeeting(f.ctx, f.next.ID, to, time.Time{}, ModeVirtual, "Teams", "Moved for the budget meeting."))
	m, err := f.s.Meeting(f.ctx, f.next.ID)
	f.must(err)
	if !m.StartsAt.Equal(to) || !m.MovedFrom.Equal(was) || m.Notice != "Moved for the budget meeting." || m.Mode != ModeVirtual {
		t.Errorf("moved meeting = %+v", m)
	}
	if m.EndsAt.Sub(m.StartsAt) != 2*time.Hour {
		t.Errorf("moved meeting lasts %s, want its 2h", m.EndsAt.Sub(m.StartsAt))
	}
	// Moving again keeps the first date it was due.
	f.must(f.s.MoveMeeting(f.ctx, f.next.ID, to.AddDate(0, 0, 1), time.Time{}, ModeVirtual, "Teams", ""))
	m, _ = f.s.Meeting(f.ctx, f.next.ID)
	if !m.MovedFrom.Equal(was) {
		t.Errorf("moved_from = %s, want %s", m.MovedFrom, was)
	}
	f.wantErr(f.s.MoveMeeting(f.ctx, f.next.ID, m.StartsAt, m.StartsAt.Add(-time.Hour), ModeVirtual, "", ""), errs.Invalid, "ends_at")
	f.wantErr(f.s.MoveMeeting(f.ctx, f.next.ID, f.later.StartsAt.Add(time.Hour), time.Time{}, ModeVirtual, "", ""), errs.Invalid, "date")

	f.wantErr(f.s.CancelMeeting(f.ctx, f.next.ID, "  "), errs.Invalid, "notice")
	f.must(f.s.CancelMeeting(f.ctx, f.next.ID, "Cancelled: no business. The board next meets in the autumn."))
	m, _ = f.s.Meeting(f.ctx, f.next.ID)
	if m.Status != StatusCancelled || !strings.Contains(m.Notice, "no business") {
		t.Errorf("cancelled meeting = %s %q", m.Status, m.Notice)
	}
	f.wantErr(f.s.CancelMeeting(f.ctx, f.next.ID, "again"), errs.Conflict, "")
	f.wantErr(f.s.MoveMeeting(f.ctx, f.next.ID, to, time.Time{}, ModeVirtual, "", ""), errs.Conflict, "")
	if next, _ := f.s.NextMeeting(f.ctx, f.board.ID, time.Now()); next == nil || next.ID != f.later.ID {
		t.Errorf("next meeting after a cancellation = %v, want the later one", next)
	}
	f.wantErr(f.s.AddItem(f.ctx, &AgendaItem{MeetingID: f.next.ID, Title: "Late"}), errs.Conflict, "")
}

func TestReorderAndRenumber(t *testing.T) {
	f := newFixture(t)
	for _, title := range []string{"Budget", "Strategy"} {
		f.must(f.s.AddItem(f.ctx, &AgendaItem{MeetingID: f.next.ID, Title: title}))
	}
	const start = "1 Welcome and introductions | 2 Apologies and substitutes | 3 Declarations of interest | 4 Minutes of the last meeting and matters arising | 5 Action plan: verbal update | 6 Budget | 7 Strategy | 8 Any other business | 9 Date of next meeting"
	if got := f.agenda(f.next); got != start {
		t.Fatalf("agenda = %s", got)
	}
	strategy := f.item(f.next, "Strategy")
	for _, sub := range []string{"Youth", "Adults"} {
		f.must(f.s.AddSubItem(f.ctx, strategy.ID, &AgendaItem{Title: sub}, 0))
	}
	if got := f.agenda(f.next); !strings.Contains(got, "7 Strategy | 7a Youth | 7b Adults | 8 Any other business") {
		t.Fatalf("sub-items: %s", got)
	}
	// A sub-item cannot have sub-items.
	f.wantErr(f.s.AddSubItem(f.ctx, f.item(f.next, "Youth").ID, &AgendaItem{Title: "Deeper"}, 0), errs.Invalid, "")

	// Strategy moves up past Budget, with its sub-items.
	v := f.version(f.next)
	f.must(f.s.MoveItem(f.ctx, strategy.ID, -1, v))
	if got := f.agenda(f.next); !strings.Contains(got, "5 Action plan: verbal update | 6 Strategy | 6a Youth | 6b Adults | 7 Budget | 8 Any other business") {
		t.Fatalf("after moving Strategy up: %s", got)
	}
	// The same page, submitted again, is a conflict and changes nothing.
	before := f.agenda(f.next)
	f.wantErr(f.s.MoveItem(f.ctx, strategy.ID, -1, v), errs.Conflict, "")
	if got := f.agenda(f.next); got != before {
		t.Errorf("a stale move changed the agenda: %s", got)
	}
	// Sub-items move among themselves only.
	f.must(f.s.MoveItem(f.ctx, f.item(f.next, "Adults").ID, -1, 0))
	if got := f.agenda(f.next); !strings.Contains(got, "6 Strategy | 6a Adults | 6b Youth | 7 Budget") {
		t.Fatalf("after moving Adults up: %s", got)
	}
	f.wantErr(f.s.MoveItem(f.ctx, f.item(f.next, "Adults").ID, -1, 0), errs.Conflict, "")
	f.wantErr(f.s.MoveItem(f.ctx, f.item(f.next, "Youth").ID, 1, 0), errs.Conflict, "")
	f.wantErr(f.s.MoveItem(f.ctx, f.item(f.next, "Welcome and introductions").ID, -1, 0), errs.Conflict, "")
	f.wantErr(f.s.MoveItem(f.ctx, f.item(f.next, "Date of next meeting").ID, 1, 0), errs.Conflict, "")
	f.wantErr(f.s.MoveItem(f.ctx, strategy.ID, 0, 0), errs.Invalid, "direction")

	// Budget moves up past Strategy and its sub-items.
	f.must(f.s.MoveItem(f.ctx, f.item(f.next, "Budget").ID, -1, 0))
	if got := f.agenda(f.next); !strings.Contains(got, "6 Budget | 7 Strategy | 7a Adults | 7b Youth | 8 Any other business") {
		t.Fatalf("after moving Budget up: %s", got)
	}

	// Edit: title, purpose, presenter, timing, exemption; a standard item keeps its title.
	budget := f.item(f.next, "Budget")
	budget.Title, budget.Purpose, budget.Presenter, budget.Duration, budget.Exempt, budget.ExemptReason =
		"Budget 2027", "for decision", "Treasurer", 20, true, "Schedule 12A paragraph 3"
	f.must(f.s.UpdateItem(f.ctx, budget, 0))
	got, _ := f.s.Item(f.ctx, budget.ID)
	if got.Title != "Budget 2027" || got.Duration != 20 || !got.Exempt || got.ExemptReason == "" || got.Presenter != "Treasurer" {
		t.Errorf("edited item = %+v", got)
	}
	bad := *got
	bad.ExemptReason = ""
	f.wantErr(f.s.UpdateItem(f.ctx, &bad, 0), errs.Invalid, "exempt_reason")
	welcome := f.item(f.next, "Welcome and introductions")
	welcome.Title = "Hello"
	f.must(f.s.UpdateItem(f.ctx, welcome, 0))
	if f.item(f.next, "Welcome and introductions").Title != "Welcome and introductions" {
		t.Error("a standard item's title changed")
	}

	// Remove: substantive only, sub-items first, and the agenda renumbers.
	f.wantErr(f.s.RemoveItem(f.ctx, welcome.ID, 0), errs.Invalid, "")
	f.wantErr(f.s.RemoveItem(f.ctx, f.item(f.next, "Action plan: verbal update").ID, 0), errs.Invalid, "")
	f.wantErr(f.s.RemoveItem(f.ctx, strategy.ID, 0), errs.Invalid, "")
	f.must(f.s.RemoveItem(f.ctx, f.item(f.next, "Adults").ID, 0))
	f.must(f.s.RemoveItem(f.ctx, f.item(f.next, "Budget 2027").ID, 0))
	if got := f.agenda(f.next); !strings.Contains(got, "5 Action plan: verbal update | 6 Strategy | 6a Youth | 7 Any other business | 8 Date of next meeting") {
		t.Fatalf("after removals: %s", got)
	}
}

func TestPostponeAppearsAtTheTarget(t *testing.T) {
	f := newFixture(t)
	f.must(f.s.AddItem(f.ctx, &AgendaItem{MeetingID: f.next.ID, Title: "Hate crime report", Purpose: "for noting", Presenter: "Police"}))
	it := f.item(f.next, "Hate crime report")

	// Not to an earlier meeting, another board's, or itself.
	_, err := f.s.PostponeItem(f.ctx, it.ID, f.past.ID, 0)
	f.wantErr(err, errs.Invalid, "to_meeting")
	elsewhere := &Meeting{BoardID: f.other.ID, StartsAt: time.Now().AddDate(0, 0, 90)}
	f.must(f.s.ScheduleMeeting(f.ctx, elsewhere))
	_, err = f.s.PostponeItem(f.ctx, it.ID, elsewhere.ID, 0)
	f.wantErr(err, errs.Invalid, "to_meeting")
	_, err = f.s.PostponeItem(f.ctx, f.item(f.next, "Welcome and introductions").ID, f.later.ID, 0)
	f.wantErr(err, errs.Invalid, "")

	moved, err := f.s.PostponeItem(f.ctx, it.ID, f.later.ID, 0)
	f.must(err)
	there := f.item(f.later, "Hate crime report")
	if there.ID != moved.ID || there.PostponedFrom != f.next.ID || !there.PostponedFromAt.Equal(f.next.StartsAt) || there.Presenter != "Police" {
		t.Errorf("postponed item at the target = %+v", there)
	}
	if got := f.agenda(f.later); !strings.Contains(got, "6 Hate crime report | 7 Any other business") {
		t.Errorf("target agenda = %s", got)
	}
	here := f.item(f.next, "Hate crime report")
	if here.PostponedTo != f.later.ID || !here.PostponedToAt.Equal(f.later.StartsAt) {
		t.Errorf("item left behind = %+v", here)
	}
	_, err = f.s.PostponeItem(f.ctx, it.ID, f.later.ID, 0)
	f.wantErr(err, errs.Conflict, "")

	// Taken off the target's agenda, it is offered there again.
	f.must(f.s.RemoveItem(f.ctx, there.ID, 0))
	offers, err := f.s.Offers(f.ctx, f.later.ID)
	f.must(err)
	if len(offers) != 1 || offers[0].Kind != "postponed" || offers[0].ID != it.ID {
		t.Fatalf("offers = %+v", offers)
	}
	back, err := f.s.AddOffer(f.ctx, f.later.ID, "postponed", it.ID, 0)
	f.must(err)
	if back.PostponedFrom != f.next.ID {
		t.Errorf("re-added item = %+v", back)
	}
	if offers, _ := f.s.Offers(f.ctx, f.later.ID); len(offers) != 0 {
		t.Errorf("still offered: %+v", offers)
	}
}

func TestForwardPlan(t *testing.T) {
	f := newFixture(t)
	fi := &ForwardItem{BoardID: f.board.ID, Title: "Serious violence needs assessment", Purpose: "for decision", Owner: "Police", TargetMeetingID: f.next.ID}
	f.must(f.s.AddForward(f.ctx, fi))
	f.must(f.s.AddForward(f.ctx, &ForwardItem{BoardID: f.board.ID, Title: "Unplaced"}))
	f.wantErr(f.s.AddForward(f.ctx, &ForwardItem{BoardID: f.board.ID, Title: "  "}), errs.Invalid, "title")
	otherMeeting := &Meeting{BoardID: f.other.ID, StartsAt: time.Now().AddDate(0, 0, 40)}
	f.must(f.s.ScheduleMeeting(f.ctx, otherMeeting))
	f.wantErr(f.s.AddForward(f.ctx, &ForwardItem{BoardID: f.board.ID, Title: "Wrong", TargetMeetingID: otherMeeting.ID}), errs.Invalid, "target_meeting_id")

	grid, err := f.s.ForwardGrid(f.ctx, f.board, f.next.StartsAt)
	f.must(err)
	found := false
	for _, col := range grid {
		if col.Meeting != nil && col.Meeting.ID == f.next.ID {
			found = len(col.Items) == 1 && col.Items[0].Title == fi.Title
		}
	}
	if !found || grid[len(grid)-1].Meeting != nil || grid[len(grid)-1].Items[0].Title != "Unplaced" {
		t.Errorf("grid = %+v", grid)
	}

	// Scheduled only through the agenda.
	fi.Status = ForwardScheduled
	f.wantErr(f.s.UpdateForward(f.ctx, fi), errs.Invalid, "status")

	offers, err := f.s.Offers(f.ctx, f.next.ID)
	f.must(err)
	if len(offers) != 1 || offers[0].Kind != "forward" || offers[0].Owner != "Police" {
		t.Fatalf("offers = %+v", offers)
	}
	it, err := f.s.AddOffer(f.ctx, f.next.ID, "forward", fi.ID, 0)
	f.must(err)
	if it.ForwardID != fi.ID || it.Presenter != "Police" || it.Purpose != "for decision" {
		t.Errorf("agenda item from the plan = %+v", it)
	}
	got, _ := f.s.Forward(f.ctx, fi.ID)
	if got.Status != ForwardScheduled || got.OnAgenda != it.ID {
		t.Errorf("plan item after adding = %+v", got)
	}
	_, err = f.s.AddOffer(f.ctx, f.next.ID, "forward", fi.ID, 0)
	f.wantErr(err, errs.Conflict, "")

	// Removed from the agenda, it is planned (and offered) again.
	f.must(f.s.RemoveItem(f.ctx, it.ID, 0))
	if got, _ := f.s.Forward(f.ctx, fi.ID); got.Status != ForwardPlanned {
		t.Errorf("after removal the plan item is %s", got.Status)
	}
	got.Status = ForwardDone
	f.must(f.s.UpdateForward(f.ctx, got))
	if offers, _ := f.s.Offers(f.ctx, f.next.ID); len(offers) != 0 {
		t.Errorf("a done item is still offered: %+v", offers)
	}
}

// testPDF makes a real PDF of pages pages, different for each text.
func testPDF(t testing.TB, text string, pages int) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	for i := 0; i < pages; i++ {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "", 12)
		pdf.Cell(40, 10, fmt.Sprintf("%s, page %d", text, i+1))
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encryptedPDF(t testing.TB, user string) []byte {
	t.Helper()
	var out bytes.Buffer
	conf := model.NewAESConfiguration(user, "owner-secret", 256)
	if err := api.Encrypt(bytes.NewReader(testPDF(t, "secret", 1)), &out, conf); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestCheckPDF(t *testing.T) {
	good := testPDF(t, "report", 3)
	if n, err := CheckPDF(good); err != nil || n != 3 {
		t.Fatalf("good PDF: %d pages, %v", n, err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"not a PDF", []byte("PK\x03\x04 a zip file"), "must be a PDF"},
		{"html renamed", []byte("<html>%PDF-1.7</html>"), "must be a PDF"},
		{"truncated", good[:len(good)/3], "damaged"},
		{"header only", []byte("%PDF-1.7\n%%EOF\n"), "damaged"},
		{"encrypted with a password", encryptedPDF(t, "open-sesame"), "password"},
		{"encrypted without an open password", encryptedPDF(t, ""), "encrypted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CheckPDF(c.data)
			if errs.Code(err) != errs.Invalid || errs.FieldOf(err) != "file" || !strings.Contains(errs.Message(err), c.want) {
				t.Fatalf("got %v (%s), want a file error saying %q", err, errs.Code(err), c.want)
			}
		})
	}
}

func TestPapers(t *testing.T) {
	f := newFixture(t)
	f.must(f.s.AddItem(f.ctx, &AgendaItem{MeetingID: f.next.ID, Title: "Budget"}))
	budget := f.item(f.next, "Budget")
	report := testPDF(t, "budget report", 2)
	p, err := f.s.AddPaper(f.ctx, NewPaper{ItemID: budget.ID, Filename: `C:\papers\budget "final".pdf`, Data: report})
	f.must(err)
	if p.Pages != 2 || p.Version != 1 || p.Supplement || p.Title != "budget final" || p.Filename != "budget final.pdf" || len(p.SHA256) != 64 {
		t.Errorf("paper = %+v", p)
	}
	data, err := f.s.PaperFile(f.ctx, p.ID)
	f.must(err)
	if !bytes.Equal(data, report) {
		t.Error("stored bytes differ from the upload")
	}

	// The same file again, to any item of the meeting, is refused.
	_, err = f.s.AddPaper(f.ctx, NewPaper{ItemID: f.item(f.next, "Welcome and introductions").ID, Filename: "copy.pdf", Data: report})
	f.wantErr(err, errs.Invalid, "file")
	if !strings.Contains(errs.Message(err), "already a paper of this meeting") {
		t.Errorf("duplicate message: %s", errs.Message(err))
	}
	// ... but another meeting may carry it.
	f.must(f.s.AddItem(f.ctx, &AgendaItem{MeetingID: f.later.ID, Title: "Budget"}))
	_, err = f.s.AddPaper(f.ctx, NewPaper{ItemID: f.item(f.later, "Budget").ID, Filename: "budget.pdf", Data: report})
	f.must(err)

	// Bad files change nothing.
	for _, bad := range [][]byte{[]byte("not a pdf"), encryptedPDF(t, "pw")} {
		_, err = f.s.AddPaper(f.ctx, NewPaper{ItemID: budget.ID, Filename: "x.pdf", Data: bad})
		f.wantErr(err, errs.Invalid, "file")
	}
	_, err = f.s.AddPaper(f.ctx, NewPaper{ItemID: budget.ID, Filename: "big.pdf", Data: make([]byte, MaxPaperSize+1)})
	f.wantErr(err, errs.TooLarge, "")

	// A new version replaces it; the old one stays, marked superseded.
	f.must(f.s.PublishAgenda(f.ctx, f.next.ID))
	v2, err := f.s.AddPaper(f.ctx, NewPaper{ItemID: budget.ID, Filename: "budget v2.pdf", Data: testPDF(t, "budget report v2", 3), Replaces: p.ID})
	f.must(err)
	v3, err := f.s.AddPaper(f.ctx, NewPaper{ItemID: budget.ID, Filename: "budget v3.pdf", Data: testPDF(t, "budget report v3", 3), Replaces: p.ID})
	f.must(err)
	if v2.Version != 2 || v3.Version != 3 || v3.SeriesID != p.ID || !v3.Updated() || !v3.Supplement {
		t.Errorf("versions: v2 %+v, v3 %+v", v2, v3)
	}
	_, err = f.s.AddPaper(f.ctx, NewPaper{ItemID: budget.ID, Filename: "x.pdf", Data: testPDF(t, "other", 1), Replaces: f.item(f.later, "Budget").ID})
	f.wantErr(err, errs.Invalid, "replaces")
	m, err := f.s.Meeting(f.ctx, f.next.ID)
	f.must(err)
	var current, old int
	for _, it := range m.Items {
		for _, pp := range it.Papers {
			if pp.Superseded {
				old++
			} else {
				current++
				if pp.ID != v3.ID {
					t.Errorf("current paper is %d, want version 3 (%d)", pp.ID, v3.ID)
				}
			}
		}
	}
	if current != 1 || old != 2 {
		t.Errorf("papers: %d current, %d old; want 1 and 2", current, old)
	}
	// A paper added after publication is a supplement.
	late, err := f.s.AddPaper(f.ctx, NewPaper{ItemID: f.item(f.next, "Welcome and introductions").ID, Filename: "late.pdf", Data: testPDF(t, "late", 1)})
	f.must(err)
	if !late.Supplement {
		t.Error("a paper after publication is not a supplement")
	}
	// An item with papers is postponed, not removed.
	f.wantErr(f.s.RemoveItem(f.ctx, budget.ID, 0), errs.Invalid, "")
	if b, err := f.s.PaperBoard(f.ctx, p.ID); err != nil || b != f.board.ID {
		t.Errorf("paper board = %d, %v", b, err)
	}
}

func TestApologiesAndSubstitutes(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	// A member names a substitute from their own organisation.
	f.must(f.s.SendApologies(f.ctx, f.next.ID, f.people["supt"], f.people["insp"], now))
	a, err := f.s.AttendanceOf(f.ctx, f.next.ID, f.people["supt"])
	f.must(err)
	if a == nil || a.Status != Apologies || a.SubstituteID != f.people["insp"] || !a.SentBySelf {
		t.Fatalf("apologies = %+v", a)
	}
	// ... not from another organisation, and not themselves.
	f.wantErr(f.s.SendApologies(f.ctx, f.next.ID, f.people["cllr"], f.people["insp"], now), errs.Invalid, "substitute_id")
	f.wantErr(f.s.SendApologies(f.ctx, f.next.ID, f.people["cllr"], f.people["cllr"], now), errs.Invalid, "substitute_id")
	// Only members send apologies, only before the meeting, not for a cancelled one.
	f.wantErr(f.s.SendApologies(f.ctx, f.next.ID, f.people["officer"], 0, now), errs.Conflict, "")
	f.wantErr(f.s.SendApologies(f.ctx, f.past.ID, f.people["cllr"], 0, now), errs.Conflict, "")
	subs, err := f.s.Substitutes(f.ctx, f.board.ID, f.people["cllr"])
	f.must(err)
	for _, p := range subs {
		if p.OrganisationID != f.council.ID || p.ID == f.people["cllr"] {
			t.Errorf("substitute offered from elsewhere: %+v", p)
		}
	}
	// Withdrawn, the line goes.
	f.must(f.s.SendApologies(f.ctx, f.next.ID, f.people["cllr"], 0, now))
	f.must(f.s.WithdrawApologies(f.ctx, f.next.ID, f.people["cllr"], now))
	if a, _ := f.s.AttendanceOf(f.ctx, f.next.ID, f.people["cllr"]); a != nil {
		t.Errorf("withdrawn apologies still recorded: %+v", a)
	}
	f.wantErr(f.s.WithdrawApologies(f.ctx, f.next.ID, f.people["cllr"], now), errs.Conflict, "")

	// The clerk at the meeting: the substitute present for the member.
	f.wantErr(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["officer"], Status: Present, SubstituteFor: f.people["supt"]}), errs.Invalid, "substitute_for")
	f.wantErr(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["insp"], Status: Present, SubstituteFor: f.people["adviser"]}), errs.Invalid, "substitute_for")
	f.wantErr(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["officer"], Status: Present}), errs.Invalid, "status")
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["insp"], Status: Present, SubstituteFor: f.people["supt"]}))
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["officer"], Status: AlsoPresent, Role: "Clerk"}))
	// Nobody else for the same member, and the member is not present too.
	other := &Person{Name: "Sgt Gus Police", OrganisationID: f.police.ID}
	f.must(f.s.CreatePerson(f.ctx, other))
	f.wantErr(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: other.ID, Status: Present, SubstituteFor: f.people["supt"]}), errs.Invalid, "substitute_for")
	f.wantErr(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["supt"], Status: Present}), errs.Invalid, "status")
	f.wantErr(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["chair"], Status: "maybe"}), errs.Invalid, "status")
	f.must(f.s.RemoveAttendance(f.ctx, f.past.ID, f.people["officer"]))
	f.wantErr(f.s.RemoveAttendance(f.ctx, f.past.ID, f.people["officer"]), errs.Invalid, "person_id")
}

func TestQuorum(t *testing.T) {
	f := newFixture(t)
	q, err := f.s.Quorum(f.ctx, f.past.ID)
	f.must(err)
	if !q.Set || q.Needed != 3 || q.Voting != 3 || q.Present != 0 || q.Met {
		t.Fatalf("empty meeting quorum = %+v", q)
	}
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["chair"], Status: Present, Role: "Chair"}))
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["adviser"], Status: Present}))
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["officer"], Status: AlsoPresent}))
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["cllr"], Status: Apologies}))
	q, _ = f.s.Quorum(f.ctx, f.past.ID)
	if q.Present != 1 || q.Met {
		t.Errorf("advisers and officers do not count: %+v", q)
	}
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["insp"], Status: Present, SubstituteFor: f.people["supt"]}))
	q, _ = f.s.Quorum(f.ctx, f.past.ID)
	if q.Present != 2 || q.Met {
		t.Errorf("a substitute counts for the member: %+v", q)
	}
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["cllr"], Status: Present}))
	q, _ = f.s.Quorum(f.ctx, f.past.ID)
	if q.Present != 3 || !q.Met {
		t.Errorf("three voting members: %+v", q)
	}
	// A share: half of three voting members, rounded up, is two.
	f.board.QuorumCount, f.board.QuorumShare = 0, 50
	f.must(f.s.UpdateBoard(f.ctx, f.board))
	q, _ = f.s.Quorum(f.ctx, f.next.ID)
	if q.Needed != 2 || q.Met {
		t.Errorf("share quorum = %+v", q)
	}
}

func TestDeclarationsAndRegister(t *testing.T) {
	f := newFixture(t)
	item := f.item(f.past, "Action plan: verbal update")
	d := &Declaration{MeetingID: f.past.ID, ItemID: item.ID, PersonID: f.people["cllr"], Kind: "pecuniary", Nature: "Trustee of a funded charity", BySelf: true}
	f.must(f.s.Declare(f.ctx, d))
	f.wantErr(f.s.Declare(f.ctx, &Declaration{MeetingID: f.past.ID, ItemID: item.ID, PersonID: f.people["cllr"], Nature: "Trustee of a funded charity"}), errs.Invalid, "nature")
	f.wantErr(f.s.Declare(f.ctx, &Declaration{MeetingID: f.past.ID, ItemID: item.ID, PersonID: f.people["officer"], Nature: "x"}), errs.Invalid, "person_id")
	f.wantErr(f.s.Declare(f.ctx, &Declaration{MeetingID: f.past.ID, ItemID: f.item(f.next, "Action plan: verbal update").ID, PersonID: f.people["cllr"], Nature: "x"}), errs.Invalid, "item_id")
	f.wantErr(f.s.Declare(f.ctx, &Declaration{MeetingID: f.past.ID, ItemID: item.ID, PersonID: f.people["cllr"], Nature: ""}), errs.Invalid, "nature")
	f.wantErr(f.s.Declare(f.ctx, &Declaration{MeetingID: f.past.ID, ItemID: item.ID, PersonID: f.people["cllr"], Nature: "x", Kind: "vague"}), errs.Invalid, "kind")
	// Someone at the meeting who is not a member may declare.
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["officer"], Status: AlsoPresent}))
	f.must(f.s.Declare(f.ctx, &Declaration{MeetingID: f.past.ID, ItemID: item.ID, PersonID: f.people["officer"], Nature: "Manages the service"}))
	ds, err := f.s.Declarations(f.ctx, f.past.ID)
	f.must(err)
	if len(ds) != 2 || ds[0].ItemNumber != "5" || ds[0].BoardName != f.board.Name {
		t.Fatalf("declarations = %+v", ds)
	}

	// The register follows the person across boards: current and past interests.
	f.must(f.s.AddMember(f.ctx, &Membership{BoardID: f.other.ID, PersonID: f.people["cllr"], Role: "member"}))
	f.must(f.s.AddInterest(f.ctx, &Interest{PersonID: f.people["cllr"], Kind: "pecuniary", Nature: "Director, Acme Ltd", StartsOn: "2022-01-01"}))
	old := &Interest{PersonID: f.people["cllr"], Nature: "Governor, Eastbrook School", StartsOn: "2018-01-01"}
	f.must(f.s.AddInterest(f.ctx, old))
	f.wantErr(f.s.EndInterest(f.ctx, f.people["cllr"], old.ID, "2017-01-01"), errs.Invalid, "ends_on")
	f.wantErr(f.s.EndInterest(f.ctx, f.people["chair"], old.ID, "2024-01-01"), errs.Invalid, "interest_id")
	f.must(f.s.EndInterest(f.ctx, f.people["cllr"], old.ID, "2024-01-01"))
	f.wantErr(f.s.AddInterest(f.ctx, &Interest{PersonID: f.people["cllr"], Nature: " "}), errs.Invalid, "nature")
	f.wantErr(f.s.AddInterest(f.ctx, &Interest{PersonID: f.people["cllr"], Nature: "x", StartsOn: "soon"}), errs.Invalid, "starts_on")
	r, err := f.s.PersonRegister(f.ctx, f.people["cllr"])
	f.must(err)
	if len(r.Current) != 1 || r.Current[0].Nature != "Director, Acme Ltd" || len(r.Past) != 1 || len(r.Declarations) != 1 {
		t.Errorf("register = %+v", r)
	}
	for _, b := range []*Board{f.board, f.other} {
		regs, err := f.s.BoardRegister(f.ctx, b.ID)
		f.must(err)
		found := false
		for _, reg := range regs {
			if reg.Person.ID == f.people["cllr"] {
				found = len(reg.Current) == 1 && len(reg.Declarations) == 1
			}
		}
		if !found {
			t.Errorf("board %s register lacks the member's interests: %+v", b.ShortName, regs)
		}
	}
	f.wantErr(f.s.RemoveDeclaration(f.ctx, f.next.ID, d.ID), errs.Invalid, "declaration_id")
	f.must(f.s.RemoveDeclaration(f.ctx, f.past.ID, d.ID))
}

// The clerk's attendance form offers the members, their deputies and the people recorded at
// the board's recent meetings; anyone else is found by name or email.
func TestAttendanceCandidates(t *testing.T) {
	f := newFixture(t)
	names := func() []string {
		t.Helper()
		ps, err := f.s.AttendanceCandidates(f.ctx, f.board.ID, f.next.StartsAt)
		f.must(err)
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	if got := names(); len(got) != 0 {
		t.Fatalf("before anyone attended, offered %v", got)
	}
	// An officer recorded at the last meeting is offered for the next; members are not
	// repeated; someone who only sits on another board is not offered.
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["officer"], Status: AlsoPresent}))
	f.must(f.s.RecordAttendance(f.ctx, f.past.ID, Attendance{PersonID: f.people["cllr"], Status: Present}))
	stranger := &Person{Name: "Hal Elsewhere", Email: "hal@elsewhere.example", OrganisationID: f.council.ID}
	f.must(f.s.CreatePerson(f.ctx, stranger))
	f.must(f.s.AddMember(f.ctx, &Membership{BoardID: f.other.ID, PersonID: stranger.ID, Role: "member", StartsOn: "2020-01-01"}))
	if got := strings.Join(names(), ", "); got != "Carol Officer" {
		t.Fatalf("offered %q, want Carol Officer", got)
	}
	// Not offered for a meeting before the one they came to.
	early, err := f.s.AttendanceCandidates(f.ctx, f.board.ID, f.past.StartsAt.Add(-time.Hour))
	f.must(err)
	if len(early) != 0 {
		t.Fatalf("offered before they attended: %+v", early)
	}

	// Typed by name or email, in any case.
	for _, q := range []string{"Hal Elsewhere", "  hal elsewhere ", "HAL@elsewhere.example"} {
		p, err := f.s.FindPerson(f.ctx, "person", q)
		f.must(err)
		if p.ID != stranger.ID {
			t.Fatalf("FindPerson(%q) = %d, want %d", q, p.ID, stranger.ID)
		}
	}
	f.wantErr(func() error { _, err := f.s.FindPerson(f.ctx, "person", "Nobody Atall"); return err }(), errs.Invalid, "person")
	f.wantErr(func() error { _, err := f.s.FindPerson(f.ctx, "person", " "); return err }(), errs.Invalid, "person")
	// Two people of one name: the email tells them apart.
	twin := &Person{Name: "Hal Elsewhere", Email: "hal2@elsewhere.example"}
	f.must(f.s.CreatePerson(f.ctx, twin))
	f.wantErr(func() error { _, err := f.s.FindPerson(f.ctx, "person", "Hal Elsewhere"); return err }(), errs.Invalid, "person")
	if p, err := f.s.FindPerson(f.ctx, "person", "hal2@elsewhere.example"); err != nil || p.ID != twin.ID {
		t.Fatalf("by email: %v, %v", p, err)
	}
}
