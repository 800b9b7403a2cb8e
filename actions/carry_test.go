package actions

import (
	"context"
	"testing"
)

// An action due at meeting 1 and not done appears at meeting 2 carried once and at meeting
// 3 carried twice; one done at meeting 2 is gone by meeting 3; saving minutes twice counts
// once.
func TestCarryForwardThreeMeetings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m0 := f.meeting(f.board, "2025-11-20T10:00:00Z")
	refs := f.mustSync(m0,
		Draft{Owners: []string{"JS"}, Text: "map the hotspots", DueNext: true, Line: 3},       // due at m1
		Draft{Owners: []string{"KP"}, Text: "audit the CCTV", DueDate: "2026-01-10", Line: 4}, // due before m1
		Draft{Owners: []string{"police"}, Text: "report in March", DueMeetingID: f.m2, Line: 5},
	)
	hot, cctv, march := refs[3], refs[4], refs[5]

	at := func(meeting int64) map[string]Action {
		t.Helper()
		as, err := f.s.OpenForMeeting(ctx, meeting)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Action{}
		for _, a := range as {
			out[a.Ref] = a
		}
		return out
	}
	open1 := at(f.m1)
	if len(open1) != 3 || !open1[hot].DueAtMeeting || !open1[cctv].DueAtMeeting || open1[march].DueAtMeeting {
		t.Fatalf("open at meeting 1: %+v", open1)
	}
	if as, _ := f.s.OpenForMeeting(ctx, f.m1); as[2].Ref != march {
		t.Fatalf("actions due at the meeting come first: %s, %s, %s", as[0].Ref, as[1].Ref, as[2].Ref)
	}

	// Meeting 1's minutes are saved (twice): the two due there go on to meeting 2.
	if n := f.carry(f.m1); n != 2 {
		t.Fatalf("carried %d at meeting 1, want 2", n)
	}
	if n := f.carry(f.m1); n != 0 {
		t.Fatalf("saving meeting 1's minutes again carried %d", n)
	}
	open2 := at(f.m2)
	if a := open2[hot]; a.CarriedForward != 1 || a.Due.MeetingID != f.m2 || !a.DueAtMeeting {
		t.Fatalf("at meeting 2: %+v", a)
	}
	if a := open2[cctv]; a.CarriedForward != 1 {
		t.Fatalf("at meeting 2: %+v", a)
	}

	// At meeting 2 the CCTV audit is done; the hotspots and the March report are not.
	if err := f.s.Complete(ctx, open2[cctv].ID, "Audit reported to the board", 0, ""); err != nil {
		t.Fatal(err)
	}
	if n := f.carry(f.m2); n != 2 {
		t.Fatalf("carried %d at meeting 2, want 2", n)
	}
	f.carry(f.m2)
	open3 := at(f.m3)
	if _, ok := open3[cctv]; ok {
		t.Fatal("the action done at meeting 2 is still listed at meeting 3")
	}
	if a := open3[hot]; a.CarriedForward != 2 || a.Due.MeetingID != f.m3 {
		t.Fatalf("at meeting 3: %+v", a)
	}
	if a := open3[march]; a.CarriedForward != 1 {
		t.Fatalf("at meeting 3: %+v", a)
	}
	// Saving meeting 1's minutes once more, late, changes nothing.
	if n := f.carry(f.m1); n != 0 {
		t.Fatalf("late re-save of meeting 1 carried %d", n)
	}
	// Saving the source minutes again does not undo the carry forward.
	f.mustSync(m0,
		Draft{Ref: hot, Owners: []string{"JS"}, Text: "map the hotspots", DueNext: true, Line: 3},
		Draft{Ref: cctv, Owners: []string{"KP"}, Text: "audit the CCTV", DueDate: "2026-01-10", Line: 4},
		Draft{Ref: march, Owners: []string{"police"}, Text: "report in March", DueMeetingID: f.m2, Line: 5})
	if a := f.byRef(hot); a.Due.MeetingID != f.m3 || a.CarriedForward != 2 {
		t.Fatalf("re-saving the source minutes undid carry forward: %+v", a.Due)
	}

	history, err := f.s.History(ctx, f.byRef(hot).ID)
	if err != nil || len(history) != 3 || history[0].Kind != "set" || history[1].MeetingID != f.m1 || history[2].ToMeetingID != f.m3 {
		t.Fatalf("history %+v, %v", history, err)
	}

	// Meeting 3 has no next meeting: the action waits for "the next meeting".
	if n := f.carry(f.m3); n != 2 {
		t.Fatalf("carried %d at meeting 3, want 2", n)
	}
	if a := f.byRef(hot); !a.Due.Next || a.CarriedForward != 3 {
		t.Fatalf("after meeting 3: %+v", a)
	}
	m4 := f.meeting(f.board, "2026-07-16T09:00:00Z")
	if a := at(m4)[hot]; !a.DueAtMeeting {
		t.Fatalf("at the newly scheduled meeting 4, the action is due: %+v", a)
	}
	if n := f.carry(m4); n != 2 {
		t.Fatalf("carried %d at meeting 4, want 2", n)
	}
	if n := f.carry(m4); n != 0 {
		t.Fatalf("carried %d again at meeting 4", n)
	}
}
