// Command load puts a running Quorum under the evening-before-a-meeting load: many clients
// at once on loopback doing what a partnership does (partners reading the agenda and
// downloading the published pack, officers posting action updates over the API, two clerks
// saving minutes and agendas, the chair on the dashboard). It prints p50/p95/p99 per route,
// then measures side by side the pack download against a static file of the same bytes and
// the action log page against the same bytes as a static file. Afterwards it reads the
// database and checks that every write the server acknowledged is there. It exits 1 on any
// 5xx, any SQLITE_BUSY, any lost write, or a ratio below its goal.
//
//	go run ./bench/load -url http://127.0.0.1:18633 -db quorum.db -clerk-token T -officer-token T
//
// bench/load/run.sh builds the database (the demo partnership plus 200 boards and 100,000
// actions) and runs it for 60 s; cmd/quorum/proof_load_test.go runs it for 15 s in CI.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"quorum/internal/db"
)

type config struct {
	base, dbFile               string
	clerkToken, officerToken   string
	clerkEmail, chairEmail     string
	officerEmail, password     string
	clients                    int
	duration, compare          time.Duration
	packGoal, logGoal, p95Goal float64
	think                      float64 // scales each role's pause between steps; 0: none
}

func main() {
	var c config
	flag.StringVar(&c.base, "url", "http://127.0.0.1:18633", "the server")
	flag.StringVar(&c.dbFile, "db", "", "the server's database (read to find the demo's boards, and to check writes afterwards)")
	flag.StringVar(&c.clerkToken, "clerk-token", "", "API token of the clerk (quorum token create)")
	flag.StringVar(&c.officerToken, "officer-token", "", "API token of the officer")
	flag.StringVar(&c.clerkEmail, "clerk-email", "clerk@northvale.example", "the clerk's login")
	flag.StringVar(&c.chairEmail, "chair-email", "chair@northvale.example", "the chair's login (partners read as members)")
	flag.StringVar(&c.officerEmail, "officer-email", "priya.natarajan@northvale.example", "the officer whose actions get updates")
	flag.StringVar(&c.password, "password", "northvale-demo", "password of the demo logins")
	flag.IntVar(&c.clients, "clients", 50, "clients at once")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long the mixed load runs")
	flag.DurationVar(&c.compare, "compare", 6*time.Second, "how long each side-by-side comparison runs")
	flag.Float64Var(&c.packGoal, "pack-goal", 0.8, "pack download bytes per second as a share of the static file's")
	flag.Float64Var(&c.logGoal, "log-goal", 0.1, "action log pages per second as a share of the same bytes as a static file")
	flag.Float64Var(&c.p95Goal, "p95-goal-ms", 0, "fail when a route's p95 is above this (0: report only)")
	flag.Float64Var(&c.think, "think", 1, "scale of each client's pause between steps (1: a busy evening, see pause; 0: no pause, the server saturated)")
	flag.Parse()
	if c.dbFile == "" || c.clerkToken == "" || c.officerToken == "" {
		log.Fatal("load: give -db, -clerk-token and -officer-token")
	}
	if err := run(c); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("PASS")
}

// target is what the clients work on, found in the database.
type target struct {
	demoBoard, bigBoard int64
	packMeeting         int64 // the next meeting, whose pack is published
	agendaMeeting       int64 // a later meeting whose agenda the clerks add to
	minutesMeetings     []int64
	minutesText         map[int64]string
	officerActions      []int64
}

