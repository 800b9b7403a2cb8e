package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"quorum/minutes"
)

// block is a piece of the markdown body: a heading, a paragraph, a list, an ACTION line.
type block struct {
	md        string
	src       int
	kind      string  // what was recognised ("item", "resolution", ...), for Highlights; "" for text
	text      string  // the original text, for Highlights
	would     bool    // an action read from narrative ("X would ..."), dropped when the item has others
	owners    []owner // an action's owners as found
	fromProse bool    // an action read from the paragraph before it
	row       int     // the row it came from
	prose     bool    // a plain paragraph that more lines may run on into
	list      bool    // a list, which more list paragraphs join
}

// resolution is a "RESOLVED that" waiting for its numbered list.
type pendingList struct {
	head  string
	src   int
	text  string
	items []string
	srcs  []int
}

type converter struct {
	opt Options
	fm  frontMatter

	blocks []block // the body as written so far
	rowNo  int     // the row being read

	header     bool   // before the first item
	listMode   string // in the title block: "present", "also_present", "apologies"
	sawTitle   bool   // the "Minutes of ..." line, or attendance, has been read
	pendingNum string // "Agenda item 7" seen: its number, waiting for a title
	agendaSeen bool   // an "Agenda item" line: the next line is the item's title
	inlineList bool   // the attendance list started on its heading's line: "Present: A, B and C"

	itemCount   int
	itemNum     int    // the current item's agenda number
	itemKey     string // "7", "7a"
	itemStart   int    // index in blocks of the current item's heading
	itemTitle   string
	subLetter   byte
	usedNumbers map[string]bool
	usedMinutes map[string]bool

	res        *pendingList
	lastColon  bool     // the last paragraph ended with a colon: a list follows
	rowTexts   []string // resolutions and sentences of the current row, for its Action column
	lastText   string   // the last paragraph's text, for an "ACTION: JS" line after it
	nextMeetAt bool     // a "Date of next meeting" heading has been written

	owners, unmatched []string
	ownerSeen         map[string]bool
	notUnderstood     []Line
}

func newConverter(opt Options) *converter {
	return &converter{opt: opt, header: true, usedNumbers: map[string]bool{}, usedMinutes: map[string]bool{}, ownerSeen: map[string]bool{}, itemStart: -1}
}

func (c *converter) emit(b block) {
	b.row = c.rowNo
	c.blocks = append(c.blocks, b)
}

func (c *converter) dontKnow(p para) {
	c.notUnderstood = append(c.notUnderstood, Line{N: p.src, Text: p.plain})
}

// row reads one row: its margin number, its paragraphs, its Action column.
func (c *converter) row(r row) {
	c.rowNo++
	c.rowTexts = nil
	paras := r.paras
	first := 0
	if r.margin != "" {
		title := ""
		if len(paras) > 0 {
			title = paras[0].plain
		}
		if c.marginItem(r.margin, title, r.src) {
			first = 1
		}
	}
	for i := first; i < len(paras); i++ {
		p := paras[i]
		if i == first && r.cells && r.margin == "" && c.canRunOn(p) {
			p.cont = true // a paragraph carried over a page break onto the next row
		}
		c.para(p)
	}
	if r.action != "" && !isActionHeader(r.action) {
		c.columnAction(r)
	}
}

// canRunOn: a row that starts in lower case, after a paragraph that stopped mid-sentence.
func (c *converter) canRunOn(p para) bool {
	if len(c.blocks) == 0 || !c.blocks[len(c.blocks)-1].prose {
		return false
	}
	r := []rune(p.plain)
	if len(r) == 0 || !unicode.IsLower(r[0]) {
		return false
	}
	last := strings.TrimRight(c.blocks[len(c.blocks)-1].md, " *")
	return last != "" && !strings.ContainsAny(last[len(last)-1:], ".!?:;)")
}

// marginItem starts an item from a margin number, with the row's first paragraph as its
// title when it reads as one.
func (c *converter) marginItem(margin, title string, src int) bool {
	m := marginLine.FindStringSubmatch(strings.TrimSpace(margin))
	if m == nil {
		return false
	}
	if m[4] != "" {
		// a minute number in the margin; the agenda number may head the text
		if num, letter, t, ok := c.numberedTitle(title); ok {
			c.startItem(num, letter, strings.TrimSuffix(m[4], "."), t, src, title)
			return true
		}
		c.startItem(c.itemNum+1, "", strings.TrimSuffix(m[4], "."), titleOr(title), src, title)
		return titleOK(title)
	}
	n, _ := strconv.Atoi(m[1])
	letter := strings.ToLower(m[2] + m[3])
	minute := ""
	if letter == "" && c.itemCount == 0 && n > 5 || letter == "" && c.itemCount > 0 && n > c.itemNum+3 {
		// not the next agenda number: the board's minute number
		minute, n = m[1], c.itemNum+1
		if num, l, t, ok := c.numberedTitle(title); ok {
			c.startItem(num, l, minute, t, src, title)
			return true
		}
	}
	c.startItem(n, letter, minute, titleOr(title), src, title)
	return titleOK(title)
}

