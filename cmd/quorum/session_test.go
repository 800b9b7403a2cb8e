package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Sessions: a new token on sign-in, none after sign-out, ended after the idle time, and
// the cookie HttpOnly, SameSite and (behind TLS) Secure.
func TestSessionLifecycle(t *testing.T) {
	var idle time.Duration
	srv := startTestServer(t, serverOpts{demo: true, secure: true, sessions: func(m *scs.SessionManager) {
		idle = m.IdleTimeout
		m.IdleTimeout = time.Second // the same code, a shorter wait
	}})
	if idle != sessionIdle || sessionIdle <= 0 {
		t.Fatalf("idle timeout %v", idle)
	}
	c := srv.client()
	c.t = t

	// A session before signing in (a flash, say) is not the one after.
	c.get("/login")
	before := cookieNamed(c, srv.URL, "quorum_session")
	res := c.post("/login", url.Values{"email": {"clerk@northvale.example"}, "password": {demoPassword}})
	wantCode(t, "sign in", res, http.StatusSeeOther)
	set := res.Header.Get("Set-Cookie")
	for _, flag := range []string{"quorum_session=", "HttpOnly", "SameSite=Lax", "Secure"} {
		if !strings.Contains(set, flag) {
			t.Errorf("session cookie %q lacks %s", set, flag)
		}
	}
	after := cookieNamed(c, srv.URL, "quorum_session")
	if after == "" || after == before {
		t.Errorf("the token was not renewed on sign-in: %q then %q", before, after)
	}
	wantCode(t, "signed in", c.get("/account"), http.StatusOK)

	// Each request keeps it alive; left idle, it ends.
	for range 3 {
		time.Sleep(300 * time.Millisecond)
		wantCode(t, "still active", c.get("/account"), http.StatusOK)
	}
	time.Sleep(1500 * time.Millisecond)
	if res := c.get("/account"); res.StatusCode == http.StatusOK {
		t.Errorf("a session idle past its timeout still signed in")
	}

	// Signed out, the old token no longer works.
	res = c.post("/login", url.Values{"email": {"clerk@northvale.example"}, "password": {demoPassword}})
	wantCode(t, "sign in again", res, http.StatusSeeOther)
	token := cookieNamed(c, srv.URL, "quorum_session")
	wantCode(t, "sign out", c.post("/logout", nil), http.StatusSeeOther)
	old := srv.client()
	old.t = t
	u, _ := url.Parse(srv.URL)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: "quorum_session", Value: token}})
	if res := old.get("/account"); res.StatusCode == http.StatusOK {
		t.Errorf("the token of a signed-out session still signs in")
	}
}

func cookieNamed(c *client, base, name string) string {
	u, _ := url.Parse(base)
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}
