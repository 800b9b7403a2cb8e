package meetings

// The agenda builder: what a clerk does to an agenda after it is first built.

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

// itemForChange loads an item in tx, checking that its meeting's agenda may change on
// the version the form was opened on.
func itemForChange(ctx context.Context, tx *sql.Tx, itemID int64, version int) (*AgendaItem, *Meeting, error) {
	var it AgendaItem
	err := tx.QueryRowContext(ctx, `SELECT id, meeting_id, position, number, title, kind, standard_key, sub, coalesce(postponed_to,0)
		FROM agenda_items WHERE id = ?`, itemID).
		Scan(&it.ID, &it.MeetingID, &it.Position, &it.Number, &it.Title, &it.Kind, &it.StandardKey, &it.Sub, &it.PostponedTo)
	if db.IsNoRows(err) {
		return nil, nil, errs.E(errs.NotFound, "No agenda item %d", itemID)
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := agendaForChange(ctx, tx, it.MeetingID, version)
	return &it, m, err
}

// block is an item with its sub-items: the positions from first to last.
type block struct{ first, last int }

// blocks lists the top-level blocks of an agenda in order.
func blocks(ctx context.Context, tx *sql.Tx, meetingID int64) ([]block, map[int]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT position, sub FROM agenda_items WHERE meeting_id = ? ORDER BY position`, meetingID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []block
	of := map[int]int{} // position -> index of its block
	for rows.Next() {
		var pos int
		var sub bool
		if err := rows.Scan(&pos, &sub); err != nil {
			return nil, nil, err
		}
		if !sub || len(out) == 0 {
			out = append(out, block{pos, pos})
		} else {
			out[len(out)-1].last = pos
		}
		of[pos] = len(out) - 1
	}
	return out, of, rows.Err()
}

// MoveItem moves an item one place up (dir -1) or down (dir +1). A top-level item moves
// with its sub-items past the neighbouring item and its sub-items; a sub-item moves among
// the sub-items of its item.
func (s *Store) MoveItem(ctx context.Context, itemID int64, dir int, version int) error {
	if dir != -1 && dir != 1 {
		return errs.Field("direction", "Choose up or down")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		it, _, err := itemForChange(ctx, tx, itemID, version)
		if err != nil {
			return err
		}
		if err := renumber(ctx, tx, it.MeetingID); err != nil { // positions 1..n from here
			return err
		}
		tx.QueryRowContext(ctx, `SELECT position FROM agenda_items WHERE id = ?`, it.ID).Scan(&it.Position)
		bs, of, err := blocks(ctx, tx, it.MeetingID)
		if err != nil {
			return err
		}
		where := map[int]string{-1: "at the top of", 1: "at the foot of"}[dir]
		var order []int // order[new position - 1] = old position
		if it.Sub {
			b := bs[of[it.Position]]
			other := it.Position + dir
			if other <= b.first || other > b.last {
				return errs.E(errs.Conflict, "Item %s is already %s its sub-items", it.Number, where)
			}
			for p := 1; p <= bs[len(bs)-1].last; p++ {
				order = append(order, p)
			}
			order[it.Position-1], order[other-1] = order[other-1], order[it.Position-1]
		} else {
			i := of[it.Position]
			j := i + dir
			if j < 0 || j >= len(bs) {
				return errs.E(errs.Conflict, "Item %s is already %s the agenda", it.Number, where)
			}
			bs[i], bs[j] = bs[j], bs[i]
			for _, b := range bs {
				for p := b.first; p <= b.last; p++ {
					order = append(order, p)
				}
			}
		}
		// Positions go negative first, so that no two items ever share one half-way.
		for newPos, oldPos := range order {
			if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position = ? WHERE meeting_id = ? AND position = ?`,
				-(newPos + 1), it.MeetingID, oldPos); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position = -position WHERE meeting_id = ? AND position < 0`, it.MeetingID); err != nil {
			return err
		}
		if err := renumber(ctx, tx, it.MeetingID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "agenda_item.move", "agenda_item", it.ID, nil, map[string]int{"direction": dir})
	})
}

// AddSubItem adds a sub-item under a top-level item, after its other sub-items: 7a, 7b.
func (s *Store) AddSubItem(ctx context.Context, parentID int64, it *AgendaItem, version int) error {
	it.Kind = KindSubstantive
	if err := it.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		parent, _, err := itemForChange(ctx, tx, parentID, version)
		if err != nil {
			return err
		}
		if parent.Sub {
			return errs.E(errs.Invalid, "Item %s is itself a sub-item: add the sub-item to the item it belongs to", parent.Number)
		}
		if err := renumber(ctx, tx, parent.MeetingID); err != nil {
			return err
		}
		tx.QueryRowContext(ctx, `SELECT position FROM agenda_items WHERE id = ?`, parent.ID).Scan(&parent.Position)
		bs, of, err := blocks(ctx, tx, parent.MeetingID)
		if err != nil {
			return err
		}
		it.MeetingID, it.Sub = parent.MeetingID, true
		if err := insertAt(ctx, tx, it, bs[of[parent.Position]].last+1); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "agenda_item.create", "agenda_item", it.ID, nil, it)
	})
}

// UpdateItem changes an item's title, purpose, presenter, timing and exemption. Standard
// items keep their title, which the minutes recognise them by.
func (s *Store) UpdateItem(ctx context.Context, it *AgendaItem, version int) error {
	before, err := s.Item(ctx, it.ID)
	if err != nil {
		return err
	}
	it.Kind = before.Kind
	if before.Kind == KindStandard {
		it.Title = before.Title
	}
	if err := it.Validate(); err != nil {
		return err
	}
	if !it.Exempt {
		it.ExemptReason = ""
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, _, err := itemForChange(ctx, tx, it.ID, version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET title=?, purpose=?, presenter=?, duration_minutes=?, exempt=?, exempt_reason=?
			WHERE id=?`, it.Title, it.Purpose, it.Presenter, it.Duration, boolInt(it.Exempt), it.ExemptReason, it.ID); err != nil {
			return fmt.Errorf("update agenda item %d: %w", it.ID, err)
		}
		return audit.Record(ctx, tx, "agenda_item.update", "agenda_item", it.ID, before, it)
	})
}

