package minutes

import "strings"

// WriteRefs writes references into ACTION lines, keyed by 1-based line number:
// "ACTION @JS: ..." becomes "ACTION SBP/21/07 @JS: ...". A reference already on the line
// is replaced; an empty one removes it. Lines that are not well-formed ACTION lines (or
// are in front matter or code) are left alone, and so is every other byte.
func WriteRefs(src []byte, refs map[int]string) []byte {
	return editLines(src, refs, func(line, ref string) (string, bool) {
		a, msg, ok := splitAction(line)
		if !ok || msg != "" || (ref != "" && !validRef(ref)) {
			return "", false
		}
		if ref == "" {
			if a.ref == "" {
				return "", false
			}
			return line[:a.keywordEnd] + line[a.refEnd:], true
		}
		if a.ref == "" {
			return line[:a.keywordEnd] + " " + ref + line[a.keywordEnd:], true
		}
		return line[:a.refStart] + ref + line[a.refEnd:], true
	})
}

// SetMinuteNumbers writes minute numbers onto agenda item headings, keyed by 1-based line
// number: "## 7. Title" becomes "## 7. Title {#47}". A {#...} already there is replaced; an
// empty number removes it. Lines that are not item headings, and numbers with characters
// other than letters, digits and / . - _, are left alone.
func SetMinuteNumbers(src []byte, numbers map[int]string) []byte {
	return editLines(src, numbers, func(line, number string) (string, bool) {
		h, ok := readHeading(line)
		if !ok || !h.numbered || (number != "" && !validMinuteNumber(number)) {
			return "", false
		}
		if h.minuteStart >= 0 {
			if number == "" {
				return strings.TrimRight(line[:h.minuteStart], " \t") + line[h.minuteEnd:], true
			}
			return line[:h.minuteStart] + "{#" + number + "}" + line[h.minuteEnd:], true
		}
		if number == "" {
			return "", false
		}
		return line[:h.contentEnd] + " {#" + number + "}" + line[h.contentEnd:], true
	})
}

// editLines rewrites the text lines named in edits and copies every other byte as it is.
func editLines(src []byte, edits map[int]string, edit func(line, value string) (string, bool)) []byte {
	out := make([]byte, 0, len(src)+len(edits)*16)
	if len(edits) == 0 {
		return append(out, src...)
	}
	s := string(src)
	lines := scanDialectLines(s)
	prev := 0
	for i, sp := range lines.spans {
		v, ok := edits[i+1]
		if !ok || lines.kinds[i] != lineText {
			continue
		}
		if _, isQuote := quoted(s[sp.start:sp.end]); isQuote {
			continue
		}
		changed, ok := edit(s[sp.start:sp.end], v)
		if !ok {
			continue
		}
		out = append(out, s[prev:sp.start]...)
		out = append(out, changed...)
		prev = sp.end
	}
	return append(out, s[prev:]...)
}
