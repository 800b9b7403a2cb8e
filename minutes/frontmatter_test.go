package minutes

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSplitFrontMatter(t *testing.T) {
	src := "---\n" +
		"board: Northvale Safer Communities Partnership\n" +
		"meeting: 2026-03-19T10:00\n" +
		"place: Virtual meeting (Microsoft Teams)\n" +
		"present:\n" +
		"  - {name: Cllr Helen Marsh, role: Chair, organisation: Northvale Borough Council}\n" +
		"  - {name: Dan Okafor, organisation: Youth Justice Service, substituting_for: Grace Adeyemi}\n" +
		"also_present: [Tom Ellery]\n" +
		"apologies: []\n" +
		"ended: \"11.50 am\"\n" +
		"---\n" +
		"## 1. Welcome\n"
	fm, body, line, err := SplitFrontMatter([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if line != 12 || string(body) != "## 1. Welcome\n" {
		t.Errorf("body at line %d: %q", line, body)
	}
	want := time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC)
	if !fm.Meeting.Equal(want) || fm.Board != "Northvale Safer Communities Partnership" || fm.Status != StatusDraft || fm.Ended != "11.50 am" {
		t.Errorf("got %+v", fm)
	}
	if len(fm.Present) != 2 || fm.Present[0].Role != "Chair" || fm.Present[1].SubstitutingFor != "Grace Adeyemi" {
		t.Errorf("present: %+v", fm.Present)
	}
	if len(fm.AlsoPresent) != 1 || fm.AlsoPresent[0].Name != "Tom Ellery" {
		t.Errorf("also present: %+v", fm.AlsoPresent)
	}
}

func TestSplitFrontMatterNone(t *testing.T) {
	for _, src := range []string{"", "## 1. Welcome\n", "--- not front matter\n"} {
		fm, body, line, err := SplitFrontMatter([]byte(src))
		if err != nil || line != 1 || string(body) != src || fm.Board != "" {
			t.Errorf("%q: %+v %q %d %v", src, fm, body, line, err)
		}
	}
	fm, body, line, err := SplitFrontMatter([]byte("---\r\n---\r\ntext\r\n"))
	if err != nil || line != 3 || string(body) != "text\r\n" || fm.Status != StatusDraft {
		t.Errorf("empty front matter: %+v %q %d %v", fm, body, line, err)
	}
}

func TestSplitFrontMatterErrors(t *testing.T) {
	cases := []struct {
		src  string
		line int
		msg  string
	}{
		{"---\nboard: x\n", 1, "no closing"},
		{"---\nboard: x\nmeeting: 25 March\n---\n", 3, "not a date and time"},
		{"---\nboard: x\nstatus: signed\n---\n", 3, "not one of draft, approved"},
		{"---\nboard: x\nbaord: y\n---\n", 3, `unknown field "baord"`},
		{"---\nboard: x\npresent:\n  - {name: A, org: B}\n---\n", 4, `unknown field "org"`},
		{"---\nboard: [x\n---\n", 2, "line"},
		{"---\nboard: x\n  place: y\n---\n", 3, "line 3"},
		{"---\npresent: {name: A}\n---\n", 2, "cannot unmarshal"},
		{"---\napologies: [{role: Chair}]\n---\n", 1, "no name"},
	}
	for _, c := range cases {
		_, _, _, err := SplitFrontMatter([]byte(c.src))
		var fe *FrontMatterError
		if !errors.As(err, &fe) {
			t.Errorf("%q: error %v, want a FrontMatterError", c.src, err)
			continue
		}
		if fe.Line != c.line || !strings.Contains(fe.Message, c.msg) {
			t.Errorf("%q: got line %d %q, want line %d containing %q", c.src, fe.Line, fe.Message, c.line, c.msg)
		}
	}
}
