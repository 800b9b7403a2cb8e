package minutes

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmrender "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// RenderHTML renders minutes as safe HTML for the minutes page and the editor's preview:
// who was there (from the front matter), then the text with GOV.UK classes, each item's
// minute number shown, resolutions set apart, every ACTION line with a badge naming its
// owners and post-meeting notes marked. p is the text parsed (nil: parse it here, without
// a board). Raw HTML in the text is shown as text, never run, and the output is sanitised
// again on the way out.
func RenderHTML(src []byte, p *Parsed) []byte {
	if p == nil {
		p = Parse(src, Options{})
	}
	var out bytes.Buffer
	body := src
	fm, _, _, fmErr := SplitFrontMatter(src)
	if fmErr != nil {
		fmt.Fprintf(&out, `<div class="govuk-warning-text"><strong class="govuk-warning-text__text">%s</strong></div>`, html.EscapeString(fmErr.Error()))
	} else {
		writeAttendanceHTML(&out, fm)
	}
	body = blankFrontMatter(src)

	doc := htmlMarkdown.Parser().Parse(text.NewReader(body))
	dressMinutes(doc, body, p)
	var md bytes.Buffer
	if err := htmlMarkdown.Renderer().Render(&md, body, doc); err != nil {
		md.Reset()
		fmt.Fprintf(&md, `<pre class="quorum-plain">%s</pre>`, html.EscapeString(string(body)))
	}
	out.Write(md.Bytes())
	return htmlPolicy.SanitizeBytes(out.Bytes())
}

// htmlMarkdown is goldmark with GFM tables and strikethrough. It escapes nothing itself on
// raw HTML (it would drop it): rawAsText shows it as the clerk typed it.
var htmlMarkdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithAttribute()),
	goldmark.WithRendererOptions(gmrender.WithNodeRenderers(util.Prioritized(minutesRenderer{}, 100))),
)

// htmlPolicy is what the rendered minutes may contain: bluemonday's user content policy, and
// the classes and ids this file sets.
var htmlPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^((govuk|quorum)-[a-z0-9_!-]+ ?)+$`)).Globally()
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^(minute|item)-[A-Za-z0-9._-]+$`)).OnElements("h2", "h3", "h4")
	return p
}()

// blankFrontMatter replaces the front matter with spaces, so that markdown does not read
// it while byte offsets and line numbers stay those of the file.
func blankFrontMatter(src []byte) []byte {
	_, _, bodyLine, err := SplitFrontMatter(src)
	if err != nil || bodyLine <= 1 {
		return src
	}
	out := bytes.Clone(src)
	line := 1
	for i, c := range out {
		if line >= bodyLine {
			break
		}
		if c == '\n' {
			line++
			continue
		}
		out[i] = ' '
	}
	return out
}

func writeAttendanceHTML(w *bytes.Buffer, fm FrontMatter) {
	lists := []struct {
		title  string
		people []Person
	}{{"Present", fm.Present}, {"Also present", fm.AlsoPresent}, {"Apologies", fm.Apologies}}
	for _, l := range lists {
		if len(l.people) == 0 {
			continue
		}
		fmt.Fprintf(w, "<h2 class=\"govuk-heading-m\">%s</h2>\n<ul class=\"govuk-list\">\n", l.title)
		for _, p := range l.people {
			s := p.Name
			if p.Role != "" {
				s += " (" + p.Role + ")"
			}
			if p.SubstitutingFor != "" {
				s += " (substituting for " + p.SubstitutingFor + ")"
			}
			if p.Organisation != "" {
				s += " – " + p.Organisation
			}
			fmt.Fprintf(w, "<li>%s</li>\n", html.EscapeString(s))
		}
		w.WriteString("</ul>\n")
	}
}

// htmlLines finds the line of a byte offset.
type htmlLines []int // start offset of each line

func newHTMLLines(src []byte) htmlLines {
	idx := htmlLines{0}
	for i, c := range src {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l htmlLines) line(offset int) int {
	return sort.Search(len(l), func(i int) bool { return l[i] > offset })
}

// firstLine is the 1-based line a block starts on, 0 if it has no text.
func (l htmlLines) firstLine(n ast.Node) int {
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return l.line(n.Lines().At(0).Start)
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != ast.TypeBlock {
			continue
		}
		if ln := l.firstLine(c); ln > 0 {
			return ln
		}
	}
	return 0
}

