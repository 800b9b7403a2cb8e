package actions

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/internal/errs"
)

// withBomb is workbook with one more part: size zero bytes, deflated to well under a megabyte
// (a picture, as far as the workbook's directory says).
func withBomb(t testing.TB, workbook []byte, size int) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, f := range z.File {
		if err := w.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	bw, err := w.Create("xl/media/image1.png")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for n := 0; n < size; n += len(zeros) {
		bw.Write(zeros)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withParts is workbook with n more tiny parts.
func withParts(t testing.TB, workbook []byte, n int) []byte {
	t.Helper()
	z, _ := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range z.File {
		w.Copy(f)
	}
	for i := range n {
		pw, _ := w.Create(fmt.Sprintf("customXml/item%d.xml", i))
		pw.Write([]byte("<x/>"))
	}
	w.Close()
	return buf.Bytes()
}

// runtimeMem is how much the test process has allocated so far.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}

// logWorkbook is the board's action log as exported, with two actions in it.
func logWorkbook(f *fixture) []byte {
	f.t.Helper()
	f.mustSync(f.m1,
		Draft{Owners: []string{"JS"}, Text: "disseminate the plan", DueDate: "2026-02-28", Line: 3, Minute: "47"},
		Draft{Owners: []string{"police", "KP"}, Text: "report on knife crime", DueNext: true, Line: 4})
	as, _, err := f.s.List(context.Background(), f.board, Filter{})
	if err != nil {
		f.t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, as); err != nil {
		f.t.Fatal(err)
	}
	return buf.Bytes()
}

// A zip bomb in an uploaded workbook is refused from its zip directory, before excelize
// (which unpacks a whole workbook into memory) sees it: for the action log and the plan.
func TestImportRefusesZipBombs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	logXLSX := logWorkbook(f)
	var planXLSX bytes.Buffer
	if err := WritePlanXLSX(&planXLSX, f.filledPlan()); err != nil {
		t.Fatal(err)
	}
	plan, err := f.s.Plans(ctx, f.board)
	if err != nil || len(plan) == 0 {
		t.Fatalf("plans: %v", err)
	}
	for name, wb := range map[string][]byte{"log": logXLSX, "plan": planXLSX.Bytes()} {
		bomb := withBomb(t, wb, 96<<20)
		if len(bomb) > 2<<20 {
			t.Fatalf("the bomb is %d KB", len(bomb)>>10)
		}
		for what, data := range map[string][]byte{"96 MB of zeros": bomb, "2000 parts": withParts(t, wb, 2000)} {
			var before, after runtimeMem
			before.read()
			var msg string
			if name == "log" {
				_, err := f.s.ParseImport(ctx, f.board, "log.xlsx", bytes.NewReader(data))
				if errs.Code(err) != errs.Invalid || errs.FieldOf(err) != "file" {
					t.Fatalf("%s with %s: %v (%s), want a file error", name, what, err, errs.Code(err))
				}
				msg = errs.Message(err)
			} else {
				_, err := f.s.ImportPlanXLSX(ctx, plan[0].ID, bytes.NewReader(data))
				var ps ImportProblems
				if !errors.As(err, &ps) {
					t.Fatalf("%s with %s: %v, want the import's problems", name, what, err)
				}
				msg = err.Error()
			}
			after.read()
			if !strings.Contains(msg, "unpacks to more than 64 MB") {
				t.Errorf("%s with %s: %q", name, what, msg)
			}
			if grown := after.total - before.total; grown > 64<<20 {
				t.Errorf("%s with %s: %d MB allocated to refuse it", name, what, grown>>20)
			}
		}
	}
	// The same workbooks without the bomb still read.
	if p, err := f.s.ParseImport(ctx, f.board, "log.xlsx", bytes.NewReader(logXLSX)); err != nil || len(p.Errors) != 0 || len(p.Rows) != 2 {
		t.Fatalf("the log workbook: %v %+v", err, p)
	}
	if _, ps := f.s.readPlanXLSX(ctx, bytes.NewReader(planXLSX.Bytes())); len(ps) != 0 {
		t.Fatalf("the plan workbook: %v", ps)
	}
	// An old .xls, or a workbook with a password, says so.
	_, err = f.s.ParseImport(ctx, f.board, "log.xlsx", strings.NewReader("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old"))
	if !strings.Contains(errs.Message(err), "old Excel .xls file or is protected by a password") {
		t.Errorf("an OLE file: %v", err)
	}
}

// inputError reports whether err is one a person caused and is told about (4xx), or nil.
func inputError(err error) bool {
	if err == nil {
		return true
	}
	switch errs.Code(err) {
	case errs.Invalid, errs.NotFound, errs.Conflict, errs.TooLarge:
		return true
	}
	return false
}

// checkPreview is what every import preview must hold, whatever it was read from.
func checkPreview(t *testing.T, p *ImportPreview, err error) {
	t.Helper()
	if !inputError(err) {
		t.Fatalf("not an input error: %v (%s)", err, errs.Code(err))
	}
	if err != nil {
		if errs.FieldOf(err) != "file" {
			t.Fatalf("an input error not on the file: %v", err)
		}
		return
	}
	for _, e := range p.Errors {
		if e.Line < 1 || e.Message == "" {
			t.Fatalf("error at line %d: %q", e.Line, e.Message)
		}
	}
	for _, r := range p.Rows {
		if r.Due != nil {
			if err := r.Due.Validate(); err != nil {
				t.Fatalf("line %d due %+v: %v", r.Line, r.Due, err)
			}
		}
	}
}

// FuzzImportCSV feeds the action-log import any CSV, seeded with exported logs and the
// shapes clerks keep: it never panics, and what it cannot read is an error on the file or
// on a line of it. Nothing is written.
func FuzzImportCSV(f *testing.F) {
	fx := newFixture(f)
	fx.mustSync(fx.m1, Draft{Owners: []string{"JS"}, Text: "disseminate the plan", DueDate: "2026-02-28", Line: 3})
	as, _, _ := fx.s.List(context.Background(), fx.board, Filter{})
	var exported bytes.Buffer
	if err := WriteCSV(&exported, as); err != nil {
		f.Fatal(err)
	}
	f.Add(exported.Bytes())
	for _, s := range []string{
		"ref,action,owner,due,status,update\nSBP/25/01,,JS,31/02/2026,,\n,new thing,XY,,,\n\nSBP/25/99,x,JS,,,\n,another,JS,next meeting,finished,\n,fine,JS,30/04/2026,,\n",
		"\ufeffRef No,Action Text,Lead,Deadline,RAG,Comments\n,\"multi\nline\",\"@JS, @police\",meeting of 19/03/2026,in progress,\"'=cmd\"\n",
		"action\n\"unterminated\n",
		"who,when\nJS,today\n",
		",,,\n\n\naction,owner\nx,@partners\n",
		"action;owner;due\nx;JS;2026-13-01\n",
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := fx.s.ParseImport(ctx, fx.board, "log.csv", bytes.NewReader(data))
		checkPreview(t, p, err)
	})
}

