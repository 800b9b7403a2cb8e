// Package audit keeps the append-only record of who changed what, and when. Each domain
// writes its event in the same transaction as the change, so one never lands without the
// other.
package audit

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"time"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the audit table's migrations, rooted at the schema folder.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// Actor is who is making a change: a signed-in user, a token, an officer's signed link,
// or the system itself (demo data, carry forward).
type Actor struct {
	UserID int64
	Name   string
}

type actorKey struct{}

// WithActor returns ctx carrying the actor that audit events are written for.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; the system when none is set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Name: "system"}
}

// Tx is the transaction an event is written in: a *sql.Tx, or a wrapper of one that
// keeps its statements prepared (saving minutes records hundreds of events at once).
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Record appends one event inside tx. before and after are marshalled to JSON; nil is
// stored as NULL.
func Record(ctx context.Context, tx Tx, action, entity string, id int64, before, after any) error {
	a := ActorFrom(ctx)
	var uid any
	if a.UserID != 0 {
		uid = a.UserID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (actor_user_id, actor, action, entity, entity_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, uid, a.Name, action, entity, id, jsonOrNil(before), jsonOrNil(after))
	if err != nil {
		return fmt.Errorf("audit %s %s %d: %w", action, entity, id, err)
	}
	return nil
}

func jsonOrNil(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}

// Event is one audit entry as shown on a history page.
type Event struct {
	At     time.Time
	Actor  string
	Action string
	Before string
	After  string
}

// History lists the events of one entity, oldest first.
func History(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, entity string, id int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT at, actor, action, coalesce(before,''), coalesce(after,'')
		FROM audit_events WHERE entity = ? AND entity_id = ? ORDER BY id`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Before, &e.After); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse("2006-01-02T15:04:05.999Z", at)
		out = append(out, e)
	}
	return out, rows.Err()
}
