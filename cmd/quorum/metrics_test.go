package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"quorum/internal/outbox"
)

// metricsServer is the real router over a real database, empty or with the demo,
// configured by cfg.
func metricsServer(t *testing.T, cfg serveConfig, demo bool) *testServer {
	t.Helper()
	return startTestServer(t, serverOpts{cfg: cfg, demo: demo})
}

// scrape fetches /metrics from base with the bearer token (none when empty).
func scrape(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// sample reads the value of the sample whose line starts with series (name and labels).
func sample(t *testing.T, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no sample %s in\n%s", series, grepLines(text, "quorum_"))
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestMetricsNotServedWithoutConfig(t *testing.T) {
	srv := metricsServer(t, serveConfig{}, false)
	if code, _ := scrape(t, srv.URL, ""); code != http.StatusNotFound {
		t.Errorf("/metrics with no token set: %d, want 404", code)
	}
	if code, _ := scrape(t, srv.URL, "anything"); code != http.StatusNotFound {
		t.Errorf("/metrics with no token set, a token sent: %d, want 404", code)
	}
}

func TestMetricsBehindToken(t *testing.T) {
	const token = "s3cret-metrics-token"
	srv := metricsServer(t, serveConfig{metricsToken: token}, false)
	a := srv.app
	if code, _ := scrape(t, srv.URL, ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d, want 401", code)
	}
	if code, _ := scrape(t, srv.URL, "wrong"); code != http.StatusForbidden {
		t.Errorf("/metrics with a wrong token: %d, want 403", code)
	}
	if code, _ := scrape(t, srv.URL, token+"x"); code != http.StatusForbidden {
		t.Errorf("/metrics with the token and more: %d, want 403", code)
	}

	for _, path := range []string{"/healthz", "/meetings/17", "/meetings/18", "/no/such/page/4711"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	ctx := context.Background()
	for _, key := range []string{"test:1", "test:2"} {
		if _, err := outbox.Enqueue(ctx, a.db, "partner@example.org", "Pack", "The pack is out.", key); err != nil {
			t.Fatal(err)
		}
	}

	code, text := scrape(t, srv.URL, token)
	if code != http.StatusOK {
		t.Fatalf("/metrics with the token: %d\n%s", code, text)
	}
	if n := sample(t, text, `quorum_http_requests_total{code="2xx",method="GET",route="/healthz"}`); n != 1 {
		t.Errorf("/healthz counted %v times, want 1", n)
	}
	// Both meetings count under the route's pattern: ids make no series of their own.
	if n := sample(t, text, `quorum_http_requests_total{code="4xx",method="GET",route="/meetings/:id"}`); n != 2 {
		t.Errorf("/meetings/:id counted %v times, want 2", n)
	}
	if n := sample(t, text, `quorum_http_requests_total{code="4xx",method="GET",route="unmatched"}`); n != 1 {
		t.Errorf("unmatched paths counted %v times, want 1", n)
	}
	if strings.Contains(text, "4711") || strings.Contains(text, `route="/meetings/17"`) {
		t.Errorf("a path made its own series:\n%s", grepLines(text, "quorum_http"))
	}
	if n := sample(t, text, `quorum_http_request_duration_seconds_count{method="GET",route="/healthz"}`); n != 1 {
		t.Errorf("/healthz timed %v times, want 1", n)
	}
	if n := sample(t, text, `quorum_outbox_waiting_messages`); n != 2 {
		t.Errorf("outbox depth %v, want 2", n)
	}
	if n := sample(t, text, `quorum_database_size_bytes`); n < 4096 {
		t.Errorf("database size %v bytes, want at least a page", n)
	}
	sample(t, text, `quorum_database_wal_size_bytes`)
	sample(t, text, `go_goroutines`)
	// The 401 and 403 above were counted too; the scrape being answered is not yet.
	if n := sample(t, text, `quorum_http_requests_total{code="4xx",method="GET",route="/metrics"}`); n != 3 {
		t.Errorf("refused scrapes counted %v times, want 3", n)
	}
}

// Clients at once on the signed-in pages that share caches (the action log's, the
// sessions', the prepared statements', the pack files'): every request is counted once,
// under its route.
// CI runs this under -race, which makes it the race check of the router's shared state.
func TestMetricsUnderConcurrentRequests(t *testing.T) {
	const token = "concurrent-token"
	s := metricsServer(t, serveConfig{metricsToken: token}, true)
	clerk := s.signedIn(t, "clerk@northvale.example")
	var board int64
	if err := s.app.db.QueryRow(`SELECT id FROM boards ORDER BY id LIMIT 1`).Scan(&board); err != nil {
		t.Fatal(err)
	}
	p, _ := packMeeting(t, s)
	pack := fmt.Sprintf("/meetings/%d/pack", p.next.ID)
	if res := clerk.post(pack+"/publish", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish the pack: %d", res.StatusCode)
	}
	b := fmt.Sprint("/boards/", board)
	pages := []string{b + "/actions", b + "/dashboard", b, "/my/actions", pack + ".pdf"}
	const workers, rounds = 4, 5
	errc := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range rounds * len(pages) {
				path := pages[(i+w)%len(pages)]
				res, err := clerk.http.Get(s.URL + path)
				if err != nil {
					errc <- err
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errc <- fmt.Errorf("%s: %d", path, res.StatusCode)
					return
				}
			}
			errc <- nil
		}()
	}
	for range workers {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	// A request is counted once its handler returns, which can be just after the client
	// has read the last byte of the answer: scrape until the counts are in, for a while.
	routes := []string{"/boards/:id/actions", "/boards/:id/dashboard", "/boards/:id", "/my/actions", "/meetings/:id/pack.pdf"}
	var wrong []string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, text := scrape(t, s.URL, token)
		if code != http.StatusOK {
			t.Fatalf("/metrics: %d", code)
		}
		wrong = wrong[:0]
		for _, route := range routes {
			if n := sample(t, text, `quorum_http_requests_total{code="2xx",method="GET",route="`+route+`"}`); n != workers*rounds {
				wrong = append(wrong, fmt.Sprintf("%s counted %v times, want %d", route, n, workers*rounds))
			}
		}
		if len(wrong) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range wrong {
		t.Error(w)
	}
}

// runServe runs the serve command over a new, empty database with the environment env
// and returns the site's address and the metrics listener's (empty without one). The
// test's cleanup stops it.
func runServe(t *testing.T, env map[string]string) (site, metricsURL string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-demo=false", "-db", filepath.Join(t.TempDir(), "q.db")},
			func(k string) string { return env[k] }, nil, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	lines := bufio.NewScanner(pr)
	for site == "" && lines.Scan() {
		l := lines.Text()
		if a, ok := strings.CutPrefix(l, "Metrics at "); ok {
			metricsURL = strings.TrimSuffix(a, "/metrics")
		} else if a, ok := strings.CutPrefix(l, "Quorum is serving "); ok {
			site, _, _ = strings.Cut(a, " ")
		}
	}
	go io.Copy(io.Discard, pr)
	if site == "" {
		t.Fatal("serve did not say where it serves")
	}
	return site, metricsURL
}

// The serve command with -metrics-addr (here from QUORUM_METRICS_ADDR) serves /metrics on
// that address, and not on the site's; with a token as well, both ask for it.
func TestMetricsSeparateListener(t *testing.T) {
	site, metricsURL := runServe(t, map[string]string{"QUORUM_METRICS_ADDR": "127.0.0.1:0"})
	if metricsURL == "" {
		t.Fatal("serve did not say where the metrics are")
	}
	res, err := http.Get(site + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	code, text := scrape(t, metricsURL, "")
	if code != http.StatusOK {
		t.Fatalf("metrics listener: %d\n%s", code, text)
	}
	if n := sample(t, text, `quorum_http_requests_total{code="2xx",method="GET",route="/healthz"}`); n != 1 {
		t.Errorf("/healthz counted %v times, want 1", n)
	}
	sample(t, text, `quorum_outbox_waiting_messages`)
	sample(t, text, `quorum_database_size_bytes`)
	if code, _ := scrape(t, site, ""); code != http.StatusNotFound {
		t.Errorf("/metrics on the site's listener: %d, want 404", code)
	}
	if res, err := http.Get(metricsURL + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("the metrics listener serves the site: /healthz %d", res.StatusCode)
		}
	}

	const token = "both-listeners"
	site, metricsURL = runServe(t, map[string]string{"QUORUM_METRICS_ADDR": "127.0.0.1:0", "QUORUM_METRICS_TOKEN": token})
	for _, base := range []string{site, metricsURL} {
		if code, _ := scrape(t, base, ""); code != http.StatusUnauthorized {
			t.Errorf("%s/metrics without the token: %d, want 401", base, code)
		}
		if code, _ := scrape(t, base, "not-it"); code != http.StatusForbidden {
			t.Errorf("%s/metrics with a wrong token: %d, want 403", base, code)
		}
		if code, text := scrape(t, base, token); code != http.StatusOK || !strings.Contains(text, "quorum_database_size_bytes") {
			t.Errorf("%s/metrics with the token: %d", base, code)
		}
	}
}

// The request log leaves out liveness and readiness probes and answered scrapes, which come
// every few seconds, and keeps everything else, refused scrapes among it.
func TestRequestLogLeavesOutProbes(t *testing.T) {
	var log syncBuffer
	srv := startTestServer(t, serverOpts{cfg: serveConfig{metricsToken: "probe-token"}, log: &log})
	for _, p := range []string{"/healthz", "/readyz"} {
		if res, err := http.Get(srv.URL + p); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", p, res, err)
		}
	}
	if code, _ := scrape(t, srv.URL, "probe-token"); code != http.StatusOK {
		t.Fatalf("scrape: %d", code)
	}
	if code, _ := scrape(t, srv.URL, "wrong"); code != http.StatusForbidden {
		t.Fatalf("wrong token: %d", code)
	}
	if res, err := http.Get(srv.URL + "/login"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/login: %v %v", res, err)
	}
	got := log.String()
	for _, quiet := range []string{"path=/healthz", "path=/readyz", "path=/metrics status=200"} {
		if strings.Contains(got, quiet) {
			t.Errorf("logged %q:\n%s", quiet, got)
		}
	}
	for _, kept := range []string{"path=/metrics status=403", "path=/login status=200"} {
		if !strings.Contains(got, kept) {
			t.Errorf("did not log %q:\n%s", kept, got)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
