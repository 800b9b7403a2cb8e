package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The shapes minutes take, as regular expressions over a paragraph's plain text.
const month = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

var (
	// "7. Title", "7 Title", "7) Title", "Item 7: Title", "7a Title", "7(a) Title"
	itemLine = regexp.MustCompile(`^(?i:item\s+)?(\d{1,3})(?:([a-zA-Z])|\(([a-zA-Z])\))?(?:\s*[.):]|\s+[–—-])?\s+(\S.*)$`)
	// "47/21 Title", "Minute 47: Title"
	minuteLine = regexp.MustCompile(`^(?:(\d{1,3}/\d{2,4})|(?i:minute)\s+(\d{1,3}(?:/\d{2,4})?))\s*[.):]?\s+(\S.*)$`)
	// a margin cell: "7", "7.", "7a", "7(a)", "Item 7", "47/21"
	marginLine = regexp.MustCompile(`^(?i:item\s*)?(\d{1,3})(?:([a-zA-Z])|\(([a-zA-Z])\))?\.?$|^(\d{1,3}/\d{2,4})\.?$`)
	// a numbered resolution: "1)", "(1)", "1.", "a)", "(a)"
	listItem = regexp.MustCompile(`^(?:\(?(\d{1,2})\)|(\d{1,2})\.|\(?([a-z])\))\s+(\S.*)$`)

	resolvedRe = regexp.MustCompile(`^(?:(?:It was|The (?:[A-Z][\w'’-]*\s+){1,4}))?(?:\*\*)?(RESOLVED|AGREED|Resolved|Agreed)(?:\*\*)?\b\s*(:?)\s*(.*)$`)
	noteRe     = regexp.MustCompile(`(?i)^[(\[]?\s*post[\s-]?meeting\s+note\s*[:–—-]?\s*(.*?)\s*[)\]]?\.?\s*$`)
	endedRe    = regexp.MustCompile(`(?i)^(?:the\s+)?meeting\s+(?:ended|closed|finished|concluded|terminated)\s+at\s+(.+?)\.?$|^(?i:meeting\s+(?:ended|closed))\s*:\s*(.+?)\.?$`)
	nextRe     = regexp.MustCompile(`(?i)^(?:the\s+)?date\s+of\s+(?:the\s+)?next\s+meeting|^(?i:the\s+next\s+meeting\s+(?:will|would|is)\b)`)
	signRe     = regexp.MustCompile(`(?i)^(?:chair(?:man|woman|person)?|signed|date|\.{3,}|_{3,})[\s.:_…]*$`)
	actionLine = regexp.MustCompile(`^(?:\*\*)?(?i:action(?:s)?(?:\s+by)?)(?:\*\*)?\s*[:–—-]?\s*(.*)$`)

	attendHead = regexp.MustCompile(`(?i)^(present|members present|attendees|attending|also present|also in attendance|in attendance|officers present|officers in attendance|officers|apologies(?: for absence)?(?: received)?(?: from)?)\s*:?\s*(.*)$`)
	apologyRe  = regexp.MustCompile(`(?i)^apologies(?:\s+for\s+absence)?\s+(?:were|had\s+been|have\s+been)\s+received\s+from\s+(.+?)\.?$`)
	alternate  = regexp.MustCompile(`(?:as\s+(?:an?\s+)?(?:alternate|substitute|deputy)|substituting|deputising)\s+for\s+((?:[A-Z][\p{L}'’.\-]*\s?){1,4})|attended\s+(?:the\s+meeting\s+)?for\s+((?:[A-Z][\p{L}'’.\-]*\s?){1,4})`)

	minutesOf  = regexp.MustCompile(`(?i)^minutes\b`)
	boardOf    = regexp.MustCompile(`(?i)\bmeeting\s+of\s+(?:the\s+)?(.+?)(?:\s+held\b|,|$)`)
	atPlace    = regexp.MustCompile(`(?i)\d{4}\s*,?\s+(?:at|in)\s+(.+?)\.?$`)
	heldAt     = regexp.MustCompile(`(?i)\bheld\s+(?:at|in)\s+(.+?)(?:,?\s+on\s+|,\s*(?:\w+day\s+)?\d|$)`)
	dateRe     = regexp.MustCompile(`(?i)\b(\d{1,2})\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(` + month + `)\.?,?\s+(\d{4})\b`)
	numDateRe  = regexp.MustCompile(`\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b`)
	timeRe     = regexp.MustCompile(`(?i)\b(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|noon)`)
	time24Re   = regexp.MustCompile(`\b([01]?\d|2[0-3])[:.]([0-5]\d)\b`)
	fieldLine  = regexp.MustCompile(`(?i)^(date|time|venue|place|location|held at)\s*:\s*(.+)$`)
	agendaItem = regexp.MustCompile(`(?i)^agenda\s+item\s*(\d{1,3}[a-z]?)?\s*[:.]?\s*(.*)$`)
)

