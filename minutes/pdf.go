package minutes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"quorum/internal/pdffont"
)

// The page, in millimetres: the minute number stands in the left margin, the text in a
// column of about three quarters of the width, and the owners of actions in an "Action"
// column on the right, level with the line that names them, as boards print their minutes.
const (
	pageW, pageH  = 210.0, 297.0
	marginLeft    = 18.0
	marginRight   = 15.0
	marginTop     = 16.0
	pageBottom    = pageH - 20.0
	numberX       = marginLeft      // minute numbers
	textX         = marginLeft + 14 // the text column
	actionX       = 160.0           // the Action column
	textW         = actionX - 5 - textX
	actionW       = pageW - marginRight - actionX
	fullW         = pageW - marginRight - textX // tables and the attendance may use the Action column too
	bodySize      = 10.5
	lineH         = 5.0
	paraGap       = 2.6
	indentStep    = 6.0
	maxPDFSource  = 2 << 20
	signatureDots = "................................................"
)

// RenderPDF renders minutes written in the dialect, front matter and body, as the minutes
// PDF. The same src always gives the same bytes.
func RenderPDF(w io.Writer, src []byte) error {
	if len(src) > maxPDFSource {
		return errors.New("minutes over 2 MB")
	}
	fm, body, _, err := SplitFrontMatter(src)
	if err != nil {
		return err
	}
	return WritePDF(w, fm, body)
}

// WritePDF writes the minutes PDF for the meeting fm describes from the markdown body.
// Characters the font can't draw (emoji) are replaced; a fault while laying out becomes an
// error, never a panic.
func WritePDF(w io.Writer, fm FrontMatter, body []byte) (err error) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("rendering the minutes PDF: %v", e)
		}
	}()
	if !utf8.Valid(body) {
		body = []byte(strings.ToValidUTF8(string(body), "?"))
	}
	// The Latin faces are built once per process and copied into the file as they are; only
	// minutes with a character outside them (Welsh ŵ, Polish ł, Greek) are set in the UTF-8
	// faces, which are cut to the characters used as the file is written.
	latin := latinMinutes(fm, body)
	r := newRenderer(fm, body, latin)
	r.render()
	if r.p.Missed() { // a character latinMinutes didn't foresee
		r = newRenderer(fm, body, false)
		r.render()
	}
	if err := r.p.Output(w); err != nil {
		return fmt.Errorf("rendering the minutes PDF: %w", err)
	}
	return nil
}

// latinMinutes reports whether the minutes can be set in pdffont's Latin faces: whether
// every character of the front matter and body is in Windows-1252 (or one Clean replaces).
func latinMinutes(fm FrontMatter, body []byte) bool {
	latin := pdffont.InLatin
	if !latin(string(body)) || !latin(fm.Board) || !latin(fm.Place) || !latin(fm.Ended) ||
		!latin(fm.SignedBy) || !latin(fm.ApprovedAt) || !latin(fm.Status) {
		return false
	}
	for _, people := range [][]Person{fm.Present, fm.AlsoPresent, fm.Apologies} {
		for _, p := range people {
			if !latin(p.Name) || !latin(p.Role) || !latin(p.Organisation) || !latin(p.SubstitutingFor) {
				return false
			}
		}
	}
	return true
}

func (r *renderer) render() {
	r.header()
	r.blocks(r.doc, 0)
	r.closing()
}

var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

type renderer struct {
	p       *pdffont.Doc
	fm      FrontMatter
	src     []byte
	doc     ast.Node
	items   map[int]Item // agenda item headings by the line they stand on
	lineAt  []int        // byte offset where each line of src starts
	inQuote bool         // inside a block quote: italic text
}