// lastLine is the 1-based line a leaf block ends on.
func (l htmlLines) lastLine(n ast.Node) int {
	if n.Lines().Len() == 0 {
		return l.firstLine(n)
	}
	return l.line(n.Lines().At(n.Lines().Len() - 1).Start)
}

// dressMinutes gives the parsed document its GOV.UK classes and the dialect's marks.
func dressMinutes(doc ast.Node, src []byte, p *Parsed) {
	idx := newHTMLLines(src)
	items := map[int]Item{}
	for _, it := range p.Items {
		items[it.Line] = it
	}
	actionLines := map[int]ActionLine{}
	for _, a := range p.Actions {
		actionLines[a.Line] = a
	}
	resolutionLines := map[int]bool{}
	for _, r := range p.Resolutions {
		resolutionLines[r.Line] = true
	}
	noteLines := map[int]bool{}
	for _, n := range p.Notes {
		noteLines[n.Line] = true
	}
	isResolution := func(n ast.Node) bool {
		first, last := idx.firstLine(n), idx.lastLine(n)
		for l := first; l <= last && l > 0; l++ {
			if resolutionLines[l] {
				return true
			}
		}
		return false
	}

	var wraps []ast.Node // resolution paragraphs and lists, wrapped after the walk
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			ln := idx.firstLine(n)
			n.RemoveAttributes()
			switch n.Level {
			case 1:
				n.SetAttributeString("class", "govuk-heading-l")
			case 2:
				n.SetAttributeString("class", "govuk-heading-m")
			default:
				n.SetAttributeString("class", "govuk-heading-s")
			}
			if it, ok := items[ln]; ok {
				if it.Minute != "" {
					n.SetAttributeString("id", "minute-"+it.Minute)
					b := &badge{text: "Minute " + it.Minute, class: "govuk-caption-m quorum-minute-number"}
					n.InsertBefore(n, n.FirstChild(), b)
				} else {
					n.SetAttributeString("id", "item-"+it.Number)
				}
			}
		case *ast.Paragraph, *ast.TextBlock:
			ln := idx.firstLine(n)
			if _, ok := n.(*ast.Paragraph); ok && n.Parent() != nil && n.Parent().Kind() != ast.KindListItem {
				n.SetAttributeString("class", "govuk-body")
			}
			if a, ok := actionLines[ln]; ok {
				addActionBadge(n, a)
			} else if ref, owners, _, ok := SplitActionLine(sourceLine(src, idx, ln)); ok {
				addActionBadge(n, ActionLine{Ref: ref, Owners: owners})
			}
			if n.Parent() != nil && n.Parent().Kind() == ast.KindDocument && isResolution(n) {
				wraps = append(wraps, n)
			}
		case *ast.List:
			if n.IsOrdered() {
				n.SetAttributeString("class", "govuk-list govuk-list--number")
			} else {
				n.SetAttributeString("class", "govuk-list govuk-list--bullet")
			}
			if n.Parent() != nil && n.Parent().Kind() == ast.KindDocument && n.IsOrdered() {
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					if resolutionLines[idx.firstLine(c)] {
						wraps = append(wraps, n)
						break
					}
				}
			}
		case *ast.Blockquote:
			if noteLines[idx.firstLine(n)] {
				n.SetAttributeString("class", "govuk-inset-text quorum-note")
			} else {
				n.SetAttributeString("class", "govuk-inset-text")
			}
		case *ast.ThematicBreak:
			n.SetAttributeString("class", "govuk-section-break govuk-section-break--m govuk-section-break--visible")
		case *ast.Link:
			n.SetAttributeString("class", "govuk-link")
		case *east.Table:
			n.SetAttributeString("class", "govuk-table")
		case *east.TableHeader:
			n.SetAttributeString("class", "govuk-table__head")
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				c.SetAttributeString("class", "govuk-table__header")
			}
			return ast.WalkSkipChildren, nil
		case *east.TableRow:
			n.SetAttributeString("class", "govuk-table__row")
		case *east.TableCell:
			n.SetAttributeString("class", "govuk-table__cell")
		}
		return ast.WalkContinue, nil
	})

	// A resolution and the numbered list that holds its parts are set apart together.
	for i := 0; i < len(wraps); i++ {
		n := wraps[i]
		parent := n.Parent()
		box := &resolutionBox{}
		lead := n.PreviousSibling()
		if _, ok := lead.(*ast.Paragraph); !ok || !startsResolved(sourceLine(src, idx, idx.firstLine(lead))) {
			lead = nil
		}
		if lead != nil {
			parent.InsertBefore(parent, lead, box)
			box.AppendChild(box, lead)
		} else {
			parent.InsertBefore(parent, n, box)
		}
		box.AppendChild(box, n)
		for i+1 < len(wraps) && wraps[i+1] == box.NextSibling() {
			next := wraps[i+1]
			box.AppendChild(box, next)
			i++
		}
	}
}

