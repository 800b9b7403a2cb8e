package actions

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// Store reads and writes the action log.
type Store struct {
	db  *sql.DB
	now func() time.Time

	// Prepared statements for the log's and dashboard's fixed queries: compiling one of
	// them costs SQLite (in pure Go) about as much as running it over a board's actions.
	stmts *db.Stmts

	cache cache // the log's pages and dashboards last read: cache.go

	// MailBase starts the links in mail queued without a request to take the address
	// from (reminders, digests): https://quorum.example.org. Empty: links are paths.
	MailBase string
}

// NewStore returns a store over an open, migrated database.
func NewStore(d *sql.DB) *Store {
	return &Store{db: d, now: time.Now, stmts: db.NewStmts(d)}
}

// query runs a read, on a cached prepared statement when it runs on the store's own
// database (not inside another package's transaction).
func (s *Store) query(ctx context.Context, q Querier, query string, args ...any) (*sql.Rows, error) {
	if d, ok := q.(*sql.DB); !ok || d != s.db {
		return q.QueryContext(ctx, query, args...)
	}
	return s.stmts.QueryContext(ctx, query, args...)
}

// queryRow is query for one row, on the store's own database.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.stmts.QueryRowContext(ctx, query, args...)
}

// Close releases the store's prepared statements (not the database).
func (s *Store) Close() error { return s.stmts.Close() }

