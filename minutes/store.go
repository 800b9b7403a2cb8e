package minutes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/meetings"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the package's migrations, rooted at the schema folder. They come after
// meetings' and actions'.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// Statuses of a meeting's minutes besides StatusDraft (the clerk is writing them) and
// StatusApproved (approved as a correct record at a later meeting: never changed again),
// which the front matter shares.
const (
	StatusWithChair  = "with_chair" // sent to the chair to check
	StatusCirculated = "circulated" // approved by the chair for circulation to members as a draft
	StatusSigned     = "signed"     // approved and signed by the chair
)

// StatusLabel is a status in words.
func StatusLabel(s string) string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusWithChair:
		return "With the chair"
	case StatusCirculated:
		return "Circulated as a draft"
	case StatusApproved:
		return "Approved"
	case StatusSigned:
		return "Approved and signed"
	}
	return s
}

// Final reports whether minutes with this status are the approved record.
func Final(status string) bool { return status == StatusApproved || status == StatusSigned }

// Minutes is a meeting's minutes as last saved.
type Minutes struct {
	MeetingID           int64     `json:"meeting_id"`
	Status              string    `json:"status"`
	Text                string    `json:"-"`
	Version             int       `json:"version"`
	ApprovedAtMeetingID int64     `json:"approved_at_meeting_id,omitempty"`
	ApprovedAt          time.Time `json:"approved_at,omitzero"`
	SignedBy            string    `json:"signed_by,omitempty"`
	SignedAt            time.Time `json:"signed_at,omitzero"`
	ChairComment        string    `json:"chair_comment,omitempty"`
	ChairCommentBy      string    `json:"chair_comment_by,omitempty"`
	ChairCommentAt      time.Time `json:"chair_comment_at,omitzero"`
	UpdatedBy           string    `json:"updated_by"`
	UpdatedAt           time.Time `json:"updated_at"`

	actionsDigest string
}

// Version is one saved version of a meeting's minutes.
type Version struct {
	Version int       `json:"version"`
	Text    string    `json:"-"`
	Status  string    `json:"status"`
	SavedBy string    `json:"saved_by"`
	SavedAt time.Time `json:"saved_at"`
}

// Autosave is the editor's text as typed, kept between saves.
type Autosave struct {
	Text    string
	SavedBy string
	SavedAt time.Time
}

// StoredResolution is a resolution as kept: of a meeting's own minutes, or its approval
// of an earlier meeting's minutes.
type StoredResolution struct {
	ID           int64  `json:"id"`
	MeetingID    int64  `json:"meeting_id"`
	Kind         string `json:"kind"`
	ItemID       int64  `json:"item_id,omitempty"`
	ItemNumber   string `json:"item"`
	MinuteNumber string `json:"minute"`
	Ordinal      int    `json:"ordinal"`
	Text         string `json:"text"`
	Line         int    `json:"line,omitempty"`
}

// LinesError refuses a save for what the text says, line by line. Its code is EINVALID.
type LinesError struct {
	Lines []LineError
}

func (e *LinesError) Error() string {
	msgs := make([]string, 0, len(e.Lines))
	for _, l := range e.Lines {
		msgs = append(msgs, fmt.Sprintf("line %d: %s", l.Line, l.Message))
	}
	return strings.Join(msgs, "\n")
}

// Unwrap makes the error EINVALID for errs.Code and the error middleware.
func (e *LinesError) Unwrap() error {
	n := len(e.Lines)
	if n == 1 {
		return errs.E(errs.Invalid, "The minutes were not saved: line %d: %s", e.Lines[0].Line, e.Lines[0].Message)
	}
	return errs.E(errs.Invalid, "The minutes were not saved: %d lines need correcting", n)
}

// LinesOf returns the line errors of a refused save, or nil.
func LinesOf(err error) []LineError {
	var le *LinesError
	if errors.As(err, &le) {
		return le.Lines
	}
	return nil
}

