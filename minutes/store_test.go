package minutes

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/meetings"
)

// fixture is a board with members and meetings in a real SQLite file.
type fixture struct {
	ctx      context.Context
	db       *sql.DB
	meetings *meetings.Store
	actions  *actions.Store
	store    *Store
	board    *meetings.Board
	// past meetings, oldest first, and one to come
	held   []*meetings.Meeting
	future *meetings.Meeting
}

func newFixture(t testing.TB, numbering string, starts ...time.Time) *fixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "test clerk"})
	d, err := db.Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := db.Migrate(ctx, d, db.Source{Name: "audit", FS: audit.Schema()}, db.Source{Name: "meetings", FS: meetings.Schema()},
		db.Source{Name: "actions", FS: actions.Schema()}, db.Source{Name: "minutes", FS: Schema()}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: ctx, db: d, meetings: meetings.NewStore(d), actions: actions.NewStore(d)}
	f.store = NewStore(d, f.meetings, f.actions)
	police := &meetings.Organisation{Name: "Northvale Police", Handle: "police", Kind: "police", Partner: true}
	council := &meetings.Organisation{Name: "Northvale Borough Council", Handle: "council", Kind: "council", Partner: true}
	for _, o := range []*meetings.Organisation{police, council} {
		must(t, f.meetings.CreateOrganisation(ctx, o))
	}
	f.board = &meetings.Board{Name: "Example Safer Communities Partnership", ShortName: "ESCP", Numbering: numbering, YearStartMonth: 5}
	must(t, f.meetings.CreateBoard(ctx, f.board))
	for _, p := range []struct{ name, initials, role string }{
		{"Cllr Ann Chair", "AC", "chair"}, {"Jo Smith", "JS", "member"}, {"Raj Tanner", "RT", "member"},
	} {
		person := &meetings.Person{Name: p.name, Initials: p.initials, OrganisationID: council.ID}
		if p.initials == "RT" {
			person.OrganisationID = police.ID
		}
		must(t, f.meetings.CreatePerson(ctx, person))
		must(t, f.meetings.AddMember(ctx, &meetings.Membership{BoardID: f.board.ID, PersonID: person.ID, Role: p.role,
			OrganisationID: person.OrganisationID, StartsOn: "2020-01-01"}))
	}
	if len(starts) == 0 {
		now := time.Now()
		starts = []time.Time{now.AddDate(0, 0, -100), now.AddDate(0, 0, -10), now.AddDate(0, 0, 80)}
	}
	for _, s := range starts {
		m := &meetings.Meeting{BoardID: f.board.ID, StartsAt: s, EndsAt: s.Add(2 * time.Hour), Place: "Committee Room 1"}
		must(t, f.meetings.ScheduleMeeting(ctx, m))
		if s.Before(time.Now()) {
			f.held = append(f.held, m)
		} else if f.future == nil {
			f.future = m
		}
	}
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// minutesText is a small set of minutes for a meeting of the fixture's board.
const minutesText = `## 1. Welcome and introductions

The Chair welcomed partners.

## 5. Violence Reduction Action Plan

RESOLVED that

1. the update be noted; and
2. the plan be sent to partners.

ACTION @JS: disseminate the plan to the Board (by next meeting)

### 5a. Knife crime

ACTION @RT, @police: share the ward figures with partners by 30/04/2099

## 6. Crime performance dashboard

RESOLVED that the update from the police be noted.
`

func (f *fixture) save(t testing.TB, m *meetings.Meeting, text string) *Saved {
	t.Helper()
	s, err := f.store.Save(f.ctx, m.ID, []byte(text))
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	return s
}

func (f *fixture) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	must(t, f.db.QueryRowContext(f.ctx, q, args...).Scan(&n))
	return n
}

