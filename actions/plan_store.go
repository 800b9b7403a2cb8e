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
	"quorum/internal/outbox"
)

// --- templates

// PlanTemplates lists the shipped templates, then the clerks' own.
func (s *Store) PlanTemplates(ctx context.Context) ([]PlanTemplate, error) {
	out := append([]PlanTemplate{}, builtinTemplates...)
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, description, content FROM plan_templates ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanTemplate(sc interface{ Scan(...any) error }) (PlanTemplate, error) {
	var t PlanTemplate
	var id int64
	var name, desc, content string
	if err := sc.Scan(&id, &name, &desc, &content); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(content), &t); err != nil {
		return t, fmt.Errorf("template %d: %w", id, err)
	}
	t.Key, t.Name, t.Description, t.Saved = fmt.Sprintf("saved:%d", id), name, desc, true
	return t, nil
}

// PlanTemplate finds a template by its key.
func (s *Store) PlanTemplate(ctx context.Context, key string) (*PlanTemplate, error) {
	if t, ok := BuiltinTemplate(key); ok {
		return &t, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(key, "saved:"), 10, 64)
	if err != nil || !strings.HasPrefix(key, "saved:") {
		return nil, errs.Field("template", "Choose a template")
	}
	t, err := scanTemplate(s.db.QueryRowContext(ctx, `SELECT id, name, description, content FROM plan_templates WHERE id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.Field("template", "Choose a template")
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// SaveTemplate saves a plan's themes, actions (their titles, outcomes and whether they
// are mandatory, not their progress) and signing offices as a template under name.
func (s *Store) SaveTemplate(ctx context.Context, planID int64, name, description string) (string, error) {
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	if name == "" || len(name) > 200 {
		return "", errs.Field("template_name", "Enter a name for the template, up to 200 characters")
	}
	p, err := s.Plan(ctx, planID)
	if err != nil {
		return "", err
	}
	t := PlanTemplate{Themes: []TemplateTheme{}, Signatories: []string{}}
	for _, th := range p.Themes {
		tt := TemplateTheme{Title: th.Title, Description: th.Description, Actions: []TemplateAction{}}
		for _, a := range th.Actions {
			tt.Actions = append(tt.Actions, TemplateAction{Title: a.Title, Outcome: a.Outcome, Mandatory: a.Mandatory})
		}
		t.Themes = append(t.Themes, tt)
	}
	for _, sg := range p.Signatories {
		t.Signatories = append(t.Signatories, sg.Office)
	}
	content, _ := json.Marshal(t)
	var id int64
	err = db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_templates (name, description, content, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			name, description, string(content), audit.ActorFrom(ctx).Name, formatTime(s.now()))
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "plan_template.create", "plan_template", id, nil, map[string]any{"name": name, "from_plan": planID})
	})
	return fmt.Sprintf("saved:%d", id), err
}

// --- plans

// CreatePlan makes a plan on its board from a template: the template's themes and
// actions, each action's first state in its history, and its signing offices. The plan
// is made at p.CreatedAt when set (a plan brought in from its past), else now.
func (s *Store) CreatePlan(ctx context.Context, p *Plan, templateKey string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	t, err := s.PlanTemplate(ctx, templateKey)
	if err != nil {
		return err
	}
	at := p.CreatedAt
	if at.IsZero() {
		at = s.now()
	}
	p.CreatedAt, p.Template = at.UTC().Truncate(time.Second), t.Name
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := s.checkPlanRefs(ctx, tx, p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plans (board_id, title, start_year, end_year, owner_person_id, owner, standing_item_id, deadline, submit_to, template, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.BoardID, p.Title, p.StartYear, p.EndYear, nullID(p.OwnerPersonID), p.Owner,
			nullID(p.StandingItemID), p.Deadline, p.SubmitTo, p.Template, formatTime(at))
		if err != nil {
			return fmt.Errorf("create plan: %w", err)
		}
		p.ID, _ = res.LastInsertId()
		for i, th := range t.Themes {
			themeID, err := s.insertTheme(ctx, tx, p.ID, i+1, th.Title, th.Description)
			if err != nil {
				return err
			}
			for _, ta := range th.Actions {
				a := &PlanAction{PlanID: p.ID, ThemeID: themeID, Title: ta.Title, Outcome: ta.Outcome, Mandatory: ta.Mandatory}
				if err := s.insertPlanAction(ctx, tx, a, at); err != nil {
					return err
				}
			}
		}
		for i, office := range t.Signatories {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_signatories (plan_id, position, office) VALUES (?, ?, ?)`, p.ID, i+1, office); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "plan.create", "plan", p.ID, nil, map[string]any{"title": p.Title, "template": t.Key})
	})
}

