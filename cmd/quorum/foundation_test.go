package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignInAndOut(t *testing.T) {
	s := newTestServer(t)
	c := s.client()
	c.t = t
	if res := c.get("/login"); res.StatusCode != 200 || !strings.Contains(res.body, `id="email"`) {
		t.Fatalf("login page: %d", res.StatusCode)
	}
	wrongPassword := c.post("/login", url.Values{"email": {"clerk@northvale.example"}, "password": {"not-the-password"}})
	unknownEmail := c.post("/login", url.Values{"email": {"nobody@northvale.example"}, "password": {"not-the-password"}})
	if wrongPassword.StatusCode != 401 || unknownEmail.StatusCode != 401 {
		t.Fatalf("bad sign-in: %d and %d, want 401", wrongPassword.StatusCode, unknownEmail.StatusCode)
	}
	msg := "The email address or password is not right"
	if !strings.Contains(wrongPassword.body, msg) || !strings.Contains(unknownEmail.body, msg) {
		t.Error("a wrong email and a wrong password must get the same message (no account enumeration)")
	}
	if res := c.get("/account"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("account page when signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res := c.post("/login", url.Values{"email": {"clerk@northvale.example"}, "password": {demoPassword}, "next": {"https://evil.example/"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign in: %d to %q (an outside next must not be followed)", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.get("/account"); res.StatusCode != 200 || !strings.Contains(res.body, "Tom Brennan") {
		t.Fatalf("account page: %d", res.StatusCode)
	}
	// Change password: wrong current, mismatch, then right.
	if res := c.post("/account/password", url.Values{"current": {"nope"}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}}); res.StatusCode != 422 {
		t.Errorf("wrong current password: %d", res.StatusCode)
	}
	if res := c.post("/account/password", url.Values{"current": {demoPassword}, "new": {"short"}, "confirm": {"short"}}); res.StatusCode != 422 {
		t.Errorf("short new password: %d", res.StatusCode)
	}
	if res := c.post("/account/password", url.Values{"current": {demoPassword}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}}); res.StatusCode != 303 {
		t.Fatalf("change password: %d %s", res.StatusCode, res.body)
	}
	if res := c.post("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res := c.get("/login"); !strings.Contains(res.body, "You have signed out") {
		t.Error("no message after signing out")
	}
	if res := c.get("/account"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("still signed in after sign out: %d", res.StatusCode)
	}
	if res := c.post("/login", url.Values{"email": {"clerk@northvale.example"}, "password": {"a-new-password-1"}}); res.StatusCode != 303 {
		t.Fatalf("sign in with the new password: %d", res.StatusCode)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	s := newTestServer(t)
	c := s.client()
	c.t = t
	var last int
	for i := 0; i < 12; i++ {
		last = c.post("/login", url.Values{"email": {"chair@northvale.example"}, "password": {"guess-" + fmt.Sprint(i)}}).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("after 12 failures: %d, want 429", last)
	}
	if res := c.post("/login", url.Values{"email": {"chair@northvale.example"}, "password": {demoPassword}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right password during the lock-out: %d, want 429", res.StatusCode)
	}
}

func countRows(t *testing.T, s *testServer, table string) int {
	var n int
	if err := s.app.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClerkCreatesBoardAndMember(t *testing.T) {
	s := newTestServer(t)
	c := s.signedIn(t, "clerk@northvale.example")
	boards := countRows(t, s, "boards")
	long := strings.Repeat("x", 201)
	for _, bad := range []url.Values{
		{"name": {""}, "short_name": {"YJB"}},
		{"name": {long}, "short_name": {"YJB"}},
		{"name": {"Youth Justice Board"}, "short_name": {"NSCP"}},
		{"name": {"Youth Justice Board"}, "short_name": {"Y J B"}},
	} {
		res := c.post("/boards", bad)
		if res.StatusCode != 422 || !strings.Contains(res.body, "govuk-error-summary") {
			t.Errorf("bad board %v: %d, want 422 with an error summary", bad, res.StatusCode)
		}
	}
	if n := countRows(t, s, "boards"); n != boards {
		t.Fatalf("bad input changed the boards: %d -> %d", boards, n)
	}
	res := c.post("/boards", url.Values{"name": {"Youth Justice Board"}, "short_name": {"yjb"}, "numbering": {"yearly"}, "year_start_month": {"4"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create board: %d %s", res.StatusCode, res.body)
	}
	loc := res.Header.Get("Location")
	b, err := s.app.meetings.BoardByShortName(context.Background(), "YJB")
	if err != nil || b.Numbering != "yearly" || b.YearStartMonth != 4 {
		t.Fatalf("board = %+v, %v", b, err)
	}
	p, err := s.app.meetings.PersonByEmail(context.Background(), "linda.shaw@northvale.example")
	if err != nil {
		t.Fatal(err)
	}
	if res := c.post(loc+"/members", url.Values{"person_id": {"99999"}, "role": {"member"}}); res.StatusCode != 422 {
		t.Errorf("unknown person: %d", res.StatusCode)
	}
	if res := c.post(loc+"/members", url.Values{"person_id": {fmt.Sprint(p.ID)}, "role": {"emperor"}}); res.StatusCode != 422 {
		t.Errorf("unknown role: %d", res.StatusCode)
	}
	if res := c.post(loc+"/members", url.Values{"person_id": {fmt.Sprint(p.ID)}, "role": {"vice-chair"}, "starts_on": {"2026-05-01"}}); res.StatusCode != 303 {
		t.Fatalf("add member: %d %s", res.StatusCode, res.body)
	}
	page := c.get(loc)
	if page.StatusCode != 200 || !strings.Contains(page.body, "Linda Shaw") || !strings.Contains(page.body, "Probation Service (Northvale)") || !strings.Contains(page.body, "Vice-Chair") {
		t.Fatalf("board page does not show the member under their organisation: %d", page.StatusCode)
	}
	yjb, _ := s.app.meetings.BoardByShortName(context.Background(), "YJB")
	m := yjb.Members[0]
	deputy, _ := s.app.meetings.PersonByEmail(context.Background(), "sarah.whitfield@northvale.example")
	mpath := fmt.Sprintf("/memberships/%d", m.ID)
	if res := c.post(mpath, url.Values{"role": {"member"}, "starts_on": {"2026-05-01"}, "ends_on": {"2026-04-01"}}); res.StatusCode != 422 {
		t.Errorf("end before start: %d", res.StatusCode)
	}
	if res := c.post(mpath, url.Values{"role": {"member"}, "starts_on": {"2026-05-01"}, "ends_on": {"2027-04-30"}, "deputy_id": {fmt.Sprint(deputy.ID)}}); res.StatusCode != 303 {
		t.Fatalf("change membership: %d %s", res.StatusCode, res.body)
	}
	got, _ := s.app.meetings.Membership(context.Background(), m.ID)
	if got.Role != "member" || got.EndsOn != "2027-04-30" || got.DeputyName != "Insp Sarah Whitfield" {
		t.Errorf("membership after change = %+v", got)
	}
	if res := c.get("/boards/99999"); res.StatusCode != 404 {
		t.Errorf("unknown board: %d", res.StatusCode)
	}
	if res := c.get("/boards/abc"); res.StatusCode != 404 {
		t.Errorf("non-numeric id: %d", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.URL+loc, nil)
	if res := c.do(req); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("wrong method: %d", res.StatusCode)
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	s := newTestServer(t)
	c := s.signedIn(t, "clerk@northvale.example")
	boards := countRows(t, s, "boards")
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/boards", strings.NewReader("name=Evil&short_name=EVIL"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := c.do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d, want 403", res.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/boards", strings.NewReader("name=Evil&short_name=EVIL"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res := c.do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("post from another origin: %d, want 403", res.StatusCode)
	}
	if n := countRows(t, s, "boards"); n != boards {
		t.Fatal("a cross-origin post changed the boards")
	}
}

func TestSecurityHeadersAndHealth(t *testing.T) {
	s := newTestServer(t)
	c := s.client()
	c.t = t
	res := c.get("/healthz")
	if res.StatusCode != 200 {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	for h, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff"} {
		if !strings.Contains(res.Header.Get(h), want) {
			t.Errorf("%s = %q", h, res.Header.Get(h))
		}
	}
	big := strings.NewReader("name=" + strings.Repeat("a", maxBody+10))
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/login", big)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := c.do(req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized sign-in form: %d, want 413", res.StatusCode)
	}
	// A clerk's form over the cap is a 413 that says so, and nothing is saved; not a form
	// re-shown with every field empty.
	clerk := s.signedIn(t, "clerk@northvale.example")
	form := url.Values{"name": {"Oversized Board"}, "short_name": {"OVR"}, "description": {strings.Repeat("a", maxBody)}}
	res = clerk.post("/boards", form)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "nothing was saved") {
		t.Errorf("an oversized board form: %d %s", res.StatusCode, between(res.body, "<main", "</main>"))
	}
	if strings.Contains(clerk.get("/").body, "Oversized Board") {
		t.Errorf("the oversized form saved a board")
	}
}

func TestAPIBoardsWithToken(t *testing.T) {
	s := newTestServer(t)
	var out bytes.Buffer
	dbFile := filepath.Join(t.TempDir(), "api.db")
	ctx := context.Background()
	_ = dbFile
	u, err := s.app.users.UserByEmail(ctx, "clerk@northvale.example")
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.app.users.CreateToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := s.client()
	c.t = t
	res := c.json("GET", "/api/v1/boards", token, "")
	var list struct {
		Data []struct {
			ID        int64  `json:"id"`
			ShortName string `json:"short_name"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.body), &list); err != nil || len(list.Data) != 2 {
		t.Fatalf("boards: %d %s", res.StatusCode, res.body)
	}
	res = c.json("GET", fmt.Sprintf("/api/v1/boards/%d", list.Data[0].ID), token, "")
	if res.StatusCode != 200 || !strings.Contains(res.body, `"members"`) {
		t.Fatalf("board: %d %s", res.StatusCode, res.body)
	}
	res = c.json("POST", "/api/v1/boards", token, `{"name": "Health and Wellbeing Board", "short_name": "HWB"}`)
	if res.StatusCode != 201 {
		t.Fatalf("create board: %d %s", res.StatusCode, res.body)
	}
	for _, bad := range []struct {
		body string
		code int
	}{
		{`{"name": "", "short_name": "HWB2"}`, 422},
		{`{"name": "Dup", "short_name": "HWB"}`, 422},
		{`not json`, 422},
	} {
		res = c.json("POST", "/api/v1/boards", token, bad.body)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if res.StatusCode != bad.code || json.Unmarshal([]byte(res.body), &e) != nil || e.Error.Code != "EINVALID" || e.Error.Message == "" {
			t.Errorf("%s: %d %s", bad.body, res.StatusCode, res.body)
		}
	}
	if res := c.json("GET", "/api/v1/boards", "qrm_not-a-token", ""); res.StatusCode != 401 {
		t.Errorf("bad token: %d", res.StatusCode)
	}
	res = c.json("POST", fmt.Sprintf("/api/v1/boards/%d/meetings", list.Data[0].ID), token, `{"starts_at": "2027-01-14T10:00:00Z", "mode": "virtual", "place": "Teams"}`)
	if res.StatusCode != 201 || !strings.Contains(res.body, `"items"`) || !strings.Contains(res.body, `"kind":"standard"`) {
		t.Fatalf("schedule: %d %s", res.StatusCode, res.body)
	}
	_ = out
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "q.db")
	ctx := context.Background()
	env := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "-db", dbFile}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"demo", "-db", dbFile}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"demo", "-db", dbFile}, env, nil, &out); err == nil {
		t.Error("demo twice must refuse")
	}
	out.Reset()
	if err := run(ctx, []string{"user", "add", "-db", dbFile, "-email", "new.clerk@example.org", "-name", "New Clerk", "-role", "clerk", "-password-stdin"},
		env, strings.NewReader("a-long-password\n"), &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "add", "-db", dbFile, "-email", "new.clerk@example.org", "-name", "Again", "-role", "clerk"}, env, nil, &out); err == nil {
		t.Error("duplicate account must be refused")
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "-email", "new.clerk@example.org"}, func(k string) string {
		if k == "QUORUM_DB" {
			return dbFile
		}
		return ""
	}, nil, &out); err != nil || !strings.HasPrefix(out.String(), "qrm_") {
		t.Fatalf("token: %q %v", out.String(), err)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := run(ctx, []string{"backup", "-db", dbFile, "-o", backup}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var ok string
	a.db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Fatalf("backup integrity: %s", ok)
	}
	if _, err := a.users.UserByEmail(ctx, "new.clerk@example.org"); err != nil {
		t.Fatal("backup lacks the account")
	}
	if err := run(ctx, []string{"backup", "-db", dbFile, "-o", backup}, env, nil, &out); err == nil {
		t.Error("backup over an existing file must refuse")
	}
}

func TestClerkEditsOrganisation(t *testing.T) {
	s := newTestServer(t)
	c := s.signedIn(t, "clerk@northvale.example")
	ctx := context.Background()
	orgs, _ := s.app.meetings.Organisations(ctx)
	var fire int64
	for _, o := range orgs {
		if o.Handle == "fire" {
			fire = o.ID
		}
	}
	path := fmt.Sprintf("/organisations/%d", fire)
	if res := c.get(path); res.StatusCode != 200 || !strings.Contains(res.body, "Northvale Fire and Rescue Service") {
		t.Fatalf("edit page: %d", res.StatusCode)
	}
	if res := c.post(path, url.Values{"name": {"Northvale Police"}, "handle": {"fire"}, "kind": {"fire"}, "partner": {"1"}}); res.StatusCode != 422 {
		t.Errorf("duplicate name: %d", res.StatusCode)
	}
	if res := c.post(path, url.Values{"name": {"Northvale Fire Service"}, "handle": {"fire"}, "kind": {"volcano"}}); res.StatusCode != 422 {
		t.Errorf("unknown kind: %d", res.StatusCode)
	}
	if res := c.post(path, url.Values{"name": {"Northvale Fire Service"}, "handle": {"nfs"}, "kind": {"fire"}}); res.StatusCode != 303 {
		t.Fatalf("save: %d %s", res.StatusCode, res.body)
	}
	o, _ := s.app.meetings.Organisation(ctx, fire)
	if o.Name != "Northvale Fire Service" || o.Handle != "nfs" || o.Partner {
		t.Errorf("after save: %+v", o)
	}
	if res := c.get("/organisations/99999"); res.StatusCode != 404 {
		t.Errorf("unknown organisation: %d", res.StatusCode)
	}
}