// idList is ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one statement
// text for any number of ids, so it can be prepared once.
func idList(ids []int64) string {
	b := make([]byte, 0, len(ids)*6+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// Querier is what both *sql.DB and *sql.Tx offer, so that a read can run inside another
// package's transaction (the minutes' save) or on its own.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// actionCols and actionFrom read an Action with its source and due meetings and its latest
// update; scanAction reads them back.
const actionCols = `a.id, a.board_id, (SELECT b.short_name FROM boards b WHERE b.id = a.board_id), a.ref, a.year, a.seq, coalesce(a.meeting_id,0), coalesce(sm.starts_at,''),
	coalesce(a.item_id,0), a.item_number, a.minute_number, a.line, a.text,
	a.due_date, coalesce(a.due_meeting_id,0), coalesce(dm.starts_at,''), a.due_next,
	a.status, a.dropped_reason, a.carried_forward, a.dissemination,
	a.completed_at, a.completed_note, coalesce(a.completion_document_id,0), a.created_at, a.updated_at,
	coalesce(lu.id,0), coalesce(lu.text,''), coalesce(lu.author,''), coalesce(lu.created_at,''),
	EXISTS (SELECT 1 FROM agenda_items i WHERE i.id = a.item_id AND i.exempt = 1)`

// The board's short name is read by a subquery rather than a join, so that the planner
// never starts from boards and scans actions.
const actionFrom = ` FROM actions a
	LEFT JOIN meetings sm ON sm.id = a.meeting_id
	LEFT JOIN meetings dm ON dm.id = a.due_meeting_id
	LEFT JOIN action_updates lu ON lu.id = (SELECT max(u.id) FROM action_updates u WHERE u.action_id = a.id)`

// actionColCount is the number of actionCols; a query may select one more, a flag read
// into DueAtMeeting.
const actionColCount = 31

func scanAction(sc interface{ Scan(...any) error }, now time.Time, withFlag bool) (Action, error) {
	var a Action
	var srcStarts, dueStarts, completed, created, updated string
	var luID int64
	var luText, luAuthor, luAt string
	dest := []any{&a.ID, &a.BoardID, &a.BoardShort, &a.Ref, &a.Year, &a.Seq, &a.MeetingID, &srcStarts,
		&a.ItemID, &a.ItemNumber, &a.MinuteNumber, &a.Line, &a.Text,
		&a.Due.Date, &a.Due.MeetingID, &dueStarts, &a.Due.Next,
		&a.Status, &a.DroppedReason, &a.CarriedForward, &a.Dissemination,
		&completed, &a.CompletedNote, &a.CompletionDocumentID, &created, &updated,
		&luID, &luText, &luAuthor, &luAt, &a.Exempt}
	if withFlag {
		dest = append(dest, &a.DueAtMeeting)
	}
	err := sc.Scan(dest...)
	if err != nil {
		return a, err
	}
	a.MeetingStartsAt = parseTime(srcStarts)
	a.Due.MeetingStartsAt = parseTime(dueStarts)
	a.CompletedAt = parseTime(completed)
	a.CreatedAt = parseTime(created)
	a.UpdatedAt = parseTime(updated)
	if luID != 0 {
		a.LatestUpdate = &Update{ID: luID, ActionID: a.ID, Text: luText, Author: luAuthor, CreatedAt: parseTime(luAt)}
	}
	a.Overdue = outstanding(a.Status) && a.Due.Overdue(now)
	a.Owners = []Owner{}
	return a, nil
}

// queryActions runs a query selecting actionCols and fills in owners and responses.
func (s *Store) queryActions(ctx context.Context, q Querier, query string, args ...any) ([]Action, error) {
	rows, err := s.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list actions: %w", err)
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, err
	}
	withFlag := len(cols) > actionColCount
	now := s.now()
	out := []Action{}
	for rows.Next() {
		a, err := scanAction(rows, now, withFlag)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.loadOwners(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// loadOwners fills in the owners and responses of actions, two queries for any number
// of actions rather than two per action.
func (s *Store) loadOwners(ctx context.Context, q Querier, as []Action) error {
	if len(as) == 0 {
		return nil
	}
	at := make(map[int64]*Action, len(as))
	ids := make([]int64, len(as))
	for i := range as {
		at[as[i].ID] = &as[i]
		ids[i] = as[i].ID
	}
	list := idList(ids)
	rows, err := s.query(ctx, q, `SELECT o.action_id, o.kind, coalesce(o.person_id,0), coalesce(o.organisation_id,0), o.role,
		o.group_name, o.label, coalesce(p.name, org.name, '')
		FROM action_owners o LEFT JOIN people p ON p.id = o.person_id LEFT JOIN organisations org ON org.id = o.organisation_id
		WHERE o.action_id IN (SELECT value FROM json_each(?)) ORDER BY o.action_id, o.position`, list)
	if err != nil {
		return fmt.Errorf("load owners: %w", err)
	}
	for rows.Next() {
		var id int64
		var o Owner
		if err := rows.Scan(&id, &o.Kind, &o.PersonID, &o.OrganisationID, &o.Role, &o.Group, &o.Label, &o.Name); err != nil {
			rows.Close()
			return err
		}
		switch o.Kind {
		case OwnerRole:
			o.Name = roleName(o.Role) + " (" + o.Name + ")"
		case OwnerGroup:
			o.Name = groupName(o.Group)
		}
		at[id].Owners = append(at[id].Owners, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.query(ctx, q, `SELECT r.id, r.action_id, r.organisation_id, o.name, r.status, r.note, r.answered_by, r.answered_at
		FROM action_responses r JOIN organisations o ON o.id = r.organisation_id
		WHERE r.action_id IN (SELECT value FROM json_each(?)) ORDER BY r.action_id, o.name`, list)
	if err != nil {
		return fmt.Errorf("load responses: %w", err)
	}
	for rows.Next() {
		var r Response
		var answered string
		if err := rows.Scan(&r.ID, &r.ActionID, &r.OrganisationID, &r.OrganisationName, &r.Status, &r.Note, &r.AnsweredBy, &answered); err != nil {
			rows.Close()
			return err
		}
		r.AnsweredAt = parseTime(answered)
		a := at[r.ActionID]
		a.Responses = append(a.Responses, r)
		for i := range a.Owners {
			if a.Owners[i].Kind == OwnerGroup {
				a.Owners[i].Organisations = append(a.Owners[i].Organisations, r.OrganisationID)
			}
		}
	}
	rows.Close()
	return rows.Err()
}

func roleName(role string) string {
	switch role {
	case "chair":
		return "Chair"
	case "vice-chair":
		return "Vice-chair"
	case "clerk":
		return "Clerk"
	}
	return role
}

func groupName(g string) string {
	switch g {
	case GroupPartners:
		return "All partners"
	case GroupAll:
		return "All members"
	}
	return g
}

// byIDs reads actions by id, in the order of ids.
func (s *Store) byIDs(ctx context.Context, ids []int64) ([]Action, error) {
	as, err := s.queryActions(ctx, s.db, `SELECT `+actionCols+actionFrom+` WHERE a.id IN (SELECT value FROM json_each(?))`, idList(ids))
	if err != nil {
		return nil, err
	}
	at := make(map[int64]Action, len(as))
	for _, a := range as {
		at[a.ID] = a
	}
	out := make([]Action, 0, len(ids))
	for _, id := range ids {
		if a, ok := at[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// Action returns one action with its owners, responses and latest update.
func (s *Store) Action(ctx context.Context, id int64) (*Action, error) {
	return s.action(ctx, s.db, id)
}

func (s *Store) action(ctx context.Context, q Querier, id int64) (*Action, error) {
	as, err := s.queryActions(ctx, q, `SELECT `+actionCols+actionFrom+` WHERE a.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, errs.E(errs.NotFound, "No action %d", id)
	}
	return &as[0], nil
}

// ActionByRef returns the action with a reference such as SBP/26/07.
func (s *Store) ActionByRef(ctx context.Context, ref string) (*Action, error) {
	as, err := s.queryActions(ctx, s.db, `SELECT `+actionCols+actionFrom+` WHERE a.ref = ?`, strings.TrimSpace(ref))
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, errs.E(errs.NotFound, "No action %s", ref)
	}
	return &as[0], nil
}

// Updates lists an action's progress notes, oldest first.
func (s *Store) Updates(ctx context.Context, actionID int64) ([]Update, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, action_id, text, author, created_at FROM action_updates WHERE action_id = ? ORDER BY id`, actionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Update{}
	for rows.Next() {
		var u Update
		var at string
		if err := rows.Scan(&u.ID, &u.ActionID, &u.Text, &u.Author, &at); err != nil {
			return nil, err
		}
		u.CreatedAt = parseTime(at)
		out = append(out, u)
	}
	return out, rows.Err()
}

// Passage is one meeting an action passed through: set there, or carried from it to the
// next.
type Passage struct {
	MeetingID       int64     `json:"meeting_id"`
	MeetingStartsAt time.Time `json:"meeting_starts_at"`
	Kind            string    `json:"kind"` // set, carried
	ToMeetingID     int64     `json:"to_meeting_id,omitempty"`
}

// History lists the meetings an action passed through, in meeting order.
func (s *Store) History(ctx context.Context, actionID int64) ([]Passage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT am.meeting_id, m.starts_at, am.kind, coalesce(am.to_meeting_id,0)
		FROM action_meetings am JOIN meetings m ON m.id = am.meeting_id WHERE am.action_id = ? ORDER BY m.starts_at, am.id`, actionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Passage{}
	for rows.Next() {
		var p Passage
		var at string
		if err := rows.Scan(&p.MeetingID, &at, &p.Kind, &p.ToMeetingID); err != nil {
			return nil, err
		}
		p.MeetingStartsAt = parseTime(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Create adds an action by hand (not from the minutes): owners already resolved, a
// reference given from today's municipal year.
func (s *Store) Create(ctx context.Context, a *Action) error {
	a.MeetingID = 0
	if err := a.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		return s.create(ctx, newTxn(tx), a, s.now())
	})
}

// create inserts a, giving it a reference from the municipal year of at, its owners, the
// responses its groups owe, and its audit event.
func (s *Store) create(ctx context.Context, tx *txn, a *Action, at time.Time) error {
	var short string
	var startMonth int
	err := tx.QueryRowContext(ctx, `SELECT short_name, year_start_month FROM boards WHERE id = ?`, a.BoardID).Scan(&short, &startMonth)
	if db.IsNoRows(err) {
		return errs.E(errs.NotFound, "No board %d", a.BoardID)
	}
	if err != nil {
		return err
	}
	a.Year = MunicipalYear(at, startMonth)
	if a.Seq, err = reserveSeqs(ctx, tx, a.BoardID, a.Year, 1); err != nil {
		return err
	}
	a.Ref = FormatRef(short, a.Year, a.Seq)
	return s.insert(ctx, tx, a, at, "")
}

// reserveSeqs takes the next n sequence numbers of a board's municipal year in one
// statement, and answers the first.
func reserveSeqs(ctx context.Context, q Querier, boardID int64, year, n int) (int, error) {
	var last int
	if err := q.QueryRowContext(ctx, `INSERT INTO action_sequences (board_id, year, last_seq) VALUES (?, ?, ?)
		ON CONFLICT (board_id, year) DO UPDATE SET last_seq = last_seq + excluded.last_seq RETURNING last_seq`, boardID, year, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("next action number: %w", err)
	}
	return last - n + 1, nil
}

// insert writes a new action whose reference is already given (Year, Seq, Ref), with its
// owners, the responses its groups owe, the meeting that set it, the due point as the
// minutes set it (setDue, or "") and its audit event.
func (s *Store) insert(ctx context.Context, tx *txn, a *Action, at time.Time, setDue string) error {
	return s.insertAll(ctx, tx, []*Action{a}, at, []string{setDue})
}

// insertAll is insert for many actions, a statement per table rather than per action (each
// row still fires the board-version triggers): a first save of long minutes creates
// hundreds. setDue holds each action's due point as the minutes set it.
func (s *Store) insertAll(ctx context.Context, tx *txn, as []*Action, at time.Time, setDue []string) error {
	if len(as) == 0 {
		return nil
	}
	now := formatTime(s.now())
	rows := make([][]any, len(as))
	for i, a := range as {
		if a.Status == "" {
			a.Status = StatusOpen
		}
		a.Dissemination = a.Dissemination || IsDissemination(a.Text)
		rows[i] = []any{a.BoardID, a.Ref, a.Year, a.Seq, nullID(a.MeetingID), nullID(a.ItemID), a.ItemNumber, a.MinuteNumber, a.Text,
			a.Due.Date, nullID(a.Due.MeetingID), a.Due.Next, dueAfter(a, at), setDue[i], a.Status, a.DroppedReason, a.Dissemination, a.Line}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	// The rows go in as one JSON array, so that the statement's text is the same for any
	// number of actions and is prepared once.
	res, err := tx.QueryContext(ctx, `INSERT INTO actions (board_id, ref, year, seq, meeting_id, item_id, item_number, minute_number, text,
		due_date, due_meeting_id, due_next, due_after, set_due, status, dropped_reason, dissemination, line, created_at, updated_at)
		SELECT r->>0, r->>1, r->>2, r->>3, r->>4, r->>5, r->>6, r->>7, r->>8, r->>9, r->>10, r->>11, r->>12, r->>13, r->>14, r->>15, r->>16, r->>17, ?2, ?2
		FROM (SELECT value AS r, key FROM json_each(?1)) ORDER BY key
		RETURNING id, ref`, string(list), now)
	if err != nil {
		return s.insertError(ctx, tx, as, err)
	}
	ids := make(map[string]int64, len(as))
	for res.Next() {
		var id int64
		var ref string
		if err := res.Scan(&id, &ref); err != nil {
			res.Close()
			return err
		}
		ids[ref] = id
	}
	res.Close()
	if err := res.Err(); err != nil {
		return s.insertError(ctx, tx, as, err)
	}

	var owners, responses, set [][]any
	for _, a := range as {
		a.ID = ids[a.Ref]
		if a.ID == 0 {
			return fmt.Errorf("create action %s: no id returned", a.Ref)
		}
		asked := map[int64]bool{}
		for i, o := range a.Owners {
			owners = append(owners, []any{a.ID, i, o.Kind, nullID(o.PersonID), nullID(o.OrganisationID), o.Role, o.Group, o.Label})
			if o.Kind == OwnerGroup {
				for _, org := range o.Organisations {
					if !asked[org] {
						asked[org] = true
						responses = append(responses, []any{a.ID, org})
					}
				}
			}
		}
		if a.MeetingID != 0 {
			set = append(set, []any{a.ID, a.MeetingID})
		}
	}
	for _, batch := range []struct {
		rows  [][]any
		query string
	}{
		{owners, `INSERT INTO action_owners (action_id, position, kind, person_id, organisation_id, role, group_name, label)
			SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?)`},
		{responses, `INSERT INTO action_responses (action_id, organisation_id) SELECT value->>0, value->>1 FROM json_each(?)`},
		{set, `INSERT INTO action_meetings (action_id, meeting_id, kind) SELECT value->>0, value->>1, 'set' FROM json_each(?)`},
	} {
		if len(batch.rows) == 0 {
			continue
		}
		list, err := json.Marshal(batch.rows)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, batch.query, string(list)); err != nil {
			return fmt.Errorf("create actions: %w", err)
		}
	}
	for _, a := range as {
		if err := audit.Record(ctx, tx, "action.create", "action", a.ID, nil, a); err != nil {
			return err
		}
	}
	return nil
}

// insertError names the reference already in use when inserting failed on one.
func (s *Store) insertError(ctx context.Context, q Querier, as []*Action, err error) error {
	if !db.IsUnique(err) {
		return fmt.Errorf("create action: %w", err)
	}
	for _, a := range as {
		var n int
		if q.QueryRowContext(ctx, `SELECT count(*) FROM actions WHERE ref = ?`, a.Ref).Scan(&n) == nil && n > 0 {
			return errs.E(errs.Conflict, "The reference %s is already in use", a.Ref)
		}
	}
	return errs.E(errs.Conflict, "A reference is already in use")
}

// dueAfter is the moment "by the next meeting" counts from: the meeting that set the
// action, or the time it was added.
func dueAfter(a *Action, at time.Time) string {
	if !a.Due.Next {
		return ""
	}
	return formatTime(at)
}

// writeOwners replaces an action's owners, and brings its responses in line with its
// group owners: a pending response for each organisation asked, answered ones kept.
func writeOwners(ctx context.Context, tx Querier, actionID int64, owners []Owner) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM action_owners WHERE action_id = ?`, actionID); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT organisation_id, status FROM action_responses WHERE action_id = ?`, actionID)
	if err != nil {
		return err
	}
	have := map[int64]string{}
	for rows.Next() {
		var org int64
		var st string
		if err := rows.Scan(&org, &st); err != nil {
			rows.Close()
			return err
		}
		have[org] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return addOwners(ctx, tx, actionID, owners, have)
}

// addOwners inserts an action's owners (it has none) and the responses its group owners
// ask for, given the responses it has (org to status; nil for a new action): pending ones
// no longer asked for go, answered ones stay.
func addOwners(ctx context.Context, tx Querier, actionID int64, owners []Owner, have map[int64]string) error {
	asked := map[int64]bool{}
	for i, o := range owners {
		if _, err := tx.ExecContext(ctx, `INSERT INTO action_owners (action_id, position, kind, person_id, organisation_id, role, group_name, label)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, actionID, i, o.Kind, nullID(o.PersonID), nullID(o.OrganisationID), o.Role, o.Group, o.Label); err != nil {
			return fmt.Errorf("add owner @%s: %w", o.Label, err)
		}
		if o.Kind == OwnerGroup {
			for _, org := range o.Organisations {
				asked[org] = true
			}
		}
	}
	for org, st := range have {
		if !asked[org] && st == ResponsePending {
			if _, err := tx.ExecContext(ctx, `DELETE FROM action_responses WHERE action_id = ? AND organisation_id = ?`, actionID, org); err != nil {
				return err
			}
		}
	}
	for org := range asked {
		if _, ok := have[org]; !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO action_responses (action_id, organisation_id) VALUES (?, ?)`, actionID, org); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddUpdate posts a progress note; an open action becomes in progress. The author is the
// actor in ctx.
func (s *Store) AddUpdate(ctx context.Context, actionID int64, text string) (*Update, error) {
	u := &Update{ActionID: actionID, Text: text}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	actor := audit.ActorFrom(ctx)
	u.Author = actor.Name
	u.CreatedAt = s.now().UTC().Truncate(time.Second)
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		return s.addUpdate(ctx, tx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Store) addUpdate(ctx context.Context, tx *sql.Tx, u *Update) error {
	actor := audit.ActorFrom(ctx)
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM actions WHERE id = ?`, u.ActionID).Scan(&status)
	if db.IsNoRows(err) {
		return errs.E(errs.NotFound, "No action %d", u.ActionID)
	}
	if err != nil {
		return err
	}
	var uid any
	if actor.UserID != 0 {
		uid = actor.UserID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO action_updates (action_id, text, author, author_user_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.ActionID, u.Text, u.Author, uid, formatTime(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("add update: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	if status == StatusOpen {
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = 'in_progress', updated_at = ? WHERE id = ?`, formatTime(s.now()), u.ActionID); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE actions SET updated_at = ? WHERE id = ?`, formatTime(s.now()), u.ActionID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "action.update_posted", "action", u.ActionID, nil, u)
}

// Complete marks an action done with a note, a document (a disseminated paper), or both.
// Completing a done action is a conflict, unless the same request (requestKey) is made
// again: then it is answered as before, so a double-click or a retried request is
// harmless. Who may complete is CanUpdate's question, asked before.
func (s *Store) Complete(ctx context.Context, actionID int64, note string, documentID int64, requestKey string) error {
	return s.CompleteThen(ctx, actionID, note, documentID, requestKey, nil)
}

// AfterComplete runs in the transaction that marks an action done, with the action as it
// now stands: the caller queues the mail that circulates its document, so that an action
// is never done without its mail queued, nor mail queued for a change rolled back.
type AfterComplete func(ctx context.Context, tx *sql.Tx, a *Action) error

// CompleteThen is Complete, running then once the action is done; not when a repeated
// request is answered as before (its mail was queued the first time).
func (s *Store) CompleteThen(ctx context.Context, actionID int64, note string, documentID int64, requestKey string, then AfterComplete) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		return s.complete(ctx, tx, actionID, note, documentID, requestKey, then)
	})
}

func (s *Store) complete(ctx context.Context, tx *sql.Tx, actionID int64, note string, documentID int64, requestKey string, then AfterComplete) error {
	note = strings.TrimSpace(note)
	var ref, status, key, completedAt string
	err := tx.QueryRowContext(ctx, `SELECT ref, status, completion_key, completed_at FROM actions WHERE id = ?`, actionID).Scan(&ref, &status, &key, &completedAt)
	if db.IsNoRows(err) {
		return errs.E(errs.NotFound, "No action %d", actionID)
	}
	if err != nil {
		return err
	}
	switch status {
	case StatusDone:
		if requestKey != "" && requestKey == key {
			return nil
		}
		return errs.E(errs.Conflict, "%s is already done (marked done on %s)", ref, parseTime(completedAt).In(london).Format("2 January 2006"))
	case StatusDropped:
		return errs.E(errs.Conflict, "%s was dropped; reopen it before marking it done", ref)
	}
	if note == "" && documentID == 0 {
		return errs.Field("note", "Say how %s was done, or attach the document", ref)
	}
	if documentID != 0 {
		var n int
		tx.QueryRowContext(ctx, `SELECT count(*) FROM action_documents WHERE id = ?`, documentID).Scan(&n)
		if n == 0 {
			return errs.Field("document", "No document %d", documentID)
		}
	}
	now := formatTime(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = 'done', completed_at = ?, completed_note = ?, completion_document_id = ?,
		completion_key = ?, updated_at = ? WHERE id = ?`, now, note, nullID(documentID), requestKey, now, actionID); err != nil {
		return fmt.Errorf("complete %s: %w", ref, err)
	}
	if err := audit.Record(ctx, tx, "action.complete", "action", actionID, map[string]string{"status": status},
		map[string]any{"status": StatusDone, "note": note, "document_id": documentID}); err != nil {
		return err
	}
	if then == nil {
		return nil
	}
	a, err := s.action(ctx, tx, actionID)
	if err != nil {
		return err
	}
	return then(ctx, tx, a)
}

// Drop closes an action that will not be done, with the reason.
func (s *Store) Drop(ctx context.Context, actionID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errs.Field("reason", "Say why the action is dropped")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		return s.drop(ctx, tx, actionID, reason)
	})
}

func (s *Store) drop(ctx context.Context, tx *sql.Tx, actionID int64, reason string) error {
	var ref, status string
	err := tx.QueryRowContext(ctx, `SELECT ref, status FROM actions WHERE id = ?`, actionID).Scan(&ref, &status)
	if db.IsNoRows(err) {
		return errs.E(errs.NotFound, "No action %d", actionID)
	}
	if err != nil {
		return err
	}
	if status == StatusDone {
		return errs.E(errs.Conflict, "%s is done; it cannot be dropped", ref)
	}
	if status == StatusDropped {
		return nil
	}
	now := formatTime(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = 'dropped', dropped_reason = ?, dropped_at = ?, updated_at = ? WHERE id = ?`,
		reason, now, now, actionID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "action.drop", "action", actionID, map[string]string{"status": status},
		map[string]string{"status": StatusDropped, "reason": reason})
}

// Reopen puts a done or dropped action back in the log.
func (s *Store) Reopen(ctx context.Context, actionID int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM actions WHERE id = ?`, actionID).Scan(&status)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "No action %d", actionID)
		}
		if err != nil || outstanding(status) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = 'open', dropped_reason = '', dropped_at = '', completed_at = '',
			completed_note = '', completion_document_id = NULL, completion_key = '', updated_at = ? WHERE id = ?`, formatTime(s.now()), actionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "action.reopen", "action", actionID, map[string]string{"status": status}, map[string]string{"status": StatusOpen})
	})
}

// Respond records one organisation's answer to an action owned by a group. When every
// organisation asked has answered, the action is done; the clerk may also close it before
// (Complete). It reports whether the action is now done.
func (s *Store) Respond(ctx context.Context, actionID, organisationID int64, note string) (done bool, err error) {
	r := Response{ActionID: actionID, OrganisationID: organisationID, Status: ResponseAnswered, Note: strings.TrimSpace(note)}
	if err := r.Validate(); err != nil {
		return false, err
	}
	err = db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var ref, status, current string
		err := tx.QueryRowContext(ctx, `SELECT a.ref, a.status, r.status FROM actions a
			JOIN action_responses r ON r.action_id = a.id AND r.organisation_id = ? WHERE a.id = ?`, organisationID, actionID).Scan(&ref, &status, &current)
		if db.IsNoRows(err) {
			return errs.E(errs.NotFound, "Action %d asks no answer of organisation %d", actionID, organisationID)
		}
		if err != nil {
			return err
		}
		if !outstanding(status) {
			return errs.E(errs.Conflict, "%s is %s; answers are closed", ref, strings.ToLower(StatusLabel(status)))
		}
		now := formatTime(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE action_responses SET status = 'answered', note = ?, answered_by = ?, answered_at = ?
			WHERE action_id = ? AND organisation_id = ?`, r.Note, audit.ActorFrom(ctx).Name, now, actionID, organisationID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "action.respond", "action", actionID, map[string]string{"status": current}, r); err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM action_responses WHERE action_id = ? AND status = 'pending'`, actionID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			if status == StatusOpen {
				_, err = tx.ExecContext(ctx, `UPDATE actions SET status = 'in_progress', updated_at = ? WHERE id = ?`, now, actionID)
			}
			return err
		}
		done = true
		return s.complete(ctx, tx, actionID, "Every organisation asked has answered.", 0, "", nil)
	})
	return done, err
}

// Document is a file that completed an action.
type Document struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	Content     []byte    `json:"-"`
}

