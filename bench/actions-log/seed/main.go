// Command seed fills a migrated Quorum database for the action log benchmark: one board
// (id printed) with 1,000 open actions, and as many other boards as asked with their
// own actions (a fifth of them open), by plain SQL in one transaction. Every board has
// five members, twelve meetings held six weeks apart and one to come.
//
//	go run ./bench/actions-log/seed -db F -boards 200 -total 100000
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"time"

	"quorum/internal/db"
)

func main() {
	file := flag.String("db", "", "a database made by `quorum migrate`")
	boards := flag.Int("boards", 1, "boards in all")
	total := flag.Int("total", 1000, "actions in all")
	target := flag.Int("target", 1000, "open actions on the first board")
	flag.Parse()
	d, err := db.Open(*file)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	perBoard := 0
	if *boards > 1 {
		perBoard = (*total - *target) / (*boards - 1)
	}
	id, err := seed(d, *boards, perBoard, *target)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
}

func seed(d *sql.DB, boards, perBoard, target int) (int64, error) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	var targetBoard int64
	err := db.WithTx(ctx, d, func(tx *sql.Tx) error {
		exec := func(q string, args ...any) int64 {
			res, err := tx.Exec(q, args...)
			if err != nil {
				log.Fatalf("%s: %v", q, err)
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
		base := time.Now().AddDate(0, 0, -42*12)
		for bi := 0; bi < boards; bi++ {
			short := fmt.Sprintf("B%03d", bi)
			board := exec(`INSERT INTO boards (name, short_name, public) VALUES (?, ?, 1)`, "Board "+short, short)
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
				meetings = append(meetings, exec(`INSERT INTO meetings (board_id, starts_at) VALUES (?, ?)`, board, ts(base.AddDate(0, 0, 42*m))))
			}
			for i := 0; i < n; i++ {
				src := rng.IntN(12)
				status, completed := "open", ""
				if i >= open {
					status, completed = "done", ts(base.AddDate(0, 0, 42*src+7))
				} else if i%3 == 0 {
					status = "in_progress"
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
					status, rng.IntN(4), completed, ts(base), ts(base))
				if err != nil {
					return err
				}
				id, _ := res.LastInsertId()
				if i%7 == 0 {
					_, err = insOwner.Exec(id, "organisation", nil, orgs[i%len(orgs)], "org")
				} else {
					_, err = insOwner.Exec(id, "person", people[i%len(people)], nil, "P")
				}
				if err != nil {
					return err
				}
				if i%3 == 0 {
					if _, err := insUpdate.Exec(id, "progress", ts(base)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	_, err = d.Exec(`ANALYZE`)
	return targetBoard, err
}
