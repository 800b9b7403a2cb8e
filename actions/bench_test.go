package actions

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"quorum/internal/db"
)

// seedLog fills a database with boards × perBoard actions, and one board (returned) with
// target outstanding actions, by plain SQL in one transaction. Every board has twelve
// past meetings and one ahead, five members and a spread of statuses.
func seedLog(tb testing.TB, d *sql.DB, boards, perBoard, target int) int64 {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var targetBoard int64
	err := db.WithTx(ctx, d, func(tx *sql.Tx) error {
		exec := func(q string, args ...any) int64 {
			res, err := tx.Exec(q, args...)
			if err != nil {
				tb.Fatalf("%s: %v", q, err)
			}
			id, _ := res.LastInsertId()
			return id
		}
		orgs := make([]int64, 6)
		for i := range orgs {
			orgs[i] = exec(`INSERT INTO organisations (name, handle) VALUES (?, ?)`, fmt.Sprintf("Organisation %d", i), fmt.Sprintf("org%d", i))
		}
		insAction, _ := tx.Prepare(`INSERT INTO actions (board_id, ref, year, seq, meeting_id, text, due_date, due_meeting_id, status,
			carried_forward, completed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		insOwner, _ := tx.Prepare(`INSERT INTO action_owners (action_id, kind, person_id, organisation_id, label) VALUES (?, ?, ?, ?, ?)`)
		insUpdate, _ := tx.Prepare(`INSERT INTO action_updates (action_id, text, author, created_at) VALUES (?, ?, 'seed', ?)`)
		defer insAction.Close()
		defer insOwner.Close()
		defer insUpdate.Close()
		base := time.Date(2025, 1, 9, 10, 0, 0, 0, time.UTC)
		for bi := 0; bi < boards; bi++ {
			short := fmt.Sprintf("B%03d", bi)
			board := exec(`INSERT INTO boards (name, short_name) VALUES (?, ?)`, "Board "+short, short)
			n, open := perBoard, perBoard/5
			if bi == 0 {
				targetBoard, n, open = board, target, target
			}
			var people []int64
			for p := 0; p < 5; p++ {
				org := orgs[(bi+p)%len(orgs)]
				pid := exec(`INSERT INTO people (name, initials, organisation_id) VALUES (?, ?, ?)`, fmt.Sprintf("Person %d-%d", bi, p), fmt.Sprintf("P%d", p), org)
				exec(`INSERT INTO memberships (board_id, person_id, organisation_id) VALUES (?, ?, ?)`, board, pid, org)
				people = append(people, pid)
			}
			var meetings []int64
			for m := 0; m < 13; m++ {
				meetings = append(meetings, exec(`INSERT INTO meetings (board_id, starts_at) VALUES (?, ?)`, board, formatTime(base.AddDate(0, 0, 42*m))))
			}
			for i := 0; i < n; i++ {
				src := rng.IntN(12)
				status := StatusOpen
				completed := ""
				if i >= open {
					status = StatusDone
					completed = formatTime(base.AddDate(0, 0, 42*src+7))
				} else if i%3 == 0 {
					status = StatusInProgress
				}
				var dueMeeting any
				dueDate := ""
				if i%2 == 0 {
					dueMeeting = meetings[min(src+1+rng.IntN(3), 12)]
				} else {
					dueDate = base.AddDate(0, 0, 42*src+rng.IntN(120)).Format(time.DateOnly)
				}
				res, err := insAction.Exec(board, fmt.Sprintf("%s/25/%04d", short, i+1), 2025, i+1, meetings[src],
					fmt.Sprintf("Action %d of board %s: report on the hotspots and the plan", i, short), dueDate, dueMeeting,
					status, rng.IntN(4), completed, formatTime(base), formatTime(base))
				if err != nil {
					return err
				}
				id, _ := res.LastInsertId()
				if i%7 == 0 {
					_, err = insOwner.Exec(id, OwnerOrganisation, nil, orgs[i%len(orgs)], "org")
				} else {
					_, err = insOwner.Exec(id, OwnerPerson, people[i%len(people)], nil, "P")
				}
				if err != nil {
					return err
				}
				if i%3 == 0 {
					if _, err := insUpdate.Exec(id, "progress", formatTime(base)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := d.Exec(`ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return targetBoard
}

// BenchmarkActionLog reads the board's log (outstanding, by due date, first page of 50)
// and the chair's dashboard for a board with 1,000 open actions: alone in the database,
// and among 100,000 actions over 200 boards. The two should cost the same (indexes, not
// scans): compare their ns/op.
func BenchmarkActionLog(b *testing.B) {
	for _, size := range []struct {
		name             string
		boards, perBoard int
	}{
		{"1k", 1, 0},
		{"100k", 200, 498},
	} {
		b.Run(size.name, func(b *testing.B) {
			d := newTestDB(b)
			board := seedLog(b, d, size.boards, size.perBoard, 1000)
			s := NewStore(d)
			s.now = func() time.Time { return time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC) }
			ctx := context.Background()
			page := func() {
				if _, _, err := s.List(ctx, board, Filter{Statuses: Outstanding, Sort: "due", Limit: 50}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Dashboard(ctx, board); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				page()
			}
			// p95 with 20 clients at once, as the figure asks.
			var mu sync.Mutex
			var lat []time.Duration
			var wg sync.WaitGroup
			for c := 0; c < 20; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 10; i++ {
						t0 := time.Now()
						page()
						mu.Lock()
						lat = append(lat, time.Since(t0))
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms@20")
		})
	}
}

// The log's and the dashboard's queries read one board through its index: none scans the
// actions table.
func TestQueryPlansUseIndexes(t *testing.T) {
	d := newTestDB(t)
	board := seedLog(t, d, 3, 50, 100)
	s := NewStore(d)
	where, args, err := s.where(board, Filter{Statuses: Outstanding, Overdue: true, OrganisationID: 1, OwnerPersonID: 1, Query: "plan"})
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string][]any{
		"list":  append([]any{}, args...),
		"count": append([]any{}, args...),
	}
	sqls := map[string]string{
		"list":  `SELECT ` + actionCols + actionFrom + ` WHERE ` + where + ` ORDER BY ` + dueKey,
		"count": `SELECT count(*) FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id WHERE ` + where,
		"dashboard": `SELECT a.id FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id LEFT JOIN meetings sm ON sm.id = a.meeting_id
			WHERE a.board_id = ? AND a.status IN ('open','in_progress')`,
		"owners": `SELECT o.action_id FROM actions a JOIN action_owners o ON o.action_id = a.id WHERE a.board_id = ? AND a.status IN ('open','in_progress')`,
		"mine": `SELECT a.id FROM actions a WHERE a.status IN ('open','in_progress') AND a.id IN (
			SELECT action_id FROM action_owners WHERE person_id = ?1 UNION SELECT action_id FROM action_owners WHERE organisation_id = ?2
			UNION SELECT action_id FROM action_responses WHERE organisation_id = ?2 AND status = 'pending')`,
	}
	queries["dashboard"] = []any{board}
	queries["owners"] = []any{board}
	queries["mine"] = []any{1, 1}
	// and the dashboard's owner counts, as the store runs them
	var dd Dashboard
	if err := s.countOwners(context.Background(), &dd, board, "2026-01-20", "2026-01-20T09:00:00Z"); err != nil {
		t.Fatal(err)
	}
	for name, q := range sqls {
		rows, err := d.Query(`EXPLAIN QUERY PLAN `+q, queries[name]...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		for _, p := range plan {
			if strings.HasPrefix(p, "SCAN a") || strings.HasPrefix(p, "SCAN actions") || strings.HasPrefix(p, "SCAN action_owners") {
				t.Errorf("%s scans: %s\n%s", name, p, strings.Join(plan, "\n"))
			}
		}
	}
}
