package actions

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/internal/zipcheck"
)

// ImportRow is one row of an imported spreadsheet as Quorum understood it. Line is the
// row's number in the spreadsheet (the header is line 1).
type ImportRow struct {
	Line     int      `json:"line"`
	Ref      string   `json:"ref,omitempty"`
	ActionID int64    `json:"action_id,omitempty"` // the action it changes; 0 for a new one
	Text     string   `json:"text"`
	Owners   []Owner  `json:"owners"`
	Due      *Due     `json:"due,omitempty"` // nil: not given
	Status   string   `json:"status,omitempty"`
	Update   string   `json:"update,omitempty"`
	Changes  []string `json:"changes"` // what applying it would do, in words
}

// ImportPreview is what an import would do, and every line that stops it.
type ImportPreview struct {
	BoardID int64       `json:"board_id"`
	Rows    []ImportRow `json:"rows"`
	Errors  []LineError `json:"errors"`
}

// importColumns maps the headings clerks use to the columns Quorum reads.
var importColumns = map[string]string{
	"ref": "ref", "reference": "ref", "ref no": "ref", "action ref": "ref", "no": "ref",
	"action": "action", "actions": "action", "text": "action", "description": "action", "action text": "action",
	"owner": "owner", "owners": "owner", "lead": "owner", "who": "owner", "action owner": "owner", "responsible": "owner",
	"due": "due", "due date": "due", "deadline": "due", "by": "due", "due by": "due", "when": "due",
	"status": "status", "rag": "status",
	"update": "update", "latest update": "update", "progress": "update", "comments": "update", "comment": "update", "notes": "update",
}

