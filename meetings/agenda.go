package meetings

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

const timeFormat = time.RFC3339

const meetingCols = `m.id, m.board_id, b.name, b.short_name, m.starts_at, m.ends_at, m.mode, m.place, m.status, m.notice`

func scanMeeting(sc interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var starts, ends string
	err := sc.Scan(&m.ID, &m.BoardID, &m.BoardName, &m.BoardShort, &starts, &ends, &m.Mode, &m.Place, &m.Status, &m.Notice)
	m.StartsAt, _ = time.Parse(timeFormat, starts)
	m.EndsAt, _ = time.Parse(timeFormat, ends)
	return m, err
}

// ScheduleMeeting adds a meeting to a board and builds its agenda: the standard items
// around the board's standing items, in the board's order.
func (s *Store) ScheduleMeeting(ctx context.Context, m *Meeting) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Status == "" {
		m.Status = StatusScheduled
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, m.BoardID).Scan(&n)
		if n == 0 {
			return errs.E(errs.NotFound, "No board %d", m.BoardID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO meetings (board_id, starts_at, ends_at, mode, place, status) VALUES (?, ?, ?, ?, ?, ?)`,
			m.BoardID, m.StartsAt.UTC().Format(timeFormat), m.EndsAt.UTC().Format(timeFormat), m.Mode, m.Place, m.Status)
		if err != nil {
			return fmt.Errorf("schedule meeting: %w", err)
		}
		m.ID, _ = res.LastInsertId()
		if err := buildAgenda(ctx, tx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "meeting.schedule", "meeting", m.ID, nil, m)
	})
}

func buildAgenda(ctx context.Context, tx *sql.Tx, m *Meeting) error {
	var items []AgendaItem
	for _, s := range standardOpening {
		items = append(items, AgendaItem{Title: s.title, Kind: KindStandard, StandardKey: s.key})
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, title, purpose, presenter FROM standing_items WHERE board_id = ? ORDER BY position, id`, m.BoardID)
	if err != nil {
		return err
	}
	var standing []AgendaItem
	for rows.Next() {
		it := AgendaItem{Kind: KindStanding}
		var sid int64
		if err := rows.Scan(&sid, &it.Title, &it.Purpose, &it.Presenter); err != nil {
			rows.Close()
			return err
		}
		it.StandardKey = "standing:" + strconv.FormatInt(sid, 10)
		standing = append(standing, it)
	}
	rows.Close()
	items = append(items, standing...)
	for _, s := range standardClosing {
		items = append(items, AgendaItem{Title: s.title, Kind: KindStandard, StandardKey: s.key})
	}
	for i := range items {
		it := &items[i]
		it.MeetingID, it.Position, it.Number = m.ID, i+1, strconv.Itoa(i+1)
		if err := insertItem(ctx, tx, it); err != nil {
			return err
		}
	}
	m.Items = items
	return nil
}

func insertItem(ctx context.Context, tx *sql.Tx, it *AgendaItem) error {
	var standingID any
	if len(it.StandardKey) > 9 && it.StandardKey[:9] == "standing:" {
		standingID, _ = strconv.ParseInt(it.StandardKey[9:], 10, 64)
		it.StandardKey = ""
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO agenda_items (meeting_id, position, number, title, kind, standard_key, purpose, presenter,
		duration_minutes, exempt, exempt_reason, postponed_from, standing_item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.MeetingID, it.Position, it.Number, it.Title, it.Kind, it.StandardKey, it.Purpose, it.Presenter, it.Duration,
		boolInt(it.Exempt), it.ExemptReason, nullID(it.PostponedFrom), standingID)
	if err != nil {
		return fmt.Errorf("add agenda item: %w", err)
	}
	it.ID, _ = res.LastInsertId()
	return nil
}

// AddItem adds a substantive item before "Any other business", renumbering what follows.
func (s *Store) AddItem(ctx context.Context, it *AgendaItem) error {
	if err := it.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM meetings WHERE id = ?`, it.MeetingID).Scan(&status)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No meeting %d", it.MeetingID)
		}
		if status == StatusMinutesApproved {
			return errs.E(errs.Conflict, "The minutes of this meeting are approved; its agenda can no longer change")
		}
		var pos sql.NullInt64
		tx.QueryRowContext(ctx, `SELECT min(position) FROM agenda_items WHERE meeting_id = ? AND standard_key IN ('aob','next_meeting')`, it.MeetingID).Scan(&pos)
		if !pos.Valid {
			tx.QueryRowContext(ctx, `SELECT coalesce(max(position),0)+1 FROM agenda_items WHERE meeting_id = ?`, it.MeetingID).Scan(&pos)
		}
		it.Position = int(pos.Int64)
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position = position + 1 WHERE meeting_id = ? AND position >= ?`, it.MeetingID, it.Position); err != nil {
			return err
		}
		it.Number = strconv.Itoa(it.Position)
		if err := insertItem(ctx, tx, it); err != nil {
			return err
		}
		if err := renumber(ctx, tx, it.MeetingID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "agenda_item.create", "agenda_item", it.ID, nil, it)
	})
}

