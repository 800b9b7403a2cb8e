package actions

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"quorum/internal/errs"
)

// RAG statuses of a plan action: red, amber and green as partnerships use them, blue for
// an action complete, and none before a lead first reports.
const (
	RAGNone  = ""
	RAGRed   = "red"
	RAGAmber = "amber"
	RAGGreen = "green"
	RAGBlue  = "blue"
)

// RAGs lists the statuses in the order pages and papers show them.
var RAGs = []string{RAGRed, RAGAmber, RAGGreen, RAGBlue}

// RAGLabel is a status as people say it: "Blue (complete)".
func RAGLabel(r string) string {
	switch r {
	case RAGRed:
		return "Red"
	case RAGAmber:
		return "Amber"
	case RAGGreen:
		return "Green"
	case RAGBlue:
		return "Blue (complete)"
	}
	return "Not set"
}

// ParseRAG reads a status as a person or a spreadsheet writes it: "Red", "R", "amber",
// "Blue (complete)", "complete". Blank is RAGNone.
func ParseRAG(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return RAGNone, true
	case "red", "r":
		return RAGRed, true
	case "amber", "a":
		return RAGAmber, true
	case "green", "g":
		return RAGGreen, true
	case "blue", "b", "blue (complete)", "complete", "completed":
		return RAGBlue, true
	}
	return "", false
}