// An owner, then what they are to do: "JS to circulate ...", "The Vice-Chair would
// disseminate ...", "Inspector Baker agreed to discuss ...", "the Assistant Director said
// that she would update ...".
var (
	ownerWords = `((?:[A-Z][\p{L}'’&.\-]*|[A-Z]{2,5})(?:\s+(?:[A-Z][\p{L}'’&.\-]*|of|for|and|&|the|de|van))*?)`
	verbs      = `(circulate|disseminate|distribute|send|share|provide|report|update|arrange|contact|investigate|confirm|prepare|bring|present|review|liaise|write|invite|organise|organize|ensure|follow up|look into|check|draft|forward|email|e-mail|chase|produce|submit|set up|find out|feed back|feedback|respond|discuss|circulated|speak|seek|obtain|agree|consider|clarify|explore|raise|meet|establish|convene|compile|complete|identify|publish|request|ask|advise|inform|notify|invite)`
	toAction   = regexp.MustCompile(`^(?:[Tt]he\s+)?` + ownerWords + `\s+(?:to|will|would|agreed\s+to|undertook\s+to|offered\s+to)\s+` + verbs + `\b(.*)$`)
	saidWould  = regexp.MustCompile(`(?:^|,\s+|\s+that\s+)(?:[Tt]he\s+)?` + ownerWords + `\s+(?:said|stated|confirmed|agreed|undertook|advised)\s+(?:that\s+)?(?:[\w\s,]{0,40}?\s)?(?:she|he|they)\s+would\s+` + verbs + `\b(.*)$`)
	clauseOwn  = regexp.MustCompile(`(?:^|,\s+|\s+that\s+)(?:[Tt]he\s+)?` + ownerWords + `(?:,[^,]{1,100},)?\s+(?:would|will|agreed\s+to|undertook\s+to)\s+` + verbs + `\b(.*)$`)
)

// ownerNotPerson are capitalised words that start sentences but name nobody.
var ownerNotPerson = map[string]bool{
	"it": true, "this": true, "there": true, "they": true, "he": true, "she": true, "we": true,
	"members": false, "following": true, "in": true, "a": true, "an": true, "if": true, "once": true,
	"when": true, "all": false, "each": false, "any": true, "following the visit": true, "subsequent": true,
}

// findOwnerAction reads "X to/would VERB rest" in a sentence; owner as written.
func findOwnerAction(s string) (owner, text string, ok bool) {
	s = strings.TrimSpace(s)
	for _, re := range []*regexp.Regexp{toAction, saidWould, clauseOwn} {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		owner = strings.TrimSpace(m[1])
		if owner == "" || ownerNotPerson[strings.ToLower(owner)] || len(strings.Fields(owner)) > 9 {
			continue
		}
		if i := strings.LastIndex(owner, ", "); i >= 0 {
			owner = owner[i+2:]
		}
		owner = strings.TrimPrefix(strings.TrimPrefix(owner, "The "), "the ")
		text = m[2] + m[3]
		return owner, strings.TrimSpace(text), true
	}
	return "", "", false
}

// reduceActionText makes a resolution or sentence into what is to be done: "that the VRAP be
// noted, and that the Assistant Director would update partners" gives "update partners".
func reduceActionText(s string) string {
	s = strings.TrimSpace(s)
	if m := listItem.FindStringSubmatch(s); m != nil {
		s = m[4]
	}
	if i := strings.LastIndex(s, ", and that "); i >= 0 {
		s = s[i+len(", and that "):]
	} else if i := strings.LastIndex(s, " and that "); i >= 0 {
		s = s[i+len(" and that "):]
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "that "), "That "))
	if _, t, ok := findOwnerAction(s); ok && t != "" {
		return t
	}
	return s
}

