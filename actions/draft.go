package actions

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

// Draft is one ACTION line of a meeting's minutes, as the minutes package read it. Owners
// are as written, without the @. The due part is a date (YYYY-MM-DD), "the next meeting"
// (DueNext), or a meeting the minutes package already found (DueMeetingID); at most one.
type Draft struct {
	Ref          string
	ItemID       int64
	ItemNumber   string
	Minute       string
	Owners       []string
	Text         string
	DueDate      string
	DueNext      bool
	DueMeetingID int64
	Line         int
}

// LineError is a problem with one ACTION line, for the clerk to see where it stands.
type LineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// meetingInfo is what syncing and carrying need to know of a meeting and its board.
type meetingInfo struct {
	id, boardID int64
	startsAt    time.Time
	starts      string // as stored, RFC 3339 UTC: compared as text in SQL
	status      string
	short       string
	startMonth  int
}

func loadMeeting(ctx context.Context, q Querier, id int64) (meetingInfo, error) {
	var m meetingInfo
	err := q.QueryRowContext(ctx, `SELECT m.id, m.board_id, m.starts_at, m.status, b.short_name, b.year_start_month
		FROM meetings m JOIN boards b ON b.id = m.board_id WHERE m.id = ?`, id).Scan(&m.id, &m.boardID, &m.starts, &m.status, &m.short, &m.startMonth)
	if db.IsNoRows(err) {
		return m, errs.E(errs.NotFound, "No meeting %d", id)
	}
	if err != nil {
		return m, fmt.Errorf("meeting %d: %w", id, err)
	}
	m.startsAt = parseTime(m.starts)
	return m, nil
}

// day is the London day of the meeting, YYYY-MM-DD.
func (m meetingInfo) day() string { return m.startsAt.In(london).Format(time.DateOnly) }

// nextMeeting returns the board's first meeting after m that is not cancelled, or 0.
func nextMeeting(ctx context.Context, q Querier, m meetingInfo) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM meetings WHERE board_id = ? AND starts_at > ? AND status <> 'cancelled'
		ORDER BY starts_at LIMIT 1`, m.boardID, m.starts).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// prepared is a draft checked and resolved: its owners, its due point, and the action it
// updates (0 for a new one).
type prepared struct {
	d        Draft
	owners   []Owner
	due      Due
	setDue   string
	actionID int64
}

// CheckDrafts reads every ACTION line of a meeting's minutes against the board without
// changing anything, and lists each line's problem: unknown or ambiguous owners, a
// reference from elsewhere, a due date before the meeting. The minutes editor shows them
// where they stand.
func (s *Store) CheckDrafts(ctx context.Context, q Querier, meetingID int64, drafts []Draft) ([]LineError, error) {
	q, done, err := reader(ctx, q)
	if err != nil {
		return nil, err
	}
	defer done()
	m, err := loadMeeting(ctx, q, meetingID)
	if err != nil {
		return nil, err
	}
	mine, err := refsOf(ctx, q, m.id)
	if err != nil {
		return nil, err
	}
	_, problems, err := prepareDrafts(ctx, q, m, mine, drafts)
	return problems, err
}

// refsOf maps the references of a meeting's actions to their ids.
func refsOf(ctx context.Context, q Querier, meetingID int64) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, ref FROM actions WHERE meeting_id = ?`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return nil, err
		}
		out[strings.ToUpper(ref)] = id
	}
	return out, rows.Err()
}

