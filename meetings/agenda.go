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

const meetingCols = `m.id, m.board_id, b.name, b.short_name, m.starts_at, m.ends_at, m.mode, m.place, m.status, m.notice,
	m.moved_from, m.published_at, m.agenda_version`

func scanMeeting(sc interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var starts, ends, moved, published string
	err := sc.Scan(&m.ID, &m.BoardID, &m.BoardName, &m.BoardShort, &starts, &ends, &m.Mode, &m.Place, &m.Status, &m.Notice,
		&moved, &published, &m.AgendaVersion)
	m.StartsAt, _ = time.Parse(timeFormat, starts)
	m.EndsAt, _ = time.Parse(timeFormat, ends)
	m.MovedFrom, _ = time.Parse(timeFormat, moved)
	m.PublishedAt, _ = time.Parse(timeFormat, published)
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
		return insertMeeting(ctx, tx, m)
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
		duration_minutes, exempt, exempt_reason, postponed_from, standing_item_id, sub, forward_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.MeetingID, it.Position, it.Number, it.Title, it.Kind, it.StandardKey, it.Purpose, it.Presenter, it.Duration,
		boolInt(it.Exempt), it.ExemptReason, nullID(it.PostponedFrom), standingID, boolInt(it.Sub), nullID(it.ForwardID))
	if err != nil {
		return fmt.Errorf("add agenda item: %w", err)
	}
	it.ID, _ = res.LastInsertId()
	return nil
}

// AddItem adds a substantive item before "Any other business", renumbering what follows.
func (s *Store) AddItem(ctx context.Context, it *AgendaItem) error {
	return s.AddItemAt(ctx, it, 0)
}

// AddItemAt is AddItem for a form opened on agenda version (0: don't check).
func (s *Store) AddItemAt(ctx context.Context, it *AgendaItem, version int) error {
	if err := it.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := agendaForChange(ctx, tx, it.MeetingID, version); err != nil {
			return err
		}
		if err := insertBeforeClosing(ctx, tx, it); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "agenda_item.create", "agenda_item", it.ID, nil, it)
	})
}

// insertBeforeClosing puts an item before "Any other business" and renumbers.
func insertBeforeClosing(ctx context.Context, tx *sql.Tx, it *AgendaItem) error {
	var pos sql.NullInt64
	tx.QueryRowContext(ctx, `SELECT min(position) FROM agenda_items WHERE meeting_id = ? AND standard_key IN ('aob','next_meeting')`, it.MeetingID).Scan(&pos)
	if !pos.Valid {
		tx.QueryRowContext(ctx, `SELECT coalesce(max(position),0)+1 FROM agenda_items WHERE meeting_id = ?`, it.MeetingID).Scan(&pos)
	}
	return insertAt(ctx, tx, it, int(pos.Int64))
}

// insertAt puts an item at position, moving the rest down, and renumbers the agenda.
func insertAt(ctx context.Context, tx *sql.Tx, it *AgendaItem, pos int) error {
	it.Position = pos
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
	return tx.QueryRowContext(ctx, `SELECT number FROM agenda_items WHERE id = ?`, it.ID).Scan(&it.Number)
}