func newRenderer(fm FrontMatter, body []byte, latin bool) *renderer {
	r := &renderer{fm: fm, src: body, items: map[int]Item{}}
	r.lineAt = append(r.lineAt, 0)
	for i, c := range body {
		if c == '\n' {
			r.lineAt = append(r.lineAt, i+1)
		}
	}
	for _, it := range Parse(body, Options{MeetingDate: fm.Meeting}).Items {
		r.items[it.Line] = it
	}
	r.doc = markdown.Parser().Parse(text.NewReader(body))

	newDoc := pdffont.New
	if latin {
		newDoc = pdffont.NewLatin
	}
	p := newDoc("P")
	r.p = p
	p.SetMargins(marginLeft, marginTop, marginRight)
	p.SetAutoPageBreak(false, 0) // page breaks are ours, so the Action column stays level
	p.AliasNbPages("{nb}")
	title := "Minutes"
	if fm.Board != "" {
		title = fm.Board + ": minutes"
	}
	if !fm.Meeting.IsZero() {
		title += " of " + fm.Meeting.Format("2 January 2006")
		p.SetCreationDate(fm.Meeting)
		p.SetModificationDate(fm.Meeting)
	}
	p.SetTitle(pdffont.Clean(title), true)
	p.SetAuthor(pdffont.Clean(orDefault(fm.Board, "Quorum")), true)
	p.SetSubject(pdffont.Clean(r.heldLine()), true)
	p.SetCreator("Quorum", true)
	p.SetKeywords("minutes "+fm.Status, true)
	p.SetHeaderFunc(r.pageHeader)
	p.SetFooterFuncLpi(r.pageFooter)
	p.AddPage()
	return r
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// heldLine is "Minutes of the meeting held at 10.00 am on 25 March 2026".
func (r *renderer) heldLine() string {
	if r.fm.Meeting.IsZero() {
		return "Minutes of the meeting"
	}
	return "Minutes of the meeting held at " + clock(r.fm.Meeting) + " on " + r.fm.Meeting.Format("2 January 2006")
}

// clock writes a time as UK minutes do: "10.00 am", "2.30 pm".
func clock(t time.Time) string {
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

func (r *renderer) pageHeader() {
	if r.fm.Status == StatusApproved {
		return
	}
	// Drawn first, so the text lies over it; drawn as strokes, not text, so that copying
	// the minutes (or pdftotext) doesn't pick up stray letters of it. The same on every page,
	// so written out once per process, wrapped in q … Q so that it changes nothing after it.
	r.p.RawWriteStr(draftMarkOps())
	r.p.SetLineWidth(0.2)
	r.p.SetDrawColor(0, 0, 0)
}

var draftMarkOps = sync.OnceValue(func() string {
	const unit = 30.0 // letter height is 1.4 units
	const k = 72 / 25.4
	var b []byte
	f := func(v float64) { b = strconv.AppendFloat(b, v, 'f', 2, 64) }
	b = append(b, "q\n0.894 G\n"...)   // light grey
	f(5 * k)                           // line width 5 mm
	b = append(b, " w\n1 J\n1 j\n"...) // round caps and joins
	// Turned 55° about the middle of the page.
	a := 55 * math.Pi / 180
	cx, cy := pageW/2*k, pageH/2*k
	cos, sin := math.Cos(a), math.Sin(a)
	for _, v := range []float64{cos, sin, -sin, cos, cx + sin*cy - cos*cx, cy - cos*cy - sin*cx} {
		b = strconv.AppendFloat(b, v, 'f', 5, 64)
		b = append(b, ' ')
	}
	b = append(b, "cm\n"...)
	x := pageW/2 - unit*(5*0.9+4*0.35)/2
	y := pageH/2 - unit*0.7
	for _, strokes := range draftLetters {
		for _, st := range strokes {
			for i := 0; i+1 < len(st); i += 2 {
				f((x + st[i]*unit) * k)
				b = append(b, ' ')
				f((pageH - (y + st[i+1]*unit)) * k)
				if i == 0 {
					b = append(b, " m\n"...)
				} else {
					b = append(b, " l\n"...)
				}
			}
			b = append(b, "S\n"...)
		}
		x += unit * (0.9 + 0.35)
	}
	b = append(b, 'Q')
	return string(b)
})

// draftLetters are D, R, A, F, T as polylines (x, y pairs; y down) in a 0.9 × 1.4 box.
var draftLetters = [][][]float64{
	{{0, 0, 0, 1.4, 0.4, 1.4, 0.7, 1.3, 0.86, 1.05, 0.9, 0.7, 0.86, 0.35, 0.7, 0.1, 0.4, 0, 0, 0}},
	{{0, 1.4, 0, 0, 0.5, 0, 0.76, 0.08, 0.86, 0.35, 0.76, 0.62, 0.5, 0.7, 0, 0.7}, {0.45, 0.7, 0.9, 1.4}},
	{{0, 1.4, 0.45, 0, 0.9, 1.4}, {0.16, 0.92, 0.74, 0.92}},
	{{0.85, 0, 0, 0, 0, 1.4}, {0, 0.66, 0.68, 0.66}},
	{{0, 0, 0.9, 0}, {0.45, 0, 0.45, 1.4}},
}

func (r *renderer) pageFooter(last bool) {
	p := r.p
	p.SetFont(pdffont.Family, "", 8.5)
	p.SetTextColor(90, 90, 90)
	left := r.fm.Board
	if !r.fm.Meeting.IsZero() {
		left = strings.TrimPrefix(left+" – "+r.fm.Meeting.Format("2 January 2006"), " – ")
	}
	p.Text(marginLeft, pageH-11, pdffont.Clean(left))
	page := fmt.Sprintf("Page %d of {nb}", p.PageNo())
	p.Text(pageW-marginRight-p.Width("", 8.5, fmt.Sprintf("Page %d of %d", p.PageNo(), p.PageNo())), pageH-11, page)
	p.SetTextColor(0, 0, 0)
	if last {
		pdffont.Prune(p) // in the UTF-8 faces, embed only those used: each costs milliseconds to write
	}
}

// need starts a new page unless h millimetres are left on this one.
func (r *renderer) need(h float64) {
	if r.p.GetY()+h > pageBottom {
		r.p.AddPage()
		r.p.SetY(marginTop)
	}
}

func (r *renderer) gap(h float64) {
	if r.p.GetY() > marginTop+0.1 {
		r.p.SetY(r.p.GetY() + h)
	}
}

// header writes the board, the meeting and who attended.
func (r *renderer) header() {
	p := r.p
	p.SetY(marginTop)
	if r.fm.Board != "" {
		r.centred(strings.ToUpper(r.fm.Board), "B", 14, 7)
		r.gap(2)
	}
	r.centred(r.heldLine(), "", 11.5, 6)
	if r.fm.Place != "" {
		r.centred(r.fm.Place, "", 11.5, 6)
	}
	r.gap(4)
	r.attendance("Present:", r.fm.Present)
	r.attendance("Also Present:", r.fm.AlsoPresent)
	r.attendance("Apologies:", r.fm.Apologies)
	r.gap(2)
}

func (r *renderer) centred(s, style string, size, h float64) {
	runs := []run{{text: s, style: style, size: size}}
	for _, l := range r.breakLines(runs, fullW+textX-marginLeft) {
		r.need(h)
		y := r.p.GetY()
		r.drawLine(l, marginLeft+(pageW-marginLeft-marginRight-l.width)/2, y+h*0.75)
		r.p.SetY(y + h)
	}
}

func (r *renderer) attendance(label string, people []Person) {
	if len(people) == 0 {
		return
	}
	r.gap(2)
	r.need(2 * lineH)
	r.paragraph([]run{{text: label, style: "B"}}, marginLeft, fullW+textX-marginLeft, nil)
	for _, pp := range people {
		name := strings.TrimSpace(pp.Name)
		if role := strings.TrimSpace(pp.Role); role != "" {
			name += " (" + role + ")"
		}
		rest := ""
		if s := strings.TrimSpace(pp.SubstitutingFor); s != "" {
			rest += " (substituting for " + s + ")"
		}
		if o := strings.TrimSpace(pp.Organisation); o != "" {
			rest += ", " + o
		}
		runs := []run{{text: name}, {text: rest}}
		if isChairRole(pp.Role) {
			runs[0].style = "B" // the chair and vice-chair stand out
		}
		r.paragraph(runs, textX, fullW, nil)
	}
}

func isChairRole(role string) bool {
	role = strings.ToLower(strings.TrimSpace(role))
	return role == "chair" || role == "chairman" || role == "chairwoman" || role == "vice-chair" ||
		role == "vice chair" || role == "vice-chairman" || role == "vice chairman"
}

// closing writes when the meeting ended and the chair's signature line.
func (r *renderer) closing() {
	r.gap(paraGap * 2)
	if e := strings.TrimSpace(r.fm.Ended); e != "" {
		r.need(lineH * 6)
		r.paragraph([]run{{text: "The meeting ended at " + e}}, textX, textW, nil)
	}
	r.need(lineH * 5)
	r.p.SetY(r.p.GetY() + lineH*2.5)
	sig := "Chair " + signatureDots + "    Date " + signatureDots[:20]
	if r.fm.Status == StatusApproved && strings.TrimSpace(r.fm.SignedBy) != "" {
		sig = "Signed as a correct record: " + strings.TrimSpace(r.fm.SignedBy) + " (Chair)"
		if a := strings.TrimSpace(r.fm.ApprovedAt); a != "" {
			sig += ", " + a
		}
	}
	r.paragraph([]run{{text: sig}}, textX, fullW, nil)
}

// blocks writes the block children of n, indented by indent.
func (r *renderer) blocks(n ast.Node, indent float64) {
	afterResolved := false
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		resolved := false
		switch c := c.(type) {
		case *ast.Heading:
			r.heading(c)
		case *ast.Paragraph, *ast.TextBlock:
			resolved = r.paragraphNode(c, indent)
		case *ast.List:
			r.list(c, indent, afterResolved)
		case *ast.Blockquote:
			r.quote(c, indent)
		case *east.Table:
			r.table(c, indent)
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			r.verbatim(c, indent)
		case *ast.ThematicBreak:
			r.gap(paraGap)
			r.need(lineH)
			y := r.p.GetY() + lineH/2
			r.p.SetDrawColor(150, 150, 150)
			r.p.Line(textX+indent, y, textX+textW, y)
			r.p.SetY(y + lineH/2)
		default:
			r.blocks(c, indent)
		}
		afterResolved = resolved
	}
}

var headingNumber = regexp.MustCompile(`^(\d+\s*[a-zA-Z]?|\d+\([a-zA-Z]\))[.)]?\s+`)

func (r *renderer) heading(h *ast.Heading) {
	line := r.lineOf(h)
	it, isItem := r.items[line]
	var title []run
	margin := ""
	if isItem {
		margin = orDefault(it.Minute, it.Number)
		title = []run{{text: it.Title, style: "B"}}
	} else {
		title = r.inlines(h, "B")
		if rm := headingNumber.FindString(plain(title)); rm != "" && h.Level <= 3 {
			// A numbered heading the dialect didn't take (an error there): still number it.
			margin = strings.TrimRight(strings.TrimSpace(rm), ".)")
			title = trimRunsPrefix(title, len(rm))
		}
	}
	for i := range title {
		title[i].style = addStyle(title[i].style, "B")
		if h.Level <= 2 {
			title[i].text = strings.ToUpper(title[i].text)
		}
	}
	r.gap(paraGap * 2.2)
	r.need(lineH*5 + paraGap) // keep a heading with the text under it
	y := r.p.GetY()
	if margin != "" {
		r.setFont("B", bodySize)
		r.p.Text(numberX, y+lineH*0.75, pdffont.Clean(margin))
	}
	if isItem || margin != "" {
		r.setFont("B", bodySize)
		r.p.Text(actionX, y+lineH*0.75, "Action")
	}
	x := textX
	if h.Level == 1 && margin == "" {
		for i := range title {
			title[i].size = 12.5
		}
	}
	r.paragraph(title, x, textW, nil)
	r.p.SetY(r.p.GetY() + 1)
}

func plain(runs []run) string {
	var b strings.Builder
	for _, r := range runs {
		b.WriteString(r.text)
	}
	return b.String()
}

func trimRunsPrefix(runs []run, n int) []run {
	for len(runs) > 0 && n > 0 {
		if len(runs[0].text) <= n {
			n -= len(runs[0].text)
			runs = runs[1:]
			continue
		}
		runs[0].text = runs[0].text[n:]
		n = 0
	}
	return runs
}

// lineOf is the 1-based line of the body where block n starts.
func (r *renderer) lineOf(n ast.Node) int {
	lines := n.Lines()
	if lines.Len() == 0 {
		return 0
	}
	off := lines.At(0).Start
	lo, hi := 0, len(r.lineAt)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if r.lineAt[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

var resolvedWord = regexp.MustCompile(`^\s*(\*\*|__)?(RESOLVED|Resolved)(\*\*|__)?\b`)

// paragraphNode writes a paragraph: ACTION lines each with their owners in the Action
// column, a RESOLVED paragraph set apart. It reports whether it was a RESOLVED paragraph
// (a numbered list after it holds the resolutions).
func (r *renderer) paragraphNode(n ast.Node, indent float64) bool {
	lines := n.Lines()
	var actions []int
	for i := 0; i < lines.Len(); i++ {
		if _, _, _, ok := SplitActionLine(string(segValue(lines, i, r.src))); ok {
			actions = append(actions, i)
		}
	}
	if len(actions) == 0 {
		raw := string(lines.Value(r.src))
		if resolvedWord.MatchString(raw) {
			r.resolved(n, indent)
			return true
		}
		r.gap(paraGap)
		r.paragraph(r.inlines(n, r.quoteStyle()), textX+indent, textW-indent, nil)
		return false
	}
	// Lines around the actions are ordinary text: read them again as paragraphs of their own.
	start := 0
	for _, a := range append(actions, lines.Len()) {
		if a > start {
			var seg bytes.Buffer
			for i := start; i < a; i++ {
				seg.Write(segValue(lines, i, r.src))
			}
			r.markdownText(seg.Bytes(), indent)
		}
		if a < lines.Len() {
			r.action(string(segValue(lines, a, r.src)), indent)
		}
		start = a + 1
	}
	return false
}

func (r *renderer) quoteStyle() string {
	if r.inQuote {
		return "I"
	}
	return ""
}

// markdownText writes a piece of markdown read on its own (text between ACTION lines).
func (r *renderer) markdownText(src []byte, indent float64) {
	doc := markdown.Parser().Parse(text.NewReader(src))
	saved := r.src
	r.src = src
	defer func() { r.src = saved }()
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		r.gap(paraGap)
		r.paragraph(r.inlines(c, r.quoteStyle()), textX+indent, textW-indent, nil)
	}
}

// action writes an ACTION line: its text in the column, its owners level with it on the right.
func (r *renderer) action(line string, indent float64) {
	ref, owners, rest, _ := SplitActionLine(strings.TrimSpace(line))
	names := make([]string, len(owners))
	for i, o := range owners {
		names[i] = ownerLabel(o)
	}
	doc := markdown.Parser().Parse(text.NewReader([]byte(rest)))
	saved := r.src
	r.src = []byte(rest)
	body := []run{{text: "Action", style: "B"}, {text: ": "}}
	if ref != "" {
		body[1].text = " " + ref + ": "
	}
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		body = append(body, r.inlines(c, r.quoteStyle())...)
	}
	r.src = saved
	r.gap(paraGap)
	side := []run{{text: strings.Join(names, ", "), style: "B"}}
	r.paragraph(body, textX+indent, textW-indent, side)
}

// ownerLabel is an owner as the Action column shows it: "JS", "Partners", "Police".
func ownerLabel(o string) string {
	if o == strings.ToLower(o) {
		r, size := utf8.DecodeRuneInString(o)
		return string(unicode.ToUpper(r)) + o[size:]
	}
	return o
}

// resolved writes a RESOLVED paragraph, set apart: indented, RESOLVED in bold.
func (r *renderer) resolved(n ast.Node, indent float64) {
	runs := r.inlines(n, r.quoteStyle())
	s := plain(runs)
	i := strings.Index(strings.ToUpper(s), "RESOLVED")
	if i >= 0 {
		runs = trimRunsPrefix(runs, i+len("RESOLVED"))
		runs = append([]run{{text: "RESOLVED", style: "B"}}, runs...)
	}
	r.gap(paraGap)
	r.paragraph(runs, textX+indent+indentStep, textW-indent-indentStep, nil)
}

func (r *renderer) list(l *ast.List, indent float64, resolutions bool) {
	n := l.Start
	if n == 0 {
		n = 1
	}
	if resolutions {
		indent += indentStep // numbered resolutions stand under their RESOLVED
	}
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "•"
		if l.IsOrdered() {
			marker = fmt.Sprintf("%d%c", n, l.Marker)
			if resolutions {
				marker = fmt.Sprintf("(%d)", n)
			}
			n++
		}
		r.listItem(item, indent, marker)
	}
}