// FuzzImportXLSX feeds the action-log import any bytes as a workbook, seeded with exported
// workbooks (one with a bomb in it): the zip guard and excelize either read it or refuse it
// as a file error; never a panic.
func FuzzImportXLSX(f *testing.F) {
	fx := newFixture(f)
	wb := logWorkbook(fx)
	f.Add(wb)
	f.Add(withParts(f, wb, 3))
	f.Add(wb[:len(wb)/2])
	f.Add([]byte("PK\x03\x04"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := fx.s.ParseImport(ctx, fx.board, "log.xlsx", bytes.NewReader(data))
		checkPreview(t, p, err)
	})
}

// FuzzImportPlanXLSX feeds the plan import's reader any bytes as a workbook, seeded with an
// exported plan: every problem stands on a sheet, and nothing panics. (The reader is the
// part that sees the file; what it passes on is checked plan actions.)
func FuzzImportPlanXLSX(f *testing.F) {
	fx := newFixture(f)
	var wb bytes.Buffer
	if err := WritePlanXLSX(&wb, fx.filledPlan()); err != nil {
		f.Fatal(err)
	}
	f.Add(wb.Bytes())
	f.Add(wb.Bytes()[:wb.Len()*2/3])
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		themes, problems := fx.s.readPlanXLSX(ctx, bytes.NewReader(data))
		for _, p := range problems {
			if p.Sheet == "" || p.Text == "" {
				t.Fatalf("a problem without its sheet or text: %+v", p)
			}
		}
		if len(problems) > 0 {
			return
		}
		for _, th := range themes {
			for _, a := range th.actions {
				if err := a.a.Validate(); err != nil {
					t.Fatalf("row %d passed on invalid: %v", a.row, err)
				}
			}
		}
	})
}

// FuzzDueCell feeds the due-date readers (an import's due column, and the due field of the
// new-action form) any text: a due they read is a valid one, and they never panic.
func FuzzDueCell(f *testing.F) {
	fx := newFixture(f)
	for _, s := range []string{"30/04/2026", "2026-04-30", "1/5/26", "46081", "next meeting", "by the next meeting",
		"meeting of 19/03/2026", "the meeting on 2026-05-21", "31/02/2026", "00/00/0000", "99999", "46081.9999", "meeting of", "1e308"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	ctx := context.Background()
	fx.s.now = func() time.Time { return time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, text string, xlsx bool) {
		if day, ok := readDay(text, xlsx); ok {
			if _, err := time.Parse(time.DateOnly, day.Format(time.DateOnly)); err != nil || day.Year() < 1 {
				t.Fatalf("readDay(%q) = %v", text, day)
			}
		}
		d, err := fx.s.importDue(ctx, fx.board, text, xlsx)
		if err != nil {
			return
		}
		if d == nil {
			t.Fatalf("importDue(%q): no due and no error", text)
		}
		if err := d.Validate(); err != nil || d.IsZero() {
			t.Fatalf("importDue(%q) = %+v: %v", text, d, err)
		}
	})
}

