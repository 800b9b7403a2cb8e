package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
)

func TestMigrateOnceAndInOrder(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "m.db")
	src := Source{Name: "x", FS: fstest.MapFS{
		"001_a.sql": {Data: []byte(`CREATE TABLE a (id INTEGER PRIMARY KEY);`)},
		"002_b.sql": {Data: []byte(`CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));`)},
	}}
	for i := 0; i < 2; i++ {
		d, err := Open(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := Migrate(ctx, d, src); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		var n int
		d.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
		if n != 2 {
			t.Fatalf("applied = %d", n)
		}
		var mode string
		d.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		if mode != "wal" {
			t.Errorf("journal mode = %s", mode)
		}
		d.Close()
	}
	bad := Source{Name: "y", FS: fstest.MapFS{"001_bad.sql": {Data: []byte(`CREATE TABLE c (; nonsense`)}}}
	d, _ := Open(file)
	defer d.Close()
	if err := Migrate(ctx, d, bad); err == nil {
		t.Fatal("a broken migration must fail")
	}
	var n int
	d.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != 2 {
		t.Fatal("a failed migration must not be recorded")
	}
}

// Every pooled connection enforces foreign keys, because the pragma is in the DSN.
func TestForeignKeysOnEveryConnection(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "fk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Exec(`CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p_id INTEGER REFERENCES p(id));`)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.Exec(`INSERT INTO c VALUES (42)`); err == nil {
				t.Error("a dangling reference was accepted")
			}
		}()
	}
	wg.Wait()
}

// Concurrent read-then-write transactions wait for each other instead of failing with
// SQLITE_BUSY, thanks to _txlock=immediate and the busy timeout.
func TestConcurrentReadThenWrite(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Exec(`CREATE TABLE n (v INTEGER); INSERT INTO n VALUES (0)`)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := WithTx(context.Background(), d, func(tx *sql.Tx) error {
				var v int
				if err := tx.QueryRow(`SELECT v FROM n`).Scan(&v); err != nil {
					return err
				}
				_, err := tx.Exec(`UPDATE n SET v = ?`, v+1)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var v int
	d.QueryRow(`SELECT v FROM n`).Scan(&v)
	if v != 40 {
		t.Fatalf("v = %d, want 40 (lost updates)", v)
	}
}
