package minutes

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Parse reads minutes written in Quorum's dialect of markdown. Clerks write ordinary
// markdown; the few lines below have a meaning for Quorum, and everything else is text.
//
// # Front matter
//
// A block between two "---" lines at the very top of the file (YAML: board, meeting, place,
// present, ...) is front matter: the dialect skips it ("+++" lines, for TOML, too). Line numbers count every line of the
// file, front matter included. A front matter block that is never closed is an error. When
// Options.MeetingDate is not given, a top-level "meeting: 2026-03-19T10:00" line in the front
// matter gives the date of the meeting.
//
// # Agenda items
//
// A heading of level 2 or 3 that starts with a number is an agenda item:
//
//	## 7. Quarterly update from partners
//	### 7a. Priority one – safer neighbourhoods {#47a}
//
// The number may be written "7.", "7", "7)", "7a.", "7a" or "7(a)"; "7(a)" is read as "7a",
// and letters are read in lower case. A trailing {#47} (also {#47/21}, {#12a}) holds the
// board's minute number for the item; Quorum writes it there when minute numbers are
// given. An item number, or a minute number, used twice is an error at the second heading.
// Everything below an item heading belongs to that item until the next item heading. A
// heading of level 1 or 2 without a number ("## Date of next meeting") ends the item; a
// heading of level 3 or more without a number stays inside it.
//
// # Resolutions
//
// A paragraph that starts "RESOLVED" is a resolution; its text is what follows the word:
// "RESOLVED that the update be noted." gives "that the update be noted.". "RESOLVED:"
// and a bold **RESOLVED** are read too. At the start of a paragraph "Resolved that" and
// "Resolved:" may be in any case; a line in capitals "RESOLVED" starts a resolution even
// straight after another line. A resolution may run over several lines; they are joined
// with spaces.
//
// When the paragraph is just "RESOLVED that", or ends with "that" or with a colon, the
// numbered list right after it holds the resolutions, one per list item: "1.", "1)",
// "(1)", and also "(a)" or "a)". A list item's text is the resolution's text, and may
// run over several lines. Such a paragraph with no numbered list after it is an error.
//
// Resolutions are numbered 1, 2, 3 ... within their item, in the order they are written,
// whatever numbers the list shows. A resolution outside any agenda item is an error.
//
// # Actions
//
// A line (also a list item: "- ACTION ...") of the form
//
//	ACTION @owner: what is to be done (by next meeting)
//	ACTION @JS, @police: what is to be done by 30 April 2026
//	ACTION SBP/26/07 @partners: what is to be done
//
// is an action. An action is one line: the line after it is ordinary text, so keep the
// due part on the ACTION line. ACTION is written in capitals, or in bold (**ACTION**); a
// line starting "Action" in another case is an action only when it is written in full in
// this form, and otherwise plain text. "ACTION" later in a line is text.
//
// Owners follow ACTION, each with an @: a member's initials (@JS) or handle
// (@jane.smith), a role (@chair, @vice-chair), an organisation (@police) or a group
// (@partners). An owner's name holds letters, digits and . - _ &. Several owners are
// separated by commas, spaces, "and" or "&". A colon ends the owners; the text of the
// action follows it. An ACTION line with no owner, or with no colon after the owners,
// is an error that shows the expected form. So is an ACTION with no text, and an ACTION
// outside any agenda item.
//
// On save Quorum gives each new action its reference and writes it just after ACTION
// ("ACTION SBP/26/07 @JS: ..."): keep it there when editing the line, so that the line
// stays the same action. A reference holds letters, digits and / . - _; the same
// reference on two lines is an error at the second.
//
// The due part is written at the end of the text, in brackets "(by ...)" or after the
// word " by ". It is one of:
//
//	by 30 April 2026, by 30th April 2026, by 30th of April 2026, by 30 Apr 2026, by April 30, 2026
//	by Thursday 30 April 2026    (the weekday must match the date)
//	by 30/04/2026, by 30/4/26, by 30.04.2026, by 2026-04-30 (day first: UK order)
//	by 30 April                  (the first 30 April on or after the meeting)
//	by the end of April [2026]   (the last day of that month)
//	by next meeting, by the next meeting, by the next Board meeting
//	by the September meeting, by September meeting
//
// A date that does not exist (31/02/2026, 2026-13-01) is an error, and so is a due date
// before the meeting. In brackets, anything after "by" that is not one of these forms is
// an error; without brackets, " by " ends the text only when what follows reads as a
// due part, starts with a digit, names a weekday or ends in "meeting" ("led by Jane" stays
// text). The action's text is the line without its due part. No due part: no due date.
// "The September meeting" is the board's first scheduled meeting in September after this
// one; when the board has none, that is an error.
//
// # Post-meeting notes
//
// A block quote whose first line starts "Post-meeting note" (any case, "Post meeting note"
// too, in bold, italics or brackets) is a post-meeting note. Its lines are joined with spaces, its
// paragraphs with a blank line. The note ends at the first line not starting with ">".
//
// # Everything else
//
// Lines in fenced code blocks (``` or ~~~) and in block quotes are never items,
// resolutions or actions. A code block that is never closed is an error. Indenting a line
// does not make it code here. Raw HTML is text: "<p>ACTION ...</p>" is not an action.
//
// # Errors
//
// Every error names the line it stands on (1-based, counting front matter) and says what
// was expected. A file that is not UTF-8 text, or is over 2 MB, gives a single error.
// What has an error on its line is left out of Items, Resolutions, Actions and Notes.
func Parse(src []byte, opt Options) (p *Parsed) {
	p = &Parsed{
		Items:       []Item{},
		Resolutions: []Resolution{},
		Actions:     []ActionLine{},
		Notes:       []Note{},
		Errors:      []LineError{},
	}
	if len(src) > maxMinutesSize {
		p.Errors = append(p.Errors, LineError{Line: 1, Message: "minutes over 2 MB"})
		return p
	}
	if !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 {
		p.Errors = append(p.Errors, LineError{Line: 1, Message: "the file is not UTF-8 text"})
		return p
	}
	defer func() {
		// A bug here must cost the clerk an error message, never the server a request.
		if e := recover(); e != nil {
			p.Errors = append(p.Errors, LineError{Line: 1, Message: fmt.Sprintf("%s (%v)", parseInternalError, e)})
		}
	}()

	s := string(src)
	lines := scanDialectLines(s)
	r := &dialectReader{
		opt:      opt,
		meeting:  opt.MeetingDate,
		out:      p,
		items:    map[string]int{},
		minutes:  map[string]int{},
		refs:     map[string]int{},
		ordinals: map[string]int{},
		owners:   map[string]string{},
	}
	if r.meeting.IsZero() {
		r.meeting = frontMatterMeetingDate(s, lines)
	}
	p.Errors = append(p.Errors, lines.errs...)
	for i, sp := range lines.spans {
		if lines.kinds[i] != lineText {
			r.endBlocks()
			continue
		}
		r.line(i+1, s[sp.start:sp.end])
	}
	r.endBlocks()
	slices.SortStableFunc(p.Errors, func(a, b LineError) int { return a.Line - b.Line })
	return p
}

