package minutes

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// FrontMatter is the YAML block at the top of a minutes file that says which meeting the
// minutes are of and who was there, so that they render without a database. Its fields are
// fixed by INTERFACE.md ("Minutes front matter").
type FrontMatter struct {
	Board       string    `yaml:"board"`
	Meeting     time.Time `yaml:"-"` // "meeting: 2026-03-19T10:00", local time of the meeting
	Place       string    `yaml:"place"`
	Status      string    `yaml:"status"` // StatusDraft or StatusApproved; empty reads as draft
	Present     []Person  `yaml:"present"`
	AlsoPresent []Person  `yaml:"also_present"`
	Apologies   []Person  `yaml:"apologies"`
	Ended       string    `yaml:"ended"`       // as the clerk writes it: "11.55 am"
	ApprovedAt  string    `yaml:"approved_at"` // optional: when, or at which meeting, they were approved
	SignedBy    string    `yaml:"signed_by"`   // optional: who signed them as a correct record
}

// Minutes statuses in the front matter.
const (
	StatusDraft    = "draft"
	StatusApproved = "approved"
)

// Person is one line of the Present, Also Present or Apologies lists. Role is their role at
// the meeting ("Chair", "Vice-Chair", "Democratic Services Officer"); SubstitutingFor names
// the member they stood in for. A list entry may also be just a name.
type Person struct {
	Name            string `yaml:"name"`
	Role            string `yaml:"role"`
	Organisation    string `yaml:"organisation"`
	SubstitutingFor string `yaml:"substituting_for"`
}

// UnmarshalYAML reads a person written as a mapping or as a bare name.
func (p *Person) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.Name = n.Value
		return nil
	}
	if n.Kind == yaml.MappingNode {
		// yaml's KnownFields does not reach into an UnmarshalYAML, so check the keys here.
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i]; k.Value {
			case "name", "role", "organisation", "substituting_for":
			default:
				return fmt.Errorf("line %d: unknown field %q (known: name, role, organisation, substituting_for)", k.Line, k.Value)
			}
		}
	}
	return n.Decode((*personYAML)(p))
}

// FrontMatterError is front matter Quorum could not read; Line counts from the top of the file.
type FrontMatterError struct {
	Line    int
	Message string
}

func (e *FrontMatterError) Error() string {
	return fmt.Sprintf("front matter, line %d: %s", e.Line, e.Message)
}

// meetingLayouts are the ways "meeting:" may be written; the first is the documented one.
var meetingLayouts = []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02"}

// SplitFrontMatter reads the front matter between two "---" lines at the top of src and
// returns it with the markdown body after it, and the 1-based line of src where the body
// starts. Without front matter it returns a zero FrontMatter and all of src from line 1.
// Errors are *FrontMatterError, naming the line.
func SplitFrontMatter(src []byte) (fm FrontMatter, body []byte, bodyLine int, err error) {
	defer func() {
		if e := recover(); e != nil {
			fm, body, bodyLine = FrontMatter{}, nil, 0
			err = &FrontMatterError{Line: 1, Message: fmt.Sprintf("could not be read (%v)", e)}
		}
	}()
	rest := bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	first, rest, _ := cutLine(rest)
	if strings.TrimRight(string(first), " \t") != "---" {
		return FrontMatter{}, src, 1, nil
	}
	var yamlText []byte
	line := 1
	closed := false
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = cutLine(rest)
		line++
		if t := strings.TrimRight(string(l), " \t"); t == "---" || t == "..." {
			closed = true
			break
		}
		yamlText = append(append(yamlText, l...), '\n')
	}
	if !closed {
		return FrontMatter{}, nil, 0, &FrontMatterError{Line: 1, Message: `the front matter that starts here has no closing "---" line`}
	}
	fm, err = decodeFrontMatter(yamlText)
	if err != nil {
		return FrontMatter{}, nil, 0, err
	}
	return fm, rest, line + 1, nil
}

// cutLine cuts src after its first "\n"; the line is returned without "\n" or "\r\n".
func cutLine(src []byte) (line, rest []byte, found bool) {
	line, rest, found = bytes.Cut(src, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), rest, found
}

var (
	yamlLine  = regexp.MustCompile(`line (\d+)`)
	yamlField = regexp.MustCompile(`field (\S+) not found in type minutes\.(\w+)`)
)

// frontMatterYAML and personYAML are what yaml decodes into (their names show in its errors).
type (
	frontMatterYAML struct {
		FrontMatter `yaml:",inline"`
		Meeting     string `yaml:"meeting"`
	}
	personYAML Person
)

func decodeFrontMatter(text []byte) (FrontMatter, error) {
	var raw frontMatterYAML
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && err != io.EOF {
		return FrontMatter{}, yamlError(err)
	}
	fm := raw.FrontMatter
	lineOf := func(key string) int {
		for i, l := range strings.Split(string(text), "\n") {
			if strings.HasPrefix(l, key+":") {
				return i + 2
			}
		}
		return 1
	}
	if m := strings.TrimSpace(raw.Meeting); m != "" {
		for _, layout := range meetingLayouts {
			if t, err := time.Parse(layout, m); err == nil {
				fm.Meeting = t
				break
			}
		}
		if fm.Meeting.IsZero() {
			return FrontMatter{}, &FrontMatterError{Line: lineOf("meeting"),
				Message: fmt.Sprintf("meeting %q is not a date and time: write it as 2026-03-19T10:00", m)}
		}
	}
	switch fm.Status = strings.ToLower(strings.TrimSpace(fm.Status)); fm.Status {
	case "":
		fm.Status = StatusDraft
	case StatusDraft, StatusApproved:
	default:
		return FrontMatter{}, &FrontMatterError{Line: lineOf("status"),
			Message: fmt.Sprintf("status %q is not one of draft, approved", fm.Status)}
	}
	for _, list := range [][]Person{fm.Present, fm.AlsoPresent, fm.Apologies} {
		for _, p := range list {
			if strings.TrimSpace(p.Name) == "" {
				return FrontMatter{}, &FrontMatterError{Line: 1, Message: "a person in present, also_present or apologies has no name"}
			}
		}
	}
	return fm, nil
}

// yamlError turns yaml's "yaml: line 3: ..." (counted from the first line of the YAML, which is
// line 2 of the file) into a FrontMatterError counted from the top of the file.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = n + 1
	}
	msg = yamlLine.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "line "))
		return "line " + strconv.Itoa(n+1)
	})
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = yamlField.ReplaceAllStringFunc(msg, func(s string) string {
		m := yamlField.FindStringSubmatch(s)
		known := "board, meeting, place, status, present, also_present, apologies, ended, approved_at, signed_by"
		if m[2] == "personYAML" {
			known = "name, role, organisation, substituting_for"
		}
		return fmt.Sprintf("unknown field %q (known: %s)", m[1], known)
	})
	msg = strings.NewReplacer("minutes.personYAML", "a person", "minutes.frontMatterYAML", "the front matter",
		"minutes.", "").Replace(msg)
	return &FrontMatterError{Line: line, Message: msg}
}