// withReplaced is workbook with the named parts replaced (or added), stored uncompressed.
func withReplaced(t testing.TB, workbook []byte, parts map[string][]byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range z.File {
		if _, ok := parts[f.Name]; !ok {
			w.Copy(f)
		}
	}
	for name, data := range parts {
		pw, _ := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		pw.Write(data)
	}
	w.Close()
	return buf.Bytes()
}

// FuzzImportXLSXSheet puts any XML in an exported action log's first sheet and shared
// strings, so that the fuzzer works on what excelize parses and the rows it hands on
// (cell references, types, inline strings, dates as serials), not on a zip's checksums.
func FuzzImportXLSXSheet(f *testing.F) {
	fx := newFixture(f)
	wb := logWorkbook(fx)
	z, _ := zip.NewReader(bytes.NewReader(wb), int64(len(wb)))
	part := func(name string) []byte {
		for _, zf := range z.File {
			if zf.Name == name {
				rc, _ := zf.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				return b
			}
		}
		f.Fatalf("the exported workbook has no %s", name)
		return nil
	}
	sheet, shared := part("xl/worksheets/sheet1.xml"), part("xl/sharedStrings.xml")
	f.Add(sheet, shared)
	const ns = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	f.Add([]byte(ns+`<row r="1"><c r="A1" t="inlineStr"><is><t>Action</t></is></c><c r="B1" t="inlineStr"><is><t>Owner</t></is></c><c r="C1" t="inlineStr"><is><t>Due</t></is></c></row>`+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>map it</t></is></c><c r="B2" t="inlineStr"><is><t>@JS</t></is></c><c r="C2"><v>46081.5</v></c></row></sheetData></worksheet>`), shared)
	f.Add([]byte(ns+`<row r="1"><c r="A1" t="s"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>999</v></c></row></sheetData></worksheet>`), shared)
	f.Add([]byte(ns+`<row r="1"><c r="A1" t="e"><v>#REF!</v></c><c r="B1" t="b"><v>1</v></c><c r="C1"><f>HYPERLINK("http://evil")</f><v>x</v></c></row></sheetData></worksheet>`), []byte("<sst/>"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, sheetXML, sharedXML []byte) {
		data := withReplaced(t, wb, map[string][]byte{"xl/worksheets/sheet1.xml": sheetXML, "xl/sharedStrings.xml": sharedXML})
		p, err := fx.s.ParseImport(ctx, fx.board, "log.xlsx", bytes.NewReader(data))
		checkPreview(t, p, err)
	})
}

// FuzzImportPlanXLSXSheet puts any XML in the first theme's sheet of an exported plan,
// for the plan reader's checks of headings, RAG, dates, leads and references. Each input
// opens a whole eight-sheet workbook (a few execs a second), so CI leaves it out; run it
// for minutes after changing readPlanXLSX.
func FuzzImportPlanXLSXSheet(f *testing.F) {
	fx := newFixture(f)
	var wb bytes.Buffer
	if err := WritePlanXLSX(&wb, fx.filledPlan()); err != nil {
		f.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(wb.Bytes()))
	if err != nil {
		f.Fatal(err)
	}
	// The theme's sheet as inline strings, so the fuzzer's changes to the text stay in it.
	var sheet bytes.Buffer
	sheet.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	rows, _ := x.GetRows(x.GetSheetList()[1], excelize.Options{RawCellValue: true})
	for i, r := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			var esc bytes.Buffer
			xml.EscapeText(&esc, []byte(v))
			fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, cell, esc.String())
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	x.Close()
	ctx := context.Background()
	if themes, ps := fx.s.readPlanXLSX(ctx, bytes.NewReader(withReplaced(f, wb.Bytes(), map[string][]byte{"xl/worksheets/sheet2.xml": sheet.Bytes()}))); len(ps) > 0 || len(themes[0].actions) == 0 {
		f.Fatalf("the seed does not read back: %v", ps)
	}
	f.Add(sheet.Bytes())
	f.Add(bytes.Replace(sheet.Bytes(), []byte("Red"), []byte("Purple"), 1))
	f.Fuzz(func(t *testing.T, sheetXML []byte) {
		data := withReplaced(t, wb.Bytes(), map[string][]byte{"xl/worksheets/sheet2.xml": sheetXML})
		themes, problems := fx.s.readPlanXLSX(ctx, bytes.NewReader(data))
		for _, p := range problems {
			if p.Sheet == "" || p.Text == "" {
				t.Fatalf("a problem without its sheet or text: %+v", p)
			}
		}
		if len(problems) > 0 {
			return
		}
		for _, th := range themes {
			for _, a := range th.actions {
				if err := a.a.Validate(); err != nil {
					t.Fatalf("row %d passed on invalid: %v", a.row, err)
				}
			}
		}
	})
}
