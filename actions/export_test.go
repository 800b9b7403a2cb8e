package actions

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/internal/errs"
)

func exportFixture(t *testing.T) (*fixture, []Action) {
	f := newFixture(t)
	f.mustSync(f.m1,
		Draft{Owners: []string{"JS"}, Text: "=HYPERLINK(\"http://evil\") disseminate the plan", DueDate: "2026-02-28", Line: 3, Minute: "47"},
		Draft{Owners: []string{"police", "KP"}, Text: "report on knife crime", DueNext: true, Line: 4})
	as, total, err := f.s.List(context.Background(), f.board, Filter{})
	if err != nil || total != 2 {
		t.Fatalf("list: %d %v", total, err)
	}
	return f, as
}

func TestExportCSV(t *testing.T) {
	_, as := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, as); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "Ref" || recs[1][0] != "SBP/25/01" {
		t.Fatalf("csv %q", recs)
	}
	if !strings.HasPrefix(recs[1][1], "'=") {
		t.Errorf("a formula-like cell is not defused: %q", recs[1][1])
	}
	if recs[1][3] != "28/02/2026" || recs[1][6] != "15/01/2026" || recs[1][7] != "47" {
		t.Errorf("dates: %q", recs[1])
	}
	if recs[2][2] != "police, KP" || recs[2][3] != "19/03/2026" || recs[2][4] != "Open" {
		t.Errorf("second row: %q", recs[2])
	}
}

func TestExportXLSX(t *testing.T) {
	_, as := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, as); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// Shown as dd/mm/yyyy ...
	shown, _ := x.GetCellValue("Actions", "D2")
	if shown != "28/02/2026" {
		t.Errorf("due shows %q", shown)
	}
	// ... and stored as a real date (a serial number), not text.
	raw, _ := x.GetCellValue("Actions", "D2", excelize.Options{RawCellValue: true})
	typ, _ := x.GetCellType("Actions", "D2")
	if raw != "46081" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("due stored as %q (%v), want the serial 46081", raw, typ)
	}
	text, _ := x.GetCellValue("Actions", "B2")
	if !strings.HasPrefix(text, "=HYPERLINK") {
		t.Errorf("text %q", text)
	}
	if f, _ := x.GetCellFormula("Actions", "B2"); f != "" {
		t.Errorf("text became a formula %q", f)
	}
}

func TestImportRoundTripAndErrors(t *testing.T) {
	f, as := exportFixture(t)
	ctx := context.Background()
	f.s.now = func() time.Time { return time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC) }

	// The exported workbook, edited: SBP/25/02 done, a new action added.
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, as); err != nil {
		t.Fatal(err)
	}
	x, _ := excelize.OpenReader(&buf)
	x.SetCellValue("Actions", "E3", "Done")
	x.SetCellValue("Actions", "F3", "Report given at the February briefing")
	x.SetSheetRow("Actions", "A4", &[]any{"", "map the hotspots", "@JS and @kpatel", time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), "open", ""})
	var edited bytes.Buffer
	x.Write(&edited)
	x.Close()
	p, err := f.s.ParseImport(ctx, f.board, "log.xlsx", &edited)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) != 0 || len(p.Rows) != 3 {
		t.Fatalf("preview: %+v", p)
	}
	if len(p.Rows[0].Changes) != 0 {
		t.Errorf("an unchanged row would change %v", p.Rows[0].Changes)
	}
	if p.Rows[1].Changes[0] != "status: Done" || p.Rows[2].Changes[0] != "new action" || p.Rows[2].Due.Date != "2026-04-30" {
		t.Fatalf("preview rows: %+v", p.Rows)
	}
	created, changed, err := f.s.ApplyImport(ctx, p)
	if err != nil || created != 1 || changed != 1 {
		t.Fatalf("apply: %d %d %v", created, changed, err)
	}
	if a := f.byRef("SBP/25/02"); a.Status != StatusDone || a.CompletedNote != "Report given at the February briefing" {
		t.Fatalf("after import: %+v", a)
	}
	if a := f.byRef("SBP/25/03"); a.Text != "map the hotspots" || len(a.Owners) != 2 {
		t.Fatalf("imported action: %+v", a)
	}

	// A CSV with bad rows: every error listed at its line, nothing applied.
	bad := "ref,action,owner,due,status,update\n" +
		"SBP/25/01,,JS,31/02/2026,,\n" + // line 2: no such day
		",new thing,XY,,,\n" + // line 3: unknown owner
		"\n" +
		"SBP/25/99,x,JS,,,\n" + // line 5: no such action
		",another,JS,next meeting,finished,\n" + // line 6: status
		",fine,JS,30/04/2026,,\n"
	p, err = f.s.ParseImport(ctx, f.board, "log.csv", strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "cannot read the due", 3: "unknown owner @XY", 5: "no action SBP/25/99", 6: `"finished" is not a status`}
	if len(p.Errors) != len(want) {
		t.Fatalf("errors %+v", p.Errors)
	}
	for _, e := range p.Errors {
		if !strings.Contains(e.Message, want[e.Line]) || want[e.Line] == "" {
			t.Errorf("line %d: %q, want %q", e.Line, e.Message, want[e.Line])
		}
	}
	var before int
	f.db.QueryRow(`SELECT count(*) FROM actions`).Scan(&before)
	_, _, err = f.s.ApplyImport(ctx, p)
	wantCode(t, err, errs.Invalid)
	var after int
	f.db.QueryRow(`SELECT count(*) FROM actions`).Scan(&after)
	if after != before {
		t.Fatal("an import with errors changed the log")
	}

	p, _ = f.s.ParseImport(ctx, f.board, "x.csv", strings.NewReader("who,when\nJS,today\n"))
	if len(p.Errors) != 1 || p.Errors[0].Line != 1 || !strings.Contains(p.Errors[0].Message, "no Action column") {
		t.Fatalf("no header: %+v", p.Errors)
	}
}