// Store keeps minutes, their versions and resolutions. It reads meetings and writes the
// action log through their stores, inside its own transactions.
type Store struct {
	db       *sql.DB
	meetings *meetings.Store
	actions  *actions.Store
	now      func() time.Time
}

// NewStore returns a store over an open, migrated database.
func NewStore(d *sql.DB, m *meetings.Store, a *actions.Store) *Store {
	return &Store{db: d, meetings: m, actions: a, now: time.Now}
}

const timeFormat = time.RFC3339

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func (s *Store) stamp() string { return s.now().UTC().Format(timeFormat) }

func actorName(ctx context.Context) string { return audit.ActorFrom(ctx).Name }

const minutesCols = `meeting_id, status, text, version, coalesce(approved_at_meeting_id,0), approved_at, signed_by, signed_at,
	chair_comment, chair_comment_by, chair_comment_at, updated_by, updated_at, actions_digest`

func scanMinutes(sc interface{ Scan(...any) error }) (*Minutes, error) {
	var m Minutes
	var approved, signed, commented, updated string
	if err := sc.Scan(&m.MeetingID, &m.Status, &m.Text, &m.Version, &m.ApprovedAtMeetingID, &approved, &m.SignedBy, &signed,
		&m.ChairComment, &m.ChairCommentBy, &commented, &m.UpdatedBy, &updated, &m.actionsDigest); err != nil {
		return nil, err
	}
	m.ApprovedAt, m.SignedAt, m.ChairCommentAt, m.UpdatedAt = parseTime(approved), parseTime(signed), parseTime(commented), parseTime(updated)
	return &m, nil
}

// Minutes returns a meeting's saved minutes; ENOTFOUND when none are saved yet.
func (s *Store) Minutes(ctx context.Context, meetingID int64) (*Minutes, error) {
	return s.minutes(ctx, s.db, meetingID)
}

func (s *Store) minutes(ctx context.Context, q actions.Querier, meetingID int64) (*Minutes, error) {
	m, err := scanMinutes(q.QueryRowContext(ctx, `SELECT `+minutesCols+` FROM minutes WHERE meeting_id = ?`, meetingID))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No minutes have been saved for this meeting yet")
	}
	if err != nil {
		return nil, fmt.Errorf("minutes of meeting %d: %w", meetingID, err)
	}
	return m, nil
}

// errApproved is the answer to any change of approved minutes.
var errApproved = errs.E(errs.Conflict, "These minutes are approved as a correct record and can no longer be changed. A correction is recorded as a resolution of a later meeting.")

// Saved is the result of a save: the minutes as stored, and what was read out of them,
// with references and minute numbers written in.
type Saved struct {
	Minutes *Minutes
	Parsed  *Parsed
	// Carried is how many actions of earlier meetings were carried forward past this one.
	Carried int
}

// options is what Parse needs to read a meeting's minutes: its date, and the board's
// meetings for "by the September meeting". found collects the meetings so named.
func (s *Store) options(ctx context.Context, m *meetings.Meeting, found map[string]int64) Options {
	return Options{
		MeetingDate: m.StartsAt.In(meetings.London),
		Meetings: func(month time.Month, after time.Time) (string, bool) {
			dm, err := s.meetings.MeetingInMonth(ctx, m.BoardID, month, after)
			if err != nil || dm == nil {
				return "", false
			}
			date := dm.StartsAt.In(meetings.London).Format(time.DateOnly)
			found[date] = dm.ID
			return date, true
		},
	}
}

// Check parses a meeting's minutes as Save would, owners and references checked against
// the board, and saves nothing. The editor's preview and the API use it.
func (s *Store) Check(ctx context.Context, meetingID int64, text []byte) (*Parsed, error) {
	m, err := s.meetings.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	found := map[string]int64{}
	p := Parse(text, s.options(ctx, m, found))
	if len(text) > maxMinutesSize || !utf8.Valid(text) {
		return p, nil
	}
	drafts := draftsOf(p, m, nil, found)
	problems, err := s.actions.CheckDrafts(ctx, s.db, meetingID, drafts)
	if err != nil {
		return nil, err
	}
	p.Errors = mergeErrors(p.Errors, problems)
	return p, nil
}

