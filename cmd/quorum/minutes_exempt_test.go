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
// next meeting's public pack; members read it all.
func TestExemptItemsLeftOutOfPublicMinutes(t *testing.T) {
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
	text := strings.Replace(string(draft), private, private+secret+"\n\nRESOLVED that the contract be awarded to Quillfeather Services.\n\n", 1)
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

	// The next meeting's pack carries these minutes: the public one without the discussion.
	clerk := s.signedIn(t, "clerk@northvale.example")
	wantCode(t, "publish the pack", clerk.post(fmt.Sprintf("/meetings/%d/pack/publish", d.next.ID), nil), 303)
	pack := pdfText(t, []byte(public.get(fmt.Sprintf("/meetings/%d/pack.pdf", d.next.ID)).body))
	if !strings.Contains(pack, "HELPLINE CONTRACT AWARD") || !strings.Contains(pack, "considered in private") || strings.Contains(pack, "Quillfeather") {
		t.Errorf("the public pack's minutes do not keep to the exempt item's heading:\n%s", pack)
	}
}
