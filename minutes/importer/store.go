package importer

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/meetings"
	"quorum/minutes"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the importer's migrations, rooted at the schema folder. They come after
// minutes'.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// Store brings old minutes into a board's record: it keeps each meeting's original until its
// minutes are saved, the owner names the clerk mapped for the board, and saves the converted
// minutes with the actions they report done closed.
type Store struct {
	db       *sql.DB
	meetings *meetings.Store
	actions  *actions.Store
	minutes  *minutes.Store
	now      func() time.Time
}

// NewStore returns a store over an open, migrated database.
func NewStore(d *sql.DB, m *meetings.Store, a *actions.Store, mn *minutes.Store) *Store {
	return &Store{db: d, meetings: m, actions: a, minutes: mn, now: time.Now}
}

// Formats of an original.
const (
	FormatText = "text"
	FormatDocx = "docx"
)

// Upload is the original of one meeting's minutes, kept until they are saved.
type Upload struct {
	MeetingID  int64
	Filename   string
	Format     string
	Original   []byte
	UploadedBy string
	UploadedAt time.Time
	// Report is what the import found and did, once saved (SavedAt).
	Report  *Report
	SavedAt time.Time
}

// Report is what an import found and did, kept with the original once saved.
type Report struct {
	Summary  Summary  `json:"summary"`
	Version  int      `json:"version"`
	Actions  []string `json:"actions"`
	Closed   []Done   `json:"closed"`
	Carried  int      `json:"carried"`
	Approved string   `json:"approved"` // how the minutes were approved, or ""
}

// FormatOf tells a .docx from text by the file's name and first bytes; an old .doc, and
// anything else that is not minutes, is refused with a message for the clerk.
func FormatOf(filename string, b []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case len(b) == 0:
		return "", ErrEmpty
	case bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0")) || ext == ".doc":
		// Converting reads whether it is an old .doc or a password-protected .docx.
		return FormatDocx, nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")) || ext == ".docx":
		return FormatDocx, nil
	case bytes.HasPrefix(b, []byte("%PDF")) || ext == ".pdf":
		return "", ErrPDF
	}
	return FormatText, nil
}

// ErrPDF refuses a PDF: its text has lost the paragraphs and columns minutes are read by.
var ErrPDF = errors.New("this is a PDF: Quorum reads minutes from Word (.docx) or text (.txt). Open the minutes in Word and save them as .docx, or copy the text and paste it")

// Keep keeps an original for its meeting, in place of any kept before.
func (s *Store) Keep(ctx context.Context, u *Upload) error {
	if u.Format != FormatText && u.Format != FormatDocx {
		return fmt.Errorf("keep upload: format %q", u.Format)
	}
	u.UploadedBy, u.UploadedAt = audit.ActorFrom(ctx).Name, s.now().UTC()
	_, err := s.db.ExecContext(ctx, `INSERT INTO import_uploads (meeting_id, filename, format, original, uploaded_by, uploaded_at, summary, saved_at)
		VALUES (?, ?, ?, ?, ?, ?, '', '') ON CONFLICT (meeting_id) DO UPDATE SET filename = excluded.filename, format = excluded.format,
		original = excluded.original, uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at, summary = '', saved_at = ''`,
		u.MeetingID, u.Filename, u.Format, u.Original, u.UploadedBy, u.UploadedAt.Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("keep the original of meeting %d: %w", u.MeetingID, err)
	}
	return nil
}

// Upload returns the original kept for a meeting, or nil.
func (s *Store) Upload(ctx context.Context, meetingID int64) (*Upload, error) {
	u := &Upload{MeetingID: meetingID}
	var at, summary, saved string
	err := s.db.QueryRowContext(ctx, `SELECT filename, format, original, uploaded_by, uploaded_at, summary, saved_at FROM import_uploads WHERE meeting_id = ?`,
		meetingID).Scan(&u.Filename, &u.Format, &u.Original, &u.UploadedBy, &at, &summary, &saved)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the original of meeting %d: %w", meetingID, err)
	}
	u.UploadedAt, _ = time.Parse(time.RFC3339, at)
	u.SavedAt, _ = time.Parse(time.RFC3339, saved)
	if summary != "" {
		u.Report = &Report{}
		if err := json.Unmarshal([]byte(summary), u.Report); err != nil {
			u.Report = nil
		}
	}
	return u, nil
}