// MaxDocumentSize is the largest completion document Quorum keeps.
const MaxDocumentSize = 25 << 20

// AddDocument keeps an uploaded file for completing an action and returns its id.
func (s *Store) AddDocument(ctx context.Context, filename, contentType string, content []byte) (int64, error) {
	filename = strings.TrimSpace(filename)
	if filename == "" {
		return 0, errs.Field("file", "The file has no name")
	}
	if len(content) == 0 {
		return 0, errs.Field("file", "The file %s is empty", filename)
	}
	if len(content) > MaxDocumentSize {
		return 0, &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("%s is larger than 25 MB", filename), Field: "file"}
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	sum := sha256.Sum256(content)
	var id int64
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO action_documents (filename, content_type, content, sha256, size) VALUES (?, ?, ?, ?, ?)`,
			filename, contentType, content, hex.EncodeToString(sum[:]), len(content))
		if err != nil {
			return fmt.Errorf("add document: %w", err)
		}
		id, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "action_document.create", "action_document", id, nil,
			map[string]any{"filename": filename, "size": len(content), "sha256": hex.EncodeToString(sum[:])})
	})
	return id, err
}

// Document returns a completion document with its content.
func (s *Store) Document(ctx context.Context, id int64) (*Document, error) {
	var d Document
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT id, filename, content_type, sha256, size, created_at, content FROM action_documents WHERE id = ?`, id).
		Scan(&d.ID, &d.Filename, &d.ContentType, &d.SHA256, &d.Size, &at, &d.Content)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No document %d", id)
	}
	d.CreatedAt = parseTime(at)
	return &d, err
}

// Circulated lists the dissemination actions of a board completed with a document since
// a moment (the last meeting): what the next pack lists as "circulated since the last
// meeting".
func (s *Store) Circulated(ctx context.Context, boardID int64, since time.Time) ([]Action, error) {
	return s.queryActions(ctx, s.db, `SELECT `+actionCols+actionFrom+`
		WHERE a.board_id = ? AND a.status = 'done' AND a.completion_document_id IS NOT NULL AND a.completed_at >= ?
		ORDER BY a.completed_at`, boardID, formatTime(since))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