// RemoveItem takes a substantive item off the agenda. Standard and standing items stay
// (a standing item with nothing to report is minuted as such); an item with papers or
// declarations is postponed rather than removed, so that nothing recorded is lost.
func (s *Store) RemoveItem(ctx context.Context, itemID int64, version int) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		it, _, err := itemForChange(ctx, tx, itemID, version)
		if err != nil {
			return err
		}
		if it.Kind != KindSubstantive {
			return errs.E(errs.Invalid, "Item %s is a %s item and stays on the agenda", it.Number, it.Kind)
		}
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM agenda_items WHERE meeting_id = ? AND sub = 1
			AND position = (SELECT min(position) FROM agenda_items WHERE meeting_id = ? AND position > ?)`, it.MeetingID, it.MeetingID, it.Position).Scan(&n)
		if !it.Sub && n > 0 {
			return errs.E(errs.Invalid, "Item %s has sub-items: remove them first", it.Number)
		}
		tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM papers WHERE item_id = ?1) + (SELECT count(*) FROM declarations WHERE item_id = ?1)`, it.ID).Scan(&n)
		if n > 0 {
			return errs.E(errs.Invalid, "Item %s has papers or declarations of interest: postpone it instead of removing it", it.Number)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forward_plan SET status = 'planned' WHERE id = (SELECT forward_id FROM agenda_items WHERE id = ?) AND status = 'scheduled'`, it.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agenda_items WHERE id = ?`, it.ID); err != nil {
			return fmt.Errorf("remove agenda item %d: %w", it.ID, err)
		}
		if err := renumber(ctx, tx, it.MeetingID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "agenda_item.remove", "agenda_item", it.ID, it, nil)
	})
}