func mergeErrors(a []LineError, b []actions.LineError) []LineError {
	for _, e := range b {
		a = append(a, LineError{Line: e.Line, Message: e.Message})
	}
	slices.SortStableFunc(a, func(x, y LineError) int { return x.Line - y.Line })
	return slices.Compact(a)
}

// draftsOf turns the parsed ACTION lines into the action log's drafts: the agenda item each
// stands under, its minute number, and its due point.
func draftsOf(p *Parsed, m *meetings.Meeting, minuteOf map[string]string, found map[string]int64) []actions.Draft {
	itemID := map[string]int64{}
	for _, it := range m.Items {
		itemID[strings.ToLower(it.Number)] = it.ID
	}
	out := make([]actions.Draft, 0, len(p.Actions))
	for _, a := range p.Actions {
		d := actions.Draft{Ref: a.Ref, ItemID: itemID[a.Item], ItemNumber: a.Item, Minute: minuteOf[a.Item],
			Owners: a.Owners, Text: a.Text, Line: a.Line}
		if a.Due != nil {
			switch {
			case a.Due.Date != "":
				d.DueDate = a.Due.Date
			case a.Due.Meeting == "next":
				d.DueNext = true
			case a.Due.Meeting != "":
				d.DueMeetingID = found[a.Due.Meeting]
			}
		}
		out = append(out, d)
	}
	return out
}

