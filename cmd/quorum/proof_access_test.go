package main

// The proof of access control (issue 9): every route of the access table (access_test.go)
// tried by each of ten roles on a private board and on a public one, and each secret a
// board keeps (exempt items and their papers, draft minutes, a private board's data)
// looked for in the body of every answer to a role that must not see it. It takes a few
// seconds against the real router over a real SQLite file, so it carries no build tag.
//
// The roles, and what "this board" is for each of them:
//   - anonymous: a request without a session, on the private board.
//   - public: Quorum has no accounts for the public, so a visitor to a public board is a
//     request without a session too; "public" is that request on the public board, where
//     the member's reading routes let anyone through and the handlers hold back what only
//     members may read.
//   - partner of this board: a member (Priya Natarajan, who sits on both boards).
//   - partner of another board: a member of a third board only.
//   - officer with an action: an account that owns an action of the board and sits on
//     no board.
//   - officer by signed link: no session, only the emailed links to one action and to
//     one plan action of the board.
//   - chair: the board's chair (the delivery group's is Helen Ashworth, the
//     partnership's Cllr Margaret Okafor).
//   - clerk of this board, clerk of another board, admin.
// Every role but anonymous and public is tried on both boards.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/internal/outbox"
	"quorum/meetings"
)

// accessBoard is a board the roles are tried on, with an id of every kind its routes take.
type accessBoard struct {
	name      string // "private" or "public"
	board     *meetings.Board
	ids       map[string]int64
	token     string // the signed link to the board's action
	planToken string // the signed link to its plan action
}

// accessRole is one of the ten roles as it stands to the board under test.
type accessRole struct {
	name    string
	client  *client
	account bool // signed in
	member  bool // sits on the board (the clerk and admins too)
	chair   bool
	clerk   bool // runs the board
	clerks  bool // a clerk's account: people, organisations, new boards
	admin   bool
	owner   bool // owns the board's action
	link    bool // holds the board's signed links
}

// accessWorld is the demo partnership with what the proof needs on top: the people of
// the roles, a third board, an action of each board owned by an officer, signed links,
// and the secrets.
type accessWorld struct {
	s               *testServer
	private, public *accessBoard
	personID, orgID int64
	signedIn        map[string]*client

	// The secrets, each a word found nowhere else in the demo.
	exempt     []string // the exempt item's presenter, its papers' titles and their text
	draft      string   // in the partnership's draft minutes
	hidden     string   // in the private board's action, item, meeting place and plan document
	plan       string   // in the private board's plan's title, which its plan link shows
	next       *meetings.Meeting
	m3         *meetings.Meeting // the partnership's latest meeting, minutes in draft
	exItem     int64             // the exempt item and its papers
	hiddenItem int64             // the private board's item that holds the secret
	exPaper    []int64
	// Actions on the private board: the officer's (the one its link reaches) and a
	// member's, which holds the secret.
	officerAction, secretAction int64
	planActionText              string // the private board's plan action the link reaches
	planSibling                 string // another action of its plan
}

const (
	oluEmail   = "olu.clerk@example.org" // clerk of the third board
	osmanEmail = "osman.partner@example.org"
	orlaEmail  = "orla.officer@example.org" // owns an action of each board, sits on none
	kwameEmail = "kwame.mensah@northvale.example"
	helenEmail = "helen.ashworth@northvale.example"
)

