package pack

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"quorum/internal/errs"
	"quorum/internal/outbox"
	"quorum/meetings"
)

// Published is what one publication kept and told.
type Published struct {
	Version    int
	Packs      []meetings.NewPack
	Changes    []string
	Recipients int
	// public is Changes for those not entitled to the restricted pack: the public pack's
	// page and the mail to substitutes do not name exempt papers.
	public []string
}

// Publish builds the meeting's packs and keeps them as its next version: the agenda pack,
// the restricted pack where exempt items have papers, and from the second version on, a
// supplement of the papers added or replaced since the version before. Every member, and
// every substitute named for the meeting, is sent a mail saying so, queued in the same
// transaction.
func (s *Service) Publish(ctx context.Context, meetingID int64, by string) (*Published, error) {
	old, err := s.Meetings.Packs(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	prevVersion, supplements := 0, 0
	var prevPapers []int64
	prevSHA := ""
	for _, p := range old {
		if p.Supplement > supplements {
			supplements = p.Supplement
		}
		if p.Version > prevVersion {
			prevVersion = p.Version
		}
	}
	for _, p := range old {
		if p.Version == prevVersion && p.Supplement == 0 {
			prevPapers = append(prevPapers, p.Papers...)
			if !p.Restricted {
				prevSHA = p.SHA256
			}
		}
	}
	version := prevVersion + 1
	pub, err := s.Build(ctx, meetingID, Options{Version: version})
	if err != nil {
		return nil, err
	}
	packs := []meetings.NewPack{{Pages: pub.Pages, PDF: pub.PDF, Parts: pub.Parts, Papers: pub.Papers}}
	all := slices.Clone(pub.Papers)
	if exemptPapers(pub.Meeting) || pub.Withheld {
		res, err := s.Build(ctx, meetingID, Options{Version: version, Restricted: true})
		if err != nil {
			return nil, err
		}
		packs = append(packs, meetings.NewPack{Restricted: true, Pages: res.Pages, PDF: res.PDF, Parts: res.Parts, Papers: res.Papers})
		all = res.Papers
	}
	out := &Published{Version: version}
	if prevVersion > 0 {
		added, removed := diff(prevPapers, all)
		out.Changes = s.describe(ctx, pub.Meeting, added, removed, true)
		out.public = s.describe(ctx, pub.Meeting, added, removed, false)
		if len(added) == 0 && len(removed) == 0 {
			// The same papers: see whether the agenda or the front matter changed by
			// building the pack as the version before was numbered.
			same, err := s.Build(ctx, meetingID, Options{Version: prevVersion})
			if err != nil {
				return nil, err
			}
			if fmt.Sprintf("%x", sum(same.PDF)) == prevSHA {
				return nil, errs.E(errs.Conflict, "Nothing has changed since version %d of the pack was published", prevVersion)
			}
		}
		if len(added) > 0 {
			supplements++
			only := map[int64]bool{}
			for _, id := range added {
				only[id] = true
			}
			for _, restricted := range []bool{false, true} {
				if restricted && !exemptPapers(pub.Meeting) {
					continue
				}
				sup, err := s.Build(ctx, meetingID, Options{Supplement: supplements, Only: only, Restricted: restricted})
				if errs.Code(err) == errs.Invalid {
					continue // nothing of it in this pack (only exempt papers were added)
				}
				if err != nil {
					return nil, err
				}
				if restricted && len(packs) > 2 && samePapers(sup.Papers, packs[len(packs)-1].Papers) {
					continue // no exempt paper among them: the public supplement is the whole of it
				}
				packs = append(packs, meetings.NewPack{Restricted: restricted, Supplement: supplements, Pages: sup.Pages, PDF: sup.PDF, Parts: sup.Parts, Papers: sup.Papers})
			}
		}
		for i := range packs {
			packs[i].Changes = strings.Join(out.public, "\n")
			if packs[i].Restricted {
				packs[i].Changes = strings.Join(out.Changes, "\n")
			}
		}
	}
	out.Packs = packs
	recipients, err := s.recipients(ctx, pub.Meeting)
	if err != nil {
		return nil, err
	}
	out.Recipients = len(recipients)
	_, err = s.Meetings.SavePacks(ctx, meetingID, packs, by, func(tx *sql.Tx, v int) error {
		if v != version {
			return errs.E(errs.Conflict, "Someone else published the pack at the same time; check the meeting page")
		}
		for _, r := range recipients {
			subject, body := s.mail(pub, out, r, packs)
			key := fmt.Sprintf("pack:meeting:%d:v%d:person:%d", meetingID, version, r.ID)
			if _, err := outbox.Enqueue(ctx, tx, r.Email, subject, body, key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func exemptPapers(m *meetings.Meeting) bool {
	for _, it := range m.Items {
		if !it.Exempt || it.PostponedTo != 0 {
			continue
		}
		for _, p := range it.Papers {
			if !p.Superseded {
				return true
			}
		}
	}
	return false
}

// diff says which papers are in now and not before, and the other way round.
func diff(before, now []int64) (added, removed []int64) {
	for _, id := range now {
		if !slices.Contains(before, id) {
			added = append(added, id)
		}
	}
	for _, id := range before {
		if !slices.Contains(now, id) {
			removed = append(removed, id)
		}
	}
	return
}

// describe says what changed in words partners read. Unless entitled to the restricted
// pack, the reader is told that an exempt item has a new paper, not what it is.
func (s *Service) describe(ctx context.Context, m *meetings.Meeting, added, removed []int64, entitled bool) []string {
	var out []string
	replaced := map[int64]bool{}
	exempt := map[int64]bool{}
	for _, it := range m.Items {
		exempt[it.ID] = it.Exempt
		for _, p := range it.Papers {
			if slices.Contains(added, p.ID) {
				what := "new paper"
				if p.Version > 1 {
					what = fmt.Sprintf("version %d replaces the earlier version", p.Version)
					replaced[p.SeriesID] = true
				}
				title := p.Title
				if it.Exempt {
					what += ", restricted"
					if !entitled {
						title = "an exempt paper"
					}
				}
				out = append(out, fmt.Sprintf("Item %s, %s: %s (%s)", it.Number, it.Title, title, what))
			}
		}
	}
	for _, id := range removed {
		p, err := s.Meetings.Paper(ctx, id)
		if err != nil || replaced[p.SeriesID] {
			continue
		}
		if !entitled {
			ex, ok := exempt[p.ItemID]
			if !ok { // an item taken off the agenda
				it, err := s.Meetings.Item(ctx, p.ItemID)
				ex = err != nil || it.Exempt
			}
			if ex {
				out = append(out, "Withdrawn: an exempt paper")
				continue
			}
		}
		out = append(out, fmt.Sprintf("Withdrawn: %s", p.Title))
	}
	if len(out) == 0 {
		out = append(out, "The agenda changed; no paper was added or replaced")
	}
	return out
}

// recipient is someone the pack is sent to.
type recipient struct {
	ID         int64
	Name       string
	Email      string
	Substitute bool
}

// recipients are the board's members on the day of the meeting, and the substitutes
// named for it, each once, with an email address.
func (s *Service) recipients(ctx context.Context, m *meetings.Meeting) ([]recipient, error) {
	members, err := s.Meetings.Members(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	day := m.StartsAt.In(meetings.London).Format("2006-01-02")
	seen := map[int64]bool{}
	var out []recipient
	for _, mb := range members {
		if !mb.Current(day) || mb.Email == "" || seen[mb.PersonID] {
			continue
		}
		seen[mb.PersonID] = true
		out = append(out, recipient{ID: mb.PersonID, Name: mb.PersonName, Email: mb.Email})
	}
	for _, a := range m.Attendance {
		sub := int64(0)
		if a.SubstituteFor != 0 {
			sub = a.PersonID // recorded as standing in for a member
		}
		for _, id := range []int64{a.SubstituteID, sub} {
			if id == 0 || seen[id] {
				continue
			}
			p, err := s.Meetings.Person(ctx, id)
			if err != nil {
				return nil, err
			}
			seen[id] = true
			if p.Email != "" {
				out = append(out, recipient{ID: p.ID, Name: p.Name, Email: p.Email, Substitute: true})
			}
		}
	}
	return out, nil
}

func (s *Service) mail(b *Built, pub *Published, r recipient, packs []meetings.NewPack) (subject, body string) {
	m := b.Meeting
	base := strings.TrimSuffix(s.BaseURL, "/")
	when := m.StartsAt.In(meetings.London).Format("Monday 2 January 2006, 15:04")
	subject = fmt.Sprintf("Agenda pack: %s", m.Title())
	if pub.Version > 1 {
		subject = fmt.Sprintf("Updated agenda pack (version %d): %s", pub.Version, m.Title())
	}
	var w strings.Builder
	fmt.Fprintf(&w, "Dear %s,\n\n", r.Name)
	if r.Substitute {
		fmt.Fprintf(&w, "You are named as a substitute for this meeting.\n\n")
	}
	if pub.Version > 1 {
		fmt.Fprintf(&w, "The agenda pack for the meeting of %s on %s has changed (version %d):\n", b.Board.Name, when, pub.Version)
		changes := pub.Changes
		if r.Substitute {
			changes = pub.public
		}
		for _, c := range changes {
			fmt.Fprintf(&w, "- %s\n", c)
		}
		w.WriteString("\n")
	} else {
		fmt.Fprintf(&w, "The agenda pack for the meeting of %s on %s is published.\n\n", b.Board.Name, when)
	}
	place := m.Place
	if place == "" {
		place = "to be confirmed"
	}
	fmt.Fprintf(&w, "%s meeting: %s\n\nAgenda\n", meetings.ModeLabel(m.Mode), place)
	for _, l := range b.Lines {
		indent := ""
		if l.Sub {
			indent = "   "
		}
		fmt.Fprintf(&w, "%s%s. %s", indent, l.Number, l.Title)
		if l.Page > 0 {
			fmt.Fprintf(&w, " (page %d)", l.Page)
		}
		w.WriteString("\n")
	}
	fmt.Fprintf(&w, "\nAgenda pack (%d pages): %s/meetings/%d/pack.pdf\n", b.Pages, base, m.ID)
	for _, p := range packs {
		switch {
		case p.Restricted && p.Supplement == 0 && !r.Substitute:
			fmt.Fprintf(&w, "Restricted pack, with the exempt papers (a copy made for you when you download it): %s/meetings/%d/pack-restricted.pdf\n", base, m.ID)
		case !p.Restricted && p.Supplement > 0:
			fmt.Fprintf(&w, "Supplement %d (%d pages): %s/meetings/%d/pack.pdf?supplement=%d\n", p.Supplement, p.Pages, base, m.ID, p.Supplement)
		}
	}
	fmt.Fprintf(&w, "\nIf you cannot attend, send your apologies or name a substitute: %s/meetings/%d#your-attendance\n", base, m.ID)
	fmt.Fprintf(&w, "\n%s\n", orText(b.Board.ClerkName, "The clerk"))
	return subject, w.String()
}

// PublishLate publishes the next version of a meeting's pack, with its supplement, when
// the pack is already out and its papers have changed since: what adding or replacing a
// paper does, so that partners hear of a late paper without the clerk publishing again.
// It returns nil, and does nothing, before the first publication or when nothing changed.
func (s *Service) PublishLate(ctx context.Context, meetingID int64, by string) (*Published, error) {
	packs, err := s.Meetings.Packs(ctx, meetingID)
	if err != nil || len(packs) == 0 {
		return nil, err
	}
	p, err := s.Publish(ctx, meetingID, by)
	if errs.Code(err) == errs.Conflict {
		return nil, nil // unchanged, or published by someone else meanwhile
	}
	return p, err
}

// Unpublished lists the papers of a published meeting that its latest pack does not hold
// yet (a late paper whose supplement could not be built), for the pack page to say so.
func (s *Service) Unpublished(ctx context.Context, m *meetings.Meeting, packs []meetings.Pack) []meetings.Paper {
	latest := 0
	for _, p := range packs {
		latest = max(latest, p.Version)
	}
	if latest == 0 {
		return nil
	}
	held := map[int64]bool{}
	for _, p := range packs {
		if p.Version == latest {
			for _, id := range p.Papers {
				held[id] = true
			}
		}
	}
	var out []meetings.Paper
	for _, it := range m.Items {
		if it.PostponedTo != 0 {
			continue
		}
		for _, p := range it.Papers {
			if !p.Superseded && !held[p.ID] {
				out = append(out, p)
			}
		}
	}
	return out
}
