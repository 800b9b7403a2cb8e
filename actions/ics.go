package actions

import (
	"fmt"
	"strings"
	"time"
)

// WriteICS writes actions as an iCalendar of to-dos (RFC 5545), one VTODO each, due on
// its date (a whole day) or at its meeting's start. Written by hand rather than with a
// library: a calendar of to-dos needs a dozen properties, CRLF line ends, text escaping
// and folding at 75 octets, all below. base starts the links back to each action.
func WriteICS(b *strings.Builder, as []Action, base string, now time.Time) {
	line := func(s string) { fold(b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Quorum//Action log//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:My actions (Quorum)")
	stamp := now.UTC().Format("20060102T150405Z")
	for i := range as {
		a := &as[i]
		line("BEGIN:VTODO")
		line(fmt.Sprintf("UID:action-%d@quorum", a.ID))
		line("DTSTAMP:" + stamp)
		line("SUMMARY:" + icsText(a.Ref+": "+a.Text))
		desc := a.Text + "\nOwners: " + a.OwnerNames()
		if a.LatestUpdate != nil {
			desc += "\nLatest update: " + a.LatestUpdate.Text
		}
		line("DESCRIPTION:" + icsText(desc))
		if base != "" {
			line(fmt.Sprintf("URL:%s/actions/%d", base, a.ID))
		}
		switch {
		case a.Due.Date != "":
			line("DUE;VALUE=DATE:" + strings.ReplaceAll(a.Due.Date, "-", ""))
		case !a.Due.MeetingStartsAt.IsZero():
			line("DUE:" + a.Due.MeetingStartsAt.UTC().Format("20060102T150405Z"))
		}
		status := "NEEDS-ACTION"
		switch a.Status {
		case StatusInProgress:
			status = "IN-PROCESS"
		case StatusDone:
			status = "COMPLETED"
		case StatusDropped:
			status = "CANCELLED"
		}
		line("STATUS:" + status)
		if !a.UpdatedAt.IsZero() {
			line("LAST-MODIFIED:" + a.UpdatedAt.UTC().Format("20060102T150405Z"))
		}
		line("END:VTODO")
	}
	line("END:VCALENDAR")
}

// icsText escapes a TEXT value: backslash, semicolon, comma and newlines.
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold writes one content line, folded so no line passes 75 octets, never inside a UTF-8
// character, each ended with CRLF.
func fold(b *strings.Builder, s string) {
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
