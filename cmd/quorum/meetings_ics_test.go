package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quorum/meetings"
)

// icsEvents unfolds a calendar and returns its events, each as its properties (name to
// value as written), after checking the lines are CRLF-ended and at most 75 octets.
// meetings/ics_test.go parses the feed fully; here it is enough to find the events.
func icsEvents(t *testing.T, body string) []map[string]string {
	t.Helper()
	if !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Fatalf("not a calendar:\n%.500s", body)
	}
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(l) > 75 || strings.ContainsAny(l, "\r\n") {
			t.Errorf("bad line: %q", l)
		}
	}
	var out []map[string]string
	var ev map[string]string
	for _, l := range strings.Split(strings.ReplaceAll(body, "\r\n ", ""), "\r\n") {
		name, value, _ := strings.Cut(l, ":")
		name, _, _ = strings.Cut(name, ";")
		switch {
		case l == "BEGIN:VEVENT":
			ev = map[string]string{}
		case l == "END:VEVENT":
			out = append(out, ev)
			ev = nil
		case ev != nil:
			ev[name] = value
		}
	}
	return out
}

func eventFor(events []map[string]string, meetingID int64) map[string]string {
	for _, e := range events {
		if e["UID"] == fmt.Sprintf("meeting-%d@quorum", meetingID) {
			return e
		}
	}
	return nil
}

func TestBoardCalendarFeed(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	feed := fmt.Sprintf("/boards/%d/meetings.ics", d.board.ID)

	// The partnership is public: anyone may subscribe.
	anon := s.client()
	anon.t = t
	res := anon.get(feed)
	wantCode(t, "public feed", res, 200)
	if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	events := icsEvents(t, res.body)
	next := eventFor(events, d.next.ID)
	if next == nil || next["STATUS"] != "CONFIRMED" || next["SEQUENCE"] != "0" ||
		next["DTSTART"] != d.next.StartsAt.UTC().Format("20060102T150405Z") || next["URL"] != s.URL+fmt.Sprintf("/meetings/%d", d.next.ID) {
		t.Fatalf("next meeting event: %v", next)
	}

	// Polled again unchanged, the feed answers 304 to its ETag.
	etag := res.Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, s.URL+feed, nil)
	req.Header.Set("If-None-Match", etag)
	if res := anon.do(req); res.StatusCode != http.StatusNotModified || res.body != "" {
		t.Errorf("unchanged feed: HTTP %d, %d bytes", res.StatusCode, len(res.body))
	}

	// The clerk moves the meeting, then cancels the one after: the feed says so.
	clerk := s.signedIn(t, "clerk@northvale.example")
	to := d.next.StartsAt.AddDate(0, 0, 1).In(meetings.London)
	wantCode(t, "move", clerk.post(fmt.Sprintf("/meetings/%d/move", d.next.ID), url.Values{"date": {to.Format("2006-01-02")},
		"time": {to.Format("15:04")}, "mode": {d.next.Mode}, "place": {"Council Chamber"}, "notice": {"Moved a day, for the budget meeting."}}), 303)
	wantCode(t, "cancel", clerk.post(fmt.Sprintf("/meetings/%d/cancel", d.after.ID), url.Values{"cancel_notice": {"Cancelled: no business."}}), 303)
	res = anon.get(feed)
	if res.Header.Get("ETag") == etag {
		t.Error("the ETag did not change with the feed")
	}
	events = icsEvents(t, res.body)
	next = eventFor(events, d.next.ID)
	if next["DTSTART"] != to.UTC().Format("20060102T150405Z") || next["SEQUENCE"] != "1" || next["LOCATION"] != "Council Chamber" ||
		!strings.Contains(next["DESCRIPTION"], `Moved a day\, for the budget meeting.`) {
		t.Errorf("moved meeting event: %v", next)
	}
	if after := eventFor(events, d.after.ID); after["STATUS"] != "CANCELLED" || after["SEQUENCE"] != "1" {
		t.Errorf("cancelled meeting event: %v", after)
	}

	// A board that does not publish keeps its feed to its members.
	group, err := s.app.meetings.BoardByShortName(context.Background(), "SVDG")
	if err != nil {
		t.Fatal(err)
	}
	private := fmt.Sprintf("/boards/%d/meetings.ics", group.ID)
	if res := anon.get(private); res.StatusCode == 200 {
		t.Errorf("a private board's feed to the public: HTTP %d", res.StatusCode)
	}
	res = s.signedIn(t, "priya.natarajan@northvale.example").get(private)
	wantCode(t, "private feed to a member", res, 200)
	if len(icsEvents(t, res.body)) == 0 {
		t.Error("the delivery group's feed is empty")
	}
}

func TestMyCalendarFeed(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	anon := s.client()
	anon.t = t
	if res := anon.get("/my/meetings.ics"); res.StatusCode == 200 {
		t.Errorf("my feed without signing in: HTTP %d", res.StatusCode)
	}
	c := s.signedIn(t, "priya.natarajan@northvale.example")
	res := c.get("/my/meetings.ics")
	wantCode(t, "my feed", res, 200)
	events := icsEvents(t, res.body)
	if eventFor(events, d.next.ID) == nil || eventFor(events, d.after.ID) == nil {
		t.Errorf("my feed lacks the partnership's next meetings: %d events", len(events))
	}
	boards := map[string]bool{}
	for _, e := range events {
		boards[e["SUMMARY"]] = true
	}
	if len(boards) < 2 {
		t.Errorf("my feed covers %v, want both boards Priya sits on", boards)
	}
	// With a token too, as a calendar app that cannot sign in would fetch it.
	u, _ := s.app.users.UserByEmail(context.Background(), "priya.natarajan@northvale.example")
	token, _ := s.app.users.CreateToken(context.Background(), u.ID)
	if res := s.client().json(http.MethodGet, "/my/meetings.ics", token, ""); res.StatusCode != 200 || len(icsEvents(t, res.body)) != len(events) {
		t.Errorf("my feed with a token: HTTP %d", res.StatusCode)
	}
}