func newAccessWorld(t *testing.T) *accessWorld {
	t.Helper()
	s := newTestServer(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "access proof"})
	st := s.app.meetings
	w := &accessWorld{s: s, signedIn: map[string]*client{},
		exempt: []string{"Quillfeather", "Marrowgate", "Thistlecombe", "Ravensmoor"},
		draft:  "Wrenfield", hidden: "Hollowmere", plan: "Kestrelmoor"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	person := func(name, email string) int64 {
		p := &meetings.Person{Name: name, Email: email}
		must(st.CreatePerson(ctx, p))
		return p.ID
	}
	account := func(personID int64, name, email, role string) {
		must(s.app.users.CreateUser(ctx, &auth.User{Email: email, Name: name, Role: role, PersonID: personID}, demoPassword))
	}

	// The third board, with its clerk and a partner.
	olu := person("Olu Clerk", oluEmail)
	account(olu, "Olu Clerk", oluEmail, auth.RoleClerk)
	third := &meetings.Board{Name: "Eastbrook Youth Forum", ShortName: "EYF", ClerkID: olu}
	must(st.CreateBoard(ctx, third))
	osman := person("Osman Partner", osmanEmail)
	account(osman, "Osman Partner", osmanEmail, auth.RoleUser)
	must(st.AddMember(ctx, &meetings.Membership{BoardID: third.ID, PersonID: osman, Role: "member", StartsOn: "2024-05-01"}))
	// The officer, and the officer who has only the emailed link.
	orla := person("Orla Officer", orlaEmail)
	account(orla, "Orla Officer", orlaEmail, auth.RoleUser)
	lemar := person("Lemar Link", "lemar.link@example.org")
	// Accounts the demo leaves out: the delivery group's chair, and a partner who sits on
	// the partnership but not on its delivery group.
	for _, email := range []string{helenEmail, kwameEmail} {
		p, err := st.PersonByEmail(ctx, email)
		must(err)
		account(p.ID, p.Name, email, auth.RoleUser)
	}
	priya, err := st.PersonByEmail(ctx, "priya.natarajan@northvale.example")
	must(err)
	people, _ := st.People(ctx)
	w.personID = people[0].ID
	orgs, _ := st.Organisations(ctx)
	w.orgID = orgs[0].ID

	nscp, err := st.BoardByShortName(ctx, "NSCP")
	must(err)
	svdg, err := st.BoardByShortName(ctx, "SVDG")
	must(err)
	w.public = &accessBoard{name: "public", board: nscp, ids: map[string]int64{"board": nscp.ID, "membership": nscp.Members[0].ID}}
	w.private = &accessBoard{name: "private", board: svdg, ids: map[string]int64{"board": svdg.ID, "membership": svdg.Members[0].ID}}

	// An action of each board owned by the officer and the officer with the link, and the link.
	for _, b := range []*accessBoard{w.private, w.public} {
		for k, id := range meetingsAccessIDs(t, st, b.board.ID) {
			b.ids[k] = id
		}
		a := &actions.Action{BoardID: b.board.ID, Text: "Send the youth outreach rota to the " + b.name + " board",
			Owners: []actions.Owner{{Kind: actions.OwnerPerson, PersonID: orla, Label: "OO"}, {Kind: actions.OwnerPerson, PersonID: lemar, Label: "LL"}}}
		must(s.app.actions.Create(ctx, a))
		b.ids["action"] = a.ID
		b.token, err = s.app.actions.CreateLink(ctx, a.ID, lemar, 7*24*time.Hour)
		must(err)
		// And one the officer has done, by the document it asked for.
		done := &actions.Action{BoardID: b.board.ID, Text: "Circulate the outreach evaluation to the " + b.name + " board", Dissemination: true,
			Owners: []actions.Owner{{Kind: actions.OwnerPerson, PersonID: orla, Label: "OO"}}}
		must(s.app.actions.Create(ctx, done))
		docID, err := s.app.actions.AddDocument(ctx, "evaluation.pdf", "application/pdf", demoPaper("Outreach evaluation", "For the board", 1))
		must(err)
		must(s.app.actions.Complete(ctx, done.ID, "Circulated", docID, ""))
		b.ids["action_document"] = done.ID
	}
	w.officerAction = w.private.ids["action"]
	for k, id := range plansAccessIDs(t, s, w.public.board.ID) {
		w.public.ids[k] = id
	}
	w.public.planToken, err = s.app.actions.CreatePlanLink(ctx, w.public.ids["plan_action"], priya.ID, 7*24*time.Hour)
	must(err)

	// The private board's secret: in an action of a member, an agenda item, a meeting's
	// place, a plan and its supporting document.
	secret := &actions.Action{BoardID: svdg.ID, Text: "Survey the lighting of the Hollowmere underpass", Due: actions.Due{Date: "2025-01-31"},
		Owners: []actions.Owner{{Kind: actions.OwnerPerson, PersonID: priya.ID, Label: "PN"}}}
	must(s.app.actions.Create(ctx, secret))
	w.secretAction = secret.ID
	groupNext, err := st.NextMeeting(ctx, svdg.ID, time.Now())
	must(err)
	item := &meetings.AgendaItem{MeetingID: groupNext.ID, Title: "Hollowmere estate: knife arches at the youth club", Purpose: "for discussion"}
	must(st.AddItem(ctx, item))
	w.private.ids["meeting"], w.hiddenItem = groupNext.ID, item.ID
	must(st.ScheduleMeeting(ctx, &meetings.Meeting{BoardID: svdg.ID, StartsAt: londonAt(120, "14:00"), EndsAt: londonAt(120, "15:30"),
		Mode: meetings.ModeInPerson, Place: "Hollowmere Community Hall"}))
	plan := &actions.Plan{BoardID: svdg.ID, Title: "Kestrelmoor violence reduction plan", StartYear: 2025, EndYear: 2026}
	must(s.app.actions.CreatePlan(ctx, plan, "vrap"))
	full, err := s.app.actions.Plan(ctx, plan.ID)
	must(err)
	pa := full.Themes[0].Actions[0]
	pa.LeadPersonID = priya.ID
	must(s.app.actions.UpdatePlanAction(ctx, &pa))
	w.planActionText = pa.Title
	for _, other := range full.Actions() {
		if other.ID != pa.ID && other.Title != "" {
			w.planSibling = other.Title
			break
		}
	}
	doc, err := s.app.actions.AddPlanDocument(ctx, pa.ID, "hollowmere.pdf", "application/pdf", []byte("%PDF-1.4 Hollowmere evidence"))
	must(err)
	w.private.ids["plan"], w.private.ids["plan_action"], w.private.ids["plan_document"] = plan.ID, pa.ID, doc.ID
	w.private.planToken, err = s.app.actions.CreatePlanLink(ctx, pa.ID, priya.ID, 7*24*time.Hour)
	must(err)

	// The public board's exempt item on its next meeting, with a paper in the published
	// pack and one added after it, which makes the pack's next version.
	w.next, err = st.NextMeeting(ctx, nscp.ID, time.Now())
	must(err)
	ex := &meetings.AgendaItem{MeetingID: w.next.ID, Title: "Closure order: licensed premises in the town centre", Purpose: "for decision",
		Presenter: "Insp Quillfeather, Licensing", Exempt: true, ExemptReason: "Schedule 12A paragraph 7: the prevention or detection of crime"}
	must(st.AddItem(ctx, ex))
	w.exItem = ex.ID
	paper := func(title, text string) {
		p, err := st.AddPaper(ctx, meetings.NewPaper{ItemID: ex.ID, Title: title, Filename: "evidence.pdf", By: "access proof",
			Data: demoPaper(text+" evidence", "Not for publication", 1)})
		must(err)
		w.exPaper = append(w.exPaper, p.ID)
	}
	paper("Marrowgate Arms: evidence bundle", "Thistlecombe")
	// A substitute from outside the board, named for the meeting: the pack's mail goes to
	// them, without the restricted pack.
	kwame, err := st.PersonByEmail(ctx, kwameEmail)
	must(err)
	sub := &meetings.Person{Name: "Tobias Grant", Email: "tobias.grant@northvale.example", OrganisationID: kwame.OrganisationID}
	must(st.CreatePerson(ctx, sub))
	must(st.SendApologies(ctx, w.next.ID, kwame.ID, sub.ID, time.Now()))
	packs := s.app.packs("http://quorum.test")
	_, err = packs.Publish(ctx, w.next.ID, "access proof")
	must(err)
	paper("Ravensmoor statement", "Late")
	if p, err := packs.PublishLate(ctx, w.next.ID, "access proof"); err != nil || p == nil {
		t.Fatalf("the late exempt paper made no new version of the pack: %v", err)
	}
	w.public.ids["paper"], w.public.ids["meeting"] = w.exPaper[0], w.next.ID

	// Draft minutes of the partnership's latest meeting, seen by its clerk alone.
	past, err := st.Meetings(ctx, nscp.ID, false, 2)
	must(err)
	w.m3 = &past[0]
	// The minutes routes are tried on minutes the public may read (the partnership's
	// approved ones) and on the delivery group's, circulated to its members.
	w.public.ids["minutes"] = past[1].ID
	groupPast, err := st.Meetings(ctx, svdg.ID, false, 1)
	must(err)
	w.private.ids["minutes"] = groupPast[0].ID
	mins, err := s.app.minutes.Minutes(ctx, w.m3.ID)
	must(err)
	if mins.Status != "draft" {
		t.Fatalf("the partnership's latest minutes are %s, want a draft", mins.Status)
	}
	_, err = s.app.minutes.Save(ctx, w.m3.ID, []byte(mins.Text+"\n\nThe Board heard that the Wrenfield site was under review.\n"))
	must(err)

	for _, email := range []string{"priya.natarajan@northvale.example", osmanEmail, orlaEmail, helenEmail, kwameEmail,
		"chair@northvale.example", "clerk@northvale.example", oluEmail, "admin@northvale.example"} {
		w.signedIn[email] = s.signedIn(t, email)
	}
	return w
}

