package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"quorum/meetings"
)

// demoMeetings gives the demo partnership the agenda work of issue 4: a forward plan (one
// item already on the next agenda with its paper, one offered, one for later), a paper on
// the delivery group's next meeting, a member's apologies with a substitute, a declaration
// of interest at a past meeting and registers of interests.
func demoMeetings(ctx context.Context, a *app, board, group *meetings.Board, people map[string]int64) error {
	st := a.meetings
	next, err := st.NextMeeting(ctx, board.ID, time.Now())
	if err != nil || next == nil {
		return fmt.Errorf("demo meetings: no next meeting: %v", err)
	}
	after, err := st.NextMeeting(ctx, board.ID, next.StartsAt)
	if err != nil || after == nil {
		return fmt.Errorf("demo meetings: no meeting after the next: %v", err)
	}
	plan := []*meetings.ForwardItem{
		{BoardID: board.ID, Title: "Community Safety Partnership Plan 2026–2029: consultation", Purpose: "for decision",
			Owner: "Helen Ashworth, Assistant Director", TargetMeetingID: next.ID},
		{BoardID: board.ID, Title: "Serious Violence Duty: strategic needs assessment refresh", Purpose: "for discussion",
			Owner: "Northvale Police", TargetMeetingID: next.ID},
		{BoardID: board.ID, Title: "Domestic abuse strategy: annual report", Purpose: "for noting",
			Owner: "Priya Natarajan, Community Safety Manager", TargetMeetingID: after.ID},
		{BoardID: board.ID, Title: "Night-time economy: Purple Flag accreditation", Purpose: "presentation", Owner: "Northvale Borough Council"},
	}
	for _, f := range plan {
		if err := st.AddForward(ctx, f); err != nil {
			return err
		}
	}
	item, err := st.AddOffer(ctx, next.ID, "forward", plan[0].ID, 0)
	if err != nil {
		return err
	}
	if _, err := st.AddPaper(ctx, meetings.NewPaper{ItemID: item.ID, Title: "CSP Plan 2026–2029: consultation draft",
		Filename: "csp-plan-2026-2029-consultation.pdf", By: "demo data",
		Data: demoPaper("Community Safety Partnership Plan 2026-2029", "Consultation draft for the partnership", 4)}); err != nil {
		return err
	}

	groupNext, err := st.NextMeeting(ctx, group.ID, time.Now())
	if err != nil || groupNext == nil {
		return fmt.Errorf("demo meetings: the delivery group has no next meeting: %v", err)
	}
	if err := st.AddForward(ctx, &meetings.ForwardItem{BoardID: group.ID, Title: "Knife crime: schools outreach evaluation",
		Purpose: "for discussion", Owner: "Insp Sarah Whitfield", TargetMeetingID: groupNext.ID}); err != nil {
		return err
	}
	groupItems, err := st.Items(ctx, groupNext.ID)
	if err != nil {
		return err
	}
	for _, it := range groupItems {
		if it.Kind == meetings.KindStandard && it.StandardKey == "minutes" {
			if _, err := st.AddPaper(ctx, meetings.NewPaper{ItemID: it.ID, Title: "Minutes of the last meeting (draft)",
				Filename: "svdg-minutes-draft.pdf", By: "demo data",
				Data: demoPaper("Serious Violence Delivery Group", "Draft minutes of the last meeting", 2)}); err != nil {
				return err
			}
		}
	}

	// The Borough Commander cannot come, and sends the neighbourhoods inspector.
	if err := st.SendApologies(ctx, next.ID, people["supt"], people["insp"], time.Now()); err != nil {
		return err
	}

	// Registers of interests, and the declaration the minutes of the second meeting record.
	for _, i := range []meetings.Interest{
		{PersonID: people["nva"], Kind: "pecuniary", Nature: "Chief Executive of Northvale Voluntary Action, which holds the Council’s contract for the domestic abuse helpline", StartsOn: "2021-09-01"},
		{PersonID: people["nva"], Kind: "non-pecuniary", Nature: "Trustee of Eastbrook Youth Club", StartsOn: "2019-04-01", EndsOn: "2025-03-31"},
		{PersonID: people["chair"], Kind: "non-pecuniary", Nature: "Member of the Northvale Police and Crime Panel", StartsOn: "2024-05-20"},
	} {
		if err := st.AddInterest(ctx, &i); err != nil {
			return err
		}
	}
	past, err := st.Meetings(ctx, board.ID, false, 3)
	if err != nil {
		return err
	}
	for _, m := range past {
		items, err := st.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if strings.HasPrefix(it.Title, "Domestic abuse strategy") {
				if err := st.Declare(ctx, &meetings.Declaration{MeetingID: m.ID, ItemID: it.ID, PersonID: people["nva"], Kind: "pecuniary",
					Nature: "Northvale Voluntary Action delivers the domestic abuse helpline under contract to the Council"}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoPaper draws a small report of pages pages, as a partner might send one.
func demoPaper(title, subtitle string, pages int) []byte {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, false)
	for p := 1; p <= pages; p++ {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 18)
		pdf.MultiCell(0, 9, title, "", "L", false)
		pdf.SetFont("Helvetica", "", 12)
		pdf.MultiCell(0, 7, fmt.Sprintf("%s. Page %d of %d.", subtitle, p, pages), "", "L", false)
		pdf.Ln(4)
		pdf.MultiCell(0, 6, "This is a paper of the fictional Northvale partnership, made for the Quorum demo. "+
			"It stands where a partner's report, with its recommendations and appendices, would be.", "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil
	}
	return buf.Bytes()
}
