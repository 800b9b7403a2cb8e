package actions

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/internal/outbox"
	"quorum/meetings"
)

// newPlan makes the VRAP on the fixture's board, on 1 September 2025.
func (f *fixture) newPlan(key string) *Plan {
	f.t.Helper()
	p := &Plan{BoardID: f.board, Title: "Violence Reduction Action Plan", StartYear: 2024, EndYear: 2027, Owner: "Safer Banford Partnership",
		CreatedAt: time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)}
	if err := f.s.CreatePlan(context.Background(), p, key); err != nil {
		f.t.Fatal(err)
	}
	full, err := f.s.Plan(context.Background(), p.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return full
}

func TestPlanFromTemplate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.newPlan("vrap")
	if len(p.Themes) != 7 {
		t.Fatalf("the VRAP has %d themes, want 7", len(p.Themes))
	}
	mandatory := 0
	for _, a := range p.Actions() {
		if !a.Mandatory {
			t.Errorf("%s is optional; the template's actions are its mandatory ones", a.Ref)
		}
		mandatory++
	}
	tpl, _ := BuiltinTemplate("vrap")
	if mandatory != tpl.MandatoryCount() || mandatory < 14 {
		t.Errorf("%d mandatory actions, the template has %d", mandatory, tpl.MandatoryCount())
	}
	if got := p.Themes[3].Actions[0].Ref; got != "4.1" {
		t.Errorf("the first action of theme 4 is %s, want 4.1", got)
	}
	var offices []string
	for _, s := range p.Signatories {
		offices = append(offices, s.Office)
	}
	if !reflect.DeepEqual(offices, []string{OfficeChiefExecutive, OfficeLeader, OfficePolice}) {
		t.Errorf("signatories %v", offices)
	}
	if p.Counts.None != mandatory || p.Period() != "2024–2027" {
		t.Errorf("counts %+v, period %s", p.Counts, p.Period())
	}

	// A clerk's own template: saved from the plan with an optional action added, then used.
	extra := &PlanAction{PlanID: p.ID, ThemeID: p.Themes[6].ID, Title: "Summer sports programme", Outcome: "Fewer calls in the summer"}
	if err := f.s.AddPlanAction(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if extra.Ref != "7.3" {
		t.Errorf("the added action is %s, want 7.3", extra.Ref)
	}
	key, err := f.s.SaveTemplate(ctx, p.ID, "Banford VRAP", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SaveTemplate(ctx, p.ID, " ", ""); errs.Code(err) != errs.Invalid {
		t.Errorf("a template without a name: %v", err)
	}
	list, _ := f.s.PlanTemplates(ctx)
	if len(list) != 3 || list[2].Key != key || !list[2].Saved {
		t.Errorf("templates %+v", list)
	}
	q := &Plan{BoardID: f.board, Title: "Delivery plan", StartYear: 2027, EndYear: 2030}
	if err := f.s.CreatePlan(ctx, q, key); err != nil {
		t.Fatal(err)
	}
	q2, _ := f.s.Plan(ctx, q.ID)
	if n := len(q2.Actions()); n != mandatory+1 || q2.Themes[6].Actions[2].Mandatory || q2.Themes[6].Actions[2].Title != "Summer sports programme" {
		t.Errorf("the plan from the saved template has %d actions: %+v", n, q2.Themes[6].Actions)
	}
	if err := f.s.CreatePlan(ctx, &Plan{BoardID: f.board, Title: "X", StartYear: 2027, EndYear: 2026}, "vrap"); errs.FieldOf(err) != "end_year" {
		t.Errorf("a plan ending before it starts: %v", err)
	}
	if err := f.s.CreatePlan(ctx, &Plan{BoardID: f.board, Title: "X", StartYear: 2027, EndYear: 2028}, "nonesuch"); errs.FieldOf(err) != "template" {
		t.Errorf("an unknown template: %v", err)
	}
}

func TestPlanActionRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.newPlan("vrap")
	a := p.Themes[0].Actions[0]
	for _, c := range []struct {
		name  string
		edit  func(a *PlanAction)
		field string
	}{
		{"end before start", func(a *PlanAction) { a.StartDate, a.EndDate = "2026-05-01", "2026-04-30" }, "end_date"},
		{"impossible date", func(a *PlanAction) { a.StartDate = "2026-02-30" }, "start_date"},
		{"unknown RAG", func(a *PlanAction) { a.RAG = "purple" }, "rag"},
		{"no title", func(a *PlanAction) { a.Title = " " }, "title"},
		{"unknown lead", func(a *PlanAction) { a.LeadPersonID = 9999 }, "lead_person_id"},
	} {
		b := a
		c.edit(&b)
		if err := f.s.UpdatePlanAction(ctx, &b); errs.FieldOf(err) != c.field {
			t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
		}
	}
	// A lead named without an organisation leads for their own.
	a.LeadPersonID = f.alan
	if err := f.s.UpdatePlanAction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if a.LeadOrganisation != "Banford Police" || a.Lead() != "Alan Brown, Banford Police" {
		t.Errorf("lead %q", a.Lead())
	}
}

