package minutes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dueForms is the hint every unreadable due part ends with.
const dueForms = "write a date (30 April 2026, 30/04/2026, 2026-04-30) or a meeting (next meeting, the September meeting)"

// ParseDue reads the due part of an action on its own: "by 30 April 2021", "30/04/2021",
// "(by next meeting)", "by the September meeting". A leading "by", surrounding parentheses
// and a final full stop are optional. Dates without a year, and the check that a date is not
// before the meeting, are read against meetingDate (the day of the meeting the minutes
// belong to; zero if unknown). "by the September meeting" comes back as Due{Month: 9}:
// which meeting that is depends on the board's schedule, which Parse asks Options.Meetings.
// The error's message is meant for the clerk.
func ParseDue(s string, meetingDate time.Time) (*Due, error) {
	d, err, _ := readDue(s, meetingDate)
	return d, err
}

// readDue is ParseDue that also says whether s had the shape of a due part at all
// (recognised), even when it names a day that does not exist. Parse uses that to tell
// "led by Jane" (ordinary text) from "by 31 April" (a due date in error).
func readDue(s string, meetingDate time.Time) (d *Due, err error, recognised bool) {
	written := strings.TrimSpace(s)
	t := written
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		t = t[1 : len(t)-1]
	}
	t = strings.TrimSpace(t)
	t = strings.TrimSuffix(t, ".")
	words := strings.Fields(strings.ReplaceAll(t, ",", " "))
	if len(words) > 0 && strings.EqualFold(words[0], "by") {
		words = words[1:]
	}
	f := make([]string, len(words))
	for i, w := range words {
		f[i] = strings.ToLower(w)
	}
	unreadable := fmt.Errorf("cannot read %q as a due date: %s", written, dueForms)
	if len(f) == 0 {
		return nil, unreadable, false
	}
	if f[len(f)-1] == "meeting" {
		if d, ok := readDueMeeting(f[:len(f)-1]); ok {
			return d, nil, true
		}
		return nil, unreadable, false
	}

	day, ok := readDueDay(f)
	day.written = strings.Join(words, " ")
	if !ok {
		return nil, unreadable, false
	}
	date, err := day.resolve(meetingDate)
	if err != nil {
		return nil, err, true
	}
	if !meetingDate.IsZero() && date.Before(civilDay(meetingDate)) {
		return nil, fmt.Errorf("the due date %s is before the meeting (%s): an action can only fall due after the meeting that agreed it",
			ukDate(date), ukDate(civilDay(meetingDate))), true
	}
	return &Due{Date: date.Format(time.DateOnly)}, nil, true
}

// readDueMeeting reads the words before "meeting": "next", "the next", "the next board",
// "september", "the september", "the september board".
func readDueMeeting(f []string) (*Due, bool) {
	if len(f) > 0 && f[0] == "the" {
		f = f[1:]
	}
	if len(f) == 2 && meetingBodyWords[f[1]] {
		f = f[:1]
	}
	if len(f) != 1 {
		return nil, false
	}
	if f[0] == "next" {
		return &Due{Meeting: "next"}, true
	}
	if m, ok := monthNamed(f[0]); ok {
		return &Due{Month: int(m)}, true
	}
	return nil, false
}

// meetingBodyWords may stand between "next" (or a month) and "meeting": "the next Board meeting".
var meetingBodyWords = map[string]bool{"board": true, "partnership": true, "group": true, "committee": true}

// dueDay is a calendar day as written; year 0 means "not written".
type dueDay struct {
	year    int
	month   int
	day     int // 0 with endOf: the last day of the month
	endOf   bool
	weekday string // as written, if the clerk named one
	written string
}

// readDueDay recognises the shapes of a date, without checking that the day exists.
func readDueDay(f []string) (dueDay, bool) {
	var d dueDay
	if f[0] == "the" {
		f = f[1:]
	}
	if len(f) >= 2 && f[0] == "end" && f[1] == "of" {
		f = f[2:]
		if len(f) == 0 || len(f) > 2 {
			return d, false
		}
		m, ok := monthNamed(f[0])
		if !ok {
			return d, false
		}
		d.month, d.endOf = int(m), true
		if len(f) == 2 {
			y, ok := readYear(f[1])
			if !ok {
				return d, false
			}
			d.year = y
		}
		return d, true
	}
	if len(f) > 1 {
		if _, ok := weekdayNamed(f[0]); ok {
			d.weekday = f[0]
			f = f[1:]
		}
	}
	if len(f) == 1 {
		return readNumericDate(f[0], d)
	}
	// 30 April [2021], 30th of April [2021], April 30[th] [2021]
	if len(f) > 1 && f[1] == "of" {
		f = append([]string{f[0]}, f[2:]...)
	}
	if len(f) < 2 || len(f) > 3 {
		return d, false
	}
	day, mon := f[0], f[1]
	if _, ok := monthNamed(day); ok {
		day, mon = mon, day
	}
	m, ok := monthNamed(mon)
	if !ok {
		return d, false
	}
	n, ok := readDayNumber(day)
	if !ok {
		return d, false
	}
	d.month, d.day = int(m), n
	if len(f) == 3 {
		y, ok := readYear(f[2])
		if !ok {
			return d, false
		}
		d.year = y
	}
	return d, true
}

