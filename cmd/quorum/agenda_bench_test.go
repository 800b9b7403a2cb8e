package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/meetings"
)

// The figure of issue 4: the agenda page of a meeting with 25 items and 40 papers renders
// in under 5 ms of server time on a database holding 20 boards x 10 years of meetings.
//
//	go test ./cmd/quorum -run '^$' -bench BenchmarkAgendaPage -benchtime 2s
//
// Each request goes through the real router (access check, session, handler, template)
// straight to its ServeHTTP, so ns/op is server time without a network in the way.

const (
	benchBoards   = 20
	benchYears    = 10
	benchPerYear  = 11 // monthly, but for August
	benchMembers  = 12
	benchItems    = 10 // on each seeded meeting
	benchPapers   = 3  // on each seeded past meeting
	targetItems   = 25
	targetPapers  = 40
	benchPassword = "bench password 1"
)

// agendaBench is the seeded database and the target meeting's page.
type agendaBench struct {
	handler http.Handler
	page    string
	cookies map[string][]*http.Cookie // by who is signed in: "member", "clerk"
}

func newAgendaBench(b *testing.B) *agendaBench {
	b.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "bench"})
	a, err := openApp(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	paper := meetings.SamplePaper("Seeded paper", 1, meetings.SizeA4)
	boardID, memberID, clerkID := seedBoards(b, a.db, paper)
	target := seedTarget(b, ctx, a, boardID)

	for _, u := range []struct {
		email, role string
		person      int64
	}{{"member@bench.example", auth.RoleUser, memberID}, {"clerk@bench.example", auth.RoleClerk, clerkID}} {
		if err := a.users.CreateUser(ctx, &auth.User{Email: u.email, Name: u.email, Role: u.role, PersonID: u.person}, benchPassword); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := a.db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	sessions, stop := newSessions(a, false)
	h, _, err := newHandler(a, sessions, slog.New(slog.NewTextHandler(io.Discard, nil)), serveConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stop(); a.Close() })
	ab := &agendaBench{handler: h, page: fmt.Sprintf("/meetings/%d", target), cookies: map[string][]*http.Cookie{}}
	for who, email := range map[string]string{"member": "member@bench.example", "clerk": "clerk@bench.example"} {
		form := url.Values{"email": {email}, "password": {benchPassword}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("sign in as %s: %d", email, rec.Code)
		}
		ab.cookies[who] = rec.Result().Cookies()
	}
	return ab
}

