package actions

import (
	"context"
	"strings"
	"testing"
	"time"

	"quorum/internal/errs"
)

func TestSyncFromMinutes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refs := f.mustSync(f.m1,
		Draft{Owners: []string{"JS"}, Text: "disseminate a copy of the plan to the Board", DueNext: true, Line: 12, ItemNumber: "7a", Minute: "47"},
		Draft{Owners: []string{"police", "KP"}, Text: "report on knife crime", DueDate: "2026-02-28", Line: 20},
		Draft{Owners: []string{"partners"}, Text: "each send a named lead", Line: 25},
	)
	// January 2026 is in the municipal year that began in May 2025.
	want := map[int]string{12: "SBP/25/01", 20: "SBP/25/02", 25: "SBP/25/03"}
	for l, r := range want {
		if refs[l] != r {
			t.Fatalf("refs = %v, want %v", refs, want)
		}
	}
	a := f.byRef("SBP/25/01")
	if a.Due.MeetingID != f.m2 || !a.Dissemination || a.MinuteNumber != "47" || a.OwnerLabels() != "@JS" {
		t.Fatalf("first action: %+v", a)
	}
	b := f.byRef("SBP/25/02")
	if b.Due.Date != "2026-02-28" || len(b.Owners) != 2 || b.Owners[0].OrganisationID != f.police {
		t.Fatalf("second action: %+v", b)
	}
	c := f.byRef("SBP/25/03")
	if len(c.Responses) != 3 {
		t.Fatalf("group action has %d responses, want 3", len(c.Responses))
	}

	// Saving again with a changed text and owner updates by reference, makes no duplicate,
	// and deletes the line that went.
	refs = f.mustSync(f.m1,
		Draft{Ref: "SBP/25/01", Owners: []string{"KP"}, Text: "disseminate the revised plan to the Board", DueNext: true, Line: 12},
		Draft{Ref: "sbp/25/02", Owners: []string{"police", "KP"}, Text: "report on knife crime", DueDate: "2026-02-28", Line: 21},
		Draft{Owners: []string{"chair"}, Text: "write to the minister", Line: 30},
	)
	if refs[12] != "SBP/25/01" || refs[21] != "SBP/25/02" || refs[30] != "SBP/25/04" {
		t.Fatalf("refs after edit = %v", refs)
	}
	a = f.byRef("SBP/25/01")
	if a.Text != "disseminate the revised plan to the Board" || a.Owners[0].PersonID != f.karen {
		t.Fatalf("not updated: %+v", a)
	}
	if _, err := f.s.ActionByRef(ctx, "SBP/25/03"); errs.Code(err) != errs.NotFound {
		t.Fatalf("removed line's action still there: %v", err)
	}
	var n int
	f.db.QueryRow(`SELECT count(*) FROM actions`).Scan(&n)
	if n != 3 {
		t.Fatalf("%d actions, want 3", n)
	}
	var events int
	f.db.QueryRow(`SELECT count(*) FROM audit_events WHERE entity = 'action'`).Scan(&events)
	if events != 3+1+1+1 { // 3 created; 01 updated (02 only moved line: no event); 03 deleted; 04 created
		t.Errorf("%d audit events, want 6", events)
	}

	// Once someone has worked on an action, removing its line drops it instead.
	if _, err := f.s.AddUpdate(ctx, a.ID, "Draft plan with the chair"); err != nil {
		t.Fatal(err)
	}
	f.mustSync(f.m1, Draft{Ref: "SBP/25/02", Owners: []string{"police"}, Text: "report on knife crime", DueDate: "2026-02-28", Line: 21})
	a = f.byRef("SBP/25/01")
	if a.Status != StatusDropped || a.DroppedReason != "removed from the minutes" {
		t.Fatalf("worked-on action: %s %q", a.Status, a.DroppedReason)
	}
	// ... and putting the line back reopens it.
	f.mustSync(f.m1,
		Draft{Ref: "SBP/25/01", Owners: []string{"KP"}, Text: "disseminate the revised plan to the Board", DueNext: true, Line: 12},
		Draft{Ref: "SBP/25/02", Owners: []string{"police"}, Text: "report on knife crime", DueDate: "2026-02-28", Line: 21})
	if a = f.byRef("SBP/25/01"); a.Status != StatusInProgress && a.Status != StatusOpen {
		t.Fatalf("line put back: status %s", a.Status)
	}
	// A deleted action's reference is never given again.
	refs = f.mustSync(f.m1,
		Draft{Ref: "SBP/25/01", Owners: []string{"KP"}, Text: "disseminate the revised plan to the Board", DueNext: true, Line: 12},
		Draft{Ref: "SBP/25/02", Owners: []string{"police"}, Text: "report on knife crime", DueDate: "2026-02-28", Line: 21},
		Draft{Owners: []string{"JS"}, Text: "new one", Line: 40})
	if refs[40] != "SBP/25/05" {
		t.Fatalf("new ref %s, want SBP/25/05 (04 was deleted, not reused)", refs[40])
	}
}

