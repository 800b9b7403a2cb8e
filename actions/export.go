package actions

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// exportHeader is the log's spreadsheet shape. Its first columns are the ones Import
// reads (ref, action, owner, due, status, update), so an exported log can be edited and
// imported back.
var exportHeader = []string{"Ref", "Action", "Owner", "Due", "Status", "Update", "Source meeting", "Minute",
	"Carried forward", "Completed", "How completed", "Owner names"}

// exportDate is how dates read in spreadsheets for UK boards.
const exportDate = "02/01/2006"

// exportRow is one action in the export: text cells, and the two date columns (Due,
// Source meeting, Completed) as times so that XLSX can store real dates.
func exportRow(a *Action) (cells []string, due, source, completed time.Time) {
	due = a.Due.Day()
	dueText := ""
	switch {
	case !due.IsZero():
		dueText = due.Format(exportDate)
	case a.Due.Next:
		dueText = "next meeting"
	}
	update := ""
	if a.LatestUpdate != nil {
		update = a.LatestUpdate.Text
	}
	if !a.MeetingStartsAt.IsZero() {
		y, m, d := a.MeetingStartsAt.In(london).Date()
		source = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if !a.CompletedAt.IsZero() {
		y, m, d := a.CompletedAt.In(london).Date()
		completed = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if !due.IsZero() {
		y, m, d := due.Date()
		due = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	owners := make([]string, len(a.Owners))
	for i, o := range a.Owners {
		owners[i] = o.Label
	}
	how := a.CompletedNote
	if a.Status == StatusDropped {
		how = "Dropped: " + a.DroppedReason
	}
	cells = []string{a.Ref, a.Text, strings.Join(owners, ", "), dueText, StatusLabel(a.Status), update,
		dateText(source), a.MinuteNumber, fmt.Sprint(a.CarriedForward), dateText(completed), how, a.OwnerNames()}
	return cells, due, source, completed
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(exportDate)
}

// WriteCSV writes actions as CSV, dates as dd/mm/yyyy. A cell that a spreadsheet would
// run as a formula (=, +, -, @ first) is written with a leading apostrophe, which
// spreadsheets show as text; Import takes it off again.
func WriteCSV(w io.Writer, as []Action) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	for i := range as {
		cells, _, _, _ := exportRow(&as[i])
		for j, c := range cells {
			cells[j] = defuse(c)
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteXLSX writes actions as an Excel workbook: one sheet, a bold header row, dates as
// real dates shown dd/mm/yyyy.
func WriteXLSX(w io.Writer, as []Action) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Actions"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	dateFmt := "dd/mm/yyyy"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	header := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		header[i] = h
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	if err := f.SetRowStyle(sheet, 1, 1, bold); err != nil {
		return err
	}
	for i := range as {
		cells, due, source, completed := exportRow(&as[i])
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		// Due (D), Source meeting (G), Completed (J) as dates; carried forward (I) a number.
		if !due.IsZero() {
			row[3] = due
		}
		if !source.IsZero() {
			row[6] = source
		}
		if !completed.IsZero() {
			row[9] = completed
		}
		row[8] = as[i].CarriedForward
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	if n := len(as); n > 0 {
		for _, col := range []string{"D", "G", "J"} {
			if err := f.SetCellStyle(sheet, fmt.Sprintf("%s2", col), fmt.Sprintf("%s%d", col, n+1), dateStyle); err != nil {
				return err
			}
		}
	}
	widths := map[string]float64{"A": 12, "B": 60, "C": 16, "D": 12, "E": 12, "F": 50, "G": 14, "H": 8, "I": 9, "J": 12, "K": 40, "L": 30}
	for col, wd := range widths {
		if err := f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
