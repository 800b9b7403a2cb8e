package importer

import "strings"

// textLines numbers a text's lines as textRows does, blank lines included, with tabs (the
// columns of an export from a committee system) shown as wide gaps.
func textLines(s string) []Line {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	split := strings.Split(s, "\n")
	out := make([]Line, 0, len(split))
	for i, l := range split {
		l = strings.TrimRight(strings.ReplaceAll(l, "\t", "   "), " ")
		out = append(out, Line{N: i + 1, Text: l})
	}
	for len(out) > 0 && out[len(out)-1].Text == "" {
		out = out[:len(out)-1]
	}
	return out
}

// rowLines numbers a .docx's paragraphs as read: a paragraph broken over lines is one line,
// and a table row's margin number and Action column stand with its first and last
// paragraph, as they stand beside them on the page.
func rowLines(rows []row) []Line {
	var out []Line
	add := func(n int, text string) {
		if text = strings.TrimSpace(text); text == "" {
			return
		}
		if k := len(out) - 1; k >= 0 && out[k].N == n {
			out[k].Text += " " + text
			return
		}
		out = append(out, Line{N: n, Text: text})
	}
	for _, r := range rows {
		if len(r.paras) == 0 {
			add(r.src, strings.TrimSpace(r.margin+"   "+actionColumn(r.action)))
			continue
		}
		for i, p := range r.paras {
			text := p.plain
			if i == 0 && r.margin != "" {
				text = r.margin + "   " + text
			}
			if i == len(r.paras)-1 && r.action != "" {
				text += "   " + actionColumn(r.action)
			}
			add(p.src, text)
		}
	}
	return out
}

func actionColumn(a string) string {
	if a == "" {
		return ""
	}
	return "[Action: " + a + "]"
}
