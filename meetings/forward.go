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

// Forward-plan statuses.
const (
	ForwardPlanned   = "planned"
	ForwardScheduled = "scheduled" // on the agenda of its meeting
	ForwardDone      = "done"
	ForwardWithdrawn = "withdrawn"
)

// ForwardStatuses are the statuses in the order a clerk picks them.
var ForwardStatuses = []string{ForwardPlanned, ForwardScheduled, ForwardDone, ForwardWithdrawn}

// ForwardItem is an entry in a board's forward plan (work programme): business the board
// means to take at a later meeting.
type ForwardItem struct {
	ID              int64     `json:"id"`
	BoardID         int64     `json:"board_id"`
	Title           string    `json:"title"`
	Purpose         string    `json:"purpose"`
	Owner           string    `json:"owner"`
	TargetMeetingID int64     `json:"target_meeting_id,omitempty"`
	TargetStartsAt  time.Time `json:"target_starts_at,omitzero"`
	Status          string    `json:"status"`
	Notes           string    `json:"notes,omitempty"`
	// OnAgenda is the agenda item it became, if any.
	OnAgenda int64 `json:"agenda_item_id,omitempty"`
}

// Validate checks a forward-plan entry.
func (f *ForwardItem) Validate() error {
	f.Title = strings.TrimSpace(f.Title)
	f.Owner = strings.TrimSpace(f.Owner)
	if err := checkText("title", "Title", f.Title, 300); err != nil {
		return err
	}
	if err := checkText("owner", "Owner", f.Owner, 200, true); err != nil {
		return err
	}
	if err := checkText("notes", "Notes", f.Notes, 2000, true); err != nil {
		return err
	}
	if f.Purpose != "" {
		it := AgendaItem{Title: f.Title, Purpose: f.Purpose}
		if err := it.Validate(); err != nil {
			return err
		}
	}
	if f.Status == "" {
		f.Status = ForwardPlanned
	}
	for _, s := range ForwardStatuses {
		if s == f.Status {
			return nil
		}
	}
	return errs.Field("status", "Choose planned, scheduled, done or withdrawn")
}

// checkTarget checks that a target meeting belongs to the board and is still to come.
func checkTarget(ctx context.Context, tx *sql.Tx, f *ForwardItem) error {
	if f.TargetMeetingID == 0 {
		return nil
	}
	var board int64
	var status string
	err := tx.QueryRowContext(ctx, `SELECT board_id, status FROM meetings WHERE id = ?`, f.TargetMeetingID).Scan(&board, &status)
	if db.IsNoRows(err) || (err == nil && board != f.BoardID) {
		return errs.Field("target_meeting_id", "Choose a meeting of this board")
	}
	if err != nil {
		return err
	}
	if status == StatusCancelled {
		return errs.Field("target_meeting_id", "That meeting is cancelled: choose another")
	}
	return nil
}

// AddForward adds an entry to a board's forward plan.
func (s *Store) AddForward(ctx context.Context, f *ForwardItem) error {
	f.Status = ForwardPlanned
	if err := f.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, f.BoardID).Scan(&n)
		if n == 0 {
			return errs.E(errs.NotFound, "No board %d", f.BoardID)
		}
		if err := checkTarget(ctx, tx, f); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO forward_plan (board_id, title, purpose, owner, target_meeting_id, status, notes) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.BoardID, f.Title, f.Purpose, f.Owner, nullID(f.TargetMeetingID), f.Status, f.Notes)
		if err != nil {
			return fmt.Errorf("add forward plan item: %w", err)
		}
		f.ID, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "forward_plan.create", "forward_plan", f.ID, nil, f)
	})
}

