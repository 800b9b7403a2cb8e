package importer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"quorum/minutes"
)

// Done is an open action of the board that later minutes report as done: "Minute 47:
// the figures had been circulated; the action was complete."
type Done struct {
	ActionID int64  `json:"action_id"`
	Ref      string `json:"ref"`
	Text     string `json:"text"`
	// Evidence is the sentence of the minutes that says so, and Line the line of the
	// markdown it stands on.
	Evidence string `json:"evidence"`
	Line     int    `json:"line"`
}

// OpenAction is what FindDone needs of an open action: its reference, the minute number of
// the item that set it, and what is to be done.
type OpenAction struct {
	ID     int64
	Ref    string
	Minute string
	Text   string
}

// doneWord is a word that reports an action done. Its sentence must also name the action:
// by its reference, by the minute that set it, or by most of the words of its text.
var doneWord = regexp.MustCompile(`(?i)\b(complete|completed|closed|discharged|done)\b`)

// notDone, just before the word, turns it round: "not yet complete", "would be completed
// by March", "to be closed at the next meeting", "nearly done".
var notDone = regexp.MustCompile(`(?i)(\bnot\b|n't\b|\bnever\b|\bnearly\b|\balmost\b|\bpartly\b|\bpartially\b|\bbe\b|\bto\b|\bonce\b|\bwhen\b|\buntil\b|\bif\b)\W*(\w+\W+)?$`)

// mattersArising is the title of an item that reviews earlier minutes and their actions.
var mattersArising = regexp.MustCompile(`(?i)minutes|matters arising|action (log|tracker|update)|actions (log|update|arising)|outstanding actions|review of actions`)

var minuteRef = regexp.MustCompile(`(?i)\bminutes?\s+(?:no\.?\s*|number\s+)?(\d+[a-z]?(?:\s*/\s*\d{2,4})?)|\b(\d+[a-z]?\s*/\s*\d{2,4})\b`)

// FindDone reads a meeting's minutes (in the dialect, as the importer writes them) for
// open actions of earlier meetings that they report done. It reads the items that review
// the earlier minutes (minutes of the last meeting, matters arising, the action log), or
// the whole text when no item is titled so. New ACTION lines are never evidence.
func FindDone(md []byte, open []OpenAction) []Done {
	if len(open) == 0 {
		return nil
	}
	p := minutes.Parse(md, minutes.Options{})
	lines := strings.Split(string(md), "\n")
	type span struct{ from, to int } // 1-based, to exclusive
	var spans []span
	for i, it := range p.Items {
		end := len(lines) + 1
		if i+1 < len(p.Items) {
			end = p.Items[i+1].Line
		}
		if mattersArising.MatchString(it.Title) {
			spans = append(spans, span{it.Line + 1, end})
		}
	}
	if len(spans) == 0 {
		spans = append(spans, span{bodyStart(lines), len(lines) + 1})
	}

	byMinute := map[string]int{}
	for _, a := range open {
		if a.Minute != "" {
			byMinute[normMinute(a.Minute)]++
		}
	}
	var out []Done
	seen := map[int64]bool{}
	for _, sp := range spans {
		for _, para := range paragraphs(lines, sp.from, sp.to) {
			sentences := splitSentences(para.text)
			for si, s := range sentences {
				if !reportsDone(s) {
					continue
				}
				// The sentence, with the two before it in the paragraph: "Minute 47, ward
				// figures. These had been circulated; action closed."
				near := strings.Join(sentences[max(0, si-2):si+1], " ")
				for _, a := range open {
					if seen[a.ID] || !names(near, a, byMinute) {
						continue
					}
					seen[a.ID] = true
					out = append(out, Done{ActionID: a.ID, Ref: a.Ref, Text: a.Text, Evidence: s, Line: para.line})
				}
			}
		}
	}
	return out
}

// bodyStart is the first line after the front matter (1-based).
func bodyStart(lines []string) int {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return 1
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			return i + 2
		}
	}
	return 1
}

type paragraph struct {
	line int
	text string
}

