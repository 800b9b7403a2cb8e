// Package outbox keeps the mail Quorum sends, in the same database as everything else: a
// message is queued in the transaction of the change that causes it (an action completed
// with a document, a link for an officer), so that mail is never sent for a change that
// was rolled back, nor lost for one that was kept. Sending is a separate step behind the
// Sender interface; until an SMTP sender is configured the messages wait, listed for
// administrators at /admin/outbox.
package outbox

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/mail"
	"strings"
	"time"

	"quorum/internal/errs"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the outbox's migrations; apply it after auth's.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// Execer is what *sql.DB and *sql.Tx both offer, so a message can be queued inside the
// transaction of the change that causes it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Message is one mail, queued or sent.
type Message struct {
	ID        int64     `json:"id"`
	Key       string    `json:"key"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
}

// Enqueue queues a plain-text message to one address. key says why the message is sent
// and is unique: queuing the same key again does nothing and reports false.
func Enqueue(ctx context.Context, q Execer, to, subject, body, key string) (bool, error) {
	to, subject, key = strings.TrimSpace(to), strings.TrimSpace(subject), strings.TrimSpace(key)
	if key == "" {
		return false, errs.E(errs.Invalid, "A message needs a key")
	}
	if _, err := mail.ParseAddress(to); err != nil || strings.ContainsAny(to, "\r\n") {
		return false, errs.Field("to", "%q is not an email address", to)
	}
	if subject == "" || strings.ContainsAny(subject, "\r\n") {
		return false, errs.Field("subject", "A message needs a one-line subject")
	}
	res, err := q.ExecContext(ctx, `INSERT INTO outbox (key, to_address, subject, body, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, key, to, subject, body, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return false, fmt.Errorf("queue mail %s: %w", key, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Querier is what *sql.DB and *sql.Tx offer for reading.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// List reads messages, newest first: all, or only those still waiting; one page, and how
// many there are in all.
func List(ctx context.Context, q Querier, waitingOnly bool, offset, limit int) ([]Message, int, error) {
	where := ""
	if waitingOnly {
		where = " WHERE sent_at = ''"
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM outbox`+where).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = 50
	}
	rows, err := q.QueryContext(ctx, `SELECT id, key, to_address, subject, body, created_at, sent_at, attempts, last_error
		FROM outbox`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, limit, max(offset, 0))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// ByKeyPrefix reads the messages whose key starts with prefix, oldest first: what one
// change queued (prefix "circulate:action:12:").
func ByKeyPrefix(ctx context.Context, q Querier, prefix string) ([]Message, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, key, to_address, subject, body, created_at, sent_at, attempts, last_error
		FROM outbox WHERE key >= ? AND key < ? ORDER BY id`, prefix, prefix+"\U0010FFFF")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scan(rows *sql.Rows) (Message, error) {
	var m Message
	var created, sent string
	if err := rows.Scan(&m.ID, &m.Key, &m.To, &m.Subject, &m.Body, &created, &sent, &m.Attempts, &m.LastError); err != nil {
		return m, err
	}
	m.CreatedAt, _ = time.Parse(time.RFC3339, created)
	if sent != "" {
		m.SentAt, _ = time.Parse(time.RFC3339, sent)
	}
	return m, nil
}

// Sender hands a message to the world (SMTP, a provider's API). None is built in yet: the
// packs issue adds an SMTP sender (github.com/wneessen/go-mail) that the serve command
// runs Deliver with.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Deliver sends up to n waiting messages, oldest first, marking each sent or recording
// its error (to be tried again on the next run). It reports how many were sent.
func Deliver(ctx context.Context, d *sql.DB, s Sender, n int) (int, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, key, to_address, subject, body, created_at, sent_at, attempts, last_error
		FROM outbox WHERE sent_at = '' ORDER BY id LIMIT ?`, n)
	if err != nil {
		return 0, err
	}
	var waiting []Message
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		waiting = append(waiting, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range waiting {
		if err := s.Send(ctx, m); err != nil {
			if _, uerr := d.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`, err.Error(), m.ID); uerr != nil {
				return sent, uerr
			}
			continue
		}
		if _, err := d.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ?`,
			time.Now().UTC().Format(time.RFC3339), m.ID); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