func titleOK(t string) bool { return t != "" && len([]rune(t)) <= 160 }

func titleOr(t string) string {
	if titleOK(t) {
		return t
	}
	return ""
}

// numberedTitle reads "7. Title" at the start of a paragraph.
func (c *converter) numberedTitle(s string) (num int, letter, title string, ok bool) {
	m := itemLine.FindStringSubmatch(s)
	if m == nil || !titleOK(m[4]) {
		return 0, "", "", false
	}
	num, _ = strconv.Atoi(m[1])
	return num, strings.ToLower(m[2] + m[3]), m[4], true
}

// startItem writes an item heading: "## 7. Title {#47}" or "### 7a. Title".
func (c *converter) startItem(num int, letter, minute, title string, src int, orig string) {
	c.flushList()
	c.endItem()
	c.header, c.listMode = false, ""
	title = cleanTitle(title)
	level := "##"
	if letter != "" {
		level = "###"
		if num != c.itemNum || c.itemCount == 0 {
			// "7a" with no item 7 before it: the item is 7 itself, written as a sub-item
			c.itemNum = num
		}
		c.subLetter = letter[0]
	} else {
		c.itemNum, c.subLetter = num, 0
		c.itemTitle = title
	}
	key := strconv.Itoa(num) + letter
	if c.usedNumbers[key] {
		// the same number twice: keep the heading as bold text
		c.emit(block{md: "**" + escapeInline(strings.TrimSpace(key+". "+title)) + "**", src: src})
		c.dontKnow(para{src: src, plain: orig})
		return
	}
	c.usedNumbers[key] = true
	c.itemKey = key
	c.itemCount++
	h := level + " " + key + "."
	if title != "" {
		h += " " + title
	}
	if minute != "" && !c.usedMinutes[minute] {
		c.usedMinutes[minute] = true
		h += " {#" + minute + "}"
	}
	c.itemStart = len(c.blocks)
	c.emit(block{md: h, src: src, kind: "item", text: orig})
}

// cleanTitle makes a title safe for a heading: no markup, no trailing full stop, no "{#" or
// closing hashes the dialect would read, capitals made into a title.
func cleanTitle(t string) string {
	t = stripMarks(strings.TrimSpace(t))
	t = strings.ReplaceAll(t, "{#", "{")
	t = strings.TrimRight(t, " .:#-–—")
	t = strings.ReplaceAll(t, "--", "–")
	return titleCase(t)
}

// endItem closes an item: an action read from narrative ("X would ...") is dropped when the
// item has actions written as such (a column, an ACTION line, a resolution), which say the same.
func (c *converter) endItem() {
	if c.itemStart < 0 {
		return
	}
	others := false
	for _, b := range c.blocks[c.itemStart:] {
		if b.kind == "action" && !b.would {
			others = true
		}
	}
	if others {
		kept := c.blocks[:c.itemStart]
		for _, b := range c.blocks[c.itemStart:] {
			if !(b.would && b.kind == "action") {
				kept = append(kept, b)
			}
		}
		c.blocks = kept
	}
	c.itemStart = -1
}

