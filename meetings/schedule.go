package meetings

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// MunicipalYear is the year a board's business runs in: from the first day of its
// starting month (May for most councils) to the day before the next.
func (b *Board) MunicipalYear(t time.Time) (start, end time.Time) {
	t = t.In(London)
	month := time.Month(b.YearStartMonth)
	if month < 1 || month > 12 {
		month = time.May
	}
	year := t.Year()
	if t.Month() < month {
		year--
	}
	start = time.Date(year, month, 1, 0, 0, 0, 0, London)
	return start, start.AddDate(1, 0, 0)
}

// SeriesDates are the start times of a series: first, then every months months, while
// before until. A day that does not exist in a month (31st) falls on its last day.
func SeriesDates(first time.Time, months int, until time.Time) []time.Time {
	if months < 1 {
		return []time.Time{first}
	}
	first = first.In(London)
	var out []time.Time
	for i := 0; i < 60; i++ {
		y, m := first.Year(), first.Month()+time.Month(i*months)
		day := first.Day()
		last := time.Date(y, m+1, 0, 0, 0, 0, 0, London).Day()
		if day > last {
			day = last
		}
		t := time.Date(y, m, day, first.Hour(), first.Minute(), 0, 0, London)
		if !t.Before(until) {
			break
		}
		out = append(out, t)
	}
	return out
}

