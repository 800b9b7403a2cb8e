package actions

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"quorum/internal/audit"
)

// dueAtOrBefore is the SQL condition "the action falls due at or before the meeting that
// starts at ?1 on the London day ?2": by a meeting starting no later, by a date no later,
// or by "the next meeting" counted from an earlier moment. Times are RFC 3339 in UTC, so
// they compare as text.
const dueAtOrBefore = `((a.due_meeting_id IS NOT NULL AND dm.starts_at <= ?1)
	OR (a.due_meeting_id IS NULL AND a.due_date <> '' AND a.due_date <= ?2)
	OR (a.due_meeting_id IS NULL AND a.due_next = 1 AND a.due_after < ?1))`

// CarryForward moves on every outstanding action of the board that fell due at this
// meeting (or before it) and is not done: it becomes due at the board's next meeting, its
// count goes up, and its history gains the meeting it passed through. With no next meeting
// scheduled, it is due at "the next meeting" until one is. It is called when the meeting's
// minutes are saved, inside that transaction; saving them again carries nothing twice.
// It answers how many actions it carried.
func (s *Store) CarryForward(ctx context.Context, sqlTx *sql.Tx, meetingID int64) (int, error) {
	tx := newTxn(sqlTx)
	defer tx.Close()
	m, err := loadMeeting(ctx, tx, meetingID)
	if err != nil {
		return 0, err
	}
	next, err := nextMeeting(ctx, tx, m)
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.ref, a.due_date, coalesce(a.due_meeting_id,0), a.due_next, a.carried_forward
		FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id
		WHERE a.board_id = ?3 AND a.status IN ('open','in_progress') AND coalesce(a.meeting_id,0) <> ?4
		AND `+dueAtOrBefore+`
		AND NOT EXISTS (SELECT 1 FROM action_meetings am WHERE am.action_id = a.id AND am.meeting_id = ?4 AND am.kind = 'carried')
		ORDER BY a.id`, m.starts, m.day(), m.boardID, m.id)
	if err != nil {
		return 0, fmt.Errorf("carry forward from meeting %d: %w", m.id, err)
	}
	type carried struct {
		id           int64
		ref, dueDate string
		dueMeeting   int64
		dueNext      bool
		count        int
	}
	var cs []carried
	for rows.Next() {
		var c carried
		if err := rows.Scan(&c.id, &c.ref, &c.dueDate, &c.dueMeeting, &c.dueNext, &c.count); err != nil {
			rows.Close()
			return 0, err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	list, now := idList(ids), formatTime(s.now())
	if next != 0 {
		_, err = tx.ExecContext(ctx, `UPDATE actions SET due_meeting_id = ?, due_date = '', due_next = 0, due_after = '',
			carried_forward = carried_forward + 1, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`, next, now, list)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE actions SET due_meeting_id = NULL, due_date = '', due_next = 1, due_after = ?,
			carried_forward = carried_forward + 1, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`, m.starts, now, list)
	}
	if err != nil {
		return 0, fmt.Errorf("carry forward from meeting %d: %w", m.id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO action_meetings (action_id, meeting_id, kind, to_meeting_id)
		SELECT value, ?, 'carried', ? FROM json_each(?)`, m.id, nullID(next), list); err != nil {
		return 0, err
	}
	for _, c := range cs {
		before := map[string]any{"due_date": c.dueDate, "due_meeting_id": c.dueMeeting, "due_next": c.dueNext, "carried_forward": c.count}
		after := map[string]any{"due_meeting_id": next, "due_next": next == 0, "carried_forward": c.count + 1, "from_meeting_id": m.id}
		if err := audit.Record(ctx, tx, "action.carry_forward", "action", c.id, before, after); err != nil {
			return 0, err
		}
	}
	return len(cs), nil
}

// OpenForMeeting lists every outstanding action of the meeting's board that was set before
// the meeting: those falling due at or before it first (DueAtMeeting), then the rest, each
// by due day and reference. It is the list the agenda's matters-arising item and the
// minutes draft both show, with references, owners, source minutes and latest updates.
func (s *Store) OpenForMeeting(ctx context.Context, meetingID int64) ([]Action, error) {
	m, err := loadMeeting(ctx, s.db, meetingID)
	if err != nil {
		return nil, err
	}
	as, err := s.queryActions(ctx, s.db, `SELECT `+actionCols+`, coalesce(`+dueAtOrBefore+`, 0)`+actionFrom+`
		WHERE a.board_id = ?3 AND a.status IN ('open','in_progress')
		AND ((a.meeting_id IS NULL AND a.created_at < ?1) OR sm.starts_at < ?1)
		ORDER BY a.year, a.seq`, m.starts, m.day(), m.boardID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(as, func(x, y Action) int {
		if x.DueAtMeeting != y.DueAtMeeting {
			if x.DueAtMeeting {
				return -1
			}
			return 1
		}
		dx, dy := x.Due.Day(), y.Due.Day()
		switch {
		case dx.Equal(dy):
			return 0
		case dx.IsZero():
			return 1
		case dy.IsZero():
			return -1
		case dx.Before(dy):
			return -1
		}
		return 1
	})
	return as, nil
}
