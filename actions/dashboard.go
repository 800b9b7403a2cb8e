package actions

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"quorum/internal/db"
)

// Dashboard is the chair's view of a board's outstanding actions.
type Dashboard struct {
	BoardID             int64        `json:"board_id"`
	At                  time.Time    `json:"at"`
	Open                int          `json:"open"` // open or in progress
	Overdue             int          `json:"overdue"`
	DueNextMeeting      int          `json:"due_next_meeting"`
	CarriedTwice        int          `json:"carried_forward_2_plus"`
	NextMeetingID       int64        `json:"next_meeting_id,omitempty"`
	NextMeetingStartsAt time.Time    `json:"next_meeting_starts_at,omitzero"`
	ByOwner             []OwnerCount `json:"by_owner"`
	ByOrganisation      []OwnerCount `json:"by_organisation"`
	Oldest              []Action     `json:"oldest"`
	Series              []Point      `json:"series"`
}

// Public is the dashboard as those outside the board read it: the counts, but none of the
// actions raised under an exempt agenda item among the oldest. The cached dashboard is
// shared, so this is a copy.
func (d *Dashboard) Public() *Dashboard {
	p := *d
	p.Oldest = PublicOnly(d.Oldest)
	return &p
}

// PublicOnly is the actions not raised under an exempt agenda item, in a new slice.
func PublicOnly(as []Action) []Action {
	out := make([]Action, 0, len(as))
	for _, a := range as {
		if !a.Exempt {
			out = append(out, a)
		}
	}
	return out
}

// OwnerCount is how many outstanding actions an owner or organisation has.
type OwnerCount struct {
	Name           string `json:"name"`
	PersonID       int64  `json:"person_id,omitempty"`
	OrganisationID int64  `json:"organisation_id,omitempty"`
	Open           int    `json:"open"`
	Overdue        int    `json:"overdue"`
}

// Point is one meeting in the chart: actions outstanding at it, and completed since the
// meeting before.
type Point struct {
	MeetingID int64     `json:"meeting_id"`
	StartsAt  time.Time `json:"starts_at"`
	Open      int       `json:"open"`
	Completed int       `json:"completed"`
}

// oldestShown is how many of the oldest open actions the dashboard lists.
const oldestShown = 5

// seriesMeetings is how many past meetings the chart covers.
const seriesMeetings = 12

// Dashboard counts a board's outstanding actions: all, overdue, due at the next meeting,
// carried forward twice or more; by owner and by organisation; the oldest; and the series
// of open and completed actions over the last 12 meetings. Every query reads one board's
// actions through the board's index, so the cost follows the board, not the database.
func (s *Store) Dashboard(ctx context.Context, boardID int64) (*Dashboard, error) {
	now := s.now()
	d := &Dashboard{BoardID: boardID, At: now, ByOwner: []OwnerCount{}, ByOrganisation: []OwnerCount{}, Oldest: []Action{}, Series: []Point{}}
	nowText := formatTime(now)
	var nextStarts string
	err := s.queryRow(ctx, `SELECT id, starts_at FROM meetings WHERE board_id = ? AND starts_at > ? AND status <> 'cancelled'
		ORDER BY starts_at LIMIT 1`, boardID, nowText).Scan(&d.NextMeetingID, &nextStarts)
	if err != nil && !db.IsNoRows(err) {
		return nil, err
	}
	d.NextMeetingStartsAt = parseTime(nextStarts)
	nextDay := ""
	if !d.NextMeetingStartsAt.IsZero() {
		nextDay = d.NextMeetingStartsAt.In(london).Format(time.DateOnly)
	}

	// The counts are summed by SQLite over the board's index entries: a board's thousand
	// actions never cross into Go one by one.
	today := londonDay(now).Format(time.DateOnly)
	err = s.queryRow(ctx, `SELECT count(*), coalesce(sum(`+overdueSQL+`),0), coalesce(sum(a.carried_forward >= 2),0),
		coalesce(sum(NOT `+overdueSQL+` AND (a.due_next = 1 OR a.due_meeting_id = ?4 OR (a.due_date <> '' AND a.due_date <= ?5))),0)
		FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id
		WHERE a.board_id = ?3 AND a.status IN ('open','in_progress')`, today, nowText, boardID, d.NextMeetingID, nextDay).
		Scan(&d.Open, &d.Overdue, &d.CarriedTwice, &d.DueNextMeeting)
	if err != nil {
		return nil, fmt.Errorf("dashboard counts: %w", err)
	}
	if err := s.countOwners(ctx, d, boardID, today, nowText); err != nil {
		return nil, err
	}
	var ids []int64
	rows, err := s.query(ctx, s.db, `SELECT a.id FROM actions a LEFT JOIN meetings sm ON sm.id = a.meeting_id
		WHERE a.board_id = ? AND a.status IN ('open','in_progress') ORDER BY coalesce(sm.starts_at, a.created_at), a.id LIMIT ?`, boardID, oldestShown)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		if d.Oldest, err = s.byIDs(ctx, ids); err != nil {
			return nil, err
		}
	}
	if d.Series, err = s.series(ctx, boardID, nowText); err != nil {
		return nil, err
	}
	return d, nil
}