// Plan is a board's action plan: the Violence Reduction Action Plan, a strategy's
// delivery plan. Its actions sit under themes; it is signed off by named offices.
type Plan struct {
	ID        int64  `json:"id"`
	BoardID   int64  `json:"board_id"`
	BoardName string `json:"board_name,omitempty"`
	Title     string `json:"title"`
	StartYear int    `json:"start_year"`
	EndYear   int    `json:"end_year"`
	// Owner is who owns the plan as written; OwnerPersonID a person, when one does.
	Owner         string `json:"owner"`
	OwnerPersonID int64  `json:"owner_person_id,omitempty"`
	// StandingItemID is the board's standing item whose agendas carry the update paper.
	StandingItemID    int64     `json:"standing_item_id,omitempty"`
	StandingItemTitle string    `json:"standing_item_title,omitempty"`
	Deadline          string    `json:"deadline,omitempty"` // YYYY-MM-DD: the signed plan is due
	SubmitTo          string    `json:"submit_to,omitempty"`
	Template          string    `json:"template,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	// AsOf is the day the plan is shown as it stood at; zero for now.
	AsOf        time.Time   `json:"as_of,omitzero"`
	Themes      []Theme     `json:"themes"`
	Signatories []Signatory `json:"signatories"`
	Counts      RAGCounts   `json:"rag"`
}

// Period is the years the plan covers: "2024–2027".
func (p *Plan) Period() string {
	if p.StartYear == p.EndYear {
		return fmt.Sprint(p.StartYear)
	}
	return fmt.Sprintf("%d–%d", p.StartYear, p.EndYear)
}

// Name is the plan's title with its period.
func (p *Plan) Name() string { return p.Title + " " + p.Period() }

// Validate checks a plan's details.
func (p *Plan) Validate() error {
	p.Title = strings.TrimSpace(p.Title)
	p.Owner = strings.TrimSpace(p.Owner)
	p.SubmitTo = strings.TrimSpace(p.SubmitTo)
	if p.Title == "" {
		return errs.Field("title", "Enter the plan’s title")
	}
	if utf8.RuneCountInString(p.Title) > 200 {
		return errs.Field("title", "The title must be 200 characters or fewer")
	}
	if p.StartYear < 1990 || p.StartYear > 2100 {
		return errs.Field("start_year", "Enter the year the plan starts, such as 2024")
	}
	if p.EndYear < p.StartYear || p.EndYear > p.StartYear+20 {
		return errs.Field("end_year", "The plan must end in or after the year it starts, such as 2027")
	}
	if len(p.Owner) > 200 {
		return errs.Field("owner", "The owner must be 200 characters or fewer")
	}
	if p.Deadline != "" {
		if _, err := time.Parse(time.DateOnly, p.Deadline); err != nil {
			return errs.Field("deadline", "Enter the submission deadline as a real date")
		}
	}
	return nil
}

// Actions lists every action of the plan, theme by theme.
func (p *Plan) Actions() []*PlanAction {
	var out []*PlanAction
	for i := range p.Themes {
		for j := range p.Themes[i].Actions {
			out = append(out, &p.Themes[i].Actions[j])
		}
	}
	return out
}

// Outstanding lists the offices that have not signed yet.
func (p *Plan) Outstanding() []Signatory {
	var out []Signatory
	for _, s := range p.Signatories {
		if !s.Signed() {
			out = append(out, s)
		}
	}
	return out
}

// SignedCount is how many of the offices have signed.
func (p *Plan) SignedCount() int { return len(p.Signatories) - len(p.Outstanding()) }

// Theme is one theme of a plan, numbered from 1, with its actions.
type Theme struct {
	ID          int64        `json:"id"`
	Number      int          `json:"number"`
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	Actions     []PlanAction `json:"actions"`
	Counts      RAGCounts    `json:"rag"`
}

// PlanAction is one action of a plan.
type PlanAction struct {
	ID        int64  `json:"id"`
	PlanID    int64  `json:"plan_id"`
	ThemeID   int64  `json:"theme_id"`
	Position  int    `json:"position"`
	Ref       string `json:"ref"` // 3.2
	Mandatory bool   `json:"mandatory"`
	Title     string `json:"action"`
	Outcome   string `json:"outcome"`
	Baseline  string `json:"baseline"`
	// The lead: a person and their organisation, names as they were when last set.
	LeadPersonID       int64          `json:"lead_person_id,omitempty"`
	LeadName           string         `json:"lead,omitempty"`
	LeadOrganisationID int64          `json:"lead_organisation_id,omitempty"`
	LeadOrganisation   string         `json:"lead_organisation,omitempty"`
	StartDate          string         `json:"start_date,omitempty"` // YYYY-MM-DD
	EndDate            string         `json:"end_date,omitempty"`
	Progress           string         `json:"progress"`
	Comments           string         `json:"comments"`
	RAG                string         `json:"rag"`
	RAGSetOn           string         `json:"rag_set_on,omitempty"`
	UpdatedAt          time.Time      `json:"updated_at"`
	UpdatedBy          string         `json:"updated_by,omitempty"`
	Documents          []PlanDocument `json:"documents,omitempty"`
}

// Validate checks an action's fields: a title, a known RAG, real dates, an end no
// earlier than the start.
func (a *PlanAction) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	a.Outcome = strings.TrimSpace(a.Outcome)
	a.Baseline = strings.TrimSpace(a.Baseline)
	a.Progress = strings.TrimSpace(a.Progress)
	a.Comments = strings.TrimSpace(a.Comments)
	a.StartDate = strings.TrimSpace(a.StartDate)
	a.EndDate = strings.TrimSpace(a.EndDate)
	if a.Title == "" {
		return errs.Field("title", "Enter what the action is")
	}
	for _, f := range []struct{ field, label, v string }{{"title", "The action", a.Title}, {"outcome", "The outcome", a.Outcome},
		{"baseline", "The baseline", a.Baseline}, {"progress", "The progress", a.Progress}, {"comments", "The comments", a.Comments}} {
		if utf8.RuneCountInString(f.v) > 5000 {
			return errs.Field(f.field, "%s must be 5,000 characters or fewer", f.label)
		}
	}
	if r, ok := ParseRAG(a.RAG); !ok {
		return errs.Field("rag", "Choose red, amber, green or blue (complete); %q is none of them", a.RAG)
	} else {
		a.RAG = r
	}
	for _, d := range []struct{ field, label, v string }{{"start_date", "start", a.StartDate}, {"end_date", "end", a.EndDate}} {
		if d.v == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, d.v); err != nil || t.Year() < 1990 || t.Year() > 2100 {
			return errs.Field(d.field, "Enter the %s date as a real date", d.label)
		}
	}
	if a.StartDate != "" && a.EndDate != "" && a.EndDate < a.StartDate {
		return errs.Field("end_date", "The end date must be the same as or after the start date")
	}
	return nil
}

// Overdue reports whether the action's end date has passed on today (YYYY-MM-DD) and it
// is not complete.
func (a *PlanAction) Overdue(today string) bool {
	return a.EndDate != "" && a.EndDate < today && a.RAG != RAGBlue
}

// RAGText is the action's status as a page shows it.
func (a *PlanAction) RAGText() string { return RAGLabel(a.RAG) }

// Lead is the lead and organisation as one line: "Priya Natarajan, Northvale Borough Council".
func (a *PlanAction) Lead() string {
	switch {
	case a.LeadName != "" && a.LeadOrganisation != "":
		return a.LeadName + ", " + a.LeadOrganisation
	case a.LeadName != "":
		return a.LeadName
	}
	return a.LeadOrganisation
}

// MandatoryText says whether the template requires the action.
func (a *PlanAction) MandatoryText() string {
	if a.Mandatory {
		return "Mandatory"
	}
	return "Optional"
}

// PlanDocument is a supporting document uploaded to a plan action.
type PlanDocument struct {
	ID          int64     `json:"id"`
	ActionID    int64     `json:"plan_action_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	AddedBy     string    `json:"added_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Content     []byte    `json:"-"`
}