// TestPlanHistory: every change is kept, and the plan shows as it stood on any day.
func TestPlanHistory(t *testing.T) {
	f := newFixture(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "Alan Brown"})
	p := f.newPlan("vrap")
	a := p.Themes[1].Actions[0]
	a.LeadPersonID = f.alan
	days := []struct {
		at       time.Time
		rag      string
		progress string
	}{
		{time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC), RAGAmber, "Data requested"},
		{time.Date(2025, 11, 15, 12, 0, 0, 0, time.UTC), RAGRed, "Health data late"},
		{time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC), RAGGreen, "Assessment published"},
	}
	for _, d := range days {
		a.RAG, a.Progress = d.rag, d.progress
		if err := f.s.UpdatePlanActionAt(ctx, &a, d.at); err != nil {
			t.Fatal(err)
		}
	}
	// saving the same again changes nothing
	if err := f.s.UpdatePlanAction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	h, err := f.s.PlanActionHistory(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 || h[0].Summary != "RAG red to green; progress" || h[0].ChangedBy != "Alan Brown" || h[3].Summary != "added" {
		t.Fatalf("history %+v", h)
	}
	if got := a.RAGSetOn; got != "2026-01-10" {
		t.Errorf("RAG set on %s", got)
	}
	for _, c := range []struct {
		day  time.Time
		rag  string
		prog string
	}{
		{time.Date(2025, 9, 20, 0, 0, 0, 0, london), RAGNone, ""},
		{time.Date(2025, 10, 31, 0, 0, 0, 0, london), RAGAmber, "Data requested"},
		{time.Date(2025, 12, 31, 0, 0, 0, 0, london), RAGRed, "Health data late"},
		{time.Date(2026, 1, 10, 0, 0, 0, 0, london), RAGGreen, "Assessment published"},
	} {
		old, err := f.s.PlanAsOf(ctx, p.ID, c.day)
		if err != nil {
			t.Fatal(err)
		}
		got := old.Themes[1].Actions[0]
		if got.RAG != c.rag || got.Progress != c.prog || old.Themes[1].Counts.Total() != len(p.Themes[1].Actions) {
			t.Errorf("as of %s: %s %q, want %s %q", c.day.Format(time.DateOnly), got.RAG, got.Progress, c.rag, c.prog)
		}
	}
	before, _ := f.s.PlanAsOf(ctx, p.ID, time.Date(2025, 8, 1, 0, 0, 0, 0, london))
	if n := len(before.Actions()); n != 0 {
		t.Errorf("before the plan was made it had %d actions", n)
	}
	series, err := f.s.RAGSeries(ctx, p.ID, ChartDays(p.CreatedAt, f.s.now()))
	if err != nil {
		t.Fatal(err)
	}
	// the ends of September to December, and today
	if len(series) != 5 || series[1].Counts.Amber != 1 || series[2].Counts.Red != 1 || series[4].Counts.Green != 1 {
		t.Errorf("series %+v", series)
	}
	since, _ := f.s.PlanChangesSince(ctx, p.ID, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), f.s.now())
	if len(since) != 2 {
		t.Errorf("%d changes since 1 November, want 2", len(since))
	}
}