func TestSaveNumbersItemsAndWritesReferences(t *testing.T) {
	f := newFixture(t, meetings.NumberContinuous)
	m := f.held[0]
	s := f.save(t, m, minutesText)
	text := s.Minutes.Text
	for _, want := range []string{"## 1. Welcome and introductions {#1}", "## 5. Violence Reduction Action Plan {#2}", "### 5a. Knife crime {#2a}",
		"## 6. Crime performance dashboard {#3}"} {
		if !strings.Contains(text, want) {
			t.Errorf("saved text lacks %q:\n%s", want, text)
		}
	}
	year := actions.MunicipalYear(m.StartsAt, 5) % 100
	ref1, ref2 := fmt.Sprintf("ESCP/%02d/01", year), fmt.Sprintf("ESCP/%02d/02", year)
	if !strings.Contains(text, "ACTION "+ref1+" @JS: disseminate") || !strings.Contains(text, "ACTION "+ref2+" @RT, @police:") {
		t.Errorf("references not written in:\n%s", text)
	}
	if got := f.count(t, `SELECT count(*) FROM resolutions WHERE meeting_id = ? AND kind = 'minutes'`, m.ID); got != 3 {
		t.Errorf("%d resolutions kept, want 3", got)
	}
	if got := f.count(t, `SELECT count(*) FROM agenda_items WHERE meeting_id = ? AND number = '1' AND minute_number = '1'`, m.ID); got != 1 {
		t.Errorf("agenda item 1 has no minute number")
	}
	if st := f.count(t, `SELECT count(*) FROM meetings WHERE id = ? AND status = 'minutes_draft'`, m.ID); st != 1 {
		t.Errorf("meeting status not minutes_draft")
	}
	a, err := f.actions.ActionByRef(f.ctx, ref1)
	must(t, err)
	if a.MinuteNumber != "2" || a.ItemNumber != "5" {
		t.Errorf("action %s source: item %q minute %q", ref1, a.ItemNumber, a.MinuteNumber)
	}

	// Saving again, as is, keeps numbers and references and makes no new action.
	s2 := f.save(t, m, text)
	if s2.Minutes.Text != text {
		t.Errorf("second save changed the text:\n%v", Hunks(Diff(text, s2.Minutes.Text), 1))
	}
	if n := f.count(t, `SELECT count(*) FROM actions WHERE meeting_id = ?`, m.ID); n != 2 {
		t.Errorf("%d actions after the second save, want 2", n)
	}
	// Saving without the numbers written gives the same numbers back.
	bare := strings.NewReplacer(" {#1}", "", " {#2}", "", " {#2a}", "", " {#3}", "").Replace(text)
	if s3 := f.save(t, m, bare); s3.Minutes.Text != text {
		t.Errorf("numbers not stable:\n%v", Hunks(Diff(text, s3.Minutes.Text), 1))
	}

	// The next meeting's numbers follow on.
	s4 := f.save(t, f.held[1], "## 1. Welcome\n\nHello.\n")
	if !strings.Contains(s4.Minutes.Text, "{#4}") {
		t.Errorf("next meeting's first minute is not 4:\n%s", s4.Minutes.Text)
	}

	// Deleting an ACTION line from the draft removes the action.
	var kept []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.Contains(l, ref2) {
			kept = append(kept, l)
		}
	}
	f.save(t, m, strings.Join(kept, "\n"))
	if _, err := f.actions.ActionByRef(f.ctx, ref2); errs.Code(err) != errs.NotFound {
		t.Errorf("action %s still there after its line was deleted: %v", ref2, err)
	}
	vs, err := f.store.Versions(f.ctx, m.ID)
	must(t, err)
	if len(vs) != 4 || vs[0].Version != 4 || vs[3].Version != 1 {
		t.Errorf("versions: %+v", vs)
	}
}

