package actions

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/meetings"
)

// A plan's workbook comes in in two steps, as the action log's spreadsheet does: the
// clerk uploads it and sees what importing it would do (PreviewPlanImport), then
// confirms. Between the two the upload waits on the server under a random token
// (HoldPlanImport), so nothing the browser sends back decides what is imported; the
// confirm (ConfirmPlanImport) reads the held workbook again and refuses when the plan,
// or what the workbook would do to it, is no longer what the preview showed.

// PlanImportTTL is how long an upload waits for its confirm.
const PlanImportTTL = time.Hour

// PlanImport is what importing a workbook into a plan would do, theme by theme, the
// leads it names who are not in Quorum, and every problem that stops it.
type PlanImport struct {
	PlanID   int64          `json:"plan_id"`
	Themes   []ThemeImport  `json:"themes"`
	NewLeads []NewLead      `json:"new_leads"`
	Problems ImportProblems `json:"problems"`
	// Would is what the import would do, in numbers.
	Would PlanImportResult `json:"would"`
	// Stamp fingerprints the plan as it stands and all of the above: a confirm must find
	// the same.
	Stamp  string `json:"-"`
	themes []importedTheme
}

// ThemeImport is what the import would do to one theme (its sheet).
type ThemeImport struct {
	Number int    `json:"number"`
	Sheet  string `json:"sheet"`
	Title  string `json:"title"`
	// New: the plan has no theme at this place yet; Changes: "title", "description".
	New       bool           `json:"new,omitempty"`
	Changes   []string       `json:"changes,omitempty"`
	Added     []ActionImport `json:"added"`
	Changed   []ActionImport `json:"changed"`
	Unchanged []ActionImport `json:"unchanged"`
}

// ActionImport is one row of a theme's sheet and what it would change, in words.
type ActionImport struct {
	Row     int      `json:"row"`
	Ref     string   `json:"ref,omitempty"` // empty: the theme's next reference
	Title   string   `json:"action"`
	Changes []string `json:"changes,omitempty"`
}

// NewLead is a lead the workbook names whom Quorum does not know, the rows naming them,
// and the organisation the sheet gives them when it is one Quorum knows.
type NewLead struct {
	Name           string     `json:"name"`
	Rows           []SheetRow `json:"rows"`
	OrganisationID int64      `json:"organisation_id,omitempty"`
	Organisation   string     `json:"organisation,omitempty"`
	key            string     // the name in lower case, as leads are matched
}

