// Package metrics holds what an operator watches Quorum by, in Prometheus's text format:
// requests and their latency per route, the mail waiting in the outbox, the size of the
// database on disk, and the Go runtime's and the process's own figures.
//
// Every request passes through Middleware, so it stays cheap: the counter and histogram of
// a route are looked up once and kept, and a request after that costs a lock-free map
// read, an atomic add and a histogram observation (BenchmarkMiddleware). The outbox
// and the database files are read when Prometheus scrapes, never per request.
package metrics

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of requests that matched no route (404s for made-up paths,
// and wrong methods), so that paths typed by the world don't each make a series.
const Unmatched = "unmatched"

// Options says where the figures read at scrape time come from.
type Options struct {
	// DBFile is the SQLite database file; its write-ahead log (DBFile + "-wal") is counted
	// with it. Empty: no database size.
	DBFile string
	// OutboxWaiting counts the messages not yet sent. Nil: no outbox depth.
	OutboxWaiting func(ctx context.Context) (int, error)
}

// Metrics is one registry and the request figures in it.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	// series maps a route to its counter and histogram. It is replaced whole when a route
	// is first seen and never changed in place, so reading it takes no lock: a read lock's
	// shared counter alone doubled the middleware's cost on two cores.
	series atomic.Pointer[map[seriesKey]*series]
	mu     sync.Mutex // held while adding to series
}

// seriesKey names one route's figures. Route is gin's route pattern (/meetings/:id), not
// the path, so ids don't multiply series.
type seriesKey struct {
	method, route string
	class         int // status / 100
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// New makes a registry with the request figures, the outbox and database collector, and
// the Go and process collectors.
func New(o Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quorum_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status class (2xx, 4xx...).",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "quorum_http_request_duration_seconds",
			Help: "Time from a request reaching the router to its answer, by method and route pattern.",
			// Most pages answer in a few milliseconds; the goal is p95 under 50 ms. PDFs
			// and packs take longer.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	m.series.Store(&map[seriesKey]*series{})
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&store{o: o})
	return m
}

// Registry is where the figures are kept, for a test or another collector.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler answers a scrape. A figure that can't be read (the database busy past its
// timeout) is left out and the rest are served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Registry: m.reg})
}

// Middleware counts and times every request. Put it first, so the time includes the
// other middleware (sessions' lookup, the access check).
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		m.observe(c.Request.Method, c.FullPath(), c.Writer.Status(), time.Since(start))
	}
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	if route == "" {
		route = Unmatched
	}
	k := seriesKey{method: methodLabel(method), route: route, class: status / 100}
	s := (*m.series.Load())[k]
	if s == nil {
		s = m.add(k)
	}
	s.requests.Inc()
	s.latency.Observe(d.Seconds())
}

func (m *Metrics) add(k seriesKey) *series {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.series.Load()
	if s := old[k]; s != nil {
		return s
	}
	code := "other"
	if k.class >= 1 && k.class <= 5 {
		code = string(rune('0'+k.class)) + "xx"
	}
	s := &series{
		requests: m.requests.WithLabelValues(k.method, k.route, code),
		latency:  m.latency.WithLabelValues(k.method, k.route),
	}
	next := make(map[seriesKey]*series, len(old)+1)
	maps.Copy(next, old)
	next[k] = s
	m.series.Store(&next)
	return s
}

// methodLabel keeps the method label to the methods HTTP defines, since a client may send
// any word there.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// store reads the outbox and the database files when scraped.
type store struct{ o Options }

var (
	outboxDesc = prometheus.NewDesc("quorum_outbox_waiting_messages",
		"Mail in the outbox not yet handed to the mail server.", nil, nil)
	dbSizeDesc = prometheus.NewDesc("quorum_database_size_bytes",
		"Size of the SQLite database on disk: the file and its write-ahead log.", nil, nil)
	walSizeDesc = prometheus.NewDesc("quorum_database_wal_size_bytes",
		"Size of the write-ahead log alone; one that keeps growing means checkpoints can't finish.", nil, nil)
)

func (s *store) Describe(ch chan<- *prometheus.Desc) {
	if s.o.OutboxWaiting != nil {
		ch <- outboxDesc
	}
	if s.o.DBFile != "" {
		ch <- dbSizeDesc
		ch <- walSizeDesc
	}
}

func (s *store) Collect(ch chan<- prometheus.Metric) {
	if s.o.OutboxWaiting != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		n, err := s.o.OutboxWaiting(ctx)
		cancel()
		if err != nil {
			ch <- prometheus.NewInvalidMetric(outboxDesc, err)
		} else {
			ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n))
		}
	}
	if s.o.DBFile != "" {
		file, err := fileSize(s.o.DBFile)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(dbSizeDesc, err)
			return
		}
		wal, err := fileSize(s.o.DBFile + "-wal")
		if err != nil {
			ch <- prometheus.NewInvalidMetric(walSizeDesc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(dbSizeDesc, prometheus.GaugeValue, float64(file+wal))
		ch <- prometheus.MustNewConstMetric(walSizeDesc, prometheus.GaugeValue, float64(wal))
	}
}

// fileSize is a file's size; a missing file (no WAL after a clean close) is 0.
func fileSize(name string) (int64, error) {
	st, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Protect lets through only requests that bear token (Authorization: Bearer token, as
// Prometheus sends with its authorization setting): without one the answer is 401, with
// another 403. The comparison takes the same time whatever the token sent.
func Protect(token string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="quorum metrics"`)
			http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
			return
		}
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			http.Error(w, "not the metrics token", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
