package actions

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"quorum/internal/pdffont"
)

// The action log and the list of documents circulated since the last meeting, as parts
// of a meeting's agenda pack (which meetings puts together; internal/pack gathers them).

const (
	logW      = 210.0
	logH      = 297.0
	logLeft   = 15.0
	logRight  = 15.0
	logTop    = 22.0
	logBottom = 18.0
)

// logSheet lays out rows of text on A4, wrapping words in columns.
type logSheet struct {
	d *pdffont.Doc
	y float64
}

func newLogSheet(latin bool) *logSheet {
	d := pdffont.NewLatin("P")
	if !latin {
		d = pdffont.New("P")
	}
	d.SetAutoPageBreak(false, 0)
	d.SetCreationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	s := &logSheet{d: d}
	s.d.AddPage()
	s.y = logTop
	return s
}

func (s *logSheet) wrap(style string, size float64, text string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(pdffont.Clean(text), "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := strings.TrimPrefix(line+" "+word, " ")
			if line != "" && s.d.Width(style, size, try) > w {
				lines = append(lines, line)
				line = word
				continue
			}
			line = try
		}
		lines = append(lines, line)
	}
	return lines
}

func (s *logSheet) heading(style string, size float64, text string) {
	for _, l := range s.wrap(style, size, text, logW-logLeft-logRight) {
		s.y += size * 0.45
		s.d.SetFont(pdffont.Family, style, size)
		s.d.Text(logLeft, s.y, l)
	}
	s.y += 2
}

type column struct {
	title string
	w     float64
}

// row writes one table row: cells wrapped in their columns, a new page (with the header
// again) when it doesn't fit.
func (s *logSheet) row(cols []column, cells []string, style string, header func()) {
	const size, lh = 9.0, 4.2
	wrapped := make([][]string, len(cells))
	n := 1
	for i, c := range cells {
		wrapped[i] = s.wrap(style, size, c, cols[i].w-2)
		n = max(n, len(wrapped[i]))
	}
	if s.y+float64(n)*lh+2 > logH-logBottom && header != nil {
		s.d.AddPage()
		s.y = logTop
		header()
	}
	s.d.SetFont(pdffont.Family, style, size)
	x := logLeft
	for i, lines := range wrapped {
		for j, l := range lines {
			s.d.Text(x, s.y+float64(j+1)*lh, l)
		}
		x += cols[i].w
	}
	s.y += float64(n)*lh + 1.5
	s.d.SetDrawColor(190, 190, 190)
	s.d.SetLineWidth(0.15)
	s.d.Line(logLeft, s.y, logW-logRight, s.y)
	s.y += 1
}

func (s *logSheet) output() ([]byte, error) {
	var buf bytes.Buffer
	err := s.d.Output(&buf)
	return buf.Bytes(), err
}

// LogPDF renders the action log for a meeting's pack: the open actions as OpenForMeeting
// gives them (due at or before the meeting first), with how often each was carried
// forward.
func LogPDF(boardName string, meeting time.Time, open []Action) ([]byte, error) {
	out, missed, err := logPDF(boardName, meeting, open, true)
	if err == nil && missed {
		out, _, err = logPDF(boardName, meeting, open, false)
	}
	return out, err
}

func logPDF(boardName string, meeting time.Time, open []Action, latin bool) (out []byte, missed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("action log PDF: %v", r)
		}
	}()
	s := newLogSheet(latin)
	s.heading("B", 15, "Action log")
	s.heading("", 10.5, boardName+": open actions for the meeting of "+meeting.In(london).Format("2 January 2006"))
	due, carried := 0, 0
	for _, a := range open {
		if a.DueAtMeeting {
			due++
		}
		if a.CarriedForward > 0 {
			carried++
		}
	}
	s.heading("", 10.5, fmt.Sprintf("%d open, %d due at this meeting, %d carried forward from an earlier meeting.", len(open), due, carried))
	cols := []column{{"Ref", 24}, {"Action", 78}, {"Owner", 32}, {"Due", 22}, {"Carried", 24}}
	header := func() {
		titles := make([]string, len(cols))
		for i, c := range cols {
			titles[i] = c.title
		}
		s.row(cols, titles, "B", nil)
	}
	header()
	if len(open) == 0 {
		s.heading("I", 10, "No actions are open.")
	}
	for _, a := range open {
		text := a.Text
		if a.LatestUpdate != nil && a.LatestUpdate.Text != "" {
			text += "\nLatest: " + a.LatestUpdate.Text
		}
		dueText := a.Due.String()
		if a.DueAtMeeting {
			dueText += " (due now)"
		}
		times := ""
		if a.CarriedForward > 0 {
			times = strconv.Itoa(a.CarriedForward) + " time"
			if a.CarriedForward > 1 {
				times += "s"
			}
		}
		s.row(cols, []string{a.Ref, text, a.OwnerNames(), dueText, times}, "", header)
	}
	out, err = s.output()
	return out, s.d.Missed(), err
}

// CirculatedPDF renders the list of documents circulated to the board since its last
// meeting: the dissemination actions completed with a document.
func CirculatedPDF(boardName string, since time.Time, done []Action) ([]byte, error) {
	out, missed, err := circulatedPDF(boardName, since, done, true)
	if err == nil && missed {
		out, _, err = circulatedPDF(boardName, since, done, false)
	}
	return out, err
}

func circulatedPDF(boardName string, since time.Time, done []Action, latin bool) (out []byte, missed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("circulated PDF: %v", r)
		}
	}()
	s := newLogSheet(latin)
	s.heading("B", 15, "Circulated since the last meeting")
	intro := boardName + ": documents circulated to the board"
	if !since.IsZero() {
		intro += " since " + since.In(london).Format("2 January 2006")
	}
	s.heading("", 10.5, intro+".")
	cols := []column{{"Ref", 24}, {"Action", 86}, {"From", 40}, {"Circulated", 30}}
	header := func() { s.row(cols, []string{"Ref", "Action", "From", "Circulated"}, "B", nil) }
	header()
	if len(done) == 0 {
		s.heading("I", 10, "Nothing was circulated.")
	}
	for _, a := range done {
		text := a.Text
		if a.CompletedNote != "" {
			text += "\n" + a.CompletedNote
		}
		s.row(cols, []string{a.Ref, text, a.OwnerNames(), a.CompletedAt.In(london).Format("02/01/2006")}, "", header)
	}
	out, err = s.output()
	return out, s.d.Missed(), err
}
