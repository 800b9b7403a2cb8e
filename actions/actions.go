// Package actions owns the action log: actions set in the minutes or added by hand, their
// owners (people, organisations, roles, groups of partners), what they are due by (a date or
// a meeting), their status and progress updates, carry forward from meeting to meeting, the
// chair's dashboard, officers' signed links, reminders, and spreadsheet export and import.
package actions

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"quorum/internal/errs"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the package's migrations, rooted at the schema folder; apply it after the
// meetings schema.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// london is where boards meet: municipal years, due days and "today" are London days.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Statuses of an action.
const (
	StatusOpen       = "open"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
	StatusDropped    = "dropped"
)

// Statuses lists every status, in the order the log shows them.
var Statuses = []string{StatusOpen, StatusInProgress, StatusDone, StatusDropped}

// Outstanding are the statuses of an action still to be done.
var Outstanding = []string{StatusOpen, StatusInProgress}

// StatusLabel is how a status reads on a page or in a spreadsheet.
func StatusLabel(s string) string {
	switch s {
	case StatusOpen:
		return "Open"
	case StatusInProgress:
		return "In progress"
	case StatusDone:
		return "Done"
	case StatusDropped:
		return "Dropped"
	}
	return s
}

// ParseStatus reads a status as a clerk writes it: "open", "In progress", "in-progress",
// "done", "complete", "closed", "dropped".
func ParseStatus(s string) (string, bool) {
	k := strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(s)), " "))
	switch k {
	case "open", "not started", "":
		return StatusOpen, true
	case "in progress", "ongoing", "started":
		return StatusInProgress, true
	case "done", "complete", "completed", "closed":
		return StatusDone, true
	case "dropped", "withdrawn", "cancelled":
		return StatusDropped, true
	}
	return "", false
}

func outstanding(status string) bool { return status == StatusOpen || status == StatusInProgress }

// Owner kinds.
const (
	OwnerPerson       = "person"
	OwnerOrganisation = "organisation"
	OwnerRole         = "role"
	OwnerGroup        = "group"
)

// Groups an action can be owned by.
const (
	GroupPartners = "partners" // every partner organisation with a seat on the board
	GroupAll      = "all"      // every member of the board
)

// Owner is who an action belongs to, as written in the minutes (Label, without the @) and
// as Quorum understood it. A role owner is the person who held the role when the action
// was set. A group owner answers through its organisations (Organisations), one response
// each.
type Owner struct {
	Kind           string  `json:"kind"`
	PersonID       int64   `json:"person_id,omitempty"`
	OrganisationID int64   `json:"organisation_id,omitempty"`
	Role           string  `json:"role,omitempty"`
	Group          string  `json:"group,omitempty"`
	Label          string  `json:"label"`
	Name           string  `json:"name"`
	Organisations  []int64 `json:"organisations,omitempty"`
}

// Validate checks that the owner names one thing of its kind.
func (o *Owner) Validate() error {
	if strings.TrimSpace(o.Label) == "" {
		return errs.Field("owners", "An owner needs a name as written in the minutes")
	}
	switch o.Kind {
	case OwnerPerson:
		if o.PersonID == 0 {
			return errs.Field("owners", "Owner @%s names no person", o.Label)
		}
	case OwnerRole:
		if o.Role == "" || o.PersonID == 0 {
			return errs.Field("owners", "Owner @%s names no role holder", o.Label)
		}
	case OwnerOrganisation:
		if o.OrganisationID == 0 {
			return errs.Field("owners", "Owner @%s names no organisation", o.Label)
		}
	case OwnerGroup:
		if o.Group != GroupPartners && o.Group != GroupAll {
			return errs.Field("owners", "Owner @%s is not a group Quorum knows (partners, all)", o.Label)
		}
	default:
		return errs.Field("owners", "Owner @%s has an unknown kind %q", o.Label, o.Kind)
	}
	return nil
}

