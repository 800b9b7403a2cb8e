package actions

import (
	"context"
	"fmt"
	"strings"

	"quorum/internal/db"
	"quorum/internal/errs"
)

// Filter narrows and orders a board's action log.
type Filter struct {
	Statuses       []string // exact statuses; empty for all (Outstanding for open and in progress)
	OwnerPersonID  int64    // owned by this person, themselves or through a role they held
	OrganisationID int64    // owned by the organisation, one of its people, or asked of it in a group
	MeetingID      int64    // set at this meeting
	Overdue        bool
	Query          string // words in the text, or a reference
	Sort           string // ref (default), due, status, carried, updated
	Desc           bool
	Offset, Limit  int // Limit 0: every matching action
	// Public: read by someone outside the board, so actions raised under an exempt agenda
	// item are left out.
	Public bool
}

// Sorts are the orders the log can be read in.
var Sorts = []string{"ref", "due", "status", "carried", "updated"}

// dueKey orders by the day an action falls due, those with none last.
const dueKey = `CASE WHEN a.due_date <> '' THEN a.due_date WHEN dm.starts_at IS NOT NULL THEN substr(dm.starts_at, 1, 10) ELSE '9999' END`

func (f *Filter) orderBy() (string, error) {
	dir := ""
	if f.Desc {
		dir = " DESC"
	}
	switch f.Sort {
	case "", "ref":
		return "a.year" + dir + ", a.seq" + dir, nil
	case "due":
		return dueKey + dir + ", a.year, a.seq", nil
	case "status":
		return "CASE a.status WHEN 'open' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'done' THEN 3 ELSE 4 END" + dir + ", a.year, a.seq", nil
	case "carried":
		// most carried first unless reversed: the chair's question
		if f.Desc {
			return "a.carried_forward, a.year, a.seq", nil
		}
		return "a.carried_forward DESC, a.year, a.seq", nil
	case "updated":
		if f.Desc {
			return "a.updated_at, a.id", nil
		}
		return "a.updated_at DESC, a.id DESC", nil
	}
	return "", errs.Field("sort", "Cannot sort by %q (ref, due, status, carried, updated)", f.Sort)
}

// where builds the conditions of f over the aliases a (actions) and dm (due meeting).
func (s *Store) where(boardID int64, f Filter) (string, []any, error) {
	conds := []string{"a.board_id = ?"}
	args := []any{boardID}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			if !validStatus(st) {
				return "", nil, errs.Field("status", "%q is not a status (open, in progress, done, dropped)", st)
			}
			ph[i] = "?"
			args = append(args, st)
		}
		conds = append(conds, "a.status IN ("+strings.Join(ph, ",")+")")
	}
	if f.OwnerPersonID != 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM action_owners o WHERE o.action_id = a.id AND o.person_id = ?)")
		args = append(args, f.OwnerPersonID)
	}
	if f.OrganisationID != 0 {
		conds = append(conds, `(EXISTS (SELECT 1 FROM action_owners o WHERE o.action_id = a.id AND o.organisation_id = ?)
			OR EXISTS (SELECT 1 FROM action_responses r WHERE r.action_id = a.id AND r.organisation_id = ?)
			OR EXISTS (SELECT 1 FROM action_owners o JOIN people p ON p.id = o.person_id WHERE o.action_id = a.id AND p.organisation_id = ?))`)
		args = append(args, f.OrganisationID, f.OrganisationID, f.OrganisationID)
	}
	if f.MeetingID != 0 {
		conds = append(conds, "a.meeting_id = ?")
		args = append(args, f.MeetingID)
	}
	if f.Public {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM agenda_items i WHERE i.id = a.item_id AND i.exempt = 1)")
	}
	if f.Overdue {
		now := s.now()
		conds = append(conds, `a.status IN ('open','in_progress') AND ((a.due_date <> '' AND a.due_date < ?)
			OR (a.due_meeting_id IS NOT NULL AND dm.starts_at < ?))`)
		args = append(args, londonDay(now).Format("2006-01-02"), formatTime(now))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		for _, w := range strings.Fields(q) {
			like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w) + "%"
			conds = append(conds, `(a.text LIKE ? ESCAPE '\' OR a.ref LIKE ? ESCAPE '\')`)
			args = append(args, like, like)
		}
	}
	return strings.Join(conds, " AND "), args, nil
}

// List reads a board's action log: the actions matching f, in its order, one page of them,
// and how many match in all.
func (s *Store) List(ctx context.Context, boardID int64, f Filter) ([]Action, int, error) {
	where, args, err := s.where(boardID, f)
	if err != nil {
		return nil, 0, err
	}
	order, err := f.orderBy()
	if err != nil {
		return nil, 0, err
	}
	if f.Offset < 0 || f.Limit < 0 {
		return nil, 0, errs.Field("page", "Pages start at 1")
	}
	// First the page's ids, in order, with the count of all matches (a covering pass over
	// the board's index entries); then the page's actions in full. Reading every column and
	// latest update of every match only to sort them would cost more as the board grows.
	page := ""
	if f.Limit > 0 {
		page = " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.query(ctx, s.db, `SELECT a.id, count(*) OVER () FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id
		WHERE `+where+` ORDER BY `+order+page, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list actions: %w", err)
	}
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		if f.Offset > 0 {
			// past the last page: the count still answers
			err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id WHERE `+where,
				args[:len(args)-2]...).Scan(&total)
		}
		return []Action{}, total, err
	}
	as, err := s.byIDs(ctx, ids)
	return as, total, err
}

// ForPerson lists the outstanding actions of a person across every board: theirs, their
// roles', their organisation's, and those their organisation is asked to answer; soonest
// due first.
func (s *Store) ForPerson(ctx context.Context, personID int64) ([]Action, error) {
	var org int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(organisation_id,0) FROM people WHERE id = ?`, personID).Scan(&org)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No person %d", personID)
	}
	if err != nil {
		return nil, err
	}
	return s.queryActions(ctx, s.db, `SELECT `+actionCols+actionFrom+`
		WHERE a.status IN ('open','in_progress') AND a.id IN (
			SELECT action_id FROM action_owners WHERE person_id = ?1
			UNION SELECT action_id FROM action_owners WHERE organisation_id = ?2
			UNION SELECT action_id FROM action_responses WHERE organisation_id = ?2 AND status = 'pending')
		ORDER BY `+dueKey+`, a.ref`, personID, org)
}
