// Package mailer sends the outbox over SMTP (github.com/wneessen/go-mail): a background
// loop that hands each waiting message to the mail server once, retries one the server
// refused for now with a growing wait, and never sends a message twice, even across a
// restart in the middle of sending.
package mailer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"quorum/internal/outbox"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the mailer's migrations; apply them after the outbox's.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// SMTP sends messages through one mail server.
type SMTP struct {
	host string
	from string
	opts []mail.Option
}

// NewSMTP reads a mail server's address as a URL:
// smtp://user:password@host:587?from=clerk@example.org (STARTTLS required),
// smtps://... (TLS from the start), smtp+insecure://host:25 (no TLS: a relay on the
// same machine, or tests). from is the sender unless the URL names one.
func NewSMTP(raw, from string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	if f := u.Query().Get("from"); f != "" {
		from = f
	}
	if from == "" {
		return nil, errors.New("smtp url: say who the mail is from (?from=clerk@example.org)")
	}
	s := &SMTP{host: u.Hostname(), from: from, opts: []mail.Option{mail.WithTimeout(30 * time.Second)}}
	port := 587
	switch u.Scheme {
	case "smtp":
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "smtps":
		port = 465
		s.opts = append(s.opts, mail.WithSSL())
	case "smtp+insecure":
		port = 25
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp url: scheme %q is not smtp, smtps or smtp+insecure", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url: port %q", p)
		}
	}
	s.opts = append(s.opts, mail.WithPort(port))
	if u.User != nil {
		pw, _ := u.User.Password()
		s.opts = append(s.opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	return s, nil
}

// Send hands one message to the mail server. Its Message-ID is made from the outbox key,
// so that should a message ever go twice, mail programs see one.
func (s *SMTP) Send(ctx context.Context, m outbox.Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return permanent(err)
	}
	if err := msg.To(m.To); err != nil {
		return permanent(err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	sum := sha256.Sum256([]byte(m.Key))
	domain := s.from[strings.LastIndexByte(s.from, '@')+1:]
	msg.SetMessageIDWithValue(hex.EncodeToString(sum[:12]) + "@" + domain)
	msg.SetDateWithValue(m.CreatedAt)
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return permanent(err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.Reason != mail.ErrConnCheck && se.Reason != mail.ErrSMTPMailFrom {
			// A refused recipient or message stays refused; a server that can't be
			// reached, or is busy, is tried again.
			if se.Reason == mail.ErrSMTPRcptTo || se.Reason == mail.ErrSMTPData || se.Reason == mail.ErrSMTPDataClose {
				return permanent(err)
			}
		}
		return err
	}
	return nil
}

// permanentError is a message the server will never take: not retried.
type permanentError struct{ error }

func permanent(err error) error { return permanentError{err} }

// Runner sends what waits in the outbox, now and then.
type Runner struct {
	DB          *sql.DB
	Sender      outbox.Sender
	Log         *slog.Logger
	Every       time.Duration // how often to look (default 30 s)
	MaxAttempts int           // tries before a message is given up (default 8)
	Now         func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// Backoff is the wait after the nth failed try: 1, 2, 4 ... minutes, at most 2 hours.
func Backoff(n int) time.Duration {
	d := time.Minute << min(max(n-1, 0), 7)
	return min(d, 2*time.Hour)
}

// Run sends until ctx ends. A message left marked sending by the last run (a stop while
// the server had it) is marked unknown, not sent again.
func (r *Runner) Run(ctx context.Context) {
	if err := r.Recover(ctx); err != nil && r.Log != nil {
		r.Log.Error("mail", "err", err)
	}
	every := r.Every
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := r.RunOnce(ctx, 50); err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Error("mail", "err", err)
		} else if n > 0 && r.Log != nil {
			r.Log.Info("mail sent", "messages", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Recover marks as unknown the messages a stopped run left marked sending.
func (r *Runner) Recover(ctx context.Context) error {
	now := r.now().Format(time.RFC3339)
	if _, err := r.DB.ExecContext(ctx, `UPDATE outbox SET last_error = 'Stopped while sending: not sent again, in case it went. Check with the recipient.'
		WHERE id IN (SELECT outbox_id FROM mail_attempts WHERE state = 'sending')`); err != nil {
		return err
	}
	_, err := r.DB.ExecContext(ctx, `UPDATE mail_attempts SET state = 'unknown', updated_at = ? WHERE state = 'sending'`, now)
	return err
}

// RunOnce sends up to n messages that are due, and reports how many went.
func (r *Runner) RunOnce(ctx context.Context, n int) (int, error) {
	now := r.now()
	rows, err := r.DB.QueryContext(ctx, `SELECT o.id, o.key, o.to_address, o.subject, o.body, o.created_at, o.attempts
		FROM outbox o LEFT JOIN mail_attempts a ON a.outbox_id = o.id
		WHERE o.sent_at = '' AND (a.outbox_id IS NULL OR (a.state = 'retry' AND a.next_at <= ?))
		ORDER BY o.id LIMIT ?`, now.Format(time.RFC3339), n)
	if err != nil {
		return 0, err
	}
	var due []outbox.Message
	for rows.Next() {
		var m outbox.Message
		var created string
		if err := rows.Scan(&m.ID, &m.Key, &m.To, &m.Subject, &m.Body, &created, &m.Attempts); err != nil {
			rows.Close()
			return 0, err
		}
		m.CreatedAt, _ = time.Parse(time.RFC3339, created)
		due = append(due, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		ok, err := r.claim(ctx, m.ID)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // another runner has it
		}
		if err := r.Sender.Send(ctx, m); err != nil {
			if err := r.failed(ctx, m, err); err != nil {
				return sent, err
			}
			continue
		}
		if err := r.done(ctx, m.ID); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// claim marks a message sending, unless someone else did first.
func (r *Runner) claim(ctx context.Context, id int64) (bool, error) {
	res, err := r.DB.ExecContext(ctx, `INSERT INTO mail_attempts (outbox_id, state, updated_at) VALUES (?1, 'sending', ?2)
		ON CONFLICT (outbox_id) DO UPDATE SET state = 'sending', updated_at = ?2 WHERE state = 'retry'`, id, r.now().Format(time.RFC3339))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (r *Runner) done(ctx context.Context, id int64) error {
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ?`,
		r.now().Format(time.RFC3339), id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mail_attempts WHERE outbox_id = ?`, id); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *Runner) failed(ctx context.Context, m outbox.Message, sendErr error) error {
	max := r.MaxAttempts
	if max <= 0 {
		max = 8
	}
	attempts := m.Attempts + 1
	state, next := "retry", r.now().Add(Backoff(attempts)).Format(time.RFC3339)
	msg := sendErr.Error()
	var pe permanentError
	if errors.As(sendErr, &pe) || attempts >= max {
		state, next = "failed", ""
		msg = "Given up: " + msg
	} else {
		msg += " (trying again after " + next + ")"
	}
	if r.Log != nil {
		r.Log.Warn("mail not sent", "outbox_id", m.ID, "to", m.To, "attempt", attempts, "err", sendErr)
	}
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, last_error = ? WHERE id = ?`, attempts, msg, m.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mail_attempts SET state = ?, next_at = ?, updated_at = ? WHERE outbox_id = ?`,
		state, next, r.now().Format(time.RFC3339), m.ID); err != nil {
		return err
	}
	return tx.Commit()
}