func TestSaveWithErrorsSavesNothing(t *testing.T) {
	f := newFixture(t, meetings.NumberContinuous)
	m := f.held[0]
	bad := minutesText + "\nACTION @XY: do something (by next meeting)\nACTION @JS: do it by 31/02/2026\n"
	_, err := f.store.Save(f.ctx, m.ID, []byte(bad))
	lines := LinesOf(err)
	if errs.Code(err) != errs.Invalid || len(lines) != 2 {
		t.Fatalf("err = %v (lines %+v), want two line errors", err, lines)
	}
	if lines[0].Line != 22 || !strings.Contains(lines[0].Message, "@XY") {
		t.Errorf("first error: %+v", lines[0])
	}
	for _, table := range []string{"minutes", "minutes_versions", "actions", "resolutions", "minute_numbers"} {
		if n := f.count(t, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows after a refused save", table, n)
		}
	}
	for _, c := range []struct {
		name string
		text []byte
	}{
		{"over 2 MB", []byte(strings.Repeat("a", maxMinutesSize+1))},
		{"binary", []byte("## 1. a\n\x00\xff\xfe")},
		{"empty", []byte(" \n\n")},
	} {
		_, err := f.store.Save(f.ctx, m.ID, c.text)
		if errs.Code(err) != errs.Invalid || len(LinesOf(err)) != 1 {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	// A meeting that has not started yet has no minutes to save.
	if _, err := f.store.Save(f.ctx, f.future.ID, []byte(minutesText)); errs.Code(err) != errs.Conflict {
		t.Errorf("future meeting: err = %v, want ECONFLICT", err)
	}
}

func TestApprovedMinutesNeverChange(t *testing.T) {
	f := newFixture(t, meetings.NumberContinuous)
	m := f.held[0]
	s := f.save(t, m, minutesText)
	must(t, f.store.SendToChair(f.ctx, m.ID))
	must(t, f.store.Circulate(f.ctx, m.ID))
	if err := f.store.Approve(f.ctx, m.ID, m.ID); errs.Code(err) != errs.Invalid {
		t.Errorf("approve at the same meeting: %v", err)
	}
	must(t, f.store.Approve(f.ctx, m.ID, f.held[1].ID))
	got, err := f.store.Minutes(f.ctx, m.ID)
	must(t, err)
	if got.Status != StatusApproved || got.ApprovedAtMeetingID != f.held[1].ID {
		t.Errorf("after approval: %+v", got)
	}
	approvals, err := f.store.Approvals(f.ctx, f.held[1].ID)
	must(t, err)
	want := "that the minutes of the meeting held on " + m.StartsAt.In(meetings.London).Format("2 January 2006") + " be approved as a correct record."
	if len(approvals) != 1 || approvals[0].Text != want {
		t.Errorf("approval resolution: %+v", approvals)
	}

	// The store refuses first...
	if _, err := f.store.Save(f.ctx, m.ID, []byte(s.Minutes.Text+"\nMore.\n")); errs.Code(err) != errs.Conflict {
		t.Errorf("save approved minutes: %v, want ECONFLICT", err)
	}
	if err := f.store.Autosave(f.ctx, m.ID, []byte("x")); errs.Code(err) != errs.Conflict {
		t.Errorf("autosave approved minutes: %v, want ECONFLICT", err)
	}
	if err := f.store.SendToChair(f.ctx, m.ID); errs.Code(err) != errs.Conflict {
		t.Errorf("send approved minutes to the chair: %v", err)
	}
	// ...and the database backs it up.
	if _, err := f.db.ExecContext(f.ctx, `UPDATE minutes SET text = 'changed' WHERE meeting_id = ?`, m.ID); err == nil || !strings.Contains(err.Error(), "approved minutes cannot be changed") {
		t.Errorf("trigger let the text change: %v", err)
	}
	if _, err := f.db.ExecContext(f.ctx, `UPDATE minutes SET status = 'draft' WHERE meeting_id = ?`, m.ID); err == nil {
		t.Errorf("trigger let approved minutes go back to draft")
	}
	if _, err := f.db.ExecContext(f.ctx, `DELETE FROM minutes WHERE meeting_id = ?`, m.ID); err == nil {
		t.Errorf("trigger let approved minutes be deleted")
	}
	if _, err := f.db.ExecContext(f.ctx, `DELETE FROM minutes_versions WHERE meeting_id = ?`, m.ID); err == nil {
		t.Errorf("trigger let versions be deleted")
	}
	must(t, f.store.Sign(f.ctx, m.ID, "Cllr Ann Chair"))
	if got, _ := f.store.Minutes(f.ctx, m.ID); got.Status != StatusSigned || got.Text != s.Minutes.Text {
		t.Errorf("after signing: %+v", got)
	}
}

func TestYearlyNumberingRestarts(t *testing.T) {
	// Municipal years start in May: March and April 2025 share a year, June 2025 starts the next.
	at := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, meetings.London)
		return t
	}
	f := newFixture(t, meetings.NumberYearly, at("2025-03-20 10:00"), at("2025-04-24 10:00"), at("2025-06-19 10:00"))
	two := "## 1. One\n\nText.\n\n## 2. Two\n\nText.\n"
	f.save(t, f.held[0], two)
	s := f.save(t, f.held[1], two)
	if !strings.Contains(s.Minutes.Text, "{#3}") || !strings.Contains(s.Minutes.Text, "{#4}") {
		t.Errorf("same municipal year should continue at 3:\n%s", s.Minutes.Text)
	}
	s = f.save(t, f.held[2], two)
	if !strings.Contains(s.Minutes.Text, "## 1. One {#1}") || !strings.Contains(s.Minutes.Text, "## 2. Two {#2}") {
		t.Errorf("a new municipal year should restart at 1:\n%s", s.Minutes.Text)
	}

	none := newFixture(t, meetings.NumberNone)
	if s := none.save(t, none.held[0], two); strings.Contains(s.Minutes.Text, "{#") {
		t.Errorf("numbering none wrote numbers:\n%s", s.Minutes.Text)
	}
}

