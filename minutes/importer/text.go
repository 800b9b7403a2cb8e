package importer

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// row is one line of minutes as laid out on the page: a paragraph, or a row of the table
// many minutes are typed in (the item number in the margin, the text, the owner in an
// "Action" column on the right).
type row struct {
	margin string // the margin cell: an item or minute number
	paras  []para
	action string // the Action column
	cells  bool   // it was a table row (or a line with tabs)
	src    int
}

// para is one paragraph of text, or one line of it.
type para struct {
	text    string // markdown: **bold** and *italic* kept
	plain   string // the text without markup, which recognition reads
	heading int    // a Word heading style's level; 0 if none
	list    bool   // a Word numbered or bulleted list paragraph (its marker is in the text)
	cont    bool   // a line that followed the one before it without a break between paragraphs
	src     int
}

func newPara(text string, src int) para {
	text = strings.TrimSpace(collapseSpaces(text))
	return para{text: text, plain: stripMarks(text), src: src}
}

// decodeText reads UTF-8 (with or without a BOM), UTF-16 with a BOM, and Windows-1252.
func decodeText(b []byte) (string, error) {
	if len(b) == 0 {
		return "", ErrEmpty
	}
	if len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		big := b[0] == 0xFE
		b = b[2:]
		u := make([]uint16, len(b)/2)
		for i := range u {
			if big {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			} else {
				u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
			}
		}
		b = []byte(string(utf16.Decode(u)))
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0")) {
		return "", ErrDoc
	}
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return "", ErrNotText
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", ErrNotText
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	// Not UTF-8: Word's "plain text" on Windows is Windows-1252.
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c >= 0x80 && c <= 0x9F {
			sb.WriteRune(cp1252[c-0x80])
			continue
		}
		sb.WriteRune(rune(c))
	}
	return sb.String(), nil
}

// cp1252 maps Windows-1252's 0x80-0x9F; the rest is Latin-1.
var cp1252 = [32]rune{
	'€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008D', 'Ž', '\u008F',
	'\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009D', 'ž', 'Ÿ',
}

// textRows cuts text into rows. A line with tabs is a table row: "7\tTITLE\tAction" or
// "\ttext\tJS". Lines of plain text run on into one paragraph until a blank line; each
// line is kept (cont marks the ones that ran on), since attendance lists put one person a line.
func textRows(s string) []row {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var rows []row
	prevBlank := true
	for i, l := range strings.Split(s, "\n") {
		no := i + 1
		l = strings.TrimRight(strings.ReplaceAll(l, "\u00A0", " "), " ")
		if strings.TrimSpace(l) == "" {
			prevBlank = true
			continue
		}
		if strings.Contains(l, "\t") {
			cells := strings.Split(l, "\t")
			for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" && len(cells) > 2 {
				cells = cells[:len(cells)-1]
			}
			r := row{cells: true, src: no}
			if allDashes(cells) {
				prevBlank = true
				continue
			}
			switch len(cells) {
			case 1:
			case 2:
				if marginNumber(cells[0]) || strings.TrimSpace(cells[0]) == "" {
					r.margin = strings.TrimSpace(cells[0])
					cells = cells[1:]
				}
			default:
				r.margin = strings.TrimSpace(cells[0])
				r.action = strings.TrimSpace(cells[len(cells)-1])
				cells = cells[1 : len(cells)-1]
			}
			for _, cell := range cells {
				r.paras = append(r.paras, htmlParas(cell, no)...)
			}
			rows = append(rows, r)
			prevBlank = true
			continue
		}
		ps := htmlParas(l, no)
		if len(ps) > 0 && !prevBlank && !strings.Contains(l, "<") {
			ps[0].cont = true
		}
		rows = append(rows, row{paras: ps, src: no})
		prevBlank = false
	}
	return rows
}

func allDashes(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(strings.TrimSpace(c), "-–—_") != "" {
			return false
		}
	}
	return true
}

