package meetings

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

func newTestDB(t testing.TB) *sql.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := db.Migrate(context.Background(), d, db.Source{Name: "audit", FS: audit.Schema()}, db.Source{Name: "meetings", FS: Schema()}); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBoardValidation(t *testing.T) {
	long := make([]byte, 201)
	for i := range long {
		long[i] = 'a'
	}
	cases := []struct {
		name  string
		board Board
		field string
	}{
		{"empty name", Board{ShortName: "SCP"}, "name"},
		{"too long name", Board{Name: string(long), ShortName: "SCP"}, "name"},
		{"no short name", Board{Name: "Safer"}, "short_name"},
		{"short name with space", Board{Name: "Safer", ShortName: "S P"}, "short_name"},
		{"bad numbering", Board{Name: "Safer", ShortName: "SCP", Numbering: "roman"}, "numbering"},
		{"bad month", Board{Name: "Safer", ShortName: "SCP", YearStartMonth: 13}, "year_start_month"},
		{"bad time", Board{Name: "Safer", ShortName: "SCP", DefaultStart: "25:00"}, "default_start"},
		{"ok", Board{Name: "Safer", ShortName: "scp"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.board.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("want ok, got %v", err)
				}
				if c.board.ShortName != "SCP" {
					t.Errorf("short name not upper-cased: %q", c.board.ShortName)
				}
				return
			}
			if errs.FieldOf(err) != c.field {
				t.Fatalf("want error on %s, got %v (field %q)", c.field, err, errs.FieldOf(err))
			}
		})
	}
}

func TestBoardsPeopleAndMembership(t *testing.T) {
	ctx := context.Background()
	s := NewStore(newTestDB(t))
	police := &Organisation{Name: "Northvale Police", Kind: "police"}
	if err := s.CreateOrganisation(ctx, police); err != nil {
		t.Fatal(err)
	}
	if police.Handle != "northvale-police" {
		t.Errorf("handle = %q", police.Handle)
	}
	p := &Person{Name: "Supt Daniel Reyes", Email: "dr@example.org", OrganisationID: police.ID}
	if err := s.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.Initials != "DR" {
		t.Errorf("initials = %q, want DR (title skipped)", p.Initials)
	}
	dup := &Person{Name: "Someone Else", Email: "DR@example.org"}
	if err := s.CreatePerson(ctx, dup); errs.Code(err) != errs.Invalid {
		t.Errorf("duplicate email: %v", err)
	}
	b := &Board{Name: "Northvale Safer Communities Partnership", ShortName: "NSCP", ClerkID: p.ID}
	if err := s.CreateBoard(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBoard(ctx, &Board{Name: "Another", ShortName: "nscp"}); errs.FieldOf(err) != "short_name" {
		t.Errorf("duplicate short name: %v", err)
	}
	g := &Board{Name: "Delivery Group", ShortName: "DG", ParentID: b.ID}
	if err := s.CreateBoard(ctx, g); err != nil {
		t.Fatal(err)
	}
	b.ParentID = g.ID
	if err := s.UpdateBoard(ctx, b); errs.FieldOf(err) != "parent_id" {
		t.Errorf("a cycle of parents must be refused: %v", err)
	}
	if err := s.AddMember(ctx, &Membership{BoardID: b.ID, PersonID: p.ID, Role: "chair", StartsOn: "2026-05-01"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, &Membership{BoardID: b.ID, PersonID: p.ID, Role: "chair"}); errs.Code(err) != errs.Invalid {
		t.Errorf("same role twice: %v", err)
	}
	if err := s.AddMember(ctx, &Membership{BoardID: b.ID, PersonID: p.ID, Role: "member", StartsOn: "2026-05-01", EndsOn: "2026-01-01"}); errs.FieldOf(err) != "ends_on" {
		t.Errorf("end before start: %v", err)
	}
	got, err := s.Board(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Members) != 1 || got.Members[0].OrganisationName != "Northvale Police" || got.Members[0].Role != "chair" {
		t.Fatalf("members = %+v", got.Members)
	}
	if _, err := s.Board(ctx, 999); errs.Code(err) != errs.NotFound {
		t.Errorf("unknown board: %v", err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM audit_events`).Scan(&n)
	if n < 5 {
		t.Errorf("audit events = %d, want one per change", n)
	}
	if _, err := s.db.Exec(`DELETE FROM audit_events`); err == nil {
		t.Error("audit events must be append-only")
	}
}

func TestScheduleBuildsAgenda(t *testing.T) {
	ctx := context.Background()
	s := NewStore(newTestDB(t))
	b := &Board{Name: "Partnership", ShortName: "SP"}
	if err := s.CreateBoard(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddStandingItem(ctx, b.ID, "Violence Reduction Action Plan: verbal update", "verbal update", "Assistant Director"); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 25, 10, 0, 0, 0, London)
	m := &Meeting{BoardID: b.ID, StartsAt: start}
	if err := s.ScheduleMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.AddItem(ctx, &AgendaItem{MeetingID: m.ID, Title: "Community Safety Strategy", Purpose: "for decision"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Meeting(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Welcome and introductions", "Apologies and substitutes", "Declarations of interest",
		"Minutes of the last meeting and matters arising", "Violence Reduction Action Plan: verbal update",
		"Community Safety Strategy", "Any other business", "Date of next meeting"}
	if len(got.Items) != len(want) {
		t.Fatalf("items = %+v", got.Items)
	}
	for i, it := range got.Items {
		if it.Title != want[i] || it.Number != itoa(i+1) {
			t.Errorf("item %d = %s %q, want %d %q", i, it.Number, it.Title, i+1, want[i])
		}
	}
	if got.Items[4].Kind != KindStanding {
		t.Errorf("standing item kind = %q", got.Items[4].Kind)
	}
	if err := s.AddItem(ctx, &AgendaItem{MeetingID: m.ID, Title: "Exempt thing", Exempt: true}); errs.FieldOf(err) != "exempt_reason" {
		t.Errorf("exempt without reason: %v", err)
	}
	next := &Meeting{BoardID: b.ID, StartsAt: start.AddDate(0, 3, 0)}
	if err := s.ScheduleMeeting(ctx, next); err != nil {
		t.Fatal(err)
	}
	n, err := s.NextMeeting(ctx, b.ID, start)
	if err != nil || n == nil || n.ID != next.ID {
		t.Fatalf("next meeting = %+v, %v", n, err)
	}
	june, err := s.MeetingInMonth(ctx, b.ID, time.June, start)
	if err != nil || june == nil || june.ID != next.ID {
		t.Fatalf("June meeting = %+v, %v", june, err)
	}
	if sep, _ := s.MeetingInMonth(ctx, b.ID, time.September, start); sep != nil {
		t.Errorf("no September meeting was scheduled, got %+v", sep)
	}
	if err := s.ScheduleMeeting(ctx, &Meeting{BoardID: b.ID, StartsAt: start, EndsAt: start.Add(-time.Hour)}); errs.FieldOf(err) != "ends_at" {
		t.Errorf("ends before it starts: %v", err)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