// prepareDrafts checks and resolves each draft. mine maps the references of the meeting's
// own actions to their ids, read once; q should prepare its statements (reader, txn),
// since each line runs the same few.
func prepareDrafts(ctx context.Context, q Querier, m meetingInfo, mine map[string]int64, drafts []Draft) ([]prepared, []LineError, error) {
	var out []prepared
	var problems []LineError
	refLine := map[string]int{}
	owners := newOwnerCache(q, m.boardID, m.day())
	dueMeetings := map[int64]meetingInfo{}
	dueMeeting := func(id int64) (meetingInfo, error) {
		if dm, ok := dueMeetings[id]; ok {
			return dm, nil
		}
		dm, err := loadMeeting(ctx, q, id)
		if err == nil {
			dueMeetings[id] = dm
		}
		return dm, err
	}
	next, nextErr := int64(0), error(nil)
	nextLooked := false
	for _, d := range drafts {
		p := prepared{d: d}
		bad := func(format string, args ...any) {
			problems = append(problems, LineError{Line: d.Line, Message: fmt.Sprintf(format, args...)})
		}
		before := len(problems)

		if ref := strings.ToUpper(strings.TrimSpace(d.Ref)); ref != "" {
			p.d.Ref = ref
			if l, ok := refLine[ref]; ok {
				bad("reference %s is used twice (lines %d and %d): delete it from one of them to make a new action", ref, l, d.Line)
			}
			refLine[ref] = d.Line
			if id, ok := mine[ref]; ok {
				p.actionID = id
			} else {
				var board, meeting int64
				err := q.QueryRowContext(ctx, `SELECT id, board_id, coalesce(meeting_id,0) FROM actions WHERE ref = ?`, ref).Scan(&p.actionID, &board, &meeting)
				switch {
				case db.IsNoRows(err):
					bad("reference %s is not an action Quorum knows: delete the reference to make a new action", ref)
				case err != nil:
					return nil, nil, err
				case board != m.boardID:
					bad("reference %s belongs to another meeting, of another board: delete the reference to make a new action", ref)
				case meeting != m.id:
					bad("reference %s belongs to another meeting: delete the reference to make a new action, or record progress on %s in the log", ref, ref)
				}
			}
		}
		if strings.TrimSpace(d.Text) == "" {
			bad("the action has no text: write what is to be done after the owners")
		}
		os, err := owners.resolve(ctx, d.Owners)
		if err != nil {
			if errs.Code(err) != errs.Invalid {
				return nil, nil, err
			}
			bad("%s", errs.Message(err))
		}
		p.owners = os

		switch {
		case d.DueMeetingID != 0 && d.DueDate != "":
			bad("the action is due by a date and by a meeting: keep one")
		case d.DueMeetingID != 0:
			dm, err := dueMeeting(d.DueMeetingID)
			switch {
			case errs.Code(err) == errs.NotFound:
				bad("the meeting the action is due by (%d) does not exist", d.DueMeetingID)
			case err != nil:
				return nil, nil, err
			case dm.boardID != m.boardID:
				bad("the meeting the action is due by is a meeting of another board")
			case !dm.startsAt.After(m.startsAt):
				bad("the action is due by the meeting of %s, which is not after this meeting (%s): an action can only fall due after the meeting that agreed it",
					ukDate(dm.startsAt), ukDate(m.startsAt))
			default:
				p.due = Due{MeetingID: dm.id, MeetingStartsAt: dm.startsAt}
				p.setDue = "meeting:" + strconv.FormatInt(dm.id, 10)
			}
		case d.DueDate != "":
			t, err := time.ParseInLocation(time.DateOnly, d.DueDate, london)
			switch {
			case err != nil:
				bad("%q is not a date: write it as YYYY-MM-DD", d.DueDate)
			case d.DueDate < m.day():
				bad("the due date %s is before the meeting (%s): an action can only fall due after the meeting that agreed it",
					ukDate(t), ukDate(m.startsAt))
			default:
				p.due = Due{Date: d.DueDate}
				p.setDue = "date:" + d.DueDate
			}
		case d.DueNext:
			if !nextLooked {
				next, nextErr = nextMeeting(ctx, q, m)
				nextLooked = true
			}
			if nextErr != nil {
				return nil, nil, nextErr
			}
			if next != 0 {
				dm, err := dueMeeting(next)
				if err != nil {
					return nil, nil, err
				}
				p.due = Due{MeetingID: next, MeetingStartsAt: dm.startsAt}
				p.setDue = "meeting:" + strconv.FormatInt(next, 10)
			} else {
				p.due = Due{Next: true}
				p.setDue = "next"
			}
		}
		if len(problems) == before {
			out = append(out, p)
		}
	}
	return out, problems, nil
}

func ukDate(t time.Time) string { return t.In(london).Format("2 January 2006") }

// SyncFromMinutes brings the action log in line with the ACTION lines of a meeting's
// minutes, inside the minutes' own transaction so that the minutes and their actions are
// saved together or not at all. Lines without a reference become new actions and get one;
// lines with a reference update that action (text, owners, due point, item); actions of
// this meeting no longer in the minutes are deleted, or dropped ("removed from the
// minutes") once anyone has worked on them. Any problem on any line refuses the whole
// save with EINVALID, naming the lines. It answers the reference of every line.
//
// A first save creates hundreds of actions at once, so the work is done in bulk: the
// meeting's actions read in one query, each owner resolved once, every statement prepared
// once for the transaction, and the new references taken in one step.
func (s *Store) SyncFromMinutes(ctx context.Context, sqlTx *sql.Tx, meetingID int64, drafts []Draft) (map[int]string, error) {
	tx := newTxn(sqlTx)
	defer tx.Close()
	m, err := loadMeeting(ctx, tx, meetingID)
	if err != nil {
		return nil, err
	}
	existing, err := s.queryActions(ctx, tx, `SELECT `+actionCols+actionFrom+` WHERE a.meeting_id = ? ORDER BY a.id`, m.id)
	if err != nil {
		return nil, err
	}
	mine := make(map[string]int64, len(existing))
	byID := make(map[int64]*Action, len(existing))
	for i := range existing {
		mine[strings.ToUpper(existing[i].Ref)] = existing[i].ID
		byID[existing[i].ID] = &existing[i]
	}
	ps, problems, err := prepareDrafts(ctx, tx, m, mine, drafts)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = fmt.Sprintf("line %d: %s", p.Line, p.Message)
		}
		return nil, errs.E(errs.Invalid, "%s", strings.Join(msgs, "\n"))
	}

	var setDue map[int64]string
	if len(existing) > 0 {
		if setDue, err = setDues(ctx, tx, m.id); err != nil {
			return nil, err
		}
	}
	fresh := 0
	for _, p := range ps {
		if p.actionID == 0 {
			fresh++
		}
	}
	year, seq := MunicipalYear(m.startsAt, m.startMonth), 0
	if fresh > 0 {
		if seq, err = reserveSeqs(ctx, tx, m.boardID, year, fresh); err != nil {
			return nil, err
		}
	}

	refs := make(map[int]string, len(ps))
	kept := map[int64]bool{}
	created := make([]*Action, 0, fresh)
	createdDue := make([]string, 0, fresh)
	for _, p := range ps {
		if p.actionID == 0 {
			a := &Action{BoardID: m.boardID, MeetingID: m.id, ItemID: p.d.ItemID, ItemNumber: p.d.ItemNumber, MinuteNumber: p.d.Minute,
				Line: p.d.Line, Text: strings.TrimSpace(p.d.Text), Owners: p.owners, Due: p.due, Status: StatusOpen,
				Year: year, Seq: seq, Ref: FormatRef(m.short, year, seq)}
			seq++
			created = append(created, a)
			createdDue = append(createdDue, p.setDue)
			refs[p.d.Line] = a.Ref
			continue
		}
		before := byID[p.actionID]
		if before == nil {
			return nil, fmt.Errorf("line %d: %s is not an action of this meeting", p.d.Line, p.d.Ref)
		}
		if err := s.updateFromDraft(ctx, tx, m, p, before, setDue[p.actionID]); err != nil {
			return nil, fmt.Errorf("line %d: %w", p.d.Line, err)
		}
		refs[p.d.Line] = p.d.Ref
		kept[p.actionID] = true
	}

	if err := s.insertAll(ctx, tx, created, m.startsAt, createdDue); err != nil {
		return nil, err
	}
	for i := range existing {
		if !kept[existing[i].ID] {
			if err := s.removeFromMinutes(ctx, tx, &existing[i]); err != nil {
				return nil, err
			}
		}
	}
	return refs, nil
}

