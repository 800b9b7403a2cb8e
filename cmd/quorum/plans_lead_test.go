package main

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"quorum/actions"
	"quorum/internal/audit"
)

// A plan action's lead who does not sit on a private board still reaches their own
// action, and may update it; someone else from outside the board is not told it exists.
func TestPlanLeadOutsideThePrivateBoard(t *testing.T) {
	s := newTestServer(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "test"})
	group, err := s.app.meetings.BoardByShortName(ctx, "SVDG")
	if err != nil {
		t.Fatal(err)
	}
	p := &actions.Plan{BoardID: group.ID, Title: "Delivery plan", StartYear: 2025, EndYear: 2026}
	if err := s.app.actions.CreatePlan(ctx, p, "vrap"); err != nil {
		t.Fatal(err)
	}
	full, _ := s.app.actions.Plan(ctx, p.ID)
	chair, err := s.app.meetings.PersonByEmail(ctx, "chair@northvale.example") // not on the delivery group
	if err != nil {
		t.Fatal(err)
	}
	a := full.Themes[0].Actions[0]
	a.LeadPersonID = chair.ID
	if err := s.app.actions.UpdatePlanAction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/plan-actions/%d", a.ID)

	lead := s.signedIn(t, "chair@northvale.example")
	if res := lead.get(path); res.StatusCode != 200 {
		t.Fatalf("the lead's own plan action: %d", res.StatusCode)
	}
	res := lead.post(path, url.Values{"progress": {"Workshops booked with every secondary school."}, "rag": {"green"}})
	if res.StatusCode != 303 {
		t.Fatalf("the lead's update: %d %s", res.StatusCode, res.body)
	}
	other := full.Themes[0].Actions[1]
	if res := lead.get(fmt.Sprintf("/plan-actions/%d", other.ID)); res.StatusCode != 404 {
		t.Errorf("another action of the private plan: %d, want 404", res.StatusCode)
	}
}