// ParseImport reads a spreadsheet (CSV, or XLSX by its name or content) of the common
// shape (ref, action, owner, due, status, update: headings in the first row, in any order)
// against a board, and previews what applying it would do. Nothing is written. Rows with a
// reference change that action; rows without one add an action.
func (s *Store) ParseImport(ctx context.Context, boardID int64, filename string, r io.Reader) (*ImportPreview, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM boards WHERE id = ?`, boardID).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errs.E(errs.NotFound, "No board %d", boardID)
	}
	br := bufio.NewReader(r)
	head, _ := br.Peek(4)
	var rows [][]string
	var err error
	xlsx := bytes.HasPrefix(head, []byte("PK\x03\x04")) || strings.HasSuffix(strings.ToLower(filename), ".xlsx")
	if xlsx {
		rows, err = readXLSX(br)
	} else {
		rows, err = readCSV(br)
	}
	if err != nil {
		return nil, err
	}
	return s.previewRows(ctx, boardID, rows, xlsx)
}

func readCSV(r io.Reader) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, errs.Field("file", "line %d: the file is not readable CSV: %v", pe.Line, pe.Err)
			}
			return nil, errs.Field("file", "The file is not readable CSV: %v", err)
		}
		// csv.Reader skips blank lines; keep line numbers honest by padding to the record's line
		line, _ := cr.FieldPos(0)
		for len(rows) < line-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
	}
	if len(rows) > 0 && len(rows[0]) > 0 {
		rows[0][0] = strings.TrimPrefix(rows[0][0], "\ufeff")
	}
	return rows, nil
}

// xlsxLimits bound what an uploaded workbook may unpack to: an action log or a plan of
// a few thousand rows is a few megabytes of XML in a few dozen parts, and a zip bomb is
// refused before excelize (which holds the whole unpacked workbook in memory) expands it.
// The parts are held to 250 as well because each sheet costs work of its own: a sheet of
// one cell at A1048576 reads back as a million rows.
var xlsxLimits = zipcheck.Limits{Entries: 250, Uncompressed: 64 << 20}

// openXLSX checks an uploaded workbook's zip directory, then opens it. Its errors are
// safe to show.
func openXLSX(r io.Reader) (f *excelize.File, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUpload+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxUpload {
		return nil, errs.Field("file", "The workbook is larger than %d MB", MaxUpload>>20)
	}
	if _, err := zipcheck.Open(bytes.NewReader(data), int64(len(data)), xlsxLimits); err != nil {
		switch {
		case errors.Is(err, zipcheck.ErrTooLarge), errors.Is(err, zipcheck.ErrTooManyEntries):
			return nil, errs.Field("file", "The workbook unpacks to more than %d MB or %d parts, which no action log or plan needs: save the sheet alone as a new workbook and upload that",
				xlsxLimits.Uncompressed>>20, xlsxLimits.Entries)
		case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
			return nil, errs.Field("file", "The workbook is an old Excel .xls file or is protected by a password: save it as an Excel workbook (.xlsx) without a password and upload that")
		}
		return nil, errs.Field("file", "The file is not a readable Excel workbook (.xlsx)")
	}
	// excelize reports broken workbooks as errors, but guard against a panic on hostile input.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, errs.Field("file", "The file is not a readable Excel workbook (.xlsx)")
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxLimits.Uncompressed})
	if err != nil {
		return nil, errs.Field("file", "The file is not a readable Excel workbook (.xlsx)")
	}
	return f, nil
}

// readXLSX reads the first sheet's raw values: dates come as Excel serial numbers, not
// as whatever the sheet's number format would show.
func readXLSX(r io.Reader) (rows [][]string, err error) {
	f, err := openXLSX(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, errs.Field("file", "The first sheet cannot be read")
		}
	}()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errs.Field("file", "The workbook has no sheets")
	}
	rows, err = f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errs.Field("file", "The first sheet cannot be read: %v", err)
	}
	return rows, nil
}

// maxImportRows keeps one upload to a size a clerk can check in a preview.
const maxImportRows = 5000

func (s *Store) previewRows(ctx context.Context, boardID int64, rows [][]string, xlsx bool) (*ImportPreview, error) {
	p := &ImportPreview{BoardID: boardID, Rows: []ImportRow{}, Errors: []LineError{}}
	headerAt := -1
	for i, r := range rows {
		if !blank(r) {
			headerAt = i
			break
		}
	}
	if headerAt < 0 {
		p.Errors = append(p.Errors, LineError{Line: 1, Message: "the file is empty"})
		return p, nil
	}
	col := map[string]int{}
	for j, h := range rows[headerAt] {
		key := strings.ToLower(strings.Join(strings.Fields(strings.Trim(h, " '*:")), " "))
		if c, ok := importColumns[key]; ok {
			if _, dup := col[c]; !dup {
				col[c] = j
			}
		}
	}
	if _, ok := col["action"]; !ok {
		p.Errors = append(p.Errors, LineError{Line: headerAt + 1,
			Message: "no Action column: the first row must name the columns (ref, action, owner, due, status, update)"})
		return p, nil
	}
	if len(rows)-headerAt-1 > maxImportRows {
		p.Errors = append(p.Errors, LineError{Line: headerAt + 1 + maxImportRows + 1,
			Message: fmt.Sprintf("the file has more than %d rows: split it", maxImportRows)})
		return p, nil
	}
	cell := func(r []string, name string) string {
		j, ok := col[name]
		if !ok || j >= len(r) {
			return ""
		}
		v := strings.TrimSpace(r[j])
		if !xlsx && strings.HasPrefix(v, "'") && len(v) > 1 && strings.ContainsRune("=+-@", rune(v[1])) {
			v = v[1:]
		}
		return v
	}
	today := londonDay(s.now())
	seen := map[string]int{}
	for i := headerAt + 1; i < len(rows); i++ {
		r := rows[i]
		if blank(r) {
			continue
		}
		line := i + 1
		row := ImportRow{Line: line, Ref: strings.ToUpper(cell(r, "ref")), Text: cell(r, "action"), Update: cell(r, "update"), Changes: []string{}}
		bad := func(format string, args ...any) {
			p.Errors = append(p.Errors, LineError{Line: line, Message: fmt.Sprintf(format, args...)})
		}
		var current *Action
		if row.Ref != "" {
			if l, ok := seen[row.Ref]; ok {
				bad("%s is also on line %d: one row per action", row.Ref, l)
			}
			seen[row.Ref] = line
			a, err := s.ActionByRef(ctx, row.Ref)
			switch {
			case errs.Code(err) == errs.NotFound:
				bad("no action %s: leave the ref empty to add a new action", row.Ref)
			case err != nil:
				return nil, err
			case a.BoardID != boardID:
				bad("%s is an action of another board", row.Ref)
			default:
				current = a
				row.ActionID = a.ID
			}
		}
		if current == nil && row.Text == "" {
			bad("the action has no text")
		}
		if ownerText := cell(r, "owner"); ownerText != "" {
			owners, err := s.ResolveOwners(ctx, s.db, boardID, SplitOwners(ownerText))
			if err != nil {
				if errs.Code(err) != errs.Invalid {
					return nil, err
				}
				bad("%s", errs.Message(err))
			}
			row.Owners = owners
		} else if current == nil && row.Ref == "" {
			bad("the action has no owner: write initials, a handle, a role or an organisation")
		}
		if dueText := cell(r, "due"); dueText != "" {
			due, err := s.importDue(ctx, boardID, dueText, xlsx)
			if err != nil {
				bad("%s", err.Error())
			} else {
				row.Due = due
				if current == nil && due.Date != "" && due.Day().Before(today) {
					bad("the due date %s has passed: a new action must fall due from today", due.Day().Format("02/01/2006"))
				}
			}
		}
		if st := cell(r, "status"); st != "" {
			status, ok := ParseStatus(st)
			if !ok {
				bad("%q is not a status: write open, in progress, done or dropped", st)
			}
			row.Status = status
			if status == StatusDropped && row.Update == "" && (current == nil || current.Status != StatusDropped) {
				bad("say in the update column why the action is dropped")
			}
		}
		describe(&row, current)
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// describe lists, in words, what applying a row would change.
func describe(row *ImportRow, current *Action) {
	if current == nil {
		row.Changes = append(row.Changes, "new action")
		return
	}
	if row.Text != "" && row.Text != current.Text {
		row.Changes = append(row.Changes, "text")
	}
	if row.Owners != nil && !sameOwnerSet(row.Owners, current.Owners) {
		row.Changes = append(row.Changes, "owners")
	}
	if row.Due != nil && !sameDue(*row.Due, current.Due) {
		row.Changes = append(row.Changes, "due")
	}
	if row.Status != "" && row.Status != current.Status {
		row.Changes = append(row.Changes, "status: "+StatusLabel(row.Status))
	}
	if row.Update != "" && (current.LatestUpdate == nil || current.LatestUpdate.Text != row.Update) &&
		row.Status != StatusDone && row.Status != StatusDropped {
		row.Changes = append(row.Changes, "update")
	}
}

func sameOwnerSet(a, b []Owner) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].PersonID != b[i].PersonID || a[i].OrganisationID != b[i].OrganisationID || a[i].Group != b[i].Group {
			return false
		}
	}
	return true
}

// sameDue reports whether a due point read from a spreadsheet is the one an action has:
// an exported meeting due reads back as that meeting's day.
func sameDue(read, have Due) bool {
	if read.Next || have.Next {
		return read.Next == have.Next
	}
	return read.Day().Equal(have.Day())
}

var (
	dmy          = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$`)
	meetingOfDay = regexp.MustCompile(`(?i)^(?:the\s+)?meeting(?:\s+(?:of|on))?\s+(.+)$`)
)

