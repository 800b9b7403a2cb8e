package main

import (
	"context"
	"testing"

	"quorum/meetings"
)

// meetingsAccessIDs finds, on a board, an id of each kind the meetings routes resolve:
// an agenda item, a paper and a forward-plan item (the demo gives the delivery group one
// of each).
func meetingsAccessIDs(t *testing.T, st *meetings.Store, boardID int64) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	ms, err := st.AllMeetings(ctx, boardID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		full, err := st.Meeting(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range full.Items {
			if ids["item"] == 0 {
				ids["item"] = it.ID
			}
			for _, p := range it.Papers {
				if ids["paper"] == 0 {
					ids["paper"] = p.ID
				}
			}
		}
	}
	plan, err := st.ForwardPlan(ctx, boardID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) > 0 {
		ids["forward"] = plan[0].ID
	}
	for _, k := range []string{"item", "paper", "forward"} {
		if ids[k] == 0 {
			t.Fatalf("the demo gives board %d no %s", boardID, k)
		}
	}
	return ids
}
