// Package meetings owns boards, the organisations and people who sit on them, their
// meetings, agendas, attendance and declarations. It imports no other domain package.
package meetings

import (
	"embed"
	"io/fs"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"quorum/internal/errs"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the package's migrations, rooted at the schema folder.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// London is where partnership boards meet; times are stored in UTC and shown here.
var London = mustLocation("Europe/London")

func mustLocation(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// Organisation kinds.
var OrganisationKinds = []string{"council", "police", "fire", "health", "probation", "voluntary", "housing", "other"}

// Organisation is a body with seats on boards: the council, the police, a charity.
type Organisation struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Handle  string `json:"handle"`
	Kind    string `json:"kind"`
	Partner bool   `json:"partner"`
}

// Person is someone Quorum knows: a member, an officer, a guest. Not every person has an
// account.
type Person struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	JobTitle         string `json:"job_title"`
	Email            string `json:"email,omitempty"`
	Initials         string `json:"initials"`
	Handle           string `json:"handle"`
	OrganisationID   int64  `json:"organisation_id,omitempty"`
	OrganisationName string `json:"organisation,omitempty"`
}

// Numbering of minutes.
const (
	NumberContinuous = "continuous"
	NumberYearly     = "yearly"
	NumberNone       = "none"
)

// Board is a partnership board or a delivery group reporting to one.
type Board struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	ShortName      string `json:"short_name"`
	ParentID       int64  `json:"parent_id,omitempty"`
	ParentName     string `json:"parent_name,omitempty"`
	ClerkID        int64  `json:"clerk_id,omitempty"`
	ClerkName      string `json:"clerk_name,omitempty"`
	ClerkEmail     string `json:"-"`
	Numbering      string `json:"numbering"`
	YearStartMonth int    `json:"year_start_month"`
	Public         bool   `json:"public"`
	DefaultStart   string `json:"default_start"`
	DefaultMinutes int    `json:"default_minutes"`
	DefaultMode    string `json:"default_mode"`
	DefaultPlace   string `json:"default_place"`
	QuorumCount    int    `json:"quorum_count"`
	QuorumShare    int    `json:"quorum_share"`
	Description    string `json:"description"`

	Members []Membership `json:"members,omitempty"`
}

var shortNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{1,11}$`)

// Validate checks a board as a clerk typed it.
func (b *Board) Validate() error {
	b.Name = strings.TrimSpace(b.Name)
	b.ShortName = strings.ToUpper(strings.TrimSpace(b.ShortName))
	if err := checkText("name", "Name", b.Name, 200); err != nil {
		return err
	}
	if !shortNameRe.MatchString(b.ShortName) {
		return errs.Field("short_name", "Enter a short name of 2 to 12 letters or digits, starting with a letter, such as SCP")
	}
	switch b.Numbering {
	case "":
		b.Numbering = NumberContinuous
	case NumberContinuous, NumberYearly, NumberNone:
	default:
		return errs.Field("numbering", "Choose how minutes are numbered")
	}
	if b.YearStartMonth == 0 {
		b.YearStartMonth = 5
	}
	if b.YearStartMonth < 1 || b.YearStartMonth > 12 {
		return errs.Field("year_start_month", "Choose the month the municipal year starts")
	}
	if b.DefaultStart == "" {
		b.DefaultStart = "10:00"
	}
	if _, err := time.Parse("15:04", b.DefaultStart); err != nil {
		return errs.Field("default_start", "Enter the usual start time as 24-hour hh:mm, such as 10:00")
	}
	if b.DefaultMinutes <= 0 {
		b.DefaultMinutes = 120
	}
	if b.DefaultMode == "" {
		b.DefaultMode = ModeInPerson
	}
	if !validMode(b.DefaultMode) {
		return errs.Field("default_mode", "Choose in person, virtual or hybrid")
	}
	if b.QuorumShare < 0 || b.QuorumShare > 100 || b.QuorumCount < 0 {
		return errs.Field("quorum_count", "Enter a quorum of a number of members, or a share from 0 to 100 per cent")
	}
	return checkText("description", "Description", b.Description, 2000, true)
}

// Board roles from membership.
var Roles = []string{"chair", "vice-chair", "member", "substitute", "adviser", "clerk"}

// Membership is a person's seat on a board.
type Membership struct {
	ID               int64  `json:"id"`
	BoardID          int64  `json:"board_id"`
	BoardName        string `json:"-"`
	PersonID         int64  `json:"person_id"`
	PersonName       string `json:"name"`
	JobTitle         string `json:"job_title"`
	Initials         string `json:"initials"`
	Email            string `json:"-"`
	Role             string `json:"role"`
	OrganisationID   int64  `json:"organisation_id,omitempty"`
	OrganisationName string `json:"organisation,omitempty"`
	StartsOn         string `json:"starts_on,omitempty"`
	EndsOn           string `json:"ends_on,omitempty"`
	DeputyID         int64  `json:"deputy_id,omitempty"`
	DeputyName       string `json:"deputy,omitempty"`
}

// Current reports whether the membership is in force on day (YYYY-MM-DD).
func (m Membership) Current(day string) bool {
	return (m.StartsOn == "" || m.StartsOn <= day) && (m.EndsOn == "" || m.EndsOn >= day)
}

// RoleLabel is the role as a clerk writes it.
func RoleLabel(role string) string {
	switch role {
	case "chair":
		return "Chair"
	case "vice-chair":
		return "Vice-Chair"
	case "member":
		return "Member"
	case "substitute":
		return "Substitute"
	case "adviser":
		return "Adviser"
	case "clerk":
		return "Clerk"
	}
	return role
}

// Validate checks a membership.
func (m *Membership) Validate() error {
	if m.PersonID == 0 {
		return errs.Field("person_id", "Choose the person")
	}
	ok := false
	for _, r := range Roles {
		ok = ok || r == m.Role
	}
	if !ok {
		return errs.Field("role", "Choose a role: chair, vice-chair, member, substitute, adviser or clerk")
	}
	for _, d := range []struct{ field, v string }{{"starts_on", m.StartsOn}, {"ends_on", m.EndsOn}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", d.v); err != nil {
			return errs.Field(d.field, "Enter a real date, such as 2026-05-21")
		}
	}
	if m.StartsOn != "" && m.EndsOn != "" && m.EndsOn < m.StartsOn {
		return errs.Field("ends_on", "The end date must be after the start date")
	}
	if m.DeputyID != 0 && m.DeputyID == m.PersonID {
		return errs.Field("deputy_id", "A member cannot be their own deputy")
	}
	return nil
}

// Validate checks an organisation; an empty handle is made from the name.
func (o *Organisation) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	o.Handle = strings.ToLower(strings.TrimSpace(o.Handle))
	if err := checkText("name", "Name", o.Name, 200); err != nil {
		return err
	}
	if o.Handle == "" {
		o.Handle = handleFrom(o.Name)
	}
	if !handleRe.MatchString(o.Handle) {
		return errs.Field("handle", "Enter a handle of letters, digits, dots or dashes, such as police")
	}
	if o.Kind == "" {
		o.Kind = "other"
	}
	for _, k := range OrganisationKinds {
		if k == o.Kind {
			return nil
		}
	}
	return errs.Field("kind", "Choose the kind of organisation")
}

var handleRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

func handleFrom(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// Validate checks a person; initials are made from the name when empty.
func (p *Person) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	p.Email = strings.TrimSpace(p.Email)
	p.Initials = strings.ToUpper(strings.TrimSpace(p.Initials))
	p.Handle = strings.ToLower(strings.TrimSpace(p.Handle))
	if err := checkText("name", "Name", p.Name, 200); err != nil {
		return err
	}
	if err := checkText("job_title", "Job title", p.JobTitle, 200, true); err != nil {
		return err
	}
	if p.Email != "" && (len(p.Email) > 254 || !strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " <>")) {
		return errs.Field("email", "Enter an email address in the correct format, like name@example.org")
	}
	if p.Initials == "" {
		p.Initials = initialsOf(p.Name)
	}
	if len(p.Initials) > 6 {
		return errs.Field("initials", "Initials must be 6 letters or fewer")
	}
	if p.Handle != "" && !handleRe.MatchString(p.Handle) {
		return errs.Field("handle", "Enter a handle of letters, digits, dots or dashes, such as j.smith")
	}
	return nil
}

// initialsOf reads initials from a name, skipping titles: "Cllr Anne Barker" -> "AB".
func initialsOf(name string) string {
	titles := map[string]bool{"cllr": true, "councillor": true, "mr": true, "mrs": true, "ms": true, "dr": true,
		"miss": true, "supt": true, "superintendent": true, "insp": true, "inspector": true, "ch": true, "chief": true, "prof": true}
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		w = strings.Trim(w, ".,()")
		if w == "" || titles[strings.ToLower(w)] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteString(strings.ToUpper(string(r)))
	}
	return b.String()
}

// checkText checks a required (or, with optional, possibly empty) text of at most max
// characters.
func checkText(field, label, v string, max int, optional ...bool) error {
	if strings.TrimSpace(v) == "" {
		if len(optional) > 0 && optional[0] {
			return nil
		}
		return errs.Field(field, "Enter the %s", strings.ToLower(label))
	}
	if !utf8.ValidString(v) {
		return errs.Field(field, "%s must be plain text", label)
	}
	if utf8.RuneCountInString(v) > max {
		return errs.Field(field, "%s must be %d characters or fewer", label, max)
	}
	return nil
}
