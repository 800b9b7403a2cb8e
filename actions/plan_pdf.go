package actions

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"quorum/internal/pdffont"
)

// UpdatePaper is what the plan's update paper for one meeting reports: the plan as it
// stands, what changed since the board's meeting before, and who has signed.
type UpdatePaper struct {
	Plan    *Plan
	Meeting PlanMeeting
	Changes []PlanChange // since the meeting before, newest first
	Today   time.Time
}

// PlanUpdatePaper renders the plan's update paper for one of its board's meetings: for
// the meeting page's link and for the agenda pack, which carries it under the standing
// item the plan is attached to.
func (s *Store) PlanUpdatePaper(ctx context.Context, planID, meetingID int64) ([]byte, error) {
	p, err := s.Plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	m, err := s.PlanMeetingOf(ctx, planID, meetingID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	// The paper reports the plan as it stands, or for a meeting already held, as it stood
	// at the end of that day: the paper for a past meeting does not change afterwards.
	until := endOfDay(londonDay(now))
	if m.StartsAt.Before(now) {
		day := londonDay(m.StartsAt)
		if p, err = s.PlanAsOf(ctx, planID, day); err != nil {
			return nil, err
		}
		until = endOfDay(day)
	}
	changes, err := s.PlanChangesSince(ctx, planID, m.Previous, until)
	if err != nil {
		return nil, err
	}
	today := now
	if until.Before(now) {
		today = londonDay(m.StartsAt)
	}
	var buf bytes.Buffer
	if err := WriteUpdatePaper(&buf, &UpdatePaper{Plan: p, Meeting: *m, Changes: changes, Today: today}); err != nil {
		return nil, fmt.Errorf("update paper of plan %d for meeting %d: %w", planID, meetingID, err)
	}
	return buf.Bytes(), nil
}

// paper layout, in millimetres
const (
	paperLeft   = 18.0
	paperRight  = 18.0
	paperWidth  = 210.0 - paperLeft - paperRight
	paperBody   = 10.0
	paperLine   = 5.0
	paperBottom = 20.0
)

// WriteUpdatePaper renders the update paper as a PDF: a RAG summary by theme, the actions
// changed since the last meeting, the red and overdue actions, and the sign-off. It is set
// in the embedded family, so every character a lead typed comes out as text.
func WriteUpdatePaper(w io.Writer, u *UpdatePaper) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("update paper: %v", r)
		}
	}()
	p := u.Plan
	d := pdffont.New("P")
	d.SetMargins(paperLeft, 16, paperRight)
	d.SetAutoPageBreak(true, paperBottom)
	d.AliasNbPages("{nb}")
	meetingDay := u.Meeting.StartsAt.In(london).Format("2 January 2006")
	title := fmt.Sprintf("%s: update for the meeting of %s", p.Name(), meetingDay)
	d.SetTitle(pdffont.Clean(title), true)
	d.SetAuthor(pdffont.Clean(p.BoardName), true)
	d.SetCreationDate(u.Meeting.StartsAt)
	d.SetModificationDate(u.Meeting.StartsAt)
	d.SetFooterFunc(func() {
		d.SetFont(pdffont.Family, "", 8.5)
		d.SetTextColor(90, 90, 90)
		d.Text(paperLeft, 297-11, pdffont.Clean(p.BoardName+" – "+meetingDay))
		page := fmt.Sprintf("Page %d of {nb}", d.PageNo())
		d.Text(210-paperRight-d.Width("", 8.5, fmt.Sprintf("Page %d of %d", d.PageNo(), d.PageNo())), 297-11, page)
		d.SetTextColor(0, 0, 0)
	})
	d.AddPage()

	text := func(style string, size float64, s string) {
		d.SetFont(pdffont.Family, style, size)
		d.MultiCell(paperWidth, size*0.5, pdffont.Clean(s), "", "L", false)
	}
	gap := func(h float64) { d.Ln(h) }
	heading := func(s string) {
		if d.GetY() > 297-paperBottom-30 {
			d.AddPage()
		}
		gap(3)
		text("B", 13, s)
		gap(1.5)
	}

	text("", 10, p.BoardName)
	gap(1)
	text("B", 16, p.Name())
	gap(1)
	text("", 11, "Update for the meeting of "+meetingDay+". Produced by Quorum from the plan as it stood on "+u.Today.In(london).Format("2 January 2006")+".")
	if p.Owner != "" {
		text("", 10, "Owner: "+p.Owner)
	}

	// RAG summary by theme
	heading("RAG summary by theme")
	cols := []struct {
		label string
		w     float64
	}{{"Theme", 84}, {"Red", 16}, {"Amber", 16}, {"Green", 16}, {"Blue", 16}, {"Not set", 16}}
	d.SetFont(pdffont.Family, "B", 9)
	d.SetFillColor(243, 242, 241)
	for _, c := range cols {
		align := "R"
		if c.label == "Theme" {
			align = "L"
		}
		d.CellFormat(c.w, 6.5, c.label, "B", 0, align, true, 0, "")
	}
	d.Ln(-1)
	row := func(style, name string, c RAGCounts) {
		d.SetFont(pdffont.Family, style, 9)
		name = pdffont.Clean(name)
		for d.Width(style, 9, name) > cols[0].w-2 && len([]rune(name)) > 4 {
			r := []rune(name)
			name = strings.TrimSpace(string(r[:len(r)-2])) + "…"
		}
		d.CellFormat(cols[0].w, 6, name, "B", 0, "L", false, 0, "")
		for i, n := range []int{c.Red, c.Amber, c.Green, c.Blue, c.None} {
			d.CellFormat(cols[i+1].w, 6, fmt.Sprint(n), "B", 0, "R", false, 0, "")
		}
		d.Ln(-1)
	}
	for _, th := range p.Themes {
		row("", fmt.Sprintf("%d. %s", th.Number, th.Title), th.Counts)
	}
	row("B", "All themes", p.Counts)

	// changed since the last meeting
	since := "since the plan was made"
	if !u.Meeting.Previous.IsZero() {
		since = "since the meeting of " + u.Meeting.Previous.In(london).Format("2 January 2006")
	}
	heading("Actions changed " + since)
	if len(u.Changes) == 0 {
		text("", paperBody, "No action has changed "+since+".")
	}
	// one entry per action: its latest change, with all the kinds of change made
	seen := map[int64]int{}
	type entry struct {
		c     PlanChange
		kinds []string
	}
	var entries []entry
	for _, c := range u.Changes {
		if i, ok := seen[c.ActionID]; ok {
			entries[i].kinds = append(entries[i].kinds, c.Summary)
			continue
		}
		seen[c.ActionID] = len(entries)
		entries = append(entries, entry{c: c, kinds: []string{c.Summary}})
	}
	for _, e := range entries {
		a := e.c.State
		text("B", paperBody, fmt.Sprintf("%s %s", a.Ref, a.Title))
		text("", 9.5, fmt.Sprintf("Now %s. Changed: %s. Last by %s on %s.", RAGLabel(a.RAG), strings.Join(uniqueParts(e.kinds), "; "),
			orText(e.c.ChangedBy, "Quorum"), e.c.ChangedAt.In(london).Format("2 January 2006")))
		if a.Progress != "" {
			text("I", 9.5, "Progress: "+a.Progress)
		}
		gap(1.5)
	}

	// red and overdue
	today := londonDay(u.Today).Format(time.DateOnly)
	heading("Red and overdue actions")
	found := false
	for _, a := range p.Actions() {
		if a.RAG != RAGRed && !a.Overdue(today) {
			continue
		}
		found = true
		var why []string
		if a.RAG == RAGRed {
			why = append(why, "red")
		}
		if a.Overdue(today) {
			why = append(why, "overdue (due to end "+dayText(a.EndDate)+")")
		}
		text("B", paperBody, fmt.Sprintf("%s %s", a.Ref, a.Title))
		text("", 9.5, fmt.Sprintf("%s. Lead: %s.", capitalise(strings.Join(why, " and ")), orText(a.Lead(), "none named")))
		if a.Progress != "" {
			text("I", 9.5, "Progress: "+a.Progress)
		}
		gap(1.5)
	}
	if !found {
		text("", paperBody, "No action is red or overdue.")
	}

	// sign-off
	heading("Sign-off")
	if len(p.Signatories) == 0 {
		text("", paperBody, "The plan names no signatories.")
	}
	for _, sg := range p.Signatories {
		if sg.Signed() {
			how := "in Quorum"
			if sg.Method == "recorded" {
				how = "recorded by " + orText(sg.RecordedBy, "the clerk")
			}
			text("", paperBody, fmt.Sprintf("%s: signed by %s on %s (%s).", sg.Office, sg.SignedName, dayText(sg.SignedOn), how))
		} else {
			who := ""
			if sg.PersonName != "" {
				who = " (" + sg.PersonName + ")"
			}
			text("", paperBody, fmt.Sprintf("%s%s: outstanding.", sg.Office, who))
		}
	}
	gap(1)
	status := fmt.Sprintf("%d of %d signatures.", p.SignedCount(), len(p.Signatories))
	if p.Deadline != "" {
		status += " The signed plan is due by " + dayText(p.Deadline)
		if p.SubmitTo != "" {
			status += " (to " + p.SubmitTo + ")"
		}
		status += "."
	}
	text("B", paperBody, status)
	pdffont.Prune(d)
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func uniqueParts(summaries []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range summaries {
		for _, p := range strings.Split(s, "; ") {
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
