package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"quorum/internal/audit"
	"quorum/meetings"
)

// The record of an exempt item stays with the board: the public reads its heading and why
// it was taken in private, in the minutes page, the markdown, the PDF, the API and the
// next meeting's public pack, and none of the actions raised under it; members read it all.
func TestExemptItemsLeftOutOfPublicRecord(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "test"})
	m := &meetings.Meeting{BoardID: d.board.ID, StartsAt: time.Now().Add(-26 * time.Hour).Truncate(time.Hour)}
	if err := s.app.meetings.ScheduleMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	it := &meetings.AgendaItem{MeetingID: m.ID, Title: "Helpline contract award", Purpose: "for decision",
		Exempt: true, ExemptReason: "Schedule 12A paragraph 3"}
	if err := s.app.meetings.AddItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	draft, err := s.app.minutes.Draft(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	private := "This item was considered in private (Schedule 12A paragraph 3).\n\n"
	if !strings.Contains(string(draft), private) {
		t.Fatalf("the draft does not mark the exempt item:\n%s", draft)
	}
	secret := "The tenders of Quillfeather Services (£184,000) and Marrowby Trust were scored."
	text := strings.Replace(string(draft), private, private+secret+"\n\nRESOLVED that the contract be awarded to Quillfeather Services.\n\n"+
		"ACTION @chair: write to Quillfeather Services to confirm the award by next meeting\n\n", 1)
	if _, err := s.app.minutes.Save(ctx, m.ID, []byte(text)); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(context.Context, int64) error{s.app.minutes.SendToChair, s.app.minutes.Circulate} {
		if err := step(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.app.minutes.Approve(ctx, m.ID, d.next.ID); err != nil {
		t.Fatal(err)
	}

	base := fmt.Sprintf("/meetings/%d/minutes", m.ID)
	public, member := s.client(), s.signedIn(t, "priya.natarajan@northvale.example")
	for _, path := range []string{base, base + ".md", base + ".pdf", fmt.Sprintf("/api/v1/meetings/%d/minutes", m.ID)} {
		pub, mem := public.get(path), member.get(path)
		wantCode(t, "public "+path, pub, 200)
		wantCode(t, "member "+path, mem, 200)
		pubText, memText := pub.body, mem.body
		if strings.HasSuffix(path, ".pdf") {
			pubText, memText = pdfText(t, []byte(pub.body)), pdfText(t, []byte(mem.body))
		}
		if strings.Contains(pubText, "Quillfeather") || strings.Contains(pubText, "184,000") {
			t.Errorf("%s: the public reads the exempt item's discussion", path)
		}
		// The PDF sets headings in capitals.
		if !strings.Contains(strings.ToLower(pubText), "helpline contract award") || !strings.Contains(pubText, "considered in private") {
			t.Errorf("%s: the public is not told the item was taken in private:\n%s", path, pubText)
		}
		if !strings.Contains(memText, "Quillfeather") {
			t.Errorf("%s: a member does not read the exempt item's minutes", path)
		}
	}

	// The action raised under the exempt item: on the board's log for members; left out of
	// the log, its exports, the API and the dashboard for the public; its page not found.
	as, err := s.app.actions.OpenForMeeting(ctx, d.next.ID)
	if err != nil {
		t.Fatal(err)
	}
	var privateAction int64
	for _, a := range as {
		if strings.Contains(a.Text, "Quillfeather") {
			privateAction = a.ID
			if !a.Exempt {
				t.Errorf("the action of the exempt item is not marked exempt: %+v", a)
			}
		}
	}
	if privateAction == 0 {
		t.Fatal("the exempt item's action was not raised")
	}
	board := fmt.Sprintf("/boards/%d", d.board.ID)
	for _, path := range []string{board + "/actions", board + "/actions?status=all", board + "/actions.csv", board + "/dashboard",
		fmt.Sprintf("/api/v1/boards/%d/actions", d.board.ID), fmt.Sprintf("/api/v1/boards/%d/dashboard", d.board.ID)} {
		pub := public.get(path)
		wantCode(t, "public "+path, pub, 200)
		if strings.Contains(pub.body, "Quillfeather") {
			t.Errorf("%s: the public reads the exempt item's action", path)
		}
	}
	if !strings.Contains(member.get(board+"/actions").body, "Quillfeather") {
		t.Errorf("a member does not see the exempt item's action on the log")
	}
	for _, path := range []string{fmt.Sprintf("/actions/%d", privateAction), fmt.Sprintf("/api/v1/actions/%d", privateAction)} {
		wantCode(t, "public "+path, public.get(path), 404)
		wantCode(t, "member "+path, member.get(path), 200)
	}

	// The next meeting's pack carries these minutes: the public one without the discussion.
	clerk := s.signedIn(t, "clerk@northvale.example")
	wantCode(t, "publish the pack", clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", d.next.ID), nil), 303)
	pack := pdfText(t, []byte(public.get(fmt.Sprintf("/meetings/%d/pack.pdf", d.next.ID)).body))
	if !strings.Contains(pack, "HELPLINE CONTRACT AWARD") || !strings.Contains(pack, "considered in private") || strings.Contains(pack, "Quillfeather") {
		t.Errorf("the public pack's minutes and action log do not keep to the exempt item's heading:\n%s", pack)
	}
	res := member.get(fmt.Sprintf("/meetings/%d/pack-restricted.pdf", d.next.ID))
	wantCode(t, "restricted pack", res, 200)
	restricted := pdfText(t, []byte(res.body))
	if !strings.Contains(restricted, "Quillfeather") {
		t.Errorf("the restricted pack lacks the exempt item's minutes and action")
	}
}