// Options are what Parse needs to know beyond the text.
type Options struct {
	// MeetingDate is the date of the meeting the minutes belong to (zero if unknown);
	// "by 30 April" and "by the September meeting" are read relative to it, not to today.
	MeetingDate time.Time
	// Owners checks an owner as written (without the @); a non-nil error's message is
	// shown at the line. Nil: owners are taken as written.
	Owners func(owner string) error
	// Meetings finds the date (YYYY-MM-DD) of the board's first scheduled meeting in month
	// after the given time. Nil: "by the September meeting" stays Due{Month: 9}.
	Meetings func(month time.Month, after time.Time) (date string, ok bool)
}

const maxMinutesSize = 2 << 20

// parseInternalError starts the message of an error Parse recovered from: a bug, not the
// clerk's doing. The fuzz test looks for it.
const parseInternalError = "Quorum could not read these minutes: please report this"

// actionForm is the form an ACTION line must take, shown in its errors.
const actionForm = "ACTION @owner: what is to be done (by next meeting)"

// lineKind says whether the dialect reads a line at all.
type lineKind uint8

const (
	lineText        lineKind = iota
	lineFrontMatter          // between the --- lines at the top
	lineCode                 // in a fenced code block, the fences included
)

type lineSpan struct{ start, end int } // end is before "\n" or "\r\n"

type dialectLines struct {
	spans []lineSpan
	kinds []lineKind
	errs  []LineError
}

