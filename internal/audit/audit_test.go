package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"quorum/internal/audit"
	"quorum/internal/db"
)

// newLog makes a database with the audit table and n events in it.
func newLog(t *testing.T, n int) *sql.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	if err := db.Migrate(ctx, d, db.Source{Name: "audit", FS: audit.Schema()}); err != nil {
		t.Fatal(err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{UserID: 7, Name: "Tom Brennan"})
	for i := range n {
		err := db.WithTx(ctx, d, func(tx *sql.Tx) error {
			var before any
			if i%2 == 1 {
				before = map[string]int{"n": i - 1}
			}
			return audit.Record(ctx, tx, "action.update_posted", "action", int64(i%3+1), before, map[string]int{"n": i})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// tamper runs SQL as an attacker with the file would: the append-only triggers dropped.
func tamper(t *testing.T, d *sql.DB, stmt string) {
	t.Helper()
	for _, q := range []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`, stmt} {
		if _, err := d.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestChainHolds(t *testing.T) {
	d := newLog(t, 10)
	checked, unchained, err := audit.Verify(context.Background(), d)
	if err != nil || checked != 10 || unchained != 0 {
		t.Fatalf("Verify: %d checked, %d unchained, %v", checked, unchained, err)
	}
	// The triggers still refuse changes to the log through SQL.
	if _, err := d.Exec(`UPDATE audit_events SET actor = 'x' WHERE id = 1`); err == nil {
		t.Error("an audit event could be updated")
	}
	if _, err := d.Exec(`DELETE FROM audit_events WHERE id = 1`); err == nil {
		t.Error("an audit event could be deleted")
	}
}

func TestTamperingIsFound(t *testing.T) {
	for _, c := range []struct {
		name, stmt string
		id         int64
		reason     string
	}{
		{"actor changed", `UPDATE audit_events SET actor = 'Someone Else' WHERE id = 4`, 4, "changed"},
		{"after changed", `UPDATE audit_events SET after = '{"n":99}' WHERE id = 6`, 6, "changed"},
		{"NULL made empty", `UPDATE audit_events SET before = '' WHERE id = 3`, 3, "changed"},
		{"time changed", `UPDATE audit_events SET at = '2020-01-01T00:00:00.000Z' WHERE id = 1`, 1, "changed"},
		{"middle deleted", `DELETE FROM audit_events WHERE id = 5`, 6, "deleted"},
		{"first deleted", `DELETE FROM audit_events WHERE id = 1`, 2, "deleted"},
		{"changed and rehashed", `UPDATE audit_events SET actor = 'x', hash = 'ab' || substr(hash, 3) WHERE id = 7`, 7, "changed"},
		{"hash removed", `UPDATE audit_events SET hash = '', prev_hash = '' WHERE id = 8`, 8, "removed"},
		{"deleted and renumbered", `DELETE FROM audit_events WHERE id = 5; UPDATE audit_events SET id = id - 1 WHERE id > 5`, 5, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newLog(t, 10)
			tamper(t, d, c.stmt)
			_, _, err := audit.Verify(context.Background(), d)
			var p *audit.Problem
			if !errors.As(err, &p) {
				t.Fatalf("Verify after %q: %v, want a problem", c.stmt, err)
			}
			if p.ID != c.id || !strings.Contains(p.Reason, c.reason) {
				t.Errorf("Verify found %v, want entry %d (%s)", p, c.id, c.reason)
			}
		})
	}
}

// TestRewrittenHashBreaksTheNextLink: rewriting an entry and its hash still breaks the link
// to the next entry, unless every later hash is rewritten too; a chain rewritten from the
// changed entry to the end holds, which is why verify's count is checked against a copy
// kept elsewhere (README).
func TestRewrittenHashBreaksTheNextLink(t *testing.T) {
	d := newLog(t, 5)
	var e audit.Entry
	err := d.QueryRow(`SELECT id, at, actor_user_id, actor, action, entity, entity_id, before, after, prev_hash FROM audit_events WHERE id = 2`).
		Scan(&e.ID, &e.At, &e.ActorUserID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash)
	if err != nil {
		t.Fatal(err)
	}
	e.Actor = "Forger"
	tamper(t, d, `UPDATE audit_events SET actor = 'Forger', hash = '`+e.Sum()+`' WHERE id = 2`)
	_, _, err = audit.Verify(context.Background(), d)
	var p *audit.Problem
	if !errors.As(err, &p) || p.ID != 3 || !strings.Contains(p.Reason, "does not follow") {
		t.Fatalf("Verify: %v, want entry 3 not following", err)
	}
}

func TestEventsBeforeTheChainAreCountedApart(t *testing.T) {
	d, err := db.Open(filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	// A database from before the chain: only the first migration, two events.
	old, err := fs.ReadFile(audit.Schema(), "001_audit.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(string(old)); err != nil {
		t.Fatal(err)
	}
	d.Exec(`INSERT INTO audit_events (actor, action, entity, entity_id) VALUES ('a', 'x', 'board', 1), ('a', 'y', 'board', 1)`)
	d.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT '')`)
	d.Exec(`INSERT INTO schema_migrations (name) VALUES ('audit/001_audit.sql')`)
	if err := db.Migrate(ctx, d, db.Source{Name: "audit", FS: audit.Schema()}); err != nil {
		t.Fatal(err)
	}
	if err := db.WithTx(ctx, d, func(tx *sql.Tx) error { return audit.Record(ctx, tx, "z", "board", 1, nil, nil) }); err != nil {
		t.Fatal(err)
	}
	checked, unchained, err := audit.Verify(ctx, d)
	if err != nil || checked != 1 || unchained != 2 {
		t.Fatalf("Verify: %d checked, %d unchained, %v", checked, unchained, err)
	}
}
