package meetings

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"quorum/internal/pdffont"
)

// The parts of the pack meetings renders itself: the cover with the agenda, the slip
// page that heads each paper, and sample papers for tests, benchmarks and the demo.

// PackCover is what the cover and agenda show.
type PackCover struct {
	Board   *Board
	Meeting *Meeting
	Members []Membership // current members, shown with their organisations
	Heading string       // "Agenda pack", "Supplement 1"
	Note    string       // under the heading: "Restricted: not for publication", "Version 2"
	Lines   []AgendaLine
}

// AgendaLine is one line of the printed agenda.
type AgendaLine struct {
	Number    string
	Title     string
	Purpose   string
	Presenter string
	Sub       bool
	Note      string // "Exempt: information about individuals (paragraph 1)"
	Page      int    // where the item's papers start; 0 for none
	Starts    string // on the printed agenda: when the item is due to start ("10.20 am")
	Minutes   int    // the time given to the item; 0 for none set
	Papers    []AgendaPaper
}

// AgendaPaper is a paper listed under its item, with the page it starts at.
type AgendaPaper struct {
	Title string
	Page  int
}

const (
	coverW      = 210.0
	coverH      = 297.0
	coverLeft   = 20.0
	coverRight  = 20.0
	coverTop    = 22.0
	coverBottom = 20.0
)

// sheet lays out text on an A4 document, a line at a time, wrapping words.
type sheet struct {
	d *pdffont.Doc
	y float64
}

func newSheet(latin bool) *sheet {
	var d *pdffont.Doc
	if latin {
		d = pdffont.NewLatin("P")
	} else {
		d = pdffont.New("P")
	}
	d.SetMargins(coverLeft, coverTop, coverRight)
	d.SetAutoPageBreak(false, 0)
	d.SetCreationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	d.SetCompression(false)
	s := &sheet{d: d}
	s.page()
	return s
}

func (s *sheet) page() {
	s.d.AddPage()
	s.y = coverTop
}

// need starts a new page unless h mm are left.
func (s *sheet) need(h float64) {
	if s.y+h > coverH-coverBottom {
		s.page()
	}
}

// wrap breaks text into lines no wider than w mm.
func (s *sheet) wrap(style string, size float64, text string, w float64) []string {
	text = pdffont.Clean(text)
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
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

// text writes wrapped text at x, w mm wide, and moves down.
func (s *sheet) text(style string, size float64, x, w float64, text string) {
	lh := size * 0.45
	for _, l := range s.wrap(style, size, text, w) {
		s.need(lh)
		s.d.SetFont(pdffont.Family, style, size)
		s.y += lh
		s.d.Text(x, s.y, l)
	}
}

func (s *sheet) right(style string, size float64, xRight, y float64, text string) {
	s.d.SetFont(pdffont.Family, style, size)
	s.d.Text(xRight-s.d.Width(style, size, text), y, text)
}

func (s *sheet) rule() {
	s.y += 2
	s.d.SetDrawColor(160, 160, 160)
	s.d.SetLineWidth(0.2)
	s.d.Line(coverLeft, s.y, coverW-coverRight, s.y)
	s.y += 3
}

func (s *sheet) output() ([]byte, int, error) {
	n := s.d.PageNo()
	var buf bytes.Buffer
	if err := s.d.Output(&buf); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, nil
}

// ukTime is "10.00 am".
func ukTime(t time.Time) string {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	ampm := "am"
	if t.Hour() >= 12 {
		ampm = "pm"
	}
	return fmt.Sprintf("%d.%02d %s", h, t.Minute(), ampm)
}

// RenderCover renders the cover and the agenda, and says how many pages they take.
func RenderCover(c PackCover) ([]byte, int, error) {
	out, n, missed, err := renderCover(c, true)
	if err == nil && missed {
		out, n, _, err = renderCover(c, false)
	}
	return out, n, err
}

func renderCover(c PackCover, latin bool) (out []byte, n int, missed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render cover: %v", r)
		}
	}()
	s := newSheet(latin)
	heading := c.Heading
	if heading == "" {
		heading = "Agenda pack"
	}
	s.head(c, heading)
	s.page()
	s.text("B", 15, coverLeft, coverW-coverLeft-coverRight, "Agenda")
	s.y += 1
	s.agenda(c.Lines, "Page")
	out, n, err = s.output()
	return out, n, s.d.Missed(), err
}

// head writes what the top of an agenda says: the board, the heading and note, when and
// where, the notice to partners, the clerk and the membership.
func (s *sheet) head(c PackCover, heading string) {
	m, b := c.Meeting, c.Board
	full := coverW - coverLeft - coverRight
	start := m.StartsAt.In(London)
	s.text("B", 20, coverLeft, full, b.Name)
	s.y += 3
	s.text("B", 15, coverLeft, full, heading)
	if c.Note != "" {
		s.text("I", 11, coverLeft, full, c.Note)
	}
	s.y += 4
	when := start.Format("Monday 2 January 2006") + " at " + ukTime(start)
	if !m.EndsAt.IsZero() {
		when += " to " + ukTime(m.EndsAt.In(London))
	}
	for _, kv := range [][2]string{{"Date and time", when}, {ModeLabel(m.Mode) + " meeting", orText(m.Place, "Place to be confirmed")}} {
		s.text("B", 10.5, coverLeft, full, kv[0])
		s.text("", 10.5, coverLeft, full, kv[1])
		s.y += 1.5
	}
	if m.Notice != "" {
		s.text("I", 10.5, coverLeft, full, m.Notice)
	}
	if b.ClerkName != "" {
		s.text("B", 10.5, coverLeft, full, "Clerk")
		contact := b.ClerkName
		if b.ClerkEmail != "" {
			contact += ", " + b.ClerkEmail
		}
		s.text("", 10.5, coverLeft, full, contact)
	}
	if len(c.Members) > 0 {
		s.rule()
		s.text("B", 12, coverLeft, full, "Membership")
		s.y += 1
		for _, mb := range c.Members {
			if mb.Role == "clerk" {
				continue
			}
			name := mb.PersonName
			if mb.Role != "member" {
				name += " (" + RoleLabel(mb.Role) + ")"
			}
			org := mb.OrganisationName
			if mb.JobTitle != "" {
				org = strings.TrimPrefix(mb.JobTitle+", "+org, ", ")
				org = strings.TrimSuffix(org, ", ")
			}
			y0 := s.y
			s.text("", 9.5, coverLeft, 70, name)
			y1 := s.y
			s.y = y0
			s.text("", 9.5, coverLeft+72, full-72, org)
			s.y = max(s.y, y1) + 0.8
		}
	}
}