// para reads one paragraph.
func (c *converter) para(p para) {
	t := strings.TrimSpace(p.plain)
	if t == "" || strings.Trim(t, "-–—_*. ") == "" {
		return
	}
	if c.res != nil && p.heading == 0 && c.resolutionItem(p) {
		return
	}
	c.flushList()
	if c.header && c.titleBlock(p) {
		return
	}
	if c.header && !p.list && c.hasTitleBlock() && !looksLikeItem(t) {
		c.implicitItem(p.src)
	}
	if c.itemHeading(p) {
		c.lastColon = false
		return
	}
	if c.header && p.heading > 0 && p.heading <= 2 && c.sawTitle && len(t) <= 120 {
		c.startItem(c.itemNum+1, "", "", t, p.src, t)
		return
	}
	if p.heading == 3 && !c.header && len(t) <= 120 {
		letter := "a"
		if c.subLetter != 0 && c.subLetter < 'z' {
			letter = string(c.subLetter + 1)
		}
		c.startItem(c.itemNum, letter, "", t, p.src, t)
		return
	}
	if p.heading > 0 && p.heading <= 2 && !c.header && len(t) <= 120 && !nextRe.MatchString(t) {
		c.startItem(c.itemNum+1, "", "", t, p.src, t)
		return
	}
	defer func() { c.lastColon = strings.HasSuffix(t, ":") }()

	if m := noteRe.FindStringSubmatch(t); m != nil && m[1] != "" {
		c.emit(block{md: "> Post-meeting note: " + escapeInline(m[1]), src: p.src, kind: "note", text: t})
		return
	}
	if m := endedRe.FindStringSubmatch(t); m != nil {
		c.fm.ended = strings.TrimSpace(m[1] + m[2])
		c.emit(block{md: escapeLine(p.text), src: p.src, kind: "ended", text: t})
		return
	}
	if nextRe.MatchString(t) {
		c.flushList()
		if !c.nextMeetAt && !strings.Contains(strings.ToLower(c.itemTitle), "next meeting") {
			c.endItem()
			c.emit(block{md: "## Date of next meeting", src: p.src})
			c.nextMeetAt = true
			c.itemKey = ""
		}
		if strings.EqualFold(strings.TrimRight(t, ": "), "date of next meeting") || strings.EqualFold(strings.TrimRight(t, ": "), "date of the next meeting") {
			return
		}
		c.emit(block{md: escapeLine(tidyDayText(p.text)), src: p.src, kind: "next_meeting", text: t})
		return
	}
	if c.fm.ended != "" && signRe.MatchString(t) {
		c.spanOnly("signature", p.src, t)
		return
	}
	if c.explicitAction(p) {
		return
	}
	if c.resolved(p) {
		return
	}
	if m := apologyRe.FindStringSubmatch(t); m != nil {
		if len(c.fm.apologies) == 0 {
			for _, name := range splitPeople(m[1]) {
				if p := parsePerson(name); p.named() {
					c.fm.apologies = append(c.fm.apologies, p)
				}
			}
			c.spanOnly("apologies", p.src, t)
		}
	}
	if m := attendHead.FindStringSubmatch(t); m != nil && strings.Contains(strings.ToLower(m[1]), "apolog") && m[2] != "" && len(c.fm.apologies) == 0 {
		for _, name := range splitPeople(m[2]) {
			if p := parsePerson(name); p.named() {
				c.fm.apologies = append(c.fm.apologies, p)
			}
		}
		c.spanOnly("apologies", p.src, t)
	}
	c.substitutes(t, p.src)
	c.prose(p)
}

// prose writes a plain paragraph (or runs a line on into the one before), and the actions its
// sentences give: "JS to circulate ...", "The Vice-Chair would disseminate ...".
func (c *converter) prose(p para) {
	text := escapeLine(p.text)
	if p.list {
		text = p.text
	}
	if p.cont && len(c.blocks) > 0 && c.blocks[len(c.blocks)-1].prose && !p.list && !listItem.MatchString(p.plain) {
		prev := &c.blocks[len(c.blocks)-1]
		prev.md += " " + strings.TrimSpace(p.text)
		prev.text += " " + p.plain
		c.proseActions(len(c.blocks)-1, p.plain, p.src)
		return
	}
	if p.list && len(c.blocks) > 0 && c.blocks[len(c.blocks)-1].list {
		prev := &c.blocks[len(c.blocks)-1]
		prev.md += "\n" + text
		prev.text += " " + p.plain
		return
	}
	c.emit(block{md: text, src: p.src, prose: !p.list, list: p.list, text: p.plain})
	c.lastText = p.plain
	c.proseActions(len(c.blocks)-1, p.plain, p.src)
}

// proseActions adds after a paragraph the actions its sentences (the new ones in added) give.
func (c *converter) proseActions(at int, added string, src int) {
	if c.header || c.itemKey == "" {
		return
	}
	c.lastText = c.blocks[at].text
	for _, s := range sentences(added) {
		c.rowTexts = append(c.rowTexts, s)
		owner, text, ok := findOwnerAction(s)
		if !ok {
			continue
		}
		// "JS to circulate ...": a sentence that is an action. "X would ...": one read from narrative.
		would := !toAction.MatchString(strings.TrimSpace(s))
		if b, ok := c.action([]string{owner}, text, src, s); ok {
			b.would, b.fromProse = would, true
			b.row = c.rowNo
			c.blocks = append(c.blocks, b)
		}
	}
}

