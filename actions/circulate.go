package actions

import (
	"context"
	"database/sql"

	"quorum/internal/db"
	"quorum/internal/errs"
)

// BoardMembers are the people a document circulated to a board goes to: its current
// members (the clerk included) with an email address, each once.
func (s *Store) BoardMembers(ctx context.Context, q Querier, boardID int64) ([]Recipient, error) {
	day := londonDay(s.now()).Format("2006-01-02")
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT p.id, p.name, p.email FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.board_id = ? AND (m.starts_on = '' OR m.starts_on <= ?) AND (m.ends_on = '' OR m.ends_on >= ?) AND p.email <> ''
		ORDER BY p.name`, boardID, day, day)
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

// ActionBoard is the board an action belongs to, for access checks on /actions/:id.
func (s *Store) ActionBoard(ctx context.Context, actionID int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT board_id FROM actions WHERE id = ?`, actionID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return id, err
}

// IsOwner reports whether a person is one an action belongs to, as CanUpdate reads it: a
// person or role owner, or someone of an owning organisation or of one asked to answer.
// The access check asks it for officers, who need not sit on the action's board.
func (s *Store) IsOwner(ctx context.Context, personID, actionID int64) (bool, error) {
	var org int64
	err := s.queryRow(ctx, `SELECT coalesce(organisation_id,0) FROM people WHERE id = ?`, personID).Scan(&org)
	if db.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	a, err := s.Action(ctx, actionID)
	if errs.Code(err) == errs.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return CanUpdate(personID, org, false, false, a), nil
}

// DB is the database the store writes, for callers queuing mail in its transactions.
func (s *Store) DB() *sql.DB { return s.db }

// documentInfo reads a document without its content.
func (s *Store) documentInfo(ctx context.Context, q Querier, id int64) (*Document, error) {
	var d Document
	var at string
	err := q.QueryRowContext(ctx, `SELECT id, filename, content_type, sha256, size, created_at FROM action_documents WHERE id = ?`, id).
		Scan(&d.ID, &d.Filename, &d.ContentType, &d.SHA256, &d.Size, &at)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No document %d", id)
	}
	d.CreatedAt = parseTime(at)
	return &d, err
}
