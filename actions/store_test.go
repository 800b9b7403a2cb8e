package actions

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// newTestDB opens a migrated database in a temporary file (not :memory:, which hides WAL
// and locking).
func newTestDB(t testing.TB) *sql.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "quorum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// audit.Schema has been rooted both at the package and at its schema folder: take
	// whichever holds the files.
	var auditFS fs.FS = audit.Schema()
	if names, _ := fs.Glob(auditFS, "*.sql"); len(names) == 0 {
		auditFS, _ = fs.Sub(auditFS, "schema")
	}
	if err := db.Migrate(context.Background(), d,
		db.Source{Name: "audit", FS: auditFS},
		db.Source{Name: "meetings", FS: os.DirFS("../meetings/schema")},
		db.Source{Name: "actions", FS: Schema()},
	); err != nil {
		t.Fatal(err)
	}
	return d
}

// fixture is a small partnership: the Safer Banford Partnership (SBP) with a chair, a
// vice-chair, a clerk and members from the council, police, fire and a voluntary forum,
// three meetings, and a second board (OTH) with one meeting.
type fixture struct {
	t                          testing.TB
	db                         *sql.DB
	s                          *Store
	board, other               int64
	council, police, fire, vsf int64
	jane, karen, alan, anne    int64
	carol, olly                int64
	m1, m2, m3, otherMeeting   int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := newTestDB(t)
	f := &fixture{t: t, db: d, s: NewStore(d)}
	f.s.now = func() time.Time { return time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC) }
	f.council = f.insert(`INSERT INTO organisations (name, handle, kind, partner) VALUES ('Banford Council', 'council', 'council', 1)`)
	f.police = f.insert(`INSERT INTO organisations (name, handle, kind, partner) VALUES ('Banford Police', 'police', 'police', 1)`)
	f.fire = f.insert(`INSERT INTO organisations (name, handle, kind, partner) VALUES ('Banford Fire and Rescue', 'fire', 'fire', 1)`)
	f.vsf = f.insert(`INSERT INTO organisations (name, handle, kind, partner) VALUES ('Voluntary Sector Forum', 'vsf', 'voluntary', 0)`)
	person := func(name, initials, handle string, org int64) int64 {
		return f.insert(`INSERT INTO people (name, initials, handle, email, organisation_id) VALUES (?, ?, ?, ?, ?)`,
			name, initials, handle, handle+"@example.org", org)
	}
	f.jane = person("Jane Smith", "JS", "jane-smith", f.council)
	f.karen = person("Karen Patel", "KP", "kpatel", f.fire)
	f.alan = person("Alan Brown", "AB", "abrown", f.police)
	f.anne = person("Anne Bell", "AB", "abell", f.vsf)
	f.carol = person("Carol Clerk", "CC", "carol", f.council)
	f.olly = person("Olly Officer", "OO", "olly", f.police)
	f.board = f.insert(`INSERT INTO boards (name, short_name, year_start_month, clerk_id) VALUES ('Safer Banford Partnership', 'SBP', 5, ?)`, f.carol)
	f.other = f.insert(`INSERT INTO boards (name, short_name) VALUES ('Other Board', 'OTH')`)
	member := func(board, person int64, role string, org int64) {
		f.insert(`INSERT INTO memberships (board_id, person_id, role, organisation_id) VALUES (?, ?, ?, ?)`, board, person, role, org)
	}
	member(f.board, f.jane, "chair", f.council)
	member(f.board, f.karen, "vice-chair", f.fire)
	member(f.board, f.alan, "member", f.police)
	member(f.board, f.anne, "member", f.vsf)
	member(f.board, f.carol, "clerk", f.council)
	member(f.other, f.olly, "member", f.police)
	f.m1 = f.meeting(f.board, "2026-01-15T10:00:00Z")
	f.m2 = f.meeting(f.board, "2026-03-19T10:00:00Z")
	f.m3 = f.meeting(f.board, "2026-05-21T09:00:00Z")
	f.otherMeeting = f.meeting(f.other, "2026-01-16T10:00:00Z")
	return f
}

func (f *fixture) insert(q string, args ...any) int64 {
	f.t.Helper()
	res, err := f.db.Exec(q, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

func (f *fixture) meeting(board int64, starts string) int64 {
	return f.insert(`INSERT INTO meetings (board_id, starts_at) VALUES (?, ?)`, board, starts)
}

// sync saves the ACTION lines of a meeting's minutes in a transaction, as the minutes
// package does.
func (f *fixture) sync(meeting int64, drafts ...Draft) (map[int]string, error) {
	f.t.Helper()
	var refs map[int]string
	err := db.WithTx(context.Background(), f.db, func(tx *sql.Tx) error {
		var err error
		refs, err = f.s.SyncFromMinutes(context.Background(), tx, meeting, drafts)
		return err
	})
	return refs, err
}

func (f *fixture) mustSync(meeting int64, drafts ...Draft) map[int]string {
	f.t.Helper()
	refs, err := f.sync(meeting, drafts...)
	if err != nil {
		f.t.Fatal(err)
	}
	return refs
}

func (f *fixture) carry(meeting int64) int {
	f.t.Helper()
	var n int
	err := db.WithTx(context.Background(), f.db, func(tx *sql.Tx) error {
		var err error
		n, err = f.s.CarryForward(context.Background(), tx, meeting)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) byRef(ref string) *Action {
	f.t.Helper()
	a, err := f.s.ActionByRef(context.Background(), ref)
	if err != nil {
		f.t.Fatalf("%s: %v", ref, err)
	}
	return a
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got no error", code)
	}
	if errs.Code(err) != code {
		t.Fatalf("want %s, got %s: %v", code, errs.Code(err), err)
	}
}

func TestSchemaGlob(t *testing.T) {
	names, err := fs.Glob(Schema(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("Schema() has no *.sql at its root: %v %v", names, err)
	}
}