// Save parses a meeting's minutes and keeps them, in one transaction: minute numbers given
// to the item headings (first save) and written into the text, the ACTION lines synced
// with the action log and their references written back, the resolutions replaced, a new
// version kept, the meeting marked as having draft minutes, and the actions due at it and
// not done carried forward. Anything the text gets wrong refuses the whole save with a
// *LinesError naming every line; nothing is saved half-way. Approved minutes are refused
// with ECONFLICT.
func (s *Store) Save(ctx context.Context, meetingID int64, text []byte) (*Saved, error) {
	if len(text) > maxMinutesSize {
		return nil, &LinesError{Lines: []LineError{{Line: 1, Message: "the minutes are over 2 MB: split the text, or move long tables and appendices into papers"}}}
	}
	if !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0 {
		return nil, &LinesError{Lines: []LineError{{Line: 1, Message: "the file is not UTF-8 text: save it from your editor as plain text (Markdown, UTF-8)"}}}
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, &LinesError{Lines: []LineError{{Line: 1, Message: "the minutes are empty: write them, or start from the draft"}}}
	}
	m, err := s.meetings.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if m.Status == meetings.StatusCancelled {
		return nil, errs.E(errs.Conflict, "This meeting was cancelled: it has no minutes")
	}
	if m.StartsAt.After(s.now()) {
		return nil, errs.E(errs.Conflict, "This meeting has not started yet: minutes can be saved once it has begun (your text is kept by autosave)")
	}
	b, err := s.meetings.Board(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	if cur, err := s.Minutes(ctx, meetingID); err == nil && Final(cur.Status) {
		return nil, errApproved
	}

	found := map[string]int64{}
	p := Parse(text, s.options(ctx, m, found))
	if len(p.Errors) > 0 {
		problems, err := s.actions.CheckDrafts(ctx, s.db, meetingID, draftsOf(p, m, nil, found))
		if err != nil {
			return nil, err
		}
		return nil, &LinesError{Lines: mergeErrors(p.Errors, problems)}
	}

	saved := &Saved{Parsed: p}
	err = db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		cur, err := s.minutes(ctx, tx, meetingID)
		switch {
		case err == nil && Final(cur.Status):
			return errApproved
		case err != nil && errs.Code(err) != errs.NotFound:
			return err
		}
		numbers, minuteOf, err := s.assignNumbers(ctx, tx, m, b, p.Items)
		if err != nil {
			return err
		}
		out := SetMinuteNumbers(text, numbers)
		drafts := draftsOf(p, m, minuteOf, found)
		digest := draftsDigest(drafts)
		var refs map[int]string
		if cur != nil && digest != "" && cur.actionsDigest == digest {
			// The same ACTION lines as at the last save: the log already holds them.
			refs = map[int]string{}
			for _, d := range drafts {
				refs[d.Line] = d.Ref
			}
		} else if refs, err = s.actions.SyncFromMinutes(ctx, tx, meetingID, drafts); err != nil {
			return err
		} else {
			for i := range drafts {
				drafts[i].Ref = refs[drafts[i].Line]
			}
			digest = draftsDigest(drafts)
		}
		changed := map[int]string{}
		for i, a := range p.Actions {
			if r := refs[a.Line]; r != "" && r != a.Ref {
				changed[a.Line] = r
				p.Actions[i].Ref = r
			}
		}
		out = WriteRefs(out, changed)
		for i, it := range p.Items {
			p.Items[i].Minute = minuteOf[it.Number]
		}
		if err := s.replaceResolutions(ctx, tx, m, p, minuteOf); err != nil {
			return err
		}
		saved.Minutes, err = s.store(ctx, tx, meetingID, cur, string(out))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE minutes SET actions_digest = ? WHERE meeting_id = ?`, digest, meetingID); err != nil {
			return err
		}
		if m.Status != meetings.StatusMinutesDraft {
			if err := s.meetings.SetStatus(ctx, tx, meetingID, meetings.StatusMinutesDraft); err != nil {
				return err
			}
		}
		saved.Carried, err = s.actions.CarryForward(ctx, tx, meetingID)
		return err
	})
	if errs.Code(err) == errs.Invalid && LinesOf(err) == nil {
		// The action log refused a line: ask it which, so that each shows where it stands.
		problems, cerr := s.actions.CheckDrafts(ctx, s.db, meetingID, draftsOf(p, m, nil, found))
		if cerr == nil && len(problems) > 0 {
			return nil, &LinesError{Lines: mergeErrors(nil, problems)}
		}
	}
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// store writes the new text as the next version.
func (s *Store) store(ctx context.Context, tx *sql.Tx, meetingID int64, cur *Minutes, text string) (*Minutes, error) {
	now, by := s.stamp(), actorName(ctx)
	version, status := 1, StatusDraft
	if cur != nil {
		version, status = cur.Version+1, cur.Status
		if _, err := tx.ExecContext(ctx, `UPDATE minutes SET text = ?, version = ?, updated_by = ?, updated_at = ? WHERE meeting_id = ?`,
			text, version, by, now, meetingID); err != nil {
			return nil, conflictOrErr(err)
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT INTO minutes (meeting_id, status, text, version, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		meetingID, status, text, version, by, now); err != nil {
		return nil, fmt.Errorf("save minutes of meeting %d: %w", meetingID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO minutes_versions (meeting_id, version, text, status, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?)`,
		meetingID, version, text, status, by, now); err != nil {
		return nil, fmt.Errorf("keep version %d of the minutes of meeting %d: %w", version, meetingID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM minutes_autosave WHERE meeting_id = ?`, meetingID); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, "minutes.save", "minutes", meetingID, nil, map[string]any{"version": version, "status": status}); err != nil {
		return nil, err
	}
	return s.minutes(ctx, tx, meetingID)
}

// conflictOrErr turns the database's refusal to change approved minutes (the trigger) into
// the store's own 409.
func conflictOrErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "approved minutes cannot be") {
		return errApproved
	}
	return err
}

// leadingInt reads the number a minute number starts with: "47" and "47a" give 47.
func leadingInt(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1e8 {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// splitItemNumber splits "7a" into "7" and "a".
func splitItemNumber(n string) (main, sub string) {
	i := 0
	for i < len(n) && n[i] >= '0' && n[i] <= '9' {
		i++
	}
	return n[:i], n[i:]
}

// assignNumbers gives each item heading its minute number: the one written on it, else the
// one it was given before, else (a sub-item) its item's number and letter, else the next
// after the board's highest (in the municipal year, when the board restarts each year). It
// keeps them, and writes them onto the meeting's agenda items. It answers the numbers to
// write into the text, by line, and every item's number.
func (s *Store) assignNumbers(ctx context.Context, tx *sql.Tx, m *meetings.Meeting, b *meetings.Board, items []Item) (map[int]string, map[string]string, error) {
	minuteOf := map[string]string{}
	toWrite := map[int]string{}
	if b.Numbering == meetings.NumberNone {
		for _, it := range items {
			minuteOf[it.Number] = it.Minute
		}
		return toWrite, minuteOf, nil
	}
	year := 0
	if b.Numbering == meetings.NumberYearly {
		year = actions.MunicipalYear(m.StartsAt, b.YearStartMonth)
	}
	stored := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT item_number, minute_number FROM minute_numbers WHERE meeting_id = ?`, m.ID)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var n, mn string
		if err := rows.Scan(&n, &mn); err != nil {
			rows.Close()
			return nil, nil, err
		}
		stored[n] = mn
	}
	rows.Close()
	for _, it := range m.Items {
		if _, ok := stored[strings.ToLower(it.Number)]; !ok && it.MinuteNumber != "" {
			stored[strings.ToLower(it.Number)] = it.MinuteNumber
		}
	}
	var highest int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq),0) FROM minute_numbers WHERE board_id = ? AND year = ? AND meeting_id <> ?`,
		b.ID, year, m.ID).Scan(&highest); err != nil {
		return nil, nil, err
	}
	for _, mn := range stored {
		highest = max(highest, leadingInt(mn))
	}
	for _, it := range items {
		highest = max(highest, leadingInt(it.Minute))
	}
	var keep, number *sql.Stmt
	for _, it := range items {
		mn := it.Minute
		if mn == "" {
			mn = stored[it.Number]
		}
		if mn == "" {
			if main, sub := splitItemNumber(it.Number); sub != "" && minuteOf[main] != "" {
				mn = minuteOf[main] + sub
			}
		}
		if mn == "" {
			highest++
			mn = strconv.Itoa(highest)
		}
		minuteOf[it.Number] = mn
		if mn != it.Minute {
			toWrite[it.Line] = mn
		}
		if stored[it.Number] == mn {
			continue
		}
		if keep == nil {
			// Prepared once: a first save numbers every item, a hundred or more.
			if keep, err = tx.PrepareContext(ctx, `INSERT INTO minute_numbers (meeting_id, board_id, item_number, minute_number, seq, year) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (meeting_id, item_number) DO UPDATE SET minute_number = excluded.minute_number, seq = excluded.seq, year = excluded.year`); err != nil {
				return nil, nil, err
			}
			defer keep.Close()
			if number, err = tx.PrepareContext(ctx, `UPDATE agenda_items SET minute_number = ? WHERE meeting_id = ? AND lower(number) = ?`); err != nil {
				return nil, nil, err
			}
			defer number.Close()
		}
		if _, err := keep.ExecContext(ctx, m.ID, b.ID, it.Number, mn, leadingInt(mn), year); err != nil {
			return nil, nil, fmt.Errorf("keep minute number %s: %w", mn, err)
		}
		if _, err := number.ExecContext(ctx, mn, m.ID, it.Number); err != nil {
			return nil, nil, fmt.Errorf("number agenda item %s: %w", it.Number, err)
		}
	}
	return toWrite, minuteOf, nil
}

// replaceResolutions keeps what the minutes resolved, in place of what they said before.
func (s *Store) replaceResolutions(ctx context.Context, tx *sql.Tx, m *meetings.Meeting, p *Parsed, minuteOf map[string]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM resolutions WHERE meeting_id = ? AND kind = 'minutes'`, m.ID); err != nil {
		return err
	}
	itemID := map[string]int64{}
	for _, it := range m.Items {
		itemID[strings.ToLower(it.Number)] = it.ID
	}
	for _, r := range p.Resolutions {
		var item any
		if id := itemID[r.Item]; id != 0 {
			item = id
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resolutions (meeting_id, kind, item_id, item_number, minute_number, ordinal, text, line)
			VALUES (?, 'minutes', ?, ?, ?, ?, ?, ?)`, m.ID, item, r.Item, minuteOf[r.Item], r.Ordinal, r.Text, r.Line); err != nil {
			return fmt.Errorf("keep resolution at line %d: %w", r.Line, err)
		}
	}
	return nil
}

// Resolutions lists what a meeting resolved: its approval of earlier minutes first, then
// its own minutes' resolutions in order.
func (s *Store) Resolutions(ctx context.Context, meetingID int64) ([]StoredResolution, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, meeting_id, kind, coalesce(item_id,0), item_number, minute_number, ordinal, text, line
		FROM resolutions WHERE meeting_id = ? ORDER BY kind = 'minutes', line, id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StoredResolution{}
	for rows.Next() {
		var r StoredResolution
		if err := rows.Scan(&r.ID, &r.MeetingID, &r.Kind, &r.ItemID, &r.ItemNumber, &r.MinuteNumber, &r.Ordinal, &r.Text, &r.Line); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Versions lists every saved version of a meeting's minutes, newest first.
func (s *Store) Versions(ctx context.Context, meetingID int64) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, text, status, saved_by, saved_at FROM minutes_versions
		WHERE meeting_id = ? ORDER BY version DESC`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var at string
		if err := rows.Scan(&v.Version, &v.Text, &v.Status, &v.SavedBy, &at); err != nil {
			return nil, err
		}
		v.SavedAt = parseTime(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// VersionText returns one saved version.
func (s *Store) VersionText(ctx context.Context, meetingID int64, version int) (*Version, error) {
	var v Version
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT version, text, status, saved_by, saved_at FROM minutes_versions WHERE meeting_id = ? AND version = ?`,
		meetingID, version).Scan(&v.Version, &v.Text, &v.Status, &v.SavedBy, &at)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "There is no version %d of these minutes", version)
	}
	v.SavedAt = parseTime(at)
	return &v, err
}

// Autosave keeps the editor's text as typed, without reading it: it never creates actions.
// Approved minutes have nothing to autosave.
func (s *Store) Autosave(ctx context.Context, meetingID int64, text []byte) error {
	if len(text) > maxMinutesSize {
		return errs.E(errs.Invalid, "The minutes are over 2 MB")
	}
	if !utf8.Valid(text) {
		return errs.E(errs.Invalid, "The text is not UTF-8")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		cur, err := s.minutes(ctx, tx, meetingID)
		if err == nil && Final(cur.Status) {
			return errApproved
		}
		if err == nil && cur.Text == string(text) {
			_, err = tx.ExecContext(ctx, `DELETE FROM minutes_autosave WHERE meeting_id = ?`, meetingID)
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO minutes_autosave (meeting_id, text, saved_by, saved_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (meeting_id) DO UPDATE SET text = excluded.text, saved_by = excluded.saved_by, saved_at = excluded.saved_at`,
			meetingID, string(text), actorName(ctx), s.stamp())
		return err
	})
}