// checkPlanRefs checks that the board exists and that the owner and the standing item
// are its own.
func (s *Store) checkPlanRefs(ctx context.Context, tx *sql.Tx, p *Plan) error {
	var n int
	if tx.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, p.BoardID).Scan(&n); n == 0 {
		return errs.E(errs.NotFound, "No board %d", p.BoardID)
	}
	if p.StandingItemID != 0 {
		if tx.QueryRowContext(ctx, `SELECT count(*) FROM standing_items WHERE id = ? AND board_id = ?`, p.StandingItemID, p.BoardID).Scan(&n); n == 0 {
			return errs.Field("standing_item_id", "Choose one of the board’s standing items")
		}
	}
	if p.OwnerPersonID != 0 {
		if tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, p.OwnerPersonID).Scan(&n); n == 0 {
			return errs.Field("owner_person_id", "Choose a person in Quorum")
		}
	}
	return nil
}

// UpdatePlan changes a plan's details: title, period, owner, standing item, deadline.
func (s *Store) UpdatePlan(ctx context.Context, p *Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := s.checkPlanRefs(ctx, tx, p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE plans SET title = ?, start_year = ?, end_year = ?, owner_person_id = ?, owner = ?,
			standing_item_id = ?, deadline = ?, submit_to = ? WHERE id = ? AND board_id = ?`, p.Title, p.StartYear, p.EndYear,
			nullID(p.OwnerPersonID), p.Owner, nullID(p.StandingItemID), p.Deadline, p.SubmitTo, p.ID, p.BoardID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No plan %d", p.ID)
		}
		return audit.Record(ctx, tx, "plan.update", "plan", p.ID, nil, p)
	})
}

func (s *Store) insertTheme(ctx context.Context, tx *sql.Tx, planID int64, position int, title, description string) (int64, error) {
	title, description = strings.TrimSpace(title), strings.TrimSpace(description)
	if title == "" || len(title) > 300 {
		return 0, errs.Field("theme_title", "Enter the theme’s title, up to 300 characters")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO plan_themes (plan_id, position, title, description) VALUES (?, ?, ?, ?)`, planID, position, title, description)
	if err != nil {
		return 0, fmt.Errorf("add theme: %w", err)
	}
	return res.LastInsertId()
}

// AddTheme adds a theme at the end of the plan.
func (s *Store) AddTheme(ctx context.Context, planID int64, title, description string) (int64, error) {
	var id int64
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var pos int
		tx.QueryRowContext(ctx, `SELECT coalesce(max(position),0)+1 FROM plan_themes WHERE plan_id = ?`, planID).Scan(&pos)
		var err error
		if id, err = s.insertTheme(ctx, tx, planID, pos, title, description); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "plan_theme.create", "plan", planID, nil, map[string]any{"theme_id": id, "title": title})
	})
	return id, err
}

// AddPlanAction adds an action at the end of its theme, with the next reference (3.4).
func (s *Store) AddPlanAction(ctx context.Context, a *PlanAction) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := s.insertPlanAction(ctx, tx, a, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "plan_action.create", "plan_action", a.ID, nil, a)
	})
}