// roles are the ten roles as they stand to board b, in the order they are tried: those
// whose posts change nothing first, and the board's clerk and admin, whose posts do, last.
func (w *accessWorld) roles(b *accessBoard) []accessRole {
	c := w.signedIn
	chair := c[helenEmail]
	if b == w.public {
		chair = c["chair@northvale.example"]
	}
	anon := accessRole{name: "anonymous", client: w.s.client()}
	if b == w.public {
		anon.name = "public"
	}
	return []accessRole{
		anon,
		{name: "partner of another board", client: c[osmanEmail], account: true},
		{name: "officer with an action", client: c[orlaEmail], account: true, owner: true},
		{name: "partner of this board", client: c["priya.natarajan@northvale.example"], account: true, member: true},
		{name: "chair", client: chair, account: true, member: true, chair: true},
		{name: "clerk of another board", client: c[oluEmail], account: true, clerks: true},
		{name: "officer by signed link", client: w.s.client(), link: true},
		{name: "clerk of this board", client: c["clerk@northvale.example"], account: true, member: true, clerk: true, clerks: true},
		{name: "admin", client: c["admin@northvale.example"], account: true, member: true, chair: true, clerk: true, clerks: true, admin: true},
	}
}

// passes says whether the role gets through a route's access rule on a board: what the
// rule says, where a reading route of a member's lets anyone through on a public board,
// and the signed links' routes let in whoever holds the link.
func (r accessRole) passes(key, rule string, public bool) bool {
	method, path, _ := strings.Cut(key, " ")
	if strings.HasPrefix(path, "/a/") || strings.HasPrefix(path, "/p/") {
		return r.link
	}
	level, kind, _ := strings.Cut(rule, ":")
	read := public && method == http.MethodGet
	switch level {
	case "public":
		return true
	case "signed-in":
		return r.account
	case "any-clerk":
		return r.clerks
	case "admin":
		return r.admin
	case "member":
		return r.member || read
	case "member-or-owner":
		return r.member || read || (r.owner && kind == "action")
	case "clerk":
		return r.clerk
	case "chair":
		return r.chair
	}
	return false
}