// agendaForChange checks that a meeting's agenda may change, and that the form was opened
// on its current version (version 0 skips that check, for the API); it bumps the version.
func agendaForChange(ctx context.Context, tx *sql.Tx, meetingID int64, version int) (*Meeting, error) {
	var m Meeting
	var starts string
	err := tx.QueryRowContext(ctx, `SELECT id, board_id, status, agenda_version, starts_at FROM meetings WHERE id = ?`, meetingID).
		Scan(&m.ID, &m.BoardID, &m.Status, &m.AgendaVersion, &starts)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No meeting %d", meetingID)
	}
	if err != nil {
		return nil, err
	}
	m.StartsAt, _ = time.Parse(timeFormat, starts)
	switch m.Status {
	case StatusMinutesApproved:
		return nil, errs.E(errs.Conflict, "The minutes of this meeting are approved; its agenda can no longer change")
	case StatusCancelled:
		return nil, errs.E(errs.Conflict, "This meeting is cancelled; its agenda can no longer change")
	}
	if version != 0 && version != m.AgendaVersion {
		return nil, errs.E(errs.Conflict, "Someone else changed this agenda since you opened the page. Nothing was saved: check the agenda as it now stands and try again.")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET agenda_version = agenda_version + 1 WHERE id = ?`, meetingID); err != nil {
		return nil, err
	}
	return &m, nil
}

// renumber numbers the agenda in position order: top-level items 1..n, sub-items the
// number of the item they belong to with a letter (7a, 7b). A sub-item with nothing above
// it becomes a top-level item.
func renumber(ctx context.Context, tx *sql.Tx, meetingID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, sub FROM agenda_items WHERE meeting_id = ? ORDER BY position`, meetingID)
	if err != nil {
		return err
	}
	type row struct {
		id  int64
		sub bool
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.sub); err != nil {
			rows.Close()
			return err
		}
		list = append(list, r)
	}
	rows.Close()
	top, letter := 0, 0
	for i, r := range list {
		number := ""
		if r.sub && top > 0 {
			letter++
			number = strconv.Itoa(top) + subLetter(letter)
		} else {
			top++
			letter = 0
			r.sub = false
			number = strconv.Itoa(top)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET number = ?, position = ?, sub = ? WHERE id = ?`,
			number, i+1, boolInt(r.sub), r.id); err != nil {
			return err
		}
	}
	return nil
}

// subLetter is a, b, ... z, then aa, ab for the rare agenda with more sub-items.
func subLetter(n int) string {
	if n <= 26 {
		return string(rune('a' + n - 1))
	}
	return subLetter((n-1)/26) + string(rune('a'+(n-1)%26))
}

// Meeting returns a meeting with its agenda and attendance.
func (s *Store) Meeting(ctx context.Context, id int64) (*Meeting, error) {
	m, err := scanMeeting(s.queryRow(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No meeting %d", id)
	}
	if err != nil {
		return nil, err
	}
	if m.Items, err = s.Items(ctx, id); err != nil {
		return nil, err
	}
	papers, err := s.Papers(ctx, id)
	if err != nil {
		return nil, err
	}
	attachPapers(m.Items, papers)
	m.Attendance, err = s.Attendance(ctx, id)
	return &m, err
}

const itemCols = `i.id, i.meeting_id, i.position, i.number, i.title, i.kind, i.standard_key, i.purpose, i.presenter, i.duration_minutes,
	i.exempt, i.exempt_reason, coalesce(i.postponed_to,0), coalesce(i.postponed_from,0), i.minute_number, i.sub, coalesce(i.forward_id,0),
	coalesce(pt.starts_at,''), coalesce(pf.starts_at,'')`

func scanItem(sc interface{ Scan(...any) error }) (AgendaItem, error) {
	var it AgendaItem
	var to, from string
	err := sc.Scan(&it.ID, &it.MeetingID, &it.Position, &it.Number, &it.Title, &it.Kind, &it.StandardKey, &it.Purpose,
		&it.Presenter, &it.Duration, &it.Exempt, &it.ExemptReason, &it.PostponedTo, &it.PostponedFrom, &it.MinuteNumber,
		&it.Sub, &it.ForwardID, &to, &from)
	it.PostponedToAt, _ = time.Parse(timeFormat, to)
	it.PostponedFromAt, _ = time.Parse(timeFormat, from)
	it.Papers = []Paper{}
	return it, err
}

// Item returns one agenda item.
func (s *Store) Item(ctx context.Context, id int64) (*AgendaItem, error) {
	it, err := scanItem(s.queryRow(ctx, `SELECT `+itemCols+` FROM agenda_items i
		LEFT JOIN meetings pt ON pt.id = i.postponed_to LEFT JOIN meetings pf ON pf.id = i.postponed_from WHERE i.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No agenda item %d", id)
	}
	return &it, err
}

// ItemBoard returns the board an agenda item belongs to.
func (s *Store) ItemBoard(ctx context.Context, itemID int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT m.board_id FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.id = ?`, itemID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return id, err
}

// Items lists a meeting's agenda in order.
func (s *Store) Items(ctx context.Context, meetingID int64) ([]AgendaItem, error) {
	rows, err := s.query(ctx, `SELECT `+itemCols+` FROM agenda_items i
		LEFT JOIN meetings pt ON pt.id = i.postponed_to LEFT JOIN meetings pf ON pf.id = i.postponed_from
		WHERE i.meeting_id = ? ORDER BY i.position`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AgendaItem{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
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
	rows, err := s.query(ctx, q, args...)
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
	m, err := scanMeeting(s.queryRow(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
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
	rows, err := s.query(ctx, `SELECT id, title, purpose, presenter FROM standing_items WHERE board_id = ? ORDER BY position, id`, boardID)
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
