package minutes

import (
	"testing"
	"time"
)

// FuzzParseDue feeds the due part of an ACTION line (the minutes' date parser) any text,
// against a meeting day or none: it never panics, an error always says something, and a
// due it reads is exactly one of a real day not before the meeting, the next meeting, or
// a month's meeting.
func FuzzParseDue(f *testing.F) {
	for _, s := range []string{
		"by 30 April 2021", "(by next meeting)", "by the September meeting", "30/04/2021", "2021-04-30.",
		"by 31 April", "by end of February", "by the end of May 2022", "by Friday 2 April", "by 1st May",
		"by 29/02/2021", "by 29 February 2024", "by 1/5", "by the next Board meeting", "by 12.5.21",
		"by", "()", "by 0 January", "by 99999999999999999999 May", "by -1/-1/-1", "by 2021-02-30",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, withMeeting bool) {
		var meeting time.Time
		if withMeeting {
			meeting = meeting25March2021
		}
		d, err := ParseDue(s, meeting)
		if err != nil {
			if d != nil || err.Error() == "" {
				t.Fatalf("ParseDue(%q) = %+v, %v", s, d, err)
			}
			return
		}
		set := 0
		if d.Date != "" {
			set++
			day, perr := time.ParseInLocation(time.DateOnly, d.Date, meeting25March2021.Location())
			if perr != nil {
				t.Fatalf("ParseDue(%q): date %q: %v", s, d.Date, perr)
			}
			if withMeeting && day.Before(civilDay(meeting)) {
				t.Fatalf("ParseDue(%q) = %s, before the meeting", s, d.Date)
			}
		}
		if d.Meeting != "" {
			set++
		}
		if d.Month != 0 {
			set++
			if d.Month < 1 || d.Month > 12 {
				t.Fatalf("ParseDue(%q): month %d", s, d.Month)
			}
		}
		if set != 1 {
			t.Fatalf("ParseDue(%q) = %+v: want exactly one due point", s, d)
		}
	})
}