// insertPlanAction adds an action to its theme, giving it a reference unless it has one,
// and writes its first state into its history at at.
func (s *Store) insertPlanAction(ctx context.Context, tx *sql.Tx, a *PlanAction, at time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	var themeNo int
	err := tx.QueryRowContext(ctx, `SELECT position FROM plan_themes WHERE id = ? AND plan_id = ?`, a.ThemeID, a.PlanID).Scan(&themeNo)
	if db.IsNoRows(err) {
		return errs.Field("theme_id", "Choose one of the plan’s themes")
	}
	if err != nil {
		return err
	}
	if err := s.resolveLead(ctx, tx, a); err != nil {
		return err
	}
	tx.QueryRowContext(ctx, `SELECT coalesce(max(position),0)+1 FROM plan_actions WHERE theme_id = ?`, a.ThemeID).Scan(&a.Position)
	if a.Ref == "" {
		// the next number in the theme not yet taken, so a reference is never given twice
		for n := a.Position; ; n++ {
			ref := fmt.Sprintf("%d.%d", themeNo, n)
			var taken int
			tx.QueryRowContext(ctx, `SELECT count(*) FROM plan_actions WHERE plan_id = ? AND ref = ?`, a.PlanID, ref).Scan(&taken)
			if taken == 0 {
				a.Ref = ref
				break
			}
		}
	}
	if a.RAG != RAGNone && a.RAGSetOn == "" {
		a.RAGSetOn = londonDay(at).Format(time.DateOnly)
	}
	a.UpdatedAt, a.UpdatedBy = at.UTC().Truncate(time.Second), audit.ActorFrom(ctx).Name
	res, err := tx.ExecContext(ctx, `INSERT INTO plan_actions (plan_id, theme_id, position, ref, mandatory, title, outcome, baseline,
		lead_person_id, lead_organisation_id, start_date, end_date, progress, comments, rag, rag_set_on, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.PlanID, a.ThemeID, a.Position, a.Ref, a.Mandatory, a.Title,
		a.Outcome, a.Baseline, nullID(a.LeadPersonID), nullID(a.LeadOrganisationID), a.StartDate, a.EndDate, a.Progress, a.Comments,
		a.RAG, a.RAGSetOn, formatTime(a.UpdatedAt), a.UpdatedBy)
	if db.IsUnique(err) {
		return errs.Field("ref", "The plan already has an action %s", a.Ref)
	}
	if err != nil {
		return fmt.Errorf("add plan action: %w", err)
	}
	a.ID, _ = res.LastInsertId()
	return s.writeHistory(ctx, tx, a, "added", at)
}

// resolveLead checks the lead's person and organisation and fills in their names; a lead
// person with no organisation given leads for their own.
func (s *Store) resolveLead(ctx context.Context, q Querier, a *PlanAction) error {
	a.LeadName, a.LeadOrganisation = "", ""
	if a.LeadPersonID != 0 {
		var org sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT name, organisation_id FROM people WHERE id = ?`, a.LeadPersonID).Scan(&a.LeadName, &org)
		if db.IsNoRows(err) {
			return errs.Field("lead_person_id", "Choose a lead who is in Quorum")
		}
		if err != nil {
			return err
		}
		if a.LeadOrganisationID == 0 {
			a.LeadOrganisationID = org.Int64
		}
	}
	if a.LeadOrganisationID != 0 {
		err := q.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, a.LeadOrganisationID).Scan(&a.LeadOrganisation)
		if db.IsNoRows(err) {
			return errs.Field("lead_organisation_id", "Choose an organisation in Quorum")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) writeHistory(ctx context.Context, tx *sql.Tx, a *PlanAction, summary string, at time.Time) error {
	st := *a
	st.Documents = nil
	state, _ := json.Marshal(st)
	_, err := tx.ExecContext(ctx, `INSERT INTO plan_action_history (plan_action_id, plan_id, changed_at, changed_by, summary, state) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, a.PlanID, formatTime(at), audit.ActorFrom(ctx).Name, summary, string(state))
	return err
}

// UpdatePlanAction saves an action's new state and keeps the old in its history. A
// change of RAG dates the status today. Saving what is already there changes nothing.
// Who may change what is the caller's question (a lead their own action's progress, the
// clerk everything).
func (s *Store) UpdatePlanAction(ctx context.Context, a *PlanAction) error {
	return s.UpdatePlanActionAt(ctx, a, s.now())
}

// UpdatePlanActionAt is UpdatePlanAction dated at: for bringing in a plan's past (the
// demo, a plan kept in spreadsheets until now).
func (s *Store) UpdatePlanActionAt(ctx context.Context, a *PlanAction, at time.Time) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		_, err := s.updatePlanAction(ctx, tx, a, at)
		return err
	})
}

func (s *Store) updatePlanAction(ctx context.Context, tx *sql.Tx, a *PlanAction, at time.Time) (changed bool, err error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	before, err := s.planAction(ctx, tx, a.ID)
	if err != nil {
		return false, err
	}
	a.PlanID, a.Position, a.Ref = before.PlanID, before.Position, before.Ref
	if a.ThemeID == 0 {
		a.ThemeID = before.ThemeID
	}
	if a.ThemeID != before.ThemeID {
		var n int
		if tx.QueryRowContext(ctx, `SELECT count(*) FROM plan_themes WHERE id = ? AND plan_id = ?`, a.ThemeID, a.PlanID).Scan(&n); n == 0 {
			return false, errs.Field("theme_id", "Choose one of the plan’s themes")
		}
	}
	if err := s.resolveLead(ctx, tx, a); err != nil {
		return false, err
	}
	summary := changeSummary(before, a)
	if summary == "" && a.ThemeID == before.ThemeID {
		*a = *before
		return false, nil
	}
	if a.RAG != before.RAG {
		a.RAGSetOn = londonDay(at).Format(time.DateOnly)
		if a.RAG == RAGNone {
			a.RAGSetOn = ""
		}
	} else {
		a.RAGSetOn = before.RAGSetOn
	}
	a.UpdatedAt, a.UpdatedBy = at.UTC().Truncate(time.Second), audit.ActorFrom(ctx).Name
	if _, err := tx.ExecContext(ctx, `UPDATE plan_actions SET theme_id = ?, mandatory = ?, title = ?, outcome = ?, baseline = ?,
		lead_person_id = ?, lead_organisation_id = ?, start_date = ?, end_date = ?, progress = ?, comments = ?, rag = ?, rag_set_on = ?,
		updated_at = ?, updated_by = ? WHERE id = ?`, a.ThemeID, a.Mandatory, a.Title, a.Outcome, a.Baseline, nullID(a.LeadPersonID),
		nullID(a.LeadOrganisationID), a.StartDate, a.EndDate, a.Progress, a.Comments, a.RAG, a.RAGSetOn,
		formatTime(a.UpdatedAt), a.UpdatedBy, a.ID); err != nil {
		return false, fmt.Errorf("update plan action %s: %w", a.Ref, err)
	}
	if err := s.writeHistory(ctx, tx, a, summary, at); err != nil {
		return false, err
	}
	return true, audit.Record(ctx, tx, "plan_action.update", "plan_action", a.ID, before, a)
}

const planActionCols = `pa.id, pa.plan_id, pa.theme_id, pa.position, pa.ref, pa.mandatory, pa.title, pa.outcome, pa.baseline,
	coalesce(pa.lead_person_id,0), coalesce(p.name,''), coalesce(pa.lead_organisation_id,0), coalesce(o.name,''),
	pa.start_date, pa.end_date, pa.progress, pa.comments, pa.rag, pa.rag_set_on, pa.updated_at, pa.updated_by`

const planActionFrom = ` FROM plan_actions pa LEFT JOIN people p ON p.id = pa.lead_person_id
	LEFT JOIN organisations o ON o.id = pa.lead_organisation_id`

func scanPlanAction(sc interface{ Scan(...any) error }) (PlanAction, error) {
	var a PlanAction
	var updated string
	err := sc.Scan(&a.ID, &a.PlanID, &a.ThemeID, &a.Position, &a.Ref, &a.Mandatory, &a.Title, &a.Outcome, &a.Baseline,
		&a.LeadPersonID, &a.LeadName, &a.LeadOrganisationID, &a.LeadOrganisation,
		&a.StartDate, &a.EndDate, &a.Progress, &a.Comments, &a.RAG, &a.RAGSetOn, &updated, &a.UpdatedBy)
	a.UpdatedAt = parseTime(updated)
	return a, err
}

// PlanAction reads one plan action as it stands, with its documents.
func (s *Store) PlanAction(ctx context.Context, id int64) (*PlanAction, error) {
	a, err := s.planAction(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	docs, err := s.planDocuments(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	a.Documents = docs[id]
	return a, nil
}

func (s *Store) planAction(ctx context.Context, q Querier, id int64) (*PlanAction, error) {
	a, err := scanPlanAction(q.QueryRowContext(ctx, `SELECT `+planActionCols+planActionFrom+` WHERE pa.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No plan action %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// PlanBoard is the board a plan belongs to, for access checks.
func (s *Store) PlanBoard(ctx context.Context, planID int64) (int64, error) {
	var b int64
	err := s.db.QueryRowContext(ctx, `SELECT board_id FROM plans WHERE id = ?`, planID).Scan(&b)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return b, err
}

// PlanActionBoard is the board a plan action belongs to, for access checks.
func (s *Store) PlanActionBoard(ctx context.Context, actionID int64) (int64, error) {
	var b int64
	err := s.db.QueryRowContext(ctx, `SELECT p.board_id FROM plan_actions pa JOIN plans p ON p.id = pa.plan_id WHERE pa.id = ?`, actionID).Scan(&b)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return b, err
}

const planCols = `pl.id, pl.board_id, b.name, pl.title, pl.start_year, pl.end_year, pl.owner, coalesce(pl.owner_person_id,0),
	coalesce(pl.standing_item_id,0), coalesce(si.title,''), pl.deadline, pl.submit_to, pl.template, pl.created_at`

const planFrom = ` FROM plans pl JOIN boards b ON b.id = pl.board_id LEFT JOIN standing_items si ON si.id = pl.standing_item_id`

func scanPlan(sc interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var created string
	err := sc.Scan(&p.ID, &p.BoardID, &p.BoardName, &p.Title, &p.StartYear, &p.EndYear, &p.Owner, &p.OwnerPersonID,
		&p.StandingItemID, &p.StandingItemTitle, &p.Deadline, &p.SubmitTo, &p.Template, &created)
	p.CreatedAt = parseTime(created)
	return p, err
}

// Plans lists a board's plans, newest period first, with their RAG counts.
func (s *Store) Plans(ctx context.Context, boardID int64) ([]Plan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+planCols+planFrom+` WHERE pl.board_id = ? ORDER BY pl.end_year DESC, pl.id DESC`, boardID)
	if err != nil {
		return nil, err
	}
	var out []Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		full, err := s.Plan(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i] = *full
	}
	return out, nil
}

