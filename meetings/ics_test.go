package meetings

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The feed is read back with a small parser of RFC 5545 written here rather than with a
// calendar library: it checks the wire format a library would forgive (CRLF, 75 octets,
// components closed in order), and keeps go.mod free of a module only tests would use.

type icsProp struct {
	Name   string
	Params string // as written, such as ";VALUE=DURATION"
	Value  string // TEXT escapes undone
}

type icsComponent struct {
	Name  string
	Props []icsProp
	Subs  []*icsComponent
}

// get is the value of the first property called name, or "".
func (c *icsComponent) get(name string) string {
	for _, p := range c.Props {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func (c *icsComponent) events() []*icsComponent {
	var out []*icsComponent
	for _, s := range c.Subs {
		if s.Name == "VEVENT" {
			out = append(out, s)
		}
	}
	return out
}

// parseICS parses a calendar, failing the test on any line that breaks RFC 5545's rules:
// lines ended by CRLF, none longer than 75 octets, continuation lines starting with a
// space, every BEGIN closed by its END.
func parseICS(t testing.TB, s string) *icsComponent {
	t.Helper()
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the calendar does not end with CRLF")
	}
	var logical []string
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare line break: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(logical) == 0 {
				t.Fatal("the calendar starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	root := &icsComponent{}
	stack := []*icsComponent{root}
	for _, l := range logical {
		nameParams, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("content line without a colon: %q", l)
		}
		name, params, _ := strings.Cut(nameParams, ";")
		if params != "" {
			params = ";" + params
		}
		top := stack[len(stack)-1]
		switch name {
		case "BEGIN":
			c := &icsComponent{Name: value}
			top.Subs = append(top.Subs, c)
			stack = append(stack, c)
		case "END":
			if top.Name != value || len(stack) == 1 {
				t.Fatalf("END:%s closes %s", value, top.Name)
			}
			stack = stack[:len(stack)-1]
		default:
			top.Props = append(top.Props, icsProp{Name: name, Params: params, Value: unescapeText(value)})
		}
	}
	if len(stack) != 1 || len(root.Subs) != 1 || root.Subs[0].Name != "VCALENDAR" {
		t.Fatalf("want one VCALENDAR, closed; got %d open, %d components", len(stack)-1, len(root.Subs))
	}
	return root.Subs[0]
}

func unescapeText(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
			switch v[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(v[i])
			}
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func icsTime(t testing.TB, v string) time.Time {
	t.Helper()
	at, err := time.Parse("20060102T150405Z", v)
	if err != nil {
		t.Fatalf("not a UTC DATE-TIME: %q", v)
	}
	return at
}

func (f *fixture) calendar(boardID int64) *icsComponent {
	f.t.Helper()
	ms, err := f.s.BoardCalendar(f.ctx, boardID, time.Now())
	f.must(err)
	var b strings.Builder
	WriteCalendar(&b, "Safer Partnership; meetings, all", ms, "https://quorum.example")
	return parseICS(f.t, b.String())
}

func eventOf(t *testing.T, cal *icsComponent, m *Meeting) *icsComponent {
	t.Helper()
	for _, e := range cal.events() {
		if e.get("UID") == fmt.Sprintf("meeting-%d@quorum", m.ID) {
			return e
		}
	}
	t.Fatalf("no event for meeting %d", m.ID)
	return nil
}

func TestBoardCalendar(t *testing.T) {
	f := newFixture(t)
	place := "Committee Room 1, Town Hall; Northvale – the long way round past the café, the library and the old market hall"
	f.must(f.s.MoveMeeting(f.ctx, f.later.ID, f.later.StartsAt, time.Time{}, ModeHybrid, place, ""))
	// Moving it back onto the same time and place changes nothing: refused, no revision.
	f.wantErr(f.s.MoveMeeting(f.ctx, f.later.ID, f.later.StartsAt, time.Time{}, ModeHybrid, place, ""), "EINVALID", "date")

	cal := f.calendar(f.board.ID)
	if cal.get("VERSION") != "2.0" || cal.get("PRODID") == "" || cal.get("X-WR-CALNAME") != "Safer Partnership; meetings, all" {
		t.Errorf("calendar properties: %+v", cal.Props)
	}
	if n := len(cal.events()); n != 3 {
		t.Fatalf("%d events, want the board's 3 meetings", n)
	}
	for _, e := range cal.events() {
		for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "LAST-MODIFIED", "STATUS"} {
			if e.get(p) == "" {
				t.Errorf("event %s has no %s", e.get("UID"), p)
			}
		}
	}
	later := eventOf(t, cal, f.later)
	if later.get("LOCATION") != place || later.get("SEQUENCE") != "1" {
		t.Errorf("moved place: LOCATION %q, SEQUENCE %s", later.get("LOCATION"), later.get("SEQUENCE"))
	}
	next := eventOf(t, cal, f.next)
	if !icsTime(t, next.get("DTSTART")).Equal(f.next.StartsAt) || next.get("SEQUENCE") != "0" || next.get("STATUS") != "CONFIRMED" ||
		next.get("SUMMARY") != "Safer Partnership" || next.get("URL") != fmt.Sprintf("https://quorum.example/meetings/%d", f.next.ID) {
		t.Errorf("next meeting event: %+v", next.Props)
	}
	before := icsTime(t, next.get("LAST-MODIFIED"))

	// The same meeting read again gives the same lines: DTSTAMP is when it last changed.
	var again, first strings.Builder
	ms, _ := f.s.BoardCalendar(f.ctx, f.board.ID, time.Now())
	WriteCalendar(&first, "x", ms, "")
	time.Sleep(1100 * time.Millisecond)
	ms, _ = f.s.BoardCalendar(f.ctx, f.board.ID, time.Now())
	WriteCalendar(&again, "x", ms, "")
	if first.String() != again.String() {
		t.Error("an unchanged feed changed between two reads")
	}

	// Moved: a new start, a higher sequence, a later stamp, and the time it was due.
	to := f.next.StartsAt.AddDate(0, 0, 7)
	f.must(f.s.MoveMeeting(f.ctx, f.next.ID, to, time.Time{}, "", "Council Chamber", "Moved a week: the chamber was needed for an election count."))
	next = eventOf(t, f.calendar(f.board.ID), f.next)
	if !icsTime(t, next.get("DTSTART")).Equal(to) || !icsTime(t, next.get("DTEND")).Equal(to.Add(2*time.Hour)) {
		t.Errorf("moved meeting: DTSTART %s DTEND %s", next.get("DTSTART"), next.get("DTEND"))
	}
	if next.get("SEQUENCE") != "1" || !icsTime(t, next.get("LAST-MODIFIED")).After(before) || next.get("DTSTAMP") != next.get("LAST-MODIFIED") {
		t.Errorf("a moved meeting is not a revision: SEQUENCE %s, LAST-MODIFIED %s (was %s), DTSTAMP %s",
			next.get("SEQUENCE"), next.get("LAST-MODIFIED"), before.Format(time.RFC3339), next.get("DTSTAMP"))
	}
	desc := next.get("DESCRIPTION")
	if !strings.Contains(desc, "This meeting has moved. It was due on "+f.next.StartsAt.In(London).Format("Monday 2 January 2006")) ||
		!strings.Contains(desc, "\nMoved a week: the chamber was needed for an election count.\n") {
		t.Errorf("moved meeting description: %q", desc)
	}

	// Cancelled: still in the feed, marked, so calendars take it out.
	f.must(f.s.CancelMeeting(f.ctx, f.next.ID, "Cancelled, the business goes to the next meeting."))
	next = eventOf(t, f.calendar(f.board.ID), f.next)
	if next.get("STATUS") != "CANCELLED" || next.get("SEQUENCE") != "2" || !strings.HasPrefix(next.get("SUMMARY"), "Cancelled: ") ||
		!strings.Contains(next.get("DESCRIPTION"), "Cancelled, the business goes to the next meeting.") {
		t.Errorf("cancelled meeting: %+v", next.Props)
	}

	// Another board's feed holds none of these; meetings over a year old are left out.
	if n := len(f.calendar(f.other.ID).events()); n != 0 {
		t.Errorf("the other board's feed has %d events", n)
	}
	old := &Meeting{BoardID: f.board.ID, StartsAt: time.Now().AddDate(-2, 0, 0).Truncate(time.Minute)}
	f.must(f.s.ScheduleMeeting(f.ctx, old))
	if n := len(f.calendar(f.board.ID).events()); n != 3 {
		t.Errorf("%d events once a meeting two years ago is added, want 3", n)
	}
}

func TestPersonCalendar(t *testing.T) {
	f := newFixture(t)
	mine := func(person int64) map[int64]bool {
		ms, err := f.s.PersonCalendar(f.ctx, person, time.Now())
		f.must(err)
		var b strings.Builder
		WriteCalendar(&b, "My meetings", ms, "")
		parseICS(t, b.String())
		out := map[int64]bool{}
		for _, m := range ms {
			out[m.ID] = true
		}
		return out
	}
	if got := mine(f.people["cllr"]); len(got) != 3 || !got[f.past.ID] || !got[f.next.ID] || !got[f.later.ID] {
		t.Errorf("a member's feed: %v", got)
	}
	// An officer who sits on no board has no meetings, until named as a substitute.
	if got := mine(f.people["insp"]); len(got) != 0 {
		t.Errorf("a non-member's feed: %v", got)
	}
	f.must(f.s.SendApologies(f.ctx, f.next.ID, f.people["supt"], f.people["insp"], time.Now()))
	if got := mine(f.people["insp"]); len(got) != 1 || !got[f.next.ID] {
		t.Errorf("a named substitute's feed: %v", got)
	}
	// A membership that ended before a meeting does not bring it.
	other := &Meeting{BoardID: f.other.ID, StartsAt: time.Now().AddDate(0, 0, 10).Truncate(time.Minute)}
	f.must(f.s.ScheduleMeeting(f.ctx, other))
	f.must(f.s.AddMember(f.ctx, &Membership{BoardID: f.other.ID, PersonID: f.people["cllr"], Role: "member", StartsOn: "2020-01-01",
		EndsOn: time.Now().AddDate(0, 0, -1).Format("2006-01-02")}))
	if mine(f.people["cllr"])[other.ID] {
		t.Error("a past member's feed has the board's next meeting")
	}
}