// itemHeading reads a paragraph that is an item or sub-item heading.
func (c *converter) itemHeading(p para) bool {
	t := strings.TrimSpace(p.plain)
	if c.lastColon || p.list && p.heading == 0 && !c.header {
		// a list the paragraph before announced ("the four strands were:")
		if !(p.heading > 0) {
			return false
		}
	}
	if len([]rune(t)) > 160 || strings.HasSuffix(t, ";") || strings.HasSuffix(t, ",") {
		return false
	}
	if m := minuteLine.FindStringSubmatch(t); m != nil {
		minute := m[1] + m[2]
		if num, letter, title, ok := c.numberedTitle(m[3]); ok {
			c.startItem(num, letter, minute, title, p.src, t)
		} else {
			c.startItem(c.itemNum+1, "", minute, m[3], p.src, t)
		}
		return true
	}
	m := itemLine.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	n, _ := strconv.Atoi(m[1])
	letter := strings.ToLower(m[2] + m[3])
	title := m[4]
	explicit := strings.HasPrefix(strings.ToLower(t), "item") || p.heading > 0
	if letter != "" {
		if n != c.itemNum || c.itemCount == 0 && !explicit {
			return false
		}
		if c.subLetter != 0 && letter[0] <= c.subLetter && !explicit {
			return false
		}
		if !looksLikeTitle(title) && !explicit {
			return false
		}
		c.startItem(n, letter, "", title, p.src, t)
		return true
	}
	if !explicit {
		// a numbered line is an item when it is the next number and reads as a title
		next := n == c.itemNum+1 || c.itemCount == 0 && n <= 3 || c.itemNum == 0 && c.itemCount == 0
		if !next || !looksLikeTitle(title) {
			return false
		}
		if c.header && !c.sawTitle && c.fm.board == "" && n != 1 {
			return false
		}
	}
	c.startItem(n, "", "", title, p.src, t)
	return true
}

// looksLikeTitle: short, and not a sentence (capitals, or no full stop inside).
func looksLikeTitle(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > 120 || len(strings.Fields(s)) > 16 {
		return false
	}
	if isUpper(s) {
		return true
	}
	core := strings.TrimRight(s, ".")
	if strings.Contains(core, ". ") || strings.HasSuffix(s, ".") && len(strings.Fields(s)) > 10 {
		return false
	}
	r := []rune(s)
	return unicode.IsUpper(r[0]) || unicode.IsDigit(r[0])
}

// resolved reads "RESOLVED that ...", "AGREED that ...", "The Board RESOLVED: ...".
func (c *converter) resolved(p para) bool {
	t := strings.TrimSpace(p.plain)
	m := resolvedRe.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	word, colon, rest := m[1], m[2], strings.TrimSpace(m[3])
	lead := strings.TrimSpace(t[:strings.Index(t, word)])
	lead = strings.Trim(lead, "* ")
	upper := word == "RESOLVED" || word == "AGREED"
	lowerThat := strings.HasPrefix(strings.ToLower(rest), "that") || colon != "" || rest == ""
	if !upper && (lead != "" || !lowerThat) {
		return false // "Agreed figures were ...", "Partners agreed that ..."
	}
	if lead != "" && !upper {
		return false
	}
	if rest != "" && colon == "" && !strings.HasPrefix(strings.ToLower(rest), "that") {
		if !upper {
			return false
		}
	}
	if c.itemKey == "" {
		c.implicitItem(p.src)
	}
	head := "RESOLVED"
	if colon != "" {
		head += ":"
	}
	body := rest
	lower := strings.ToLower(body)
	if body == "" || lower == "that" || strings.HasSuffix(lower, " that") || strings.HasSuffix(body, ":") {
		c.res = &pendingList{head: strings.TrimSpace(head + " " + body), src: p.src, text: t}
		return true
	}
	text := head + " " + body
	c.emit(block{md: text, src: p.src, kind: "resolution", text: t})
	c.rowTexts = append(c.rowTexts, body)
	c.resolutionActions(body, p.src)
	return true
}

// resolutionItem adds a numbered paragraph to the open "RESOLVED that" list; a paragraph that is
// not one ends the list (or, with no list yet, completes the resolution).
func (c *converter) resolutionItem(p para) bool {
	t := strings.TrimSpace(p.plain)
	if m := listItem.FindStringSubmatch(t); m != nil {
		c.res.items = append(c.res.items, m[4])
		c.res.srcs = append(c.res.srcs, p.src)
		return true
	}
	if p.list {
		c.res.items = append(c.res.items, strings.TrimSpace(strings.TrimPrefix(t, "-")))
		c.res.srcs = append(c.res.srcs, p.src)
		return true
	}
	if len(c.res.items) == 0 && !resolvedRe.MatchString(t) && !itemLine.MatchString(t) {
		r := c.res
		c.res = nil
		body := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(r.head, "RESOLVED:"), "RESOLVED"))
		full := strings.TrimSpace(body + " " + t)
		if strings.HasPrefix(r.head, "RESOLVED:") {
			full = "RESOLVED: " + full
		} else {
			full = "RESOLVED " + full
		}
		c.emit(block{md: full, src: r.src, kind: "resolution", text: r.text + " " + t})
		c.rowTexts = append(c.rowTexts, body+" "+t)
		c.resolutionActions(full, r.src)
		return true
	}
	return false
}

