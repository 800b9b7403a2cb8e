package meetings

import (
	"context"
	"database/sql"
)

// Reads go through statements prepared once per store (db.Stmts).

// query runs a read through its prepared statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.stmts.QueryContext(ctx, query, args...)
}

// queryRow runs a one-row read through its prepared statement.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.stmts.QueryRowContext(ctx, query, args...)
}

// cached is the store as a querier for helpers that take one (seatOn), its reads through
// the prepared statements.
type cached struct{ s *Store }

func (c cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.s.queryRow(ctx, query, args...)
}
