package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/internal/benchseed"
)

// The figure of issue 8, in process: the board's action log and the chair's dashboard with
// 1,000 open actions, alone in the database (1k) and among 100,000 actions over 200 boards
// (100k), as a member signed in and as a visitor. ns/op is server time through the real
// router; p95-ms@20 is the 95th percentile with 20 requests at once.
//
//	go test ./cmd/quorum -run '^$' -bench BenchmarkActionLogPage -benchtime 2000x
//
// bench/actions-log/run.sh measures the same over HTTP against the built binary.
func BenchmarkActionLogPage(b *testing.B) {
	for _, size := range []struct {
		name             string
		boards, perBoard int
	}{{"1k", 1, 0}, {"100k", 200, 498}} {
		ctx := audit.WithActor(context.Background(), audit.Actor{Name: "bench"})
		a, err := openApp(ctx, filepath.Join(b.TempDir(), size.name+".db"))
		if err != nil {
			b.Fatal(err)
		}
		board, err := benchseed.Actions(ctx, a.db, benchseed.Log{Boards: size.boards, PerBoard: size.perBoard, Target: 1000,
			Base: time.Now().AddDate(0, 0, -42*12), Public: true})
		if err != nil {
			b.Fatal(err)
		}
		var person int64
		if err := a.db.QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE board_id = ? LIMIT 1`, board).Scan(&person); err != nil {
			b.Fatal(err)
		}
		if err := a.users.CreateUser(ctx, &auth.User{Email: "member@bench.example", Name: "Member", Role: auth.RoleUser, PersonID: person}, benchPassword); err != nil {
			b.Fatal(err)
		}
		sessions, stop := newSessions(a, false)
		h, _, err := newHandler(a, sessions, slog.New(slog.NewTextHandler(io.Discard, nil)), serveConfig{})
		if err != nil {
			b.Fatal(err)
		}
		form := url.Values{"email": {"member@bench.example"}, "password": {benchPassword}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("sign in: %d", rec.Code)
		}
		cookies := rec.Result().Cookies()
		for _, who := range []string{"member", "public"} {
			for _, page := range []string{"actions", "dashboard"} {
				path := fmt.Sprintf("/boards/%d/%s", board, page)
				b.Run(fmt.Sprintf("%s/%s/%s", size.name, who, page), func(b *testing.B) {
					get := func() {
						req := httptest.NewRequest(http.MethodGet, path, nil)
						if who == "member" {
							for _, c := range cookies {
								req.AddCookie(c)
							}
						}
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("%s as %s: HTTP %d", path, who, rec.Code)
						}
					}
					get()
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						get()
					}
					b.StopTimer()
					var mu sync.Mutex
					var lat []time.Duration
					var wg sync.WaitGroup
					for range 20 {
						wg.Go(func() {
							for range 25 {
								t0 := time.Now()
								get()
								d := time.Since(t0)
								mu.Lock()
								lat = append(lat, d)
								mu.Unlock()
							}
						})
					}
					wg.Wait()
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms@20")
				})
			}
		}
		stop()
		a.Close()
	}
}
