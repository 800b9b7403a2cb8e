package meetings

import (
	"fmt"
	"strings"
	"time"

	"quorum/internal/errs"
)

// Meeting modes.
const (
	ModeInPerson = "in_person"
	ModeVirtual  = "virtual"
	ModeHybrid   = "hybrid"
)

func validMode(m string) bool { return m == ModeInPerson || m == ModeVirtual || m == ModeHybrid }

// ModeLabel is a mode in words.
func ModeLabel(m string) string {
	switch m {
	case ModeVirtual:
		return "Virtual"
	case ModeHybrid:
		return "Hybrid"
	}
	return "In person"
}

// Meeting statuses, in the order a meeting passes through them.
const (
	StatusScheduled       = "scheduled"
	StatusAgendaPublished = "agenda_published"
	StatusHeld            = "held"
	StatusMinutesDraft    = "minutes_draft"
	StatusMinutesApproved = "minutes_approved"
	StatusCancelled       = "cancelled"
)

// Meeting is one meeting of a board.
type Meeting struct {
	ID         int64     `json:"id"`
	BoardID    int64     `json:"board_id"`
	BoardName  string    `json:"board_name,omitempty"`
	BoardShort string    `json:"board_short_name,omitempty"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Mode       string    `json:"mode"`
	Place      string    `json:"place"`
	Status     string    `json:"status"`
	Notice     string    `json:"notice,omitempty"`
	// MovedFrom is when the meeting was first due, once it has been moved.
	MovedFrom     time.Time    `json:"moved_from,omitzero"`
	PublishedAt   time.Time    `json:"agenda_published_at,omitzero"`
	AgendaVersion int          `json:"agenda_version"`
	Items         []AgendaItem `json:"items"`
	Attendance    []Attendance `json:"attendance"`
}

// Validate checks a meeting as scheduled.
func (m *Meeting) Validate() error {
	if m.StartsAt.IsZero() {
		return errs.Field("starts_at", "Enter the date and time the meeting starts")
	}
	if m.StartsAt.Year() < 1990 || m.StartsAt.Year() > 2100 {
		return errs.Field("starts_at", "Enter a real date for the meeting")
	}
	if m.EndsAt.IsZero() {
		m.EndsAt = m.StartsAt.Add(2 * time.Hour)
	}
	if !m.EndsAt.After(m.StartsAt) {
		return errs.Field("ends_at", "The meeting must end after it starts")
	}
	if m.Mode == "" {
		m.Mode = ModeInPerson
	}
	if !validMode(m.Mode) {
		return errs.Field("mode", "Choose in person, virtual or hybrid")
	}
	m.Place = strings.TrimSpace(m.Place)
	return checkText("place", "Place", m.Place, 500, true)
}

// Held reports whether the meeting has started by now.
func (m *Meeting) Held(now time.Time) bool {
	return !m.StartsAt.After(now) && m.Status != StatusCancelled
}

// Title names the meeting as partners do: "Northvale Safer Communities Partnership, 25 March 2026".
func (m *Meeting) Title() string {
	return fmt.Sprintf("%s, %s", m.BoardName, m.StartsAt.In(London).Format("2 January 2006"))
}

// Item kinds and purposes.
const (
	KindStandard    = "standard"
	KindStanding    = "standing"
	KindSubstantive = "substantive"
)

// Purposes an item can have.
var Purposes = []string{"for decision", "for noting", "for information", "verbal update", "presentation", "for discussion"}

// The board's standard items, put on every agenda in this order around the rest.
var standardOpening = []struct{ key, title string }{
	{"welcome", "Welcome and introductions"},
	{"apologies", "Apologies and substitutes"},
	{"declarations", "Declarations of interest"},
	{"minutes", "Minutes of the last meeting and matters arising"},
}
var standardClosing = []struct{ key, title string }{
	{"aob", "Any other business"},
	{"next_meeting", "Date of next meeting"},
}

// AgendaItem is one item on a meeting's agenda.
type AgendaItem struct {
	ID            int64  `json:"id"`
	MeetingID     int64  `json:"meeting_id"`
	Position      int    `json:"position"`
	Number        string `json:"number"`
	Title         string `json:"title"`
	Kind          string `json:"kind"`
	StandardKey   string `json:"standard_key,omitempty"`
	Purpose       string `json:"purpose"`
	Presenter     string `json:"presenter"`
	Duration      int    `json:"duration_minutes"`
	Exempt        bool   `json:"exempt"`
	ExemptReason  string `json:"exempt_reason,omitempty"`
	PostponedTo   int64  `json:"postponed_to,omitempty"`
	PostponedFrom int64  `json:"postponed_from,omitempty"`
	MinuteNumber  string `json:"minute_number,omitempty"`
	// Sub is true for a sub-item (7a) of the top-level item before it.
	Sub       bool  `json:"sub"`
	ForwardID int64 `json:"forward_id,omitempty"`
	// When the meetings an item was postponed to or from start, for "postponed from ...".
	PostponedToAt   time.Time `json:"-"`
	PostponedFromAt time.Time `json:"-"`
	Papers          []Paper   `json:"papers"`
}

// Validate checks an agenda item.
func (it *AgendaItem) Validate() error {
	it.Title = strings.TrimSpace(it.Title)
	if err := checkText("title", "Title", it.Title, 300); err != nil {
		return err
	}
	if it.Kind == "" {
		it.Kind = KindSubstantive
	}
	if it.Kind != KindStandard && it.Kind != KindStanding && it.Kind != KindSubstantive {
		return errs.Field("kind", "Choose standard, standing or substantive")
	}
	if it.Purpose != "" {
		ok := false
		for _, p := range Purposes {
			ok = ok || p == it.Purpose
		}
		if !ok {
			return errs.Field("purpose", "Choose a purpose: %s", strings.Join(Purposes, ", "))
		}
	}
	if err := checkText("presenter", "Presenter", it.Presenter, 200, true); err != nil {
		return err
	}
	if it.Exempt && strings.TrimSpace(it.ExemptReason) == "" {
		return errs.Field("exempt_reason", "Give the reason the item is exempt, such as Schedule 12A paragraph 3")
	}
	if it.Duration < 0 || it.Duration > 600 {
		return errs.Field("duration_minutes", "Enter a time of 0 to 600 minutes")
	}
	return nil
}

// Attendance statuses.
const (
	Present     = "present"
	AlsoPresent = "also_present"
	Apologies   = "apologies"
	Absent      = "absent"
)

// Attendance is one person's record at a meeting.
type Attendance struct {
	PersonID          int64  `json:"person_id"`
	Name              string `json:"name"`
	JobTitle          string `json:"job_title,omitempty"`
	OrganisationName  string `json:"organisation,omitempty"`
	Status            string `json:"status"`
	Role              string `json:"role,omitempty"`
	SubstituteFor     int64  `json:"substitute_for,omitempty"`
	SubstituteForName string `json:"substitute_for_name,omitempty"`
	// On apologies: the substitute the member named, from their own organisation.
	SubstituteID   int64  `json:"substitute_id,omitempty"`
	SubstituteName string `json:"substitute_name,omitempty"`
	// SentBySelf is true when the member sent the apologies themselves.
	SentBySelf bool `json:"sent_by_self,omitempty"`
}