// agenda writes the agenda's items under a header of "Item" and the right-hand column:
// "Page" in the pack (where each item's papers start), "Time" on the printed agenda (when
// each item is due to start).
func (s *sheet) agenda(lines []AgendaLine, column string) {
	s.d.SetFont(pdffont.Family, "B", 9)
	s.d.Text(coverLeft, s.y+4, "Item")
	s.right("B", 9, coverW-coverRight, s.y+4, column)
	s.y += 5
	s.rule()
	pageX := coverW - coverRight
	gutter := 16.0
	for _, l := range lines {
		if l.Starts != "" {
			gutter = 24
		}
	}
	for _, l := range lines {
		s.need(12)
		x := coverLeft + 12
		if l.Sub {
			x += 6
		}
		w := pageX - gutter - x
		y0 := s.y
		s.d.SetFont(pdffont.Family, "B", 10.5)
		s.d.Text(coverLeft, y0+10.5*0.45, l.Number)
		switch {
		case l.Page > 0:
			s.right("", 10.5, pageX, y0+10.5*0.45, strconv.Itoa(l.Page))
		case l.Starts != "":
			s.right("", 10.5, pageX, y0+10.5*0.45, l.Starts)
		}
		s.text("B", 10.5, x, w, l.Title)
		var sub []string
		if l.Purpose != "" {
			sub = append(sub, upperFirst(l.Purpose))
		}
		if l.Presenter != "" {
			sub = append(sub, l.Presenter)
		}
		if l.Minutes > 0 {
			sub = append(sub, minutesLabel(l.Minutes))
		}
		if len(sub) > 0 {
			s.text("", 9.5, x, w, strings.Join(sub, " – "))
		}
		if l.Note != "" {
			s.text("I", 9.5, x, w, l.Note)
		}
		for _, p := range l.Papers {
			y := s.y
			s.text("", 9.5, x+4, w-4, "Paper: "+p.Title)
			if p.Page > 0 {
				s.right("", 9.5, pageX, y+9.5*0.45, strconv.Itoa(p.Page))
			}
		}
		s.y += 2.5
	}
}

func minutesLabel(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return strconv.Itoa(n) + " minutes"
}

func orText(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// RenderSlip renders the page that heads a paper: its item and title. note says more
// ("Supplement: added after the agenda was published", "Exempt: not for publication").
func RenderSlip(number, itemTitle, paperTitle, note string) ([]byte, error) {
	out, missed, err := renderSlip(number, itemTitle, paperTitle, note, true)
	if err == nil && missed {
		out, _, err = renderSlip(number, itemTitle, paperTitle, note, false)
	}
	return out, err
}

func renderSlip(number, itemTitle, paperTitle, note string, latin bool) (out []byte, missed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render slip: %v", r)
		}
	}()
	s := newSheet(latin)
	full := coverW - coverLeft - coverRight
	s.y = 110
	s.text("B", 24, coverLeft, full, "Item "+number)
	s.y += 4
	s.text("B", 16, coverLeft, full, itemTitle)
	s.y += 4
	s.text("", 13, coverLeft, full, paperTitle)
	if note != "" {
		s.y += 4
		s.text("I", 11, coverLeft, full, note)
	}
	out, _, err = s.output()
	return out, s.d.Missed(), err
}

// Paper sizes for SamplePaper, in mm: width, height.
var (
	SizeA4          = [2]float64{210, 297}
	SizeA4Landscape = [2]float64{297, 210}
	SizeA3          = [2]float64{297, 420}
)

// SamplePaper renders a paper of n pages of the given size, each page saying its title
// and its own page number ("Sample paper, page 3"), for tests, benchmarks and the demo.
func SamplePaper(title string, n int, size [2]float64) []byte {
	d := pdffont.NewLatin("P")
	d.SetAutoPageBreak(false, 0)
	d.SetCreationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	orient := "P"
	if size[0] > size[1] {
		orient = "L"
	}
	for i := 1; i <= n; i++ {
		d.AddPageFormat(orient, pdffontSize(size))
		d.SetFont(pdffont.Family, "B", 16)
		d.Text(20, 30, fmt.Sprintf("%s, page %d", title, i))
		d.SetFont(pdffont.Family, "", 10.5)
		y := 42.0
		for l := 0; l < 40 && y < size[1]-20; l++ {
			d.Text(20, y, fmt.Sprintf("Line %d of page %d of %s: partners noted the update and agreed the next steps.", l+1, i, title))
			y += 5.5
		}
	}
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// pdffontSize is a page size as fpdf takes it: portrait, turned by the orientation.
func pdffontSize(size [2]float64) fpdf.SizeType {
	return fpdf.SizeType{Wd: min(size[0], size[1]), Ht: max(size[0], size[1])}
}
