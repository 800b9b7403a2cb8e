package actions

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.s.now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	refs := f.mustSync(f.m1,
		Draft{Owners: []string{"JS"}, Text: "map the hotspots", DueDate: "2026-02-01", Line: 3}, // overdue
		Draft{Owners: []string{"police"}, Text: "report on knife crime", DueNext: true, Line: 4},
		Draft{Owners: []string{"partners"}, Text: "name a lead", DueDate: "2026-05-01", Line: 5},
		Draft{Owners: []string{"olly"}, Text: "circulate the CCTV audit", DueDate: "2026-02-15", Line: 6}, // overdue
	)
	f.mustSync(f.otherMeeting, Draft{Owners: []string{"olly"}, Text: "other board's hotspots", Line: 3})
	f.s.Complete(ctx, f.byRef(refs[6]).ID, "done", 0, "")

	list := func(fl Filter) []string {
		t.Helper()
		as, total, err := f.s.List(ctx, f.board, fl)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, a := range as {
			out = append(out, a.Ref)
		}
		if fl.Limit == 0 && total != len(as) {
			t.Fatalf("total %d, listed %d", total, len(as))
		}
		return out
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("all", list(Filter{}), refs[3], refs[4], refs[5], refs[6])
	check("outstanding", list(Filter{Statuses: Outstanding}), refs[3], refs[4], refs[5])
	check("done", list(Filter{Statuses: []string{StatusDone}}), refs[6])
	check("overdue", list(Filter{Overdue: true}), refs[3])
	check("owner Jane", list(Filter{OwnerPersonID: f.jane}), refs[3])
	check("police", list(Filter{OrganisationID: f.police}), refs[4], refs[5], refs[6]) // owner, partner, officer's organisation
	check("fire", list(Filter{OrganisationID: f.fire}), refs[5])
	check("meeting", list(Filter{MeetingID: f.m2}))
	check("search", list(Filter{Query: "HOTSPOTS"}), refs[3])
	check("search ref", list(Filter{Query: refs[4]}), refs[4])
	check("search like chars", list(Filter{Query: "100%"}))
	check("due", list(Filter{Sort: "due"}), refs[3], refs[6], refs[4], refs[5])
	check("due desc", list(Filter{Sort: "due", Desc: true}), refs[5], refs[4], refs[6], refs[3])
	as, total, _ := f.s.List(ctx, f.board, Filter{Limit: 2, Offset: 2})
	if total != 4 || len(as) != 2 || as[0].Ref != refs[5] {
		t.Errorf("page 2: %d %v", total, as)
	}
	if _, _, err := f.s.List(ctx, f.board, Filter{Sort: "nonsense"}); err == nil {
		t.Error("unknown sort accepted")
	}
	if _, _, err := f.s.List(ctx, f.board, Filter{Statuses: []string{"closed"}}); err == nil {
		t.Error("unknown status accepted")
	}
	if a := f.byRef(refs[3]); !a.Overdue {
		t.Error("overdue not marked")
	}

	// Olly's actions across boards: his own on both boards (the one done is not listed),
	// and those of the police, his organisation.
	mine, err := f.s.ForPerson(ctx, f.olly)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, a := range mine {
		got = append(got, a.Ref)
	}
	check("Olly's", got, refs[4], refs[5], "OTH/25/01") // soonest due first; none due last
}

func TestDashboardAndChart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.s.now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	m0 := f.meeting(f.board, "2025-11-20T10:00:00Z")
	r0 := f.mustSync(m0,
		Draft{Owners: []string{"JS"}, Text: "a", DueNext: true, Line: 3},
		Draft{Owners: []string{"JS"}, Text: "b", DueNext: true, Line: 4})
	f.carry(m0)   // nothing: both fall due at meeting 1
	f.carry(f.m1) // both carried to meeting 2
	r1 := f.mustSync(f.m1,
		Draft{Owners: []string{"police"}, Text: "c", DueDate: "2026-02-01", Line: 3},
		Draft{Owners: []string{"KP"}, Text: "d", DueNext: true, Line: 4})
	f.s.now = func() time.Time { return time.Date(2026, 1, 25, 9, 0, 0, 0, time.UTC) }
	f.s.Complete(ctx, f.byRef(r0[4]).ID, "done", 0, "")
	f.s.now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

	d, err := f.s.Dashboard(ctx, f.board)
	if err != nil {
		t.Fatal(err)
	}
	if d.Open != 3 || d.Overdue != 1 || d.DueNextMeeting != 2 || d.NextMeetingID != f.m2 {
		t.Fatalf("counts: open %d overdue %d due next %d next %d", d.Open, d.Overdue, d.DueNextMeeting, d.NextMeetingID)
	}
	if d.ByOwner[0].Name != "Banford Police" && d.ByOwner[0].Name != "Jane Smith" {
		t.Errorf("by owner %+v", d.ByOwner)
	}
	if len(d.Oldest) != 3 || d.Oldest[0].Ref != r0[3] {
		t.Errorf("oldest %+v", d.Oldest)
	}
	_ = r1
	// Meetings held by 1 March: m0 (2 set, both open) and m1 (b done since, c and d set).
	if len(d.Series) != 2 || d.Series[0].Open != 2 || d.Series[1].Open != 4 || d.Series[1].Completed != 0 {
		t.Fatalf("series %+v", d.Series)
	}
	f.s.now = func() time.Time { return time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC) }
	d, _ = f.s.Dashboard(ctx, f.board)
	if len(d.Series) != 3 || d.Series[2].Open != 3 || d.Series[2].Completed != 1 {
		t.Fatalf("series after meeting 2: %+v", d.Series)
	}

	svg := ChartSVG("Safer <Banford>", d.Series)
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("chart is not well-formed: %v", err)
	}
	for _, want := range []string{`role="img"`, `<title id="actions-chart-title">Open and completed actions at the last meetings: Safer &lt;Banford&gt;</title>`,
		`<desc id="actions-chart-desc">`, "19 March 2026: 3 open, 1 completed"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "<script") {
		t.Error("chart has a script")
	}
	if empty := ChartSVG("", nil); !strings.Contains(empty, "No meetings have been held yet.") {
		t.Error("empty chart has no description")
	}
}
