// Package db opens Quorum's SQLite database the one right way and applies every domain's
// embedded migrations in order.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // the pure-Go driver: no cgo, one static binary
)

// Open opens (or creates) the database file. The pragmas sit in the DSN because a
// PRAGMA executed once reaches only one pooled connection; _txlock=immediate takes the
// write lock at BEGIN so read-then-write transactions don't fail with SQLITE_BUSY.
func Open(file string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(FULL)&_txlock=immediate"
	d, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	d.SetMaxOpenConns(8)
	d.SetMaxIdleConns(8)
	if err := d.Ping(); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	return d, nil
}

// Source is one domain's migrations: files NNN_name.sql at the root of FS.
type Source struct {
	Name string
	FS   fs.FS
}

// Migrate applies, in order, the migrations of each source not yet applied. Sources are
// given in foreign-key order (meetings before actions before minutes).
func Migrate(ctx context.Context, d *sql.DB, sources ...Source) error {
	if _, err := d.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, src := range sources {
		names, err := fs.Glob(src.FS, "*.sql")
		if err != nil {
			return err
		}
		sort.Strings(names)
		for _, n := range names {
			key := path.Join(src.Name, n)
			if err := apply(ctx, d, src.FS, n, key); err != nil {
				return fmt.Errorf("migrate %s: %w", key, err)
			}
		}
	}
	return nil
}

func apply(ctx context.Context, d *sql.DB, fsys fs.FS, file, key string) error {
	return WithTx(ctx, d, func(tx *sql.Tx) error {
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, key).Scan(&done); err != nil {
			return err
		}
		if done > 0 {
			return nil
		}
		body, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, key)
		return err
	})
}

// WithTx runs fn in one transaction, committed when fn returns nil and rolled back
// otherwise.
func WithTx(ctx context.Context, d *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// IsUnique reports whether err is a UNIQUE constraint failure.
func IsUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsNoRows reports whether err is sql.ErrNoRows.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