func (r *renderer) listItem(item ast.Node, indent float64, marker string) {
	hang := indentStep
	if len(marker) > 2 {
		hang += 2.5
	}
	first := true
	for c := item.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			lines := c.Lines()
			if lines.Len() > 0 {
				if _, _, _, ok := SplitActionLine(string(segValue(lines, 0, r.src))); ok && first {
					// "- ACTION @JS: ..." is an action, not a bullet.
					r.paragraphNode(c, indent)
					first = false
					continue
				}
			}
			if first {
				r.gap(paraGap * 0.6)
				r.need(lineH)
				r.setFont(r.quoteStyle(), bodySize)
				r.p.Text(textX+indent, r.p.GetY()+lineH*0.75, marker)
				r.paragraph(r.inlines(c, r.quoteStyle()), textX+indent+hang, textW-indent-hang, nil)
				first = false
				continue
			}
			r.paragraphNode(c, indent+hang)
		case *ast.List:
			r.list(c, indent+hang, false)
		default:
			r.blocksOne(c, indent+hang)
		}
	}
}

// blocksOne writes one block node.
func (r *renderer) blocksOne(n ast.Node, indent float64) {
	switch n := n.(type) {
	case *ast.Blockquote:
		r.quote(n, indent)
	case *east.Table:
		r.table(n, indent)
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		r.verbatim(n, indent)
	case *ast.Heading:
		r.heading(n)
	default:
		r.blocks(n, indent)
	}
}