// path fills a route's parameters with the board's ids, and the signed links' with the
// role's link (a link the role does not hold is one Quorum never sent).
func (w *accessWorld) path(key, rule string, b *accessBoard, ids map[string]int64, r accessRole) (method, path string) {
	method, path, _ = strings.Cut(key, " ")
	kind := "board"
	if _, k, ok := strings.Cut(rule, ":"); ok {
		kind = k
	}
	token, planToken := "bm90LWEtbGluay1xdW9ydW0tZXZlci1zZW50LWFueW9uZQ", "bm90LWEtcGxhbi1saW5rLXF1b3J1bS1ldmVyLXNlbnQ"
	if r.link {
		token, planToken = b.token, b.planToken
	}
	switch {
	case strings.HasPrefix(path, "/people/"):
		path = strings.Replace(path, ":id", fmt.Sprint(w.personID), 1)
	case strings.HasPrefix(path, "/organisations/"):
		path = strings.Replace(path, ":id", fmt.Sprint(w.orgID), 1)
	case strings.HasPrefix(path, "/a/"):
		path = strings.Replace(path, ":token", token, 1)
	case strings.HasPrefix(path, "/p/"):
		path = strings.Replace(path, ":token", planToken, 1)
	case strings.HasPrefix(path, "/actions/:id/document"):
		kind = "action_document"
	case strings.HasPrefix(path, "/meetings/:id/minutes") || strings.HasPrefix(path, "/api/v1/meetings/:id/minutes"):
		kind = "minutes"
	}
	path = strings.Replace(path, ":id", fmt.Sprint(ids[kind]), 1)
	path = strings.Replace(path, "*path", "css/quorum.css", 1)
	return method, path
}

