package actions

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// PlanLink is a signed link emailed to a plan action's lead who has no account: it
// updates that one action and no other, until it expires or the clerk withdraws it. Only
// the SHA-256 of its token is kept, as for officers' links to actions.
type PlanLink struct {
	ID         int64
	ActionID   int64
	PersonID   int64
	PersonName string
	ExpiresAt  time.Time
	RevokedAt  time.Time
	CreatedAt  time.Time
}

// Allows reports whether the link may change a plan action: its own, and no other.
func (l *PlanLink) Allows(actionID int64) bool { return l != nil && l.ActionID == actionID }

// Actor is who a change made through the link is recorded as.
func (l *PlanLink) Actor() audit.Actor {
	return audit.Actor{Name: l.PersonName + " (by emailed link)"}
}

// CreatePlanLink makes a link for the action's lead, valid for ttl, and answers its token.
// Only the action's lead person may be sent one.
func (s *Store) CreatePlanLink(ctx context.Context, actionID, personID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 || ttl > 90*24*time.Hour {
		return "", errs.Field("ttl", "A link lasts between a minute and 90 days")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.planAction(ctx, tx, actionID)
		if err != nil {
			return err
		}
		if a.LeadPersonID == 0 || a.LeadPersonID != personID {
			return errs.Field("person_id", "Only the action’s lead can be sent a link to it; set the lead first")
		}
		expires := s.now().Add(ttl)
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_links (token_hash, plan_action_id, person_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			hashToken(token), actionID, personID, formatTime(expires), formatTime(s.now()))
		if err != nil {
			return fmt.Errorf("create plan link: %w", err)
		}
		id, _ := res.LastInsertId()
		return audit.Record(ctx, tx, "plan_link.create", "plan_action", actionID, nil,
			map[string]any{"link_id": id, "person_id": personID, "expires_at": formatTime(expires)})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// UsePlanLink checks a link's token and answers the link while it may be used. A refusal
// says what happened and what to do.
func (s *Store) UsePlanLink(ctx context.Context, token string) (*PlanLink, error) {
	return s.usePlanLink(ctx, s.db, token)
}

func (s *Store) usePlanLink(ctx context.Context, q Querier, token string) (*PlanLink, error) {
	var l PlanLink
	var expires, revoked, created string
	var lead sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT l.id, l.plan_action_id, l.person_id, p.name, l.expires_at, l.revoked_at, l.created_at, pa.lead_person_id
		FROM plan_links l JOIN people p ON p.id = l.person_id JOIN plan_actions pa ON pa.id = l.plan_action_id WHERE l.token_hash = ?`,
		hashToken(strings.TrimSpace(token))).Scan(&l.ID, &l.ActionID, &l.PersonID, &l.PersonName, &expires, &revoked, &created, &lead)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "This link is not one Quorum sent, or it was copied incompletely. Ask the board’s clerk for a new one.")
	}
	if err != nil {
		return nil, err
	}
	l.ExpiresAt, l.RevokedAt, l.CreatedAt = parseTime(expires), parseTime(revoked), parseTime(created)
	when := func(t time.Time) string { return t.In(london).Format("3.04 pm on 2 January 2006") }
	switch {
	case !l.RevokedAt.IsZero():
		return nil, errs.E(errs.Forbidden, "This link was withdrawn at %s. Nothing has been changed. Ask the board’s clerk for a new one.", when(l.RevokedAt))
	case !s.now().Before(l.ExpiresAt):
		return nil, errs.E(errs.Forbidden, "This link expired at %s. Nothing has been changed. Ask the board’s clerk for a new one.", when(l.ExpiresAt))
	case lead.Int64 != l.PersonID:
		return nil, errs.E(errs.Forbidden, "You are no longer the lead for this action, so the link no longer works. Nothing has been changed.")
	}
	return &l, nil
}

// RevokePlanLinks withdraws every live link to a plan action.
func (s *Store) RevokePlanLinks(ctx context.Context, actionID int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE plan_links SET revoked_at = ? WHERE plan_action_id = ? AND revoked_at = ''`, formatTime(s.now()), actionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "plan_link.revoke", "plan_action", actionID, nil, nil)
	})
}

// LeadUpdate is what a lead may change on their own action: the progress, the comments,
// the RAG status and the dates.
type LeadUpdate struct {
	Progress, Comments, RAG, StartDate, EndDate string
}

// Apply puts the lead's changes on the action.
func (u LeadUpdate) Apply(a *PlanAction) {
	a.Progress, a.Comments, a.RAG, a.StartDate, a.EndDate = u.Progress, u.Comments, u.RAG, u.StartDate, u.EndDate
}

// UpdateByPlanLink makes a lead's update to the link's action, recorded as theirs. The
// link is checked in the same transaction as the change.
func (s *Store) UpdateByPlanLink(ctx context.Context, token string, u LeadUpdate) (*PlanAction, error) {
	var out *PlanAction
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		l, err := s.usePlanLink(ctx, tx, token)
		if err != nil {
			return err
		}
		a, err := s.planAction(ctx, tx, l.ActionID)
		if err != nil {
			return err
		}
		u.Apply(a)
		ctx := audit.WithActor(ctx, l.Actor())
		if _, err := s.updatePlanAction(ctx, tx, a, s.now()); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
