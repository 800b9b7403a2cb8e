// Command seed fills a migrated Quorum database for the action log benchmark: one board
// (id printed) with 1,000 open actions, and as many other boards as asked with their
// own actions (a fifth of them open), by plain SQL in one transaction. Every board has
// five members, twelve meetings held six weeks apart and one to come.
//
//	go run ./bench/actions-log/seed -db F -boards 200 -total 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"quorum/internal/benchseed"
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
	id, err := benchseed.Actions(context.Background(), d, benchseed.Log{Boards: *boards, PerBoard: perBoard, Target: *target,
		Base: time.Now().AddDate(0, 0, -42*12), Public: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
}
