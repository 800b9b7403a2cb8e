package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/actions"
	"quorum/internal/auth"
	"quorum/internal/outbox"
	"quorum/meetings"
)

// actionsAccessID is the action the access test tries the action routes on: on the
// delivery group, Priya Natarajan's (so that, as a member, she passes the owners' rule
// too), done with a document (so its document downloads).
func actionsAccessID(t *testing.T, s *testServer, boardID int64) int64 {
	t.Helper()
	as, _, err := s.app.actions.List(context.Background(), boardID, actions.Filter{Query: "evaluation of the summer"})
	if err != nil || len(as) != 1 || as[0].CompletionDocumentID == 0 {
		t.Fatalf("the demo gives the delivery group no circulated evaluation: %v %+v", err, as)
	}
	return as[0].ID
}

// actionFixture is the demo partnership as the action tests use it.
type actionFixture struct {
	board, group *meetings.Board
	byText       func(boardID int64, words string) actions.Action
}

func actionsDemo(t *testing.T, s *testServer) actionFixture {
	t.Helper()
	ctx := context.Background()
	board, err := s.app.meetings.BoardByShortName(ctx, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	group, err := s.app.meetings.BoardByShortName(ctx, "SVDG")
	if err != nil {
		t.Fatal(err)
	}
	return actionFixture{board: board, group: group, byText: func(boardID int64, words string) actions.Action {
		t.Helper()
		as, _, err := s.app.actions.List(ctx, boardID, actions.Filter{Query: words})
		if err != nil || len(as) != 1 {
			t.Fatalf("action %q: %v, %d found", words, err, len(as))
		}
		return as[0]
	}}
}

func TestActionLogPage(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	log := fmt.Sprintf("/boards/%d/actions", f.board.ID)

	res := clerk.get(log)
	wantStatus(t, "log", res, http.StatusOK)
	knife := f.byText(f.board.ID, "knife crime figures")
	for _, want := range []string{knife.Ref, "Add an action", "Carried", "quorum-action-log__row--overdue", "2 times"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if strings.Contains(res.body, "CCTV") {
		t.Error("the outstanding log lists the dropped action")
	}

	// Filters: text, status, overdue, owner, organisation.
	res = clerk.get(log + "?q=knife")
	if !strings.Contains(res.body, knife.Ref) || strings.Contains(res.body, "Youth Justice Plan") {
		t.Errorf("?q=knife: wrong rows")
	}
	res = clerk.get(log + "?status=dropped")
	if !strings.Contains(res.body, "CCTV") || strings.Contains(res.body, knife.Ref) {
		t.Errorf("?status=dropped: wrong rows")
	}
	if !strings.Contains(res.body, "Dropped: The upgrade moved") {
		t.Errorf("a dropped action says how it was closed")
	}
	overdue, n, _ := s.app.actions.List(context.Background(), f.board.ID, actions.Filter{Statuses: actions.Outstanding, Overdue: true})
	if n == 0 {
		t.Fatal("the demo has no overdue action")
	}
	res = clerk.get(log + "?overdue=1")
	if !strings.Contains(res.body, overdue[0].Ref) || strings.Contains(res.body, "Youth Justice Plan") || strings.Contains(res.body, knife.Ref) {
		t.Errorf("?overdue=1: wrong rows")
	}
	gl := f.byText(f.board.ID, "Youth Justice Plan")
	res = clerk.get(fmt.Sprintf("%s?owner=%d", log, gl.Owners[0].PersonID))
	if !strings.Contains(res.body, gl.Ref) || strings.Contains(res.body, knife.Ref) {
		t.Errorf("?owner: wrong rows")
	}
	res = clerk.get(fmt.Sprintf("%s?organisation=%d", log, knife.Owners[1].OrganisationID))
	if !strings.Contains(res.body, knife.Ref) || strings.Contains(res.body, gl.Ref) {
		t.Errorf("?organisation: wrong rows")
	}
	res = clerk.get(log + "?status=nonsense")
	wantStatus(t, "a bad status", res, http.StatusUnprocessableEntity)

	// Sorting: the heading links sort, and say so.
	res = clerk.get(log + "?sort=carried")
	wantStatus(t, "sorted", res, http.StatusOK)
	if !strings.Contains(res.body, `aria-sort="ascending"`) {
		t.Error("the sorted column is not marked")
	}
	res = clerk.get(log + "?sort=sideways")
	wantStatus(t, "a bad sort", res, http.StatusUnprocessableEntity)

	// The partnership publishes: anyone reads its log; the delivery group's is private.
	anon := s.client()
	anon.t = t
	wantStatus(t, "public log", anon.get(log), http.StatusOK)
	if strings.Contains(anon.get(log).body, "Add an action") {
		t.Error("an anonymous reader is offered the clerk's form")
	}
	res = anon.get(fmt.Sprintf("/boards/%d/actions", f.group.ID))
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("private log, anonymous: %d", res.StatusCode)
	}

	// The clerk adds one by hand; bad input is re-shown.
	res = clerk.post(log, url.Values{"text": {"Book the venue"}, "owners": {"@nobody"}})
	wantStatus(t, "unknown owner", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "Book the venue") || !strings.Contains(res.body, "govuk-error-summary") {
		t.Error("the form is not re-shown with its error")
	}
	res = clerk.post(log, url.Values{"text": {"Book the venue for the annual summit"}, "owners": {"@PN"}, "due": {"next meeting"}})
	wantStatus(t, "add", res, http.StatusSeeOther)
	added := f.byText(f.board.ID, "annual summit")
	if !added.Due.Next || added.Owners[0].Label != "PN" {
		t.Errorf("added: %+v", added)
	}
	// The log is cached per board: a change shows at once.
	if !strings.Contains(clerk.get(log).body, added.Ref) {
		t.Error("the new action is not in the log")
	}
}

func TestActionExports(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	member := s.signedIn(t, "chair@northvale.example")
	res := member.get(fmt.Sprintf("/boards/%d/actions.csv?q=knife", f.board.ID))
	wantStatus(t, "csv", res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("csv type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="nscp-actions-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("csv disposition %q", cd)
	}
	knife := f.byText(f.board.ID, "knife crime figures")
	lines := strings.Split(strings.TrimSpace(res.body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "\ufeffRef,Action,Owner,Due") || !strings.HasPrefix(lines[1], knife.Ref+",") {
		t.Errorf("csv:\n%s", res.body)
	}

	res = member.get(fmt.Sprintf("/boards/%d/actions.xlsx?status=all", f.board.ID))
	wantStatus(t, "xlsx", res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx type %q", ct)
	}
	x, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Actions")
	all, total, _ := s.app.actions.List(context.Background(), f.board.ID, actions.Filter{})
	if len(rows) != total+1 || rows[0][0] != "Ref" || rows[1][0] != all[0].Ref {
		t.Errorf("xlsx has %d rows for %d actions; first %v", len(rows), total, rows[:min(2, len(rows))])
	}
}

func TestActionImport(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	path := fmt.Sprintf("/boards/%d/actions/import", f.board.ID)
	wantStatus(t, "import form", clerk.get(path), http.StatusOK)
	_, before, _ := s.app.actions.List(context.Background(), f.board.ID, actions.Filter{})

	bad := "Ref,Action,Owner,Due,Status,Update\n,Map the night-time economy hotspots,@PN,30/09/2026,Open,\n,Audit the CCTV,@XY,someday,Open,\n"
	res := clerk.multipart(path, "", nil, "log.csv", []byte(bad))
	wantStatus(t, "bad import", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "Line 3:") || !strings.Contains(res.body, "nothing has been imported") {
		t.Errorf("the preview does not list line 3's problem:\n%.3000s", res.body)
	}
	// Confirming a file with errors applies nothing either.
	res = clerk.multipart(path, "", map[string]string{"confirm": "1"}, "log.csv", []byte(bad))
	wantStatus(t, "confirm bad import", res, http.StatusUnprocessableEntity)
	if _, n, _ := s.app.actions.List(context.Background(), f.board.ID, actions.Filter{}); n != before {
		t.Fatalf("a file with errors changed the log: %d actions, was %d", n, before)
	}

	due := time.Now().AddDate(0, 2, 0)
	good := "Ref,Action,Owner,Due,Status,Update\n,Map the night-time economy hotspots,@PN," + due.Format("02/01/2006") + ",Open,\n"
	res = clerk.multipart(path, "", nil, "log.csv", []byte(good))
	wantStatus(t, "good preview", res, http.StatusOK)
	m := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(res.body)
	if m == nil || !strings.Contains(res.body, "Confirm and import") {
		t.Fatalf("no confirm form:\n%.3000s", res.body)
	}
	if _, n, _ := s.app.actions.List(context.Background(), f.board.ID, actions.Filter{}); n != before {
		t.Fatal("the preview imported")
	}
	res = clerk.post(path, url.Values{"confirm": {"1"}, "filename": {"log.csv"}, "content": {m[1]}})
	wantStatus(t, "apply", res, http.StatusSeeOther)
	a := f.byText(f.board.ID, "night-time economy")
	if a.Due.Date != due.Format("2006-01-02") {
		t.Errorf("imported due %+v", a.Due)
	}
}

func TestActionUpdateAndComplete(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	priya := s.signedIn(t, "priya.natarajan@northvale.example")
	chair := s.signedIn(t, "chair@northvale.example")
	a := f.byText(f.board.ID, "consultation draft of the domestic abuse strategy")
	page := fmt.Sprintf("/actions/%d", a.ID)

	res := priya.get(page)
	wantStatus(t, "owner's page", res, http.StatusOK)
	if !strings.Contains(res.body, "Mark as done") || strings.Contains(res.body, "Drop action") {
		t.Error("the owner sees the wrong forms")
	}
	if strings.Contains(chair.get(page).body, "Mark as done") {
		t.Error("a member who is not an owner is offered the forms")
	}

	// Someone else's action: 403, nothing changed.
	wantStatus(t, "chair updates", chair.post(page+"/updates", url.Values{"text": {"Done, I think"}}), http.StatusForbidden)
	wantStatus(t, "chair completes", chair.post(page+"/complete", url.Values{"note": {"Done"}, "request_key": {"c1"}}), http.StatusForbidden)

	res = priya.get("/my/actions")
	wantStatus(t, "my actions", res, http.StatusOK)
	if !strings.Contains(res.body, a.Ref) || !strings.Contains(res.body, "Update "+a.Ref+" or mark it done") {
		t.Error("my actions does not offer the action")
	}
	res = priya.get("/my/actions.ics")
	wantStatus(t, "ics", res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("ics type %q", ct)
	}
	if !strings.HasPrefix(res.body, "BEGIN:VCALENDAR\r\n") || !strings.Contains(res.body, "BEGIN:VTODO\r\n") ||
		!strings.Contains(res.body, "\r\nDUE") || strings.Contains(strings.ReplaceAll(res.body, "\r\n", ""), "\n") {
		t.Errorf("ics:\n%s", res.body)
	}
	for _, l := range strings.Split(res.body, "\r\n") {
		if len(l) > 75 {
			t.Errorf("ics line longer than 75 octets: %q", l)
		}
	}

	wantStatus(t, "empty update", priya.post(page+"/updates", url.Values{"text": {" "}}), http.StatusUnprocessableEntity)
	wantStatus(t, "update", priya.post(page+"/updates", url.Values{"text": {"The voluntary sector forum has it."}}), http.StatusSeeOther)
	res = priya.post(page+"/complete", url.Values{"note": {"Sent to every group on the list."}, "request_key": {"k1"}})
	wantStatus(t, "complete", res, http.StatusSeeOther)
	// The same request again (a double click): answered as before.
	wantStatus(t, "complete again, same key", priya.post(page+"/complete", url.Values{"note": {"Sent to every group on the list."}, "request_key": {"k1"}}), http.StatusSeeOther)
	// Another request: the action is done already.
	res = priya.post(page+"/complete", url.Values{"note": {"Again"}, "request_key": {"k2"}})
	wantStatus(t, "complete twice", res, http.StatusConflict)
	if !strings.Contains(res.body, "already done") {
		t.Errorf("409 page does not say why")
	}
	got, _ := s.app.actions.Action(context.Background(), a.ID)
	if got.Status != actions.StatusDone || got.CompletedNote != "Sent to every group on the list." || got.LatestUpdate == nil {
		t.Errorf("after completing: %+v", got)
	}
	res = priya.get(page)
	for _, want := range []string{"Marked done", "Posted an update", "Priya Natarajan"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the history lacks %q", want)
		}
	}

	// My actions no longer lists it; the feed is iCalendar.
	res = priya.get("/my/actions")
	wantStatus(t, "my actions", res, http.StatusOK)
	if strings.Contains(res.body, a.Ref) {
		t.Error("my actions lists a done action")
	}
}

func TestGroupActionResponses(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	g := f.byText(f.board.ID, "nominate a lead officer")
	res := clerk.get(fmt.Sprintf("/actions/%d", g.ID))
	if !strings.Contains(res.body, "Answers from each organisation") || !strings.Contains(res.body, "Waiting") {
		t.Fatal("the group action's answers are not shown")
	}
	var health int64
	for _, r := range g.Responses {
		if r.Status == actions.ResponsePending {
			health = r.OrganisationID
		}
	}
	res = clerk.post(fmt.Sprintf("/actions/%d/respond", g.ID), url.Values{"organisation_id": {fmt.Sprint(health)}, "note": {"Dr Gallagher nominated."}})
	wantStatus(t, "respond", res, http.StatusSeeOther)
	got, _ := s.app.actions.Action(context.Background(), g.ID)
	if got.Status != actions.StatusDone {
		t.Errorf("every organisation answered, status %s", got.Status)
	}
}

// linkFrom reads the officer's link out of the mail queued for it.
func linkFrom(t *testing.T, s *testServer, to string) string {
	t.Helper()
	ms, _, err := outbox.List(context.Background(), s.app.db, false, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.To == to && strings.HasPrefix(m.Key, "link:") {
			if u := regexp.MustCompile(`/a/[A-Za-z0-9_-]+`).FindString(m.Body); u != "" {
				return u
			}
		}
	}
	t.Fatalf("no link mailed to %s", to)
	return ""
}

func TestOfficerLink(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	ctx := context.Background()
	clerk := s.signedIn(t, "clerk@northvale.example")
	plan := f.byText(f.board.ID, "Youth Justice Plan")
	other := f.byText(f.board.ID, "fire safety visits")
	gareth := plan.Owners[0].PersonID

	res := clerk.post(fmt.Sprintf("/actions/%d/links", plan.ID), url.Values{})
	wantStatus(t, "link for no one", res, http.StatusUnprocessableEntity)
	res = clerk.post(fmt.Sprintf("/actions/%d/links", plan.ID), url.Values{"person_id": {fmt.Sprint(gareth)}})
	wantStatus(t, "send link", res, http.StatusSeeOther)
	link := linkFrom(t, s, "gareth.lloyd@northvale.example")

	officer := s.client()
	officer.t = t
	res = officer.get(link)
	wantStatus(t, "the link's page", res, http.StatusOK)
	if !strings.Contains(res.body, plan.Ref) || strings.Contains(res.body, other.Ref) {
		t.Error("the link's page shows the wrong action")
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("the token could leak in a Referer")
	}
	// Scope: the link acts on its own action only, whatever the form says.
	res = officer.post(link+"/update", url.Values{"text": {"Drafted; going to the Chair this week."}, "action_id": {fmt.Sprint(other.ID)}})
	wantStatus(t, "update by link", res, http.StatusSeeOther)
	if u, _ := s.app.actions.Updates(ctx, plan.ID); len(u) != 1 || !strings.Contains(u[0].Author, "by emailed link") {
		t.Errorf("updates of the link's action: %+v", u)
	}
	if u, _ := s.app.actions.Updates(ctx, other.ID); len(u) != 0 {
		t.Errorf("the other action was touched: %+v", u)
	}
	// A made-up token: 404, plainly.
	res = officer.get("/a/not-a-token")
	wantStatus(t, "unknown link", res, http.StatusNotFound)
	if !strings.Contains(res.body, "not one Quorum sent") {
		t.Error("the unknown link's page does not explain")
	}

	// Complete with the document: above the site's 3 MB cap, within the upload's 10 MB.
	doc := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 5<<20)...)
	res = officer.multipart(link+"/complete", "", map[string]string{"request_key": "r1"}, "youth-justice-plan.pdf", doc)
	wantStatus(t, "complete by link", res, http.StatusOK)
	if !strings.Contains(res.body, "Action done") {
		t.Errorf("done page:\n%.1500s", res.body)
	}
	got, _ := s.app.actions.Action(ctx, plan.ID)
	if got.Status != actions.StatusDone || got.CompletionDocumentID == 0 {
		t.Fatalf("after completing by link: %+v", got)
	}
	// A retry of the same request is answered; the link is then used up.
	wantStatus(t, "retry", officer.multipart(link+"/complete", "", map[string]string{"request_key": "r1", "note": "x"}, "", nil), http.StatusOK)
	res = officer.get(link)
	wantStatus(t, "used link", res, http.StatusGone)
	if !strings.Contains(res.body, "already used") || !strings.Contains(res.body, "Nothing has been changed") {
		t.Errorf("used link page:\n%.1500s", res.body)
	}
	wantStatus(t, "update by used link", officer.post(link+"/update", url.Values{"text": {"more"}}), http.StatusGone)

	// Circulated: one mail per member with an address, listed on the dashboard.
	members, _ := s.app.actions.BoardMembers(ctx, s.app.db, f.board.ID)
	mails, _ := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("circulate:action:%d:", plan.ID))
	if len(mails) != len(members) || len(mails) < 5 {
		t.Errorf("%d mails for %d members", len(mails), len(members))
	}
	res = clerk.get(fmt.Sprintf("/boards/%d/dashboard", f.board.ID))
	if !strings.Contains(res.body, "The document for "+plan.Ref) {
		t.Error("the dashboard does not list the circulated document")
	}
	if circ, _ := s.app.actions.Circulated(ctx, f.board.ID, time.Now().Add(-time.Hour)); len(circ) != 1 {
		t.Errorf("circulated: %+v", circ)
	}
	res = clerk.get(fmt.Sprintf("/actions/%d/document", plan.ID))
	wantStatus(t, "document", res, http.StatusOK)
	if len(res.body) != len(doc) {
		t.Errorf("document of %d bytes, want %d", len(res.body), len(doc))
	}

	// Revoked and expired links change nothing.
	res = clerk.post(fmt.Sprintf("/actions/%d/links", other.ID), url.Values{"person_id": {fmt.Sprint(other.Owners[0].PersonID)}})
	wantStatus(t, "second link", res, http.StatusSeeOther)
	links, _ := s.app.actions.Links(ctx, other.ID)
	wantStatus(t, "revoke another action's link", clerk.post(fmt.Sprintf("/actions/%d/links/revoke", plan.ID), url.Values{"link_id": {fmt.Sprint(links[0].ID)}}), http.StatusUnprocessableEntity)
	wantStatus(t, "revoke", clerk.post(fmt.Sprintf("/actions/%d/links/revoke", other.ID), url.Values{"link_id": {fmt.Sprint(links[0].ID)}}), http.StatusSeeOther)
	second := linkFrom(t, s, "kwame.mensah@northvale.example")
	res = officer.get(second)
	wantStatus(t, "revoked link", res, http.StatusGone)
	if !strings.Contains(res.body, "withdrawn") {
		t.Error("the revoked link's page does not say so")
	}
	wantStatus(t, "complete by revoked link", officer.multipart(second+"/complete", "", map[string]string{"note": "done"}, "", nil), http.StatusGone)

	s.app.db.Exec(`DELETE FROM outbox`)
	clerk.post(fmt.Sprintf("/actions/%d/links", other.ID), url.Values{"person_id": {fmt.Sprint(other.Owners[0].PersonID)}})
	third := linkFrom(t, s, "kwame.mensah@northvale.example")
	s.app.db.Exec(`UPDATE action_links SET expires_at = '2020-01-01T00:00:00Z' WHERE revoked_at = ''`)
	res = officer.post(third+"/update", url.Values{"text": {"late"}})
	wantStatus(t, "expired link", res, http.StatusGone)
	if !strings.Contains(res.body, "expired") {
		t.Error("the expired link's page does not say so")
	}
	if u, _ := s.app.actions.Updates(ctx, other.ID); len(u) != 0 {
		t.Errorf("refused links changed the action: %+v", u)
	}

	// Too large: 413, nothing kept.
	clerk.post(fmt.Sprintf("/actions/%d/links", other.ID), url.Values{"person_id": {fmt.Sprint(other.Owners[0].PersonID)}})
	fourth := linkFrom(t, s, "kwame.mensah@northvale.example")
	res = officer.multipart(fourth+"/complete", "", nil, "huge.pdf", bytes.Repeat([]byte("x"), 11<<20))
	wantStatus(t, "too large", res, http.StatusRequestEntityTooLarge)
}

