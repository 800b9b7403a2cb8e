package actions

import (
	"fmt"
	"strings"
	"time"

	"quorum/internal/ical"
)

// WriteICS writes actions as an iCalendar of to-dos (RFC 5545), one VTODO each, due on
// its date (a whole day) or at its meeting's start. Written by hand rather than with a
// library: a calendar of to-dos needs a dozen properties, CRLF line ends, text escaping
// and folding at 75 octets, which internal/ical does. base starts the links back to each action.
func WriteICS(b *strings.Builder, as []Action, base string, now time.Time) {
	line := func(s string) { ical.Line(b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Quorum//Action log//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:My actions (Quorum)")
	stamp := ical.Time(now)
	for i := range as {
		a := &as[i]
		line("BEGIN:VTODO")
		line(fmt.Sprintf("UID:action-%d@quorum", a.ID))
		line("DTSTAMP:" + stamp)
		line("SUMMARY:" + ical.Text(a.Ref+": "+a.Text))
		desc := a.Text + "\nOwners: " + a.OwnerNames()
		if a.LatestUpdate != nil {
			desc += "\nLatest update: " + a.LatestUpdate.Text
		}
		line("DESCRIPTION:" + ical.Text(desc))
		if base != "" {
			line(fmt.Sprintf("URL:%s/actions/%d", base, a.ID))
		}
		switch {
		case a.Due.Date != "":
			line("DUE;VALUE=DATE:" + strings.ReplaceAll(a.Due.Date, "-", ""))
		case !a.Due.MeetingStartsAt.IsZero():
			line("DUE:" + ical.Time(a.Due.MeetingStartsAt))
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
			line("LAST-MODIFIED:" + ical.Time(a.UpdatedAt))
		}
		line("END:VTODO")
	}
	line("END:VCALENDAR")
}