// importDue reads a due cell: 30/04/2026, 2026-04-30, an Excel date, "next meeting", or
// "meeting of 14/05/2026" (the board's meeting that day).
func (s *Store) importDue(ctx context.Context, boardID int64, text string, xlsx bool) (*Due, error) {
	t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "by "))
	lower := strings.ToLower(t)
	if lower == "next meeting" || lower == "the next meeting" || lower == "next" {
		next, err := s.nextMeetingAfter(ctx, boardID, s.now())
		if err != nil {
			return nil, err
		}
		if next.id != 0 {
			return &Due{MeetingID: next.id, MeetingStartsAt: next.startsAt}, nil
		}
		return &Due{Next: true}, nil
	}
	if m := meetingOfDay.FindStringSubmatch(t); m != nil {
		day, ok := readDay(m[1], xlsx)
		if !ok {
			return nil, fmt.Errorf("cannot read %q as a meeting: write \"meeting of 14/05/2026\"", text)
		}
		var id int64
		var starts string
		err := s.db.QueryRowContext(ctx, `SELECT id, starts_at FROM meetings WHERE board_id = ? AND starts_at >= ? AND starts_at < ? AND status <> 'cancelled'
			ORDER BY starts_at LIMIT 1`, boardID, formatTime(day.Add(-12*time.Hour)), formatTime(day.Add(36*time.Hour))).Scan(&id, &starts)
		if db.IsNoRows(err) {
			return nil, fmt.Errorf("the board has no meeting on %s", day.Format("02/01/2006"))
		}
		if err != nil {
			return nil, err
		}
		if st := parseTime(starts); londonDay(st).Equal(day) {
			return &Due{MeetingID: id, MeetingStartsAt: st}, nil
		}
		return nil, fmt.Errorf("the board has no meeting on %s", day.Format("02/01/2006"))
	}
	day, ok := readDay(t, xlsx)
	if !ok {
		return nil, fmt.Errorf("cannot read the due %q: write a date as dd/mm/yyyy, or \"next meeting\"", text)
	}
	return &Due{Date: day.Format(time.DateOnly)}, nil
}

// readDay reads dd/mm/yyyy, d/m/yy, yyyy-mm-dd and, from a workbook, an Excel date serial.
func readDay(t string, xlsx bool) (time.Time, bool) {
	if m := dmy.FindStringSubmatch(t); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		if y < 100 {
			y += 2000
		}
		day := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, london)
		if mo < 1 || mo > 12 || day.Day() != d {
			return time.Time{}, false
		}
		return day, true
	}
	if day, err := time.ParseInLocation(time.DateOnly, t, london); err == nil {
		return day, true
	}
	if xlsx {
		if serial, err := strconv.ParseFloat(t, 64); err == nil && serial > 20000 && serial < 80000 {
			if tt, err := excelize.ExcelDateToTime(serial, false); err == nil {
				y, m, d := tt.Date()
				return time.Date(y, m, d, 0, 0, 0, 0, london), true
			}
		}
	}
	return time.Time{}, false
}