// Discard forgets the original kept for a meeting.
func (s *Store) Discard(ctx context.Context, meetingID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM import_uploads WHERE meeting_id = ?`, meetingID)
	return err
}

// Convert converts an original with the board's owners: as the clerk mapped them, then as
// the board knows them.
func (s *Store) Convert(ctx context.Context, boardID int64, u *Upload) (*Result, error) {
	match, err := s.Matcher(ctx, boardID)
	if err != nil {
		return nil, err
	}
	opt := Options{Owners: match}
	if u.Format == FormatDocx {
		return FromDocx(bytes.NewReader(u.Original), int64(len(u.Original)), opt)
	}
	return FromText(bytes.NewReader(u.Original), opt)
}

// --- owners

// OwnerMapping is an owner's name as old minutes give it, and what it stands for.
type OwnerMapping struct {
	Found  string
	Handle string
}

// OwnerMap lists the owner names remembered for a board.
func (s *Store) OwnerMap(ctx context.Context, boardID int64) ([]OwnerMapping, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT found, handle FROM import_owner_map WHERE board_id = ? ORDER BY found`, boardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OwnerMapping
	for rows.Next() {
		var m OwnerMapping
		if err := rows.Scan(&m.Found, &m.Handle); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// RememberOwner keeps, for the board, what an owner's name in old minutes stands for; an
// empty handle forgets it. The handle must name an owner the board knows today.
func (s *Store) RememberOwner(ctx context.Context, boardID int64, found, handle string) error {
	found = strings.Join(strings.Fields(found), " ")
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	if found == "" || len(found) > 200 {
		return errs.Field("found", "Give the owner’s name as the minutes write it")
	}
	if handle == "" {
		_, err := s.db.ExecContext(ctx, `DELETE FROM import_owner_map WHERE board_id = ? AND found = ?`, boardID, found)
		return err
	}
	if !ownerToken.MatchString(handle) {
		return errs.Field("handle", "Choose who %s is", found)
	}
	if _, err := s.actions.ResolveOwner(ctx, s.db, boardID, handle); err != nil {
		return errs.Field("handle", "%s: %s", found, errs.Message(err))
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO import_owner_map (board_id, found, handle, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (board_id, found) DO UPDATE SET handle = excluded.handle, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		boardID, found, handle, audit.ActorFrom(ctx).Name, s.now().UTC().Format(time.RFC3339))
	return err
}

// titles are what old minutes put before a name and the board's people records may not.
var titles = map[string]bool{"cllr": true, "councillor": true, "dr": true, "mr": true, "mrs": true, "ms": true, "miss": true,
	"supt": true, "superintendent": true, "insp": true, "inspector": true, "ch": true, "chief": true, "di": true, "ds": true,
	"dci": true, "pc": true, "sgt": true, "prof": true, "rev": true}

func withoutTitles(name string) string {
	fs := strings.Fields(strings.ToLower(strings.ReplaceAll(name, ".", " ")))
	for len(fs) > 1 && titles[fs[0]] {
		fs = fs[1:]
	}
	return strings.Join(fs, " ")
}

// Matcher is Options.Owners for a board: the names the clerk mapped for it, then the
// board's groups, roles, members' initials and handles, organisations' handles and names,
// then members' names (without titles such as Cllr or Supt). It answers the handle to
// write after the @.
func (s *Store) Matcher(ctx context.Context, boardID int64) (func(name string) (string, bool), error) {
	mapped, err := s.OwnerMap(ctx, boardID)
	if err != nil {
		return nil, err
	}
	remembered := map[string]string{}
	for _, m := range mapped {
		remembered[strings.ToLower(m.Found)] = m.Handle
	}
	b, err := s.meetings.Board(ctx, boardID)
	if err != nil {
		return nil, err
	}
	people, err := s.meetings.People(ctx)
	if err != nil {
		return nil, err
	}
	handleOf := map[int64]string{}
	for _, p := range people {
		handleOf[p.ID] = p.Handle
	}
	byName := map[string][]string{}
	for _, m := range b.Members {
		if h := memberToken(b, m, handleOf); h != "" {
			k := withoutTitles(m.PersonName)
			byName[k] = append(byName[k], h)
		}
	}
	orgs, err := s.meetings.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	orgHandle := map[int64]string{}
	for _, o := range orgs {
		orgHandle[o.ID] = o.Handle
	}
	return func(name string) (string, bool) {
		name = strings.Join(strings.Fields(name), " ")
		if h, ok := remembered[strings.ToLower(name)]; ok {
			return h, true
		}
		for _, token := range []string{name, handle(name), strings.ReplaceAll(name, " ", "."), strings.ReplaceAll(name, " ", "-")} {
			if token == "" {
				continue
			}
			o, err := s.actions.ResolveOwner(ctx, s.db, boardID, token)
			if err != nil {
				continue
			}
			if ownerToken.MatchString(token) {
				return token, true
			}
			switch o.Kind {
			case actions.OwnerOrganisation:
				if h := orgHandle[o.OrganisationID]; h != "" {
					return h, true
				}
			case actions.OwnerPerson:
				if h := handleOf[o.PersonID]; h != "" {
					return h, true
				}
			}
		}
		if hs := byName[withoutTitles(name)]; len(hs) == 1 {
			return hs[0], true
		}
		return "", false
	}, nil
}

// memberToken is how minutes name a member after the @: their handle, or else their
// initials when no other member of the board has the same.
func memberToken(b *meetings.Board, m meetings.Membership, handleOf map[int64]string) string {
	if h := handleOf[m.PersonID]; h != "" {
		return h
	}
	if m.Initials == "" {
		return ""
	}
	for _, o := range b.Members {
		if o.PersonID != m.PersonID && strings.EqualFold(o.Initials, m.Initials) {
			return ""
		}
	}
	return m.Initials
}

// OwnerChoice is one owner the clerk may map a name to.
type OwnerChoice struct {
	Value string
	Label string
}

// OwnerChoices lists what an owner's name may be mapped to on a board: its groups and
// roles, its current members, and the organisations.
func (s *Store) OwnerChoices(ctx context.Context, boardID int64) ([]OwnerChoice, error) {
	b, err := s.meetings.Board(ctx, boardID)
	if err != nil {
		return nil, err
	}
	people, err := s.meetings.People(ctx)
	if err != nil {
		return nil, err
	}
	handleOf := map[int64]string{}
	for _, p := range people {
		handleOf[p.ID] = p.Handle
	}
	out := []OwnerChoice{{"", "Choose an owner"},
		{"partners", "All partners (@partners)"}, {"all", "All members (@all)"},
		{"chair", "The chair (@chair)"}, {"vice-chair", "The vice-chair (@vice-chair)"}, {"clerk", "The clerk (@clerk)"}}
	seen := map[int64]bool{}
	for _, m := range b.Members {
		h := memberToken(b, m, handleOf)
		if h == "" || seen[m.PersonID] || (m.EndsOn != "" && m.EndsOn < s.now().Format(time.DateOnly)) {
			continue
		}
		seen[m.PersonID] = true
		label := m.PersonName
		if m.OrganisationName != "" {
			label += ", " + m.OrganisationName
		}
		out = append(out, OwnerChoice{h, label + " (@" + h + ")"})
	}
	orgs, err := s.meetings.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out = append(out, OwnerChoice{o.Handle, o.Name + " (@" + o.Handle + ")"})
	}
	return out, nil
}

// --- the series

// Unminuted lists the board's meetings that have begun and have no minutes, oldest first:
// the order to import them in, so that later minutes close the actions of earlier ones.
func (s *Store) Unminuted(ctx context.Context, boardID int64) ([]meetings.Meeting, error) {
	all, err := s.meetings.AllMeetings(ctx, boardID)
	if err != nil {
		return nil, err
	}
	var out []meetings.Meeting
	now := s.now()
	for _, m := range all {
		if m.Status == meetings.StatusCancelled || m.StartsAt.After(now) {
			continue
		}
		var has bool
		if err := s.db.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM minutes WHERE meeting_id = ?)`, m.ID).Scan(&has); err != nil {
			return nil, err
		}
		if !has {
			out = append(out, m)
		}
	}
	return out, nil
}

// OpenBefore lists the board's open actions set before the meeting, for FindDone.
func (s *Store) OpenBefore(ctx context.Context, meetingID int64) ([]OpenAction, error) {
	as, err := s.actions.OpenForMeeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	out := make([]OpenAction, 0, len(as))
	for _, a := range as {
		out = append(out, OpenAction{ID: a.ID, Ref: a.Ref, Minute: a.MinuteNumber, Text: a.Text})
	}
	return out, nil
}

// Saved is what saving an import did.
type Saved struct {
	*minutes.Saved
	Closed []Done
	// Approved says how the minutes were approved ("at the meeting held on 4 March 2026",
	// "before Quorum"), or "" when they were not.
	Approved string
	// ApproveErr is why approving them failed, after they were saved.
	ApproveErr error
}

// SaveOptions are the clerk's choices on saving an import.
type SaveOptions struct {
	// Close are the open actions (ids) the minutes report done; each must be an open
	// action of the board set before the meeting.
	Close []int64
	// Approved: the original minutes were approved as a correct record. They are approved
	// at the board's next meeting, or, with none, recorded as approved before Quorum.
	Approved bool
	Summary  Summary
}

// Save saves converted minutes as the meeting's minutes (minutes.Store.Save: line errors
// as a *minutes.LinesError, nothing saved), closes the earlier actions they report done
// with the note "marked complete in the minutes of <date>", and approves them when the
// original was approved. Actions are closed before the minutes are saved, so that the
// save's carry forward passes over them; if the save then fails they are opened again.
func (s *Store) Save(ctx context.Context, meetingID int64, text []byte, opt SaveOptions) (*Saved, error) {
	m, err := s.meetings.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if cur, err := s.minutes.Minutes(ctx, meetingID); err == nil && minutes.Final(cur.Status) {
		return nil, errs.E(errs.Conflict, "The minutes of this meeting are approved: they can no longer be replaced by an import")
	}
	p, err := s.minutes.Check(ctx, meetingID, text)
	if err != nil {
		return nil, err
	}
	if len(p.Errors) > 0 {
		return nil, &minutes.LinesError{Lines: p.Errors}
	}
	open, err := s.OpenBefore(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	found := FindDone(text, open)
	byID := map[int64]OpenAction{}
	for _, a := range open {
		byID[a.ID] = a
	}
	day := m.StartsAt.In(meetings.London).Format("2 January 2006")
	var closed []Done
	for _, id := range opt.Close {
		a, ok := byID[id]
		if !ok {
			continue // closed meanwhile, or not this board's: nothing to do
		}
		d := Done{ActionID: a.ID, Ref: a.Ref, Text: a.Text}
		for _, f := range found {
			if f.ActionID == id {
				d = f
			}
		}
		if err := s.actions.Complete(ctx, id, "marked complete in the minutes of "+day, 0, ""); err != nil {
			s.reopen(ctx, closed)
			return nil, fmt.Errorf("close %s: %w", a.Ref, err)
		}
		closed = append(closed, d)
	}
	saved, err := s.minutes.Save(ctx, meetingID, text)
	if err != nil {
		s.reopen(ctx, closed)
		return nil, err
	}
	out := &Saved{Saved: saved, Closed: closed}
	if opt.Approved {
		out.Approved, out.ApproveErr = s.approve(ctx, m)
	}
	rep := Report{Summary: opt.Summary, Version: saved.Minutes.Version, Closed: closed, Carried: saved.Carried, Approved: out.Approved}
	for _, a := range saved.Parsed.Actions {
		rep.Actions = append(rep.Actions, a.Ref)
	}
	js, _ := json.Marshal(rep)
	if _, err := s.db.ExecContext(ctx, `UPDATE import_uploads SET summary = ?, saved_at = ? WHERE meeting_id = ?`,
		string(js), s.now().UTC().Format(time.RFC3339), meetingID); err != nil {
		return out, err
	}
	return out, nil
}

func (s *Store) reopen(ctx context.Context, ds []Done) {
	for _, d := range ds {
		_ = s.actions.Reopen(ctx, d.ActionID)
	}
}

// approve approves imported minutes at the board's next meeting, or, when the board has
// none, records them as approved before Quorum (the meeting that approved them was never
// entered).
func (s *Store) approve(ctx context.Context, m *meetings.Meeting) (string, error) {
	next, err := s.meetings.NextMeeting(ctx, m.BoardID, m.StartsAt)
	if err != nil {
		return "", err
	}
	if next != nil {
		if err := s.minutes.Approve(ctx, m.ID, next.ID); err != nil {
			return "", err
		}
		return "at the meeting held on " + next.StartsAt.In(meetings.London).Format("2 January 2006"), nil
	}
	return "before Quorum", s.approveAlone(ctx, m.ID)
}

// approveAlone marks minutes approved without a later meeting to hold the approving
// resolution: the minutes of a board's last meeting before it came to Quorum, approved at
// a meeting that was never entered. As with Approve, the approved text is kept as a
// version of its own, and the minutes never change again.
func (s *Store) approveAlone(ctx context.Context, meetingID int64) error {
	now := s.now().UTC().Format(time.RFC3339)
	by := audit.ActorFrom(ctx).Name
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var status, text string
		var version int
		err := tx.QueryRowContext(ctx, `SELECT status, text, version FROM minutes WHERE meeting_id = ?`, meetingID).Scan(&status, &text, &version)
		if err != nil {
			return fmt.Errorf("approve the minutes of meeting %d: %w", meetingID, err)
		}
		if minutes.Final(status) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO minutes_versions (meeting_id, version, text, status, saved_by, saved_at) VALUES (?, ?, ?, 'approved', ?, ?)`,
			meetingID, version+1, text, by, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE minutes SET status = 'approved', approved_at = ?, version = ? WHERE meeting_id = ?`,
			now, version+1, meetingID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "minutes.status", "minutes", meetingID, map[string]string{"status": status},
			map[string]string{"status": minutes.StatusApproved, "how": "imported as approved before Quorum"}); err != nil {
			return err
		}
		return s.meetings.SetStatus(ctx, tx, meetingID, meetings.StatusMinutesApproved)
	})
}
