package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsProtect(t *testing.T) {
	h := Protect("tok", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("figures")) }))
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Basic dG9rOg==", http.StatusUnauthorized},
		{"Bearer ", http.StatusForbidden},
		{"Bearer to", http.StatusForbidden},
		{"Bearer tokk", http.StatusForbidden},
		{"Bearer tok", http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, rec.Code, tc.want)
		}
		if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: 401 without WWW-Authenticate", tc.auth)
		}
	}
}

func TestMetricsStoreFigures(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "q.db")
	if err := os.WriteFile(file, make([]byte, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	waiting := 3
	var fail error
	m := New(Options{DBFile: file, OutboxWaiting: func(context.Context) (int, error) { return waiting, fail }})
	want := `
# HELP quorum_database_size_bytes Size of the SQLite database on disk: the file and its write-ahead log.
# TYPE quorum_database_size_bytes gauge
quorum_database_size_bytes 8192
# HELP quorum_database_wal_size_bytes Size of the write-ahead log alone; one that keeps growing means checkpoints can't finish.
# TYPE quorum_database_wal_size_bytes gauge
quorum_database_wal_size_bytes 0
# HELP quorum_outbox_waiting_messages Mail in the outbox not yet handed to the mail server.
# TYPE quorum_outbox_waiting_messages gauge
quorum_outbox_waiting_messages 3
`
	names := []string{"quorum_database_size_bytes", "quorum_database_wal_size_bytes", "quorum_outbox_waiting_messages"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// The WAL is read at every scrape, not once.
	if err := os.WriteFile(file+"-wal", make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	waiting = 0
	want = strings.NewReplacer("8192", "9192", "wal_size_bytes 0", "wal_size_bytes 1000", "messages 3", "messages 0").Replace(want)
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// An outbox that can't be read leaves its figure out and the scrape still answers.
	fail = errors.New("database is locked")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "quorum_database_size_bytes 9192") ||
		strings.Contains(rec.Body.String(), "quorum_outbox_waiting_messages 0") {
		t.Errorf("scrape with the outbox failing: %d\n%s", rec.Code, rec.Body)
	}
}

// Routes first seen by several requests at once, while Prometheus scrapes: each request
// counted once (and, under -race, no unguarded access to the route table).
func TestMetricsConcurrentObserve(t *testing.T) {
	m := New(Options{})
	const workers, each = 4, 300
	routes := []string{"/a", "/b/:id", "/c", "", "/d/*path"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			if _, err := m.Registry().Gather(); err != nil {
				t.Error(err)
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				m.observe("GET", routes[(i+w)%len(routes)], 200+100*(i%3), time.Millisecond)
			}
		})
	}
	wg.Wait()
	<-done
	total := 0.0
	for _, k := range []string{"2xx", "3xx", "4xx"} {
		for _, r := range []string{"/a", "/b/:id", "/c", Unmatched, "/d/*path"} {
			total += testutil.ToFloat64(m.requests.WithLabelValues("GET", r, k))
		}
	}
	if total != workers*each {
		t.Errorf("%v requests counted, want %d", total, workers*each)
	}
	if n := len(*m.series.Load()); n != 15 {
		t.Errorf("%d series kept, want 15", n)
	}
}

func TestMetricsMethodLabel(t *testing.T) {
	for in, want := range map[string]string{"GET": "GET", "POST": "POST", "PROPFIND": "other", "get": "other", "": "other"} {
		if got := methodLabel(in); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkMiddleware is what the middleware adds to a request: the same route served
// with it and without.
func BenchmarkMiddleware(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	for _, with := range []bool{false, true} {
		name := "without"
		if with {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			r := gin.New()
			if with {
				r.Use(New(Options{}).Middleware())
			}
			r.GET("/meetings/:id", func(c *gin.Context) { c.Status(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/meetings/17", nil)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := discard{h: http.Header{}}
				for pb.Next() {
					r.ServeHTTP(w, req)
				}
			})
		})
	}
}

// discard is a ResponseWriter that keeps nothing, so the benchmark measures the router.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}