// renumber gives top-level items the numbers 1..n in position order. Sub-items (7a) keep
// their letter under their parent's new number.
func renumber(ctx context.Context, tx *sql.Tx, meetingID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position`, meetingID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET number = ? WHERE id = ?`, strconv.Itoa(i+1), id); err != nil {
			return err
		}
	}
	return nil
}

// Meeting returns a meeting with its agenda and attendance.
func (s *Store) Meeting(ctx context.Context, id int64) (*Meeting, error) {
	m, err := scanMeeting(s.db.QueryRowContext(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No meeting %d", id)
	}
	if err != nil {
		return nil, err
	}
	if m.Items, err = s.Items(ctx, id); err != nil {
		return nil, err
	}
	m.Attendance, err = s.Attendance(ctx, id)
	return &m, err
}

// Items lists a meeting's agenda in order.
func (s *Store) Items(ctx context.Context, meetingID int64) ([]AgendaItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, meeting_id, position, number, title, kind, standard_key, purpose, presenter, duration_minutes,
		exempt, exempt_reason, coalesce(postponed_to,0), coalesce(postponed_from,0), minute_number
		FROM agenda_items WHERE meeting_id = ? ORDER BY position`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AgendaItem{}
	for rows.Next() {
		var it AgendaItem
		if err := rows.Scan(&it.ID, &it.MeetingID, &it.Position, &it.Number, &it.Title, &it.Kind, &it.StandardKey, &it.Purpose,
			&it.Presenter, &it.Duration, &it.Exempt, &it.ExemptReason, &it.PostponedTo, &it.PostponedFrom, &it.MinuteNumber); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Meetings lists a board's meetings: upcoming (from now, soonest first) or past (latest
// first), at most limit.
func (s *Store) Meetings(ctx context.Context, boardID int64, upcoming bool, limit int) ([]Meeting, error) {
	now := time.Now().UTC().Format(timeFormat)
	q := `SELECT ` + meetingCols + ` FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.board_id = ? AND m.starts_at < ? ORDER BY m.starts_at DESC LIMIT ?`
	if upcoming {
		q = `SELECT ` + meetingCols + ` FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.board_id = ? AND m.starts_at >= ? ORDER BY m.starts_at LIMIT ?`
	}
	return s.listMeetings(ctx, q, boardID, now, limit)
}

// AllMeetings lists every meeting of a board, oldest first.
func (s *Store) AllMeetings(ctx context.Context, boardID int64) ([]Meeting, error) {
	return s.listMeetings(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.board_id = ? ORDER BY m.starts_at`, boardID)
}