// startsResolved reports whether a line opens a resolution: "RESOLVED", "**RESOLVED**",
// "Resolved that".
func startsResolved(line string) bool {
	t := strings.TrimLeft(line, " *_")
	return len(t) >= 8 && strings.EqualFold(t[:8], "resolved")
}

// sourceLine is the text of line ln of src.
func sourceLine(src []byte, idx htmlLines, ln int) string {
	if ln < 1 || ln > len(idx) {
		return ""
	}
	end := len(src)
	if ln < len(idx) {
		end = idx[ln] - 1
	}
	return strings.TrimSuffix(string(src[idx[ln-1]:end]), "\r")
}

func addActionBadge(n ast.Node, a ActionLine) {
	owners := make([]string, len(a.Owners))
	for i, o := range a.Owners {
		owners[i] = "@" + o
	}
	label := "Action: " + strings.Join(owners, ", ")
	b := &badge{text: label, class: "govuk-tag govuk-tag--blue quorum-action-owner"}
	n.InsertBefore(n, n.FirstChild(), b)
	if p, ok := n.(*ast.Paragraph); ok {
		c, _ := p.AttributeString("class")
		cls, _ := c.(string)
		p.SetAttributeString("class", strings.TrimSpace(cls+" quorum-action"))
	}
}

// badge is a tag the renderer adds: an action's owners, an item's minute number.
type badge struct {
	ast.BaseInline
	text, class string
}

var kindBadge = ast.NewNodeKind("QuorumBadge")

func (b *badge) Kind() ast.NodeKind { return kindBadge }

func (b *badge) Dump(source []byte, level int) { ast.DumpHelper(b, source, level, nil, nil) }

// resolutionBox holds a resolution, set apart from the text around it.
type resolutionBox struct{ ast.BaseBlock }

var kindResolutionBox = ast.NewNodeKind("QuorumResolution")

func (r *resolutionBox) Kind() ast.NodeKind { return kindResolutionBox }

func (r *resolutionBox) Dump(source []byte, level int) { ast.DumpHelper(r, source, level, nil, nil) }

// minutesRenderer renders the nodes above, and raw HTML as the text it is.
type minutesRenderer struct{}

func (minutesRenderer) RegisterFuncs(reg gmrender.NodeRendererFuncRegisterer) {
	reg.Register(kindBadge, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			b := n.(*badge)
			fmt.Fprintf(w, `<strong class="%s">%s</strong> `, html.EscapeString(b.class), html.EscapeString(b.text))
		}
		return ast.WalkContinue, nil
	})
	reg.Register(kindResolutionBox, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString("<div class=\"govuk-inset-text quorum-resolution\">\n")
		} else {
			_, _ = w.WriteString("</div>\n")
		}
		return ast.WalkContinue, nil
	})
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := range segs.Len() {
				_, _ = w.WriteString(html.EscapeString(string(htmlSeg(segs.At(i), src))))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		b := n.(*ast.HTMLBlock)
		if entering {
			_, _ = w.WriteString(`<p class="govuk-body quorum-raw">`)
			lines := b.Lines()
			for i := range lines.Len() {
				if i > 0 {
					_, _ = w.WriteString("<br>")
				}
				_, _ = w.WriteString(html.EscapeString(strings.TrimRight(string(htmlSeg(lines.At(i), src)), "\r\n")))
			}
			if b.HasClosure() {
				_, _ = w.WriteString("<br>" + html.EscapeString(strings.TrimRight(string(htmlSeg(b.ClosureLine, src)), "\r\n")))
			}
			_, _ = w.WriteString("</p>\n")
		}
		return ast.WalkContinue, nil
	})
}

func htmlSeg(s text.Segment, src []byte) []byte { return s.Value(src) }