// ScheduleSeries schedules several meetings of a board at once, each with its agenda, or
// none of them: a day on which the board already meets is refused.
func (s *Store) ScheduleSeries(ctx context.Context, boardID int64, starts []time.Time, length time.Duration, mode, place string) ([]Meeting, error) {
	if len(starts) == 0 {
		return nil, errs.Field("dates", "Enter at least one date for the series")
	}
	if len(starts) > 24 {
		return nil, errs.Field("dates", "A series may hold at most 24 meetings")
	}
	if length <= 0 {
		length = 2 * time.Hour
	}
	out := make([]Meeting, len(starts))
	seen := map[string]bool{}
	for i, t := range starts {
		out[i] = Meeting{BoardID: boardID, StartsAt: t, EndsAt: t.Add(length), Mode: mode, Place: place, Status: StatusScheduled}
		if err := out[i].Validate(); err != nil {
			return nil, err
		}
		day := t.In(London).Format("2006-01-02")
		if seen[day] {
			return nil, errs.Field("dates", "%s is in the series twice", t.In(London).Format("2 January 2006"))
		}
		seen[day] = true
	}
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, boardID).Scan(&n)
		if n == 0 {
			return errs.E(errs.NotFound, "No board %d", boardID)
		}
		for i := range out {
			m := &out[i]
			if err := checkClash(ctx, tx, boardID, 0, m.StartsAt); err != nil {
				return err
			}
			if err := insertMeeting(ctx, tx, m); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "meeting.schedule_series", "board", boardID, nil, map[string]int{"meetings": len(out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkClash refuses a second meeting of a board on the same London day.
func checkClash(ctx context.Context, tx *sql.Tx, boardID, except int64, t time.Time) error {
	start := time.Date(t.In(London).Year(), t.In(London).Month(), t.In(London).Day(), 0, 0, 0, 0, London)
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM meetings WHERE board_id = ? AND id <> ? AND status <> 'cancelled' AND starts_at >= ? AND starts_at < ?`,
		boardID, except, start.UTC().Format(timeFormat), start.AddDate(0, 0, 1).UTC().Format(timeFormat)).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return errs.Field("dates", "The board already meets on %s", t.In(London).Format("2 January 2006"))
	}
	return nil
}

func insertMeeting(ctx context.Context, tx *sql.Tx, m *Meeting) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO meetings (board_id, starts_at, ends_at, mode, place, status) VALUES (?, ?, ?, ?, ?, ?)`,
		m.BoardID, m.StartsAt.UTC().Format(timeFormat), m.EndsAt.UTC().Format(timeFormat), m.Mode, m.Place, m.Status)
	if err != nil {
		return fmt.Errorf("schedule meeting: %w", err)
	}
	m.ID, _ = res.LastInsertId()
	m.AgendaVersion = 1
	if err := buildAgenda(ctx, tx, m); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "meeting.schedule", "meeting", m.ID, nil, m)
}

// meetingForChange loads a meeting whose date, place or status is about to change: not one
// already cancelled, held or minuted.
func meetingForChange(ctx context.Context, tx *sql.Tx, id int64, what string) (*Meeting, error) {
	m, err := scanMeeting(tx.QueryRowContext(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No meeting %d", id)
	}
	if err != nil {
		return nil, err
	}
	switch m.Status {
	case StatusCancelled:
		return nil, errs.E(errs.Conflict, "This meeting is already cancelled")
	case StatusHeld, StatusMinutesDraft, StatusMinutesApproved:
		return nil, errs.E(errs.Conflict, "This meeting has been held: it can no longer be %s", what)
	}
	return &m, nil
}

// MoveMeeting gives a meeting a new time, mode or place, with a notice partners see on
// the meeting page. The time it was first due is kept.
func (s *Store) MoveMeeting(ctx context.Context, id int64, starts, ends time.Time, mode, place, notice string) error {
	notice = strings.TrimSpace(notice)
	if err := checkText("notice", "Notice", notice, 1000, true); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		before, err := meetingForChange(ctx, tx, id, "moved")
		if err != nil {
			return err
		}
		m := *before
		m.StartsAt, m.EndsAt, m.Mode, m.Place = starts, ends, mode, place
		if m.EndsAt.IsZero() {
			m.EndsAt = starts.Add(before.EndsAt.Sub(before.StartsAt))
		}
		if err := m.Validate(); err != nil {
			return err
		}
		if err := checkClash(ctx, tx, m.BoardID, m.ID, m.StartsAt); err != nil {
			return errs.Field("date", "%s", errs.Message(err))
		}
		if m.StartsAt.Equal(before.StartsAt) && m.EndsAt.Equal(before.EndsAt) && m.Mode == before.Mode && m.Place == before.Place {
			return errs.Field("date", "Change the date, time or place to move the meeting")
		}
		moved := before.MovedFrom
		if moved.IsZero() && !m.StartsAt.Equal(before.StartsAt) {
			moved = before.StartsAt
		}
		if notice == "" {
			notice = "This meeting has been moved."
		}
		movedText := ""
		if !moved.IsZero() {
			movedText = moved.UTC().Format(timeFormat)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET starts_at=?, ends_at=?, mode=?, place=?, notice=?, moved_from=? WHERE id=?`,
			m.StartsAt.UTC().Format(timeFormat), m.EndsAt.UTC().Format(timeFormat), m.Mode, m.Place, notice, movedText, m.ID); err != nil {
			return fmt.Errorf("move meeting %d: %w", id, err)
		}
		return audit.Record(ctx, tx, "meeting.move", "meeting", id, before, m)
	})
}

// CancelMeeting cancels a meeting that has not been held, with a notice partners see.
// Its agenda stays, for the record; forward-plan items aimed at it go back to planned.
func (s *Store) CancelMeeting(ctx context.Context, id int64, notice string) error {
	notice = strings.TrimSpace(notice)
	if notice == "" {
		return errs.Field("notice", "Enter a notice for partners, such as why the meeting is cancelled and when the board next meets")
	}
	if err := checkText("notice", "Notice", notice, 1000); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		before, err := meetingForChange(ctx, tx, id, "cancelled")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET status = ?, notice = ? WHERE id = ?`, StatusCancelled, notice, id); err != nil {
			return fmt.Errorf("cancel meeting %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forward_plan SET status = 'planned', target_meeting_id = NULL WHERE target_meeting_id = ? AND status IN ('planned','scheduled')`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "meeting.cancel", "meeting", id, before, map[string]string{"notice": notice})
	})
}