// Due is what an action is due by: a calendar day, a meeting of the board, or "the next
// meeting" while none is scheduled (Next). The zero Due means no due point.
type Due struct {
	Date            string    `json:"date,omitempty"` // YYYY-MM-DD
	MeetingID       int64     `json:"meeting_id,omitempty"`
	MeetingStartsAt time.Time `json:"meeting_starts_at,omitzero"`
	Next            bool      `json:"next,omitempty"`
}

// Validate checks that at most one due point is set and that a date is a date.
func (d *Due) Validate() error {
	n := 0
	if d.Date != "" {
		n++
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			return errs.Field("due", "%q is not a date: write it as YYYY-MM-DD", d.Date)
		}
	}
	if d.MeetingID != 0 {
		n++
	}
	if d.Next {
		n++
	}
	if n > 1 {
		return errs.Field("due", "An action is due by a date or by a meeting, not both")
	}
	return nil
}

// IsZero reports whether no due point is set.
func (d Due) IsZero() bool { return d.Date == "" && d.MeetingID == 0 && !d.Next }

// Day is the London day the action falls due: the date, or the day of the due meeting;
// zero when due by a meeting not yet scheduled, or not due at all.
func (d Due) Day() time.Time {
	if d.Date != "" {
		t, _ := time.ParseInLocation(time.DateOnly, d.Date, london)
		return t
	}
	if d.MeetingID != 0 && !d.MeetingStartsAt.IsZero() {
		y, m, dd := d.MeetingStartsAt.In(london).Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, london)
	}
	return time.Time{}
}

// String reads as the log shows it: "30/04/2026", "meeting of 14/05/2026", "next meeting".
func (d Due) String() string {
	switch {
	case d.Date != "":
		return d.Day().Format("02/01/2006")
	case d.MeetingID != 0:
		if d.MeetingStartsAt.IsZero() {
			return "a meeting"
		}
		return "meeting of " + d.MeetingStartsAt.In(london).Format("02/01/2006")
	case d.Next:
		return "next meeting"
	}
	return ""
}

// DayText is the due day as dd/mm/yyyy, or "" when it has none (due by the next meeting
// while none is scheduled, or not due at all).
func (d Due) DayText() string {
	if t := d.Day(); !t.IsZero() {
		return t.Format("02/01/2006")
	}
	return ""
}

// Overdue reports whether an outstanding action with this due point is late at now: its
// date has passed, or its meeting has started.
func (d Due) Overdue(now time.Time) bool {
	switch {
	case d.Date != "":
		return d.Day().Before(londonDay(now))
	case d.MeetingID != 0 && !d.MeetingStartsAt.IsZero():
		return d.MeetingStartsAt.Before(now)
	}
	return false
}