// findDue finds when an action is due in its text: "by 30th April 2021", "by 30/04/2021", "at
// the September meeting", "to the next meeting". It gives the text without a due part that
// ends it, and the due part in the dialect's words ("by 30th April 2021", "by next meeting").
type dueShape struct {
	re  *regexp.Regexp
	due func(m []string) string
}

var dueShapes = []dueShape{
	{regexp.MustCompile(`(?i)\b(?:at|by|to|for|until)\s+(?:the\s+)?next\s+(?:[\w-]+\s+){0,2}meeting\b`), func([]string) string { return "by next meeting" }},
	{regexp.MustCompile(`(?i)\b(?:at|by|to|for)\s+the\s+(` + month + `)\s+(?:[\w-]+\s+){0,2}meeting\b`), func(m []string) string { return "by the " + monthName(m[1]) + " meeting" }},
	{regexp.MustCompile(`(?i)\bby\s+(?:\w+day\s+)?(\d{1,2}\s*(?:st|nd|rd|th)?\s+(?:of\s+)?` + month + `(?:\s+\d{4})?)\b`), func(m []string) string { return "by " + tidyDay(m[1]) }},
	{regexp.MustCompile(`(?i)\bby\s+(\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b`), func(m []string) string { return "by " + m[1] }},
	{regexp.MustCompile(`(?i)\bby\s+(?:the\s+)?end\s+of\s+(` + month + `(?:\s+\d{4})?)\b`), func(m []string) string { return "by the end of " + m[1] }},
}

func findDue(s string) (text, due string) {
	text = strings.TrimRight(strings.TrimSpace(s), " .;,")
	for _, c := range dueShapes {
		loc := c.re.FindStringSubmatchIndex(text)
		if loc == nil {
			continue
		}
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = text[loc[2*i]:loc[2*i+1]]
			}
		}
		due = c.due(m)
		if strings.TrimRight(text[loc[1]:], " .;,)") == "" {
			text = strings.TrimRight(text[:loc[0]], " ,;–—-")
		}
		return text, due
	}
	return text, ""
}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func monthNumber(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for i, m := range months {
		if len(s) >= 3 && strings.HasPrefix(strings.ToLower(m), s[:3]) {
			return i + 1
		}
	}
	return 0
}

func monthName(s string) string {
	if n := monthNumber(s); n > 0 {
		return months[n-1]
	}
	return s
}

// tidyDay writes "17 th June 2021" as "17th June 2021".
func tidyDay(s string) string {
	s = collapseSpaces(s)
	for _, suf := range []string{" st ", " nd ", " rd ", " th "} {
		s = strings.Replace(s, suf, suf[1:], 1)
	}
	return s
}

// readMeetingDate finds the date and time of the meeting in a line of the title block.
func readMeetingDate(s string) (date time.Time, hasTime bool, ok bool) {
	var y, mo, d int
	if m := dateRe.FindStringSubmatch(s); m != nil {
		d, _ = strconv.Atoi(m[1])
		mo = monthNumber(m[2])
		y, _ = strconv.Atoi(m[3])
	} else if m := numDateRe.FindStringSubmatch(s); m != nil {
		d, _ = strconv.Atoi(m[1])
		mo, _ = strconv.Atoi(m[2])
		y, _ = strconv.Atoi(m[3])
	} else {
		return time.Time{}, false, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1900 || y > 2200 {
		return time.Time{}, false, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false, false
	}
	h, mi, tok := readTime(s)
	if tok {
		t = t.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute)
	}
	return t, tok, true
}

func readTime(s string) (h, m int, ok bool) {
	if x := timeRe.FindStringSubmatch(s); x != nil {
		h, _ = strconv.Atoi(x[1])
		if x[2] != "" {
			m, _ = strconv.Atoi(x[2])
		}
		pm := strings.HasPrefix(strings.ToLower(x[3]), "p")
		if strings.EqualFold(x[3], "noon") {
			h, pm = 12, false
		}
		if h > 12 || m > 59 {
			return 0, 0, false
		}
		if pm && h < 12 {
			h += 12
		}
		if !pm && h == 12 && !strings.EqualFold(x[3], "noon") {
			h = 0
		}
		return h, m, true
	}
	if x := time24Re.FindStringSubmatch(s); x != nil {
		h, _ = strconv.Atoi(x[1])
		m, _ = strconv.Atoi(x[2])
		return h, m, true
	}
	return 0, 0, false
}

// marginNumber says whether a margin cell holds an item or minute number.
func marginNumber(s string) bool {
	return marginLine.MatchString(strings.TrimSpace(s))
}