// readNumericDate reads 2021-04-30 and 30/04/2021 (also 30.04.2021, 30-04-2021, 30/4/21).
func readNumericDate(s string, d dueDay) (dueDay, bool) {
	sep := byte(0)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '/' || c == '-' || c == '.' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return d, false
	}
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return d, false
	}
	var n [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 4 {
			return d, false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p[0] == '+' {
			return d, false
		}
		n[i] = v
	}
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		d.year, d.month, d.day = n[0], n[1], n[2]
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 4:
		d.day, d.month, d.year = n[0], n[1], n[2]
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 2:
		d.day, d.month, d.year = n[0], n[1], 2000+n[2]
	default:
		return d, false
	}
	return d, true
}

// resolve checks that the day exists and gives its date, taking a missing year from the
// meeting: the first such day on or after the meeting.
func (d dueDay) resolve(meetingDate time.Time) (time.Time, error) {
	if d.month < 1 || d.month > 12 {
		return time.Time{}, fmt.Errorf("%s is not a date: there is no month %d", d.written, d.month)
	}
	month := time.Month(d.month)
	if d.year != 0 && (d.year < 1900 || d.year > 2199) {
		return time.Time{}, fmt.Errorf("%s is not a date Quorum can use: the year %d is out of range", d.written, d.year)
	}
	if !d.endOf && (d.day < 1 || d.day > 31) {
		return time.Time{}, fmt.Errorf("%s is not a date: there is no day %d in a month", d.written, d.day)
	}
	year := d.year
	if year == 0 {
		if meetingDate.IsZero() {
			return time.Time{}, fmt.Errorf("%s has no year and the date of the meeting is not known: write the year too (%s 2026)", d.written, d.written)
		}
		m := civilDay(meetingDate)
		year = m.Year()
		day := d.day
		if d.endOf {
			day = daysIn(month, year)
		}
		if time.Date(year, month, min(day, daysIn(month, year)), 0, 0, 0, 0, time.UTC).Before(m) {
			year++
		}
	}
	day := d.day
	if d.endOf {
		day = daysIn(month, year)
	}
	if day > daysIn(month, year) {
		return time.Time{}, fmt.Errorf("%s is not a date: %s %d has %d days", d.written, month, year, daysIn(month, year))
	}
	date := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if d.weekday != "" {
		if wd, _ := weekdayNamed(d.weekday); wd != date.Weekday() {
			return time.Time{}, fmt.Errorf("%s is a %s, not a %s", ukDate(date), date.Weekday(), wd)
		}
	}
	return date, nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// readDayNumber reads 30, 30th, 1st, 2nd, 3rd.
func readDayNumber(s string) (int, bool) {
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(s, suffix) {
			s = s[:len(s)-2]
			break
		}
	}
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	return n, true
}

// readYear reads 2021 or 21.
func readYear(s string) (int, bool) {
	if len(s) != 4 && len(s) != 2 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(s)
	if len(s) == 2 {
		n += 2000
	}
	return n, true
}

// monthNamed reads a month's name in lower case: "september", "sep", "sept".
func monthNamed(s string) (time.Month, bool) {
	if len(s) < 3 {
		return 0, false
	}
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || s == name[:3] || (m == time.September && s == "sept") {
			return m, true
		}
	}
	return 0, false
}

// weekdayNamed reads a weekday's name in lower case: "friday", "fri", "tues", "thurs".
func weekdayNamed(s string) (time.Weekday, bool) {
	if len(s) < 3 {
		return 0, false
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		name := strings.ToLower(wd.String())
		if s == name || s == name[:3] || (len(s) == 4 && strings.HasPrefix(name, s)) || s == "thurs" && wd == time.Thursday {
			return wd, true
		}
	}
	return 0, false
}

// civilDay is the calendar day of t, in t's own location, as midnight UTC.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ukDate writes a day the way minutes do: 25 March 2021.
func ukDate(t time.Time) string { return t.Format("2 January 2006") }
