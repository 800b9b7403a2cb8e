package actions

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/internal/db"
	"quorum/internal/errs"
)

// The plan's workbook, in the shape of the template partnerships fill in: a "Plan" sheet
// with the plan's details, then one sheet per theme, its number and title in row 1, its
// description in row 2, the column headings in row 3 and an action a row from row 4. RAG
// cells are coloured as they read. WritePlanXLSX writes it and ImportPlanXLSX reads it
// back, so a plan can go out to partners as a spreadsheet and come back.
const (
	planSheet        = "Plan"
	themeHeaderRow   = 3
	themeFirstRow    = 4
	maxPlanSheetRows = 2000
)

// planColumns are a theme sheet's columns, in order.
var planColumns = []string{"Ref", "Action", "Mandatory or optional", "Outcome sought", "Baseline", "Lead", "Lead organisation",
	"Start date", "End date", "Progress", "Comments", "RAG", "RAG set on", "Supporting documents"}

// ragColours are the RAG cells' fill and text colours (GOV.UK's red, orange, green, blue).
var ragColours = map[string][2]string{
	RAGRed:   {"D4351C", "FFFFFF"},
	RAGAmber: {"F47738", "0B0C0C"},
	RAGGreen: {"00703C", "FFFFFF"},
	RAGBlue:  {"1D70B8", "FFFFFF"},
}

// themeSheetName is a theme's sheet name: its number and as much of its title as Excel
// allows (31 characters, none of []:*?/\).
func themeSheetName(n int, title string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return -1
		}
		return r
	}, title)
	name := []rune(fmt.Sprintf("%d %s", n, clean))
	if len(name) > 31 {
		name = name[:31]
	}
	return strings.TrimSpace(string(name))
}

// excelDay is a YYYY-MM-DD date as a time excelize writes as a date, or nil.
func excelDay(d string) any {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return nil
	}
	return t
}

// WritePlanXLSX writes the plan as a workbook in the template's shape.
func WritePlanXLSX(w io.Writer, p *Plan) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", planSheet); err != nil {
		return err
	}
	dateFmt := "dd/mm/yyyy"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	ragStyle := map[string]int{}
	for r, c := range ragColours {
		if ragStyle[r], err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: c[1]},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}, Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
			return err
		}
	}
	about := [][]any{
		{"Plan", p.Title}, {"From year", p.StartYear}, {"To year", p.EndYear}, {"Board", p.BoardName}, {"Owner", p.Owner},
		{"Template", p.Template}, {"Submission deadline", excelDay(p.Deadline)}, {"Submit to", p.SubmitTo}, {},
		{"Signing office", "Signed by", "Signed on"},
	}
	for _, sg := range p.Signatories {
		about = append(about, []any{sg.Office, sg.SignedName, excelDay(sg.SignedOn)})
	}
	for i, row := range about {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(planSheet, cell, &row); err != nil {
			return err
		}
	}
	f.SetCellStyle(planSheet, "A1", fmt.Sprintf("A%d", len(about)), bold)
	f.SetCellStyle(planSheet, "B7", "B7", dateStyle)
	f.SetCellStyle(planSheet, "A10", "C10", bold)
	if len(p.Signatories) > 0 {
		f.SetCellStyle(planSheet, "C11", fmt.Sprintf("C%d", 10+len(p.Signatories)), dateStyle)
	}
	f.SetColWidth(planSheet, "A", "A", 28)
	f.SetColWidth(planSheet, "B", "B", 60)
	f.SetColWidth(planSheet, "C", "C", 14)

	for _, th := range p.Themes {
		sheet := themeSheetName(th.Number, th.Title)
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		rows := [][]any{{fmt.Sprintf("Theme %d", th.Number), th.Title}, {"Description", th.Description}}
		header := make([]any, len(planColumns))
		for i, h := range planColumns {
			header[i] = h
		}
		rows = append(rows, header)
		for _, a := range th.Actions {
			docs := make([]string, len(a.Documents))
			for i, d := range a.Documents {
				docs[i] = d.Filename
			}
			rows = append(rows, []any{a.Ref, a.Title, a.MandatoryText(), a.Outcome, a.Baseline, a.LeadName, a.LeadOrganisation,
				excelDay(a.StartDate), excelDay(a.EndDate), a.Progress, a.Comments, ragCell(a.RAG), excelDay(a.RAGSetOn), strings.Join(docs, "\n")})
		}
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
		last := len(rows)
		f.SetCellStyle(sheet, "A1", "B2", bold)
		f.SetCellStyle(sheet, "A3", "N3", bold)
		if last >= themeFirstRow {
			f.SetCellStyle(sheet, "A4", fmt.Sprintf("N%d", last), wrap)
			for _, col := range []string{"H", "I", "M"} {
				f.SetCellStyle(sheet, col+"4", fmt.Sprintf("%s%d", col, last), dateStyle)
			}
			for i, a := range th.Actions {
				if st, ok := ragStyle[a.RAG]; ok {
					cell := fmt.Sprintf("L%d", themeFirstRow+i)
					f.SetCellStyle(sheet, cell, cell, st)
				}
			}
		}
		widths := map[string]float64{"A": 6, "B": 50, "C": 12, "D": 36, "E": 30, "F": 22, "G": 26, "H": 12, "I": 12, "J": 50, "K": 36, "L": 16, "M": 12, "N": 30}
		for col, wd := range widths {
			f.SetColWidth(sheet, col, col, wd)
		}
		f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: themeHeaderRow, TopLeftCell: "A4", ActivePane: "bottomLeft"})
	}
	_, err = f.WriteTo(w)
	return err
}

