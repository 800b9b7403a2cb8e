package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"quorum/actions"
	"quorum/internal/errs"
	"quorum/minutes/importer"
)

const minutesImportUsage = "usage: quorum minutes import IN.(txt|docx) -o OUT.md [-board SHORT] [-db F]"

// minutesImportCmd turns minutes kept in Word or as text into the dialect, writes the markdown
// and prints what it found; with -board, owners are matched against that board's people and
// organisations in the database.
func minutesImportCmd(ctx context.Context, e env, args []string) error {
	files, flagArgs := splitArgs(args)
	fs := newFlags("minutes import", e)
	out := fs.String("o", "", "the markdown file to write (- for standard output)")
	board := fs.String("board", "", "match owners against this board (short name) in the database")
	dbPath := fs.String("db", "quorum.db", "SQLite database file (with -board)")
	if err := parseFlags(fs, e, flagArgs); err != nil {
		return err
	}
	if len(files) != 1 || *out == "" {
		return errors.New(minutesImportUsage)
	}
	in := files[0]
	src, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", in, err)
	}

	var opt importer.Options
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
		opt.Owners = func(name string) (string, bool) {
			// as written ("JS", "police", "Partners"), then as a handle ("Rachel-Dunley")
			for _, token := range []string{name, strings.ReplaceAll(name, " ", "-"), strings.ReplaceAll(name, " ", ".")} {
				if _, err := acts.ResolveOwner(ctx, a.db, b.ID, token); err == nil {
					return token, true
				}
			}
			return "", false
		}
	}

	var res *importer.Result
	switch ext := strings.ToLower(filepath.Ext(in)); {
	case ext == ".doc":
		return fmt.Errorf("%s: %w", in, importer.ErrDoc)
	case ext == ".docx" || bytes.HasPrefix(src, []byte("PK\x03\x04")):
		res, err = importer.FromDocx(bytes.NewReader(src), int64(len(src)), opt)
	default:
		res, err = importer.FromText(bytes.NewReader(src), opt)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if *out == "-" {
		_, err := e.stdout.Write(res.Markdown)
		return err
	}
	if err := os.WriteFile(*out, res.Markdown, 0o644); err != nil {
		return err
	}
	writeImportSummary(e, in, *out, res.Summary)
	return nil
}

func writeImportSummary(e env, in, out string, s importer.Summary) {
	w := e.stdout
	fmt.Fprintf(w, "%s -> %s\n", in, out)
	fmt.Fprintf(w, "items: %d\nresolutions: %d\nactions: %d\n", s.Items, s.Resolutions, s.Actions)
	fmt.Fprintf(w, "owners found: %d", len(s.Owners))
	if len(s.Owners) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(s.Owners, ", "))
	}
	fmt.Fprintf(w, "\nowners unmatched: %d", len(s.Unmatched))
	if len(s.Unmatched) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(s.Unmatched, ", "))
	}
	fmt.Fprintf(w, "\nlines not understood: %d\n", len(s.NotUnderstood))
	for _, l := range s.NotUnderstood {
		t := l.Text
		if r := []rune(t); len(r) > 100 {
			t = string(r[:100]) + "…"
		}
		fmt.Fprintf(w, "  line %d: %s\n", l.N, t)
	}
}