func TestPlanSignOff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.newPlan("vrap")
	ceo, leader, police := p.Signatories[0], p.Signatories[1], p.Signatories[2]
	if err := f.s.NameSignatory(ctx, p.ID, ceo.ID, f.jane); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Sign(ctx, p.ID, f.karen); errs.Code(err) != errs.Forbidden {
		t.Errorf("someone not named signed: %v", err)
	}
	sg, err := f.s.Sign(ctx, p.ID, f.jane)
	if err != nil || sg.Office != OfficeChiefExecutive || sg.SignedOn != "2026-01-20" {
		t.Fatalf("sign: %+v %v", sg, err)
	}
	if _, err := f.s.Sign(ctx, p.ID, f.jane); errs.Code(err) != errs.Conflict {
		t.Errorf("signed twice: %v", err)
	}
	if err := f.s.RecordSignature(ctx, p.ID, police.ID, "Ch Supt A Brown", "2026-02-01"); errs.FieldOf(err) != "signed_on" {
		t.Errorf("a signature dated in the future: %v", err)
	}
	if err := f.s.RecordSignature(ctx, p.ID, police.ID, "Ch Supt A Brown", "2026-01-12"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordSignature(ctx, p.ID, ceo.ID, "Jane Smith", "2026-01-12"); errs.Code(err) != errs.Conflict {
		t.Errorf("a signed office recorded again: %v", err)
	}
	got, _ := f.s.Plan(ctx, p.ID)
	if got.SignedCount() != 2 || len(got.Outstanding()) != 1 || got.Outstanding()[0].ID != leader.ID || got.Signatories[2].Method != "recorded" {
		t.Errorf("sign-off %+v", got.Signatories)
	}
	// As it stood before the signatures, none had signed.
	old, _ := f.s.PlanAsOf(ctx, p.ID, time.Date(2026, 1, 11, 0, 0, 0, 0, london))
	if old.SignedCount() != 0 {
		t.Errorf("%d signed on 11 January", old.SignedCount())
	}

	// The deadline's reminder goes to the named, unsigned signatories once.
	if err := db.Migrate(ctx, f.db, db.Source{Name: "outbox", FS: outbox.Schema()}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.NameSignatory(ctx, p.ID, leader.ID, f.karen); err != nil {
		t.Fatal(err)
	}
	got.Deadline = "2026-01-30"
	if err := f.s.UpdatePlan(ctx, got); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		n, err := f.s.PlanDeadlineReminders(ctx, f.s.now(), 14, "https://quorum.example", 0)
		if err != nil || n != want {
			t.Errorf("reminders, round %d: %d %v, want %d", i, n, err, want)
		}
	}
	msgs, _ := outbox.ByKeyPrefix(ctx, f.db, "plan:")
	if len(msgs) != 1 || msgs[0].To != "kpatel@example.org" || !strings.Contains(msgs[0].Body, "/plans/") {
		t.Errorf("reminders %+v", msgs)
	}
}