// SheetRow is a row of a sheet.
type SheetRow struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`
}

// Ready reports whether the import may be confirmed.
func (pi *PlanImport) Ready() bool { return len(pi.Problems) == 0 }

// PreviewPlanImport reads a workbook in the plan's shape against the plan and says what
// importing it would do. Nothing is written.
func (s *Store) PreviewPlanImport(ctx context.Context, planID int64, content []byte) (*PlanImport, error) {
	cur, err := s.plan(ctx, planID, time.Time{})
	if err != nil {
		return nil, err
	}
	themes, problems := s.readPlanXLSX(ctx, bytes.NewReader(content))
	pi := &PlanImport{PlanID: planID, Themes: []ThemeImport{}, NewLeads: []NewLead{}, Problems: ImportProblems{}, themes: themes}
	pi.Problems = append(pi.Problems, problems...)
	byRef := map[string]*PlanAction{}
	for _, a := range cur.Actions() {
		byRef[strings.ToLower(a.Ref)] = a
	}
	themeNumber := map[int64]int{}
	for _, th := range cur.Themes {
		themeNumber[th.ID] = th.Number
	}
	leadAt := map[string]int{}
	for _, th := range themes {
		// by the sheet's place: a sheet that could not be read leaves a gap, not a shift
		i := th.number - 1
		ti := ThemeImport{Number: th.number, Sheet: th.sheet, Title: th.title, Added: []ActionImport{}, Changed: []ActionImport{}, Unchanged: []ActionImport{}}
		var themeID int64
		if i < len(cur.Themes) {
			themeID = cur.Themes[i].ID
			if cur.Themes[i].Title != th.title {
				ti.Changes = append(ti.Changes, fmt.Sprintf("title (was “%s”)", cur.Themes[i].Title))
			}
			if cur.Themes[i].Description != th.description {
				ti.Changes = append(ti.Changes, "description")
			}
			if len(ti.Changes) > 0 {
				pi.Would.ThemesChanged++
			}
		} else {
			ti.New = true
			pi.Would.ThemesAdded++
		}
		for _, ia := range th.actions {
			if ia.newLead != "" {
				key := strings.ToLower(ia.newLead)
				n, ok := leadAt[key]
				if !ok {
					n = len(pi.NewLeads)
					leadAt[key] = n
					pi.NewLeads = append(pi.NewLeads, NewLead{Name: ia.newLead, key: key})
				}
				nl := &pi.NewLeads[n]
				nl.Rows = append(nl.Rows, SheetRow{Sheet: th.sheet, Row: ia.row})
				if nl.OrganisationID == 0 && ia.a.LeadOrganisationID != 0 {
					nl.OrganisationID = ia.a.LeadOrganisationID
					s.db.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, nl.OrganisationID).Scan(&nl.Organisation)
				}
			}
			ai := ActionImport{Row: ia.row, Ref: ia.a.Ref, Title: ia.a.Title}
			have, ok := byRef[strings.ToLower(ia.a.Ref)]
			if !ok || ia.a.Ref == "" {
				ai.Changes = []string{"new action"}
				if ia.newLead != "" {
					ai.Changes = append(ai.Changes, "lead: "+ia.newLead+" (to be added to Quorum)")
				}
				ti.Added = append(ti.Added, ai)
				pi.Would.ActionsAdded++
				continue
			}
			after := ia.a
			after.ID, after.PlanID, after.ThemeID = have.ID, planID, themeID
			ai.Ref = have.Ref
			if ai.Changes, err = s.planActionChanges(ctx, have, &after, ia.newLead); err != nil {
				return nil, err
			}
			if after.ThemeID != have.ThemeID {
				ai.Changes = append([]string{fmt.Sprintf("moves from theme %d to theme %d", themeNumber[have.ThemeID], i+1)}, ai.Changes...)
			}
			if len(ai.Changes) == 0 {
				ti.Unchanged = append(ti.Unchanged, ai)
				pi.Would.Unchanged++
			} else {
				ti.Changed = append(ti.Changed, ai)
				pi.Would.ActionsChanged++
			}
		}
		pi.Themes = append(pi.Themes, ti)
	}
	pi.Stamp = planImportStamp(cur, pi)
	return pi, nil
}

// planActionChanges says in words what saving after over before would change, as
// updatePlanAction decides it: "RAG amber to green", "end date 31 March 2026 to 30 June
// 2026", "lead: Sam Okafor".
func (s *Store) planActionChanges(ctx context.Context, before, after *PlanAction, newLead string) ([]string, error) {
	if err := s.resolveLead(ctx, s.db, after); err != nil {
		if errs.Code(err) != errs.Invalid {
			return nil, err
		}
		after.LeadName = "(not in Quorum)"
	}
	var out []string
	summary := changeSummary(before, after)
	for _, part := range strings.Split(summary, "; ") {
		switch part {
		case "":
		case "lead":
			if newLead == "" {
				out = append(out, "lead: "+or(after.Lead(), "none"))
			}
		case "start date":
			out = append(out, "start date "+or(dayText(before.StartDate), "none")+" to "+or(dayText(after.StartDate), "none"))
		case "end date":
			out = append(out, "end date "+or(dayText(before.EndDate), "none")+" to "+or(dayText(after.EndDate), "none"))
		case "action":
			out = append(out, "action: "+quoted(after.Title))
		case "outcome":
			out = append(out, "outcome: "+quoted(after.Outcome))
		case "baseline":
			out = append(out, "baseline: "+quoted(after.Baseline))
		case "progress":
			out = append(out, "progress: "+quoted(after.Progress))
		case "comments":
			out = append(out, "comments: "+quoted(after.Comments))
		case "mandatory":
			out = append(out, "now "+strings.ToLower(after.MandatoryText()))
		default:
			out = append(out, part)
		}
	}
	if newLead != "" {
		out = append(out, "lead: "+newLead+" (to be added to Quorum)")
	}
	return out, nil
}

// quoted is a field's new text as a preview shows it: in quotes, the first 120
// characters, or "(cleared)".
func quoted(s string) string {
	if s == "" {
		return "(cleared)"
	}
	if r := []rune(s); len(r) > 120 {
		s = strings.TrimSpace(string(r[:120])) + "…"
	}
	return "“" + s + "”"
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// planImportStamp fingerprints the plan as it stands and what the import would do to it.
func planImportStamp(cur *Plan, pi *PlanImport) string {
	type theme struct {
		ID                 int64
		Number             int
		Title, Description string
	}
	state := struct {
		Themes  []theme
		Actions []PlanAction
		Import  *PlanImport
	}{Import: pi}
	for _, th := range cur.Themes {
		state.Themes = append(state.Themes, theme{th.ID, th.Number, th.Title, th.Description})
	}
	for _, a := range cur.Actions() {
		c := *a
		c.Documents = nil
		state.Actions = append(state.Actions, c)
	}
	b, _ := json.Marshal(state)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// HeldImport is an upload waiting for its confirm.
type HeldImport struct {
	ID       int64
	PlanID   int64
	Filename string
	Content  []byte
	Stamp    string
	UsedAt   time.Time
}

// HoldPlanImport keeps an upload that previewed cleanly until it is confirmed or
// PlanImportTTL has passed, for the clerk who previewed it, and answers its token.
// Uploads whose time is up are cleared at the same time.
func (s *Store) HoldPlanImport(ctx context.Context, planID int64, filename string, content []byte, stamp string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_imports WHERE expires_at < ?`, formatTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO plan_imports (token_hash, plan_id, user_id, filename, content, stamp, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(token), planID, audit.ActorFrom(ctx).UserID, filename, content, stamp,
			formatTime(now), formatTime(now.Add(PlanImportTTL)))
		if err != nil {
			return fmt.Errorf("hold plan import: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

var (
	// ErrPlanImportGone: the token is unknown, another clerk's, or its time is up.
	ErrPlanImportGone = errs.Field("file", "The preview has expired (an upload waits an hour for its confirm): upload the workbook again")
	// ErrPlanImportUsed: the held upload has been imported already.
	ErrPlanImportUsed = errs.E(errs.Conflict, "This workbook has already been imported; nothing more was done")
	// ErrPlanChanged: the plan, or what the workbook would do to it, changed after the preview.
	ErrPlanChanged = errs.E(errs.Conflict, "The plan, or the people the workbook names, changed after the preview was made; nothing was imported")
)

// HeldPlanImport reads an upload waiting for its confirm, for the clerk who made it.
func (s *Store) HeldPlanImport(ctx context.Context, planID int64, token string) (*HeldImport, error) {
	return s.heldPlanImport(ctx, s.db, planID, token)
}

func (s *Store) heldPlanImport(ctx context.Context, q Querier, planID int64, token string) (*HeldImport, error) {
	if token == "" {
		return nil, ErrPlanImportGone
	}
	h := &HeldImport{}
	var used string
	err := q.QueryRowContext(ctx, `SELECT id, plan_id, filename, content, stamp, used_at FROM plan_imports
		WHERE token_hash = ? AND plan_id = ? AND user_id = ? AND expires_at > ?`,
		hashToken(token), planID, audit.ActorFrom(ctx).UserID, formatTime(s.now())).Scan(&h.ID, &h.PlanID, &h.Filename, &h.Content, &h.Stamp, &used)
	if db.IsNoRows(err) {
		return nil, ErrPlanImportGone
	}
	if err != nil {
		return nil, err
	}
	if used != "" {
		h.UsedAt = parseTime(used)
		return h, ErrPlanImportUsed
	}
	return h, nil
}

// ConfirmPlanImport imports a held upload, once, if the plan and what the workbook would
// do to it are still what the preview showed, adding first the leads Quorum did not know:
// people holds, in the order of the preview's NewLeads, each one's organisation and email
// (their names are the workbook's). It is all one transaction: the people are added only
// with the import.
func (s *Store) ConfirmPlanImport(ctx context.Context, planID int64, token string, people []meetings.Person) (*PlanImportResult, error) {
	var res *PlanImportResult
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		held, err := s.heldPlanImport(ctx, tx, planID, token)
		if err != nil {
			return err
		}
		// The transaction holds the database's write lock, so the plan read here on
		// another connection cannot change before the commit.
		pi, err := s.PreviewPlanImport(ctx, planID, held.Content)
		if err != nil {
			return err
		}
		if pi.Stamp != held.Stamp {
			return ErrPlanChanged
		}
		if !pi.Ready() {
			return pi.Problems
		}
		if len(people) != len(pi.NewLeads) {
			return errs.Field("file", "Say for each of the %d people to be added which organisation they lead for", len(pi.NewLeads))
		}
		added := map[string]int64{}
		for i, nl := range pi.NewLeads {
			p := people[i]
			p.ID, p.Name, p.Handle, p.Initials = 0, nl.Name, "", ""
			if err := s.insertLead(ctx, tx, &p, i); err != nil {
				return err
			}
			added[nl.key] = p.ID
		}
		if res, err = s.applyPlanImport(ctx, tx, planID, pi.themes, added); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE plan_imports SET used_at = ?, content = x'' WHERE id = ? AND used_at = ''`, formatTime(s.now()), held.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return ErrPlanImportUsed
		}
		return audit.Record(ctx, tx, "plan.import", "plan", planID, nil, map[string]any{"file": held.Filename, "result": res, "people_added": len(added)})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// insertLead adds a person for a lead the workbook named, in the import's transaction
// (meetings.CreatePersonIn), its errors on the i-th lead's fields of the preview's form
// (lead_organisation_i, lead_email_i).
func (s *Store) insertLead(ctx context.Context, tx *sql.Tx, p *meetings.Person, i int) error {
	field := func(err error) error {
		name := "name"
		if f := errs.FieldOf(err); f == "email" || f == "organisation_id" {
			name = strings.TrimSuffix(f, "_id")
		}
		return errs.Field(fmt.Sprintf("lead_%s_%d", name, i), "%s: %s", p.Name, errs.Message(err))
	}
	if err := p.Validate(); err != nil {
		return field(err)
	}
	if p.OrganisationID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = ?`, p.OrganisationID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return field(errs.Field("organisation_id", "choose an organisation in Quorum"))
		}
	}
	err := meetings.CreatePersonIn(ctx, tx, p)
	if errs.Code(err) == errs.Invalid && errs.FieldOf(err) == "email" { // valid, so the address is taken
		return field(errs.Field("email", "someone with that email address is already in Quorum"))
	}
	if err != nil {
		return fmt.Errorf("add lead %s: %w", p.Name, err)
	}
	return nil
}