// RAGCounts counts actions by status.
type RAGCounts struct {
	Red   int `json:"red"`
	Amber int `json:"amber"`
	Green int `json:"green"`
	Blue  int `json:"blue"`
	None  int `json:"not_set"`
}

// Add counts one action of status r.
func (c *RAGCounts) Add(r string) {
	switch r {
	case RAGRed:
		c.Red++
	case RAGAmber:
		c.Amber++
	case RAGGreen:
		c.Green++
	case RAGBlue:
		c.Blue++
	default:
		c.None++
	}
}

// Total is the number of actions counted.
func (c RAGCounts) Total() int { return c.Red + c.Amber + c.Green + c.Blue + c.None }

// Signatory is an office that signs the plan off, and its signature once made.
type Signatory struct {
	ID         int64  `json:"id"`
	Office     string `json:"office"`
	PersonID   int64  `json:"person_id,omitempty"`
	PersonName string `json:"person_name,omitempty"`
	SignedName string `json:"signed_name,omitempty"`
	SignedOn   string `json:"signed_on,omitempty"` // YYYY-MM-DD
	// Method is "app" for a signature made in Quorum, "recorded" for one the clerk recorded.
	Method     string `json:"method,omitempty"`
	RecordedBy string `json:"recorded_by,omitempty"`
}

// Signed reports whether the office has signed.
func (s Signatory) Signed() bool { return s.SignedOn != "" }

// PlanChange is one dated change to a plan action, with the action as it stood after it.
type PlanChange struct {
	ID        int64      `json:"id"`
	ActionID  int64      `json:"plan_action_id"`
	ChangedAt time.Time  `json:"changed_at"`
	ChangedBy string     `json:"changed_by"`
	Summary   string     `json:"summary"`
	State     PlanAction `json:"state"`
}

// RAGPoint is the plan's RAG counts as they stood on a day, for the chart over time.
type RAGPoint struct {
	Day    time.Time `json:"day"`
	Counts RAGCounts `json:"rag"`
}

// changeSummary says in words what changed between two states of an action: "RAG amber
// to green; progress; comments". Empty when nothing did.
func changeSummary(before, after *PlanAction) string {
	var parts []string
	if before.RAG != after.RAG {
		parts = append(parts, fmt.Sprintf("RAG %s to %s", strings.ToLower(RAGLabel(before.RAG)), strings.ToLower(RAGLabel(after.RAG))))
	}
	for _, f := range []struct {
		name string
		a, b string
	}{
		{"action", before.Title, after.Title}, {"outcome", before.Outcome, after.Outcome}, {"baseline", before.Baseline, after.Baseline},
		{"lead", fmt.Sprint(before.LeadPersonID, "/", before.LeadOrganisationID), fmt.Sprint(after.LeadPersonID, "/", after.LeadOrganisationID)},
		{"start date", before.StartDate, after.StartDate}, {"end date", before.EndDate, after.EndDate},
		{"progress", before.Progress, after.Progress}, {"comments", before.Comments, after.Comments},
		{"mandatory", fmt.Sprint(before.Mandatory), fmt.Sprint(after.Mandatory)},
	} {
		if f.a != f.b {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, "; ")
}
