package meetings

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/web"
)

// The printed agenda: the agenda on its own, as a partner prints it or a council publishes
// it, laid out as the pack's cover and agenda are (packpdf.go), with each item's timing.

// PrintedAgenda is what the printed agenda of a meeting shows a reader. One entitled to
// the exempt items (a member of the board) sees them in full; anyone else, reading a public
// board's agenda, sees only their number, title and the reason they are exempt.
func PrintedAgenda(b *Board, m *Meeting, entitled bool) PackCover {
	c := PackCover{Board: b, Meeting: m, Heading: "Agenda"}
	day := m.StartsAt.In(London).Format("2006-01-02")
	for _, mb := range b.Members {
		if mb.Current(day) {
			c.Members = append(c.Members, mb)
		}
	}
	switch {
	case m.Status == StatusCancelled:
		c.Note = "This meeting is cancelled."
	case !m.MovedFrom.IsZero():
		c.Note = "This meeting has moved. It was due on " + m.MovedFrom.In(London).Format("2 January 2006") + " at " + ukTime(m.MovedFrom.In(London)) + "."
	}
	// A running clock from the start gives each item its time, while every item before it
	// has a time set; after one without, the times would be guesses, so none are shown.
	clock, known := m.StartsAt, true
	for _, it := range m.Items {
		if it.PostponedTo != 0 {
			continue // it is on the agenda of the later meeting
		}
		l := AgendaLine{Number: it.Number, Title: it.Title, Sub: it.Sub}
		hidden := it.Exempt && !entitled
		if !hidden {
			l.Purpose, l.Presenter, l.Minutes = it.Purpose, it.Presenter, it.Duration
			if known && timed(m.Items) {
				l.Starts = ukTime(clock.In(London))
			}
			for _, p := range it.Papers {
				if !p.Superseded {
					l.Papers = append(l.Papers, AgendaPaper{Title: p.Title})
				}
			}
		}
		var notes []string
		if it.Exempt {
			notes = append(notes, "Exempt: "+orText(it.ExemptReason, "not for publication"))
		}
		if it.PostponedFrom != 0 && !it.PostponedFromAt.IsZero() {
			notes = append(notes, "Postponed from the meeting on "+it.PostponedFromAt.In(London).Format("2 January 2006"))
		}
		l.Note = strings.Join(notes, ". ")
		if it.Duration > 0 {
			clock = clock.Add(time.Duration(it.Duration) * time.Minute)
		} else {
			known = false
		}
		c.Lines = append(c.Lines, l)
	}
	return c
}

// timed reports whether any item has a time set: without one, no item shows a time.
func timed(items []AgendaItem) bool {
	for _, it := range items {
		if it.Duration > 0 && it.PostponedTo == 0 {
			return true
		}
	}
	return false
}

// RenderAgenda renders the printed agenda: the heading, membership and items on as many
// pages as they take.
func RenderAgenda(c PackCover) ([]byte, error) {
	out, missed, err := renderAgenda(c, true)
	if err == nil && missed {
		out, _, err = renderAgenda(c, false)
	}
	return out, err
}

func renderAgenda(c PackCover, latin bool) (out []byte, missed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render agenda: %v", r)
		}
	}()
	s := newSheet(latin)
	s.d.SetTitle(c.Heading+": "+c.Meeting.Title(), true)
	s.head(c, orText(c.Heading, "Agenda"))
	s.rule()
	s.y += 2
	s.agenda(c.Lines, "Time")
	out, _, err = s.output()
	return out, s.d.Missed(), err
}

// agendaPDF is GET /meetings/:id/agenda.pdf.
func (h *Handler) agendaPDF(c *gin.Context) {
	ctx := c.Request.Context()
	m, err := h.store.Meeting(ctx, h.meetingID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := h.store.Board(ctx, m.BoardID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	_, member := web.BoardRole(c)
	pdf, err := RenderAgenda(PrintedAgenda(b, m, member))
	if err != nil {
		web.Fail(c, fmt.Errorf("agenda of meeting %d: %w", m.ID, err))
		return
	}
	name := fmt.Sprintf("agenda-%s-%s.pdf", strings.ToLower(b.ShortName), m.StartsAt.In(London).Format("2006-01-02"))
	// The page CSP would stop the browser's PDF viewer; a PDF needs none of it.
	c.Writer.Header().Del("Content-Security-Policy")
	c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	// Members and the public are given different agendas of the same address.
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "application/pdf", pdf)
}