func find(d *sql.DB, c config) (*target, error) {
	t := &target{minutesText: map[int64]string{}}
	if err := d.QueryRow(`SELECT id FROM boards WHERE short_name = 'NSCP'`).Scan(&t.demoBoard); err != nil {
		return nil, fmt.Errorf("the demo board: %w", err)
	}
	// The busiest board: the one with most actions (the seeded board of 1,000 open).
	if err := d.QueryRow(`SELECT board_id FROM actions GROUP BY board_id ORDER BY count(*) DESC LIMIT 1`).Scan(&t.bigBoard); err != nil {
		return nil, fmt.Errorf("the busiest board: %w", err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	rows, err := d.Query(`SELECT id FROM meetings WHERE board_id = ? AND starts_at > ? AND status IN ('scheduled', 'agenda_published')
		ORDER BY starts_at LIMIT 2`, t.demoBoard, now)
	if err != nil {
		return nil, err
	}
	var next []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		next = append(next, id)
	}
	rows.Close()
	if len(next) == 0 {
		return nil, errors.New("the demo board has no meeting to come")
	}
	t.packMeeting, t.agendaMeeting = next[0], next[len(next)-1]
	rows, err = d.Query(`SELECT m.meeting_id, m.text FROM minutes m JOIN meetings g ON g.id = m.meeting_id
		WHERE m.status = 'draft' ORDER BY g.board_id = ? DESC, m.meeting_id LIMIT 2`, t.demoBoard)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var text string
		rows.Scan(&id, &text)
		t.minutesMeetings = append(t.minutesMeetings, id)
		t.minutesText[id] = text
	}
	rows.Close()
	if len(t.minutesMeetings) == 0 {
		return nil, errors.New("no draft minutes to save")
	}
	rows, err = d.Query(`SELECT DISTINCT a.id FROM actions a JOIN action_owners o ON o.action_id = a.id
		JOIN people p ON p.id = o.person_id WHERE p.email = ? ORDER BY a.id`, c.officerEmail)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		t.officerActions = append(t.officerActions, id)
	}
	rows.Close()
	if len(t.officerActions) == 0 {
		return nil, errors.New("the officer owns no action")
	}
	return t, nil
}

// client is one person's browser or script.
type client struct {
	hc    *http.Client
	base  string
	token string
}

func newClient(base string, conns int) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path, contentType string, body []byte, hdr map[string]string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (c *client) signIn(email, password string) error {
	st, b, err := c.do(http.MethodPost, "/login", "application/x-www-form-urlencoded",
		[]byte(url.Values{"email": {email}, "password": {password}}.Encode()), nil)
	if err != nil {
		return err
	}
	if st != http.StatusSeeOther {
		return fmt.Errorf("sign in as %s: %d %.200s", email, st, b)
	}
	return nil
}

// stats keeps latencies per route and the failures.
type stats struct {
	mu       sync.Mutex
	lat      map[string][]time.Duration
	fails    []string
	server5x atomic.Int64
	busy     atomic.Int64
}

func (s *stats) add(route string, d time.Duration) {
	s.mu.Lock()
	s.lat[route] = append(s.lat[route], d)
	s.mu.Unlock()
}

func (s *stats) fail(f string, args ...any) {
	s.mu.Lock()
	if len(s.fails) < 20 {
		s.fails = append(s.fails, fmt.Sprintf(f, args...))
	}
	s.mu.Unlock()
}

// call makes one request, times it under route, and checks its status.
func (s *stats) call(c *client, route, method, path, ct string, body []byte, want int) []byte {
	t0 := time.Now()
	st, b, err := c.do(method, path, ct, body, nil)
	s.add(route, time.Since(t0))
	if err != nil {
		s.fail("%s %s: %v", method, path, err)
		return nil
	}
	if st >= 500 {
		s.server5x.Add(1)
	}
	if bytes.Contains(b, []byte("SQLITE_BUSY")) || bytes.Contains(b, []byte("database is locked")) {
		s.busy.Add(1)
	}
	if st != want {
		s.fail("%s %s: %d, want %d: %.200s", method, path, st, want, b)
		return nil
	}
	return b
}

// worker is one client and the part it plays.
type worker struct {
	role string
	c    *client
}

// acks are the writes the server acknowledged.
type acks struct {
	mu      sync.Mutex
	updates map[int64]string // update id → text
	items   map[int64]string // agenda item id → title
	minutes map[[2]int64]string
}