// paragraphs joins the lines from..to-1 (1-based) into paragraphs; each list item is one.
// Headings and ACTION lines are left out.
func paragraphs(lines []string, from, to int) []paragraph {
	var out []paragraph
	var cur []string
	start := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, paragraph{line: start, text: strings.Join(cur, " ")})
		}
		cur = nil
	}
	for n := from; n < to && n <= len(lines); n++ {
		l := strings.TrimSpace(lines[n-1])
		bare := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(l, "> "), ">"), "-*+ ")
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
			flush()
			continue
		case strings.HasPrefix(bare, "ACTION") || strings.HasPrefix(bare, "**ACTION"):
			flush()
			continue
		case mdListItem(l):
			flush()
		}
		if len(cur) == 0 {
			start = n
		}
		cur = append(cur, bare)
	}
	flush()
	return out
}

func mdListItem(l string) bool {
	if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "+ ") {
		return true
	}
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && i < len(l) && (l[i] == '.' || l[i] == ')')
}

// splitSentences cuts at ". ", "; ", "! " and "? ", but not after a number or an
// abbreviation of one letter ("minute 47. The", "J. Smith").
func splitSentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(s); i++ {
		c := s[i]
		if (c != '.' && c != ';' && c != '!' && c != '?') || s[i+1] != ' ' {
			continue
		}
		if c == '.' {
			j := i - 1
			for j >= 0 && s[j] != ' ' {
				j--
			}
			if i-j-1 <= 1 {
				continue // "J." or a lone initial
			}
		}
		out = append(out, strings.TrimSpace(s[start:i+1]))
		start = i + 2
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// reportsDone says whether a sentence reports something done, and not that it is yet to be.
func reportsDone(s string) bool {
	for _, m := range doneWord.FindAllStringIndex(s, -1) {
		if !notDone.MatchString(s[:m[0]]) {
			return true
		}
	}
	return false
}

// names says whether the text names the action: its reference; the minute that set it
// (with a word of its text, unless that minute set no other open action); or most of the
// words of its text.
func names(text string, a OpenAction, byMinute map[string]int) bool {
	if a.Ref != "" && strings.Contains(strings.ToUpper(text), strings.ToUpper(a.Ref)) {
		return true
	}
	want := keywords(a.Text)
	got := keywords(text)
	common := 0
	for w := range want {
		if got[w] {
			common++
		}
	}
	if a.Minute != "" {
		m := normMinute(a.Minute)
		for _, found := range minuteRef.FindAllStringSubmatch(text, -1) {
			f := found[1]
			if f == "" {
				f = found[2]
			}
			if normMinute(f) == m && (byMinute[m] == 1 || common > 0) {
				return true
			}
		}
	}
	return len(want) >= 2 && (common*5 >= len(want)*3 || common >= 4)
}

// normMinute compares minute numbers without their year: "47/21", "47 / 2021" and "47"
// are the same minute of the board.
func normMinute(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	if i := strings.IndexByte(s, '/'); i > 0 {
		s = s[:i]
	}
	return s
}

var stopWords = map[string]bool{
	"that": true, "this": true, "with": true, "from": true, "have": true, "been": true, "were": true,
	"would": true, "will": true, "should": true, "their": true, "there": true, "they": true, "them": true,
	"which": true, "about": true, "into": true, "next": true, "meeting": true, "board": true, "partnership": true,
	"action": true, "actions": true, "complete": true, "completed": true, "closed": true, "done": true,
	"discharged": true, "also": true, "each": true, "other": true, "copy": true, "update": true, "report": true,
	"minute": true, "minutes": true, "item": true, "back": true, "members": true, "partners": true, "what": true,
}

// keywords are the words of a text that tell one action from another: four letters or
// more, not the common words of minutes, with a plural's s taken off.
func keywords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < 4 || stopWords[w] {
			continue
		}
		if strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 4 {
			w = w[:len(w)-1]
		}
		out[w] = true
	}
	return out
}

// doneRefs lists the references of what was found done, for a message.
func doneRefs(ds []Done) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Ref)
	}
	slices.Sort(out)
	return out
}
