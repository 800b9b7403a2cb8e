package main

import (
	"context"
	"fmt"
)

func migrateCmd(ctx context.Context, e env, args []string) error {
	fs := newFlags("migrate", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(e.stdout, "%s is up to date\n", *dbPath)
	return nil
}