func TestDisseminationFromActionPage(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	ctx := context.Background()
	clerk := s.signedIn(t, "clerk@northvale.example")
	plan := f.byText(f.board.ID, "Youth Justice Plan")
	res := clerk.multipart(fmt.Sprintf("/actions/%d/complete", plan.ID), "", map[string]string{"request_key": "d1"}, "plan.pdf", demoPDF("Plan"))
	wantStatus(t, "complete with document", res, http.StatusSeeOther)
	// Again with the same key: no second round of mail.
	clerk.multipart(fmt.Sprintf("/actions/%d/complete", plan.ID), "", map[string]string{"request_key": "d1"}, "plan.pdf", demoPDF("Plan"))
	members, _ := s.app.actions.BoardMembers(ctx, s.app.db, f.board.ID)
	mails, _ := outbox.ByKeyPrefix(ctx, s.app.db, fmt.Sprintf("circulate:action:%d:", plan.ID))
	if len(mails) != len(members) {
		t.Fatalf("%d mails for %d members", len(mails), len(members))
	}
	seen := map[string]bool{}
	for _, m := range mails {
		if seen[m.To] {
			t.Errorf("two mails to %s", m.To)
		}
		seen[m.To] = true
		if !strings.Contains(m.Body, fmt.Sprintf("/actions/%d/document", plan.ID)) {
			t.Errorf("the mail does not link the document:\n%s", m.Body)
		}
	}
	admin := s.signedIn(t, "admin@northvale.example")
	res = admin.get("/admin/outbox")
	wantStatus(t, "outbox", res, http.StatusOK)
	if !strings.Contains(res.body, "plan.pdf circulated") {
		t.Error("the outbox page does not list the mail")
	}
	wantStatus(t, "outbox as clerk", clerk.get("/admin/outbox"), http.StatusForbidden)
}