func isActionHeader(s string) bool {
	switch strings.ToLower(strings.TrimSpace(strings.Trim(s, "*: "))) {
	case "action", "actions", "action by", "owner", "lead", "who", "by whom", "responsible":
		return true
	}
	return false
}

// isUpper says whether s has letters and all of them are capitals; words with digits in
// them ("5th") do not count.
func isUpper(s string) bool {
	letters := false
	for _, w := range strings.Fields(s) {
		if strings.ContainsAny(w, "0123456789") {
			continue
		}
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters = true
				if unicode.IsLower(r) {
					return false
				}
			}
		}
	}
	return letters
}

var titleWord = regexp.MustCompile(`[\p{L}'’]+`)

var smallWords = map[string]bool{"a": true, "an": true, "and": true, "the": true, "of": true, "for": true, "on": true,
	"at": true, "in": true, "to": true, "by": true, "with": true, "from": true, "or": true, "as": true}

// commonShort are words of up to three letters that are words, not initials.
var commonShort = map[string]bool{"pre": true, "non": true, "sub": true, "co": true, "re": true, "ex": true, "all": true, "new": true, "key": true, "one": true, "two": true, "six": true,
	"ten": true, "day": true, "our": true, "any": true, "way": true, "age": true, "use": true, "end": true, "set": true}

// titleCase writes a title typed in capitals as a title: "DHR AND PREVENT UPDATE" gives "DHR
// and Prevent Update". Short words that are not common words are kept, as initials.
func titleCase(s string) string {
	if !isUpper(s) {
		return s
	}
	first := true
	return titleWord.ReplaceAllStringFunc(s, func(w string) string {
		lower := strings.ToLower(w)
		defer func() { first = false }()
		switch {
		case smallWords[lower] && !first:
			return lower
		case len([]rune(w)) <= 3 && !commonShort[lower] && !smallWords[lower]:
			return w
		}
		r := []rune(lower)
		r[0] = unicode.ToUpper(r[0])
		return string(r)
	})
}

// handle makes an owner as written into an owner the dialect can read after an @: letters,
// digits and . - _ &, words joined with "-". The chair and partners get their tokens.
func handle(name string) string {
	n := strings.TrimSpace(name)
	lower := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(n, "the "), "The "))
	switch lower {
	case "chairman", "chair", "chairwoman", "chairperson", "the chairman", "the chair":
		return "chair"
	case "vice-chairman", "vice chairman", "vice-chair", "vice chair":
		return "vice-chair"
	case "partners", "all partners", "partner organisations", "all":
		return "partners"
	case "clerk":
		return "clerk"
	}
	var b strings.Builder
	for _, w := range strings.Fields(n) {
		var part strings.Builder
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' || r == '&' {
				part.WriteRune(r)
			}
		}
		p := strings.Trim(part.String(), ".-")
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(p)
	}
	return b.String()
}

var ownerSeparator = regexp.MustCompile(`(?i)\s+and\s+|\s*[,;/&+\n]\s*`)

// splitOwners reads an Action column: "JS", "JS/KP", "JS, KP and Police", "Partners".
func splitOwners(s string) []string {
	s = strings.TrimSpace(strings.Trim(s, "*"))
	s = ownerSeparator.ReplaceAllString(s, "\x00")
	var out []string
	for _, o := range strings.Split(s, "\x00") {
		o = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(o), "@"))
		o = strings.Trim(o, ".:()")
		if o != "" && !isActionHeader(o) && len(o) <= 60 {
			out = append(out, o)
		}
	}
	return out
}

// sentences cuts a paragraph into sentences, roughly.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 1; i+1 < len(s); i++ {
		if (s[i-1] == '.' || s[i-1] == '!' || s[i-1] == '?') && s[i] == ' ' && unicode.IsUpper(rune(s[i+1])) {
			// "Mr. Smith", "Cllr. Jones": not an end
			w := s[start:i]
			if j := strings.LastIndexByte(w, ' '); j >= 0 {
				w = w[j+1:]
			}
			if len(w) <= 4 && strings.Count(w, ".") == 1 && unicode.IsUpper(rune(w[0])) && !isUpper(strings.TrimSuffix(w, ".")) {
				continue
			}
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func yamlString(s string) string { return fmt.Sprintf("%q", strings.ToValidUTF8(s, "\uFFFD")) }
