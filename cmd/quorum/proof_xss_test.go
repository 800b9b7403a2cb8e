//go:build browser && proof

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quorum/internal/browsertest"
	"quorum/internal/db"
)

// The two payloads: a script element, and an attribute breaking out into an element with
// an event handler. Both set window.__xss; neither may ever run.
const (
	xssScript = `<script>window.__xss=1</script>`
	xssAttr   = `"><img src=x onerror=window.__xss=1>`
)

// TestProofXSSNeverRuns puts both payloads into every text field a clerk and an officer
// reach (board name and description, person name and job title, agenda item title and
// presenter, minutes text, action text, update text), then opens every page that shows
// them in Chromium: window.__xss stays undefined, the payload shows as text, and the page
// reports no blocked inline script (browsertest fails the test on a CSP violation).
func TestProofXSSNeverRuns(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := context.Background()
	token := func(email string) string {
		var out bytes.Buffer
		if err := run(ctx, []string{"token", "create", "-db", srv.DB, "-email", email}, func(string) string { return "" }, nil, &out); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out.String())
	}
	clerkToken, officerToken := token("clerk@northvale.example"), token(officerEmail)
	api := func(method, path, tok, ct string, body []byte, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, res.StatusCode, want, b)
		}
		return b
	}
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }

	// Board name and description.
	var board struct{ ID int64 }
	json.Unmarshal(api("POST", "/api/v1/boards", clerkToken, "application/json",
		js(map[string]any{"name": "Board " + xssScript, "short_name": "XSS", "description": "About " + xssAttr}), 201), &board)
	// Person name and job title, through the clerk's form.
	clerk := browserish()
	if st, body := formPost(t, clerk, srv.URL+"/login", url.Values{"email": {"clerk@northvale.example"}, "password": {demoPassword}}); st != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", st, body)
	}
	if st, body := formPost(t, clerk, srv.URL+"/people", url.Values{"name": {"Person " + xssScript}, "job_title": {"Officer " + xssAttr},
		"initials": {"XS"}, "handle": {"xss"}}); st != http.StatusSeeOther {
		t.Fatalf("add a person: %d\n%.2000s", st, body)
	}

	d, err := db.Open(srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var nscp, next, draft int64
	d.QueryRow(`SELECT id FROM boards WHERE short_name = 'NSCP'`).Scan(&nscp)
	d.QueryRow(`SELECT id FROM meetings WHERE board_id = ? AND starts_at > strftime('%Y-%m-%dT%H:%M:%SZ','now') ORDER BY starts_at LIMIT 1`, nscp).Scan(&next)
	var text string
	if err := d.QueryRow(`SELECT m.meeting_id, m.text FROM minutes m JOIN meetings g ON g.id = m.meeting_id WHERE g.board_id = ? AND m.status = 'draft' LIMIT 1`, nscp).Scan(&draft, &text); err != nil {
		t.Fatalf("no draft minutes in the demo: %v", err)
	}
	// Agenda item title and presenter.
	api("POST", fmt.Sprintf("/api/v1/meetings/%d/items", next), clerkToken, "application/json",
		js(map[string]any{"title": "Item " + xssScript, "presenter": "Presenter " + xssAttr, "purpose": "for noting"}), 201)
	// Minutes text, and an action made from it.
	text += "\n\n## 10. Heading " + xssScript + "\n\nA note " + xssScript + " and " + xssAttr + "\n\nACTION @chair: Report " + xssAttr + " " + xssScript + " (by next meeting)\n"
	api("PUT", fmt.Sprintf("/api/v1/meetings/%d/minutes", draft), clerkToken, "text/markdown", []byte(text), 200)
	var newAction int64
	if err := d.QueryRow(`SELECT id FROM actions WHERE text LIKE '%onerror%' LIMIT 1`).Scan(&newAction); err != nil {
		t.Fatalf("the action from the minutes: %v", err)
	}
	// Update text, by the officer.
	var owned int64
	d.QueryRow(`SELECT a.id FROM actions a JOIN action_owners o ON o.action_id = a.id JOIN people p ON p.id = o.person_id
		WHERE p.email = ? AND a.board_id = ? LIMIT 1`, officerEmail, nscp).Scan(&owned)
	api("POST", fmt.Sprintf("/api/v1/actions/%d/updates", owned), officerToken, "application/json", js(map[string]string{"text": "Update " + xssScript + xssAttr}), 201)

	bctx := browsertest.NewBrowser(t)
	if err := browsertest.Login(bctx, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/",
		fmt.Sprintf("/boards/%d", board.ID),
		"/people",
		fmt.Sprintf("/meetings/%d", next),
		fmt.Sprintf("/meetings/%d/minutes", draft),
		fmt.Sprintf("/meetings/%d/minutes/edit", draft),
		fmt.Sprintf("/boards/%d/actions", nscp),
		fmt.Sprintf("/boards/%d/dashboard", nscp),
		fmt.Sprintf("/actions/%d", owned),
		fmt.Sprintf("/actions/%d", newAction),
	} {
		if err := browsertest.Visit(bctx, srv.URL+path); err != nil {
			t.Errorf("%v", err)
			continue
		}
		ran, err := browsertest.Eval[bool](bctx, `typeof window.__xss !== "undefined"`)
		if err != nil || ran {
			t.Errorf("%s: the payload ran (%v)", path, err)
		}
		if strings.HasSuffix(path, "/dashboard") {
			continue // counts and charts: it shows no text field (a carried-forward action would)
		}
		shown, _ := browsertest.Eval[bool](bctx, `document.body.innerText.includes("window.__xss=1") || document.body.innerHTML.includes("window.__xss=1")`)
		if !shown {
			t.Errorf("%s does not show the payload: the page is not testing what it should", path)
		}
	}
}