func TestPlanLinks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.newPlan("vrap")
	a, b := p.Themes[0].Actions[0], p.Themes[0].Actions[1]
	a.LeadPersonID, b.LeadPersonID = f.olly, f.alan
	for _, x := range []*PlanAction{&a, &b} {
		if err := f.s.UpdatePlanAction(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.CreatePlanLink(ctx, a.ID, f.alan, time.Hour); errs.FieldOf(err) != "person_id" {
		t.Errorf("a link for someone not the lead: %v", err)
	}
	token, err := f.s.CreatePlanLink(ctx, a.ID, f.olly, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.s.UsePlanLink(ctx, token)
	if err != nil || !l.Allows(a.ID) || l.Allows(b.ID) {
		t.Fatalf("link %+v %v", l, err)
	}
	got, err := f.s.UpdateByPlanLink(ctx, token, LeadUpdate{RAG: "green", Progress: "Done the first part"})
	if err != nil || got.RAG != RAGGreen || got.UpdatedBy != "Olly Officer (by emailed link)" {
		t.Fatalf("update by link: %+v %v", got, err)
	}
	if _, err := f.s.UpdateByPlanLink(ctx, token, LeadUpdate{RAG: "green", StartDate: "2026-03-01", EndDate: "2026-02-01"}); errs.FieldOf(err) != "end_date" {
		t.Errorf("end before start through a link: %v", err)
	}
	// Expired: refused, saying so, and nothing changes.
	f.s.now = func() time.Time { return time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC) }
	if _, err := f.s.UpdateByPlanLink(ctx, token, LeadUpdate{RAG: "red"}); errs.Code(err) != errs.Forbidden || !strings.Contains(errs.Message(err), "expired") {
		t.Errorf("an expired link: %v", err)
	}
	if now, _ := f.s.PlanAction(ctx, a.ID); now.RAG != RAGGreen {
		t.Errorf("the expired link changed the action to %s", now.RAG)
	}
	// Withdrawn, and a lead replaced.
	token2, _ := f.s.CreatePlanLink(ctx, a.ID, f.olly, time.Hour)
	if err := f.s.RevokePlanLinks(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UsePlanLink(ctx, token2); errs.Code(err) != errs.Forbidden {
		t.Errorf("a withdrawn link: %v", err)
	}
	token3, _ := f.s.CreatePlanLink(ctx, a.ID, f.olly, time.Hour)
	cur, _ := f.s.PlanAction(ctx, a.ID)
	cur.LeadPersonID = f.alan
	f.s.UpdatePlanAction(ctx, cur)
	if _, err := f.s.UsePlanLink(ctx, token3); errs.Code(err) != errs.Forbidden {
		t.Errorf("a link of a lead since replaced: %v", err)
	}
	if _, err := f.s.UsePlanLink(ctx, "nonsense"); errs.Code(err) != errs.NotFound {
		t.Errorf("a made-up link: %v", err)
	}
}

// filledPlan is a VRAP with leads, dates, RAG, progress, comments and a document.
func (f *fixture) filledPlan() *Plan {
	f.t.Helper()
	ctx := context.Background()
	p := f.newPlan("vrap")
	leads := []int64{f.jane, f.alan, f.karen, f.anne}
	rags := []string{RAGRed, RAGAmber, RAGGreen, RAGBlue, RAGNone}
	for i, a := range p.Actions() {
		a.LeadPersonID = leads[i%len(leads)]
		if i%5 == 1 {
			a.LeadOrganisationID = f.vsf // a lead for another organisation than their own
		}
		a.StartDate, a.EndDate = "2025-10-01", time.Date(2026, time.Month(1+i%12), 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		a.RAG, a.Progress, a.Comments, a.Baseline = rags[i%len(rags)], "Progress on "+a.Ref+": “quoted”, £5k – done", "", "Baseline "+a.Ref
		if i%3 == 0 {
			a.Comments = "A review is due in the spring.\nSecond line."
		}
		if err := f.s.UpdatePlanAction(ctx, a); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := f.s.AddPlanDocument(ctx, p.Themes[0].Actions[0].ID, "strategy.pdf", "application/pdf", []byte("%PDF-1.4 x")); err != nil {
		f.t.Fatal(err)
	}
	extra := &PlanAction{PlanID: p.ID, ThemeID: p.Themes[2].ID, Title: "Optional: knife amnesty bins", RAG: RAGGreen, StartDate: "2026-01-01"}
	if err := f.s.AddPlanAction(ctx, extra); err != nil {
		f.t.Fatal(err)
	}
	full, _ := f.s.Plan(ctx, p.ID)
	return full
}

// comparable strips what differs between two plans holding the same content.
func comparable(p *Plan) []PlanAction {
	var out []PlanAction
	for _, a := range p.Actions() {
		c := *a
		c.ID, c.PlanID, c.ThemeID, c.UpdatedAt, c.UpdatedBy, c.Documents = 0, 0, 0, time.Time{}, "", nil
		out = append(out, c)
	}
	return out
}

func TestPlanXLSXRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.filledPlan()
	var first bytes.Buffer
	if err := WritePlanXLSX(&first, p); err != nil {
		t.Fatal(err)
	}
	// the template's shape: a Plan sheet, then a sheet a theme, RAG cells coloured
	wb, err := excelize.OpenReader(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sheets := wb.GetSheetList()
	if len(sheets) != 8 || sheets[0] != "Plan" || sheets[1] != "1 Governance and leadership" {
		t.Errorf("sheets %q", sheets)
	}
	style, _ := wb.GetCellStyle(sheets[1], "L4")
	st, _ := wb.GetStyle(style)
	if v, _ := wb.GetCellValue(sheets[1], "L4"); v != "Red" || st == nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != "D4351C" {
		t.Errorf("the first RAG cell reads %q with fill %+v", v, st)
	}
	if v, _ := wb.GetCellValue(sheets[1], "H4"); v != "01/10/2025" {
		t.Errorf("the start date reads %q, want 01/10/2025", v)
	}
	wb.Close()

	// Into a blank plan: the same content.
	blankPlan := &Plan{BoardID: f.board, Title: "Copy", StartYear: 2024, EndYear: 2027}
	if err := f.s.CreatePlan(ctx, blankPlan, "blank"); err != nil {
		t.Fatal(err)
	}
	res, err := f.s.ImportPlanXLSX(ctx, blankPlan.ID, bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if res.ThemesAdded != 7 || res.ActionsAdded != len(p.Actions()) {
		t.Errorf("import %+v", res)
	}
	copyPlan, _ := f.s.Plan(ctx, blankPlan.ID)
	if !reflect.DeepEqual(comparable(p), comparable(copyPlan)) {
		a, b := comparable(p), comparable(copyPlan)
		for i := range a {
			if i < len(b) && !reflect.DeepEqual(a[i], b[i]) {
				t.Errorf("action %d differs:\n%+v\n%+v", i, a[i], b[i])
				break
			}
		}
		t.Fatal("the imported plan differs from the exported one")
	}
	for i := range p.Themes {
		if p.Themes[i].Title != copyPlan.Themes[i].Title || p.Themes[i].Description != copyPlan.Themes[i].Description {
			t.Errorf("theme %d: %q, want %q", i+1, copyPlan.Themes[i].Title, p.Themes[i].Title)
		}
	}
	// Back into the plan it came from: nothing changes.
	res, err = f.s.ImportPlanXLSX(ctx, p.ID, bytes.NewReader(first.Bytes()))
	if err != nil || res.ActionsChanged != 0 || res.ActionsAdded != 0 || res.Unchanged != len(p.Actions()) {
		t.Errorf("re-import: %+v %v", res, err)
	}
	h, _ := f.s.PlanActionHistory(ctx, p.Themes[0].Actions[0].ID)
	again, _ := f.s.Plan(ctx, p.ID)
	if !reflect.DeepEqual(comparable(p), comparable(again)) || len(h) != 3 {
		t.Errorf("re-importing the same workbook changed the plan (%d history rows)", len(h))
	}
}

// editWorkbook exports the plan, lets edit change the workbook, and answers its bytes.
func editWorkbook(t *testing.T, p *Plan, edit func(f *excelize.File)) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePlanXLSX(&buf, p); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	edit(wb)
	var out bytes.Buffer
	if _, err := wb.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestPlanXLSXBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.filledPlan()
	sheet := "2 Analysis and enforcement"
	for _, c := range []struct {
		name string
		edit func(wb *excelize.File)
		want []string
	}{
		{"wrong first sheet", func(wb *excelize.File) { wb.SetSheetName("Plan", "Summary") }, []string{"Sheet “Summary”: The first sheet must be “Plan”"}},
		{"missing column", func(wb *excelize.File) { wb.RemoveCol(sheet, "L") }, []string{"Sheet “" + sheet + "”, row 3, column “RAG”: The column is missing"}},
		{"unknown column", func(wb *excelize.File) { wb.SetCellValue(sheet, "O3", "Budget") }, []string{"row 3, column “Budget”: Quorum does not know this column"}},
		{"bad rows", func(wb *excelize.File) {
			wb.SetCellValue(sheet, "L4", "Purple")
			wb.SetCellValue(sheet, "H5", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
			wb.SetCellValue(sheet, "I5", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
			wb.SetCellValue(sheet, "F6", "Nobody Known")
			wb.SetCellValue(sheet, "I6", "31/02/2026")
		}, []string{
			"row 4, column “RAG”: \"Purple\" is not a RAG status",
			"row 5, column “End date”: The end date must be the same as or after the start date",
			"row 6, column “Lead”: No one called \"Nobody Known\" is in Quorum",
			"row 6, column “End date”: \"31/02/2026\" is not a date",
		}},
		{"not a workbook", nil, []string{"not a readable Excel workbook"}},
	} {
		var data []byte
		if c.edit != nil {
			data = editWorkbook(t, p, c.edit)
		} else {
			data = []byte("Ref,Action\n1.1,x\n")
		}
		_, err := f.s.ImportPlanXLSX(ctx, p.ID, bytes.NewReader(data))
		ps, ok := err.(ImportProblems)
		if !ok {
			t.Errorf("%s: %v, want the problems listed", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(ps.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, ps.Error(), w)
			}
		}
	}
	again, _ := f.s.Plan(ctx, p.ID)
	if !reflect.DeepEqual(comparable(p), comparable(again)) {
		t.Error("a refused import changed the plan")
	}
}

// TestPlanImportPreview: a workbook is previewed (nothing written), held, and imported on
// confirm with the lead it names added, once; a confirm after the plan changed is refused.
func TestPlanImportPreview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.filledPlan()
	sheet2, sheet3 := themeSheetName(2, p.Themes[1].Title), themeSheetName(3, p.Themes[2].Title)
	data := editWorkbook(t, p, func(wb *excelize.File) {
		wb.SetCellValue(sheet2, "L4", "Green")
		wb.SetCellValue(sheet2, "I4", time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC))
		wb.SetSheetRow(sheet3, "A10", &[]any{"", "Youth club outreach", "Optional", "", "", "Sam Okafor", "Banford Police", "", "", "", "", "Amber"})
		wb.SetCellValue(sheet3, "F4", "sam okafor")
		wb.SetCellValue(sheet3, "G4", "") // leads for their own organisation
	})
	before, _ := f.s.Plan(ctx, p.ID)
	pi, err := f.s.PreviewPlanImport(ctx, p.ID, data)
	if err != nil {
		t.Fatal(err)
	}
	if !pi.Ready() || len(pi.Themes) != 7 {
		t.Fatalf("problems %v, %d themes", pi.Problems, len(pi.Themes))
	}
	th2, th3 := pi.Themes[1], pi.Themes[2]
	if len(th2.Changed) != 1 || th2.Changed[0].Ref != "2.1" || len(th2.Added) != 0 {
		t.Fatalf("theme 2: %+v", th2)
	}
	if got := strings.Join(th2.Changed[0].Changes, "; "); !strings.Contains(got, "RAG") || !strings.Contains(got, "to green") || !strings.Contains(got, "end date") || !strings.Contains(got, "30 September 2026") {
		t.Errorf("2.1 changes: %q", got)
	}
	if len(th3.Added) != 1 || th3.Added[0].Title != "Youth club outreach" || th3.Added[0].Row != 10 || len(th3.Changed) != 1 {
		t.Errorf("theme 3: %+v", th3)
	}
	if pi.Would.ActionsAdded != 1 || pi.Would.ActionsChanged != 2 || pi.Would.Unchanged != len(p.Actions())-2 {
		t.Errorf("would %+v", pi.Would)
	}
	if len(pi.NewLeads) != 1 || pi.NewLeads[0].Name != "sam okafor" || len(pi.NewLeads[0].Rows) != 2 || pi.NewLeads[0].OrganisationID != f.police {
		t.Errorf("new leads %+v", pi.NewLeads)
	}
	if after, _ := f.s.Plan(ctx, p.ID); !reflect.DeepEqual(comparable(before), comparable(after)) {
		t.Error("the preview changed the plan")
	}
	// The direct import refuses the unknown lead.
	if _, err := f.s.ImportPlanXLSX(ctx, p.ID, bytes.NewReader(data)); err == nil || !strings.Contains(err.Error(), "No one called \"sam okafor\"") {
		t.Errorf("a direct import with an unknown lead: %v", err)
	}

	token, err := f.s.HoldPlanImport(ctx, p.ID, "plan.xlsx", data, pi.Stamp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ConfirmPlanImport(ctx, p.ID, "not-a-token", []meetings.Person{{}}); err != ErrPlanImportGone {
		t.Errorf("a made-up token: %v", err)
	}
	// a bad email: nothing added, the token still good
	if _, err := f.s.ConfirmPlanImport(ctx, p.ID, token, []meetings.Person{{Email: "not an email"}}); errs.FieldOf(err) != "lead_email_0" {
		t.Errorf("a bad email: %v (%s)", err, errs.FieldOf(err))
	}
	res, err := f.s.ConfirmPlanImport(ctx, p.ID, token, []meetings.Person{{OrganisationID: f.police, Email: "sam.okafor@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if *res != pi.Would {
		t.Errorf("did %+v, the preview said %+v", *res, pi.Would)
	}
	var samID, samOrg int64
	if err := f.db.QueryRow(`SELECT id, organisation_id FROM people WHERE name = 'sam okafor' AND email = 'sam.okafor@example.org'`).Scan(&samID, &samOrg); err != nil || samOrg != f.police {
		t.Fatalf("the lead was not added: %v", err)
	}
	after, _ := f.s.Plan(ctx, p.ID)
	if a := after.Themes[2].Actions[0]; a.LeadPersonID != samID || a.LeadOrganisationID != f.police {
		t.Errorf("%s is led by %d of %d, want the added person %d of the police", a.Ref, a.LeadPersonID, a.LeadOrganisationID, samID)
	}
	if a := after.Themes[1].Actions[0]; a.RAG != RAGGreen || a.EndDate != "2026-09-30" {
		t.Errorf("2.1 is %s ending %s", a.RAG, a.EndDate)
	}
	n := len(after.Actions())
	if _, err := f.s.ConfirmPlanImport(ctx, p.ID, token, []meetings.Person{{OrganisationID: f.police}}); err != ErrPlanImportUsed {
		t.Errorf("a second confirm: %v", err)
	}
	var people int
	f.db.QueryRow(`SELECT count(*) FROM people WHERE name = 'sam okafor'`).Scan(&people)
	if again, _ := f.s.Plan(ctx, p.ID); len(again.Actions()) != n || people != 1 {
		t.Errorf("the second confirm imported again: %d actions, %d people", len(again.Actions()), people)
	}

	// Changed between preview and confirm: refused, nothing imported.
	data = editWorkbook(t, after, func(wb *excelize.File) { wb.SetCellValue(sheet2, "J5", "Changed in the spreadsheet") })
	pi, _ = f.s.PreviewPlanImport(ctx, p.ID, data)
	token, _ = f.s.HoldPlanImport(ctx, p.ID, "plan.xlsx", data, pi.Stamp)
	a := after.Themes[1].Actions[1]
	a.Progress = "Changed on the site meanwhile"
	if err := f.s.UpdatePlanAction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ConfirmPlanImport(ctx, p.ID, token, nil); err != ErrPlanChanged {
		t.Errorf("a confirm after a change: %v", err)
	}
	if got, _ := f.s.PlanAction(ctx, a.ID); got.Progress != "Changed on the site meanwhile" {
		t.Errorf("the refused confirm overwrote the change: %q", got.Progress)
	}
	// An upload waits an hour.
	pi, _ = f.s.PreviewPlanImport(ctx, p.ID, data)
	token, _ = f.s.HoldPlanImport(ctx, p.ID, "plan.xlsx", data, pi.Stamp)
	now := f.s.now
	f.s.now = func() time.Time { return now().Add(PlanImportTTL + time.Minute) }
	if _, err := f.s.ConfirmPlanImport(ctx, p.ID, token, nil); err != ErrPlanImportGone {
		t.Errorf("a confirm after an hour: %v", err)
	}
}