func TestDraftPrefillsFromTheMeeting(t *testing.T) {
	f := newFixture(t, meetings.NumberContinuous)
	f.save(t, f.held[0], minutesText)
	people, err := f.meetings.People(f.ctx)
	must(t, err)
	// Raj Tanner sits for the police; his substitute comes from the police too.
	sub := &meetings.Person{Name: "Sam Patel", Initials: "SP", OrganisationID: people[2].OrganisationID}
	must(t, f.meetings.CreatePerson(f.ctx, sub))
	for _, a := range []meetings.Attendance{
		{PersonID: people[0].ID, Status: meetings.Present, Role: "Chair"},
		{PersonID: sub.ID, Status: meetings.Present, SubstituteFor: people[2].ID},
		{PersonID: people[2].ID, Status: meetings.Apologies},
	} {
		must(t, f.meetings.RecordAttendance(f.ctx, f.held[1].ID, a))
	}
	d, err := f.store.Draft(f.ctx, f.held[1].ID)
	must(t, err)
	text := string(d)
	fm, _, _, err := SplitFrontMatter(d)
	if err != nil {
		t.Fatalf("draft front matter: %v\n%s", err, text)
	}
	if len(fm.Present) != 2 || fm.Present[0].Role != "Chair" || fm.Present[1].SubstitutingFor != "Raj Tanner" || len(fm.Apologies) != 1 {
		t.Errorf("front matter: %+v", fm)
	}
	for _, want := range []string{"## 4. Minutes of the last meeting and matters arising", "RESOLVED that the minutes of the meeting held on",
		"(@JS, minute 2): disseminate the plan to the Board — due at this meeting. Update: ", "(@RT, @police, minute 2a)",
		"Apologies for absence were received from Raj Tanner.", "The next meeting will be held at", "The meeting ended at …"} {
		if !strings.Contains(text, want) {
			t.Errorf("draft lacks %q:\n%s", want, text)
		}
	}
	p := Parse(d, Options{})
	if len(p.Errors) > 0 || len(p.Actions) != 0 || len(p.Items) < 6 {
		t.Errorf("draft parses with %d items, %d actions, errors %v", len(p.Items), len(p.Actions), p.Errors)
	}
	// Saving the draft as it comes makes no action and carries the one due forward.
	s := f.save(t, f.held[1], text)
	if s.Carried != 1 {
		t.Errorf("carried %d actions, want 1", s.Carried)
	}
}

func TestAutosaveKeepsTextWithoutActions(t *testing.T) {
	f := newFixture(t, meetings.NumberContinuous)
	m := f.held[0]
	must(t, f.store.Autosave(f.ctx, m.ID, []byte(minutesText)))
	a, err := f.store.Autosaved(f.ctx, m.ID)
	must(t, err)
	if a == nil || a.Text != minutesText {
		t.Fatalf("autosaved: %+v", a)
	}
	if n := f.count(t, `SELECT count(*) FROM actions`); n != 0 {
		t.Errorf("autosave made %d actions", n)
	}
	f.save(t, m, minutesText)
	if a, _ := f.store.Autosaved(f.ctx, m.ID); a != nil {
		t.Errorf("autosave kept after a save")
	}
}

func TestDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\n"
	new := "a\nc\nd\nX\ne\nf\n"
	var got []string
	for _, l := range Diff(old, new) {
		got = append(got, string(l.Op)+l.Text)
	}
	want := []string{" a", "-b", " c", " d", "+X", " e", "+f"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("diff = %q, want %q", got, want)
	}
	if d := Diff("same\n", "same\n"); len(Hunks(d, 3)) != 0 {
		t.Errorf("no change gives hunks")
	}
	// Line numbers count in each text.
	for _, l := range Diff(old, new) {
		if l.Op == '+' && l.Text == "X" && l.New != 4 {
			t.Errorf("X is line %d of the new text, want 4", l.New)
		}
	}
	// Everything different still ends, with every line accounted for.
	var a, b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&a, "old %d\n", i)
		fmt.Fprintf(&b, "new %d\n", i)
	}
	if d := Diff(a.String(), b.String()); len(d) != 6000 {
		t.Errorf("wholesale diff has %d lines", len(d))
	}
}