type meetingAt struct {
	id       int64
	startsAt time.Time
}

func (s *Store) nextMeetingAfter(ctx context.Context, boardID int64, t time.Time) (meetingAt, error) {
	var m meetingAt
	var starts string
	err := s.db.QueryRowContext(ctx, `SELECT id, starts_at FROM meetings WHERE board_id = ? AND starts_at > ? AND status <> 'cancelled'
		ORDER BY starts_at LIMIT 1`, boardID, formatTime(t)).Scan(&m.id, &starts)
	if db.IsNoRows(err) {
		return m, nil
	}
	m.startsAt = parseTime(starts)
	return m, err
}

func blank(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ApplyImport writes a preview, all of it in one transaction, and only when it has no
// errors. It answers how many actions it added and changed.
func (s *Store) ApplyImport(ctx context.Context, p *ImportPreview) (created, changed int, err error) {
	if p == nil {
		return 0, 0, errs.E(errs.Invalid, "Nothing to import")
	}
	if len(p.Errors) > 0 {
		return 0, 0, errs.E(errs.Invalid, "The spreadsheet has %d problems; nothing was imported. Correct them and upload it again.", len(p.Errors))
	}
	err = db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		st := newTxn(tx)
		for _, row := range p.Rows {
			if row.ActionID == 0 {
				a := &Action{BoardID: p.BoardID, Text: row.Text, Owners: row.Owners, Status: StatusOpen}
				if row.Due != nil {
					a.Due = *row.Due
				}
				if err := a.Validate(); err != nil {
					return fmt.Errorf("line %d: %w", row.Line, err)
				}
				if err := s.create(ctx, st, a, s.now()); err != nil {
					return fmt.Errorf("line %d: %w", row.Line, err)
				}
				row.ActionID = a.ID
				created++
			} else if len(row.Changes) > 0 {
				changed++
			}
			if err := s.applyRow(ctx, tx, p.BoardID, row); err != nil {
				return fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, changed, nil
}

// applyRow writes one row's changes to an existing (or just created) action.
func (s *Store) applyRow(ctx context.Context, tx *sql.Tx, boardID int64, row ImportRow) error {
	before, err := s.action(ctx, tx, row.ActionID)
	if err != nil {
		return err
	}
	if before.BoardID != boardID {
		return errs.E(errs.Invalid, "%s is an action of another board", before.Ref)
	}
	now := formatTime(s.now())
	after := *before
	edited := false
	if row.Text != "" && row.Text != before.Text {
		after.Text, edited = row.Text, true
	}
	if row.Due != nil && !sameDue(*row.Due, before.Due) {
		after.Due, edited = *row.Due, true
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET due_date = ?, due_meeting_id = ?, due_next = ?, due_after = ? WHERE id = ?`,
			row.Due.Date, nullID(row.Due.MeetingID), row.Due.Next, map[bool]string{true: now}[row.Due.Next], row.ActionID); err != nil {
			return err
		}
	}
	if row.Owners != nil && !sameOwnerSet(row.Owners, before.Owners) {
		after.Owners, edited = row.Owners, true
		if err := writeOwners(ctx, tx, row.ActionID, row.Owners); err != nil {
			return err
		}
	}
	if edited {
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET text = ?, updated_at = ? WHERE id = ?`, after.Text, now, row.ActionID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "action.import", "action", row.ActionID, before, after); err != nil {
			return err
		}
	}
	switch {
	case row.Status == StatusDone && before.Status != StatusDone:
		note := row.Update
		if note == "" {
			note = "Marked done in an imported spreadsheet."
		}
		return s.complete(ctx, tx, row.ActionID, note, 0, "", nil)
	case row.Status == StatusDropped && before.Status != StatusDropped:
		return s.drop(ctx, tx, row.ActionID, row.Update)
	}
	if row.Update != "" && (before.LatestUpdate == nil || before.LatestUpdate.Text != row.Update) {
		u := &Update{ActionID: row.ActionID, Text: row.Update, Author: audit.ActorFrom(ctx).Name, CreatedAt: s.now().UTC().Truncate(time.Second)}
		if err := u.Validate(); err != nil {
			return err
		}
		if err := s.addUpdate(ctx, tx, u); err != nil {
			return err
		}
	}
	if (row.Status == StatusOpen || row.Status == StatusInProgress) && row.Status != before.Status {
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = ?, dropped_reason = '', dropped_at = '', completed_at = '', completed_note = '',
			completion_document_id = NULL, completion_key = '', updated_at = ? WHERE id = ?`, row.Status, now, row.ActionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "action.status", "action", row.ActionID, map[string]string{"status": before.Status}, map[string]string{"status": row.Status})
	}
	return nil
}