func (s *Store) listMeetings(ctx context.Context, q string, args ...any) ([]Meeting, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Meeting{}
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// NextMeeting returns the board's first meeting (not cancelled) starting after t, or
// nil when none is scheduled.
func (s *Store) NextMeeting(ctx context.Context, boardID int64, after time.Time) (*Meeting, error) {
	m, err := scanMeeting(s.db.QueryRowContext(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.board_id = ? AND m.starts_at > ? AND m.status <> 'cancelled' ORDER BY m.starts_at LIMIT 1`, boardID, after.UTC().Format(timeFormat)))
	if db.IsNoRows(err) {
		return nil, nil
	}
	return &m, err
}

// MeetingInMonth returns the board's first meeting in the given month after t (for "by
// the September meeting"), or nil.
func (s *Store) MeetingInMonth(ctx context.Context, boardID int64, month time.Month, after time.Time) (*Meeting, error) {
	ms, err := s.listMeetings(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.board_id = ? AND m.starts_at > ? AND m.status <> 'cancelled' ORDER BY m.starts_at LIMIT 24`, boardID, after.UTC().Format(timeFormat))
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.StartsAt.In(London).Month() == month {
			return &m, nil
		}
	}
	return nil, nil
}

// SetStatus moves a meeting on in its life (held, minutes draft, approved).
func (s *Store) SetStatus(ctx context.Context, tx *sql.Tx, meetingID int64, status string) error {
	_, err := tx.ExecContext(ctx, `UPDATE meetings SET status = ? WHERE id = ?`, status, meetingID)
	if err != nil {
		return fmt.Errorf("set meeting %d status: %w", meetingID, err)
	}
	return audit.Record(ctx, tx, "meeting.status", "meeting", meetingID, nil, map[string]string{"status": status})
}

// AddStandingItem adds a standing item to a board; it goes onto meetings scheduled from now.
func (s *Store) AddStandingItem(ctx context.Context, boardID int64, title, purpose, presenter string) (int64, error) {
	it := AgendaItem{Title: title, Purpose: purpose, Presenter: presenter, Kind: KindStanding}
	if err := it.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO standing_items (board_id, position, title, purpose, presenter)
			VALUES (?, (SELECT coalesce(max(position),0)+1 FROM standing_items WHERE board_id = ?), ?, ?, ?)`,
			boardID, boardID, it.Title, it.Purpose, it.Presenter)
		if err != nil {
			return fmt.Errorf("add standing item: %w", err)
		}
		id, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "standing_item.create", "standing_item", id, nil, it)
	})
	return id, err
}

// StandingItems lists a board's standing items in order.
func (s *Store) StandingItems(ctx context.Context, boardID int64) ([]AgendaItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, purpose, presenter FROM standing_items WHERE board_id = ? ORDER BY position, id`, boardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AgendaItem
	for rows.Next() {
		it := AgendaItem{Kind: KindStanding}
		if err := rows.Scan(&it.ID, &it.Title, &it.Purpose, &it.Presenter); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Attendance lists who was (or will be) at a meeting.
func (s *Store) Attendance(ctx context.Context, meetingID int64) ([]Attendance, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.person_id, p.name, p.job_title, coalesce(o.name,''), a.status, a.role_at_meeting,
		coalesce(a.substitute_for,0), coalesce(sf.name,'')
		FROM attendance a JOIN people p ON p.id = a.person_id LEFT JOIN organisations o ON o.id = p.organisation_id
		LEFT JOIN people sf ON sf.id = a.substitute_for
		WHERE a.meeting_id = ? ORDER BY CASE a.status WHEN 'present' THEN 0 WHEN 'also_present' THEN 1 WHEN 'apologies' THEN 2 ELSE 3 END,
		CASE a.role_at_meeting WHEN 'Chair' THEN 0 WHEN 'Vice-Chair' THEN 1 ELSE 2 END, p.name`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attendance{}
	for rows.Next() {
		var a Attendance
		if err := rows.Scan(&a.PersonID, &a.Name, &a.JobTitle, &a.OrganisationName, &a.Status, &a.Role, &a.SubstituteFor, &a.SubstituteForName); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordAttendance sets one person's attendance at a meeting.
func (s *Store) RecordAttendance(ctx context.Context, meetingID int64, a Attendance) error {
	switch a.Status {
	case Present, AlsoPresent, Apologies, Absent:
	default:
		return errs.Field("status", "Choose present, also present, apologies or absent")
	}
	if a.SubstituteFor != 0 && a.SubstituteFor == a.PersonID {
		return errs.Field("substitute_for", "A person cannot substitute for themselves")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO attendance (meeting_id, person_id, status, role_at_meeting, substitute_for) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (meeting_id, person_id) DO UPDATE SET status = excluded.status, role_at_meeting = excluded.role_at_meeting,
			substitute_for = excluded.substitute_for`, meetingID, a.PersonID, a.Status, a.Role, nullID(a.SubstituteFor))
		if err != nil {
			return fmt.Errorf("record attendance: %w", err)
		}
		return audit.Record(ctx, tx, "attendance.record", "meeting", meetingID, nil, a)
	})
}
