// Package pack gathers a meeting's agenda pack from the parts each domain renders (the
// cover and agenda and the papers from meetings, the action log and what was circulated
// from actions, the last meeting's minutes from minutes), has meetings put them together,
// keeps what it built, and tells partners. It sits above the domains so that none of
// them needs another.
package pack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"quorum/actions"
	"quorum/internal/errs"
	"quorum/meetings"
	"quorum/minutes"
)

// Service builds and publishes packs.
type Service struct {
	DB       *sql.DB
	Meetings *meetings.Store
	Actions  *actions.Store
	Minutes  *minutes.Store
	// BaseURL starts the links in mail (https://quorum.example.org).
	BaseURL string
}

// Built is a pack as built, before it is kept.
type Built struct {
	PDF     []byte
	Pages   int
	Parts   []meetings.PartPage
	Papers  []int64 // the papers it holds
	Lines   []meetings.AgendaLine
	Meeting *meetings.Meeting
	Board   *meetings.Board
	// Withheld: the public pack left out what only the board reads (the last minutes'
	// exempt items, actions raised under them), so a restricted pack is wanted too.
	Withheld bool
}

// Options say which pack to build.
type Options struct {
	Restricted bool
	// Supplement n > 0 builds Supplement n of only the papers in Only, numbered S1..Sn.
	Supplement int
	Only       map[int64]bool
	Version    int // shown on the cover from version 2
}

// part is one part of the pack with the page count known before merging.
type part struct {
	meetings.PackPart
	pages int
}