// Plan reads a plan as it stands: themes, actions with their documents, signatories.
func (s *Store) Plan(ctx context.Context, id int64) (*Plan, error) {
	return s.plan(ctx, id, time.Time{})
}

// PlanAsOf reads the plan as it stood at the end of day (a London date): each action in
// its last state recorded by then, none made later, and the signatures made by then.
func (s *Store) PlanAsOf(ctx context.Context, id int64, day time.Time) (*Plan, error) {
	return s.plan(ctx, id, day)
}

func (s *Store) plan(ctx context.Context, id int64, asOf time.Time) (*Plan, error) {
	p, err := scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planCols+planFrom+` WHERE pl.id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No plan %d", id)
	}
	if err != nil {
		return nil, err
	}
	p.AsOf = asOf
	rows, err := s.db.QueryContext(ctx, `SELECT id, position, title, description FROM plan_themes WHERE plan_id = ? ORDER BY position, id`, id)
	if err != nil {
		return nil, err
	}
	themeAt := map[int64]int{}
	for rows.Next() {
		var th Theme
		if err := rows.Scan(&th.ID, &th.Number, &th.Title, &th.Description); err != nil {
			rows.Close()
			return nil, err
		}
		th.Actions = []PlanAction{}
		themeAt[th.ID] = len(p.Themes)
		p.Themes = append(p.Themes, th)
	}
	rows.Close()
	var acts []PlanAction
	if asOf.IsZero() {
		acts, err = s.currentActions(ctx, id)
	} else {
		acts, err = s.actionsAsOf(ctx, id, endOfDay(asOf))
	}
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(acts))
	for i, a := range acts {
		ids[i] = a.ID
	}
	docs, err := s.planDocuments(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		i, ok := themeAt[a.ThemeID]
		if !ok {
			continue
		}
		if asOf.IsZero() {
			a.Documents = docs[a.ID]
		} else {
			for _, d := range docs[a.ID] {
				if !d.CreatedAt.After(endOfDay(asOf)) {
					a.Documents = append(a.Documents, d)
				}
			}
		}
		p.Themes[i].Actions = append(p.Themes[i].Actions, a)
		p.Themes[i].Counts.Add(a.RAG)
		p.Counts.Add(a.RAG)
	}
	if p.Themes == nil {
		p.Themes = []Theme{}
	}
	if p.Signatories, err = s.signatories(ctx, id); err != nil {
		return nil, err
	}
	if !asOf.IsZero() {
		day := asOf.Format(time.DateOnly)
		for i, sg := range p.Signatories {
			if sg.SignedOn > day {
				p.Signatories[i] = Signatory{ID: sg.ID, Office: sg.Office, PersonID: sg.PersonID, PersonName: sg.PersonName}
			}
		}
	}
	return &p, nil
}

// endOfDay is the first instant after the London day of t.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, london).AddDate(0, 0, 1)
}

func (s *Store) currentActions(ctx context.Context, planID int64) ([]PlanAction, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+planActionCols+planActionFrom+` JOIN plan_themes t ON t.id = pa.theme_id
		WHERE pa.plan_id = ? ORDER BY t.position, pa.position, pa.id`, planID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlanAction
	for rows.Next() {
		a, err := scanPlanAction(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// actionsAsOf reads each action's last state recorded before until.
func (s *Store) actionsAsOf(ctx context.Context, planID int64, until time.Time) ([]PlanAction, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT h.state FROM plan_action_history h
		WHERE h.plan_id = ?1 AND h.changed_at < ?2 AND h.id = (SELECT h2.id FROM plan_action_history h2
			WHERE h2.plan_action_id = h.plan_action_id AND h2.changed_at < ?2 ORDER BY h2.changed_at DESC, h2.id DESC LIMIT 1)`,
		planID, formatTime(until))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlanAction
	for rows.Next() {
		var state string
		if err := rows.Scan(&state); err != nil {
			return nil, err
		}
		var a PlanAction
		if err := json.Unmarshal([]byte(state), &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// in the plan's order: themes by the caller, actions by their place in the theme
	sortPlanActions(out)
	return out, nil
}

func sortPlanActions(as []PlanAction) {
	for i := 1; i < len(as); i++ {
		for j := i; j > 0 && (as[j].Position < as[j-1].Position || (as[j].Position == as[j-1].Position && as[j].ID < as[j-1].ID)); j-- {
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
}

func (s *Store) planDocuments(ctx context.Context, actionIDs []int64) (map[int64][]PlanDocument, error) {
	out := map[int64][]PlanDocument{}
	if len(actionIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, plan_action_id, filename, content_type, size, added_by, created_at FROM plan_documents
		WHERE plan_action_id IN (SELECT value FROM json_each(?)) ORDER BY id`, idList(actionIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d PlanDocument
		var created string
		if err := rows.Scan(&d.ID, &d.ActionID, &d.Filename, &d.ContentType, &d.Size, &d.AddedBy, &created); err != nil {
			return nil, err
		}
		d.CreatedAt = parseTime(created)
		out[d.ActionID] = append(out[d.ActionID], d)
	}
	return out, rows.Err()
}

// maxPlanDocument caps a supporting document.
const maxPlanDocument = 10 << 20

// AddPlanDocument keeps a supporting document for a plan action, and notes it in the
// action's history.
func (s *Store) AddPlanDocument(ctx context.Context, actionID int64, filename, contentType string, content []byte) (*PlanDocument, error) {
	filename = strings.TrimSpace(strings.NewReplacer("/", "_", "\\", "_", "\r", "", "\n", "").Replace(filename))
	if filename == "" {
		return nil, errs.Field("file", "Choose a file to upload")
	}
	if len(content) == 0 {
		return nil, errs.Field("file", "The file is empty")
	}
	if len(content) > maxPlanDocument {
		return nil, errs.E(errs.TooLarge, "The document is over 10 MB")
	}
	sum := sha256.Sum256(content)
	d := &PlanDocument{ActionID: actionID, Filename: filename, ContentType: contentType, Size: int64(len(content)),
		AddedBy: audit.ActorFrom(ctx).Name, CreatedAt: s.now().UTC().Truncate(time.Second)}
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.planAction(ctx, tx, actionID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_documents (plan_action_id, filename, content_type, content, sha256, size, added_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, actionID, filename, contentType, content, hex.EncodeToString(sum[:]), d.Size, d.AddedBy, formatTime(d.CreatedAt))
		if err != nil {
			return err
		}
		d.ID, _ = res.LastInsertId()
		if err := s.writeHistory(ctx, tx, a, "document "+filename, d.CreatedAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "plan_document.create", "plan_action", actionID, nil, map[string]any{"document_id": d.ID, "filename": filename})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// PlanDocument reads a supporting document with its content.
func (s *Store) PlanDocument(ctx context.Context, actionID, id int64) (*PlanDocument, error) {
	var d PlanDocument
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, plan_action_id, filename, content_type, content, size, added_by, created_at FROM plan_documents
		WHERE id = ? AND plan_action_id = ?`, id, actionID).Scan(&d.ID, &d.ActionID, &d.Filename, &d.ContentType, &d.Content, &d.Size, &d.AddedBy, &created)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No such document")
	}
	d.CreatedAt = parseTime(created)
	return &d, err
}

// PlanActionHistory lists an action's changes, newest first.
func (s *Store) PlanActionHistory(ctx context.Context, actionID int64) ([]PlanChange, error) {
	return s.changes(ctx, `WHERE plan_action_id = ? ORDER BY changed_at DESC, id DESC`, actionID)
}

// PlanChangesSince lists a plan's changes made at or after since, newest first: what the
// update paper reports as changed since the last meeting.
func (s *Store) PlanChangesSince(ctx context.Context, planID int64, since, until time.Time) ([]PlanChange, error) {
	return s.changes(ctx, `WHERE plan_id = ? AND changed_at >= ? AND changed_at < ? AND summary <> 'added' ORDER BY changed_at DESC, id DESC`,
		planID, formatTime(since), formatTime(until))
}

func (s *Store) changes(ctx context.Context, where string, args ...any) ([]PlanChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, plan_action_id, changed_at, changed_by, summary, state FROM plan_action_history `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PlanChange{}
	for rows.Next() {
		var c PlanChange
		var at, state string
		if err := rows.Scan(&c.ID, &c.ActionID, &at, &c.ChangedBy, &c.Summary, &state); err != nil {
			return nil, err
		}
		c.ChangedAt = parseTime(at)
		if err := json.Unmarshal([]byte(state), &c.State); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RAGSeries is the plan's RAG counts at the end of each of the given days.
func (s *Store) RAGSeries(ctx context.Context, planID int64, days []time.Time) ([]RAGPoint, error) {
	out := make([]RAGPoint, 0, len(days))
	for _, d := range days {
		acts, err := s.actionsAsOf(ctx, planID, endOfDay(d))
		if err != nil {
			return nil, err
		}
		pt := RAGPoint{Day: d}
		for _, a := range acts {
			pt.Counts.Add(a.RAG)
		}
		out = append(out, pt)
	}
	return out, nil
}

// ChartDays are the days the plan's chart shows: the end of each month from the plan's
// making (at most the last twelve), and today.
func ChartDays(created, now time.Time) []time.Time {
	today := londonDay(now)
	first := londonDay(created)
	var days []time.Time
	for m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, london).AddDate(0, 1, -1); m.Before(today); m = time.Date(m.Year(), m.Month()+2, 0, 0, 0, 0, 0, london) {
		days = append(days, m)
	}
	if len(days) > 11 {
		days = days[len(days)-11:]
	}
	return append(days, today)
}

// --- sign-off

func (s *Store) signatories(ctx context.Context, planID int64) ([]Signatory, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sg.id, sg.office, coalesce(sg.person_id,0), coalesce(p.name,''), sg.signed_name, sg.signed_on, sg.method, sg.recorded_by
		FROM plan_signatories sg LEFT JOIN people p ON p.id = sg.person_id WHERE sg.plan_id = ? ORDER BY sg.position, sg.id`, planID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Signatory{}
	for rows.Next() {
		var sg Signatory
		if err := rows.Scan(&sg.ID, &sg.Office, &sg.PersonID, &sg.PersonName, &sg.SignedName, &sg.SignedOn, &sg.Method, &sg.RecordedBy); err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// AddSignatory names an office that signs the plan off.
func (s *Store) AddSignatory(ctx context.Context, planID int64, office string, personID int64) (int64, error) {
	office = strings.TrimSpace(office)
	if office == "" || len(office) > 200 {
		return 0, errs.Field("office", "Enter the office that signs, such as Chief Executive of the Council")
	}
	var id int64
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if personID != 0 {
			var n int
			if tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, personID).Scan(&n); n == 0 {
				return errs.Field("person_id", "Choose a person in Quorum")
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_signatories (plan_id, position, office, person_id)
			VALUES (?, (SELECT coalesce(max(position),0)+1 FROM plan_signatories WHERE plan_id = ?), ?, ?)`, planID, planID, office, nullID(personID))
		if db.IsUnique(err) {
			return errs.Field("office", "%s already signs this plan", office)
		}
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "plan_signatory.create", "plan", planID, nil, map[string]any{"office": office, "person_id": personID})
	})
	return id, err
}

// NameSignatory names the person who holds a signing office (and signs in Quorum).
func (s *Store) NameSignatory(ctx context.Context, planID, signatoryID, personID int64) error {
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var n int
		if personID != 0 {
			if tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, personID).Scan(&n); n == 0 {
				return errs.Field("person_id", "Choose a person in Quorum")
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE plan_signatories SET person_id = ? WHERE id = ? AND plan_id = ?`, nullID(personID), signatoryID, planID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("signatory_id", "Choose one of the plan’s signing offices")
		}
		return audit.Record(ctx, tx, "plan_signatory.name", "plan", planID, nil, map[string]any{"signatory_id": signatoryID, "person_id": personID})
	})
}

// Sign signs the plan off for the office the person holds, today. Someone holding none of
// the plan's offices is refused, as is an office that has already signed.
func (s *Store) Sign(ctx context.Context, planID, personID int64) (*Signatory, error) {
	var out *Signatory
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var sg Signatory
		err := tx.QueryRowContext(ctx, `SELECT sg.id, sg.office, p.name, sg.signed_on FROM plan_signatories sg JOIN people p ON p.id = sg.person_id
			WHERE sg.plan_id = ? AND sg.person_id = ? ORDER BY sg.signed_on <> '', sg.position LIMIT 1`, planID, personID).
			Scan(&sg.ID, &sg.Office, &sg.PersonName, &sg.SignedOn)
		if db.IsNoRows(err) {
			return errs.E(errs.Forbidden, "You are not named as one of this plan’s signatories. Ask the board’s clerk if you should be.")
		}
		if err != nil {
			return err
		}
		if sg.SignedOn != "" {
			return errs.E(errs.Conflict, "The %s signed this plan on %s; it cannot be signed twice", sg.Office, dayText(sg.SignedOn))
		}
		sg.SignedName, sg.SignedOn, sg.Method = sg.PersonName, londonDay(s.now()).Format(time.DateOnly), "app"
		if _, err := tx.ExecContext(ctx, `UPDATE plan_signatories SET signed_name = ?, signed_on = ?, method = 'app', recorded_by = ?, recorded_at = ? WHERE id = ?`,
			sg.SignedName, sg.SignedOn, audit.ActorFrom(ctx).Name, formatTime(s.now()), sg.ID); err != nil {
			return err
		}
		out = &sg
		return audit.Record(ctx, tx, "plan.sign", "plan", planID, nil, map[string]any{"office": sg.Office, "name": sg.SignedName})
	})
	return out, err
}

