package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"quorum/internal/auth"
	"quorum/meetings"
)

// access lists every route with who may use it. A route added to the router without a
// line here fails TestEveryRouteHasAnAccessRule, so no page is public by accident.
var access = map[string]string{
	"GET /static/*path":                "public",
	"GET /healthz":                     "public",
	"GET /readyz":                      "public",
	"GET /metrics":                     "public", // the handler asks for the metrics token, and is a 404 without one set
	"GET /login":                       "public",
	"POST /login":                      "public",
	"POST /logout":                     "public",
	"GET /account":                     "signed-in",
	"POST /account/password":           "signed-in",
	"GET /":                            "public",
	"GET /boards/new":                  "any-clerk",
	"POST /boards":                     "any-clerk",
	"GET /boards/:id":                  "member:board",
	"GET /boards/:id/edit":             "clerk:board",
	"POST /boards/:id":                 "clerk:board",
	"POST /boards/:id/members":         "clerk:board",
	"POST /boards/:id/standing-items":  "clerk:board",
	"POST /boards/:id/meetings":        "clerk:board",
	"POST /memberships/:id":            "clerk:membership",
	"GET /meetings/:id":                "member:meeting",
	"POST /meetings/:id/items":         "clerk:meeting",
	"POST /meetings/:id/attendance":    "clerk:meeting",
	"GET /my/meetings":                 "signed-in",
	"GET /people":                      "any-clerk",
	"POST /people":                     "any-clerk",
	"GET /people/:id":                  "any-clerk",
	"POST /people/:id":                 "any-clerk",
	"GET /organisations":               "any-clerk",
	"POST /organisations":              "any-clerk",
	"GET /organisations/:id":           "any-clerk",
	"POST /organisations/:id":          "any-clerk",
	"GET /api/v1/boards":               "public",
	"POST /api/v1/boards":              "any-clerk",
	"GET /api/v1/boards/:id":           "member:board",
	"GET /api/v1/boards/:id/meetings":  "member:board",
	"POST /api/v1/boards/:id/meetings": "clerk:board",
	"GET /api/v1/meetings/:id":         "member:meeting",
	"POST /api/v1/meetings/:id/items":  "clerk:meeting",

	"POST /boards/:id/series":                "clerk:board",
	"GET /boards/:id/forward-plan":           "member:board",
	"POST /boards/:id/forward-plan":          "clerk:board",
	"POST /forward-plan/:id":                 "clerk:forward",
	"GET /boards/:id/interests":              "member:board",
	"POST /meetings/:id/offers":              "clerk:meeting",
	"POST /meetings/:id/publish":             "clerk:meeting",
	"POST /meetings/:id/move":                "clerk:meeting",
	"POST /meetings/:id/cancel":              "clerk:meeting",
	"POST /meetings/:id/attendance/remove":   "clerk:meeting",
	"POST /meetings/:id/apologies":           "member:meeting",
	"POST /meetings/:id/declarations":        "member:meeting",
	"POST /meetings/:id/declarations/remove": "clerk:meeting",
	"GET /items/:id/edit":                    "clerk:item",
	"POST /items/:id":                        "clerk:item",
	"POST /items/:id/move":                   "clerk:item",
	"POST /items/:id/sub-items":              "clerk:item",
	"POST /items/:id/postpone":               "clerk:item",
	"POST /items/:id/remove":                 "clerk:item",
	"POST /items/:id/papers":                 "clerk:item",
	"GET /papers/:id":                        "member:paper",
	"POST /people/:id/interests":             "any-clerk",
	"POST /people/:id/interests/end":         "any-clerk",
	"POST /api/v1/items/:id/papers":          "clerk:item",

	"GET /meetings/:id/minutes":                 "member:meeting",
	"GET /meetings/:id/minutes.md":              "member:meeting",
	"GET /meetings/:id/minutes.pdf":             "member:meeting",
	"GET /meetings/:id/minutes/edit":            "clerk:meeting",
	"POST /meetings/:id/minutes":                "clerk:meeting",
	"POST /meetings/:id/minutes/preview":        "clerk:meeting",
	"POST /meetings/:id/minutes/autosave":       "clerk:meeting",
	"POST /meetings/:id/minutes/upload":         "clerk:meeting",
	"POST /meetings/:id/minutes/send-to-chair":  "clerk:meeting",
	"POST /meetings/:id/minutes/circulate":      "chair:meeting",
	"POST /meetings/:id/minutes/comment":        "chair:meeting",
	"POST /meetings/:id/minutes/approve":        "clerk:meeting",
	"POST /meetings/:id/minutes/sign":           "chair:meeting",
	"GET /meetings/:id/minutes/versions":        "member:meeting",
	"GET /meetings/:id/minutes/diff":            "member:meeting",
	"GET /help/minutes":                         "public",
	"GET /api/v1/meetings/:id/minutes":          "member:meeting",
	"PUT /api/v1/meetings/:id/minutes":          "clerk:meeting",
	"POST /api/v1/meetings/:id/minutes/approve": "clerk:meeting",

	"GET /boards/:id/minutes/import":            "clerk:board",
	"GET /meetings/:id/minutes/import":          "clerk:meeting",
	"POST /meetings/:id/minutes/import":         "clerk:meeting",
	"POST /meetings/:id/minutes/import/owners":  "clerk:meeting",
	"POST /meetings/:id/minutes/import/save":    "clerk:meeting",
	"POST /meetings/:id/minutes/import/discard": "clerk:meeting",

	"GET /boards/:id/actions":           "member:board",
	"GET /boards/:id/actions.csv":       "member:board",
	"GET /boards/:id/actions.xlsx":      "member:board",
	"POST /boards/:id/actions":          "clerk:board",
	"GET /boards/:id/actions/import":    "clerk:board",
	"POST /boards/:id/actions/import":   "clerk:board",
	"GET /boards/:id/dashboard":         "member:board",
	"GET /actions/:id":                  "member-or-owner:action",
	"GET /actions/:id/document":         "member-or-owner:action",
	"POST /actions/:id/updates":         "member-or-owner:action",
	"POST /actions/:id/complete":        "member-or-owner:action",
	"POST /actions/:id/respond":         "member-or-owner:action",
	"POST /actions/:id/drop":            "clerk:action",
	"POST /actions/:id/reopen":          "clerk:action",
	"POST /actions/:id/links":           "clerk:action",
	"POST /actions/:id/links/revoke":    "clerk:action",
	"GET /my/actions":                   "signed-in",
	"GET /my/actions.ics":               "signed-in",
	"GET /a/:token":                     "public",
	"POST /a/:token/update":             "public",
	"POST /a/:token/complete":           "public",
	"GET /api/v1/boards/:id/actions":    "member:board",
	"GET /api/v1/boards/:id/dashboard":  "member:board",
	"GET /api/v1/actions/:id":           "member-or-owner:action",
	"POST /api/v1/actions/:id/updates":  "member-or-owner:action",
	"POST /api/v1/actions/:id/complete": "member-or-owner:action",
	"GET /admin/outbox":                 "admin",

	"GET /boards/:id/plans":               "member:board",
	"POST /boards/:id/plans":              "clerk:board",
	"GET /plans/:id":                      "member:plan",
	"GET /plans/:id/plan.xlsx":            "member:plan",
	"GET /plans/:id/update.pdf":           "member:plan",
	"POST /plans/:id":                     "clerk:plan",
	"POST /plans/:id/themes":              "clerk:plan",
	"POST /plans/:id/actions":             "clerk:plan",
	"GET /plans/:id/import":               "clerk:plan",
	"POST /plans/:id/import":              "clerk:plan",
	"POST /plans/:id/template":            "clerk:plan",
	"POST /plans/:id/signatories":         "clerk:plan",
	"POST /plans/:id/signatories/name":    "clerk:plan",
	"POST /plans/:id/signatures":          "clerk:plan",
	"POST /plans/:id/reminders":           "clerk:plan",
	"GET /plans/:id/sign":                 "signed-in",
	"POST /plans/:id/sign":                "signed-in",
	"GET /plan-actions/:id":               "member-or-owner:plan_action",
	"POST /plan-actions/:id":              "member-or-owner:plan_action",
	"POST /plan-actions/:id/documents":    "member-or-owner:plan_action",
	"POST /plan-actions/:id/links":        "clerk:plan_action",
	"POST /plan-actions/:id/links/revoke": "clerk:plan_action",
	"GET /plan-documents/:id":             "member:plan_document",
	"GET /items/:id/plan-update.pdf":      "member:item",
	"GET /p/:token":                       "public",
	"POST /p/:token":                      "public",
	"GET /api/v1/boards/:id/plans":        "member:board",
	"GET /api/v1/plans/:id":               "member:plan",

	"POST /boards/:id/actions/reminders": "clerk:board",

	"GET /meetings/:id/pack":                "member:meeting",
	"POST /meetings/:id/pack/publish":       "clerk:meeting",
	"GET /meetings/:id/pack.pdf":            "member:meeting",
	"GET /meetings/:id/pack-restricted.pdf": "member:meeting", // and the handler refuses non-members of a public board

	"GET /boards/:id/meetings.ics": "member:board",
	"GET /my/meetings.ics":         "signed-in",
	"GET /meetings/:id/agenda.pdf": "member:meeting",
}

