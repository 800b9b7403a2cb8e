package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestLineFoldsAt75Octets(t *testing.T) {
	cases := []string{
		"SUMMARY:short",
		"DESCRIPTION:" + strings.Repeat("a", 63),  // exactly 75
		"DESCRIPTION:" + strings.Repeat("a", 64),  // 76
		"DESCRIPTION:" + strings.Repeat("é", 100), // two octets each: never cut inside one
		"LOCATION:" + strings.Repeat("Committee Room 1 – Town Hall, ", 12),
		"X:" + strings.Repeat("🏛", 50), // four octets each
	}
	for _, c := range cases {
		var b strings.Builder
		Line(&b, c)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Errorf("%.20q... does not end with CRLF", c)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
			if !utf8.ValidString(l) {
				t.Errorf("a fold cut a character: %q", l)
			}
			if strings.ContainsAny(l, "\r\n") {
				t.Errorf("bare line break in %q", l)
			}
		}
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != c {
			t.Errorf("unfolded back to %q, want %q", got, c)
		}
	}
}

func TestText(t *testing.T) {
	in := "Back\\slash; semi, comma\r\nwindows\nunix\rmac"
	want := `Back\\slash\; semi\, comma\nwindows\nunix\nmac`
	if got := Text(in); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got := Time(time.Date(2026, 3, 25, 10, 0, 0, 0, time.FixedZone("BST", 3600))); got != "20260325T090000Z" {
		t.Errorf("Time = %q", got)
	}
}
