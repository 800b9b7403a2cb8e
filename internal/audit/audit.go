// Package audit keeps the append-only record of who changed what, and when. Each domain
// writes its event in the same transaction as the change, so one never lands without the
// other.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strconv"
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
// stored as NULL. The event is chained to the one before it (see Hash); every write
// transaction holds SQLite's write lock from BEGIN (_txlock=immediate), so reading the
// last event and appending the next cannot interleave with another writer.
func Record(ctx context.Context, tx Tx, action, entity string, id int64, before, after any) error {
	a := ActorFrom(ctx)
	e := Entry{At: time.Now().UTC().Format(atFormat), Actor: a.Name, Action: action, Entity: entity, EntityID: id,
		Before: jsonOrNil(before), After: jsonOrNil(after)}
	if a.UserID != 0 {
		e.ActorUserID = sql.NullInt64{Int64: a.UserID, Valid: true}
	}
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&e.ID, &e.PrevHash)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit %s %s %d: %w", action, entity, id, err)
	}
	e.ID++
	e.Hash = e.Sum()
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor_user_id, actor, action, entity, entity_id, before, after, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.At, e.ActorUserID, e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit %s %s %d: %w", action, entity, id, err)
	}
	return nil
}

// atFormat is SQLite's strftime('%Y-%m-%dT%H:%M:%fZ'), the column's default.
const atFormat = "2006-01-02T15:04:05.000Z"

// Entry is one audit_events row as stored, for chaining and verifying.
type Entry struct {
	ID          int64
	At          string
	ActorUserID sql.NullInt64
	Actor       string
	Action      string
	Entity      string
	EntityID    int64
	Before      sql.NullString
	After       sql.NullString
	PrevHash    string
	Hash        string
}

// Sum is the entry's hash: hex SHA-256 over the previous entry's hash and every field of
// this one, each length-prefixed (NULL written apart from the empty string), so that no
// change to a field, and no other order of the same bytes, gives the same sum.
func (e *Entry) Sum() string {
	h := sha256.New()
	str := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	nullStr := func(s sql.NullString) {
		if !s.Valid {
			io.WriteString(h, "-;")
			return
		}
		str(s.String)
	}
	str(e.PrevHash)
	str(strconv.FormatInt(e.ID, 10))
	str(e.At)
	if e.ActorUserID.Valid {
		str(strconv.FormatInt(e.ActorUserID.Int64, 10))
	} else {
		io.WriteString(h, "-;")
	}
	str(e.Actor)
	str(e.Action)
	str(e.Entity)
	str(strconv.FormatInt(e.EntityID, 10))
	nullStr(e.Before)
	nullStr(e.After)
	return hex.EncodeToString(h.Sum(nil))
}

// Problem is the first place where the chain does not hold.
type Problem struct {
	ID     int64  // the entry at which the chain breaks
	Reason string // what is wrong there
}

func (p *Problem) Error() string { return fmt.Sprintf("audit event %d: %s", p.ID, p.Reason) }

// Verify walks the audit log in order and returns the first entry changed, or the first
// place where entries were deleted, as a *Problem; nil when every chained entry holds,
// with how many entries were checked and how many predate the chain. An attacker who
// deletes the newest entries leaves a shorter chain that still holds: compare the count
// with a copy kept elsewhere (a backup, a replica) to see that.
func Verify(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (checked, unchained int, err error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor_user_id, actor, action, entity, entity_id, before, after, prev_hash, hash
		FROM audit_events ORDER BY id`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var prev Entry
	chained := false
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.At, &e.ActorUserID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return checked, unchained, err
		}
		switch {
		case e.Hash == "" && !chained:
			unchained++ // written before the chain began
		case e.Hash == "":
			return checked, unchained, &Problem{e.ID, "its hash has been removed"}
		case chained && e.ID != prev.ID+1:
			return checked, unchained, &Problem{e.ID, fmt.Sprintf("the entries between %d and %d have been deleted", prev.ID, e.ID)}
		case e.PrevHash != prev.Hash:
			return checked, unchained, &Problem{e.ID, "it does not follow the entry before it: that entry was changed or deleted"}
		case e.Sum() != e.Hash:
			return checked, unchained, &Problem{e.ID, "it has been changed since it was written"}
		}
		if e.Hash != "" {
			chained = true
			checked++
		}
		prev = e
	}
	return checked, unchained, rows.Err()
}

func jsonOrNil(v any) sql.NullString {
	if v == nil {
		return sql.NullString{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
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