// seedBoards fills the database with plain SQL: 20 public boards of 12 members from 8
// organisations, each meeting 11 times a year for 10 years up to a year from now, every
// meeting with 10 items and attendance, past ones with 3 papers. It returns the first
// board, one of its members and its clerk.
func seedBoards(b *testing.B, d *sql.DB, paper []byte) (boardID, memberID, clerkID int64) {
	b.Helper()
	tx, err := d.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) int64 {
		res, err := tx.Exec(q, args...)
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	prep := func(q string) *sql.Stmt {
		st, err := tx.Prepare(q)
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		return st
	}
	var orgs []int64
	for i, kind := range []string{"council", "police", "fire", "health", "probation", "voluntary", "housing", "other"} {
		orgs = append(orgs, exec(`INSERT INTO organisations (name, handle, kind) VALUES (?, ?, ?)`, fmt.Sprintf("Bench %s %d", kind, i), fmt.Sprintf("bench-%s", kind), kind))
	}
	insItem := prep(`INSERT INTO agenda_items (meeting_id, position, number, title, kind, purpose, presenter, duration_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, 10)`)
	insAtt := prep(`INSERT INTO attendance (meeting_id, person_id, status) VALUES (?, ?, ?)`)
	insPaper := prep(`INSERT INTO papers (item_id, meeting_id, title, filename, size, pages, sha256) VALUES (?, ?, ?, ?, ?, 1, ?)`)
	insFile := prep(`INSERT INTO paper_files (paper_id, data) VALUES (?, ?)`)
	now := time.Now().UTC()
	first := time.Date(now.Year()-benchYears+1, 1, 14, 10, 0, 0, 0, time.UTC)
	for bi := range benchBoards {
		clerk := exec(`INSERT INTO people (name, email, organisation_id) VALUES (?, ?, ?)`, fmt.Sprintf("Clerk %d", bi), fmt.Sprintf("clerk%d@bench.example", bi), orgs[0])
		board := exec(`INSERT INTO boards (name, short_name, public, clerk_id, quorum_count) VALUES (?, ?, 1, ?, 4)`,
			fmt.Sprintf("Bench Partnership %d", bi), fmt.Sprintf("BP%02d", bi), clerk)
		exec(`INSERT INTO memberships (board_id, person_id, role, organisation_id) VALUES (?, ?, 'clerk', ?)`, board, clerk, orgs[0])
		var people []int64
		for p := range benchMembers {
			org := orgs[p%len(orgs)]
			pid := exec(`INSERT INTO people (name, job_title, initials, organisation_id) VALUES (?, ?, ?, ?)`,
				fmt.Sprintf("Member %d-%d", bi, p), "Head of Service", fmt.Sprintf("M%d", p), org)
			role := "member"
			if p == 0 {
				role = "chair"
			}
			exec(`INSERT INTO memberships (board_id, person_id, role, organisation_id, starts_on) VALUES (?, ?, ?, ?, '2000-01-01')`, board, pid, role, org)
			people = append(people, pid)
		}
		exec(`INSERT INTO standing_items (board_id, position, title, presenter) VALUES (?, 1, 'Action plan: verbal update', 'Member')`, board)
		if bi == 0 {
			boardID, memberID, clerkID = board, people[1], clerk
		}
		for y := range benchYears + 1 {
			for mo := range 12 {
				if mo == 7 {
					continue
				}
				starts := first.AddDate(y, mo, 0)
				if y == benchYears && mo > 0 {
					break // and January of next year
				}
				status := "minutes_approved"
				if starts.After(now) {
					status = "scheduled"
				}
				mid := exec(`INSERT INTO meetings (board_id, starts_at, ends_at, place, status) VALUES (?, ?, ?, 'Committee Room 1', ?)`,
					board, starts.Format(time.RFC3339), starts.Add(2*time.Hour).Format(time.RFC3339), status)
				var items []int64
				for i := range benchItems {
					res, err := insItem.Exec(mid, i+1, fmt.Sprint(i+1), fmt.Sprintf("Item %d of meeting %d", i+1, mid), "substantive", "for noting", "Member")
					if err != nil {
						b.Fatal(err)
					}
					id, _ := res.LastInsertId()
					items = append(items, id)
				}
				if status == "scheduled" {
					continue
				}
				for i, p := range people {
					st := "present"
					if i%5 == 4 {
						st = "apologies"
					}
					if _, err := insAtt.Exec(mid, p, st); err != nil {
						b.Fatal(err)
					}
				}
				for p := range benchPapers {
					res, err := insPaper.Exec(items[3+p], mid, fmt.Sprintf("Paper %d", p+1), "paper.pdf", len(paper), fmt.Sprintf("%d-%d", mid, p))
					if err != nil {
						b.Fatal(err)
					}
					id, _ := res.LastInsertId()
					if _, err := insFile.Exec(id, paper); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return boardID, memberID, clerkID
}

// seedTarget schedules the meeting measured, through the store as a clerk would: its
// standard and standing items, then items up to 25 (two exempt, three with sub-items) and
// 40 papers (tiny PDFs made with fpdf), apologies with a substitute and a declaration.
func seedTarget(b *testing.B, ctx context.Context, a *app, boardID int64) int64 {
	b.Helper()
	st := a.meetings
	starts := time.Now().AddDate(0, 0, 10).Truncate(24 * time.Hour).Add(10 * time.Hour)
	m := &meetings.Meeting{BoardID: boardID, StartsAt: starts, Place: "Council Chamber"}
	if err := st.ScheduleMeeting(ctx, m); err != nil {
		b.Fatal(err)
	}
	full, err := st.Meeting(ctx, m.ID)
	if err != nil {
		b.Fatal(err)
	}
	for n := len(full.Items); n < targetItems; n++ {
		it := &meetings.AgendaItem{MeetingID: m.ID, Title: fmt.Sprintf("Substantive item %d", n), Purpose: "for decision",
			Presenter: "Head of Community Safety", Duration: 15}
		if n%9 == 0 {
			it.Exempt, it.ExemptReason = true, "Schedule 12A paragraph 3"
		}
		if err := st.AddItem(ctx, it); err != nil {
			b.Fatal(err)
		}
	}
	if full, err = st.Meeting(ctx, m.ID); err != nil {
		b.Fatal(err)
	}
	if len(full.Items) != targetItems {
		b.Fatalf("%d items, want %d", len(full.Items), targetItems)
	}
	for p := range targetPapers {
		it := full.Items[4+p%(targetItems-6)]
		title := fmt.Sprintf("Paper %d on %s", p+1, it.Title)
		if _, err := st.AddPaper(ctx, meetings.NewPaper{ItemID: it.ID, Title: title, Filename: fmt.Sprintf("paper-%d.pdf", p+1),
			Data: meetings.SamplePaper(title, 1, meetings.SizeA4), By: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	return m.ID
}

func BenchmarkAgendaPage(b *testing.B) {
	ab := newAgendaBench(b)
	for _, who := range []string{"public", "member", "clerk"} {
		b.Run(who, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, ab.page, nil)
			for _, c := range ab.cookies[who] {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			ab.handler.ServeHTTP(rec, req)
			// The public is not shown the papers of the exempt items.
			papers := strings.Count(rec.Body.String(), `href="/papers/`)
			if rec.Code != http.StatusOK || papers > targetPapers || (who != "public" && papers != targetPapers) {
				b.Fatalf("agenda page as %s: HTTP %d, %d papers", who, rec.Code, papers)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				ab.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("HTTP %d", rec.Code)
				}
			}
		})
	}
}
