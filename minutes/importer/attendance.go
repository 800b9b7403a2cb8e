package importer

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// frontMatter is what the title block and the attendance lists give: written as the front
// matter INTERFACE.md fixes ("Minutes front matter").
type frontMatter struct {
	board, place, ended             string
	meeting                         time.Time
	hasTime                         bool
	present, alsoPresent, apologies []person
	spans                           []Span
}

// person is one entry of an attendance list, in minutes.Person's fields.
type person struct {
	Name, Role, Organisation, SubstitutingFor string
	raw                                       string
}

func (f *frontMatter) empty() bool {
	return f.board == "" && f.meeting.IsZero() && len(f.present) == 0 && len(f.apologies) == 0
}

func (f *frontMatter) list(mode string) *[]person {
	switch mode {
	case "also_present":
		return &f.alsoPresent
	case "apologies":
		return &f.apologies
	}
	return &f.present
}

// yaml writes the front matter. Strings are double-quoted, which YAML reads as Go writes them.
func (f *frontMatter) yaml() string {
	var b strings.Builder
	b.WriteString("---\n")
	if f.board != "" {
		b.WriteString("board: " + yamlString(f.board) + "\n")
	}
	if !f.meeting.IsZero() {
		if f.hasTime {
			b.WriteString("meeting: " + f.meeting.Format("2006-01-02T15:04") + "\n")
		} else {
			b.WriteString("meeting: " + f.meeting.Format("2006-01-02") + "\n")
		}
	}
	if f.place != "" {
		b.WriteString("place: " + yamlString(f.place) + "\n")
	}
	b.WriteString("status: draft\n")
	for _, l := range []struct {
		key    string
		people []person
	}{{"present", f.present}, {"also_present", f.alsoPresent}, {"apologies", f.apologies}} {
		if len(l.people) == 0 {
			continue
		}
		b.WriteString(l.key + ":\n")
		for _, p := range l.people {
			b.WriteString("  - {name: " + yamlString(p.Name))
			if p.Role != "" {
				b.WriteString(", role: " + yamlString(p.Role))
			}
			if p.Organisation != "" {
				b.WriteString(", organisation: " + yamlString(p.Organisation))
			}
			if p.SubstitutingFor != "" {
				b.WriteString(", substituting_for: " + yamlString(p.SubstitutingFor))
			}
			b.WriteString("}\n")
		}
	}
	if f.ended != "" {
		b.WriteString("ended: " + yamlString(f.ended) + "\n")
	}
	b.WriteString("---\n")
	return b.String()
}

var (
	chairRole   = regexp.MustCompile(`(?i)^(?:in the\s+)?(vice[\s-]?)?chair(?:man|woman|person)?$`)
	officerRole = regexp.MustCompile(`(?i)^(?:clerk|secretary|minute[\s-]?taker|democratic services officer|committee (?:officer|clerk)|partnership officer|observer|adviser|advisor)$`)
	subFor      = regexp.MustCompile(`(?i)^(?:(?:who\s+)?(?:was\s+)?(?:acting|attending|attended|sitting)\s+)?(?:as\s+(?:an?\s+)?(?:alternate|substitute|deputy)\s+for|substituting\s+for|deputising\s+for|sub(?:stitute)?\s+for|for)\s+(.+)$`)
	subAfter    = regexp.MustCompile(`(?i)\s+(?:\(?\s*)?(?:substituting|deputising|attending\s+as\s+(?:an?\s+)?(?:alternate|substitute)|acting\s+as\s+(?:an?\s+)?(?:alternate|substitute)|as\s+(?:an?\s+)?(?:alternate|substitute))\s+for\s+(.+?)\)?$`)
)

// parsePerson reads one attendance entry: "Councillor Kate Lymer ((Portfolio Holder)) (Chairman)",
// "Janet Bailey, (Director of Children's Services)", "Dawn Helps (Clarion Housing Group)",
// "Jo Bell (substituting for Sam Reid)", "Amanda Mumford, Community Safety Manager".
func parsePerson(s string) person {
	p := person{raw: s}
	s = strings.TrimSpace(strings.TrimLeft(s, "-•·* \t"))
	var outside strings.Builder
	var groups []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			if depth == 0 {
				start = i + 1
			}
			depth++
		case ')':
			if depth == 0 {
				continue // a stray closing bracket
			}
			depth--
			if depth == 0 {
				groups = append(groups, strings.Trim(s[start:i], "() "))
			}
		default:
			if depth == 0 {
				outside.WriteRune(r)
			}
		}
	}
	if depth > 0 {
		groups = append(groups, strings.Trim(s[start:], "() "))
	}
	rest := strings.Join(strings.Fields(outside.String()), " ")
	if m := subAfter.FindStringSubmatch(rest); m != nil {
		p.SubstitutingFor = strings.TrimSpace(m[1])
		rest = strings.TrimSpace(rest[:len(rest)-len(m[0])])
	}
	name, org, hasComma := strings.Cut(rest, ",")
	p.Name = strings.TrimSpace(strings.Trim(name, " -–:;"))
	var orgs []string
	if hasComma {
		if o := strings.Trim(strings.TrimSpace(org), " ,;-–"); o != "" {
			orgs = append(orgs, o)
		}
	} else if i := strings.Index(p.Name, " - "); i > 0 {
		orgs = append(orgs, strings.TrimSpace(p.Name[i+3:]))
		p.Name = strings.TrimSpace(p.Name[:i])
	}
	for _, g := range groups {
		g = strings.TrimSpace(strings.Trim(g, "() "))
		switch {
		case g == "":
		case chairRole.MatchString(g):
			p.Role = roleName(g)
		case officerRole.MatchString(g) && p.Role == "":
			p.Role = g
		case subFor.MatchString(g) && p.SubstitutingFor == "":
			p.SubstitutingFor = strings.TrimSpace(subFor.FindStringSubmatch(g)[1])
		default:
			orgs = append(orgs, g)
		}
	}
	p.Organisation = strings.Join(orgs, "; ")
	if p.Name == "" && len(orgs) > 0 {
		p.Name, p.Organisation = p.Organisation, ""
	}
	return p
}

// named says whether the entry names someone: a name with a letter in it that is not a
// word such as "and".
func (p person) named() bool {
	n := strings.TrimSpace(p.Name)
	if n == "" || smallWords[strings.ToLower(n)] {
		return false
	}
	return strings.ContainsFunc(n, unicode.IsLetter)
}

// roleName keeps the role as written ("Chairman"), in the form the PDF marks.
func roleName(g string) string {
	g = strings.TrimSpace(g)
	if strings.HasPrefix(strings.ToLower(g), "in the ") {
		return "Chair"
	}
	return g
}

// splitPeople cuts "A (Chief Executive), B, C and D" at the commas and "and"s outside
// brackets. A comma inside "Name, Organisation" cannot be told from a list's: lists written
// one person a line are read with parsePerson directly.
func splitPeople(s string) []string {
	s = strings.TrimSpace(strings.TrimRight(s, ". "))
	var out []string
	depth, start := 0, 0
	cut := func(i, skip int) {
		if part := strings.TrimSpace(s[start:i]); part != "" {
			out = append(out, part)
		}
		start = i + skip
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ',', ';':
			if depth == 0 {
				cut(i, 1)
			}
		case ' ':
			if depth == 0 && strings.HasPrefix(s[i:], " and ") {
				cut(i, len(" and "))
				i += len(" and ") - 1
			} else if depth == 0 && strings.HasPrefix(s[i:], " & ") {
				cut(i, len(" & "))
				i += 2
			}
		}
	}
	cut(len(s), 0)
	return out
}
