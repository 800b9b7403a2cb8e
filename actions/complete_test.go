package actions

import (
	"context"
	"strings"
	"testing"
	"time"

	"quorum/internal/audit"
	"quorum/internal/errs"
)

// An action owned by all partners is done when every partner organisation has answered;
// the clerk may close it before.
func TestGroupOwnershipCompletion(t *testing.T) {
	f := newFixture(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: 7, Name: "Alan Brown"})
	refs := f.mustSync(f.m1,
		Draft{Owners: []string{"partners"}, Text: "each name a lead for the strategy", DueNext: true, Line: 3},
		Draft{Owners: []string{"partners"}, Text: "each confirm their budget", DueNext: true, Line: 4})
	a := f.byRef(refs[3])
	if len(a.Responses) != 3 {
		t.Fatalf("responses %+v", a.Responses)
	}
	if !CanUpdate(f.alan, f.police, false, false, a) || CanUpdate(f.anne, f.vsf, false, false, a) {
		t.Fatal("police may answer a partners' action; the forum (not a partner) may not")
	}
	// The forum was not asked.
	if _, err := f.s.Respond(ctx, a.ID, f.vsf, "n/a"); errs.Code(err) != errs.NotFound {
		t.Fatalf("answer from an organisation not asked: %v", err)
	}
	if _, err := f.s.Respond(ctx, a.ID, f.police, ""); errs.Code(err) != errs.Invalid {
		t.Fatalf("an empty answer: %v", err)
	}
	for i, org := range []int64{f.police, f.council, f.fire} {
		done, err := f.s.Respond(ctx, a.ID, org, "Lead named")
		if err != nil {
			t.Fatal(err)
		}
		want := i == 2
		if done != want {
			t.Fatalf("after %d answers done = %v", i+1, done)
		}
		if got := f.byRef(refs[3]).Status; !want && got != StatusInProgress {
			t.Fatalf("after %d answers status %s", i+1, got)
		}
	}
	if a = f.byRef(refs[3]); a.Status != StatusDone || a.Responses[0].AnsweredBy != "Alan Brown" {
		t.Fatalf("after every answer: %+v", a)
	}
	// The dashboard counts the organisations still to answer the other action.
	d, err := f.s.Dashboard(ctx, f.board)
	if err != nil {
		t.Fatal(err)
	}
	if d.Open != 1 || len(d.ByOrganisation) != 3 || d.ByOwner[0].Name != "All partners" {
		t.Fatalf("dashboard %+v", d)
	}
	// The clerk closes the second one with answers missing.
	b := f.byRef(refs[4])
	if _, err := f.s.Respond(ctx, b.ID, f.police, "Budget confirmed"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Complete(ctx, b.ID, "Closed by the clerk: the remaining partners reported verbally", 0, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Respond(ctx, b.ID, f.fire, "late"); errs.Code(err) != errs.Conflict {
		t.Fatalf("answer after closing: %v", err)
	}
}

func TestCompleteIdempotentAndDrop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refs := f.mustSync(f.m1, Draft{Owners: []string{"JS"}, Text: "disseminate the plan", DueNext: true, Line: 3},
		Draft{Owners: []string{"KP"}, Text: "visit the site", DueNext: true, Line: 4})
	a := f.byRef(refs[3])
	wantCode(t, f.s.Complete(ctx, a.ID, "", 0, "r1"), errs.Invalid)
	doc, err := f.s.AddDocument(ctx, "plan.pdf", "application/pdf", []byte("%PDF-1.4 plan"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Complete(ctx, a.ID, "", doc, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Complete(ctx, a.ID, "", doc, "r1"); err != nil {
		t.Fatalf("the same request again: %v", err)
	}
	err = f.s.Complete(ctx, a.ID, "again", 0, "r2")
	wantCode(t, err, errs.Conflict)
	if !strings.Contains(errs.Message(err), "is already done") {
		t.Fatalf("message %q", errs.Message(err))
	}
	circulated, err := f.s.Circulated(ctx, f.board, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(circulated) != 1 || circulated[0].CompletionDocumentID != doc {
		t.Fatalf("circulated %+v %v", circulated, err)
	}
	d, err := f.s.Document(ctx, doc)
	if err != nil || d.Size != 13 || len(d.SHA256) != 64 {
		t.Fatalf("document %+v %v", d, err)
	}

	b := f.byRef(refs[4])
	wantCode(t, f.s.Drop(ctx, b.ID, " "), errs.Invalid)
	if err := f.s.Drop(ctx, b.ID, "overtaken by the new strategy"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.s.Complete(ctx, b.ID, "done", 0, ""), errs.Conflict)
	if err := f.s.Reopen(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if b = f.byRef(refs[4]); b.Status != StatusOpen || b.DroppedReason != "" {
		t.Fatalf("reopened: %+v", b)
	}
	u, err := f.s.AddUpdate(ctx, b.ID, "Visit booked for March")
	if err != nil || u.ID == 0 {
		t.Fatal(err)
	}
	if b = f.byRef(refs[4]); b.Status != StatusInProgress || b.LatestUpdate == nil || b.LatestUpdate.Text != "Visit booked for March" {
		t.Fatalf("after an update: %+v", b)
	}
	wantCode(t, f.s.Complete(ctx, 9999, "x", 0, ""), errs.NotFound)
}