func (r accessRole) send(method, path string) response {
	switch {
	case method == http.MethodGet:
		return r.client.get(path)
	case strings.HasPrefix(path, "/api/"):
		req, _ := http.NewRequest(method, r.client.base+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		return r.client.do(req)
	}
	return r.client.post(path, url.Values{})
}

// accessDenied reads a refusal: sign in first, forbidden, or (for what an id names, and for a
// link) not found, so that the existence of another board's things is not told.
func accessDenied(res response, rule, path string) bool {
	return res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden ||
		(res.StatusCode == http.StatusNotFound && (strings.Contains(rule, ":") || strings.HasPrefix(path, "/a/") || strings.HasPrefix(path, "/p/"))) ||
		(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"))
}

// refusedAfterRule says which routes a role passes the access rule of and the handler
// then refuses, each for its reason.
func refusedAfterRule(r accessRole, b *accessBoard, key string) bool {
	switch key {
	case "POST /plans/:id/sign":
		return true // no one holds an office the plan names
	case "POST /actions/:id/updates", "POST /actions/:id/complete", "POST /actions/:id/respond",
		"POST /api/v1/actions/:id/updates", "POST /api/v1/actions/:id/complete":
		return r.member && !r.clerk // a member reads the officer's action; only its owners (and the clerk) change it
	case "POST /plan-actions/:id", "POST /plan-actions/:id/documents":
		return r.chair && !r.clerk // Priya Natarajan leads the plan action
	case "GET /papers/:id", "GET /meetings/:id/pack-restricted.pdf":
		return b.board.Public && !r.member // the paper is on an exempt item, the restricted pack holds it
	case "GET /meetings/:id/minutes/versions", "GET /meetings/:id/minutes/diff":
		return b.board.Public && !r.member // earlier versions are drafts: the public sees the approved text only
	}
	return false
}

// TestAccessEveryRole tries every route of the access table as each of the ten roles on
// the private board and on the public one, and checks that exactly those the rules let
// through get through.
func TestAccessEveryRole(t *testing.T) {
	w := newAccessWorld(t)
	keys := make([]string, 0, len(access))
	for k := range access {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tried := map[string]bool{}
	for _, b := range []*accessBoard{w.private, w.public} {
		for _, r := range w.roles(b) {
			r.client.t = t
			tried[r.name] = true
			// What no answer to someone off the board may hold, posts' answers too (a
			// form shown again, an error page).
			secrets := w.exempt
			if b == w.private {
				secrets = []string{w.hidden, w.plan}
				if r.link {
					secrets = secrets[:1] // the plan link shows its plan's title
				}
			}
			if r.member {
				secrets = nil
			}
			for _, key := range keys {
				rule := access[key]
				if key == "POST /logout" || key == "POST /login" {
					continue // would end or replace the session the other checks use
				}
				method, path := w.path(key, rule, b, b.ids, r)
				res := r.send(method, path)
				if res.StatusCode >= 500 {
					t.Errorf("%s %s as %s on the %s board: %d", method, path, r.name, b.name, res.StatusCode)
				}
				for _, secret := range secrets {
					if strings.Contains(res.body, secret) {
						t.Errorf("LEAK: %s %s as %s (%d) holds %q", method, path, r.name, res.StatusCode, secret)
					}
				}
				want := r.passes(key, rule, b.board.Public) && !refusedAfterRule(r, b, key)
				if got := !accessDenied(res, rule, path); got != want {
					t.Errorf("%s %s (%s) as %s on the %s board: status %d, allowed should be %v", method, path, rule, r.name, b.name, res.StatusCode, want)
				}
			}
		}
	}
	if len(tried) != 10 {
		t.Errorf("%d roles tried, want 10: %v", len(tried), tried)
	}
}

// bodyReader reads what a reader gets from an answer: the text of a PDF, the cells of a
// spreadsheet, else the body as sent.
type bodyReader struct {
	t    *testing.T
	seen map[[32]byte]string
}

func (br *bodyReader) text(res response) string {
	ct := res.Header.Get("Content-Type")
	raw := []byte(res.body)
	key := sha256.Sum256(raw)
	if s, ok := br.seen[key]; ok {
		return s
	}
	out := res.body
	switch {
	case strings.Contains(ct, "pdf") && bytes.HasPrefix(raw, []byte("%PDF")) && len(raw) > 100:
		out += "\n" + pdfText(br.t, raw)
	case strings.Contains(ct, "spreadsheetml"):
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			br.t.Fatalf("a spreadsheet that does not open: %v", err)
		}
		for _, sh := range f.GetSheetList() {
			rows, _ := f.GetRows(sh)
			for _, row := range rows {
				out += "\n" + strings.Join(row, "\t")
			}
		}
		f.Close()
	}
	br.seen[key] = out
	return out
}

// sweep fetches, as the role, every reading route of the access table with the ids, and
// the extra addresses, and reports each answer that holds a secret.
func (w *accessWorld) sweep(t *testing.T, br *bodyReader, r accessRole, b *accessBoard, ids map[string]int64, extra []string, secrets []string) int {
	t.Helper()
	r.client.t = t
	var paths []string
	for key, rule := range access {
		if !strings.HasPrefix(key, "GET ") {
			continue
		}
		_, path := w.path(key, rule, b, ids, r)
		paths = append(paths, path)
	}
	paths = append(paths, extra...)
	sort.Strings(paths)
	n := 0
	for _, path := range paths {
		res := r.client.get(path)
		n++
		text := br.text(res)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("LEAK: GET %s as %s (%d) holds %q", path, r.name, res.StatusCode, s)
			}
		}
	}
	return n
}

