//go:build proof

package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestProofCrossOriginRefusedEverywhere posts from https://evil.example to every
// state-changing route the router serves, as a signed-in admin (who passes every access
// rule): each is refused with 403, and nothing is written.
func TestProofCrossOriginRefusedEverywhere(t *testing.T) {
	s := newTestServer(t)
	admin := s.signedIn(t, "admin@northvale.example")
	var before int
	s.app.db.QueryRow(`SELECT count(*) FROM audit_events`).Scan(&before)
	n := 0
	for _, r := range s.site.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			continue
		}
		path := strings.NewReplacer(":id", "1", ":token", "abc", "*path", "x").Replace(r.Path)
		for _, h := range []map[string]string{
			{"Origin": "https://evil.example"},                                 // an older browser: Origin only
			{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, // a current one
		} {
			req, _ := http.NewRequest(r.Method, s.URL+path, strings.NewReader(url.Values{"title": {"evil"}, "text": {"evil"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res := admin.do(req)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s from evil.example (%v): %d, want 403", r.Method, path, h, res.StatusCode)
			}
		}
		n++
	}
	var after int
	s.app.db.QueryRow(`SELECT count(*) FROM audit_events`).Scan(&after)
	if after != before {
		t.Errorf("cross-origin posts wrote %d audit events", after-before)
	}
	if n < 50 {
		t.Errorf("only %d state-changing routes found", n)
	}
	t.Logf("%d state-changing routes, each refused cross-origin with 403 (with and without Sec-Fetch-Site)", n)
}

// vmHWM is a process's peak resident memory in kB.
func vmHWM(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestProofParallelLogins: 100 sign-ins at once (half with the wrong password, from one
// address) leave the server's peak memory bounded (argon2id runs four at a time), are
// held to ten failures, and each is answered: a redirect, a refusal or 429, never a 5xx.
func TestProofParallelLogins(t *testing.T) {
	dir := t.TempDir()
	f := demoDB(t, dir)
	p := startServe(t, f, serveOpts{args: []string{"-demo=false"}})
	idle := vmHWM(t, p.cmd.Process.Pid)
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := demoPassword
			if i%2 == 1 {
				pw = "wrong-password"
			}
			hc := browserish()
			hc.Timeout = 60 * time.Second
			st, _ := formPost(t, hc, p.url+"/login", url.Values{"email": {"chair@northvale.example"}, "password": {pw}})
			mu.Lock()
			codes[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	took := time.Since(start)
	peak := vmHWM(t, p.cmd.Process.Pid)
	t.Logf("100 parallel sign-ins in %s: statuses %v; peak RSS %d MB (%d MB before)", took.Round(time.Millisecond), codes, peak>>10, idle>>10)
	for st := range codes {
		if st >= 500 {
			t.Errorf("%d sign-ins answered %d", codes[st], st)
		}
	}
	// One address and one email: ten failures, then 429, however many arrive at once.
	if codes[http.StatusUnauthorized] > 10 || codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("%d wrong passwords refused as wrong and %d as too many: the limit is ten", codes[http.StatusUnauthorized], codes[http.StatusTooManyRequests])
	}
	// Four argon2id hashes of 19 MiB at once, and the garbage collector's headroom, on top
	// of the idle server; 100 at once would be 1.9 GB.
	if peak > 300<<10 {
		t.Errorf("peak RSS %d MB after 100 parallel sign-ins, want under 300 MB", peak>>10)
	}
}