// scanDialectLines cuts s into lines and marks the front matter and fenced code. Parse,
// WriteRefs and SetMinuteNumbers share it, so they agree on which lines count.
func scanDialectLines(s string) dialectLines {
	var l dialectLines
	n := strings.Count(s, "\n") + 1
	l.spans = make([]lineSpan, 0, n)
	start := 0
	if strings.HasPrefix(s, "\uFEFF") {
		start = len("\uFEFF")
	}
	for start <= len(s) {
		i := strings.IndexByte(s[start:], '\n')
		end, next := len(s), len(s)+1
		if i >= 0 {
			end, next = start+i, start+i+1
		}
		if end > start && s[end-1] == '\r' {
			end--
		}
		if i < 0 && start == len(s) && len(l.spans) > 0 {
			break // the text ends with a newline: no empty line after it
		}
		l.spans = append(l.spans, lineSpan{start, end})
		start = next
	}
	l.kinds = make([]lineKind, len(l.spans))
	line := func(i int) string { return s[l.spans[i].start:l.spans[i].end] }

	first := 0
	if len(l.spans) > 0 {
		if open := strings.TrimRight(line(0), " \t"); open == "---" || open == "+++" {
			closed := false
			for i := 1; i < len(l.spans); i++ {
				c := strings.TrimRight(line(i), " \t")
				if c == open || (open == "---" && c == "...") {
					for j := 0; j <= i; j++ {
						l.kinds[j] = lineFrontMatter
					}
					first, closed = i+1, true
					break
				}
			}
			if !closed {
				l.errs = append(l.errs, LineError{Line: 1, Message: "the front matter that starts here is never closed: end it with a line of three dashes (---)"})
			}
		}
	}

	var fence byte
	fenceLen, fenceLine := 0, 0
	for i := first; i < len(l.spans); i++ {
		t := line(i)
		if fence != 0 {
			l.kinds[i] = lineCode
			if c, n, _ := fenceMarker(t); c == fence && n >= fenceLen && strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(t), string(c))) == "" {
				fence = 0
			}
			continue
		}
		if c, n, ok := fenceMarker(t); ok {
			fence, fenceLen, fenceLine = c, n, i+1
			l.kinds[i] = lineCode
		}
	}
	if fence != 0 {
		l.errs = append(l.errs, LineError{Line: fenceLine, Message: fmt.Sprintf("this code block (%s) is never closed, so nothing after it is read: close it with %s on a line of its own",
			strings.Repeat(string(fence), fenceLen), strings.Repeat(string(fence), fenceLen))})
	}
	return l
}

// fenceMarker reads the start of a fenced code block: ``` or ~~~ (three or more).
func fenceMarker(line string) (c byte, n int, ok bool) {
	t := strings.TrimLeft(line, " \t")
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0, false
	}
	c = t[0]
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 3 || (c == '`' && strings.IndexByte(t[n:], '`') >= 0) {
		return 0, 0, false
	}
	return c, n, true
}