// Autosaved returns the text autosaved since the minutes were last saved, or nil.
func (s *Store) Autosaved(ctx context.Context, meetingID int64) (*Autosave, error) {
	var a Autosave
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT text, saved_by, saved_at FROM minutes_autosave WHERE meeting_id = ?`, meetingID).Scan(&a.Text, &a.SavedBy, &at)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.SavedAt = parseTime(at)
	return &a, nil
}

// DiscardAutosave forgets the autosaved text.
func (s *Store) DiscardAutosave(ctx context.Context, meetingID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM minutes_autosave WHERE meeting_id = ?`, meetingID)
	return err
}

// setStatus moves minutes from one of the statuses in from to status, with the audit event.
func (s *Store) setStatus(ctx context.Context, meetingID int64, from []string, status string, set func(tx *sql.Tx) error) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		cur, err := s.minutes(ctx, tx, meetingID)
		if errs.Code(err) == errs.NotFound {
			return errs.E(errs.Conflict, "No minutes have been saved for this meeting yet")
		}
		if err != nil {
			return err
		}
		if !slices.Contains(from, cur.Status) {
			if Final(cur.Status) && !Final(status) {
				return errApproved
			}
			return errs.E(errs.Conflict, "The minutes are %s: they cannot be made %s from there",
				strings.ToLower(StatusLabel(cur.Status)), strings.ToLower(StatusLabel(status)))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE minutes SET status = ? WHERE meeting_id = ?`, status, meetingID); err != nil {
			return conflictOrErr(err)
		}
		if set != nil {
			if err := set(tx); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "minutes.status", "minutes", meetingID, map[string]string{"status": cur.Status}, map[string]string{"status": status})
	})
}

// SendToChair sends draft minutes to the chair to check.
func (s *Store) SendToChair(ctx context.Context, meetingID int64) error {
	return s.setStatus(ctx, meetingID, []string{StatusDraft, StatusWithChair}, StatusWithChair, nil)
}

// Circulate records the chair's approval of the draft for circulation to members.
func (s *Store) Circulate(ctx context.Context, meetingID int64) error {
	return s.setStatus(ctx, meetingID, []string{StatusWithChair}, StatusCirculated, nil)
}

// Comment keeps the chair's comment on the draft for the clerk; the draft goes back to the
// clerk (draft) so that it can be corrected and sent again.
func (s *Store) Comment(ctx context.Context, meetingID int64, comment string) error {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return errs.Field("comment", "Enter your comment for the clerk")
	}
	if utf8.RuneCountInString(comment) > 4000 {
		return errs.Field("comment", "The comment must be 4,000 characters or fewer")
	}
	return s.setStatus(ctx, meetingID, []string{StatusWithChair, StatusCirculated}, StatusDraft, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE minutes SET chair_comment = ?, chair_comment_by = ?, chair_comment_at = ? WHERE meeting_id = ?`,
			comment, actorName(ctx), s.stamp(), meetingID)
		return err
	})
}

