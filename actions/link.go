package actions

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// LinkPurpose is what an officer's link is for: updating or completing its one action.
const LinkPurpose = "action"

// Link is a signed link emailed to an officer (who may have no account) for one action.
// Only the SHA-256 of its token is kept, so the database cannot give the link away.
type Link struct {
	ID         int64
	ActionID   int64
	PersonID   int64
	PersonName string
	Purpose    string
	ExpiresAt  time.Time
	UsedAt     time.Time
	RevokedAt  time.Time
	CreatedAt  time.Time
}

// Allows reports whether the link may act on an action: its own, and no other.
func (l *Link) Allows(actionID int64) bool { return l != nil && l.ActionID == actionID }

// Actor is who a change made through the link is recorded as.
func (l *Link) Actor() audit.Actor {
	return audit.Actor{Name: l.PersonName + " (by emailed link)"}
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateLink makes a link for a person to update or complete one action, valid for ttl,
// and answers its token (to be put in the emailed URL; it is not kept).
func (s *Store) CreateLink(ctx context.Context, actionID, personID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 || ttl > 90*24*time.Hour {
		return "", errs.Field("ttl", "A link lasts between a minute and 90 days")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM actions WHERE id = ?`, actionID).Scan(&status)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No action %d", actionID)
		}
		if err != nil {
			return err
		}
		if !outstanding(status) {
			return errs.E(errs.Conflict, "The action is %s; it needs no link", strings.ToLower(StatusLabel(status)))
		}
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, personID).Scan(&n)
		if n == 0 {
			return errs.E(errs.NotFound, "No person %d", personID)
		}
		expires := s.now().Add(ttl)
		res, err := tx.ExecContext(ctx, `INSERT INTO action_links (token_hash, action_id, person_id, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hashToken(token), actionID, personID, LinkPurpose, formatTime(expires), formatTime(s.now()))
		if err != nil {
			return fmt.Errorf("create link: %w", err)
		}
		id, _ := res.LastInsertId()
		return audit.Record(ctx, tx, "action_link.create", "action", actionID, nil,
			map[string]any{"link_id": id, "person_id": personID, "expires_at": formatTime(expires)})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// UseLink checks a link's token and answers the link when it may still be used: not
// expired, withdrawn or used, and its action still outstanding. Each refusal says what
// happened and what to do, for the page the officer lands on.
func (s *Store) UseLink(ctx context.Context, token string) (*Link, error) {
	return s.useLink(ctx, s.db, token)
}

func (s *Store) useLink(ctx context.Context, q Querier, token string) (*Link, error) {
	var l Link
	var expires, used, revoked, created, status, ref string
	err := q.QueryRowContext(ctx, `SELECT l.id, l.action_id, l.person_id, p.name, l.purpose, l.expires_at, l.used_at, l.revoked_at, l.created_at, a.status, a.ref
		FROM action_links l JOIN people p ON p.id = l.person_id JOIN actions a ON a.id = l.action_id WHERE l.token_hash = ?`, hashToken(strings.TrimSpace(token))).
		Scan(&l.ID, &l.ActionID, &l.PersonID, &l.PersonName, &l.Purpose, &expires, &used, &revoked, &created, &status, &ref)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "This link is not one Quorum sent, or it was copied incompletely. Ask the board's clerk for a new one.")
	}
	if err != nil {
		return nil, err
	}
	l.ExpiresAt, l.UsedAt, l.RevokedAt, l.CreatedAt = parseTime(expires), parseTime(used), parseTime(revoked), parseTime(created)
	when := func(t time.Time) string { return t.In(london).Format("3.04 pm on 2 January 2006") }
	switch {
	case !l.RevokedAt.IsZero():
		return nil, errs.E(errs.Forbidden, "This link was withdrawn at %s. Nothing has been changed. Ask the board's clerk for a new one.", when(l.RevokedAt))
	case !l.UsedAt.IsZero():
		return nil, errs.E(errs.Forbidden, "This link was already used to complete %s at %s. Nothing has been changed.", ref, when(l.UsedAt))
	case !s.now().Before(l.ExpiresAt):
		return nil, errs.E(errs.Forbidden, "This link expired at %s. Nothing has been changed. Ask the board's clerk for a new one.", when(l.ExpiresAt))
	case !outstanding(status):
		return nil, errs.E(errs.Conflict, "%s is already %s. Nothing has been changed.", ref, strings.ToLower(StatusLabel(status)))
	}
	return &l, nil
}

// RevokeLink withdraws a link; it can no longer be used.
func (s *Store) RevokeLink(ctx context.Context, linkID int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var actionID int64
		err := tx.QueryRowContext(ctx, `SELECT action_id FROM action_links WHERE id = ?`, linkID).Scan(&actionID)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No link %d", linkID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE action_links SET revoked_at = ? WHERE id = ? AND revoked_at = ''`, formatTime(s.now()), linkID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "action_link.revoke", "action", actionID, nil, map[string]any{"link_id": linkID})
	})
}

