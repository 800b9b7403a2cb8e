package main

import (
	"context"
	"fmt"
	"time"

	"quorum/actions"
	"quorum/meetings"
)

// demoActions adds what the demo minutes leave out of the action log: actions agreed
// outside a meeting (one to be done by circulating a document, the officer's-link journey's
// subject), one dropped, the partners' answers to the group action the first minutes set,
// and on the delivery group a document already circulated.
func demoActions(ctx context.Context, a *app, board, group *meetings.Board) error {
	acts := a.actions
	resolve := func(boardID int64, owners ...string) ([]actions.Owner, error) {
		return acts.ResolveOwners(ctx, a.db, boardID, owners)
	}
	day := func(days int) string { return time.Now().In(meetings.London).AddDate(0, 0, days).Format("2006-01-02") }

	gl, err := resolve(board.ID, "@GL")
	if err != nil {
		return err
	}
	plan := &actions.Action{BoardID: board.ID, Owners: gl, Due: actions.Due{Date: day(14)},
		Text: "Circulate the Youth Justice Plan 2026–27 to the Partnership, as agreed by email with the Chair"}
	if err := acts.Create(ctx, plan); err != nil {
		return fmt.Errorf("demo actions: %w", err)
	}

	police, err := resolve(board.ID, "@police")
	if err != nil {
		return err
	}
	cctv := &actions.Action{BoardID: board.ID, Owners: police, Due: actions.Due{Date: day(-20)},
		Text: "Report on the town centre CCTV upgrade to the Partnership"}
	if err := acts.Create(ctx, cctv); err != nil {
		return err
	}
	if err := acts.Drop(ctx, cctv.ID, "The upgrade moved to the Council’s capital programme, which reports to Cabinet."); err != nil {
		return err
	}

	// The partners' answers to "nominate a lead officer": all but health have answered.
	found, _, err := acts.List(ctx, board.ID, actions.Filter{Query: "nominate a lead officer"})
	if err != nil {
		return err
	}
	for _, g := range found {
		for _, r := range g.Responses {
			if r.Status != actions.ResponsePending || r.OrganisationName == "Northvale Integrated Care Board" {
				continue
			}
			if _, err := acts.Respond(ctx, g.ID, r.OrganisationID, "Lead officer nominated and introduced to the Community Safety Manager."); err != nil {
				return err
			}
		}
	}

	// The delivery group: an evaluation circulated by Priya Natarajan.
	pn, err := resolve(group.ID, "@PN")
	if err != nil {
		return err
	}
	eval := &actions.Action{BoardID: group.ID, Owners: pn, Due: actions.Due{Date: day(-3)}, Dissemination: true,
		Text: "Circulate the evaluation of the summer’s joint town centre patrols to the group"}
	if err := acts.Create(ctx, eval); err != nil {
		return err
	}
	doc, err := acts.AddDocument(ctx, "patrol-evaluation.pdf", "application/pdf", demoPDF("Joint town centre patrols: evaluation"))
	if err != nil {
		return err
	}
	return acts.Complete(ctx, eval.ID, "Sent to the group with a summary of the figures.", doc, "")
}

// demoPDF is a one-page PDF with a title, small enough to write by hand.
func demoPDF(title string) []byte {
	content := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", title)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	out := []byte("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = len(out)
		out = fmt.Appendf(out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := len(out)
	out = fmt.Appendf(out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		out = fmt.Appendf(out, "%010d 00000 n \n", off)
	}
	return fmt.Appendf(out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
}
