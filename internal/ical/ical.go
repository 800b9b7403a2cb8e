// Package ical writes iCalendar (RFC 5545) content lines, for the feeds several domains
// publish (a person's actions as to-dos, a board's meetings as events). Written by hand
// rather than with a library: a feed needs CRLF line ends, text escaping, folding at 75
// octets and UTC times, and nothing more.
package ical

import (
	"strings"
	"time"
)

// Line writes one content line, folded so that no line passes 75 octets (never inside a
// UTF-8 character), each ended with CRLF.
func Line(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 { // a continuation byte: step back to the start
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// Text escapes a TEXT value: backslash, semicolon, comma and newlines.
func Text(s string) string { return textEscaper.Replace(s) }

// Time is a DATE-TIME in UTC, such as 20260325T100000Z.
func Time(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
