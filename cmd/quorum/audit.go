package main

import (
	"context"
	"errors"
	"fmt"

	"quorum/internal/audit"
	"quorum/internal/db"
)

// auditCmd checks the audit log's hash chain: quorum audit verify [-db F]. It prints the
// first entry changed or deleted and exits 1; it opens the file without migrating it, so
// that checking a copy changes nothing in it.
func auditCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: quorum audit verify [-db F]")
	}
	fs := newFlags("audit verify", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	if err := parseFlags(fs, e, args[1:]); err != nil {
		return err
	}
	d, err := db.Open(*dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	checked, unchained, err := audit.Verify(ctx, d)
	var p *audit.Problem
	if errors.As(err, &p) {
		fmt.Fprintf(e.stdout, "TAMPERED: %s (%d entries before it hold)\n", p, checked)
		return exitCode(1)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintf(e.stdout, "ok: %d audit events, each chained to the one before", checked)
	if unchained > 0 {
		fmt.Fprintf(e.stdout, " (%d earlier events were written before the chain began)", unchained)
	}
	fmt.Fprintln(e.stdout)
	return nil
}