// quote writes a block quote in italics: a post-meeting note, or a quotation.
func (r *renderer) quote(q *ast.Blockquote, indent float64) {
	was := r.inQuote
	r.inQuote = true
	r.blocks(q, indent+indentStep)
	r.inQuote = was
}

func (r *renderer) verbatim(n ast.Node, indent float64) {
	lines := n.Lines()
	r.gap(paraGap)
	for i := 0; i < lines.Len(); i++ {
		l := strings.TrimRight(string(segValue(lines, i, r.src)), "\r\n")
		r.paragraph([]run{{text: l}}, textX+indent, textW-indent, nil)
	}
}

// table draws a GFM table as a ruled grid, the header row shaded and repeated on a new page.
func (r *renderer) table(t *east.Table, indent float64) {
	var rows [][][]run
	var header int
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells [][]run
		style := r.quoteStyle()
		if _, ok := row.(*east.TableHeader); ok {
			header++
			style = addStyle(style, "B")
		}
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, r.inlines(cell, style))
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 {
		return
	}
	cols := 0
	for _, row := range rows {
		cols = max(cols, len(row))
	}
	const pad = 1.5
	x0 := textX + indent
	avail := fullW - indent
	// Widths: each column as wide as its widest line if the table fits; if not, each column
	// at least as wide as its longest word, and the rest shared in proportion to what more
	// each would take.
	want := make([]float64, cols)
	least := make([]float64, cols)
	for _, row := range rows {
		for i, cell := range row {
			for _, l := range r.breakLines(cell, 1e6) {
				want[i] = max(want[i], l.width+2*pad+0.5)
				for _, w := range l.words {
					least[i] = max(least[i], min(w.w+2*pad+0.5, avail/float64(cols)))
				}
			}
		}
	}
	total, totalLeast := 0.0, 0.0
	for i := range want {
		total += want[i]
		totalLeast += least[i]
	}
	widths := make([]float64, cols)
	copy(widths, want)
	if total > avail {
		spare := max(avail-totalLeast, 0)
		for i := range widths {
			widths[i] = least[i] + spare*(want[i]-least[i])/(total-totalLeast)
		}
	}
	align := make([]east.Alignment, cols)
	copy(align, t.Alignments)
	layout := func(row [][]run) ([][]line, float64) {
		out := make([][]line, cols)
		h := 0.0
		for i := range cols {
			if i < len(row) {
				out[i] = r.breakLines(row[i], widths[i]-2*pad)
			}
			h = max(h, float64(max(len(out[i]), 1))*lineH+2*pad*0.6)
		}
		return out, h
	}
	draw := func(row [][]run, shaded bool) {
		ls, h := layout(row)
		r.need(h)
		y := r.p.GetY()
		x := x0
		r.p.SetDrawColor(120, 120, 120)
		r.p.SetLineWidth(0.2)
		for i := range cols {
			style := "D"
			if shaded {
				r.p.SetFillColor(235, 235, 235)
				style = "FD"
			}
			r.p.Rect(x, y, widths[i], h, style)
			if shaded {
				r.p.SetFillColor(0, 0, 0) // text in the fill colour is written faster
			}
			for j, l := range ls[i] {
				lx := x + pad
				switch align[i] {
				case east.AlignRight:
					lx = x + widths[i] - pad - l.width
				case east.AlignCenter:
					lx = x + (widths[i]-l.width)/2
				}
				r.drawLine(l, lx, y+pad*0.6+float64(j)*lineH+lineH*0.75)
			}
			x += widths[i]
		}
		r.p.SetY(y + h)
	}
	r.gap(paraGap)
	r.need(lineH * 3)
	for i, row := range rows {
		if i >= header && header > 0 {
			_, h := layout(row)
			if r.p.GetY()+h > pageBottom {
				r.p.AddPage()
				r.p.SetY(marginTop)
				for _, hr := range rows[:header] {
					draw(hr, true)
				}
			}
		}
		draw(row, i < header)
	}
	r.p.SetY(r.p.GetY() + 1)
}