// accessShows checks that an entitled role does see the secret, so that a sweep finding
// nothing means something.
func accessShows(t *testing.T, br *bodyReader, c *client, who, path string, secrets ...string) {
	t.Helper()
	c.t = t
	res := c.get(path)
	text := br.text(res)
	for _, s := range secrets {
		if !strings.Contains(text, s) {
			t.Errorf("GET %s as %s (%d) lacks %q, which it is entitled to", path, who, res.StatusCode, s)
		}
	}
}

// TestAccessNoLeaks looks for each secret in every answer to each role that must not see
// it: the exempt item (its presenter, and its papers' titles and text), draft minutes and
// a private board's data. The exempt item's number, title and reason are public: the
// printed agenda of a public board shows them, and so does everything else.
func TestAccessNoLeaks(t *testing.T) {
	w := newAccessWorld(t)
	br := &bodyReader{t: t, seen: map[[32]byte]string{}}
	c := w.signedIn
	pub, priv := w.public, w.private
	next := fmt.Sprintf("/meetings/%d", w.next.ID)
	m3 := fmt.Sprintf("/meetings/%d", w.m3.ID)
	total := 0

	// The entitled see the secrets where they are.
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", next, "Quillfeather", "Marrowgate", "Ravensmoor")
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", next+"/pack-restricted.pdf", "Quillfeather", "Marrowgate", "Thistlecombe", "Ravensmoor")
	accessShows(t, br, c["clerk@northvale.example"], "the clerk", next+"/agenda.pdf", "Quillfeather", "Marrowgate")
	accessShows(t, br, c["clerk@northvale.example"], "the clerk", m3+"/minutes", w.draft)
	accessShows(t, br, c["clerk@northvale.example"], "the clerk", m3+"/minutes.pdf", w.draft)
	accessShows(t, br, c["clerk@northvale.example"], "the clerk", "/api/v1"+m3+"/minutes", w.draft)
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", "/api/v1"+next, "Quillfeather", "Marrowgate")
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", fmt.Sprintf("/boards/%d/actions", priv.board.ID), w.hidden)
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", fmt.Sprintf("/boards/%d/actions.xlsx", priv.board.ID), w.hidden)
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", fmt.Sprintf("/boards/%d/actions.csv", priv.board.ID), w.hidden)
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", fmt.Sprintf("/boards/%d/meetings.ics", priv.board.ID), w.hidden)
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", fmt.Sprintf("/plans/%d", priv.ids["plan"]), w.plan)

	// The public hears that the exempt item has a late paper, and no more.
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", next+"/pack", "Ravensmoor")
	accessShows(t, br, w.s.client(), "the public", next+"/pack", "an exempt paper")
	accessShows(t, br, w.s.client(), "the public", next, "Closure order: licensed premises", "Schedule 12A paragraph 7")

	// The pack's mail tells members what changed, and the substitute named for the
	// meeting (not entitled to the restricted pack) only that an exempt paper came.
	mail, err := outbox.ByKeyPrefix(context.Background(), w.s.app.db, fmt.Sprintf("pack:meeting:%d:v2:", w.next.ID))
	if err != nil {
		t.Fatal(err)
	}
	subs := 0
	for _, m := range mail {
		switch {
		case m.To == "tobias.grant@northvale.example":
			subs++
			if strings.Contains(m.Body, "Ravensmoor") || !strings.Contains(m.Body, "an exempt paper") {
				t.Errorf("LEAK: the mail to the substitute names the exempt paper:\n%s", m.Body)
			}
		case m.To == "priya.natarajan@northvale.example" && !strings.Contains(m.Body, "Ravensmoor"):
			t.Errorf("the mail to a member does not name the late paper:\n%s", m.Body)
		}
	}
	if subs != 1 {
		t.Errorf("%d mails of version 2 to the named substitute, want 1", subs)
	}

	// The exempt item and its papers: to the public and to anyone not on the board.
	exemptExtra := []string{next + "/pack.pdf?version=1", next + "/pack.pdf?version=2", next + "/pack.pdf?supplement=1",
		next + "/pack-restricted.pdf?version=1", next + "/pack-restricted.pdf?supplement=1",
		fmt.Sprintf("/papers/%d", w.exPaper[1]), fmt.Sprintf("/api/v1/boards/%d/meetings", pub.board.ID)}
	outsiders := func(b *accessBoard) []accessRole {
		var out []accessRole
		for _, r := range w.roles(b) {
			if !r.member {
				out = append(out, r)
			}
		}
		return out
	}
	exIDs := cloneIDs(pub.ids)
	exIDs["item"] = w.exItem
	for _, r := range outsiders(pub) {
		total += w.sweep(t, br, r, pub, exIDs, exemptExtra, w.exempt)
	}

	// Draft minutes: to all but the clerk (and admins), the chair too until they are sent.
	draftIDs := cloneIDs(pub.ids)
	draftIDs["meeting"], draftIDs["minutes"] = w.m3.ID, w.m3.ID
	draftExtra := []string{m3 + "/minutes/diff?from=1&to=9", next + "/pack.pdf", next + "/pack-restricted.pdf", next + "/agenda.pdf", next}
	for _, r := range w.roles(pub) {
		if !r.clerk {
			total += w.sweep(t, br, r, pub, draftIDs, draftExtra, []string{w.draft})
		}
	}
	// Sent to the chair, the chair reads them, and still no one else; circulated, the
	// members read them, and still not the public or anyone off the board.
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "access proof"})
	if err := w.s.app.minutes.SendToChair(ctx, w.m3.ID); err != nil {
		t.Fatal(err)
	}
	accessShows(t, br, c["chair@northvale.example"], "the chair", m3+"/minutes", w.draft)
	for _, r := range w.roles(pub) {
		if !r.clerk && !r.chair {
			total += w.sweep(t, br, r, pub, draftIDs, draftExtra, []string{w.draft})
		}
	}
	if err := w.s.app.minutes.Circulate(ctx, w.m3.ID); err != nil {
		t.Fatal(err)
	}
	accessShows(t, br, c["priya.natarajan@northvale.example"], "a partner", m3+"/minutes.pdf", w.draft)
	for _, r := range outsiders(pub) {
		total += w.sweep(t, br, r, pub, draftIDs, draftExtra, []string{w.draft})
	}

	// The private board: to everyone not on it, the chair and a partner of the board it
	// reports to among them. The officer reads their own action on it, and nothing else.
	private := outsiders(priv)
	private = append(private,
		accessRole{name: "chair of the board it reports to", client: c["chair@northvale.example"], account: true},
		accessRole{name: "partner of the board it reports to", client: c[kwameEmail], account: true})
	privExtra := []string{"/", "/my/meetings", "/my/meetings.ics", "/my/actions", "/my/actions.ics", "/api/v1/boards",
		fmt.Sprintf("/actions/%d", w.secretAction), fmt.Sprintf("/api/v1/actions/%d", w.secretAction),
		fmt.Sprintf("/boards/%d/actions?q=underpass", pub.board.ID), fmt.Sprintf("/boards/%d/actions?q=underpass", priv.board.ID), fmt.Sprintf("/boards/%d/dashboard", pub.board.ID)}
	privIDs := cloneIDs(priv.ids)
	privIDs["item"] = w.hiddenItem
	for _, r := range private {
		secrets := []string{w.hidden, w.plan}
		if r.link {
			secrets = secrets[:1] // the plan link shows its plan's title
		}
		total += w.sweep(t, br, r, priv, privIDs, privExtra, secrets)
	}
	t.Logf("%d answers read for secrets", total)
}