func ruleOf(level, kind string) string {
	if kind == "" {
		return level
	}
	return level + ":" + kind
}

func TestEveryRouteHasAnAccessRule(t *testing.T) {
	s := newTestServer(t)
	registered := map[string]bool{}
	for _, r := range s.site.Routes() {
		key := r.Method + " " + r.Path
		registered[key] = true
		want, ok := access[key]
		if !ok {
			t.Errorf("route %s has no line in the access table", key)
			continue
		}
		if got := ruleOf(r.Access.Level, r.Access.Kind); got != want {
			t.Errorf("route %s is registered as %s, the access table says %s", key, got, want)
		}
	}
	for key := range access {
		if !registered[key] {
			t.Errorf("the access table lists %s, which the router does not serve", key)
		}
	}
}

// TestAccess tries every route as anonymous, a member of the board, its chair, the clerk
// of another board, and an admin, on a board that does not publish, and checks who gets
// through. TestAccessEveryRole (proof_access_test.go) tries all ten roles on a private
// and a public board, and TestAccessNoLeaks reads the answers for secrets.
func TestAccess(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	st := s.app.meetings
	group, err := st.BoardByShortName(ctx, "SVDG")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := st.AllMeetings(ctx, group.ID)
	ids := map[string]int64{"board": group.ID, "meeting": ms[0].ID, "membership": group.Members[0].ID}
	for kind, id := range meetingsAccessIDs(t, st, group.ID) {
		ids[kind] = id
	}
	ids["action"] = actionsAccessID(t, s, group.ID)
	for kind, id := range plansAccessIDs(t, s, group.ID) {
		ids[kind] = id
	}

	// The clerk of another board.
	other := &meetings.Person{Name: "Olu Clerk", Email: "other.clerk@example.org"}
	if err := st.CreatePerson(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateBoard(ctx, &meetings.Board{Name: "Other Board", ShortName: "OTH", ClerkID: other.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.app.users.CreateUser(ctx, &auth.User{Email: other.Email, Name: other.Name, Role: auth.RoleClerk}, demoPassword); err != nil {
		t.Fatal(err)
	}
	people, _ := st.People(ctx)
	personID := people[0].ID

	// The delivery group's chair is Helen Ashworth, who has no account in the demo.
	helen, err := st.PersonByEmail(ctx, "helen.ashworth@northvale.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.app.users.CreateUser(ctx, &auth.User{Email: helen.Email, Name: helen.Name, Role: auth.RoleUser, PersonID: helen.ID}, demoPassword); err != nil {
		t.Fatal(err)
	}
	memberOrPublic := func(r string) bool {
		return r == "public" || r == "signed-in" || strings.HasPrefix(r, "member:") || strings.HasPrefix(r, "member-or-owner:")
	}

	roles := []struct {
		name   string
		client *client
		// allowed says whether this role passes a rule.
		allowed func(rule string) bool
		// refused are routes the rule lets this role through and the handler then refuses.
		refused []string
	}{
		{"anonymous", s.client(), func(r string) bool { return r == "public" }, nil},
		{"member", s.signedIn(t, "priya.natarajan@northvale.example"), memberOrPublic, planRefusals("member")},
		{"chair", s.signedIn(t, "helen.ashworth@northvale.example"), func(r string) bool {
			return memberOrPublic(r) || strings.HasPrefix(r, "chair:")
		}, append([]string{ // the action is Priya Natarajan's: a member reads it, only its owners change it
			"POST /actions/:id/complete", "POST /actions/:id/respond", "POST /actions/:id/updates",
			"POST /api/v1/actions/:id/complete", "POST /api/v1/actions/:id/updates",
		}, planRefusals("chair")...)},
		{"clerk of another board", s.signedIn(t, "other.clerk@example.org"), func(r string) bool {
			return r == "public" || r == "signed-in" || r == "any-clerk"
		}, planRefusals("clerk of another board")},
		{"admin", s.signedIn(t, "admin@northvale.example"), func(r string) bool { return true }, planRefusals("admin")},
	}
	keys := make([]string, 0, len(access))
	for k := range access {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, role := range roles {
		role.client.t = t
		for _, key := range keys {
			rule := access[key]
			method, path, _ := strings.Cut(key, " ")
			kind := "board"
			if _, k, ok := strings.Cut(rule, ":"); ok {
				kind = k
			}
			if strings.HasPrefix(path, "/people/") {
				path = strings.Replace(path, ":id", fmt.Sprint(personID), 1)
			}
			path = strings.Replace(path, ":id", fmt.Sprint(ids[kind]), 1)
			path = strings.Replace(path, "*path", "css/quorum.css", 1)
			if key == "POST /logout" {
				continue // would end the session the other checks use
			}
			var res response
			if method == http.MethodGet {
				res = role.client.get(path)
			} else if strings.HasPrefix(path, "/api/") {
				req, _ := http.NewRequest(method, role.client.base+path, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				res = role.client.do(req)
			} else {
				res = role.client.post(path, url.Values{})
			}
			denied := res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden ||
				(res.StatusCode == http.StatusNotFound && strings.Contains(rule, ":")) ||
				(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"))
			if res.StatusCode >= 500 {
				t.Errorf("%s %s as %s: %d", method, path, role.name, res.StatusCode)
			}
			if want := role.allowed(rule) && !slices.Contains(role.refused, key); want == denied && key != "POST /login" {
				t.Errorf("%s %s (%s) as %s: status %d, allowed should be %v", method, path, rule, role.name, res.StatusCode, want)
			}
		}
	}
}

// TestChairStepsNotTheClerks: the clerk of a board writes the minutes and the chair checks
// them, so the clerk is refused every chair's step, while the chair may take it.
func TestChairStepsNotTheClerks(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	board, err := s.app.meetings.BoardByShortName(ctx, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := s.app.meetings.AllMeetings(ctx, board.ID)
	clerk := s.signedIn(t, "clerk@northvale.example")
	chair := s.signedIn(t, "chair@northvale.example")
	n := 0
	for key, rule := range access {
		method, path, _ := strings.Cut(key, " ")
		if rule != "chair:meeting" || method != http.MethodPost {
			continue
		}
		n++
		path = strings.Replace(path, ":id", fmt.Sprint(ms[0].ID), 1)
		if res := clerk.post(path, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s as the board's clerk: %d, want 403", key, res.StatusCode)
		}
		// The demo's first meeting's minutes are signed: the chair gets through to the
		// step, which finds nothing to do.
		if res := chair.post(path, url.Values{}); res.StatusCode != http.StatusConflict {
			t.Errorf("%s as the chair: %d, want 409", key, res.StatusCode)
		}
	}
	if n == 0 {
		t.Error("the access table lists no chair's step")
	}
}