// flushList writes an open "RESOLVED that" with its list.
func (c *converter) flushList() {
	r := c.res
	if r == nil {
		return
	}
	c.res = nil
	if len(r.items) == 0 {
		// "RESOLVED that" and nothing after it: kept as text, which the dialect does not read
		c.emit(block{md: "*" + escapeInline(r.head) + "*", src: r.src})
		c.notUnderstood = append(c.notUnderstood, Line{N: r.src, Text: r.text})
		return
	}
	var b strings.Builder
	b.WriteString(r.head)
	b.WriteString("\n")
	for i, it := range r.items {
		fmt.Fprintf(&b, "\n%d. %s", i+1, escapeInline(it))
	}
	c.emit(block{md: b.String(), src: r.src, kind: "resolution", text: r.text + " " + strings.Join(r.items, " ")})
	for i, it := range r.items {
		c.rowTexts = append(c.rowTexts, it)
		c.resolutionActions(it, r.srcs[i])
	}
}

// resolutionActions writes the actions a resolution gives: "the Assistant Director would
// disseminate the plan to the Board".
func (c *converter) resolutionActions(text string, src int) {
	for _, s := range sentences(text) {
		owner, what, ok := findOwnerAction(strings.TrimPrefix(strings.TrimPrefix(s, "that "), "RESOLVED "))
		if !ok {
			continue
		}
		if b, ok := c.action([]string{owner}, what, src, s); ok {
			b.row = c.rowNo
			b.kind = "action"
			c.blocks = append(c.blocks, b)
		}
	}
}

// implicitItem starts an item for minutes of one item that has no number (a standing item's
// minute on its own): its title is the last heading-like line of the title block.
func (c *converter) implicitItem(src int) {
	title := "Minutes"
	for i := len(c.blocks) - 1; i >= 0; i-- {
		b := c.blocks[i]
		if b.kind == "title" {
			title = b.text
			c.blocks = slices.Delete(c.blocks, i, i+1)
			break
		}
	}
	n := 1
	if c.pendingNum != "" {
		n, _ = strconv.Atoi(strings.TrimRight(c.pendingNum, "abcdefghijklmnopqrstuvwxyz"))
		if n == 0 {
			n = 1
		}
	}
	c.startItem(n, "", "", title, src, title)
}

// explicitAction reads an action written as such: "ACTION: JS", "Action: JS to circulate the
// report by 30 April", "ACTION @JS: ...".
func (c *converter) explicitAction(p para) bool {
	t := strings.TrimSpace(p.plain)
	m := actionLine.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	rest := strings.TrimSpace(m[1])
	if rest == "" {
		return false
	}
	kw := strings.TrimLeft(t, "*")
	if !strings.HasPrefix(kw, "ACTION") && !strings.HasPrefix(kw, "Action:") && !strings.HasPrefix(kw, "Action -") && !strings.HasPrefix(kw, "Action –") && !strings.HasPrefix(kw, "Action by") && !strings.HasPrefix(kw, "Actions:") {
		return false
	}
	if c.itemKey == "" {
		c.implicitItem(p.src)
	}
	var owners []string
	var what string
	if strings.HasPrefix(rest, "@") {
		// already in the dialect
		i := strings.Index(rest, ":")
		if i > 0 {
			owners = splitOwners(rest[:i])
			what = rest[i+1:]
		}
	} else if owner, text, ok := findOwnerAction(rest); ok {
		owners, what = splitOwners(owner), text
	} else if len(rest) <= 60 && len(strings.Fields(rest)) <= 8 {
		owners = splitOwners(rest)
		what = reduceActionText(c.lastText)
		if len(c.rowTexts) > 0 {
			what = reduceActionText(c.rowTexts[len(c.rowTexts)-1])
		}
		// "Jo Smith will share the figures." then "ACTION: JS": one action, the line's owner
		for len(c.blocks) > 0 && c.blocks[len(c.blocks)-1].fromProse {
			c.blocks = c.blocks[:len(c.blocks)-1]
		}
	}
	if len(owners) > 0 && strings.TrimSpace(what) != "" {
		if b, ok := c.action(owners, what, p.src, t); ok {
			c.emit(b)
			return true
		}
	}
	c.dontKnow(p)
	c.emit(block{md: escapeLine(p.text), src: p.src})
	return true
}