func TestSyncFromMinutesErrors(t *testing.T) {
	f := newFixture(t)
	f.mustSync(f.otherMeeting, Draft{Owners: []string{"olly"}, Text: "elsewhere", Line: 3})
	f.mustSync(f.m2, Draft{Owners: []string{"JS"}, Text: "at meeting 2", Line: 3})
	tests := []struct {
		name string
		d    Draft
		want string
	}{
		{"unknown owner", Draft{Owners: []string{"XY"}, Text: "x", Line: 9}, "line 9: unknown owner @XY: not a member, organisation or group of this board"},
		{"ambiguous", Draft{Owners: []string{"AB"}, Text: "x", Line: 9}, "line 9: Owner @AB is ambiguous"},
		{"no owner", Draft{Text: "x", Line: 9}, "line 9: An action needs at least one owner"},
		{"no text", Draft{Owners: []string{"JS"}, Line: 9}, "line 9: the action has no text"},
		{"other board", Draft{Ref: "OTH/25/01", Owners: []string{"JS"}, Text: "x", Line: 9}, "line 9: reference OTH/25/01 belongs to another meeting"},
		{"other meeting", Draft{Ref: "SBP/25/01", Owners: []string{"JS"}, Text: "x", Line: 9}, "line 9: reference SBP/25/01 belongs to another meeting"},
		{"unknown ref", Draft{Ref: "SBP/25/99", Owners: []string{"JS"}, Text: "x", Line: 9}, "line 9: reference SBP/25/99 is not an action Quorum knows"},
		{"due before", Draft{Owners: []string{"JS"}, Text: "x", DueDate: "2026-01-14", Line: 9}, "line 9: the due date 14 January 2026 is before the meeting (15 January 2026)"},
		{"due meeting before", Draft{Owners: []string{"JS"}, Text: "x", DueMeetingID: 0, Line: 9}, ""},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sync(f.m1, Draft{Owners: []string{"JS"}, Text: "a good line", Line: 2}, tt.d)
			wantCode(t, err, errs.Invalid)
			if !strings.Contains(errs.Message(err), tt.want) {
				t.Fatalf("message %q, want %q", errs.Message(err), tt.want)
			}
		})
	}
	// Nothing of a refused save is kept: the good line made no action.
	var n int
	f.db.QueryRow(`SELECT count(*) FROM actions WHERE meeting_id = ?`, f.m1).Scan(&n)
	if n != 0 {
		t.Fatalf("%d actions saved from refused minutes", n)
	}
	// Due by a meeting that is not after this one.
	_, err := f.sync(f.m2, Draft{Owners: []string{"JS"}, Text: "x", DueMeetingID: f.m1, Line: 4})
	wantCode(t, err, errs.Invalid)
	// Every problem is listed, each at its line.
	problems, err := f.s.CheckDrafts(context.Background(), f.db, f.m1, []Draft{
		{Owners: []string{"XY"}, Text: "x", Line: 5}, {Owners: []string{"JS"}, Text: "fine", Line: 6}, {Owners: []string{"JS"}, Line: 7}})
	if err != nil || len(problems) != 2 || problems[0].Line != 5 || problems[1].Line != 7 {
		t.Fatalf("CheckDrafts = %+v, %v", problems, err)
	}
}

// Minutes of an earlier meeting recorded after the fact read "next meeting" from that
// meeting's date, not from today; with no later meeting scheduled, the action waits for
// one.
func TestSyncDueNextFromMeetingDate(t *testing.T) {
	f := newFixture(t)
	f.s.now = func() time.Time { return time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC) }
	refs := f.mustSync(f.m1, Draft{Owners: []string{"JS"}, Text: "x", DueNext: true, Line: 3})
	if a := f.byRef(refs[3]); a.Due.MeetingID != f.m2 {
		t.Fatalf("due %+v, want meeting 2", a.Due)
	}
	refs = f.mustSync(f.m3, Draft{Owners: []string{"JS"}, Text: "y", DueNext: true, Line: 3})
	if refs[3] != "SBP/26/01" {
		t.Fatalf("May 2026 ref %s, want SBP/26/01 (a new municipal year)", refs[3])
	}
	if a := f.byRef(refs[3]); !a.Due.Next || a.Due.MeetingID != 0 || a.Due.String() != "next meeting" {
		t.Fatalf("due %+v, want the next meeting, none yet scheduled", a.Due)
	}
}
