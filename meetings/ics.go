package meetings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/ical"
	"quorum/internal/web"
)

// Calendar feeds: a board's meetings, and the meetings of everyone's boards, as iCalendar
// events (RFC 5545) that calendar apps subscribe to.

// CalendarMeeting is a meeting with what a calendar needs to notice that it changed.
type CalendarMeeting struct {
	Meeting
	// Sequence counts the times the meeting was moved or cancelled: a calendar takes an
	// event with a higher sequence as a revision of the one it holds.
	Sequence int
	Created  time.Time
	// Modified is when the meeting was scheduled, last moved or cancelled.
	Modified time.Time
}

// calendarSince is how far back a feed reaches: a year of past meetings, and every one to come.
const calendarSince = 365 * 24 * time.Hour

// The moves and cancellations are read from the audit log, which holds every one of them,
// rather than kept twice on the meeting.
const calendarCols = meetingCols + `, m.created_at,
	(SELECT count(*) FROM audit_events e WHERE e.entity = 'meeting' AND e.entity_id = m.id AND e.action IN ('meeting.move','meeting.cancel')),
	coalesce((SELECT max(e.at) FROM audit_events e WHERE e.entity = 'meeting' AND e.entity_id = m.id AND e.action IN ('meeting.move','meeting.cancel')), '')`

