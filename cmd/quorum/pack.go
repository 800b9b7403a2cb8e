package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"quorum/internal/pack"
)

// packs is the agenda pack service over the app's stores; base starts links in mail.
func (a *app) packs(base string) *pack.Service {
	return &pack.Service{DB: a.db, Meetings: a.meetings, Actions: a.actions, Minutes: a.minutes, BaseURL: base}
}

// packCmd is `quorum pack build -meeting ID -o OUT.pdf [-restricted] [-db F]`: it builds a
// meeting's pack as it stands now, without publishing it or telling anyone.
func packCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "build" {
		return errors.New("usage: quorum pack build -meeting ID -o OUT.pdf [-restricted] [-db F]")
	}
	fs := newFlags("pack build", e)
	dbPath := fs.String("db", "quorum.db", "SQLite database file")
	meeting := fs.String("meeting", "", "the meeting's id")
	out := fs.String("o", "", "file to write the pack to")
	restricted := fs.Bool("restricted", false, "build the restricted pack, with the exempt papers")
	if err := parseFlags(fs, e, args[1:]); err != nil {
		return err
	}
	id, err := strconv.ParseInt(*meeting, 10, 64)
	if err != nil || id <= 0 {
		return errors.New("pack build: give the meeting's id with -meeting")
	}
	if *out == "" {
		return errors.New("pack build: give the file to write with -o")
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("pack build: %w", err)
	}
	a, err := openApp(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := a.packs("").Build(ctx, id, pack.Options{Restricted: *restricted})
	if err != nil {
		return fmt.Errorf("pack build: %w", err)
	}
	if err := os.WriteFile(*out, b.PDF, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d pages, %d papers\n", *out, b.Pages, len(b.Papers))
	return nil
}