// run is a piece of text in one style ("", "B", "I", "BI") and size (0: the body size).
type run struct {
	text  string
	style string
	size  float64
	br    bool // a hard line break after the text
}

func addStyle(style, add string) string {
	b := strings.Contains(style, "B") || strings.Contains(add, "B")
	i := strings.Contains(style, "I") || strings.Contains(add, "I")
	switch {
	case b && i:
		return "BI"
	case b:
		return "B"
	case i:
		return "I"
	}
	return ""
}

// inlines reads the inline content of n as runs.
func (r *renderer) inlines(n ast.Node, style string) []run {
	var out []run
	var walk func(n ast.Node, style string)
	walk = func(n ast.Node, style string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				t := string(c.Segment.Value(r.src))
				out = append(out, run{text: unescape(t), style: style})
				if c.HardLineBreak() {
					out[len(out)-1].br = true
				} else if c.SoftLineBreak() {
					out = append(out, run{text: " ", style: style})
				}
			case *ast.String:
				out = append(out, run{text: unescape(string(c.Value)), style: style})
			case *ast.CodeSpan:
				var b strings.Builder
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if s, ok := t.(*ast.Text); ok {
						b.Write(s.Segment.Value(r.src))
					}
				}
				out = append(out, run{text: b.String(), style: style})
			case *ast.Emphasis:
				add := "I"
				if c.Level >= 2 {
					add = "B"
				}
				walk(c, addStyle(style, add))
			case *ast.AutoLink:
				out = append(out, run{text: string(c.URL(r.src)), style: style})
			case *ast.RawHTML:
				var b strings.Builder
				for i := 0; i < c.Segments.Len(); i++ {
					b.Write(segValue(c.Segments, i, r.src))
				}
				if h := strings.ToLower(b.String()); h == "<br>" || h == "<br/>" || h == "<br />" {
					out = append(out, run{style: style, br: true})
					continue
				}
				out = append(out, run{text: b.String(), style: style})
			default:
				walk(c, style)
			}
		}
	}
	walk(n, style)
	return out
}