// columnAction writes the action an Action column names: the owners in the column, and what
// is to be done from the row's last resolution or sentence. Actions the row's narrative gave
// ("X would ...") are the same action: the column's owners replace them.
func (c *converter) columnAction(r row) {
	owners := splitOwners(r.action)
	if len(owners) == 0 {
		return
	}
	c.flushList()
	if c.itemKey == "" {
		c.implicitItem(r.src)
	}
	what := ""
	if len(c.rowTexts) > 0 {
		what = reduceActionText(c.rowTexts[len(c.rowTexts)-1])
	}
	if what == "" && c.itemTitle != "" {
		what = c.itemTitle
	}
	c.blocks = slices.DeleteFunc(c.blocks, func(b block) bool { return b.kind == "action" && b.row == c.rowNo })
	src := r.src
	if len(r.paras) > 0 {
		src = r.paras[len(r.paras)-1].src
	}
	if b, ok := c.action(owners, what, src, r.action); ok {
		c.emit(b)
		return
	}
	c.notUnderstood = append(c.notUnderstood, Line{N: r.src, Text: "Action: " + r.action})
}

var ownerToken = regexp.MustCompile(`^[\p{L}\p{N}._&-]+$`)

// action builds an ACTION line, and checks that the dialect reads it as one.
func (c *converter) action(owners []string, what string, src int, orig string) (block, bool) {
	what = strings.Join(strings.Fields(what), " ")
	what = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(what, "that "), "to "))
	text, due := findDue(what)
	text = strings.TrimRight(text, " .;,")
	if text == "" {
		return block{}, false
	}
	var handles []string
	var found []owner
	for _, o := range owners {
		h, ok := "", false
		if c.opt.Owners != nil {
			h, ok = c.opt.Owners(o)
			h = strings.TrimPrefix(strings.TrimSpace(h), "@")
			if !ownerToken.MatchString(h) {
				h = handle(h)
			}
		}
		if h == "" {
			h = handle(o)
		}
		if h == "" {
			continue
		}
		if !slices.Contains(handles, h) {
			handles = append(handles, h)
		}
		found = append(found, owner{name: o, matched: ok})
	}
	if len(handles) == 0 {
		return block{}, false
	}
	line := "ACTION @" + strings.Join(handles, ", @") + ": " + escapeInline(text)
	for _, cand := range []string{line + " (by " + strings.TrimPrefix(due, "by ") + ")", line} {
		if due == "" && cand != line {
			continue
		}
		if c.actionReads(cand) {
			return block{md: cand, src: src, kind: "action", text: orig, owners: found}, true
		}
	}
	return block{}, false
}

// actionReads says whether the dialect reads line as an action without errors, on the date
// of this meeting.
func (c *converter) actionReads(line string) bool {
	doc := "## 1. Check\n\n" + line + "\n"
	if !c.fm.meeting.IsZero() {
		doc = "---\nmeeting: " + c.fm.meeting.Format("2006-01-02") + "\n---\n" + doc
	}
	p := minutes.Parse([]byte(doc), minutes.Options{})
	return len(p.Errors) == 0 && len(p.Actions) == 1
}

// substitutes reads "X, who was acting as alternate for Y" into the front matter.
func (c *converter) substitutes(t string, src int) {
	for _, m := range alternate.FindAllStringSubmatchIndex(t, -1) {
		forName := ""
		for _, g := range []int{2, 4} {
			if m[g] >= 0 {
				forName = strings.TrimSpace(t[m[g]:m[g+1]])
			}
		}
		forName = strings.TrimRight(forName, " .,;")
		if fs := strings.Fields(forName); len(fs) > 0 && (strings.EqualFold(fs[len(fs)-1], "while") || strings.EqualFold(fs[len(fs)-1], "who")) {
			forName = strings.Join(fs[:len(fs)-1], " ")
		}
		if forName == "" {
			continue
		}
		before := normName(t[max(0, m[0]-80):m[0]])
		for _, list := range []*[]person{&c.fm.present, &c.fm.alsoPresent} {
			for i := range *list {
				p := &(*list)[i]
				fs := strings.Fields(p.Name)
				if len(fs) == 0 || p.SubstitutingFor != "" {
					continue
				}
				if strings.Contains(before, normName(fs[len(fs)-1])) {
					p.SubstitutingFor = forName
					c.spanOnly("substitute", src, t)
					return
				}
			}
		}
	}
}

// normName compares names without case, spaces or apostrophes ("O' Malley", "O'Malley").
func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// spanOnly records something recognised that went into the front matter only.
func (c *converter) spanOnly(kind string, src int, text string) {
	c.emit(block{kind: kind, src: src, text: text})
}

func (c *converter) finish() {
	c.flushList()
	c.endItem()
	for _, b := range c.blocks {
		if b.kind != "action" {
			continue
		}
		for _, o := range b.owners {
			if c.ownerSeen[o.name] {
				continue
			}
			c.ownerSeen[o.name] = true
			c.owners = append(c.owners, o.name)
			if !o.matched {
				c.unmatched = append(c.unmatched, o.name)
			}
		}
	}
}

// owner is an action's owner as found, and whether Options.Owners matched it.
type owner struct {
	name    string
	matched bool
}

