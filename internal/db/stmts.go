package db

import (
	"context"
	"database/sql"
	"sync"
)

// Stmts runs reads on a database through statements prepared once per query text.
// Compiling a statement costs pure-Go SQLite more than running the small queries a page
// makes (the meeting page makes a dozen; every signed-in request checks the reader's
// roles). A *sql.Stmt on the database is safe for concurrent use, and so is Stmts.
type Stmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// maxStmts bounds the cache, so a query text built at run time cannot grow it for ever;
// past it, queries run unprepared.
const maxStmts = 256

// NewStmts returns an empty cache over d.
func NewStmts(d *sql.DB) *Stmts { return &Stmts{db: d, m: map[string]*sql.Stmt{}} }

func (c *Stmts) stmt(ctx context.Context, query string) *sql.Stmt {
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
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	c.m[query] = st
	return st
}

// QueryContext runs a read through its prepared statement.
func (c *Stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row read through its prepared statement.
func (c *Stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// Close releases the prepared statements (not the database).
func (c *Stmts) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, st := range c.m {
		st.Close()
		delete(c.m, k)
	}
	return nil
}
