// Package benchseed fills a migrated database with boards and actions for the action log's
// benchmarks (the actions package's, the in-process page benchmark and bench/actions-log),
// by plain SQL in one transaction, so each measures the same data.
package benchseed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"quorum/internal/db"
)

// Log is the shape of the seeded data.
type Log struct {
	Boards   int       // boards in all; the first is the one measured
	PerBoard int       // actions on each other board, a fifth of them outstanding
	Target   int       // actions on the first board, all outstanding
	Base     time.Time // the first of each board's thirteen meetings, six weeks apart
	Public   bool      // boards publish their log to visitors
}

// Actions seeds the log and returns the first board's id. Every board has five members
// from six organisations and thirteen meetings; a seventh of the actions are owned by an
// organisation, the rest by a member; a third have a progress update.
func Actions(ctx context.Context, d *sql.DB, l Log) (int64, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	var targetBoard int64
	err := db.WithTx(ctx, d, func(tx *sql.Tx) error {
		var failed error
		exec := func(q string, args ...any) int64 {
			if failed != nil {
				return 0
			}
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				failed = fmt.Errorf("%s: %w", q, err)
				return 0
			}
			id, _ := res.LastInsertId()
			return id
		}
		orgs := make([]int64, 6)
		for i := range orgs {
			orgs[i] = exec(`INSERT INTO organisations (name, handle) VALUES (?, ?)`, fmt.Sprintf("Organisation %d", i), fmt.Sprintf("org%d", i))
		}
		insAction, err := tx.PrepareContext(ctx, `INSERT INTO actions (board_id, ref, year, seq, meeting_id, text, due_date, due_meeting_id, status,
			carried_forward, completed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insAction.Close()
		insOwner, err := tx.PrepareContext(ctx, `INSERT INTO action_owners (action_id, kind, person_id, organisation_id, label) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insOwner.Close()
		insUpdate, err := tx.PrepareContext(ctx, `INSERT INTO action_updates (action_id, text, author, created_at) VALUES (?, ?, 'seed', ?)`)
		if err != nil {
			return err
		}
		defer insUpdate.Close()
		for bi := 0; bi < l.Boards; bi++ {
			short := fmt.Sprintf("B%03d", bi)
			board := exec(`INSERT INTO boards (name, short_name, public) VALUES (?, ?, ?)`, "Board "+short, short, l.Public)
			n, open := l.PerBoard, l.PerBoard/5
			if bi == 0 {
				targetBoard, n, open = board, l.Target, l.Target
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
				meetings = append(meetings, exec(`INSERT INTO meetings (board_id, starts_at) VALUES (?, ?)`, board, ts(l.Base.AddDate(0, 0, 42*m))))
			}
			if failed != nil {
				return failed
			}
			for i := 0; i < n; i++ {
				src := rng.IntN(12)
				status, completed := "open", ""
				if i >= open {
					status, completed = "done", ts(l.Base.AddDate(0, 0, 42*src+7))
				} else if i%3 == 0 {
					status = "in_progress"
				}
				var dueMeeting any
				dueDate := ""
				if i%2 == 0 {
					dueMeeting = meetings[min(src+1+rng.IntN(3), 12)]
				} else {
					dueDate = l.Base.AddDate(0, 0, 42*src+rng.IntN(120)).Format(time.DateOnly)
				}
				res, err := insAction.ExecContext(ctx, board, fmt.Sprintf("%s/25/%04d", short, i+1), 2025, i+1, meetings[src],
					fmt.Sprintf("Action %d of board %s: report on the hotspots and the plan", i, short), dueDate, dueMeeting,
					status, rng.IntN(4), completed, ts(l.Base), ts(l.Base))
				if err != nil {
					return err
				}
				id, _ := res.LastInsertId()
				if i%7 == 0 {
					_, err = insOwner.ExecContext(ctx, id, "organisation", nil, orgs[i%len(orgs)], "org")
				} else {
					_, err = insOwner.ExecContext(ctx, id, "person", people[i%len(people)], nil, "P")
				}
				if err != nil {
					return err
				}
				if i%3 == 0 {
					if _, err := insUpdate.ExecContext(ctx, id, "progress", ts(l.Base)); err != nil {
						return err
					}
				}
			}
		}
		return failed
	})
	if err != nil {
		return 0, err
	}
	_, err = d.ExecContext(ctx, `ANALYZE`)
	return targetBoard, err
}