// Action is one entry in a board's action log.
type Action struct {
	ID         int64  `json:"id"`
	BoardID    int64  `json:"board_id"`
	BoardShort string `json:"board_short,omitempty"`
	Ref        string `json:"ref"`
	Year       int    `json:"-"`
	Seq        int    `json:"-"`
	// the meeting whose minutes set it, its item and minute number; zero when added by hand
	MeetingID       int64     `json:"meeting_id,omitempty"`
	MeetingStartsAt time.Time `json:"meeting_starts_at,omitzero"`
	ItemID          int64     `json:"item_id,omitempty"`
	// Exempt: raised under an agenda item taken in private; only the board reads it.
	Exempt       bool   `json:"exempt,omitempty"`
	ItemNumber   string `json:"item_number,omitempty"`
	MinuteNumber string `json:"minute_number,omitempty"`
	Line         int    `json:"line,omitempty"`

	Text           string     `json:"text"`
	Owners         []Owner    `json:"owners"`
	Due            Due        `json:"due"`
	Status         string     `json:"status"`
	DroppedReason  string     `json:"dropped_reason,omitempty"`
	CarriedForward int        `json:"carried_forward"`
	Dissemination  bool       `json:"dissemination"`
	Responses      []Response `json:"responses,omitempty"`
	LatestUpdate   *Update    `json:"latest_update,omitempty"`

	CompletedAt          time.Time `json:"completed_at,omitzero"`
	CompletedNote        string    `json:"completed_note,omitempty"`
	CompletionDocumentID int64     `json:"completion_document_id,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Overdue is worked out when the action is read.
	Overdue bool `json:"overdue"`
	// DueAtMeeting is set by OpenForMeeting: the action falls due at or before that meeting.
	DueAtMeeting bool `json:"due_at_meeting,omitempty"`
}

// Validate checks the parts of an action a person writes.
func (a *Action) Validate() error {
	a.Text = strings.TrimSpace(a.Text)
	if a.Text == "" {
		return errs.Field("text", "Say what is to be done")
	}
	if utf8.RuneCountInString(a.Text) > 4000 {
		return errs.Field("text", "The action is too long (at most 4,000 characters)")
	}
	if len(a.Owners) == 0 {
		return errs.Field("owners", "An action needs at least one owner")
	}
	for i := range a.Owners {
		if err := a.Owners[i].Validate(); err != nil {
			return err
		}
	}
	if a.Status == "" {
		a.Status = StatusOpen
	}
	if !validStatus(a.Status) {
		return errs.Field("status", "%q is not a status (open, in progress, done, dropped)", a.Status)
	}
	if a.Status == StatusDropped && strings.TrimSpace(a.DroppedReason) == "" {
		return errs.Field("dropped_reason", "Say why the action is dropped")
	}
	return a.Due.Validate()
}

// OwnerLabels is the owners as written, "@JS, @police".
func (a *Action) OwnerLabels() string {
	parts := make([]string, len(a.Owners))
	for i, o := range a.Owners {
		parts[i] = "@" + o.Label
	}
	return strings.Join(parts, ", ")
}

// OwnerNames is the owners as a reader knows them, "Jane Smith, Police".
func (a *Action) OwnerNames() string {
	parts := make([]string, len(a.Owners))
	for i, o := range a.Owners {
		parts[i] = o.Name
		if parts[i] == "" {
			parts[i] = o.Label
		}
	}
	return strings.Join(parts, ", ")
}

func validStatus(s string) bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Update is a progress note on an action.
type Update struct {
	ID        int64     `json:"id"`
	ActionID  int64     `json:"action_id"`
	Text      string    `json:"text"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the note.
func (u *Update) Validate() error {
	u.Text = strings.TrimSpace(u.Text)
	if u.Text == "" {
		return errs.Field("text", "Write the update")
	}
	if utf8.RuneCountInString(u.Text) > 10000 {
		return errs.Field("text", "The update is too long (at most 10,000 characters)")
	}
	return nil
}

// Response statuses.
const (
	ResponsePending  = "pending"
	ResponseAnswered = "answered"
)

// Response is one organisation's answer to an action owned by a group.
type Response struct {
	ID               int64     `json:"id"`
	ActionID         int64     `json:"action_id"`
	OrganisationID   int64     `json:"organisation_id"`
	OrganisationName string    `json:"organisation"`
	Status           string    `json:"status"`
	Note             string    `json:"note,omitempty"`
	AnsweredBy       string    `json:"answered_by,omitempty"`
	AnsweredAt       time.Time `json:"answered_at,omitzero"`
}

// Validate checks an answer.
func (r *Response) Validate() error {
	if r.Status != ResponsePending && r.Status != ResponseAnswered {
		return errs.Field("status", "%q is not a response status (pending, answered)", r.Status)
	}
	if r.Status == ResponseAnswered && strings.TrimSpace(r.Note) == "" {
		return errs.Field("note", "Say what your organisation did")
	}
	return nil
}

// CanUpdate reports whether a person may post progress on, complete or answer an action:
// its owners (a person, or the holder of the role that owns it), anyone from an owning
// organisation (or from an organisation asked to answer for a group), the board's clerk
// and site admins. organisationID is the person's own organisation (0 if none). It is a
// rule on values already loaded, so pages and the API ask it the same question.
func CanUpdate(personID, organisationID int64, isClerkOfBoard, isAdmin bool, a *Action) bool {
	if isAdmin || isClerkOfBoard {
		return true
	}
	if a == nil || (personID == 0 && organisationID == 0) {
		return false
	}
	for _, o := range a.Owners {
		switch o.Kind {
		case OwnerPerson, OwnerRole:
			if personID != 0 && o.PersonID == personID {
				return true
			}
		case OwnerOrganisation:
			if organisationID != 0 && o.OrganisationID == organisationID {
				return true
			}
		case OwnerGroup:
			for _, id := range o.Organisations {
				if organisationID != 0 && id == organisationID {
					return true
				}
			}
		}
	}
	for _, r := range a.Responses {
		if organisationID != 0 && r.OrganisationID == organisationID {
			return true
		}
	}
	return false
}

// References: SBP/26/07.
var refPattern = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9-]*)/(\d{2})/(\d{2,})$`)

// FormatRef writes a reference: board short name, two-digit municipal year, sequence of
// at least two digits.
func FormatRef(short string, year, seq int) string {
	return fmt.Sprintf("%s/%02d/%02d", strings.ToUpper(short), year%100, seq)
}

// ParseRef reads a reference into its board short name, two-digit year and sequence.
func ParseRef(ref string) (short string, yy, seq int, ok bool) {
	m := refPattern.FindStringSubmatch(strings.TrimSpace(ref))
	if m == nil {
		return "", 0, 0, false
	}
	yy, _ = strconv.Atoi(m[2])
	seq, _ = strconv.Atoi(m[3])
	return m[1], yy, seq, true
}

// MunicipalYear is the year in which the board's municipal year containing t began: with
// a year starting in May, 25 March 2021 is in the 2020 year, 25 May 2021 in 2021.
func MunicipalYear(t time.Time, startMonth int) int {
	lt := t.In(london)
	if startMonth < 1 || startMonth > 12 {
		startMonth = 1
	}
	if int(lt.Month()) >= startMonth {
		return lt.Year()
	}
	return lt.Year() - 1
}

// disseminationWords mark an action completed by circulating a document.
var disseminationWords = regexp.MustCompile(`(?i)\b(disseminat\w*|circulat\w*|distribut\w*)\b`)

// IsDissemination reports whether an action's text asks for a document to be circulated:
// "disseminate a copy of the plan to the Board", "circulate the presentation".
func IsDissemination(text string) bool { return disseminationWords.MatchString(text) }

func londonDay(t time.Time) time.Time {
	y, m, d := t.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, london)
}

const timeFormat = time.RFC3339

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		t, _ = time.Parse("2006-01-02 15:04:05", s)
	}
	return t
}

// StatusText is the status as a page shows it: "In progress".
func (a *Action) StatusText() string { return StatusLabel(a.Status) }

// SourceText says where the action was set: "meeting of 25/03/2021, item 7a, minute 47",
// or "added by hand".
func (a *Action) SourceText() string {
	if a.MeetingID == 0 {
		return "added by hand"
	}
	s := "meeting of " + a.MeetingStartsAt.In(london).Format("02/01/2006")
	if a.ItemNumber != "" {
		s += ", item " + a.ItemNumber
	}
	if a.MinuteNumber != "" {
		s += ", minute " + a.MinuteNumber
	}
	return s
}

// CompletedHow says how a closed action was closed, for the log's last column.
func (a *Action) CompletedHow() string {
	switch a.Status {
	case StatusDropped:
		return "Dropped: " + a.DroppedReason
	case StatusDone:
		if a.CompletionDocumentID != 0 {
			if a.CompletedNote != "" {
				return "Document circulated. " + a.CompletedNote
			}
			return "Document circulated"
		}
		return a.CompletedNote
	}
	return ""
}