// escapeLine keeps a paragraph of the original from being read as markdown it is not meant
// as: a heading, a quote, a code fence, raw HTML.
func escapeLine(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "#"), strings.HasPrefix(s, ">"), strings.HasPrefix(s, "<"),
		strings.HasPrefix(s, "```"), strings.HasPrefix(s, "~~~"), strings.HasPrefix(s, "+++"),
		strings.HasPrefix(s, "==="), strings.HasPrefix(s, "|"):
		return `\` + s
	case strings.HasPrefix(s, "---") || strings.HasPrefix(s, "***") || strings.HasPrefix(s, "___"):
		return `\` + s
	}
	return s
}

func escapeInline(s string) string { return strings.TrimSpace(s) }

var spacedOrdinal = regexp.MustCompile(`\b(\d{1,2}) (st|nd|rd|th)\b`)

// tidyDayText writes "17 th June" as "17th June".
func tidyDayText(s string) string { return spacedOrdinal.ReplaceAllString(s, "$1$2") }

// markdown writes the front matter and the body, and gives for each line of it the line of
// the original it came from.
func (c *converter) markdown() ([]byte, []int) {
	var b strings.Builder
	var lines []int
	fm := c.fm.yaml()
	b.WriteString(fm)
	for range strings.Count(fm, "\n") {
		lines = append(lines, 0)
	}
	for _, bl := range c.blocks {
		if bl.md == "" {
			continue
		}
		b.WriteString("\n")
		lines = append(lines, 0)
		for l := range strings.SplitSeq(bl.md, "\n") {
			b.WriteString(l)
			b.WriteString("\n")
			lines = append(lines, bl.src)
		}
	}
	return []byte(b.String()), lines
}

// highlights lists what was recognised, with the markdown line each became.
func (c *converter) highlights(lines []int) []Span {
	var out []Span
	fmLines := strings.Count(c.fm.yaml(), "\n")
	out = append(out, c.fm.spans...)
	line := fmLines
	for _, bl := range c.blocks {
		if bl.md == "" {
			if bl.kind != "" {
				out = append(out, Span{Kind: bl.kind, Source: bl.src, Text: bl.text})
			}
			continue
		}
		line++ // the blank line before the block
		if bl.kind != "" {
			out = append(out, Span{Kind: bl.kind, Source: bl.src, Line: line + 1, Text: bl.text})
		}
		line += strings.Count(bl.md, "\n") + 1
	}
	_ = lines
	slices.SortStableFunc(out, func(a, b Span) int { return a.Source - b.Source })
	return out
}

// titleBlock reads the lines before the first item: the board, the "Minutes of the meeting
// held at ... on ..." line, the place, and the attendance lists.
func (c *converter) titleBlock(p para) bool {
	t := strings.TrimSpace(p.plain)
	if m := attendHead.FindStringSubmatch(t); m != nil && (len(m[2]) == 0 || len(t) < 400) && !apologyRe.MatchString(t) {
		head := strings.ToLower(m[1])
		switch {
		case strings.Contains(head, "apolog"):
			c.listMode = "apologies"
		case strings.HasPrefix(head, "also") || strings.Contains(head, "attendance") || strings.HasPrefix(head, "officers"):
			c.listMode = "also_present"
		default:
			c.listMode = "present"
		}
		c.sawTitle = true
		c.fm.spans = append(c.fm.spans, Span{Kind: c.listMode, Source: p.src, Text: t})
		c.inlineList = strings.TrimSpace(m[2]) != ""
		if rest := strings.TrimSpace(m[2]); rest != "" {
			for _, name := range splitPeople(rest) {
				c.addPerson(name)
			}
		}
		return true
	}
	if m := apologyRe.FindStringSubmatch(t); m != nil {
		for _, name := range splitPeople(m[1]) {
			if p := parsePerson(name); p.named() {
				c.fm.apologies = append(c.fm.apologies, p)
			}
		}
		c.fm.spans = append(c.fm.spans, Span{Kind: "apologies", Source: p.src, Text: t})
		c.listMode = ""
		return true
	}
	if minutesOf.MatchString(t) && len(t) < 300 {
		if strings.TrimRight(strings.ToLower(t), ": ") == "minutes" {
			return true // "Minutes:" above a standing item's minute
		}
		c.meetingLine(t, p.src)
		return true
	}
	if m := fieldLine.FindStringSubmatch(t); m != nil {
		switch strings.ToLower(m[1]) {
		case "date", "time":
			c.dateOnly(m[2], p.src, t)
		default:
			c.fm.place = strings.TrimSpace(m[2])
			c.fm.spans = append(c.fm.spans, Span{Kind: "place", Source: p.src, Text: t})
		}
		return true
	}
	if m := agendaItem.FindStringSubmatch(t); m != nil {
		c.pendingNum = m[1]
		if m[2] != "" {
			c.emit(block{kind: "title", text: cleanTitle(m[2]), src: p.src})
		} else {
			c.agendaSeen = true
		}
		return true
	}
	if c.agendaSeen && len(t) <= 160 {
		c.agendaSeen = false
		c.emit(block{kind: "title", text: cleanTitle(t), src: p.src})
		return true
	}
	if c.listMode != "" && len(t) <= 200 && !looksLikeItem(t) {
		if len(p.plain) > 0 && c.continuesPerson(t) {
			return true
		}
		if c.inlineList && len(splitPeople(t)) > 1 {
			for _, name := range splitPeople(t) {
				c.addPerson(name)
			}
			return true
		}
		c.addPerson(t)
		return true
	}
	if c.fm.board == "" && !c.sawTitle && len(t) <= 120 && !looksLikeItem(t) {
		c.fm.board = titleCase(strings.TrimRight(t, " .:"))
		c.fm.spans = append(c.fm.spans, Span{Kind: "board", Source: p.src, Text: t})
		return true
	}
	if !c.sawTitle && c.fm.meeting.IsZero() {
		if _, _, ok := readMeetingDate(t); ok && len(t) < 120 {
			c.dateOnly(t, p.src, t)
			return true
		}
	}
	if (isUpper(t) || p.heading > 0) && len(t) <= 120 && !looksLikeItem(t) {
		// a heading before any item: a standing item's title, kept for the item it heads
		c.emit(block{kind: "title", text: cleanTitle(t), src: p.src})
		return true
	}
	return false
}

func (c *converter) hasTitleBlock() bool {
	for _, b := range c.blocks {
		if b.kind == "title" {
			return true
		}
	}
	return false
}

func looksLikeItem(t string) bool {
	return itemLine.MatchString(t) || minuteLine.MatchString(t)
}

func (c *converter) dateOnly(s string, src int, orig string) {
	if d, hasTime, ok := readMeetingDate(s); ok {
		c.fm.meeting, c.fm.hasTime = d, hasTime
	} else if h, m, ok := readTime(s); ok && !c.fm.meeting.IsZero() {
		c.fm.meeting = time.Date(c.fm.meeting.Year(), c.fm.meeting.Month(), c.fm.meeting.Day(), h, m, 0, 0, time.UTC)
		c.fm.hasTime = true
	}
	c.sawTitle = true
	c.fm.spans = append(c.fm.spans, Span{Kind: "meeting", Source: src, Text: orig})
}

// meetingLine reads "Minutes of the virtual meeting held at 10.00 am on 25 March 2021".
func (c *converter) meetingLine(t string, src int) {
	c.sawTitle = true
	c.fm.spans = append(c.fm.spans, Span{Kind: "meeting", Source: src, Text: t})
	if m := boardOf.FindStringSubmatch(t); m != nil && c.fm.board == "" {
		if _, _, isDate := readMeetingDate(m[1]); !isDate {
			c.fm.board = strings.TrimSpace(m[1])
		}
	}
	if d, hasTime, ok := readMeetingDate(t); ok {
		c.fm.meeting, c.fm.hasTime = d, hasTime
	}
	if m := heldAt.FindStringSubmatch(t); m != nil {
		place := strings.TrimSpace(strings.TrimRight(m[1], " ,."))
		if _, _, isTime := readTime(place); !isTime && place != "" {
			c.fm.place = strings.TrimPrefix(place, "the ")
		}
	}
	if m := atPlace.FindStringSubmatch(t); m != nil && c.fm.place == "" {
		if _, _, isTime := readTime(m[1]); !isTime {
			c.fm.place = strings.TrimSpace(m[1])
		}
	}
	if c.fm.place == "" {
		lower := strings.ToLower(t)
		for _, w := range []string{"virtual", "remote", "online", "hybrid"} {
			if strings.Contains(lower, w+" meeting") {
				c.fm.place = strings.ToUpper(w[:1]) + w[1:] + " meeting"
			}
		}
	}
}

// continuesPerson joins a line that closes a bracket opened on the line before.
func (c *converter) continuesPerson(t string) bool {
	if strings.Count(t, ")") <= strings.Count(t, "(") {
		return false
	}
	list := c.fm.list(c.listMode)
	if len(*list) == 0 {
		return false
	}
	last := &(*list)[len(*list)-1]
	last.raw += " " + t
	*last = parsePerson(last.raw)
	return true
}

func (c *converter) addPerson(s string) {
	s = strings.TrimSpace(strings.TrimRight(s, ";,."))
	if p := parsePerson(s); p.named() {
		list := c.fm.list(c.listMode)
		*list = append(*list, p)
	}
}