func ragCell(r string) string {
	if r == RAGNone {
		return ""
	}
	return RAGLabel(r)
}

// ImportProblem is one thing wrong in an imported workbook, where it stands.
type ImportProblem struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	Text   string `json:"message"`
}

func (p ImportProblem) String() string {
	s := "Sheet “" + p.Sheet + "”"
	if p.Row > 0 {
		s += fmt.Sprintf(", row %d", p.Row)
	}
	if p.Column != "" {
		s += ", column “" + p.Column + "”"
	}
	return s + ": " + p.Text
}

// ImportProblems is a refused import: every problem found, by sheet, row and column.
// Nothing was imported.
type ImportProblems []ImportProblem

func (ps ImportProblems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return "The workbook was not imported: " + strings.Join(lines, "; ")
}

// PlanImportResult says what an import did.
type PlanImportResult struct {
	ThemesAdded, ThemesChanged   int
	ActionsAdded, ActionsChanged int
	Unchanged                    int
}

// importedTheme and importedAction are a workbook's content, read and checked.
type importedTheme struct {
	number                    int // the sheet's place after the Plan sheet
	sheet, title, description string
	actions                   []importedAction
}

type importedAction struct {
	row int
	a   PlanAction
	// newLead is the Lead cell when no one of that name is in Quorum: the preview offers
	// to add them, and a.LeadPersonID is set once they are.
	newLead string
}

