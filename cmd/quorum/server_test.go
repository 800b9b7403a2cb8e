package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"quorum/internal/web"
)

// testServer is the real router over a real database holding the demo partnership.
type testServer struct {
	*httptest.Server
	app  *app
	site *web.Site
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	return startTestServer(t, serverOpts{demo: true})
}

// serverOpts are what a test changes of the server newTestServer starts.
type serverOpts struct {
	cfg      serveConfig
	demo     bool                      // load the demo partnership
	secure   bool                      // mark the session cookie Secure
	log      io.Writer                 // the request log (default: discarded)
	sessions func(*scs.SessionManager) // adjust the sessions before the router takes them
}

// startTestServer is the real router over a new database, as o says.
func startTestServer(t testing.TB, o serverOpts) *testServer {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, filepath.Join(t.TempDir(), "quorum.db"))
	if err != nil {
		t.Fatal(err)
	}
	if o.demo {
		if _, err := loadDemo(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	sessions, stop := newSessions(a, o.secure)
	if o.sessions != nil {
		o.sessions(sessions)
	}
	if o.log == nil {
		o.log = io.Discard
	}
	h, site, err := newHandler(a, sessions, slog.New(slog.NewTextHandler(o.log, nil)), o.cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); stop(); a.Close() })
	return &testServer{Server: srv, app: a, site: site}
}

// client is a browser-like client: a cookie jar, no redirects followed, and the
// Sec-Fetch-Site header a browser sends on same-origin form posts.
type client struct {
	t    testing.TB
	base string
	http *http.Client
}

func (s *testServer) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: s.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (s *testServer) signedIn(t testing.TB, email string) *client {
	c := s.client()
	c.t = t
	res := c.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %s", email, res.StatusCode, res.body)
	}
	return c
}

type response struct {
	*http.Response
	body string
}

func (c *client) do(req *http.Request) response {
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return response{res, string(b)}
}

func (c *client) get(path string) response {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

func (c *client) json(method, path, token, body string) response {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req)
}
