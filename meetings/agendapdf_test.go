package meetings

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// printedMeeting is a meeting on 25 March 2026 at 10.00 am with timed items, an exempt
// one with a paper, a sub-item and an item postponed to a later meeting.
func printedMeeting() (*Board, *Meeting) {
	b := &Board{Name: "Northvale Safer Communities Partnership", ShortName: "NSCP", ClerkName: "Sarah Okafor",
		ClerkEmail: "clerk@northvale.example", Members: []Membership{
			{PersonName: "Cllr Ann Chair", Role: "chair", OrganisationName: "Northvale Council"},
			{PersonName: "Supt Dan Police", Role: "member", OrganisationName: "Northvale Police", JobTitle: "Superintendent"},
			{PersonName: "Old Member", Role: "member", EndsOn: "2025-01-01"},
			{PersonName: "Sarah Okafor", Role: "clerk"},
		}}
	start := time.Date(2026, 3, 25, 10, 0, 0, 0, London)
	m := &Meeting{ID: 7, BoardName: b.Name, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Mode: ModeHybrid,
		Place: "Council Chamber, Northvale Town Hall", Status: StatusAgendaPublished,
		Items: []AgendaItem{
			{Number: "1", Title: "Welcome and introductions", Kind: KindStandard, Duration: 5},
			{Number: "2", Title: "Budget 2026/27", Purpose: "for decision", Presenter: "Jo Finance", Duration: 20,
				Papers: []Paper{{Title: "Budget report", Version: 2}, {Title: "Budget report (first draft)", Superseded: true}}},
			{Number: "3", Title: "Contract award: youth diversion", Purpose: "for decision", Presenter: "Secret Sam", Duration: 15,
				Exempt: true, ExemptReason: "Schedule 12A paragraph 3", Papers: []Paper{{Title: "Tender evaluation"}}},
			{Number: "3a", Title: "Knife crime", Sub: true, Purpose: "for noting", Presenter: "Supt Dan Police", Duration: 10},
			{Number: "4", Title: "Moved on", PostponedTo: 9, Duration: 30},
			{Number: "4", Title: "Community safety survey", Purpose: "presentation", Presenter: "Insp Eve Police",
				PostponedFrom: 3, PostponedFromAt: time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC)},
			{Number: "5", Title: "Any other business", Kind: KindStandard, Duration: 5},
		}}
	return b, m
}

func TestPrintedAgendaLines(t *testing.T) {
	b, m := printedMeeting()
	type line struct{ number, title, purpose, presenter, starts, note string }
	want := []line{
		{"1", "Welcome and introductions", "", "", "10.00 am", ""},
		{"2", "Budget 2026/27", "for decision", "Jo Finance", "10.05 am", ""},
		{"3", "Contract award: youth diversion", "for decision", "Secret Sam", "10.25 am", "Exempt: Schedule 12A paragraph 3"},
		{"3a", "Knife crime", "for noting", "Supt Dan Police", "10.40 am", ""},
		// No time set, so no item after it has a time either.
		{"4", "Community safety survey", "presentation", "Insp Eve Police", "10.50 am", "Postponed from the meeting on 14 January 2026"},
		{"5", "Any other business", "", "", "", ""},
	}
	for _, entitled := range []bool{true, false} {
		c := PrintedAgenda(b, m, entitled)
		if len(c.Lines) != len(want) {
			t.Fatalf("entitled %v: %d lines, want %d", entitled, len(c.Lines), len(want))
		}
		for i, w := range want {
			l := c.Lines[i]
			if !entitled && w.number == "3" {
				w.purpose, w.presenter, w.starts = "", "", ""
			}
			got := line{l.Number, l.Title, l.Purpose, l.Presenter, l.Starts, l.Note}
			if got != w {
				t.Errorf("entitled %v, line %d = %+v, want %+v", entitled, i, got, w)
			}
		}
		papers := c.Lines[2].Papers
		if entitled && (len(papers) != 1 || papers[0].Title != "Tender evaluation") || !entitled && len(papers) != 0 {
			t.Errorf("entitled %v: the exempt item lists papers %+v", entitled, papers)
		}
		if p := c.Lines[1].Papers; len(p) != 1 || p[0].Title != "Budget report" {
			t.Errorf("a superseded paper is listed: %+v", p)
		}
		if len(c.Members) != 3 {
			t.Errorf("members on the day: %d, want 3 (the clerk is left out when printed)", len(c.Members))
		}
	}
}