// overdueSQL is Due.Overdue in SQL, for ?1 today (YYYY-MM-DD, London) and ?2 now (RFC
// 3339, UTC).
const overdueSQL = `((a.due_date <> '' AND a.due_date < ?1) OR (a.due_meeting_id IS NOT NULL AND dm.starts_at < ?2))`

// countOwners fills ByOwner (each person, organisation or group named as owner; a role
// counts for its holder) and ByOrganisation (each organisation with work to do: owning,
// employing an owner, or asked to answer and not yet answered) for the outstanding
// actions of the board, in one statement.
func (s *Store) countOwners(ctx context.Context, d *Dashboard, boardID int64, today, nowText string) error {
	rows, err := s.query(ctx, s.db, `WITH open AS MATERIALIZED (
			SELECT a.id, `+overdueSQL+` AS od FROM actions a INDEXED BY actions_board_status LEFT JOIN meetings dm ON dm.id = a.due_meeting_id
			WHERE a.board_id = ?3 AND a.status IN ('open','in_progress')),
		owned AS MATERIALIZED (
			SELECT open.id, open.od, CASE o.kind WHEN 'role' THEN 'person' ELSE o.kind END AS kind,
				coalesce(o.person_id,0) AS pid, coalesce(o.organisation_id,0) AS oid, o.group_name AS grp,
				coalesce(o.organisation_id, p.organisation_id) AS org
			FROM open JOIN action_owners o ON o.action_id = open.id LEFT JOIN people p ON p.id = o.person_id)
		SELECT 'owner', kind, pid, oid, grp, count(*), sum(od) FROM owned GROUP BY kind, pid, oid, grp
		UNION ALL
		SELECT 'organisation', '', 0, org, '', count(*), sum(od) FROM (
			SELECT id, od, org FROM owned WHERE org IS NOT NULL
			UNION
			SELECT open.id, open.od, r.organisation_id FROM open JOIN action_responses r INDEXED BY sqlite_autoindex_action_responses_1
				ON r.action_id = open.id WHERE r.status = 'pending')
			GROUP BY org`, today, nowText, boardID)
	if err != nil {
		return fmt.Errorf("dashboard owners: %w", err)
	}
	var people, orgs []int64
	for rows.Next() {
		var what, kind, grp string
		var c OwnerCount
		if err := rows.Scan(&what, &kind, &c.PersonID, &c.OrganisationID, &grp, &c.Open, &c.Overdue); err != nil {
			rows.Close()
			return err
		}
		if what == "organisation" {
			d.ByOrganisation = append(d.ByOrganisation, c)
			orgs = append(orgs, c.OrganisationID)
			continue
		}
		switch kind {
		case OwnerPerson:
			people = append(people, c.PersonID)
		case OwnerOrganisation:
			orgs = append(orgs, c.OrganisationID)
		case OwnerGroup:
			c.Name = groupName(grp)
		}
		d.ByOwner = append(d.ByOwner, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	names := map[string]string{}
	rows, err = s.query(ctx, s.db, `SELECT 'p', id, name FROM people WHERE id IN (SELECT value FROM json_each(?1))
		UNION ALL SELECT 'o', id, name FROM organisations WHERE id IN (SELECT value FROM json_each(?2))`, idList(people), idList(orgs))
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, name string
		var id int64
		if err := rows.Scan(&k, &id, &name); err != nil {
			rows.Close()
			return err
		}
		names[k+strconv.FormatInt(id, 10)] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range d.ByOwner {
		c := &d.ByOwner[i]
		switch {
		case c.PersonID != 0:
			c.Name = names["p"+strconv.FormatInt(c.PersonID, 10)]
		case c.OrganisationID != 0:
			c.Name = names["o"+strconv.FormatInt(c.OrganisationID, 10)]
		}
	}
	for i := range d.ByOrganisation {
		d.ByOrganisation[i].Name = names["o"+strconv.FormatInt(d.ByOrganisation[i].OrganisationID, 10)]
	}
	byCount := func(x, y OwnerCount) int {
		if x.Open != y.Open {
			return y.Open - x.Open
		}
		return strings.Compare(x.Name, y.Name)
	}
	slices.SortFunc(d.ByOwner, byCount)
	slices.SortFunc(d.ByOrganisation, byCount)
	return nil
}

// series counts, at each of the board's last 12 meetings held, the actions outstanding
// then and those completed since the meeting before.
func (s *Store) series(ctx context.Context, boardID int64, nowText string) ([]Point, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, starts_at FROM meetings WHERE board_id = ? AND starts_at <= ? AND status <> 'cancelled'
		ORDER BY starts_at DESC LIMIT ?`, boardID, nowText, seriesMeetings+1)
	if err != nil {
		return nil, err
	}
	var ms []Point
	for rows.Next() {
		var p Point
		var at string
		if err := rows.Scan(&p.MeetingID, &at); err != nil {
			rows.Close()
			return nil, err
		}
		p.StartsAt = parseTime(at)
		ms = append(ms, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return []Point{}, nil
	}
	slices.Reverse(ms)
	first := formatTime(ms[0].StartsAt)
	// Actions closed before the window's first meeting count nowhere: leave them out. The
	// rest come grouped by when they were set and closed (most share their meeting's).
	rows, err = s.query(ctx, s.db, `SELECT coalesce(sm.starts_at, a.created_at),
		CASE a.status WHEN 'done' THEN a.completed_at WHEN 'dropped' THEN a.dropped_at ELSE '' END, a.status = 'done', count(*)
		FROM actions a LEFT JOIN meetings sm ON sm.id = a.meeting_id
		WHERE a.board_id = ? AND (a.status IN ('open','in_progress') OR a.completed_at >= ? OR a.dropped_at >= ?)
		GROUP BY 1, 2, 3`, boardID, first, first)
	if err != nil {
		return nil, err
	}
	type life struct {
		set, closed string
		done        bool
		n           int
	}
	var lives []life
	for rows.Next() {
		var l life
		if err := rows.Scan(&l.set, &l.closed, &l.done, &l.n); err != nil {
			rows.Close()
			return nil, err
		}
		lives = append(lives, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range ms {
		at := formatTime(ms[i].StartsAt)
		prev := ""
		if i > 0 {
			prev = formatTime(ms[i-1].StartsAt)
		}
		for _, l := range lives {
			if l.set <= at && (l.closed == "" || l.closed > at) {
				ms[i].Open += l.n
			}
			if l.done && l.closed <= at && l.closed > prev {
				ms[i].Completed += l.n
			}
		}
	}
	if len(ms) > seriesMeetings {
		ms = ms[len(ms)-seriesMeetings:]
	}
	return ms, nil
}