// Approve records that a later meeting of the board (atMeetingID; 0 for the next one)
// approved the minutes as a correct record: a resolution of that meeting, the minutes
// approved, their meeting's status minutes approved. From then on they never change.
func (s *Store) Approve(ctx context.Context, meetingID, atMeetingID int64) error {
	m, err := s.meetings.Meeting(ctx, meetingID)
	if err != nil {
		return err
	}
	if atMeetingID == 0 {
		next, err := s.meetings.NextMeeting(ctx, m.BoardID, m.StartsAt)
		if err != nil {
			return err
		}
		if next == nil {
			return errs.Field("at_meeting", "The board has no later meeting scheduled to approve these minutes at: schedule it first")
		}
		atMeetingID = next.ID
	}
	at, err := s.meetings.Meeting(ctx, atMeetingID)
	if errs.Code(err) == errs.NotFound {
		return errs.Field("at_meeting", "Choose the meeting that approved these minutes")
	}
	if err != nil {
		return err
	}
	if at.BoardID != m.BoardID {
		return errs.Field("at_meeting", "Minutes are approved at a meeting of the same board")
	}
	if !at.StartsAt.After(m.StartsAt) {
		return errs.Field("at_meeting", "Minutes are approved at a later meeting than the one they record")
	}
	if at.Status == meetings.StatusCancelled {
		return errs.Field("at_meeting", "That meeting was cancelled")
	}
	text := fmt.Sprintf("that the minutes of the meeting held on %s be approved as a correct record.", m.StartsAt.In(meetings.London).Format("2 January 2006"))
	return s.setStatus(ctx, meetingID, []string{StatusDraft, StatusWithChair, StatusCirculated}, StatusApproved, func(tx *sql.Tx) error {
		now := s.stamp()
		var text0 string
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT text, version FROM minutes WHERE meeting_id = ?`, meetingID).Scan(&text0, &version); err != nil {
			return err
		}
		// The approved text is kept as a version of its own, so that the difference between
		// the circulated draft and the approved record can be shown.
		if _, err := tx.ExecContext(ctx, `INSERT INTO minutes_versions (meeting_id, version, text, status, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?)`,
			meetingID, version+1, text0, StatusApproved, actorName(ctx), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE minutes SET approved_at_meeting_id = ?, approved_at = ?, version = ?, status = 'approved' WHERE meeting_id = ? AND status = 'approved'`,
			atMeetingID, now, version+1, meetingID); err != nil {
			return conflictOrErr(err)
		}
		var item any
		var itemNumber, minute string
		for _, it := range at.Items {
			if it.StandardKey == "minutes" {
				item, itemNumber, minute = it.ID, it.Number, it.MinuteNumber
				break
			}
		}
		var ordinal int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(ordinal),0)+1 FROM resolutions WHERE meeting_id = ? AND kind = 'approval'`, atMeetingID).Scan(&ordinal); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resolutions (meeting_id, kind, item_id, item_number, minute_number, ordinal, text, approves_meeting_id)
			VALUES (?, 'approval', ?, ?, ?, ?, ?, ?)`, atMeetingID, item, itemNumber, minute, ordinal, text, meetingID); err != nil {
			return err
		}
		return s.meetings.SetStatus(ctx, tx, meetingID, meetings.StatusMinutesApproved)
	})
}

// Sign records the chair's signature on approved minutes.
func (s *Store) Sign(ctx context.Context, meetingID int64, by string) error {
	return s.setStatus(ctx, meetingID, []string{StatusApproved}, StatusSigned, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE minutes SET signed_by = ?, signed_at = ? WHERE meeting_id = ?`, by, s.stamp(), meetingID)
		return err
	})
}

// IsChair reports whether the person chairs the board today.
func (s *Store) IsChair(ctx context.Context, personID, boardID int64) (bool, error) {
	if personID == 0 {
		return false, nil
	}
	var chair bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM memberships WHERE board_id = ? AND person_id = ? AND role = 'chair'
		AND (starts_on = '' OR starts_on <= date('now')) AND (ends_on = '' OR ends_on >= date('now')))`, boardID, personID).Scan(&chair)
	return chair, err
}

// Approvals lists the resolutions by which a meeting approved earlier minutes.
func (s *Store) Approvals(ctx context.Context, meetingID int64) ([]StoredResolution, error) {
	rs, err := s.Resolutions(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r.Kind == "approval" {
			out = append(out, r)
		}
	}
	return out, nil
}

// draftsDigest sums up ACTION lines as the log was given them; "" when any has no
// reference yet, which always needs the log.
func draftsDigest(ds []actions.Draft) string {
	h := sha256.New()
	for _, d := range ds {
		if d.Ref == "" {
			return ""
		}
		fmt.Fprintf(h, "%q %d %q %q %q %q %q %v %d %d\n", d.Ref, d.ItemID, d.ItemNumber, d.Minute, strings.Join(d.Owners, "\x00"),
			d.Text, d.DueDate, d.DueNext, d.DueMeetingID, d.Line)
	}
	return hex.EncodeToString(h.Sum(nil))
}