var (
	htmlBreak  = regexp.MustCompile(`(?i)</?p\b[^>]*>|<br\s*/?>|</?div\b[^>]*>|</?ol\b[^>]*>|</?ul\b[^>]*>|</li>|</?h[1-6]\b[^>]*>|</?tr\b[^>]*>`)
	htmlItem   = regexp.MustCompile(`(?i)<li\b[^>]*>`)
	htmlItalic = regexp.MustCompile(`(?i)</?(?:i|em)\b[^>]*>`)
	htmlBold   = regexp.MustCompile(`(?i)</?(?:b|strong)\b[^>]*>`)
	htmlTag    = regexp.MustCompile(`</?[a-zA-Z][^<>]{0,400}>`)
	// an inline numbered list left in an exported paragraph: "... 1. One; 2. Two; 3. Three."
	inlineList = regexp.MustCompile(`(?:^|\s)(\d{1,2})[.)]\s`)
	listOpen   = regexp.MustCompile(`(?i)<ol\b[^>]*>`)
)

// htmlParas reads a cell of exported text, which may hold HTML paragraphs (<p>), lists,
// italics and entities, into paragraphs. Text without tags is one paragraph.
func htmlParas(cell string, src int) []para {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil
	}
	if !strings.Contains(cell, "<") && !strings.Contains(cell, "&") {
		return []para{newPara(cell, src)}
	}
	// An <ol> without <li> (as the committee system exports them) holds "1. x; 2. y".
	cell = listOpen.ReplaceAllString(cell, "\x00ol\x00")
	cell = htmlItem.ReplaceAllString(cell, "\x00li\x00")
	cell = htmlBreak.ReplaceAllString(cell, "\x00")
	cell = htmlItalic.ReplaceAllString(cell, "*")
	cell = htmlBold.ReplaceAllString(cell, "**")
	cell = htmlTag.ReplaceAllString(cell, "")
	var out []para
	inList := false
	for _, part := range strings.Split(cell, "\x00") {
		switch part {
		case "ol":
			inList = true
			continue
		case "li":
			continue
		}
		part = html.UnescapeString(part)
		part = tidyMarks(part)
		if strings.TrimSpace(part) == "" {
			continue
		}
		if inList {
			if idx := inlineList.FindAllStringIndex(part, -1); len(idx) > 1 {
				for k, m := range idx {
					end := len(part)
					if k+1 < len(idx) {
						end = idx[k+1][0]
					}
					p := newPara(part[m[0]:end], src)
					p.list = true
					out = append(out, p)
				}
				inList = false
				continue
			}
		}
		inList = false
		out = append(out, newPara(part, src))
	}
	return out
}

// tidyMarks drops emphasis marks that enclose nothing, and moves spaces out of them
// ("* text *" is not emphasis in markdown).
func tidyMarks(s string) string {
	s = strings.ReplaceAll(s, "**", "\x01")
	defer func() { s = strings.ReplaceAll(s, "\x01", "**") }()
	for _, m := range []string{"\x01", "*"} {
		s = strings.ReplaceAll(s, m+m, "")
		parts := strings.Split(s, m)
		if len(parts)%2 == 0 { // unbalanced: keep the text, drop the marks
			s = strings.Join(parts, "")
			continue
		}
		var b strings.Builder
		for i, p := range parts {
			if i%2 == 0 {
				b.WriteString(p)
				continue
			}
			core := strings.TrimSpace(p)
			if core == "" {
				b.WriteString(p)
				continue
			}
			lead := p[:strings.Index(p, core)]
			trail := p[len(lead)+len(core):]
			b.WriteString(lead + m + core + m + trail)
		}
		s = b.String()
	}
	return strings.ReplaceAll(s, "\x01", "**")
}

// stripMarks gives the text without ** and * marks. A lone "*" between spaces is kept.
func stripMarks(s string) string {
	if !strings.Contains(s, "*") {
		return s
	}
	s = strings.ReplaceAll(s, "**", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '*' {
			prevSpace := i == 0 || s[i-1] == ' '
			nextSpace := i+1 == len(s) || s[i+1] == ' '
			if !(prevSpace && nextSpace) {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func collapseSpaces(s string) string {
	s = strings.ReplaceAll(s, "\u00A0", " ")
	s = strings.ReplaceAll(s, "\t", " ")
	if !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