// ImportPlanXLSX reads a workbook in the plan's shape into the plan: themes by their
// place, actions by their reference (a row without one is a new action). Every problem
// is listed with its sheet, row and column, and then nothing is imported; a lead who is
// not in Quorum is one (the clerk's preview, PreviewPlanImport, offers to add them).
// Actions the workbook leaves out stay as they are.
func (s *Store) ImportPlanXLSX(ctx context.Context, planID int64, r io.Reader) (*PlanImportResult, error) {
	themes, problems := s.readPlanXLSX(ctx, r)
	for _, th := range themes {
		for _, ia := range th.actions {
			if ia.newLead != "" {
				problems = append(problems, ImportProblem{Sheet: th.sheet, Row: ia.row, Column: "Lead",
					Text: fmt.Sprintf("No one called %q is in Quorum: add them on the People page, then import again", ia.newLead)})
			}
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var res *PlanImportResult
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		res, err = s.applyPlanImport(ctx, tx, planID, themes, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// applyPlanImport writes a read workbook into the plan in tx. leads are the people added
// for the leads Quorum did not know, by their name in the workbook (lower case).
func (s *Store) applyPlanImport(ctx context.Context, tx *sql.Tx, planID int64, themes []importedTheme, leads map[string]int64) (*PlanImportResult, error) {
	res := &PlanImportResult{}
	cur, err := s.plan(ctx, planID, time.Time{})
	if err != nil {
		return nil, err
	}
	byRef := map[string]*PlanAction{}
	for _, a := range cur.Actions() {
		byRef[strings.ToLower(a.Ref)] = a
	}
	now := s.now()
	for i, th := range themes {
		var themeID int64
		if i < len(cur.Themes) {
			themeID = cur.Themes[i].ID
			if cur.Themes[i].Title != th.title || cur.Themes[i].Description != th.description {
				if _, err := tx.ExecContext(ctx, `UPDATE plan_themes SET title = ?, description = ? WHERE id = ?`, th.title, th.description, themeID); err != nil {
					return nil, err
				}
				res.ThemesChanged++
			}
		} else {
			if themeID, err = s.insertTheme(ctx, tx, planID, i+1, th.title, th.description); err != nil {
				return nil, err
			}
			res.ThemesAdded++
		}
		for _, ia := range th.actions {
			a := ia.a
			a.PlanID, a.ThemeID = planID, themeID
			if ia.newLead != "" {
				if a.LeadPersonID = leads[strings.ToLower(ia.newLead)]; a.LeadPersonID == 0 {
					return nil, ImportProblems{{Sheet: th.sheet, Row: ia.row, Column: "Lead", Text: fmt.Sprintf("No one called %q is in Quorum", ia.newLead)}}
				}
			}
			if have, ok := byRef[strings.ToLower(a.Ref)]; ok && a.Ref != "" {
				a.ID = have.ID
				changed, err := s.updatePlanAction(ctx, tx, &a, now)
				if err != nil {
					return nil, rowProblem(th.title, i+1, ia.row, err)
				}
				if changed {
					res.ActionsChanged++
				} else {
					res.Unchanged++
				}
				continue
			}
			if err := s.insertPlanAction(ctx, tx, &a, now); err != nil {
				return nil, rowProblem(th.title, i+1, ia.row, err)
			}
			byRef[strings.ToLower(a.Ref)] = &a
			res.ActionsAdded++
		}
	}
	return res, nil
}

func rowProblem(title string, n, row int, err error) error {
	if errs.Code(err) != errs.Invalid {
		return err
	}
	return ImportProblems{{Sheet: themeSheetName(n, title), Row: row, Column: columnOfField(errs.FieldOf(err)), Text: errs.Message(err)}}
}

// columnOfField names the column a plan action's field is read from.
func columnOfField(field string) string {
	switch field {
	case "ref":
		return "Ref"
	case "title":
		return "Action"
	case "outcome":
		return "Outcome sought"
	case "baseline":
		return "Baseline"
	case "lead_person_id":
		return "Lead"
	case "lead_organisation_id":
		return "Lead organisation"
	case "start_date":
		return "Start date"
	case "end_date":
		return "End date"
	case "progress":
		return "Progress"
	case "comments":
		return "Comments"
	case "rag":
		return "RAG"
	}
	return ""
}

// readPlanXLSX reads and checks a workbook without changing anything.
func (s *Store) readPlanXLSX(ctx context.Context, r io.Reader) ([]importedTheme, ImportProblems) {
	f, err := openXLSX(r)
	if err != nil {
		return nil, ImportProblems{{Sheet: "(the file)", Text: errs.Message(err)}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	var problems ImportProblems
	if len(sheets) == 0 || sheets[0] != planSheet {
		first := "(none)"
		if len(sheets) > 0 {
			first = sheets[0]
		}
		problems = append(problems, ImportProblem{Sheet: first, Text: "The first sheet must be “Plan”, as in the plan’s exported workbook, with one sheet per theme after it"})
		return nil, problems
	}
	people, orgs, err := s.leadNames(ctx)
	if err != nil {
		return nil, ImportProblems{{Sheet: planSheet, Text: "The people and organisations in Quorum could not be read"}}
	}
	seen := map[string]string{}
	var themes []importedTheme
	for n, sheet := range sheets[1:] {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			problems = append(problems, ImportProblem{Sheet: sheet, Text: "The sheet cannot be read"})
			continue
		}
		cell := func(row []string, i int) string {
			if i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		if len(rows) < themeHeaderRow {
			problems = append(problems, ImportProblem{Sheet: sheet, Text: "A theme’s sheet starts with the theme (row 1), its description (row 2) and the column headings (row 3)"})
			continue
		}
		th := importedTheme{number: n + 1, sheet: sheet, title: cell(rows[0], 1), description: cell(rows[1], 1)}
		if !strings.HasPrefix(strings.ToLower(cell(rows[0], 0)), "theme") || th.title == "" {
			problems = append(problems, ImportProblem{Sheet: sheet, Row: 1, Text: fmt.Sprintf("Row 1 holds “Theme %d” and the theme’s title in column B", n+1)})
		}
		col := map[string]int{}
		for i, h := range rows[themeHeaderRow-1] {
			h = strings.TrimSpace(h)
			if h == "" {
				continue
			}
			known := false
			for _, c := range planColumns {
				if strings.EqualFold(c, h) {
					col[c], known = i, true
				}
			}
			if !known {
				problems = append(problems, ImportProblem{Sheet: sheet, Row: themeHeaderRow, Column: h,
					Text: "Quorum does not know this column; the columns are " + strings.Join(planColumns, ", ")})
			}
		}
		missing := false
		for _, c := range planColumns {
			if _, ok := col[c]; !ok && c != "Supporting documents" {
				problems = append(problems, ImportProblem{Sheet: sheet, Row: themeHeaderRow, Column: c, Text: "The column is missing"})
				missing = true
			}
		}
		if missing {
			continue
		}
		if len(rows) > maxPlanSheetRows {
			problems = append(problems, ImportProblem{Sheet: sheet, Text: fmt.Sprintf("The sheet has over %d rows", maxPlanSheetRows)})
			continue
		}
		for i := themeFirstRow - 1; i < len(rows); i++ {
			row := rows[i]
			if blank(row) {
				continue
			}
			line := i + 1
			get := func(c string) string { return cell(row, col[c]) }
			bad := func(c, format string, args ...any) {
				problems = append(problems, ImportProblem{Sheet: sheet, Row: line, Column: c, Text: fmt.Sprintf(format, args...)})
			}
			a := PlanAction{Ref: get("Ref"), Title: get("Action"), Outcome: get("Outcome sought"), Baseline: get("Baseline"),
				Progress: get("Progress"), Comments: get("Comments")}
			switch strings.ToLower(get("Mandatory or optional")) {
			case "mandatory", "m", "yes", "y":
				a.Mandatory = true
			case "", "optional", "o", "no", "n":
			default:
				bad("Mandatory or optional", "Write Mandatory or Optional, not %q", get("Mandatory or optional"))
			}
			if rag, ok := ParseRAG(get("RAG")); ok {
				a.RAG = rag
			} else {
				bad("RAG", "%q is not a RAG status: write Red, Amber, Green or Blue (complete)", get("RAG"))
			}
			for _, d := range []struct {
				c   string
				dst *string
			}{{"Start date", &a.StartDate}, {"End date", &a.EndDate}, {"RAG set on", &a.RAGSetOn}} {
				v := get(d.c)
				if v == "" {
					continue
				}
				day, ok := readDay(v, true)
				if !ok {
					bad(d.c, "%q is not a date: write it as dd/mm/yyyy", v)
					continue
				}
				*d.dst = day.Format(time.DateOnly)
			}
			newLead := ""
			if name := get("Lead"); name != "" {
				ids := people[strings.ToLower(name)]
				switch len(ids) {
				case 0:
					newLead = name
				case 1:
					a.LeadPersonID = ids[0]
				default:
					bad("Lead", "%d people are called %q in Quorum; give one of them a fuller name", len(ids), name)
				}
			}
			if org := get("Lead organisation"); org != "" {
				if id, ok := orgs[strings.ToLower(org)]; ok {
					a.LeadOrganisationID = id
				} else {
					bad("Lead organisation", "No organisation called %q is in Quorum: add it on the Organisations page, then import again", org)
				}
			}
			if err := a.Validate(); err != nil {
				bad(columnOfField(errs.FieldOf(err)), "%s", errs.Message(err))
			}
			if a.Ref != "" {
				if where, dup := seen[strings.ToLower(a.Ref)]; dup {
					bad("Ref", "%s is already the reference of the action at %s", a.Ref, where)
				}
				seen[strings.ToLower(a.Ref)] = fmt.Sprintf("sheet “%s”, row %d", sheet, line)
			}
			th.actions = append(th.actions, importedAction{row: line, a: a, newLead: newLead})
		}
		themes = append(themes, th)
	}
	return themes, problems
}

// leadNames maps people's names and organisations' names and handles (lower case) to
// their ids.
func (s *Store) leadNames(ctx context.Context) (map[string][]int64, map[string]int64, error) {
	people := map[string][]int64{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM people`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, nil, err
		}
		people[strings.ToLower(strings.TrimSpace(name))] = append(people[strings.ToLower(strings.TrimSpace(name))], id)
	}
	rows.Close()
	orgs := map[string]int64{}
	rows, err = s.db.QueryContext(ctx, `SELECT id, name, handle FROM organisations`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, handle string
		if err := rows.Scan(&id, &name, &handle); err != nil {
			return nil, nil, err
		}
		orgs[strings.ToLower(name)], orgs[strings.ToLower(handle)] = id, id
	}
	return people, orgs, rows.Err()
}
