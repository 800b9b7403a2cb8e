package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"quorum/meetings"
	"quorum/minutes"
)

// textareaRe finds the minutes text box of the edit page.
var textareaRe = regexp.MustCompile(`(?s)<textarea[^>]*id="text"[^>]*>(.*?)</textarea>`)

func nscp(t *testing.T, s *testServer) (*meetings.Board, []meetings.Meeting) {
	t.Helper()
	ctx := context.Background()
	b, err := s.app.meetings.BoardByShortName(ctx, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := s.app.meetings.AllMeetings(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b, ms
}

func wantStatus(t *testing.T, what string, res response, status int) {
	t.Helper()
	if res.StatusCode != status {
		body := res.body
		if len(body) > 3000 {
			body = body[:3000]
		}
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, status, body)
	}
}

// TestMinutesClerkJourney follows the clerk from the pre-filled draft to approved minutes
// that can no longer change, with the chair's step in between.
func TestMinutesClerkJourney(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	b, ms := nscp(t, s)
	start := time.Now().AddDate(0, 0, -5).Truncate(time.Hour)
	m := &meetings.Meeting{BoardID: b.ID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Mode: meetings.ModeHybrid, Place: "Committee Room 2"}
	if err := s.app.meetings.ScheduleMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	var next meetings.Meeting
	for _, x := range ms {
		if x.StartsAt.After(start) {
			next = x
			break
		}
	}
	clerk := s.signedIn(t, "clerk@northvale.example")
	base := fmt.Sprintf("/meetings/%d/minutes", m.ID)

	res := clerk.get(base + "/edit")
	wantStatus(t, "edit page", res, http.StatusOK)
	ta := textareaRe.FindStringSubmatch(res.body)
	if ta == nil {
		t.Fatalf("no text box on the edit page:\n%s", res.body)
	}
	draft := html.UnescapeString(ta[1])
	for _, want := range []string{"board: \"Northvale Safer Communities Partnership\"", "## 4. Minutes of the last meeting and matters arising",
		"## 5. Violence Reduction Action Plan: verbal update", "- **NSCP/", "Update: ", "The meeting ended at …"} {
		if !strings.Contains(draft, want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
	if !strings.Contains(res.body, `src="/static/js/minutes.js"`) {
		t.Errorf("edit page does not load minutes.js")
	}

	heading := "## 5. Violence Reduction Action Plan: verbal update\n\n"
	text := strings.Replace(draft, heading, heading+`The Vice-Chair gave a verbal update on the plan.

RESOLVED that the update be noted.

ACTION @HA: circulate the plan's first quarter report to the Board (by next meeting)
- ACTION @PN, @police: agree the summer patrol plan by 30 June 2099

`, 1)
	res = clerk.post(base, url.Values{"text": {text}})
	wantStatus(t, "save", res, http.StatusSeeOther)
	res = clerk.get(base)
	wantStatus(t, "minutes page", res, http.StatusOK)
	refRe := regexp.MustCompile(`ACTION (NSCP/\d\d/\d+) @HA: circulate`)
	if !refRe.MatchString(res.body) || !regexp.MustCompile(`ACTION NSCP/\d\d/\d+ @PN, @police: agree`).MatchString(res.body) {
		t.Fatalf("references not visible on the minutes page:\n%s", res.body)
	}
	if !strings.Contains(res.body, "Action: @HA") || !strings.Contains(res.body, "quorum-resolution") {
		t.Errorf("owner badge or resolution box missing")
	}
	saved, err := s.app.minutes.Minutes(ctx, m.ID)
	if err != nil || saved.Status != minutes.StatusDraft {
		t.Fatalf("saved minutes: %+v, %v", saved, err)
	}

	// The chair sees nothing to do until the draft is sent.
	chair := s.signedIn(t, "chair@northvale.example")
	wantStatus(t, "chair circulates a draft not sent", chair.post(base+"/circulate", nil), http.StatusConflict)
	wantStatus(t, "send to chair", clerk.post(base+"/send-to-chair", nil), http.StatusSeeOther)
	res = chair.get(base)
	wantStatus(t, "chair reads", res, http.StatusOK)
	if !strings.Contains(res.body, "Approve for circulation") {
		t.Errorf("the chair is not offered approval for circulation")
	}
	member := s.signedIn(t, "priya.natarajan@northvale.example")
	wantStatus(t, "a member circulates", member.post(base+"/circulate", nil), http.StatusForbidden)
	wantStatus(t, "chair circulates", chair.post(base+"/circulate", nil), http.StatusSeeOther)
	res = member.get(base)
	if !regexp.MustCompile(`ACTION NSCP/\d\d/\d+ @HA`).MatchString(res.body) {
		t.Errorf("a member cannot read the circulated draft")
	}

	// Versions and the diff between them.
	clerk.post(base, url.Values{"text": {strings.Replace(saved.Text, "gave a verbal update", "gave a short verbal update", 1)}})
	res = clerk.get(base + "/diff?from=1&to=2")
	wantStatus(t, "diff", res, http.StatusOK)
	if !strings.Contains(res.body, "Removed: </span>The Vice-Chair gave a verbal update") || !strings.Contains(res.body, "Added: </span>The Vice-Chair gave a short verbal update") {
		t.Errorf("diff does not show the change:\n%s", res.body)
	}

	// Approval at the next meeting.
	res = clerk.post(base+"/approve", url.Values{"at_meeting": {fmt.Sprint(next.ID)}})
	wantStatus(t, "approve", res, http.StatusSeeOther)
	approved, _ := s.app.minutes.Minutes(ctx, m.ID)
	if approved.Status != minutes.StatusApproved || approved.ApprovedAtMeetingID != next.ID {
		t.Fatalf("after approval: %+v", approved)
	}
	approvals, _ := s.app.minutes.Approvals(ctx, next.ID)
	if len(approvals) == 0 || !strings.Contains(approvals[len(approvals)-1].Text, start.In(meetings.London).Format("2 January 2006")) {
		t.Errorf("no approval resolution on the approving meeting: %+v", approvals)
	}

	// From now on, nothing changes them.
	wantStatus(t, "edit approved", clerk.get(base+"/edit"), http.StatusConflict)
	wantStatus(t, "save approved", clerk.post(base, url.Values{"text": {approved.Text + "\nMore.\n"}}), http.StatusConflict)
	u, err := s.app.users.UserByEmail(ctx, "clerk@northvale.example")
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.app.users.CreateToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, clerk.base+"/api/v1"+base, strings.NewReader(approved.Text+"\nMore.\n"))
	req.Header.Set("Content-Type", "text/markdown")
	req.Header.Set("Authorization", "Bearer "+token)
	res = s.client().do(req)
	wantStatus(t, "PUT approved minutes", res, http.StatusConflict)
	if !strings.Contains(res.body, `"ECONFLICT"`) {
		t.Errorf("PUT answer: %s", res.body)
	}
	after, _ := s.app.minutes.Minutes(ctx, m.ID)
	if after.Text != approved.Text {
		t.Errorf("approved minutes changed")
	}
	// The public reads approved minutes of a public board; the PDF and markdown come too.
	anon := s.client()
	anon.t = t
	wantStatus(t, "public reads approved minutes", anon.get(base), http.StatusOK)
	res = anon.get(base + ".pdf")
	wantStatus(t, "PDF", res, http.StatusOK)
	if !strings.HasPrefix(res.body, "%PDF-") {
		t.Errorf("minutes.pdf is not a PDF")
	}
	res = anon.get("/api/v1" + base)
	wantStatus(t, "API GET", res, http.StatusOK)
	if res.Header.Get("X-Minutes-Status") != "approved" {
		t.Errorf("API GET status header %q", res.Header.Get("X-Minutes-Status"))
	}
}

// TestMinutesBadInput sends what should be refused, each with a clear 4xx and nothing saved.
func TestMinutesBadInput(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	_, ms := nscp(t, s)
	var m meetings.Meeting
	for _, x := range ms {
		if x.StartsAt.Before(time.Now()) {
			m = x
		}
	}
	before, err := s.app.minutes.Minutes(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	clerk := s.signedIn(t, "clerk@northvale.example")
	base := fmt.Sprintf("/meetings/%d/minutes", m.ID)

	unknown := strings.Replace(before.Text, "## 8. Any other business {#26}\n\n", "## 8. Any other business {#26}\n\nACTION @XY: do something (by next meeting)\n", 1)
	if unknown == before.Text {
		t.Fatalf("fixture text changed: cannot find item 8 in\n%s", before.Text)
	}
	line := 0
	for i, l := range strings.Split(unknown, "\n") {
		if strings.Contains(l, "@XY") {
			line = i + 1
		}
	}
	res := clerk.post(base, url.Values{"text": {unknown}})
	wantStatus(t, "unknown owner", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, fmt.Sprintf("Line %d: ", line)) || !strings.Contains(res.body, "@XY") || !strings.Contains(res.body, "govuk-error-summary") {
		t.Errorf("the error does not name line %d and @XY:\n%s", line, res.body)
	}
	if !strings.Contains(res.body, "ACTION @XY: do something") {
		t.Errorf("the text sent is not kept in the text box")
	}

	big := strings.Repeat("a", 2<<20+10)
	wantStatus(t, "2 MB", clerk.post(base, url.Values{"text": {big}}), http.StatusUnprocessableEntity)
	res = clerk.post(base, url.Values{"text": {"## 1. Welcome\n\x00\xff\xfe binary"}})
	wantStatus(t, "binary", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "UTF-8") {
		t.Errorf("binary: no clear message")
	}
	u, _ := s.app.users.UserByEmail(ctx, "clerk@northvale.example")
	token, _ := s.app.users.CreateToken(ctx, u.ID)
	req, _ := http.NewRequest(http.MethodPut, clerk.base+"/api/v1"+base, strings.NewReader(unknown))
	req.Header.Set("Authorization", "Bearer "+token)
	res = s.client().do(req)
	wantStatus(t, "PUT unknown owner", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, fmt.Sprintf(`"line":%d`, line)) {
		t.Errorf("PUT 422 does not name the line: %s", res.body)
	}
	after, _ := s.app.minutes.Minutes(ctx, m.ID)
	if after.Version != before.Version || after.Text != before.Text {
		t.Errorf("a refused save changed the minutes (version %d -> %d)", before.Version, after.Version)
	}

	// A clerk's <script> is kept as text and shown as text.
	scripted := strings.Replace(before.Text, "There was no other business.", "There was no other business. <script>alert('x')</script>", 1)
	wantStatus(t, "save with script", clerk.post(base, url.Values{"text": {scripted}}), http.StatusSeeOther)
	res = clerk.get(base)
	if strings.Contains(res.body, "<script>alert") || !strings.Contains(res.body, "&lt;script&gt;alert(") {
		t.Errorf("<script> not shown as text")
	}
	res = clerk.post(base+"/preview", url.Values{"text": {"## 1. A\n\n<script>alert(1)</script>\n\nACTION @XY: x\n"}})
	wantStatus(t, "preview", res, http.StatusOK)
	if strings.Contains(res.body, "<script>") || !strings.Contains(res.body, "Line 5: ") {
		t.Errorf("preview: %s", res.body)
	}
}

func TestMinutesHelpAndAutosave(t *testing.T) {
	s := newTestServer(t)
	res := s.client().get("/help/minutes")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "RESOLVED that") || !strings.Contains(res.body, "@partners") {
		t.Fatalf("help page: %d", res.StatusCode)
	}
	_, ms := nscp(t, s)
	var m meetings.Meeting
	for _, x := range ms {
		if x.StartsAt.Before(time.Now()) {
			m = x
		}
	}
	clerk := s.signedIn(t, "clerk@northvale.example")
	base := fmt.Sprintf("/meetings/%d/minutes", m.ID)
	wantStatus(t, "autosave", clerk.post(base+"/autosave", url.Values{"text": {"## 1. Half written\n\nACTION @HA: not yet an action\n"}}), http.StatusNoContent)
	res = clerk.get(base + "/edit")
	if !strings.Contains(res.body, "Continue from the autosaved text") {
		t.Errorf("edit page does not offer the autosaved text")
	}
	res = clerk.get(base + "/edit?autosave=1")
	if !strings.Contains(res.body, "## 1. Half written") {
		t.Errorf("edit page does not load the autosaved text")
	}
	res = clerk.get(base + ".md")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".md") || strings.Contains(res.body, "Half written") {
		t.Errorf("markdown download: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
}