func TestRenderAgendaReadBack(t *testing.T) {
	b, m := printedMeeting()
	m.MovedFrom = time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)
	m.Notice = "Moved a week: the chamber is needed for an election count."
	read := func(entitled bool) string {
		pdf, err := RenderAgenda(PrintedAgenda(b, m, entitled))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(pdftotextPages(t, pdf), "\n")
	}
	text := read(true)
	space := regexp.MustCompile(`\s+`)
	flat := space.ReplaceAllString(text, " ")
	for _, want := range []string{"Northvale Safer Communities Partnership", "Agenda", "Wednesday 25 March 2026 at 10.00 am to 12.00 pm",
		"Hybrid meeting", "Council Chamber, Northvale Town Hall", "Sarah Okafor, clerk@northvale.example", "Membership",
		"Cllr Ann Chair (Chair)", "Superintendent, Northvale Police", "This meeting has moved. It was due on 18 March 2026 at 10.00 am.",
		"Moved a week: the chamber is needed for an election count.", "Exempt: Schedule 12A paragraph 3", "Paper: Budget report",
		"Paper: Tender evaluation", "Postponed from the meeting on 14 January 2026"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the printed agenda lacks %q:\n%s", want, text)
		}
	}
	// Items in order, each with its presenter and time.
	order := []string{"1 Welcome and introductions", "10.00 am",
		"2 Budget 2026/27", "10.05 am", "For decision – Jo Finance – 20 minutes",
		"3 Contract award: youth diversion", "10.25 am", "For decision – Secret Sam – 15 minutes",
		"3a Knife crime", "10.40 am", "For noting – Supt Dan Police – 10 minutes",
		"4 Community safety survey", "10.50 am", "Presentation – Insp Eve Police",
		"5 Any other business", "5 minutes"}
	at := 0
	for _, w := range order {
		i := strings.Index(flat[at:], w)
		if i < 0 {
			t.Fatalf("%q is not where it should be, after %q:\n%s", w, flat[:at], text)
		}
		at += i + len(w)
	}
	for _, gone := range []string{"Moved on", "Old Member", "first draft"} {
		if strings.Contains(flat, gone) {
			t.Errorf("the printed agenda shows %q", gone)
		}
	}

	// The public sees the exempt item's title and reason, and nothing else of it.
	public := space.ReplaceAllString(read(false), " ")
	for _, want := range []string{"3 Contract award: youth diversion", "Exempt: Schedule 12A paragraph 3", "For decision – Jo Finance"} {
		if !strings.Contains(public, want) {
			t.Errorf("the public agenda lacks %q", want)
		}
	}
	for _, gone := range []string{"Secret Sam", "Tender evaluation", "10.25 am"} {
		if strings.Contains(public, gone) {
			t.Errorf("the public agenda shows %q of the exempt item", gone)
		}
	}
}

func TestRenderAgendaOutsideLatin(t *testing.T) {
	b, m := printedMeeting()
	m.Items[1].Presenter = "Ławrence Żółć" // outside Windows-1252: the full font is used
	pdf, err := RenderAgenda(PrintedAgenda(b, m, true))
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(pdftotextPages(t, pdf), "\n"); !strings.Contains(text, "Ławrence Żółć") {
		t.Errorf("the presenter's name is lost:\n%s", text)
	}
}

// TestPackCoverUnchanged: the pack's cover, sharing the agenda's layout, still lists
// items with the page their papers start at.
func TestPackCoverUnchanged(t *testing.T) {
	b, m := printedMeeting()
	lines := []AgendaLine{{Number: "1", Title: "Welcome"}, {Number: "2", Title: "Budget", Purpose: "for decision", Presenter: "Jo Finance", Page: 4,
		Papers: []AgendaPaper{{Title: "Budget report", Page: 5}}}}
	pdf, n, err := RenderCover(PackCover{Board: b, Meeting: m, Members: b.Members, Lines: lines})
	if err != nil || n != 2 {
		t.Fatalf("cover: %d pages, %v", n, err)
	}
	pages := pdftotextPages(t, pdf)
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(pages[1], " ")
	for _, want := range []string{"Agenda Item Page", "2 Budget 4", "For decision – Jo Finance", "Paper: Budget report 5"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the pack's agenda page lacks %q:\n%s", want, pages[1])
		}
	}
	if !strings.Contains(pages[0], "Agenda pack") {
		t.Errorf("cover heading:\n%s", pages[0])
	}
}