// setDues reads the due points the minutes last set for a meeting's actions.
func setDues(ctx context.Context, q Querier, meetingID int64) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, set_due FROM actions WHERE meeting_id = ?`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

// updateFromDraft writes what the clerk changed in an ACTION line, given the action as it
// stood and the due point the minutes last set (setDue). The due point changes only when
// the minutes' due part changed, so saving the minutes again never undoes a carry forward.
func (s *Store) updateFromDraft(ctx context.Context, tx *txn, m meetingInfo, p prepared, before *Action, setDue string) error {
	after := *before
	after.Text = strings.TrimSpace(p.d.Text)
	after.ItemID, after.ItemNumber, after.MinuteNumber, after.Line = p.d.ItemID, p.d.ItemNumber, p.d.Minute, p.d.Line
	after.Owners = p.owners
	dueChanged := p.setDue != setDue
	if dueChanged {
		after.Due = p.due
	}
	reopened := before.Status == StatusDropped && before.DroppedReason == removedReason
	if reopened {
		after.Status, after.DroppedReason = StatusOpen, ""
	}
	ownersChanged := !sameOwners(before.Owners, after.Owners)
	changed := after.Text != before.Text || after.ItemID != before.ItemID || after.MinuteNumber != before.MinuteNumber ||
		after.ItemNumber != before.ItemNumber || ownersChanged || dueChanged || reopened
	if !changed && after.Line == before.Line {
		return nil
	}
	now := formatTime(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET text = ?, item_id = ?, item_number = ?, minute_number = ?, line = ?,
		dissemination = ?, status = ?, dropped_reason = ?, dropped_at = CASE WHEN ? THEN '' ELSE dropped_at END WHERE id = ?`,
		after.Text, nullID(after.ItemID), after.ItemNumber, after.MinuteNumber, after.Line,
		before.Dissemination || IsDissemination(after.Text), after.Status, after.DroppedReason, reopened, p.actionID); err != nil {
		return fmt.Errorf("update %s: %w", before.Ref, err)
	}
	if dueChanged {
		var after_ string
		if p.due.Next {
			after_ = m.starts
		}
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET due_date = ?, due_meeting_id = ?, due_next = ?, due_after = ?, set_due = ? WHERE id = ?`,
			p.due.Date, nullID(p.due.MeetingID), p.due.Next, after_, p.setDue, p.actionID); err != nil {
			return err
		}
	}
	if ownersChanged {
		if err := writeOwners(ctx, tx, p.actionID, after.Owners); err != nil {
			return err
		}
	}
	if !changed {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET updated_at = ? WHERE id = ?`, now, p.actionID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "action.update", "action", p.actionID, before, after)
}

// removedReason is why an action deleted from the minutes after work began is dropped.
const removedReason = "removed from the minutes"

// removeFromMinutes deletes an action whose line left the minutes, unless someone has
// worked on it (updates, answers, completion, carry forward): then it is dropped, so that
// the work is not lost.
func (s *Store) removeFromMinutes(ctx context.Context, tx *txn, before *Action) error {
	id := before.ID
	var worked int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM action_updates WHERE action_id = ?)
		+ (SELECT count(*) FROM action_responses WHERE action_id = ? AND status <> 'pending')`, id, id).Scan(&worked); err != nil {
		return err
	}
	if worked > 0 || !outstanding(before.Status) || before.CarriedForward > 0 {
		if before.Status == StatusDropped || before.Status == StatusDone {
			return nil
		}
		return s.drop(ctx, tx.tx, id, removedReason)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM actions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete %s: %w", before.Ref, err)
	}
	return audit.Record(ctx, tx, "action.delete", "action", id, before, nil)
}

func sameOwners(a, b []Owner) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.PersonID != y.PersonID || x.OrganisationID != y.OrganisationID || x.Role != y.Role ||
			x.Group != y.Group || x.Label != y.Label {
			return false
		}
		if x.Kind == OwnerGroup && !reflect.DeepEqual(sortedIDs(x.Organisations), sortedIDs(y.Organisations)) {
			return false
		}
	}
	return true
}

func sortedIDs(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(ids))
}
