package main

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// formsFuzzSkipped are the posts the forms fuzzer leaves out: they end or change the
// fuzzer's own session, or cancel the meeting every other form is tried against.
var formsFuzzSkipped = map[string]bool{
	"POST /login": true, "POST /logout": true, "POST /account/password": true,
	"POST /meetings/:id/cancel": true, "POST /items/:id/remove": true,
}

// formsFuzzSeed fills in the fields the site's forms read, with plausible values.
const formsFuzzSeed = "title=Budget+2026&text=ACTION+%40JS%3A+send+the+plan+by+next+meeting&owners=%40JS%2C+%40police&due=30%2F06%2F2026" +
	"&date=2026-06-17&time=10%3A00&end_time=12%3A00&series_time=10%3A00&dates=2026-09-17%0A2026-12-10&first_date=2026-06-18&every=3&until=2027-04-30" +
	"&purpose=for+decision&presenter=Chair&name=Jo+Bloggs&email=jo%40example.org&initials=JB&handle=jo&status=open&note=done" +
	"&mode=virtual&place=Town+Hall&exempt=1&exempt_reason=paragraph+3&person_id=1&role=Chair&short_name=JB&start_year=2026&end_year=2027" +
	"&starts_on=2026-01-01&ends_on=2026-12-31&deadline=2026-05-01&days_before=7&direction=up&to_meeting=2&duration_minutes=90&version=1" +
	"&comment=Fine&signed_on=2026-03-01&reason=no+longer+needed&theme_title=Theme&new_title=New&kind=member&nature=Trustee"

// formsFuzzJSON is the JSON API's seed: the fields its bodies carry, some of them wrong.
const formsFuzzJSON = `{"title":"Budget","name":"Jo Bloggs","short_name":"JB","starts_at":"2026-06-17T10:00:00Z","ends_at":"2026-06-17T09:00:00Z",` +
	`"text":"## 1. Welcome\nACTION @JS: send it (by 31 February 2026)\n","version":1,"note":"done","purpose":"for decision",` +
	`"due":{"date":"2026-02-30","next":true},"owners":["@JS","@nobody"],"exempt":true,"mode":"virtual","approved_at_meeting":-1}`

// FuzzFormPosts posts any form body to every state-changing route of the real router, as
// an admin (who passes every access rule), against the demo partnership, and any JSON to
// the API's: whatever is posted, the answer is never a 5xx. Seeds: each route with the
// usual fields filled in, and a few forms as clerks send them.
func FuzzFormPosts(f *testing.F) {
	s := newTestServer(f)
	admin := s.signedIn(f, "admin@northvale.example")
	ids := map[string]int64{}
	for kind, q := range map[string]string{
		"board":         `SELECT id FROM boards WHERE short_name = 'NSCP'`,
		"meeting":       `SELECT id FROM meetings WHERE board_id = (SELECT id FROM boards WHERE short_name = 'NSCP') AND starts_at > datetime('now') ORDER BY starts_at LIMIT 1`,
		"item":          `SELECT i.id FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.board_id = (SELECT id FROM boards WHERE short_name = 'NSCP') AND m.starts_at > datetime('now') ORDER BY m.starts_at, i.id LIMIT 1`,
		"membership":    `SELECT id FROM memberships ORDER BY id LIMIT 1`,
		"forward":       `SELECT id FROM forward_plan ORDER BY id LIMIT 1`,
		"action":        `SELECT id FROM actions ORDER BY id LIMIT 1`,
		"plan":          `SELECT id FROM plans ORDER BY id LIMIT 1`,
		"plan_action":   `SELECT id FROM plan_actions ORDER BY id LIMIT 1`,
		"plan_document": `SELECT id FROM plan_documents ORDER BY id LIMIT 1`,
		"paper":         `SELECT id FROM papers ORDER BY id LIMIT 1`,
		"person":        `SELECT id FROM people ORDER BY id LIMIT 1`,
	} {
		var id int64
		s.app.db.QueryRow(q).Scan(&id)
		ids[kind] = id
	}
	var paths []string
	for _, r := range s.site.Routes() {
		if r.Method == http.MethodGet || formsFuzzSkipped[r.Method+" "+r.Path] {
			continue
		}
		kind := r.Access.Kind
		if kind == "" {
			kind = "person" // /people/:id, /organisations/:id
		}
		p := strings.NewReplacer(":id", fmt.Sprint(ids[kind]), ":token", "abc", "*path", "x").Replace(r.Path)
		paths = append(paths, r.Method+" "+p)
	}
	sort.Strings(paths)
	if len(paths) < 50 {
		f.Fatalf("only %d routes to post to", len(paths))
	}
	for i, p := range paths {
		if strings.Contains(p, " /api/") {
			f.Add(uint16(i), formsFuzzJSON)
		} else {
			f.Add(uint16(i), formsFuzzSeed)
		}
	}
	at := func(prefix string) uint16 {
		for i, p := range paths {
			if strings.HasPrefix(p, prefix) {
				return uint16(i)
			}
		}
		f.Fatalf("no route %s", prefix)
		return 0
	}
	f.Add(at(fmt.Sprintf("POST /boards/%d/series", ids["board"])), "series_time=25%3A00&dates=2026-02-30%3B+2026-13-01&every=0")
	f.Add(at(fmt.Sprintf("POST /boards/%d/meetings", ids["board"])), "date=9999-12-31&time=23%3A59&mode=underwater")
	f.Add(at(fmt.Sprintf("POST /boards/%d/actions", ids["board"])), "text=%00%FF&owners=%40%40%40&due=by+31%2F02%2F2026")
	f.Add(at(fmt.Sprintf("POST /meetings/%d/minutes", ids["meeting"])), "text=%23%23+7a.+VRAP%0ARESOLVED+that%0A%0A1)+one%0A%0AACTION+%40JS%2C+%40partners%3A+do+it+(by+30+April+2021)%0A&version=x")
	f.Add(at(fmt.Sprintf("POST /meetings/%d/attendance", ids["meeting"])), "person_id=-1&status=present&substitute_for=99999999999999999999")
	f.Add(at(fmt.Sprintf("POST /plans/%d/actions", ids["plan"])), "new_title=x&new_start_date=2026-02-30&new_rag=purple")
	f.Fuzz(func(t *testing.T, route uint16, body string) {
		method, path, _ := strings.Cut(paths[int(route)%len(paths)], " ")
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := admin.http.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s with %q: %d", method, path, body, res.StatusCode)
		}
	})
}
