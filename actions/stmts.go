package actions

import (
	"context"
	"database/sql"
)

// preparer is a transaction, a connection or the database: what can prepare a statement.
type preparer interface {
	Querier
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmts runs statements on one transaction or connection, preparing each distinct text
// once. Compiling a statement costs pure-Go SQLite more than running it, and saving the
// minutes runs the same dozen statements for each of hundreds of actions. It is a Querier;
// Close releases what it prepared (a transaction's statements also close with it).
type stmts struct {
	q     preparer
	cache map[string]*sql.Stmt
}

func newStmts(q preparer) *stmts { return &stmts{q: q, cache: map[string]*sql.Stmt{}} }

func (c *stmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.cache[query]; ok {
		return st, nil
	}
	st, err := c.q.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.cache[query] = st
	return st, nil
}

func (c *stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		// *sql.Row carries its error only from a query: let the unprepared one report it.
		return c.q.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Close releases the prepared statements.
func (c *stmts) Close() error {
	for k, st := range c.cache {
		st.Close()
		delete(c.cache, k)
	}
	return nil
}

// txn is a transaction whose statements are prepared once each; tx is kept for what needs
// the transaction itself (audit events, the hooks of other packages).
type txn struct {
	*stmts
	tx *sql.Tx
}

func newTxn(tx *sql.Tx) *txn { return &txn{stmts: newStmts(tx), tx: tx} }

// reader answers a Querier that prepares each statement once, and the function that
// releases it. A database is read through one connection of its pool, so that the
// statements are prepared on the connection that runs them.
func reader(ctx context.Context, q Querier) (Querier, func(), error) {
	switch v := q.(type) {
	case *stmts, *txn:
		return q, func() {}, nil
	case *sql.DB:
		conn, err := v.Conn(ctx)
		if err != nil {
			return nil, nil, err
		}
		st := newStmts(conn)
		return st, func() { st.Close(); conn.Close() }, nil
	case preparer:
		st := newStmts(v)
		return st, func() { st.Close() }, nil
	}
	return q, func() {}, nil
}
