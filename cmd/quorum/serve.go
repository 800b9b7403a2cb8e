package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"quorum/internal/auth"
	"runtime/debug"
	"strings"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"quorum/internal/mailer"
	"quorum/internal/metrics"
	"quorum/internal/web"
)

type serveConfig struct {
	addr           string
	db             string
	demo           bool
	cookieSecure   bool
	trustedProxies string
	dev            bool
	baseURL        string
	smtpURL        string
	smtpFrom       string
	metricsAddr    string
	metricsToken   string
	// metrics is the registry /metrics serves on both listeners; newHandler makes its own
	// when nil (tests).
	metrics *metrics.Metrics
}

func serveCmd(ctx context.Context, e env, args []string) error {
	fs := newFlags("serve", e)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&cfg.db, "db", "quorum.db", "SQLite database file (created when missing)")
	fs.BoolVar(&cfg.demo, "demo", true, "load the demo partnership into a new, empty database")
	fs.BoolVar(&cfg.cookieSecure, "cookie-secure", false, "mark session cookies Secure (set when served over HTTPS)")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", "", "comma-separated proxy addresses whose X-Forwarded-For is trusted")
	fs.BoolVar(&cfg.dev, "dev", false, "re-read templates on every request")
	fs.StringVar(&cfg.baseURL, "base-url", "", "the site's address, for links in mail (https://quorum.example.org); default: the address a request came to")
	fs.StringVar(&cfg.smtpURL, "smtp-url", "", "send the outbox through this mail server (smtp://user:pass@host:587?from=clerk@example.org); empty: mail waits in the outbox")
	fs.StringVar(&cfg.smtpFrom, "smtp-from", "", "the address mail is from, unless -smtp-url names one")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address too (127.0.0.1:9090), apart from the site")
	fs.StringVar(&cfg.metricsToken, "metrics-token", "", "serve /metrics to requests bearing this token (Authorization: Bearer ...), on the site's address and -metrics-addr; with neither set, /metrics is a 404")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	start := time.Now()
	a, err := openApp(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer a.Close()
	logins := ""
	if cfg.demo {
		empty, err := a.empty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if logins, err = loadDemo(ctx, a); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
		}
	}
	// Loading the demo hashes passwords (argon2id wants memory); give that back before
	// settling down to serve.
	debug.FreeOSMemory()
	sessions, stopSessions := newSessions(a, cfg.cookieSecure)
	defer stopSessions()

	cfg.metrics = newMetrics(a)
	handler, _, err := newHandler(a, sessions, log, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 2)
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		var mh http.Handler = cfg.metrics.Handler()
		if cfg.metricsToken != "" {
			mh = metrics.Protect(cfg.metricsToken, mh)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", mh)
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
		go func() { errc <- msrv.Serve(mln) }()
		defer msrv.Close()
		fmt.Fprintf(e.stdout, "Metrics at http://%s/metrics\n", mln.Addr())
	}
	fmt.Fprintf(e.stdout, "Quorum is serving http://%s (database %s, ready in %s)\n", ln.Addr(), cfg.db, time.Since(start).Round(time.Millisecond))
	if logins != "" {
		fmt.Fprint(e.stdout, logins)
	}
	if cfg.smtpURL != "" {
		sender, err := mailer.NewSMTP(cfg.smtpURL, cfg.smtpFrom)
		if err != nil {
			return err
		}
		runner := &mailer.Runner{DB: a.db, Sender: sender, Log: log}
		mailCtx, stopMail := context.WithCancel(ctx)
		defer stopMail()
		go runner.Run(mailCtx)
	}
	go func() { errc <- srv.Serve(ln) }()
	// Reminders and digests go into the outbox from a ticker, stopped before the database
	// closes.
	a.actions.MailBase = strings.TrimSuffix(cfg.baseURL, "/")
	remindCtx, stopReminders := context.WithCancel(ctx)
	reminding := make(chan struct{})
	go func() { defer close(reminding); runReminders(remindCtx, a.actions, ReminderInterval, log) }()
	defer func() { stopReminders(); <-reminding }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish what is in flight, then close the database cleanly.
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(e.stdout, "Quorum stopped")
	return nil
}

// empty reports whether the database holds no boards and no accounts yet.
func (a *app) empty(ctx context.Context) (bool, error) {
	var n int
	err := a.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM boards) + (SELECT count(*) FROM users)`).Scan(&n)
	return n == 0, err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sessionIdle ends a session left alone this long (the minutes editor's autosave keeps a
// clerk who is writing signed in).
const sessionIdle = 2 * time.Hour

// newSessions keeps sessions in the same database, in scs's table.
func newSessions(a *app, secure bool) (*scs.SessionManager, func()) {
	sessions := scs.New()
	store := sqlite3store.NewWithCleanupInterval(a.db, 10*time.Minute)
	sessions.Store = auth.NewSessionCache(store, 10000)
	sessions.Codec = auth.SessionCodec{}
	// Twelve hours at most, and two without a request. The idle timeout makes scs commit
	// the session on every request; the cache keeps a commit that only moves the expiry
	// in memory (a disk write per page tripled signed-in p95 on the action log under load).
	sessions.Lifetime = 12 * time.Hour
	sessions.IdleTimeout = sessionIdle
	sessions.Cookie.Name = "quorum_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = secure
	sessions.ErrorFunc = sessionError
	return sessions, store.StopCleanup
}

// sessionError answers a session that could not be loaded or saved. On a full disk or a
// read-only database a page that only read (and popped a flash) is still served; a form
// whose session could not be kept (signing in) is a 503, as its change would be.
func sessionError(w http.ResponseWriter, r *http.Request, err error) {
	if web.Status(err) != http.StatusServiceUnavailable {
		slog.Error("session", "err", err, "path", r.URL.Path)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	slog.Warn("session not saved", "err", err, "path", r.URL.Path)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return
	}
	http.Error(w, "Quorum cannot save changes just now (the disk is full or read-only). Nothing was lost; please try again later.",
		http.StatusServiceUnavailable)
}
