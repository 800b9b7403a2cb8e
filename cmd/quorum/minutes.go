package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"quorum/actions"
	"quorum/internal/errs"
	"quorum/meetings"
	"quorum/minutes"
)

const minutesUsage = "usage: quorum minutes parse IN.md [-board SHORT] [-db F] | quorum minutes render IN.md -o OUT.pdf"

func minutesCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return errors.New(minutesUsage)
	}
	switch args[0] {
	case "parse":
		return minutesParseCmd(ctx, e, args[1:])
	case "render":
		return minutesRenderCmd(e, args[1:])
	case "import":
		return minutesImportCmd(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown minutes command %q\n%s", args[0], minutesUsage)
}

// splitArgs lets the file name come before the flags, as in `minutes parse IN.md -board X`:
// every flag of these commands takes a value.
func splitArgs(args []string) (files, flags []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		files = append(files, a)
	}
	return files, flags
}

// minutesParseCmd prints what Quorum reads out of a minutes file, as JSON; with -board the
// owners are checked against that board in the database. It exits 1 when there are errors.
func minutesParseCmd(ctx context.Context, e env, args []string) error {
	files, flagArgs := splitArgs(args)
	fs := newFlags("minutes parse", e)
	board := fs.String("board", "", "check owners and meetings against this board (short name) in the database")
	dbPath := fs.String("db", "quorum.db", "SQLite database file (with -board)")
	if err := parseFlags(fs, e, flagArgs); err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New(minutesUsage)
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	var opt minutes.Options
	if *board != "" {
		if _, err := os.Stat(*dbPath); err != nil {
			return fmt.Errorf("-board needs a database: %w", err)
		}
		a, err := openApp(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer a.Close()
		b, err := a.meetings.BoardByShortName(ctx, *board)
		if err != nil {
			return fmt.Errorf("board %s: %s", *board, errs.Message(err))
		}
		acts := actions.NewStore(a.db)
		opt.Owners = func(owner string) error {
			if _, err := acts.ResolveOwner(ctx, a.db, b.ID, owner); err != nil {
				if errs.Code(err) == errs.Invalid {
					return errors.New(errs.Message(err))
				}
				return fmt.Errorf("could not check @%s: %v", owner, err)
			}
			return nil
		}
		opt.Meetings = func(month time.Month, after time.Time) (string, bool) {
			m, err := a.meetings.MeetingInMonth(ctx, b.ID, month, after)
			if err != nil || m == nil {
				return "", false
			}
			return m.StartsAt.In(meetings.London).Format(time.DateOnly), true
		}
	}
	p := minutes.Parse(src, opt)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return err
	}
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if len(p.Errors) > 0 {
		return exitCode(1)
	}
	return nil
}

// minutesRenderCmd renders a minutes file (front matter and body) to PDF, no database.
func minutesRenderCmd(e env, args []string) error {
	files, flagArgs := splitArgs(args)
	fs := newFlags("minutes render", e)
	out := fs.String("o", "", "the PDF to write")
	if err := parseFlags(fs, e, flagArgs); err != nil {
		return err
	}
	if len(files) != 1 || *out == "" {
		return errors.New(minutesUsage)
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := minutes.RenderPDF(&buf, src); err != nil {
		return fmt.Errorf("render %s: %w", files[0], err)
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}