func cloneIDs(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestAccessSignedLinkOnlyItsAction: the emailed link opens its one action and changes
// that action alone; it signs no one in, so no other page of the board opens with it,
// and a link altered by one character is one Quorum never sent.
func TestAccessSignedLinkOnlyItsAction(t *testing.T) {
	w := newAccessWorld(t)
	ctx := context.Background()
	b := w.private
	link := w.s.client()
	link.t = t
	res := link.get("/a/" + b.token)
	wantStatus(t, "the link", res, http.StatusOK)
	if !strings.Contains(res.body, "Send the youth outreach rota to the private board") {
		t.Error("the link's page lacks its action")
	}
	for _, s := range []string{w.hidden, "Send the youth outreach rota to the public board"} {
		if strings.Contains(res.body, s) {
			t.Errorf("the link's page shows %q, of another action", s)
		}
	}

	res = link.post("/a/"+b.token+"/update", url.Values{"text": {"Rota sent to the three secondary schools"}})
	wantStatus(t, "an update by link", res, http.StatusSeeOther)
	for id, want := range map[int64]int{w.officerAction: 1, w.secretAction: 0, w.public.ids["action"]: 0} {
		ups, err := w.s.app.actions.Updates(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, u := range ups {
			if strings.Contains(u.Text, "three secondary schools") {
				n++
			}
		}
		if n != want {
			t.Errorf("action %d has %d of the link's updates, want %d", id, n, want)
		}
	}

	// Having used the link, the same browser is still no one.
	for _, path := range []string{fmt.Sprintf("/actions/%d", w.officerAction), fmt.Sprintf("/actions/%d", w.secretAction),
		fmt.Sprintf("/api/v1/actions/%d", w.secretAction), fmt.Sprintf("/boards/%d/actions", b.board.ID), "/my/actions"} {
		res := link.get(path)
		if !accessDenied(res, "member:action", path) || strings.Contains(res.body, w.hidden) {
			t.Errorf("GET %s after using the link: %d, want a refusal", path, res.StatusCode)
		}
	}
	for _, path := range []string{fmt.Sprintf("/actions/%d/updates", w.secretAction), fmt.Sprintf("/actions/%d/complete", w.officerAction)} {
		if res := link.post(path, url.Values{"text": {"by the link's browser"}, "note": {"done"}}); !accessDenied(res, "member:action", path) {
			t.Errorf("POST %s after using the link: %d, want a refusal", path, res.StatusCode)
		}
	}

	// A link altered, cut short or of the other kind is not a link.
	flip := []byte(b.token)
	flip[len(flip)-1] ^= 1
	for _, path := range []string{"/a/" + string(flip), "/a/" + b.token[:len(b.token)-1], "/a/" + b.planToken, "/p/" + b.token} {
		res := link.get(path)
		if res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "outreach rota") {
			t.Errorf("GET %s: %d, want 404 telling nothing", path, res.StatusCode)
		}
	}

	// The plan link opens its plan action, and none of the board's action log.
	res = link.get("/p/" + b.planToken)
	wantStatus(t, "the plan link", res, http.StatusOK)
	if !strings.Contains(res.body, w.planActionText) {
		t.Errorf("the plan link's page lacks its action %q", w.planActionText)
	}
	if strings.Contains(res.body, "Hollowmere underpass") {
		t.Error("the plan link's page shows an action of the board's log")
	}
	if w.planSibling == "" || strings.Contains(res.body, w.planSibling) {
		t.Errorf("the plan link's page shows another action of the plan, %q", w.planSibling)
	}
}
