package meetings

import (
	"context"
	"database/sql"
	"sync"
)

// Reads go through statements prepared once per store: compiling a statement costs
// pure-Go SQLite more than running the small queries a page makes, and the meeting page
// makes a dozen of them. A *sql.Stmt on the database is safe for concurrent use.

// maxStmts bounds the cache, so a query text built at run time cannot grow it for ever.
const maxStmts = 256

type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func (s *Store) stmt(ctx context.Context, query string) *sql.Stmt {
	c := &s.stmts
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	if st != nil {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st = c.m[query]; st != nil || len(c.m) >= maxStmts {
		return st
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// query runs a read through its prepared statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, query, args...)
}

// queryRow runs a one-row read through its prepared statement.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, query, args...)
}

// cached is the store as a querier for helpers that take one (seatOn), its reads through
// the prepared statements.
type cached struct{ s *Store }

func (c cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.s.queryRow(ctx, query, args...)
}