func run(c config) error {
	d, err := db.Open(c.dbFile)
	if err != nil {
		return err
	}
	defer d.Close()
	tg, err := find(d, c)
	if err != nil {
		return err
	}
	base := c.base
	clerk := newClient(base, 4)
	if err := clerk.signIn(c.clerkEmail, c.password); err != nil {
		return err
	}
	// Publish the next meeting's pack (once: publishing again with nothing new is refused).
	if st, b, err := clerk.do(http.MethodPost, fmt.Sprintf("/meetings/%d/pack/publish", tg.packMeeting), "application/x-www-form-urlencoded", nil, nil); err != nil || st != http.StatusSeeOther {
		return fmt.Errorf("publish the pack: %d %v %.300s", st, err, b)
	}
	packPath := fmt.Sprintf("/meetings/%d/pack.pdf", tg.packMeeting)
	logPath := fmt.Sprintf("/boards/%d/actions", tg.bigBoard)
	fmt.Printf("load: %s, %d clients for %s, think %.1f; demo board %d, busiest board %d, pack of meeting %d, agenda of meeting %d, minutes of %v, %d officer actions\n",
		base, c.clients, c.duration, c.think, tg.demoBoard, tg.bigBoard, tg.packMeeting, tg.agendaMeeting, tg.minutesMeetings, len(tg.officerActions))

	s := &stats{lat: map[string][]time.Duration{}}
	a := &acks{updates: map[int64]string{}, items: map[int64]string{}, minutes: map[[2]int64]string{}}
	// Everyone signs in first (sign-in is argon2id, four at a time: not what is measured).
	var workers []worker
	for i := range c.clients {
		role := "partner"
		switch {
		case i < 2:
			role = "clerk"
		case i == 2:
			role = "chair"
		case i < 13:
			role = "officer"
		}
		w := worker{role: role, c: newClient(base, 1)}
		switch role {
		case "clerk":
			w.c.token = c.clerkToken
		case "officer":
			w.c.token = c.officerToken
		default:
			if err := w.c.signIn(c.chairEmail, c.password); err != nil {
				return err
			}
		}
		workers = append(workers, w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for n := 0; ctx.Err() == nil; n++ {
				switch w.role {
				case "clerk":
					clerkStep(s, a, w.c, tg, i, n)
				case "chair":
					s.call(w.c, "GET dashboard", "GET", fmt.Sprintf("/boards/%d/dashboard", tg.demoBoard), "", nil, 200)
					s.call(w.c, "GET dashboard (busiest board)", "GET", fmt.Sprintf("/boards/%d/dashboard", tg.bigBoard), "", nil, 200)
				case "officer":
					id := tg.officerActions[rng.IntN(len(tg.officerActions))]
					text := fmt.Sprintf("load officer %d update %d", i, n)
					body, _ := json.Marshal(map[string]string{"text": text})
					if b := s.call(w.c, "POST api action update", "POST", fmt.Sprintf("/api/v1/actions/%d/updates", id), "application/json", body, 201); b != nil {
						var u struct{ ID int64 }
						json.Unmarshal(b, &u)
						a.mu.Lock()
						a.updates[u.ID] = text
						a.mu.Unlock()
					}
					s.call(w.c, "GET api action", "GET", fmt.Sprintf("/api/v1/actions/%d", id), "", nil, 200)
				default:
					switch r := rng.IntN(10); {
					case r < 4:
						s.call(w.c, "GET meeting (agenda)", "GET", fmt.Sprintf("/meetings/%d", tg.packMeeting), "", nil, 200)
					case r < 8:
						s.call(w.c, "GET pack.pdf", "GET", packPath, "", nil, 200)
					default:
						s.call(w.c, "GET action log (busiest board)", "GET", logPath, "", nil, 200)
					}
				}
				pause(ctx, rng, w.role, c.think)
			}
		}()
	}
	wg.Wait()
	failed := report(s, c)

	// Side by side: the pack against a static file of the same bytes, and the action log
	// page against its own bytes served as a static file. No static file is as large as
	// the pack, so the static side asks for a range of the largest one and the pack side for
	// the same range; both go through http.ServeContent behind the same middleware.
	reader := workers[len(workers)-1].c
	_, pack, _ := reader.do("GET", packPath, "", nil, nil)
	_, page, _ := reader.do("GET", logPath, "", nil, nil)
	static := "/static/css/govuk-frontend.min.css"
	_, css, _ := reader.do("GET", static, "", nil, nil)
	fmt.Printf("\nsizes: pack %d bytes, action log page %d bytes, largest static file %d bytes\n", len(pack), len(page), len(css))
	cmp := func(name, pathA string, hdrA map[string]string, pathB string, hdrB map[string]string, goal float64) bool {
		ra, rb := sideBySide(workers, c, pathA, hdrA, pathB, hdrB)
		ratio := ra / rb
		ok := ratio >= goal
		fmt.Printf("%-46s %8.0f req/s vs static %8.0f req/s: %.2f (goal >= %.2f) %s\n", name, ra, rb, ratio, goal, map[bool]string{true: "ok", false: "MISSED"}[ok])
		return ok
	}
	// The goal: the whole pack, in bytes per second, against the largest static file (a
	// static file as large as the pack would do at least as well per byte, so this flatters
	// the static side less than it seems). Also shown: the same first bytes of each, where
	// the pack route's fixed cost per request (access check, lookup) weighs most.
	ra, rb := sideBySide(workers, c, packPath, nil, static, nil)
	ratio := ra * float64(len(pack)) / (rb * float64(len(css)))
	ok := ratio >= c.packGoal
	fmt.Printf("%-46s %8.1f MB/s vs static %8.1f MB/s: %.2f (goal >= %.2f) %s\n", "pack.pdf whole, bytes per second",
		ra*float64(len(pack))/1e6, rb*float64(len(css))/1e6, ratio, c.packGoal, map[bool]string{true: "ok", false: "MISSED"}[ok])
	if !ok {
		failed = append(failed, "pack download below its goal")
	}
	n := min(len(pack), len(css))
	rng := map[string]string{"Range": fmt.Sprintf("bytes=0-%d", n-1)}
	cmp(fmt.Sprintf("pack.pdf, first %d bytes (reported)", n), packPath, rng, static, rng, 0)
	m := min(len(page), len(css))
	rng = map[string]string{"Range": fmt.Sprintf("bytes=0-%d", m-1)}
	ok = cmp(fmt.Sprintf("action log page (%d bytes) vs static range", len(page)), logPath, nil, static, rng, c.logGoal)
	if len(page) > len(css) {
		fmt.Printf("  (the page is larger than the static file: the static side served %d of its %d bytes)\n", m, len(page))
	}
	if !ok {
		failed = append(failed, "action log page below its goal")
	}

	// Every acknowledged write is there.
	lost := 0
	for id, text := range a.updates {
		var got string
		if err := d.QueryRow(`SELECT text FROM action_updates WHERE id = ?`, id).Scan(&got); err != nil || got != text {
			lost++
		}
	}
	for id, title := range a.items {
		var got string
		if err := d.QueryRow(`SELECT title FROM agenda_items WHERE id = ?`, id).Scan(&got); err != nil || got != title {
			lost++
		}
	}
	for k, note := range a.minutes {
		var got string
		if err := d.QueryRow(`SELECT text FROM minutes_versions WHERE meeting_id = ? AND version = ?`, k[0], k[1]).Scan(&got); err != nil || !strings.Contains(got, note) {
			lost++
		}
	}
	fmt.Printf("\nacknowledged writes: %d action updates, %d agenda items, %d minutes versions; missing afterwards: %d\n",
		len(a.updates), len(a.items), len(a.minutes), lost)
	if lost > 0 {
		failed = append(failed, fmt.Sprintf("%d acknowledged writes missing", lost))
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

func clerkStep(s *stats, a *acks, c *client, tg *target, i, n int) {
	mid := tg.minutesMeetings[i%len(tg.minutesMeetings)]
	note := fmt.Sprintf("Load note from clerk %d, save %d.", i, n)
	text := tg.minutesText[mid] + "\n\n" + note + "\n"
	if b := s.call(c, "PUT api minutes", "PUT", fmt.Sprintf("/api/v1/meetings/%d/minutes", mid), "text/markdown", []byte(text), 200); b != nil {
		var v struct{ Version int64 }
		json.Unmarshal(b, &v)
		a.mu.Lock()
		a.minutes[[2]int64{mid, v.Version}] = note
		a.mu.Unlock()
	}
	title := fmt.Sprintf("Load item from clerk %d, %d", i, n)
	body, _ := json.Marshal(map[string]any{"title": title, "purpose": "for noting"})
	if b := s.call(c, "POST api agenda item", "POST", fmt.Sprintf("/api/v1/meetings/%d/items", tg.agendaMeeting), "application/json", body, 201); b != nil {
		var it struct{ ID int64 }
		json.Unmarshal(b, &it)
		a.mu.Lock()
		a.items[it.ID] = title
		a.mu.Unlock()
	}
	s.call(c, "GET api meeting", "GET", fmt.Sprintf("/api/v1/meetings/%d", tg.agendaMeeting), "", nil, 200)
}

// pause is a client's time between steps, drawn evenly from its role's range and scaled
// by think. At think 1 this is a busy evening, faster than people are: partners open a
// page every 0.2-1 s, the chair and the officers every 0.5-1.5 s, and each clerk saves the
// minutes and an agenda item every 1-3 s (the editor autosaves every 20 s). 50 clients
// offer about 90 requests a second, a third of what the server answers with no pauses at
// all (think 0), which measures how far it goes when saturated rather than how fast it
// answers.
func pause(ctx context.Context, rng *rand.Rand, role string, think float64) {
	if think <= 0 {
		return
	}
	lo, hi := 0.2, 1.0
	switch role {
	case "chair", "officer":
		lo, hi = 0.5, 1.5
	case "clerk":
		lo, hi = 1, 3
	}
	d := time.Duration((lo + rng.Float64()*(hi-lo)) * think * float64(time.Second))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// sideBySide runs every client on path A and on path B in alternate half-second slices
// for the comparison time, so both meet the same machine, and returns each one's
// requests per second.
func sideBySide(workers []worker, c config, pathA string, hdrA map[string]string, pathB string, hdrB map[string]string) (float64, float64) {
	var doneA, doneB int64
	var timeA, timeB time.Duration
	slice := 500 * time.Millisecond
	for elapsed := time.Duration(0); elapsed < c.compare; elapsed += 2 * slice {
		for _, side := range []int{0, 1} {
			path, hdr := pathA, hdrA
			if side == 1 {
				path, hdr = pathB, hdrB
			}
			var n atomic.Int64
			t0 := time.Now()
			end := t0.Add(slice)
			var wg sync.WaitGroup
			for _, w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(end) {
						st, _, err := w.c.do("GET", path, "", nil, hdr)
						if err == nil && (st == 200 || st == 206) {
							n.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			if side == 0 {
				doneA += n.Load()
				timeA += time.Since(t0)
			} else {
				doneB += n.Load()
				timeB += time.Since(t0)
			}
		}
	}
	return float64(doneA) / timeA.Seconds(), float64(doneB) / timeB.Seconds()
}

// report prints the latencies per route and returns what failed.
func report(s *stats, c config) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	routes := make([]string, 0, len(s.lat))
	total := 0
	for r, l := range s.lat {
		routes = append(routes, r)
		total += len(l)
	}
	sort.Strings(routes)
	fmt.Printf("\n%-34s %7s %8s %8s %8s %8s\n", "route", "n", "p50 ms", "p95 ms", "p99 ms", "max ms")
	var failed []string
	for _, r := range routes {
		l := s.lat[r]
		slices.Sort(l)
		q := func(p float64) float64 {
			return float64(l[min(len(l)-1, int(p*float64(len(l))))].Microseconds()) / 1000
		}
		fmt.Printf("%-34s %7d %8.1f %8.1f %8.1f %8.1f\n", r, len(l), q(0.50), q(0.95), q(0.99), q(1))
		if c.p95Goal > 0 && q(0.95) > c.p95Goal {
			failed = append(failed, fmt.Sprintf("%s p95 %.1f ms over %.0f ms", r, q(0.95), c.p95Goal))
		}
	}
	fmt.Printf("%d requests in %s (%.0f/s); 5xx: %d; SQLITE_BUSY seen: %d; other failures: %d\n",
		total, c.duration, float64(total)/c.duration.Seconds(), s.server5x.Load(), s.busy.Load(), len(s.fails))
	for _, f := range s.fails {
		fmt.Println("  ", f)
	}
	if s.server5x.Load() > 0 {
		failed = append(failed, fmt.Sprintf("%d responses 5xx", s.server5x.Load()))
	}
	if s.busy.Load() > 0 {
		failed = append(failed, "SQLITE_BUSY surfaced")
	}
	if len(s.fails) > 0 {
		failed = append(failed, fmt.Sprintf("%d requests failed", len(s.fails)))
	}
	return failed
}