// BoardCalendar lists a board's meetings from a year before now, cancelled ones too, for
// its calendar feed.
func (s *Store) BoardCalendar(ctx context.Context, boardID int64, now time.Time) ([]CalendarMeeting, error) {
	return s.calendar(ctx, `SELECT `+calendarCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.board_id = ? AND m.starts_at >= ? ORDER BY m.starts_at, m.id`, boardID, now.Add(-calendarSince).UTC().Format(timeFormat))
}

// PersonCalendar lists, for one person's feed, the meetings of every board they sat on at
// the time of the meeting, and those they were named to attend as a substitute, from a
// year before now.
func (s *Store) PersonCalendar(ctx context.Context, personID int64, now time.Time) ([]CalendarMeeting, error) {
	return s.calendar(ctx, `SELECT `+calendarCols+` FROM meetings m JOIN boards b ON b.id = m.board_id
		WHERE m.starts_at >= ?2 AND (
			EXISTS (SELECT 1 FROM memberships ms WHERE ms.board_id = m.board_id AND ms.person_id = ?1
				AND (ms.starts_on = '' OR ms.starts_on <= substr(m.starts_at, 1, 10))
				AND (ms.ends_on = '' OR ms.ends_on >= substr(m.starts_at, 1, 10)))
			OR EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = m.id AND (a.substitute_id = ?1 OR (a.person_id = ?1 AND a.substitute_for IS NOT NULL))))
		ORDER BY m.starts_at, m.id`, personID, now.Add(-calendarSince).UTC().Format(timeFormat))
}

func (s *Store) calendar(ctx context.Context, q string, args ...any) ([]CalendarMeeting, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	defer rows.Close()
	var out []CalendarMeeting
	for rows.Next() {
		var c CalendarMeeting
		var starts, ends, moved, published, created, changed string
		err := rows.Scan(&c.ID, &c.BoardID, &c.BoardName, &c.BoardShort, &starts, &ends, &c.Mode, &c.Place, &c.Status, &c.Notice,
			&moved, &published, &c.AgendaVersion, &created, &c.Sequence, &changed)
		if err != nil {
			return nil, err
		}
		c.StartsAt, _ = time.Parse(timeFormat, starts)
		c.EndsAt, _ = time.Parse(timeFormat, ends)
		c.MovedFrom, _ = time.Parse(timeFormat, moved)
		c.PublishedAt, _ = time.Parse(timeFormat, published)
		c.Created, _ = time.Parse(timeFormat, created)
		c.Modified = c.Created
		if t, err := time.Parse(time.RFC3339, changed); err == nil && t.After(c.Modified) {
			c.Modified = t
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// WriteCalendar writes meetings as an iCalendar of events, named name; base starts the
// links back to each meeting's page. Times are in UTC, so no VTIMEZONE is needed. There
// is no METHOD: the feed is a calendar to subscribe to, not an invitation, and without
// one DTSTAMP is when the event last changed (RFC 5545, 3.8.7.2), so an unchanged meeting
// gives the same lines on every fetch.
func WriteCalendar(b *strings.Builder, name string, ms []CalendarMeeting, base string) {
	line := func(s string) { ical.Line(b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Quorum//Meetings//EN")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:" + ical.Text(name))
	line("REFRESH-INTERVAL;VALUE=DURATION:PT1H")
	line("X-PUBLISHED-TTL:PT1H")
	for i := range ms {
		m := &ms[i]
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:meeting-%d@quorum", m.ID))
		line("DTSTAMP:" + ical.Time(m.Modified))
		if !m.Created.IsZero() {
			line("CREATED:" + ical.Time(m.Created))
		}
		line("LAST-MODIFIED:" + ical.Time(m.Modified))
		line(fmt.Sprintf("SEQUENCE:%d", m.Sequence))
		line("DTSTART:" + ical.Time(m.StartsAt))
		if m.EndsAt.After(m.StartsAt) {
			line("DTEND:" + ical.Time(m.EndsAt))
		}
		summary := m.BoardName
		if m.Status == StatusCancelled {
			summary = "Cancelled: " + summary
		}
		line("SUMMARY:" + ical.Text(summary))
		line("LOCATION:" + ical.Text(orText(m.Place, ModeLabel(m.Mode)+" meeting")))
		line("DESCRIPTION:" + ical.Text(calendarDescription(m, base)))
		if base != "" {
			line(fmt.Sprintf("URL:%s/meetings/%d", base, m.ID))
		}
		if m.Status == StatusCancelled {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
}

func calendarDescription(m *CalendarMeeting, base string) string {
	var d []string
	switch {
	case m.Status == StatusCancelled:
		d = append(d, "This meeting is cancelled.")
	case !m.MovedFrom.IsZero():
		d = append(d, "This meeting has moved. It was due on "+m.MovedFrom.In(London).Format("Monday 2 January 2006")+" at "+ukTime(m.MovedFrom.In(London))+".")
	}
	if m.Notice != "" {
		d = append(d, m.Notice)
	}
	d = append(d, ModeLabel(m.Mode)+" meeting of the "+m.BoardName+".")
	if base != "" {
		d = append(d, fmt.Sprintf("Agenda and papers: %s/meetings/%d", base, m.ID))
	}
	return strings.Join(d, "\n")
}

// siteBase is the address a request came to, for links in a feed.
func siteBase(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// boardCalendar is GET /boards/:id/meetings.ics.
func (h *Handler) boardCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := h.store.Board(ctx, h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	ms, err := h.store.BoardCalendar(ctx, b.ID, time.Now())
	if err != nil {
		web.Fail(c, err)
		return
	}
	var out strings.Builder
	WriteCalendar(&out, b.Name, ms, siteBase(c))
	sendCalendar(c, strings.ToLower(b.ShortName)+"-meetings.ics", out.String())
}

// myCalendar is GET /my/meetings.ics: the signed-in person's meetings.
func (h *Handler) myCalendar(c *gin.Context) {
	u := web.CurrentUser(c)
	var ms []CalendarMeeting
	if u.PersonID != 0 {
		var err error
		if ms, err = h.store.PersonCalendar(c.Request.Context(), u.PersonID, time.Now()); err != nil {
			web.Fail(c, err)
			return
		}
	}
	var out strings.Builder
	WriteCalendar(&out, "My meetings (Quorum)", ms, siteBase(c))
	sendCalendar(c, "my-meetings.ics", out.String())
}

// sendCalendar answers with a feed and its ETag: calendar apps poll, and an unchanged feed
// is answered with 304 and no body.
func sendCalendar(c *gin.Context, filename, body string) {
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "private, no-cache")
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}