func unescape(s string) string {
	if !strings.ContainsAny(s, `\&`) {
		return s
	}
	b := util.UnescapePunctuations([]byte(s))
	b = util.ResolveNumericReferences(b)
	b = util.ResolveEntityNames(b)
	return string(b)
}

// word is a piece of a line that is never broken: its text, style, size and width, and
// whether a space follows it.
type word struct {
	text  string
	style string
	size  float64
	w     float64
	space float64 // width of the space after it, 0 if none
}

type line struct {
	words []word
	width float64
}

func (r *renderer) setFont(style string, size float64) {
	if size == 0 {
		size = bodySize
	}
	r.p.SetFont(pdffont.Family, style, size)
}

// breakLines lays runs out in lines no wider than width, word by word (fpdf's Write is
// quadratic on long UTF-8 text).
func (r *renderer) breakLines(runs []run, maxW float64) []line {
	var lines []line
	// The words of all the lines, one after another: each line has a piece of it.
	n := 1
	for _, rn := range runs {
		n += 1 + strings.Count(rn.text, " ") + strings.Count(rn.text, "\n")
	}
	words := make([]word, 0, n)
	start := 0  // of the current line in words
	curW := 0.0 // its width
	flush := func() {
		if n := len(words); n > start {
			words[n-1].space = 0
		}
		lines = append(lines, line{words: words[start:len(words):len(words)], width: curW})
		start, curW = len(words), 0
	}
	add := func(w word) {
		if len(words) > start && curW+w.w > maxW {
			flush()
		}
		words = append(words, w)
		curW += w.w + w.space
	}
	for _, rn := range runs {
		t := pdffont.Clean(rn.text)
		size := rn.size
		if size == 0 {
			size = bodySize
		}
		width := func(s string) float64 { return r.p.Width(rn.style, size, s) }
		space := width(" ")
		for t != "" {
			i := strings.IndexAny(t, " \n")
			var piece string
			sp := 0.0
			nl := false
			if i < 0 {
				piece, t = t, ""
			} else {
				piece = t[:i]
				nl = t[i] == '\n'
				if !nl {
					sp = space
				}
				t = t[i+1:]
			}
			if piece != "" {
				w := width(piece)
				for w > maxW && utf8.RuneCountInString(piece) > 1 {
					// A word longer than the line: break it where it must.
					cut := fitPrefix(piece, width, maxW)
					add(word{text: piece[:cut], style: rn.style, size: rn.size, w: width(piece[:cut])})
					flush()
					piece = piece[cut:]
					w = width(piece)
				}
				add(word{text: piece, style: rn.style, size: rn.size, w: w, space: sp})
			} else if sp > 0 && len(words) > start {
				words[len(words)-1].space += sp
				curW += sp
			}
			if nl {
				flush()
			}
		}
		if rn.br {
			flush()
		}
	}
	if len(words) > start || len(lines) == 0 {
		flush()
	}
	// Trailing spaces don't count toward a line's width.
	for i := range lines {
		lines[i].width = 0
		for j, w := range lines[i].words {
			lines[i].width += w.w
			if j < len(lines[i].words)-1 {
				lines[i].width += w.space
			}
		}
	}
	return lines
}