func TestDashboardPage(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	ctx := context.Background()
	chair := s.signedIn(t, "chair@northvale.example")
	d, err := s.app.actions.Dashboard(ctx, f.board.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Overdue == 0 || d.Open == 0 || d.CarriedTwice == 0 {
		t.Fatalf("the demo dashboard is too empty: %+v", d)
	}
	page := fmt.Sprintf("/boards/%d/dashboard", f.board.ID)
	res := chair.get(page)
	wantStatus(t, "dashboard", res, http.StatusOK)
	for _, want := range []string{
		fmt.Sprintf(`<span class="quorum-counts__number">%d</span> open`, d.Open),
		fmt.Sprintf(`<span class="quorum-counts__number">%d</span> overdue`, d.Overdue),
		fmt.Sprintf(`<span class="quorum-counts__number">%d</span> due at the next meeting`, d.DueNextMeeting),
		fmt.Sprintf(`<span class="quorum-counts__number">%d</span> carried forward twice or more`, d.CarriedTwice),
		"<svg", "The chart’s figures as a table", "By organisation", "The oldest open actions",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	// No stale counts: a write by any path (here plain SQL, as another package might)
	// shows at once.
	s.app.db.Exec(`UPDATE actions SET due_date = '2000-01-01', due_meeting_id = NULL, due_next = 0 WHERE board_id = ? AND status IN ('open','in_progress')`, f.board.ID)
	res = chair.get(page)
	if !strings.Contains(res.body, fmt.Sprintf(`<span class="quorum-counts__number">%d</span> overdue`, d.Open)) {
		t.Error("the dashboard's cached counts went stale")
	}
}

func TestActionsAPI(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	ctx := context.Background()
	u, _ := s.app.users.UserByEmail(ctx, "priya.natarajan@northvale.example")
	token, err := s.app.users.CreateToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := s.client()
	c.t = t

	res := c.json(http.MethodGet, fmt.Sprintf("/api/v1/boards/%d/actions?status=open", f.board.ID), token, "")
	wantStatus(t, "list", res, http.StatusOK)
	var list struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.body), &list); err != nil || len(list.Data) == 0 {
		t.Fatalf("list: %v %s", err, res.body)
	}
	for _, k := range []string{"id", "ref", "text", "owners", "status", "due", "carried_forward"} {
		if _, ok := list.Data[0][k]; !ok {
			t.Errorf("an action lacks %q", k)
		}
	}
	for _, a := range list.Data {
		if a["status"] != "open" && a["status"] != "in_progress" {
			t.Errorf("status=open answered a %v action", a["status"])
		}
	}

	a := f.byText(f.board.ID, "consultation draft of the domestic abuse strategy")
	res = c.json(http.MethodPost, fmt.Sprintf("/api/v1/actions/%d/updates", a.ID), token, `{"text": "Comments are in."}`)
	wantStatus(t, "post update", res, http.StatusCreated)
	var upd map[string]any
	json.Unmarshal([]byte(res.body), &upd)
	if upd["id"] == nil || upd["text"] != "Comments are in." || upd["created_at"] == nil {
		t.Errorf("update answer: %s", res.body)
	}
	wantStatus(t, "bad json", c.json(http.MethodPost, fmt.Sprintf("/api/v1/actions/%d/updates", a.ID), token, `{"text": `), http.StatusUnprocessableEntity)
	res = c.json(http.MethodPost, fmt.Sprintf("/api/v1/actions/%d/updates", a.ID), token, `{"text": ""}`)
	wantStatus(t, "empty update", res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, `"code":"EINVALID"`) || !strings.Contains(res.body, `"field":"text"`) {
		t.Errorf("error shape: %s", res.body)
	}

	res = c.json(http.MethodGet, fmt.Sprintf("/api/v1/actions/%d", a.ID), token, "")
	wantStatus(t, "one action", res, http.StatusOK)
	var one struct {
		ID      int64 `json:"id"`
		Updates []struct {
			ID        int64  `json:"id"`
			Text      string `json:"text"`
			CreatedAt string `json:"created_at"`
		} `json:"updates"`
		History struct {
			Meetings []any `json:"meetings"`
			Events   []any `json:"events"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(res.body), &one); err != nil || one.ID != a.ID || len(one.Updates) < 1 ||
		one.Updates[len(one.Updates)-1].Text != "Comments are in." || len(one.History.Meetings) == 0 || len(one.History.Events) == 0 {
		t.Errorf("one action: %v %s", err, res.body)
	}

	complete := fmt.Sprintf("/api/v1/actions/%d/complete", a.ID)
	wantStatus(t, "complete", c.json(http.MethodPost, complete, token, `{"note": "Done.", "request_key": "api-1"}`), http.StatusOK)
	wantStatus(t, "complete, same key", c.json(http.MethodPost, complete, token, `{"note": "Done.", "request_key": "api-1"}`), http.StatusOK)
	res = c.json(http.MethodPost, complete, token, `{"note": "Done.", "request_key": "api-2"}`)
	wantStatus(t, "complete twice", res, http.StatusConflict)
	if !strings.Contains(res.body, `"code":"ECONFLICT"`) {
		t.Errorf("409 shape: %s", res.body)
	}
	// Someone else's action: 403.
	other := f.byText(f.board.ID, "fire safety visits")
	wantStatus(t, "not hers", c.json(http.MethodPost, fmt.Sprintf("/api/v1/actions/%d/complete", other.ID), token, `{"note": "x"}`), http.StatusForbidden)

	res = c.json(http.MethodGet, fmt.Sprintf("/api/v1/boards/%d/dashboard", f.board.ID), token, "")
	wantStatus(t, "dashboard", res, http.StatusOK)
	var d map[string]any
	json.Unmarshal([]byte(res.body), &d)
	for _, k := range []string{"open", "overdue", "due_next_meeting", "carried_forward_2_plus", "by_owner", "by_organisation"} {
		if _, ok := d[k]; !ok {
			t.Errorf("the dashboard lacks %q", k)
		}
	}
}

func TestReminderSettingsForm(t *testing.T) {
	s := newTestServer(t)
	f := actionsDemo(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	log := fmt.Sprintf("/boards/%d/actions", f.board.ID)

	res := clerk.get(log)
	wantStatus(t, "log", res, http.StatusOK)
	if !strings.Contains(res.body, `action="`+log+`/reminders"`) || !regexp.MustCompile(`id="days_before"[^>]*value="7"`).MatchString(res.body) {
		t.Fatalf("the clerk's log has no reminder settings with the default 7 days")
	}
	// A member sees no settings.
	chair := s.signedIn(t, "chair@northvale.example")
	if res := chair.get(log); strings.Contains(res.body, log+"/reminders") {
		t.Error("a member is offered the reminder settings")
	}
	if res := chair.post(log+"/reminders", url.Values{"days_before": {"3"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member set the reminders: %d", res.StatusCode)
	}

	for _, bad := range []string{"soon", "61", "-2"} {
		res := clerk.post(log+"/reminders", url.Values{"reminders": {"1"}, "days_before": {bad}, "digest": {"1"}})
		wantStatus(t, "bad days "+bad, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.body, "days before the due day") || !strings.Contains(res.body, `value="`+bad+`"`) {
			t.Errorf("days %q: the form is not re-shown with its error", bad)
		}
	}
	res = clerk.post(log+"/reminders", url.Values{"reminders": {"1"}, "days_before": {"3"}})
	wantStatus(t, "save", res, http.StatusSeeOther)
	rs, err := s.app.actions.ReminderSettings(context.Background(), f.board.ID)
	if err != nil || rs != (actions.ReminderSettings{BoardID: f.board.ID, Reminders: true, DaysBefore: 3, Digest: false}) {
		t.Fatalf("kept: %+v %v", rs, err)
	}
	// The cached log shows the new settings at once.
	res = clerk.get(log)
	if !regexp.MustCompile(`id="days_before"[^>]*value="3"`).MatchString(res.body) || regexp.MustCompile(`id="digest"[^>]* checked`).MatchString(res.body) {
		t.Error("the log shows the old settings")
	}
}

func TestRemindersCommand(t *testing.T) {
	// The week's digests start at seven on Monday morning: run as at noon on the coming
	// Wednesday, whatever day the test runs.
	day := time.Now().In(meetings.London)
	day = day.AddDate(0, 0, (int(time.Wednesday)-int(day.Weekday())+7)%7)
	at := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, meetings.London).Format(time.RFC3339)
	ctx := context.Background()
	dbFile := t.TempDir() + "/quorum.db"
	env := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "-db", dbFile}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"reminders", "-db", dbFile, "-base-url", "https://quorum.example.org/", "-now", at}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscanf(out.String(), "queued %d messages", &n); err != nil || n == 0 {
		t.Fatalf("first run: %q %v", out.String(), err)
	}
	a, err := openApp(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ms, err := outbox.ByKeyPrefix(ctx, a.db, "digest:")
	if err != nil || len(ms) == 0 || !strings.Contains(ms[0].Body, "https://quorum.example.org/my/actions") {
		t.Fatalf("digests: %v %+v", err, ms)
	}
	out.Reset()
	if err := run(ctx, []string{"reminders", "-db", dbFile, "-now", at}, env, nil, &out); err != nil || out.String() != "queued 0 messages in the outbox\n" {
		t.Fatalf("second run: %q %v", out.String(), err)
	}
	if err := run(ctx, []string{"reminders", "-db", dbFile, "-now", "next Tuesday"}, env, nil, &out); err == nil || !strings.Contains(err.Error(), "is not a time") {
		t.Fatalf("a bad -now: %v", err)
	}
}

// TestOfficerOwnsActionOnPrivateBoard: an officer who does not sit on the delivery group
// (which does not publish) reaches, updates and completes the action they own, from its
// page and from My actions; so does a colleague of an owning organisation; anyone else
// signed in is told the page is not found.
func TestOfficerOwnsActionOnPrivateBoard(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	f := actionsDemo(t, s)
	st := s.app.meetings
	trust := &meetings.Organisation{Name: "Northvale Housing Trust", Handle: "housing", Kind: "voluntary"}
	if err := st.CreateOrganisation(ctx, trust); err != nil {
		t.Fatal(err)
	}
	account := func(name, email string, org int64) int64 {
		p := &meetings.Person{Name: name, Email: email, OrganisationID: org}
		if err := st.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.app.users.CreateUser(ctx, &auth.User{Email: email, Name: name, Role: auth.RoleUser, PersonID: p.ID}, demoPassword); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	olu := account("Olu Officer", "olu.officer@example.org", 0)
	account("Hana Housing", "hana@housing.example.org", trust.ID)
	account("Nobody Else", "nobody@example.org", 0)

	mine := &actions.Action{BoardID: f.group.ID, Text: "Map the hotspots for the summer plan",
		Owners: []actions.Owner{{Kind: actions.OwnerPerson, PersonID: olu, Label: "olu"}}}
	theirs := &actions.Action{BoardID: f.group.ID, Text: "Report void properties used for dealing",
		Owners: []actions.Owner{{Kind: actions.OwnerOrganisation, OrganisationID: trust.ID, Label: "housing"}}}
	for _, a := range []*actions.Action{mine, theirs} {
		if err := s.app.actions.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	page := func(a *actions.Action) string { return fmt.Sprintf("/actions/%d", a.ID) }

	officer := s.signedIn(t, "olu.officer@example.org")
	res := officer.get(page(mine))
	wantStatus(t, "officer's action", res, http.StatusOK)
	if !strings.Contains(res.body, page(mine)+"/updates") || !strings.Contains(res.body, page(mine)+"/complete") {
		t.Error("the officer's action page offers no update or completion")
	}
	res = officer.post(page(mine)+"/updates", url.Values{"text": {"Hotspot map drafted with the police analyst"}})
	wantStatus(t, "officer's update", res, http.StatusSeeOther)
	res = officer.get("/my/actions")
	if !strings.Contains(res.body, mine.Ref) || !strings.Contains(res.body, `action="`+page(mine)+`/updates"`) {
		t.Error("My actions offers the officer no forms for their action")
	}
	res = officer.post(page(mine)+"/complete", url.Values{"note": {"Map circulated to the group"}, "request_key": {"k1"}})
	wantStatus(t, "officer completes", res, http.StatusSeeOther)
	if a, _ := s.app.actions.Action(ctx, mine.ID); a.Status != actions.StatusDone {
		t.Errorf("after completing: %s", a.Status)
	}
	if res := officer.json(http.MethodGet, "/api/v1"+page(mine), "", ""); res.StatusCode != http.StatusOK {
		t.Errorf("the officer's action over the API: %d", res.StatusCode)
	}
	// Not another action of the board, nor its log.
	for _, p := range []string{page(theirs), fmt.Sprintf("/boards/%d/actions", f.group.ID)} {
		if res := officer.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("officer reads %s: %d", p, res.StatusCode)
		}
	}
	if res := officer.post(page(theirs)+"/updates", url.Values{"text": {"not mine"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("officer updates another's action: %d", res.StatusCode)
	}

	// Someone of the owning organisation.
	hana := s.signedIn(t, "hana@housing.example.org")
	wantStatus(t, "organisation's action", hana.get(page(theirs)), http.StatusOK)
	res = hana.post(page(theirs)+"/updates", url.Values{"text": {"Two voids reported to the police"}})
	wantStatus(t, "organisation's update", res, http.StatusSeeOther)
	if res := hana.get(page(mine)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a colleague of nobody's reads Olu's action: %d", res.StatusCode)
	}

	nobody := s.signedIn(t, "nobody@example.org")
	for _, a := range []*actions.Action{mine, theirs} {
		if res := nobody.get(page(a)); res.StatusCode != http.StatusNotFound {
			t.Errorf("a stranger reads %s: %d", a.Ref, res.StatusCode)
		}
		if res := nobody.post(page(a)+"/complete", url.Values{"note": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("a stranger completes %s: %d", a.Ref, res.StatusCode)
		}
	}
	if res := s.client().get(page(mine)); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
}
