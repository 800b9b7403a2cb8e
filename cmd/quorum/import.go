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
	"quorum/internal/audit"
	"quorum/internal/errs"
	"quorum/meetings"
	"quorum/minutes"
	"quorum/minutes/importer"
)

const minutesImportUsage = "usage: quorum minutes import IN.(txt|docx) -o OUT.md [-board SHORT] [-db F]\n" +
	"       quorum minutes import IN.(txt|docx) -meeting ID [-approved] [-db F]   (saves them as that meeting's minutes)"

// minutesImportCmd turns minutes kept in Word or as text into the dialect, writes the markdown
// and prints what it found; with -board, owners are matched against that board's people and
// organisations in the database. With -meeting, it saves them as that meeting's minutes.
func minutesImportCmd(ctx context.Context, e env, args []string) error {
	for i, a := range args {
		if a == "-approved" || a == "--approved" {
			args[i] = "-approved=true" // every other flag takes a value (splitArgs)
		}
	}
	files, flagArgs := splitArgs(args)
	fs := newFlags("minutes import", e)
	out := fs.String("o", "", "the markdown file to write (- for standard output)")
	board := fs.String("board", "", "match owners against this board (short name) in the database")
	dbPath := fs.String("db", "quorum.db", "SQLite database file (with -board or -meeting)")
	meeting := fs.Int64("meeting", 0, "save the minutes as this meeting's (its id), closing the earlier actions they report done")
	approved := fs.Bool("approved", false, "with -meeting: the minutes were approved, at the next meeting or before Quorum")
	if err := parseFlags(fs, e, flagArgs); err != nil {
		return err
	}
	if *meeting != 0 && len(files) == 1 {
		return importIntoMeeting(ctx, e, files[0], *dbPath, *board, *meeting, *approved)
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

// importIntoMeeting converts a file with the board's owners (as mapped in the app, then as
// the board knows them), closes the board's earlier open actions the minutes report done,
// and saves them as the meeting's minutes, approved if asked. Line errors are printed, and
// nothing is saved.
func importIntoMeeting(ctx context.Context, e env, in, dbPath, board string, meetingID int64, approved bool) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", in, err)
	}
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("-meeting needs a database: %w", err)
	}
	a, err := openApp(ctx, dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.meetings.Meeting(ctx, meetingID)
	if err != nil {
		return fmt.Errorf("meeting %d: %s", meetingID, errs.Message(err))
	}
	if board != "" {
		b, err := a.meetings.BoardByShortName(ctx, board)
		if err != nil {
			return fmt.Errorf("board %s: %s", board, errs.Message(err))
		}
		if b.ID != m.BoardID {
			return fmt.Errorf("meeting %d is not a meeting of %s", meetingID, board)
		}
	}
	format, err := importer.FormatOf(in, src)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	st := importer.NewStore(a.db, a.meetings, a.actions, a.minutes)
	u := &importer.Upload{MeetingID: meetingID, Filename: filepath.Base(in), Format: format, Original: src}
	res, err := st.Convert(ctx, m.BoardID, u)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	open, err := st.OpenBefore(ctx, meetingID)
	if err != nil {
		return err
	}
	done := importer.FindDone(res.Markdown, open)
	opt := importer.SaveOptions{Approved: approved, Summary: res.Summary}
	for _, d := range done {
		opt.Close = append(opt.Close, d.ActionID)
	}
	ctx = audit.WithActor(ctx, audit.Actor{Name: "quorum minutes import"})
	if err := st.Keep(ctx, u); err != nil {
		return err
	}
	saved, err := st.Save(ctx, meetingID, res.Markdown, opt)
	writeImportSummary(e, in, fmt.Sprintf("the minutes of %s (meeting %d)", m.StartsAt.In(meetings.London).Format("2 January 2006"), meetingID), res.Summary)
	if lines := minutes.LinesOf(err); lines != nil {
		for _, l := range lines {
			fmt.Fprintf(e.stdout, "line %d: %s\n", l.Line, l.Message)
		}
		return fmt.Errorf("%s: the minutes were not saved: %d line(s) need correcting (map unknown owners in the app, or correct the file)", in, len(lines))
	}
	if err != nil {
		return fmt.Errorf("%s: %s", in, errs.Message(err))
	}
	fmt.Fprintf(e.stdout, "saved as version %d\n", saved.Minutes.Version)
	for _, d := range saved.Closed {
		fmt.Fprintf(e.stdout, "marked done: %s %s\n", d.Ref, d.Text)
	}
	fmt.Fprintf(e.stdout, "carried forward: %d\n", saved.Carried)
	switch {
	case saved.ApproveErr != nil:
		return fmt.Errorf("saved, but not approved: %s", errs.Message(saved.ApproveErr))
	case saved.Approved != "":
		fmt.Fprintf(e.stdout, "approved %s\n", saved.Approved)
	}
	return nil
}