func fitPrefix(s string, width func(string) float64, maxW float64) int {
	cut := 0
	for i := range s {
		if i > 0 && width(s[:i]) > maxW {
			break
		}
		cut = i
	}
	if cut == 0 {
		_, cut = utf8.DecodeRuneInString(s)
	}
	return cut
}

// drawLine writes a laid-out line with its baseline at y, joining words of one style.
func (r *renderer) drawLine(l line, x, y float64) {
	var b strings.Builder
	start := x
	style, size := "", 0.0
	emit := func() {
		if b.Len() > 0 {
			r.setFont(style, size)
			r.p.Text(start, y, b.String())
			b.Reset()
		}
	}
	for i, w := range l.words {
		if i == 0 || w.style != style || w.size != size {
			emit()
			style, size, start = w.style, w.size, x
		}
		b.WriteString(w.text)
		x += w.w
		if w.space > 0 {
			b.WriteByte(' ')
			x += w.space
		}
	}
	emit()
}

// paragraph writes runs in a column at x, width wide, starting at the current position; side,
// if any, goes in the Action column level with the first line.
func (r *renderer) paragraph(runs []run, x, width float64, side []run) {
	lines := r.breakLines(runs, width)
	var sideLines []line
	if len(side) > 0 {
		sideLines = r.breakLines(side, actionW)
	}
	r.need(lineH * float64(min(len(lines), 2)))
	y := r.p.GetY()
	for i, l := range lines {
		if y+lineH > pageBottom {
			r.p.AddPage()
			y = marginTop
		}
		r.drawLine(l, x, y+lineH*0.75)
		if i == 0 {
			sy := y
			for _, sl := range sideLines {
				r.drawLine(sl, actionX, sy+lineH*0.75)
				sy += lineH
			}
			y = max(y+lineH, sy)
			continue
		}
		y += lineH
	}
	r.p.SetY(y)
}

func segValue(s *text.Segments, i int, src []byte) []byte {
	seg := s.At(i)
	return seg.Value(src)
}