// frontMatterMeetingDate reads "meeting: 2026-03-19T10:00" from the front matter.
func frontMatterMeetingDate(s string, l dialectLines) time.Time {
	for i, sp := range l.spans {
		if l.kinds[i] != lineFrontMatter {
			break
		}
		v, ok := strings.CutPrefix(s[sp.start:sp.end], "meeting:")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if len(v) >= 10 {
			if t, err := time.Parse(time.DateOnly, v[:10]); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// dialectReader reads the text lines one by one and keeps what is open: the current item,
// a resolution paragraph, a list of resolutions, a post-meeting note.
type dialectReader struct {
	opt     Options
	meeting time.Time
	out     *Parsed

	item     string         // number of the current agenda item; "" outside items
	items    map[string]int // item number -> line of its heading
	minutes  map[string]int // minute number -> line
	refs     map[string]int // action reference -> line
	ordinals map[string]int // item number -> resolutions so far
	owners   map[string]string

	inPara   bool      // the previous line belongs to a paragraph
	res      *openText // a RESOLVED paragraph
	wantList int       // line of a "RESOLVED that" waiting for its numbered list
	inList   bool      // in the numbered list of resolutions
	listItem *openText
	listGap  bool // a blank line since the last line of the list
	note     *openText
	inQuote  bool // in a block quote that is not a note
}

// openText is text being gathered over several lines.
type openText struct {
	line  int
	b     strings.Builder
	paras bool // a paragraph break is pending
}

func (o *openText) add(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		if o.b.Len() > 0 {
			o.paras = true
		}
		return
	}
	if o.b.Len() > 0 {
		if o.paras {
			o.b.WriteString("\n\n")
		} else {
			o.b.WriteByte(' ')
		}
	}
	o.paras = false
	o.b.WriteString(s)
}

func (r *dialectReader) fail(line int, format string, args ...any) {
	r.out.Errors = append(r.out.Errors, LineError{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (r *dialectReader) line(no int, s string) {
	t := strings.TrimSpace(s)
	if t == "" {
		r.endParagraph()
		r.endQuote()
		if r.inList {
			r.listGap = true
		}
		return
	}
	if q, ok := quoted(s); ok {
		r.endParagraph()
		r.endList()
		switch {
		case r.note != nil:
			r.note.add(q)
		case r.inQuote:
		case isPostMeetingNote(q):
			r.note = &openText{line: no}
			r.note.add(q)
		default:
			r.inQuote = true
		}
		return
	}
	r.endQuote()

	if h, ok := readHeading(s); ok {
		r.endParagraph()
		r.endList()
		r.heading(no, h)
		r.inPara = false
		return
	}
	if a, msg, ok := splitAction(s); ok {
		r.endParagraph()
		r.endList()
		r.action(no, a, msg)
		r.inPara = true
		return
	}
	if text, ok := resolutionListItem(t); ok && (r.res != nil || r.wantList != 0 || r.inList) {
		r.endParagraph() // a "RESOLVED that" just above now waits for this list
		if r.wantList != 0 || r.inList {
			r.endListItem()
			r.wantList, r.inList, r.listGap = 0, true, false
			r.listItem = &openText{line: no}
			r.listItem.add(text)
			r.inPara = true
			return
		}
	}
	if r.inList {
		_, resolved := resolvedStart(t, false)
		if r.listItem != nil && !resolved && !startsListItem(t) && (!r.listGap || indented(s)) {
			r.listItem.add(t)
			r.listGap = false
			return
		}
	}
	r.endList()
	if rest, ok := resolvedStart(t, !r.inPara); ok {
		r.endParagraph()
		r.res = &openText{line: no}
		r.res.add(rest)
		r.inPara = true
		return
	}
	if startsListItem(t) {
		r.endParagraph()
	} else if r.res != nil {
		r.res.add(t)
	}
	r.inPara = true
}

// endBlocks closes everything open: at a fence, in front matter, at the end.
func (r *dialectReader) endBlocks() {
	r.endParagraph()
	r.endList()
	r.endQuote()
}

// endParagraph closes a RESOLVED paragraph: one resolution, or the start of a list of them.
func (r *dialectReader) endParagraph() {
	r.inPara = false
	if r.res == nil {
		return
	}
	o := r.res
	r.res = nil
	text := o.b.String()
	lower := strings.ToLower(text)
	if text == "" || lower == "that" || strings.HasSuffix(lower, " that") || strings.HasSuffix(text, ":") {
		r.wantList = o.line
		return
	}
	r.resolution(o.line, text)
}

func (r *dialectReader) endListItem() {
	if r.listItem == nil {
		return
	}
	o := r.listItem
	r.listItem = nil
	if o.b.Len() == 0 {
		r.fail(o.line, "this numbered resolution is empty: write what was resolved after the number")
		return
	}
	r.resolution(o.line, o.b.String())
}

func (r *dialectReader) endList() {
	if r.wantList != 0 {
		r.fail(r.wantList, `no numbered list follows this RESOLVED: write the resolution after "RESOLVED", or list the resolutions below it as 1., 2., ...`)
		r.wantList = 0
	}
	if r.inList {
		r.endListItem()
		r.inList, r.listGap = false, false
	}
}

func (r *dialectReader) endQuote() {
	r.inQuote = false
	if r.note == nil {
		return
	}
	o := r.note
	r.note = nil
	r.out.Notes = append(r.out.Notes, Note{Item: r.item, Text: o.b.String(), Line: o.line})
}

func (r *dialectReader) resolution(line int, text string) {
	if r.item == "" {
		r.fail(line, "this resolution is outside any agenda item: put it under the item's heading (## 7. Title)")
		return
	}
	r.ordinals[r.item]++
	r.out.Resolutions = append(r.out.Resolutions, Resolution{Item: r.item, Ordinal: r.ordinals[r.item], Text: text, Line: line})
}

func (r *dialectReader) heading(no int, h heading) {
	if !h.numbered {
		if h.level <= 2 {
			r.item = ""
		}
		return
	}
	r.item = h.number
	ok := true
	if h.minuteErr != "" {
		r.fail(no, "%s", h.minuteErr)
		ok = false
	}
	if first, dup := r.items[h.number]; dup {
		r.fail(no, "item %s is already used at line %d: each agenda item needs its own number", h.number, first)
		ok = false
	} else {
		r.items[h.number] = no
	}
	if h.minute != "" {
		if first, dup := r.minutes[h.minute]; dup {
			r.fail(no, "minute number %s is already used at line %d: each item needs its own minute number", h.minute, first)
			ok = false
		} else {
			r.minutes[h.minute] = no
		}
	}
	if ok {
		r.out.Items = append(r.out.Items, Item{Number: h.number, Title: h.title, Minute: h.minute, Level: h.level, Line: no})
	}
}

func (r *dialectReader) action(no int, a actionParts, msg string) {
	if msg != "" {
		r.fail(no, "%s", msg)
		return
	}
	if r.item == "" {
		r.fail(no, "this ACTION is outside any agenda item: put it under the item's heading (## 7. Title)")
		return
	}
	ok := true
	if a.ref != "" {
		if first, dup := r.refs[a.ref]; dup {
			r.fail(no, "reference %s is already used at line %d: remove it from this line, and Quorum gives the action a new reference on save", a.ref, first)
			ok = false
		} else {
			r.refs[a.ref] = no
		}
	}
	for _, o := range a.owners {
		if r.opt.Owners == nil {
			break
		}
		m, seen := r.owners[o]
		if !seen {
			if err := r.opt.Owners(o); err != nil {
				m = err.Error()
				if m == "" {
					m = "unknown owner @" + o
				}
			}
			r.owners[o] = m
		}
		if m != "" {
			r.fail(no, "%s", m)
			ok = false
		}
	}
	text, duePart, hasDue := splitDuePart(a.rest)
	if text == "" {
		r.fail(no, "this ACTION says who but not what: write what is to be done after the colon, as in %s", actionForm)
		ok = false
	}
	var due *Due
	if hasDue {
		d, err, _ := readDue(duePart, r.meeting)
		if err != nil {
			r.fail(no, "%s", err.Error())
			ok = false
		}
		due = d
	}
	if due != nil && due.Month != 0 && r.opt.Meetings != nil {
		if date, found := r.opt.Meetings(time.Month(due.Month), r.meeting); found {
			due.Meeting = date
		} else {
			after := ""
			if !r.meeting.IsZero() {
				after = " after " + ukDate(civilDay(r.meeting))
			}
			r.fail(no, "no %s meeting of this board is scheduled%s", time.Month(due.Month), after)
			ok = false
		}
	}
	if ok {
		r.out.Actions = append(r.out.Actions, ActionLine{Ref: a.ref, Item: r.item, Owners: a.owners, Text: text, Due: due, Line: no})
	}
}

// quoted gives the content of a block quote line: "> text" gives "text".
func quoted(s string) (string, bool) {
	t := strings.TrimLeft(s, " ")
	if len(s)-len(t) > 3 || !strings.HasPrefix(t, ">") {
		return "", false
	}
	return strings.TrimPrefix(t[1:], " "), true
}

func isPostMeetingNote(q string) bool {
	t := strings.TrimLeft(q, " *_(")
	return hasPrefixFold(t, "post-meeting note") || hasPrefixFold(t, "post meeting note") || hasPrefixFold(t, "postmeeting note")
}

func indented(s string) bool { return strings.HasPrefix(s, "  ") || strings.HasPrefix(s, "\t") }

// heading is an ATX heading as the dialect reads it.
type heading struct {
	level     int
	numbered  bool // an agenda item
	number    string
	title     string
	minute    string
	minuteErr string
	// the {#...} as written, as byte offsets in the line; -1 if none
	minuteStart, minuteEnd int
	contentEnd             int // end of the heading's text, before trailing blanks
}

// readHeading reads "## 7a. Title {#47a}". Any ATX heading is a heading; only a level 2 or
// 3 heading that starts with a number is an agenda item.
func readHeading(s string) (heading, bool) {
	h := heading{minuteStart: -1, minuteEnd: -1}
	i := 0
	for i < len(s) && i < 3 && s[i] == ' ' {
		i++
	}
	for i < len(s) && s[i] == '#' {
		h.level++
		i++
	}
	if h.level == 0 || h.level > 6 || (i < len(s) && s[i] != ' ' && s[i] != '\t') {
		return h, false
	}
	content := s[i:]
	end := len(strings.TrimRight(s, " \t"))
	h.contentEnd = end
	c := strings.TrimSpace(content)
	// {#47} may stand before or after closing hashes: "## 7. Title {#47}", "## 7. Title ## {#47}".
	c, h.minuteStart, h.minuteEnd, h.minute, h.minuteErr = cutMinuteNumber(c, end)
	if t := strings.TrimRight(c, "#"); len(t) < len(c) && (t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t")) {
		c = strings.TrimSpace(t)
		if h.minuteStart < 0 && h.minuteErr == "" {
			// the offset of c's end in s: c is a prefix of the trimmed content
			cEnd := i + strings.Index(content, c) + len(c)
			c, h.minuteStart, h.minuteEnd, h.minute, h.minuteErr = cutMinuteNumber(c, cEnd)
		}
	}

	if h.level != 2 && h.level != 3 {
		return h, true
	}
	number, title, ok := cutItemNumber(c)
	if !ok {
		return h, true
	}
	h.numbered, h.number, h.title = true, number, title
	return h, true
}

// cutMinuteNumber takes a trailing {#47} off c, whose end is at offset end of the line.
func cutMinuteNumber(c string, end int) (rest string, start, stop int, minute, errMsg string) {
	if !strings.HasSuffix(c, "}") {
		return c, -1, -1, "", ""
	}
	open := strings.LastIndex(c, "{#")
	if open < 0 {
		return c, -1, -1, "", ""
	}
	inner := c[open+2 : len(c)-1]
	start, stop = end-(len(c)-open), end
	rest = strings.TrimSpace(c[:open])
	if !validMinuteNumber(inner) {
		return rest, start, stop, "", fmt.Sprintf("cannot read the minute number {#%s}: write it as {#47}, {#47/21} or {#12a}", inner)
	}
	return rest, start, stop, inner, ""
}

func validMinuteNumber(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !isRefChar(c) {
			return false
		}
	}
	return true
}

// cutItemNumber reads "7. Title", "7 Title", "7) Title", "7a. Title", "7(a) Title".
func cutItemNumber(c string) (number, title string, ok bool) {
	i := 0
	for i < len(c) && i < 4 && c[i] >= '0' && c[i] <= '9' {
		i++
	}
	if i == 0 || i > 3 {
		return "", "", false
	}
	number = c[:i]
	rest := c[i:]
	switch {
	case len(rest) >= 3 && rest[0] == '(' && isASCIILetter(rest[1]) && rest[2] == ')':
		number += strings.ToLower(rest[1:2])
		rest = rest[3:]
	case len(rest) >= 1 && isASCIILetter(rest[0]):
		number += strings.ToLower(rest[:1])
		rest = rest[1:]
	}
	if strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, ")") {
		rest = rest[1:]
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", "", false
	}
	return number, strings.TrimSpace(rest), true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// resolvedStart reads "RESOLVED that ...", "RESOLVED: ...", "**RESOLVED** that ..." and gives
// what follows the word. At the start of a paragraph "Resolved that" and "Resolved:" may be in
// any case; elsewhere only the capitals count.
func resolvedStart(t string, paraStart bool) (rest string, ok bool) {
	s := t
	bold := ""
	if strings.HasPrefix(s, "**") || strings.HasPrefix(s, "__") {
		bold, s = s[:2], s[2:]
	}
	const kw = "RESOLVED"
	if len(s) < len(kw) {
		return "", false
	}
	upper := s[:len(kw)] == kw
	if !upper && !(paraStart && strings.EqualFold(s[:len(kw)], kw)) {
		return "", false
	}
	s = s[len(kw):]
	colon := false
	if strings.HasPrefix(s, ":") {
		s, colon = s[1:], true
	}
	if bold != "" {
		if !strings.HasPrefix(s, bold) {
			return "", false
		}
		s = s[2:]
		if strings.HasPrefix(s, ":") {
			s, colon = s[1:], true
		}
	}
	if !colon && s != "" && s[0] != ' ' && s[0] != '\t' {
		return "", false // "RESOLVEDLY", "Resolvedness"
	}
	rest = strings.TrimSpace(s)
	if !upper && !colon {
		// "Resolved issues were reported" is prose; "Resolved that ..." is a resolution.
		lower := strings.ToLower(rest)
		if lower != "that" && !strings.HasPrefix(lower, "that ") && !strings.HasPrefix(lower, "that:") {
			return "", false
		}
	}
	return rest, true
}

// resolutionListItem reads a numbered list item: "1. text", "1) text", "(1) text", "(a) text", "a) text".
func resolutionListItem(t string) (text string, ok bool) {
	i := 0
	paren := strings.HasPrefix(t, "(")
	if paren {
		i = 1
	}
	j := i
	for j < len(t) && j-i < 3 && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	letter := false
	if j == i && j < len(t) && t[j] >= 'a' && t[j] <= 'z' {
		j++
		letter = true
	}
	if j == i || j >= len(t) {
		return "", false
	}
	switch {
	case paren && t[j] == ')':
	case !paren && t[j] == ')':
	case !paren && !letter && t[j] == '.':
	default:
		return "", false
	}
	j++
	if j < len(t) && t[j] != ' ' && t[j] != '\t' {
		return "", false
	}
	return strings.TrimSpace(t[j:]), true
}

// startsListItem says whether t starts a list item of any kind: "- ", "* ", "+ ", "1. ", "1) ".
func startsListItem(t string) bool {
	if len(t) >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && (t[1] == ' ' || t[1] == '\t') {
		return true
	}
	_, ok := resolutionListItem(t)
	return ok
}

// actionParts is an ACTION line taken apart. Offsets are bytes in the line.
type actionParts struct {
	ref              string
	refStart, refEnd int // the reference as written; both at keywordEnd when there is none
	keywordEnd       int // just after "ACTION" (or "**ACTION**")
	owners           []string
	rest             string // after the colon: the text with its due part
}

// SplitActionLine takes an ACTION line apart: its reference (empty until saved), its owners
// as written without the @, and the rest after the colon (the text with its due part). ok is
// false when the line is not a well-formed ACTION line. The line may be a list item
// ("- ACTION ..."). It does not know which lines are in code blocks or quotes: Parse does.
func SplitActionLine(line string) (ref string, owners []string, rest string, ok bool) {
	a, msg, is := splitAction(line)
	if !is || msg != "" {
		return "", nil, "", false
	}
	return a.ref, a.owners, a.rest, true
}

// splitAction reads an ACTION line. isAction says whether the line is meant as one (ACTION in
// capitals, or a well-formed line starting "Action" in another case); msg is the error for
// the clerk when it is meant as one but is not well formed.
func splitAction(line string) (a actionParts, msg string, isAction bool) {
	i := len(line) - len(strings.TrimLeft(line, " \t"))
	i += listMarkerLen(line[i:])
	bold := ""
	if strings.HasPrefix(line[i:], "**") || strings.HasPrefix(line[i:], "__") {
		bold = line[i : i+2]
		i += 2
	}
	const kw = "ACTION"
	if len(line)-i < len(kw) || !strings.EqualFold(line[i:i+len(kw)], kw) {
		return a, "", false
	}
	strict := line[i:i+len(kw)] == kw
	i += len(kw)
	if bold != "" {
		if !strings.HasPrefix(line[i:], bold) {
			return a, "", false
		}
		i += 2
	}
	if i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != ':' {
		return a, "", false // ACTIONS, ACTIONED
	}
	a.keywordEnd, a.refStart, a.refEnd = i, i, i
	bad := func(m string) (actionParts, string, bool) {
		if !strict {
			return actionParts{}, "", false
		}
		return actionParts{}, m, true
	}

	i = skipBlanks(line, i)
	if i < len(line) && line[i] != '@' && line[i] != ':' {
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '@' && line[j] != ':' && line[j] != ',' {
			j++
		}
		if !validRef(line[i:j]) {
			return bad(fmt.Sprintf("cannot read this ACTION: after ACTION come the owners, each with an @ (an existing reference such as SBP/26/07 may stand first); write it as %s", actionForm))
		}
		a.ref, a.refStart, a.refEnd = line[i:j], i, j
		i = j
	}
	for {
		i = skipBlanks(line, i)
		if i < len(line) && line[i] == ',' {
			i++
			continue
		}
		if strings.HasPrefix(line[i:], "and ") || strings.HasPrefix(line[i:], "& ") {
			i += strings.IndexByte(line[i:], ' ')
			continue
		}
		if i >= len(line) || line[i] != '@' {
			break
		}
		i++
		j := i
		for j < len(line) {
			c, size := utf8.DecodeRuneInString(line[j:])
			if !isOwnerChar(c) {
				break
			}
			j += size
		}
		if j == i {
			return bad(fmt.Sprintf("an @ with no name after it: name the owner, as in %s", actionForm))
		}
		if name := line[i:j]; !slices.Contains(a.owners, name) {
			a.owners = append(a.owners, name)
		}
		i = j
	}
	if len(a.owners) == 0 {
		return bad(fmt.Sprintf("this ACTION has no owner: name who does it with an @, as in %s", actionForm))
	}
	if i >= len(line) || line[i] != ':' {
		return bad(fmt.Sprintf("this ACTION needs a colon after its owners: write it as %s", actionForm))
	}
	a.rest = strings.TrimSpace(line[i+1:])
	return a, "", true
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// listMarkerLen is the length of a list marker and the blanks after it: "- ", "* ", "+ ",
// "1. ", "1) ", or 0.
func listMarkerLen(s string) int {
	if len(s) >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && (s[1] == ' ' || s[1] == '\t') {
		return skipBlanks(s, 1)
	}
	j := 0
	for j < len(s) && j < 9 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j > 0 && j+1 < len(s) && (s[j] == '.' || s[j] == ')') && (s[j+1] == ' ' || s[j+1] == '\t') {
		return skipBlanks(s, j+1)
	}
	return 0
}

func isOwnerChar(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '-' || c == '_' || c == '&'
}

func isRefChar(c rune) bool {
	return c < utf8.RuneSelf && (isASCIILetter(byte(c)) || c >= '0' && c <= '9' || c == '/' || c == '.' || c == '-' || c == '_')
}

// validRef: letters, digits and / . - _, starting with a letter or digit.
func validRef(s string) bool {
	if s == "" || len(s) > 40 || !isASCIILetter(s[0]) && (s[0] < '0' || s[0] > '9') {
		return false
	}
	for _, c := range s {
		if !isRefChar(c) {
			return false
		}
	}
	return true
}

// splitDuePart cuts the due part off the end of an action's text: "(by 30 April 2026)" or
// " by next meeting". Without brackets, " by ..." is a due part only when it reads like one,
// so "led by Jane" stays text.
func splitDuePart(rest string) (text, due string, ok bool) {
	core := strings.TrimRight(rest, " \t.")
	if strings.HasSuffix(core, ")") {
		depth := 0
		for i := len(core) - 1; i >= 0; i-- {
			switch core[i] {
			case ')':
				depth++
			case '(':
				depth--
			}
			if depth == 0 {
				inner := strings.TrimSpace(core[i+1 : len(core)-1])
				if strings.EqualFold(inner, "by") || hasPrefixFold(inner, "by ") {
					return trimTextEnd(core[:i]), inner, true
				}
				break
			}
		}
		return strings.TrimSpace(rest), "", false
	}
	i := lastBy(core)
	if i < 0 {
		return strings.TrimSpace(rest), "", false
	}
	cand := strings.TrimSpace(core[i+2:])
	if looksLikeDue(cand) {
		return trimTextEnd(core[:i]), "by " + cand, true
	}
	return strings.TrimSpace(rest), "", false
}

// lastBy finds the last word "by" in s that is followed by a blank and starts s or follows
// one, in any case; -1 if none.
func lastBy(s string) int {
	for i := len(s) - 3; i >= 0; i-- {
		if (s[i] == 'b' || s[i] == 'B') && (s[i+1] == 'y' || s[i+1] == 'Y') && (s[i+2] == ' ' || s[i+2] == '\t') &&
			(i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return i
		}
	}
	return -1
}

func trimTextEnd(s string) string { return strings.TrimRight(s, " \t,;:–—-") }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// looksLikeDue says whether what follows an unbracketed " by " is meant as a due part.
func looksLikeDue(s string) bool {
	if s == "" {
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return true
	}
	lower := strings.ToLower(s)
	if strings.HasSuffix(lower, "meeting") {
		return true
	}
	if _, ok := weekdayNamed(strings.TrimRight(lower, ",")); ok {
		return true
	}
	_, _, recognised := readDue(s, time.Time{})
	return recognised
}
