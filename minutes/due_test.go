package minutes

import (
	"strings"
	"testing"
	"time"
)

// meeting25March2021 is the meeting the reference minutes belong to: 10.00 am, London time.
var meeting25March2021 = time.Date(2021, time.March, 25, 10, 0, 0, 0, mustLondon())

func mustLondon() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.FixedZone("GMT", 0)
	}
	return l
}

func TestDueForms(t *testing.T) {
	tests := []struct {
		in   string
		want Due
	}{
		{"by 30 April 2021", Due{Date: "2021-04-30"}},
		{"30 April 2021", Due{Date: "2021-04-30"}},
		{"(by 30 April 2021)", Due{Date: "2021-04-30"}},
		{"by 30 April 2021.", Due{Date: "2021-04-30"}},
		{"By 30 april 2021", Due{Date: "2021-04-30"}},
		{"by 30th April 2021", Due{Date: "2021-04-30"}},
		{"by 1st May 2021", Due{Date: "2021-05-01"}},
		{"by 2nd May 2021", Due{Date: "2021-05-02"}},
		{"by 3rd May 2021", Due{Date: "2021-05-03"}},
		{"by 10th of December 2021", Due{Date: "2021-12-10"}},
		{"by 30 Apr 2021", Due{Date: "2021-04-30"}},
		{"by 17 Sept 2021", Due{Date: "2021-09-17"}},
		{"by April 30, 2021", Due{Date: "2021-04-30"}},
		{"by April 30th 2021", Due{Date: "2021-04-30"}},
		{"by 30 April, 2021", Due{Date: "2021-04-30"}},
		{"by 30 April 21", Due{Date: "2021-04-30"}},
		{"by Friday 30 April 2021", Due{Date: "2021-04-30"}},
		{"by Fri 30 April 2021", Due{Date: "2021-04-30"}},
		{"by 30/04/2021", Due{Date: "2021-04-30"}},
		{"by 30/4/2021", Due{Date: "2021-04-30"}},
		{"by 30/04/21", Due{Date: "2021-04-30"}},
		{"by 30.04.2021", Due{Date: "2021-04-30"}},
		{"by 30-04-2021", Due{Date: "2021-04-30"}},
		{"by 2021-04-30", Due{Date: "2021-04-30"}},
		{"by 2021-4-30", Due{Date: "2021-04-30"}},
		{"by 25 March 2021", Due{Date: "2021-03-25"}}, // the meeting's own day is allowed
		// no year: the first such day on or after the meeting
		{"by 30 April", Due{Date: "2021-04-30"}},
		{"by 25 March", Due{Date: "2021-03-25"}},
		{"by 1 March", Due{Date: "2022-03-01"}},
		{"by 17 June", Due{Date: "2021-06-17"}},
		{"by the end of April", Due{Date: "2021-04-30"}},
		{"by end of February", Due{Date: "2022-02-28"}},
		{"by the end of February 2024", Due{Date: "2024-02-29"}},
		{"by end of March", Due{Date: "2021-03-31"}},
		// meetings
		{"by next meeting", Due{Meeting: "next"}},
		{"by the next meeting", Due{Meeting: "next"}},
		{"(by the next meeting)", Due{Meeting: "next"}},
		{"by the next Board meeting", Due{Meeting: "next"}},
		{"by the Next Meeting.", Due{Meeting: "next"}},
		{"next meeting", Due{Meeting: "next"}},
		{"by the September meeting", Due{Month: 9}},
		{"by September meeting", Due{Month: 9}},
		{"by the Sept meeting", Due{Month: 9}},
		{"by the June Partnership meeting", Due{Month: 6}},
		{"by the january meeting", Due{Month: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDue(tt.in, meeting25March2021)
			if err != nil {
				t.Fatalf("ParseDue(%q) error: %v", tt.in, err)
			}
			if *got != tt.want {
				t.Errorf("ParseDue(%q) = %+v, want %+v", tt.in, *got, tt.want)
			}
		})
	}
}

func TestDueErrors(t *testing.T) {
	tests := []struct {
		in      string
		meeting time.Time
		want    string // part of the message
	}{
		{"by 31/02/2021", meeting25March2021, "31/02/2021 is not a date: February 2021 has 28 days"},
		{"by 2021-13-01", meeting25March2021, "2021-13-01 is not a date: there is no month 13"},
		{"by 2021-04-31", meeting25March2021, "April 2021 has 30 days"},
		{"by 31 April 2021", meeting25March2021, "31 April 2021 is not a date: April 2021 has 30 days"},
		{"by 29 February 2022", meeting25March2021, "February 2022 has 28 days"},
		{"by 29 February", meeting25March2021, "February 2022 has 28 days"},
		{"by 0 May 2021", meeting25March2021, "there is no day 0"},
		{"by 32 May 2021", meeting25March2021, "there is no day 32"},
		{"by 00/05/2021", meeting25March2021, "there is no day 0"},
		{"by 1 May 3021", meeting25March2021, "the year 3021 is out of range"},
		{"by 1 March 2021", meeting25March2021, "the due date 1 March 2021 is before the meeting (25 March 2021)"},
		{"by 24/03/2021", meeting25March2021, "is before the meeting"},
		{"by Monday 30 April 2021", meeting25March2021, "30 April 2021 is a Friday, not a Monday"},
		{"by 30 April", time.Time{}, "30 April has no year and the date of the meeting is not known"},
		{"by Friday", meeting25March2021, `cannot read "by Friday" as a due date`},
		{"by soon", meeting25March2021, "write a date (30 April 2026, 30/04/2026, 2026-04-30) or a meeting"},
		{"by the meeting", meeting25March2021, "cannot read"},
		{"by the last meeting", meeting25March2021, "cannot read"},
		{"by", meeting25March2021, "cannot read"},
		{"", meeting25March2021, "cannot read"},
		{"by 30 Aprill 2021", meeting25March2021, "cannot read"},
		{"by 30/04", meeting25March2021, "cannot read"},
		{"by 2021/04/30/1", meeting25March2021, "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDue(tt.in, tt.meeting)
			if err == nil {
				t.Fatalf("ParseDue(%q) = %+v, want an error containing %q", tt.in, *got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDue(%q) error %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

// The meeting's date is read in its own time zone: a meeting at 00:30 on 1 April London
// time is still on 1 April, although it is 31 March in UTC.
func TestDueMeetingDayInItsOwnZone(t *testing.T) {
	m := time.Date(2021, time.April, 1, 0, 30, 0, 0, mustLondon())
	if _, err := ParseDue("by 1 April 2021", m); err != nil {
		t.Errorf("due on the meeting's own day: %v", err)
	}
	if _, err := ParseDue("by 31 March 2021", m); err == nil {
		t.Error("due the day before the meeting: no error")
	}
}