// PostponeItem moves an item to a later meeting of the same board: it stays on this
// agenda marked postponed, and appears on the later one marked "postponed from".
func (s *Store) PostponeItem(ctx context.Context, itemID, toMeetingID int64, version int) (*AgendaItem, error) {
	var moved AgendaItem
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		it, from, err := itemForChange(ctx, tx, itemID, version)
		if err != nil {
			return err
		}
		if it.Kind == KindStandard {
			return errs.E(errs.Invalid, "Item %s is a standard item and cannot be postponed", it.Number)
		}
		if it.PostponedTo != 0 {
			return errs.E(errs.Conflict, "Item %s is already postponed", it.Number)
		}
		var to Meeting
		var starts string
		err = tx.QueryRowContext(ctx, `SELECT id, board_id, starts_at, status FROM meetings WHERE id = ?`, toMeetingID).Scan(&to.ID, &to.BoardID, &starts, &to.Status)
		if db.IsNoRows(err) || (err == nil && to.BoardID != from.BoardID) {
			return errs.Field("to_meeting", "Choose a later meeting of this board")
		}
		if err != nil {
			return err
		}
		to.StartsAt, _ = time.Parse(timeFormat, starts)
		if !to.StartsAt.After(from.StartsAt) {
			return errs.Field("to_meeting", "Choose a meeting after this one")
		}
		if to.Status == StatusCancelled || to.Status == StatusMinutesApproved {
			return errs.Field("to_meeting", "That meeting is %s: choose another", map[string]string{StatusCancelled: "cancelled", StatusMinutesApproved: "over and minuted"}[to.Status])
		}
		full, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemCols+` FROM agenda_items i
			LEFT JOIN meetings pt ON pt.id = i.postponed_to LEFT JOIN meetings pf ON pf.id = i.postponed_from WHERE i.id = ?`, it.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET postponed_to = ? WHERE id = ?`, to.ID, it.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET agenda_version = agenda_version + 1 WHERE id = ?`, to.ID); err != nil {
			return err
		}
		moved = AgendaItem{MeetingID: to.ID, Title: full.Title, Kind: KindSubstantive, Purpose: full.Purpose, Presenter: full.Presenter,
			Duration: full.Duration, Exempt: full.Exempt, ExemptReason: full.ExemptReason, PostponedFrom: from.ID, ForwardID: full.ForwardID}
		if err := insertBeforeClosing(ctx, tx, &moved); err != nil {
			return err
		}
		if moved.ForwardID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE forward_plan SET target_meeting_id = ? WHERE id = ?`, to.ID, moved.ForwardID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "agenda_item.postpone", "agenda_item", it.ID, nil, map[string]int64{"to_meeting": to.ID, "new_item": moved.ID})
	})
	if err != nil {
		return nil, err
	}
	return &moved, nil
}

// Offer is an item the clerk is offered for a meeting's agenda: a forward-plan item aimed
// at it, or an item postponed to it that is not (or no longer) on its agenda.
type Offer struct {
	Kind     string // "forward" or "postponed"
	ID       int64  // the forward-plan entry, or the postponed item
	Title    string
	Purpose  string
	Owner    string
	FromDate time.Time // for postponed items: the meeting they were postponed from
}

// Offers lists what may be added to a meeting's agenda.
func (s *Store) Offers(ctx context.Context, meetingID int64) ([]Offer, error) {
	rows, err := s.query(ctx, `
		SELECT 'forward', f.id, f.title, f.purpose, f.owner, ''
		FROM forward_plan f WHERE f.target_meeting_id = ?1 AND f.status = 'planned'
			AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = ?1 AND a.forward_id = f.id)
		UNION ALL
		SELECT 'postponed', i.id, i.title, i.purpose, i.presenter, m.starts_at
		FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.postponed_to = ?1
			AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = ?1 AND a.postponed_from = i.meeting_id AND a.title = i.title)
		ORDER BY 1, 2`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Offer
	for rows.Next() {
		var o Offer
		var from string
		if err := rows.Scan(&o.Kind, &o.ID, &o.Title, &o.Purpose, &o.Owner, &from); err != nil {
			return nil, err
		}
		o.FromDate, _ = time.Parse(timeFormat, from)
		out = append(out, o)
	}
	return out, rows.Err()
}

// AddOffer puts an offered item on the meeting's agenda.
func (s *Store) AddOffer(ctx context.Context, meetingID int64, kind string, id int64, version int) (*AgendaItem, error) {
	offers, err := s.Offers(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	var o *Offer
	for i := range offers {
		if offers[i].Kind == kind && offers[i].ID == id {
			o = &offers[i]
		}
	}
	if o == nil {
		return nil, errs.E(errs.Conflict, "That item is no longer offered for this meeting: it may be on the agenda already")
	}
	it := &AgendaItem{MeetingID: meetingID, Title: o.Title, Purpose: o.Purpose, Kind: KindSubstantive}
	if kind == "forward" {
		it.ForwardID, it.Presenter = id, o.Owner
	} else {
		src, err := s.Item(ctx, id)
		if err != nil {
			return nil, err
		}
		it.PostponedFrom, it.Presenter, it.Duration, it.Exempt, it.ExemptReason, it.ForwardID =
			src.MeetingID, src.Presenter, src.Duration, src.Exempt, src.ExemptReason, src.ForwardID
	}
	if err := it.Validate(); err != nil {
		return nil, err
	}
	err = db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := agendaForChange(ctx, tx, meetingID, version); err != nil {
			return err
		}
		if err := insertBeforeClosing(ctx, tx, it); err != nil {
			return err
		}
		if it.ForwardID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE forward_plan SET status = 'scheduled', target_meeting_id = ? WHERE id = ? AND status = 'planned'`, meetingID, it.ForwardID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "agenda_item.create", "agenda_item", it.ID, nil, it)
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// PublishAgenda publishes a meeting's agenda to its partners. Papers added after this are
// supplements.
func (s *Store) PublishAgenda(ctx context.Context, meetingID int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM meetings WHERE id = ?`, meetingID).Scan(&status)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No meeting %d", meetingID)
		}
		if err != nil {
			return err
		}
		if status != StatusScheduled {
			return errs.E(errs.Conflict, "The agenda can be published only once, before the meeting is held (the meeting is %s)", strings.ReplaceAll(status, "_", " "))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET status = ?, published_at = ? WHERE id = ?`,
			StatusAgendaPublished, time.Now().UTC().Format(timeFormat), meetingID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "meeting.publish_agenda", "meeting", meetingID, nil, nil)
	})
}

// LaterMeetings lists the meetings of the same board after this one that an item may be
// postponed to.
func (s *Store) LaterMeetings(ctx context.Context, meetingID int64) ([]Meeting, error) {
	return s.listMeetings(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.board_id = (SELECT board_id FROM meetings WHERE id = ?1) AND m.starts_at > (SELECT starts_at FROM meetings WHERE id = ?1)
		AND m.status NOT IN ('cancelled','minutes_approved') ORDER BY m.starts_at LIMIT 12`, meetingID)
}