// RecordSignature records a signature made outside Quorum (on paper, by email), with the
// name signed and its date, as the clerk saw it.
func (s *Store) RecordSignature(ctx context.Context, planID, signatoryID int64, name, date string) error {
	name, date = strings.TrimSpace(name), strings.TrimSpace(date)
	if name == "" || len(name) > 200 {
		return errs.Field("signed_name", "Enter the name of the person who signed")
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil || d.Year() < 1990 {
		return errs.Field("signed_on", "Enter the date it was signed as a real date")
	}
	if date > londonDay(s.now()).Format(time.DateOnly) {
		return errs.Field("signed_on", "The date it was signed cannot be in the future")
	}
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var office, signed string
		err := tx.QueryRowContext(ctx, `SELECT office, signed_on FROM plan_signatories WHERE id = ? AND plan_id = ?`, signatoryID, planID).Scan(&office, &signed)
		if db.IsNoRows(err) {
			return errs.Field("signatory_id", "Choose one of the plan’s signing offices")
		}
		if err != nil {
			return err
		}
		if signed != "" {
			return errs.E(errs.Conflict, "The %s signed this plan on %s; it cannot be signed twice", office, dayText(signed))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_signatories SET signed_name = ?, signed_on = ?, method = 'recorded', recorded_by = ?, recorded_at = ? WHERE id = ?`,
			name, date, audit.ActorFrom(ctx).Name, formatTime(s.now()), signatoryID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "plan.sign_recorded", "plan", planID, nil, map[string]any{"office": office, "name": name, "signed_on": date})
	})
}

func dayText(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

// --- the standing item

// PlanForItem finds the plan attached to the standing item an agenda item was made from,
// and the item's meeting.
func (s *Store) PlanForItem(ctx context.Context, itemID int64) (planID, meetingID int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT pl.id, ai.meeting_id FROM agenda_items ai JOIN plans pl ON pl.standing_item_id = ai.standing_item_id
		WHERE ai.id = ? ORDER BY pl.end_year DESC, pl.id DESC LIMIT 1`, itemID).Scan(&planID, &meetingID)
	if db.IsNoRows(err) {
		return 0, 0, errs.E(errs.NotFound, "No plan is attached to this standing item. The board’s clerk can attach one from the plan’s page.")
	}
	return planID, meetingID, err
}

// PlansOnAgenda maps each item of a meeting's agenda that was made from a standing item
// with a plan attached to that plan (the latest, where several are).
func (s *Store) PlansOnAgenda(ctx context.Context, meetingID int64) (map[int64]*Plan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ai.id, (SELECT pl.id FROM plans pl WHERE pl.standing_item_id = ai.standing_item_id
		ORDER BY pl.end_year DESC, pl.id DESC LIMIT 1) FROM agenda_items ai WHERE ai.meeting_id = ? AND ai.standing_item_id IS NOT NULL`, meetingID)
	if err != nil {
		return nil, err
	}
	ids := map[int64]int64{}
	for rows.Next() {
		var item int64
		var plan sql.NullInt64
		if err := rows.Scan(&item, &plan); err != nil {
			rows.Close()
			return nil, err
		}
		if plan.Valid {
			ids[item] = plan.Int64
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64]*Plan{}
	for item, id := range ids {
		p, err := s.Plan(ctx, id)
		if err != nil {
			return nil, err
		}
		out[item] = p
	}
	return out, nil
}

// PlanMeeting is a meeting as the update paper needs it.
type PlanMeeting struct {
	ID       int64
	StartsAt time.Time
	// Previous is the start of the board's meeting before it; zero when it is the first.
	Previous time.Time
}

// PlanMeetingOf reads a meeting of the plan's board and the start of the meeting before
// it (not cancelled): the paper reports what changed in between.
func (s *Store) PlanMeetingOf(ctx context.Context, planID, meetingID int64) (*PlanMeeting, error) {
	var m PlanMeeting
	var starts, prev string
	err := s.db.QueryRowContext(ctx, `SELECT m.id, m.starts_at, coalesce((SELECT max(m2.starts_at) FROM meetings m2 WHERE m2.board_id = m.board_id
		AND m2.starts_at < m.starts_at AND m2.status <> 'cancelled'), '')
		FROM meetings m JOIN plans pl ON pl.board_id = m.board_id WHERE m.id = ? AND pl.id = ?`, meetingID, planID).Scan(&m.ID, &starts, &prev)
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "That meeting is not one of this plan’s board")
	}
	if err != nil {
		return nil, err
	}
	m.StartsAt, m.Previous = parseTime(starts), parseTime(prev)
	return &m, nil
}

// StandingItemOption is a board's standing item, to attach a plan to.
type StandingItemOption struct {
	ID    int64
	Title string
}

// StandingItemsOf lists a board's standing items.
func (s *Store) StandingItemsOf(ctx context.Context, boardID int64) ([]StandingItemOption, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title FROM standing_items WHERE board_id = ? ORDER BY position, id`, boardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StandingItemOption
	for rows.Next() {
		var o StandingItemOption
		if err := rows.Scan(&o.ID, &o.Title); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// --- the submission deadline

// PlanDeadlineReminders queues, in the mail outbox, a reminder to each named signatory
// who has not signed (and has an email address) of every plan whose submission deadline
// falls within daysBefore days of now. Each reminder's key names the plan, deadline and
// signatory, so asking again, even at once, never sends one twice; a moved deadline is
// reminded afresh. planID limits it to one plan (0: every plan). It answers how many were
// queued.
func (s *Store) PlanDeadlineReminders(ctx context.Context, now time.Time, daysBefore int, base string, planID int64) (int, error) {
	today := londonDay(now)
	last := today.AddDate(0, 0, max(daysBefore, 0))
	n := 0
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT pl.id, pl.title, pl.start_year, pl.end_year, pl.deadline, pl.submit_to, b.name, sg.id, sg.office, p.name, p.email
			FROM plans pl JOIN boards b ON b.id = pl.board_id JOIN plan_signatories sg ON sg.plan_id = pl.id JOIN people p ON p.id = sg.person_id
			WHERE pl.deadline <> '' AND pl.deadline BETWEEN ? AND ? AND sg.signed_on = '' AND p.email <> '' AND (?3 = 0 OR pl.id = ?3)`,
			today.Format(time.DateOnly), last.Format(time.DateOnly), planID)
		if err != nil {
			return err
		}
		type due struct {
			planID, sigID                                         int64
			title, deadline, submitTo, board, office, name, email string
			start, end                                            int
		}
		var list []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.planID, &d.title, &d.start, &d.end, &d.deadline, &d.submitTo, &d.board, &d.sigID, &d.office, &d.name, &d.email); err != nil {
				rows.Close()
				return err
			}
			list = append(list, d)
		}
		rows.Close()
		for _, d := range list {
			p := Plan{Title: d.title, StartYear: d.start, EndYear: d.end}
			var body strings.Builder
			fmt.Fprintf(&body, "Dear %s,\n\nThe %s’s %s is due to be submitted, signed, by %s", d.name, d.board, p.Name(), dayText(d.deadline))
			if d.submitTo != "" {
				fmt.Fprintf(&body, " (to %s)", d.submitTo)
			}
			fmt.Fprintf(&body, ".\n\nIt is waiting for your signature as %s. Read and sign it at:\n\n  %s/plans/%d/sign\n\n-- \nQuorum, for the %s\n", d.office, base, d.planID, d.board)
			key := fmt.Sprintf("plan:%d:deadline:%s:signatory:%d", d.planID, d.deadline, d.sigID)
			ok, err := outbox.Enqueue(ctx, tx, d.email, fmt.Sprintf("%s: your signature is needed by %s", p.Name(), dayText(d.deadline)), body.String(), key)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

// PlanDocumentBoard is the board a supporting document belongs to, for access checks.
func (s *Store) PlanDocumentBoard(ctx context.Context, documentID int64) (int64, error) {
	var b int64
	err := s.db.QueryRowContext(ctx, `SELECT p.board_id FROM plan_documents d JOIN plan_actions pa ON pa.id = d.plan_action_id
		JOIN plans p ON p.id = pa.plan_id WHERE d.id = ?`, documentID).Scan(&b)
	if db.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return b, err
}
