package main

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"syscall"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"quorum/actions"
	"quorum/internal/auth"
	"quorum/internal/errs"
	"quorum/internal/metrics"
	"quorum/internal/outbox"
	"quorum/internal/pack"
	"quorum/internal/web"
	"quorum/meetings"
	"quorum/minutes"
	"quorum/minutes/importer"
	"quorum/static"
	"quorum/templates"
)

// maxBody caps every request body but uploads', which set their own.
const maxBody = 3 << 20

// newHandler wires the site: middleware, every package's routes, CSRF protection and
// sessions around the lot.
func newHandler(a *app, sessions *scs.SessionManager, log *slog.Logger, cfg serveConfig) (http.Handler, *web.Site, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(splitList(cfg.trustedProxies)); err != nil {
		return nil, nil, err
	}
	if cfg.trustedProxies == "" {
		r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = true
	site := web.NewSite(templates.FS, sessions, a.users, ownerRoles{newBoardRoles(a.db), a.actions}, log)
	site.Dev = cfg.dev
	site.Resolve("meeting", func(ctx context.Context, id int64) (int64, error) { return a.meetings.MeetingBoard(ctx, id) })
	site.Resolve("membership", func(ctx context.Context, id int64) (int64, error) { return a.meetings.MembershipBoard(ctx, id) })
	site.Resolve("item", func(ctx context.Context, id int64) (int64, error) { return a.meetings.ItemBoard(ctx, id) })
	site.Resolve("paper", func(ctx context.Context, id int64) (int64, error) { return a.meetings.PaperBoard(ctx, id) })
	site.Resolve("forward", func(ctx context.Context, id int64) (int64, error) { return a.meetings.ForwardBoard(ctx, id) })
	site.Resolve("action", func(ctx context.Context, id int64) (int64, error) { return a.actions.ActionBoard(ctx, id) })
	site.Resolve("plan", a.actions.PlanBoard)
	site.Resolve("plan_action", a.actions.PlanActionBoard)
	site.Resolve("plan_document", a.actions.PlanDocumentBoard)

	m := cfg.metrics
	if m == nil {
		m = newMetrics(a)
	}
	r.Use(m.Middleware(), web.RequestID(), web.SecurityHeaders(), site.Logger(), site.SetSite(), site.Errors())
	rt := site.Router(r)
	// /metrics is registered before LoadUser joins the chain: the bearer token it takes is
	// the metrics token, which LoadUser would refuse as an unknown API token.
	rt.GET("/metrics", web.Public, metricsRoute(cfg.metricsToken, m))
	r.Use(web.LimitBody(maxBody), site.LoadUser())
	packs := pack.NewHandler(a.packs(cfg.baseURL))
	r.Use(packs.LatePapers()) // a paper added after the pack is out makes its supplement

	staticFS, _ := fs.Sub(static.FS, ".")
	files := http.StripPrefix("/static/", http.FileServer(http.FS(staticFS)))
	rt.GET("/static/*path", web.Public, func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(c.Writer, c.Request)
	})
	rt.GET("/healthz", web.Public, func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	rt.GET("/readyz", web.Public, func(c *gin.Context) {
		if err := writable(c.Request.Context(), a.db); err != nil {
			log.Warn("not ready", "err", err)
			c.String(http.StatusServiceUnavailable, "database not writable\n")
			return
		}
		c.String(http.StatusOK, "ready\n")
	})

	newAccountHandler(a.users, auth.NewLimiter(10, 15*time.Minute)).Register(rt)
	meetings.NewHandler(a.meetings).Register(rt)
	minutes.NewHandler(a.minutes).Register(rt)
	importer.NewHandler(importer.NewStore(a.db, a.meetings, a.actions, a.minutes)).Register(rt)
	actions.NewHandler(a.actions, a.meetings).Register(rt)
	actions.NewPlanHandler(a.actions, a.meetings).Register(rt)
	outbox.NewHandler(a.db).Register(rt)
	packs.Register(rt)

	r.NoRoute(func(c *gin.Context) { web.Fail(c, errs.E(errs.NotFound, "Page not found")) })
	r.NoMethod(func(c *gin.Context) {
		web.Fail(c, errs.E(errs.MethodNotAllowed, "That method is not allowed here"))
	})

	var h http.Handler = r
	h = actions.PlanPaths(h)
	h = sessions.LoadAndSave(h)
	h = http.NewCrossOriginProtection().Handler(h)
	return h, site, nil
}

// newMetrics counts requests, and reads the outbox and the database's size when scraped.
func newMetrics(a *app) *metrics.Metrics {
	return metrics.New(metrics.Options{
		DBFile: databaseFile(a.db),
		OutboxWaiting: func(ctx context.Context) (int, error) {
			_, waiting, err := outbox.List(ctx, a.db, true, 0, 1)
			return waiting, err
		},
	})
}

// metricsRoute serves /metrics on the site's own listener to whoever bears the metrics
// token; with no token set it is not there (a 404 like any other), so figures about the
// site never reach the public by default. -metrics-addr serves them elsewhere.
func metricsRoute(token string, m *metrics.Metrics) gin.HandlerFunc {
	if token == "" {
		return func(c *gin.Context) { web.Fail(c, errs.E(errs.NotFound, "Page not found")) }
	}
	return gin.WrapH(metrics.Protect(token, m.Handler()))
}

// databaseFile is the path of the main database file, as SQLite opened it.
func databaseFile(d *sql.DB) string {
	var seq int
	var name, file string
	if err := d.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		return ""
	}
	return file
}

// writable checks that the database takes a write: an insert in a transaction rolled back
// (SQLite refuses it on a read-only file; BEGIN IMMEDIATE alone does not), and at least
// 1 MB free on the database's file system, since a commit on a full disk fails. A ping
// alone answered ready on a read-only database.
func writable(ctx context.Context, d *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ('readyz')`); err != nil {
		return err
	}
	var seq int
	var name, file string
	if err := tx.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil || file == "" {
		return err
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(file), &st); err != nil {
		return err
	}
	if free := st.Bavail * uint64(st.Bsize); free < 1<<20 {
		return fmt.Errorf("%d bytes free beside %s", free, file)
	}
	return nil
}