// Links lists the links made for an action, newest first.
func (s *Store) Links(ctx context.Context, actionID int64) ([]Link, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.id, l.action_id, l.person_id, p.name, l.purpose, l.expires_at, l.used_at, l.revoked_at, l.created_at
		FROM action_links l JOIN people p ON p.id = l.person_id WHERE l.action_id = ? ORDER BY l.id DESC`, actionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Link{}
	for rows.Next() {
		var l Link
		var expires, used, revoked, created string
		if err := rows.Scan(&l.ID, &l.ActionID, &l.PersonID, &l.PersonName, &l.Purpose, &expires, &used, &revoked, &created); err != nil {
			return nil, err
		}
		l.ExpiresAt, l.UsedAt, l.RevokedAt, l.CreatedAt = parseTime(expires), parseTime(used), parseTime(revoked), parseTime(created)
		out = append(out, l)
	}
	return out, rows.Err()
}

// UpdateByLink posts a progress note through an officer's link. The link stays usable.
func (s *Store) UpdateByLink(ctx context.Context, token, text string) (*Update, error) {
	u := &Update{Text: text}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		l, err := s.useLink(ctx, tx, token)
		if err != nil {
			return err
		}
		ctx := audit.WithActor(ctx, l.Actor())
		u.ActionID, u.Author, u.CreatedAt = l.ActionID, l.Actor().Name, s.now().UTC().Truncate(time.Second)
		return s.addUpdate(ctx, tx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CompleteByLink marks the link's action done (with a note, a document, or both) and
// uses the link up. The same request made again (requestKey) is answered as before.
func (s *Store) CompleteByLink(ctx context.Context, token, note string, documentID int64, requestKey string) (*Link, error) {
	return s.CompleteByLinkThen(ctx, token, note, documentID, requestKey, nil)
}

// CompleteByLinkThen is CompleteByLink, running then in the same transaction once the
// action is done (see CompleteThen). A repeated request answers a nil link.
func (s *Store) CompleteByLinkThen(ctx context.Context, token, note string, documentID int64, requestKey string, then AfterComplete) (*Link, error) {
	var link *Link
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		l, err := s.useLink(ctx, tx, token)
		if err != nil {
			if requestKey != "" && s.sameCompletion(ctx, tx, token, requestKey) {
				return nil
			}
			return err
		}
		link = l
		ctx := audit.WithActor(ctx, l.Actor())
		if err := s.complete(ctx, tx, l.ActionID, note, documentID, requestKey, then); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE action_links SET used_at = ? WHERE id = ?`, formatTime(s.now()), l.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "action_link.use", "action", l.ActionID, nil, map[string]any{"link_id": l.ID})
	})
	return link, err
}

// sameCompletion reports whether the link was used for the completion made with
// requestKey: a retried request.
func (s *Store) sameCompletion(ctx context.Context, q Querier, token, requestKey string) bool {
	var n int
	q.QueryRowContext(ctx, `SELECT count(*) FROM action_links l JOIN actions a ON a.id = l.action_id
		WHERE l.token_hash = ? AND l.used_at <> '' AND a.completion_key = ?`, hashToken(strings.TrimSpace(token)), requestKey).Scan(&n)
	return n > 0
}