// UpdateForward changes an entry's target meeting, owner, status or notes.
func (s *Store) UpdateForward(ctx context.Context, f *ForwardItem) error {
	before, err := s.Forward(ctx, f.ID)
	if err != nil {
		return err
	}
	f.BoardID = before.BoardID
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Status == ForwardScheduled && before.OnAgenda == 0 {
		return errs.Field("status", "An item is scheduled once it is on its meeting’s agenda: add it from the meeting page")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := checkTarget(ctx, tx, f); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forward_plan SET title=?, purpose=?, owner=?, target_meeting_id=?, status=?, notes=? WHERE id=?`,
			f.Title, f.Purpose, f.Owner, nullID(f.TargetMeetingID), f.Status, f.Notes, f.ID); err != nil {
			return fmt.Errorf("update forward plan item %d: %w", f.ID, err)
		}
		return audit.Record(ctx, tx, "forward_plan.update", "forward_plan", f.ID, before, f)
	})
}

const forwardCols = `f.id, f.board_id, f.title, f.purpose, f.owner, coalesce(f.target_meeting_id,0), coalesce(m.starts_at,''), f.status, f.notes,
	coalesce((SELECT max(a.id) FROM agenda_items a WHERE a.forward_id = f.id AND a.postponed_to IS NULL),0)`

func scanForward(sc interface{ Scan(...any) error }) (ForwardItem, error) {
	var f ForwardItem
	var starts string
	err := sc.Scan(&f.ID, &f.BoardID, &f.Title, &f.Purpose, &f.Owner, &f.TargetMeetingID, &starts, &f.Status, &f.Notes, &f.OnAgenda)
	f.TargetStartsAt, _ = time.Parse(timeFormat, starts)
	return f, err
}

// Forward returns one forward-plan entry.
func (s *Store) Forward(ctx context.Context, id int64) (*ForwardItem, error) {
	f, err := scanForward(s.queryRow(ctx, `SELECT `+forwardCols+` FROM forward_plan f LEFT JOIN meetings m ON m.id = f.target_meeting_id WHERE f.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No forward plan item %d", id)
	}
	return &f, err
}

// ForwardBoard returns the board a forward-plan entry belongs to.
func (s *Store) ForwardBoard(ctx context.Context, id int64) (int64, error) {
	var b int64
	err := s.queryRow(ctx, `SELECT board_id FROM forward_plan WHERE id = ?`, id).Scan(&b)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return b, err
}

// ForwardPlan lists a board's forward plan by target meeting (unassigned last).
func (s *Store) ForwardPlan(ctx context.Context, boardID int64) ([]ForwardItem, error) {
	rows, err := s.query(ctx, `SELECT `+forwardCols+` FROM forward_plan f LEFT JOIN meetings m ON m.id = f.target_meeting_id
		WHERE f.board_id = ? ORDER BY m.starts_at IS NULL, m.starts_at, f.id`, boardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ForwardItem
	for rows.Next() {
		f, err := scanForward(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// PlanColumn is one meeting of the year in the forward-plan grid, with its items.
type PlanColumn struct {
	Meeting *Meeting // nil for items with no meeting yet
	Items   []ForwardItem
}

// ForwardGrid is a board's forward plan for the municipal year holding t: a column per
// meeting of that year (cancelled ones left out), then items with no meeting yet.
func (s *Store) ForwardGrid(ctx context.Context, b *Board, t time.Time) ([]PlanColumn, error) {
	start, end := b.MunicipalYear(t)
	ms, err := s.listMeetings(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.board_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status <> 'cancelled' ORDER BY m.starts_at`,
		b.ID, start.UTC().Format(timeFormat), end.UTC().Format(timeFormat))
	if err != nil {
		return nil, err
	}
	items, err := s.ForwardPlan(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	cols := make([]PlanColumn, len(ms))
	index := map[int64]int{}
	for i := range ms {
		cols[i].Meeting = &ms[i]
		index[ms[i].ID] = i
	}
	var loose PlanColumn
	for _, f := range items {
		if i, ok := index[f.TargetMeetingID]; ok {
			cols[i].Items = append(cols[i].Items, f)
		} else if f.TargetMeetingID == 0 && (f.Status == ForwardPlanned || f.Status == ForwardScheduled) {
			loose.Items = append(loose.Items, f)
		}
	}
	if len(loose.Items) > 0 {
		cols = append(cols, loose)
	}
	return cols, nil
}
