package actions

import (
	"context"
	"database/sql"
	"time"

	"quorum/internal/db"
)

// Reminder is one "your action is due soon" message to send, with whom to send it to.
type Reminder struct {
	ActionID   int64       `json:"action_id"`
	BoardID    int64       `json:"board_id"`
	Ref        string      `json:"ref"`
	Text       string      `json:"text"`
	DueOn      time.Time   `json:"due_on"` // the London day it falls due
	ByMeeting  bool        `json:"by_meeting"`
	Recipients []Recipient `json:"recipients"`
}

// Recipient is a person a reminder goes to.
type Recipient struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
}

// DueReminders finds the outstanding actions falling due within daysBefore days of now
// (by date, or by a meeting on that day) that have had no reminder for that due day, and
// records each as sent in the same transaction: asked twice, even at once, it never
// answers the same action and day twice. An action whose due day moves is reminded again
// for the new day. The caller puts the answers in the mail outbox.
func (s *Store) DueReminders(ctx context.Context, now time.Time, daysBefore int) ([]Reminder, error) {
	if daysBefore < 0 {
		daysBefore = 0
	}
	today := londonDay(now)
	last := today.AddDate(0, 0, daysBefore)
	var out []Reminder
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		// Two indexed halves: by due date, and by the due meeting's start.
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.board_id, a.ref, a.text, a.due_date, '' FROM actions a
			WHERE a.due_date <> '' AND a.due_date BETWEEN ? AND ? AND a.status IN ('open','in_progress')
			UNION ALL
			SELECT a.id, a.board_id, a.ref, a.text, '', m.starts_at FROM meetings m JOIN actions a ON a.due_meeting_id = m.id
			WHERE m.starts_at >= ? AND m.starts_at < ? AND m.status <> 'cancelled' AND a.status IN ('open','in_progress')`,
			today.Format(time.DateOnly), last.Format(time.DateOnly), formatTime(now), formatTime(last.AddDate(0, 0, 1)))
		if err != nil {
			return err
		}
		var candidates []Reminder
		for rows.Next() {
			var r Reminder
			var date, starts string
			if err := rows.Scan(&r.ActionID, &r.BoardID, &r.Ref, &r.Text, &date, &starts); err != nil {
				rows.Close()
				return err
			}
			if date != "" {
				r.DueOn, _ = time.ParseInLocation(time.DateOnly, date, london)
			} else {
				r.DueOn, r.ByMeeting = londonDay(parseTime(starts)), true
			}
			candidates = append(candidates, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range candidates {
			res, err := tx.ExecContext(ctx, `INSERT INTO action_reminders (action_id, kind, for_date) VALUES (?, 'due', ?)
				ON CONFLICT (action_id, kind, for_date) DO NOTHING`, r.ActionID, r.DueOn.Format(time.DateOnly))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if r.Recipients, err = recipients(ctx, tx, r.ActionID, r.BoardID, today.Format(time.DateOnly)); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// recipients are the people an action's reminder goes to: its person and role owners,
// and for an organisation or a group, the board's current members seated for each
// organisation still to act.
func recipients(ctx context.Context, q Querier, actionID, boardID int64, day string) ([]Recipient, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.name, p.email FROM action_owners o JOIN people p ON p.id = o.person_id
		WHERE o.action_id = ?1
		UNION
		SELECT p.id, p.name, p.email FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.board_id = ?2 AND (m.ends_on = '' OR m.ends_on >= ?3) AND m.role <> 'clerk'
		AND coalesce(m.organisation_id, p.organisation_id) IN (
			SELECT organisation_id FROM action_owners WHERE action_id = ?1 AND organisation_id IS NOT NULL
			UNION SELECT organisation_id FROM action_responses WHERE action_id = ?1 AND status = 'pending')
		ORDER BY 2`, actionID, boardID, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Recipient{}
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Email); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