// Build builds a meeting's pack.
func (s *Service) Build(ctx context.Context, meetingID int64, o Options) (*Built, error) {
	m, err := s.Meetings.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	b, err := s.Meetings.Board(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	members, err := s.Meetings.Members(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	day := m.StartsAt.In(meetings.London).Format("2006-01-02")
	current := members[:0:0]
	for _, mb := range members {
		if mb.Current(day) {
			current = append(current, mb)
		}
	}

	var front []part
	withheld := false
	if o.Supplement == 0 {
		if front, withheld, err = s.frontParts(ctx, m, b, o.Restricted); err != nil {
			return nil, err
		}
	}
	// The papers in agenda order, each after its slip.
	type paperAt struct {
		line, paper int // index in lines and in the line's papers
		part        int // index in papers of the paper part (its slip is the one before)
	}
	var papers []part
	var at []paperAt
	var lines []meetings.AgendaLine
	var held []int64
	seq := 0
	minLine := -1 // the minutes item, which the front parts go under
	// A plan attached to a standing item reports at every meeting: its update paper goes
	// under the item, made afresh (it is no uploaded paper, so no supplement carries it).
	var plans map[int64]*actions.Plan
	if o.Supplement == 0 {
		if plans, err = s.Actions.PlansOnAgenda(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	for _, it := range m.Items {
		if it.PostponedTo != 0 {
			continue
		}
		if it.StandardKey == "minutes" && len(front) > 0 && minLine < 0 {
			minLine = len(lines)
		}
		l := meetings.AgendaLine{Number: it.Number, Title: it.Title, Purpose: it.Purpose, Presenter: it.Presenter, Sub: it.Sub}
		if it.Exempt {
			l.Note = "Exempt: " + orText(it.ExemptReason, "not for publication")
			if !o.Restricted {
				// As the printed agenda: the public reads only its number, title and reason.
				l.Purpose, l.Presenter = "", ""
				l.Note += ". Its papers are in the restricted pack, for those entitled to see them."
			}
		}
		// addPaper puts a paper into the pack under its item, after a slip naming both.
		addPaper := func(title, note string, data []byte, pages int) error {
			slip, err := meetings.RenderSlip(it.Number, it.Title, title, note)
			if err != nil {
				return err
			}
			papers = append(papers, part{PackPart: meetings.PackPart{Title: "slip", PDF: slip, NoBookmark: true}, pages: 1})
			papers = append(papers, part{PackPart: meetings.PackPart{Title: fmt.Sprintf("%s %s: %s", it.Number, it.Title, title), Item: it.Number, PDF: data}, pages: pages})
			at = append(at, paperAt{line: len(lines), paper: len(l.Papers), part: len(papers) - 1})
			l.Papers = append(l.Papers, meetings.AgendaPaper{Title: title})
			return nil
		}
		if pl := plans[it.ID]; pl != nil && (!it.Exempt || o.Restricted) {
			data, err := s.Actions.PlanUpdatePaper(ctx, pl.ID, m.ID)
			if err != nil {
				return nil, err
			}
			n, err := meetings.PDFPages(data)
			if err != nil {
				return nil, fmt.Errorf("update paper of plan %d: %w", pl.ID, err)
			}
			if err := addPaper(UpdatePaperTitle(pl), "Produced by Quorum from the plan", data, n); err != nil {
				return nil, err
			}
		}
		for _, p := range it.Papers {
			if p.Superseded || (it.Exempt && !o.Restricted) || (o.Only != nil && !o.Only[p.ID]) {
				continue
			}
			data, err := s.Meetings.PaperFile(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			title := p.Title
			note := ""
			if o.Supplement > 0 {
				seq++
				title = fmt.Sprintf("S%d. %s", seq, p.Title)
				note = fmt.Sprintf("Supplement %d", o.Supplement)
			} else if p.Supplement {
				note = "Late paper: added after the agenda was published"
			}
			if p.Version > 1 {
				note = strings.TrimPrefix(note+fmt.Sprintf(". Version %d, replacing the earlier one", p.Version), ". ")
			}
			if it.Exempt {
				note = strings.TrimPrefix(note+". Exempt: not for publication", ". ")
			}
			if err := addPaper(title, note, data, p.Pages); err != nil {
				return nil, err
			}
			held = append(held, p.ID)
		}
		if o.Supplement > 0 && len(l.Papers) == 0 {
			continue
		}
		lines = append(lines, l)
	}
	if o.Supplement > 0 && len(papers) == 0 {
		return nil, errs.E(errs.Invalid, "The supplement has no papers")
	}

	cover := meetings.PackCover{Board: b, Meeting: m, Members: current, Lines: lines}
	switch {
	case o.Supplement > 0:
		cover.Heading = fmt.Sprintf("Supplement %d to the agenda pack", o.Supplement)
		cover.Note = "Papers added or replaced after the agenda was published, numbered S1 to S" + fmt.Sprint(seq)
		cover.Members = nil
	case o.Version > 1:
		cover.Note = fmt.Sprintf("Version %d, with the papers added or replaced since the agenda was published", o.Version)
	}
	if o.Restricted {
		cover.Heading = "Restricted " + strings.ToLower(orText(cover.Heading, "Agenda pack")[:1]) + orText(cover.Heading, "Agenda pack")[1:]
		cover.Note = strings.TrimPrefix(cover.Note+". Not for publication: it holds exempt papers", ". ")
	}
	if minLine >= 0 {
		ps := make([]meetings.AgendaPaper, len(front))
		for j, f := range front {
			ps[j].Title = f.Title
		}
		lines[minLine].Papers = append(ps, lines[minLine].Papers...)
		for k := range at {
			if at[k].line == minLine {
				at[k].paper += len(front)
			}
		}
	}
	// The agenda says where each item's papers start, so it is laid out twice: once to
	// learn how many pages the cover takes, again with the page numbers; again if the
	// numbers made it longer.
	coverPages := 0
	var coverPDF []byte
	for range 4 {
		page := coverPages + 1
		for _, f := range front {
			page += f.pages
		}
		for i := range lines {
			lines[i].Page = 0
		}
		if minLine >= 0 {
			p := coverPages + 1
			for j, f := range front {
				lines[minLine].Papers[j].Page = p
				p += f.pages
			}
			lines[minLine].Page = coverPages + 1
		}
		for _, a := range at {
			slipPage := page
			for _, p := range papers[:a.part-1] {
				slipPage += p.pages
			}
			l := &lines[a.line]
			if l.Page == 0 {
				l.Page = slipPage
			}
			l.Papers[a.paper].Page = slipPage + 1
		}
		pdf, n, err := meetings.RenderCover(cover)
		if err != nil {
			return nil, err
		}
		coverPDF = pdf
		if n == coverPages {
			break
		}
		coverPages = n
	}
	title := cover.Heading
	if title == "" {
		title = "Agenda pack"
	}
	parts := []meetings.PackPart{{Title: "Cover and agenda", PDF: coverPDF}}
	for _, f := range front {
		parts = append(parts, f.PackPart)
	}
	for _, p := range papers {
		parts = append(parts, p.PackPart)
	}
	meta := meetings.PackMeta{Title: title + ": " + m.Title(), Subject: "Agenda pack for the meeting of " + m.Title(),
		Keywords: b.ShortName, Created: m.StartsAt, Copy: o.Restricted}
	if o.Restricted {
		meta.Label = "Restricted: not for publication"
	} else if o.Supplement > 0 {
		meta.Label = fmt.Sprintf("Supplement %d", o.Supplement)
	}
	pdf, where, err := meetings.BuildPack(parts, meta)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, w := range where {
		total += w.Pages
	}
	return &Built{PDF: pdf, Pages: total, Parts: where, Papers: held, Lines: lines, Meeting: m, Board: b, Withheld: withheld}, nil
}

// UpdatePaperTitle is how the agenda and the slip name a plan's update paper.
func UpdatePaperTitle(p *actions.Plan) string { return "Update on the " + p.Name() }

func orText(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// previousMeeting is the board's last meeting before m that was not cancelled, or nil.
func (s *Service) previousMeeting(ctx context.Context, m *meetings.Meeting) (*meetings.Meeting, error) {
	all, err := s.Meetings.AllMeetings(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	var prev *meetings.Meeting
	for i := range all {
		if all[i].StartsAt.Before(m.StartsAt) && all[i].Status != meetings.StatusCancelled {
			prev = &all[i]
		}
	}
	return prev, nil
}

// frontParts renders the action log, the minutes of the last meeting and what was
// circulated since it. Outside the restricted pack, the minutes' exempt items are their
// headings only.
func (s *Service) frontParts(ctx context.Context, m *meetings.Meeting, b *meetings.Board, restricted bool) (_ []part, withheld bool, err error) {
	var out []part
	open, err := s.Actions.OpenForMeeting(ctx, m.ID)
	if err != nil {
		return nil, false, err
	}
	if !restricted {
		public := actions.PublicOnly(open)
		withheld = len(public) < len(open)
		open = public
	}
	log, err := actions.LogPDF(b.Name, m.StartsAt, open)
	if err != nil {
		return nil, false, err
	}
	if out, err = appendPart(out, "Action log", log); err != nil {
		return nil, false, err
	}
	prev, err := s.previousMeeting(ctx, m)
	if err != nil {
		return nil, false, err
	}
	if prev != nil {
		mins, err := s.Minutes.Minutes(ctx, prev.ID)
		if err != nil && errs.Code(err) != errs.NotFound {
			return nil, false, err
		}
		// Minutes go to partners once the chair has let them be circulated.
		if mins != nil && (mins.Status == minutes.StatusCirculated || minutes.Final(mins.Status)) {
			pm, err := s.Meetings.Meeting(ctx, prev.ID)
			if err != nil {
				return nil, false, err
			}
			if !restricted {
				public := string(minutes.WithoutExempt([]byte(mins.Text), minutes.ExemptItems(pm)))
				withheld = withheld || public != mins.Text
				mins.Text = public
			}
			fm, body := frontMatter(ctx, s.Meetings, mins, pm, b)
			var buf bytes.Buffer
			if err := minutes.WritePDF(&buf, fm, body); err != nil {
				return nil, false, err
			}
			label := "Draft minutes of the meeting of " + pm.StartsAt.In(meetings.London).Format("2 January 2006")
			if minutes.Final(mins.Status) {
				label = "Minutes of the meeting of " + pm.StartsAt.In(meetings.London).Format("2 January 2006")
			}
			if out, err = appendPart(out, label, buf.Bytes()); err != nil {
				return nil, false, err
			}
		}
	}
	var since time.Time
	if prev != nil {
		since = prev.StartsAt
	}
	circ, err := s.Actions.Circulated(ctx, b.ID, since)
	if err != nil {
		return nil, false, err
	}
	if !restricted {
		public := actions.PublicOnly(circ)
		withheld = withheld || len(public) < len(circ)
		circ = public
	}
	if len(circ) > 0 {
		pdf, err := actions.CirculatedPDF(b.Name, since, circ)
		if err != nil {
			return nil, false, err
		}
		if out, err = appendPart(out, "Circulated since the last meeting", pdf); err != nil {
			return nil, false, err
		}
	}
	return out, withheld, nil
}

func appendPart(out []part, title string, pdf []byte) ([]part, error) {
	n, err := meetings.PDFPages(pdf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", title, err)
	}
	return append(out, part{PackPart: meetings.PackPart{Title: title, PDF: pdf}, pages: n}), nil
}

// frontMatter fills in what the minutes' own front matter leaves out from the meeting,
// as the minutes PDF does: the board, the time, the place, who was there; DRAFT until
// approved.
func frontMatter(ctx context.Context, ms *meetings.Store, mins *minutes.Minutes, m *meetings.Meeting, b *meetings.Board) (minutes.FrontMatter, []byte) {
	src := []byte(mins.Text)
	fm, body, _, err := minutes.SplitFrontMatter(src)
	if err != nil {
		fm, body = minutes.FrontMatter{}, src
	}
	if fm.Board == "" {
		fm.Board = b.Name
	}
	if fm.Meeting.IsZero() {
		l := m.StartsAt.In(meetings.London)
		fm.Meeting = time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
	}
	if fm.Place == "" {
		fm.Place = m.Place
	}
	if len(fm.Present) == 0 && len(fm.AlsoPresent) == 0 && len(fm.Apologies) == 0 {
		for _, a := range m.Attendance {
			org := a.OrganisationName
			if a.JobTitle != "" {
				org = strings.Trim(a.JobTitle+", "+org, ", ")
			}
			p := minutes.Person{Name: a.Name, Role: a.Role, Organisation: org, SubstitutingFor: a.SubstituteForName}
			switch a.Status {
			case meetings.Present:
				fm.Present = append(fm.Present, p)
			case meetings.AlsoPresent:
				fm.AlsoPresent = append(fm.AlsoPresent, p)
			case meetings.Apologies:
				fm.Apologies = append(fm.Apologies, p)
			}
		}
	}
	fm.Status = minutes.StatusDraft
	if minutes.Final(mins.Status) {
		fm.Status = minutes.StatusApproved
		if mins.ApprovedAtMeetingID != 0 {
			if at, err := ms.Meeting(ctx, mins.ApprovedAtMeetingID); err == nil {
				fm.ApprovedAt = "the meeting held on " + at.StartsAt.In(meetings.London).Format("2 January 2006")
			}
		}
		fm.SignedBy = mins.SignedBy
	}
	return fm, body
}

// samePapers reports whether two lists hold the same paper ids.
func samePapers(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }
