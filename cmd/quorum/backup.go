package main

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// backupCmd writes a consistent copy of a live database with VACUUM INTO, which reads
// one snapshot while writers carry on.
func backupCmd(ctx context.Context, e env, args []string) error {
	fs := newFlags("backup", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	out := fs.String("o", "", "file to write the backup to (must not exist)")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: give the file to write with -o")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s already exists", *out)
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.db.ExecContext(ctx, `VACUUM INTO ?`, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", *dbPath, *out)
	return nil
}
