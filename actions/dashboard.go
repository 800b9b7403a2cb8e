package actions

import (
	"context"
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
	err := s.db.QueryRowContext(ctx, `SELECT id, starts_at FROM meetings WHERE board_id = ? AND starts_at > ? AND status <> 'cancelled'
		ORDER BY starts_at LIMIT 1`, boardID, nowText).Scan(&d.NextMeetingID, &nextStarts)
	if err != nil && !db.IsNoRows(err) {
		return nil, err
	}
	d.NextMeetingStartsAt = parseTime(nextStarts)
	nextDay := ""
	if !d.NextMeetingStartsAt.IsZero() {
		nextDay = d.NextMeetingStartsAt.In(london).Format(time.DateOnly)
	}

	// One pass over the board's outstanding actions for the counts.
	type row struct {
		id        int64
		due       Due
		carried   int
		createdAt string
		overdue   bool
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.due_date, coalesce(a.due_meeting_id,0), coalesce(dm.starts_at,''), a.due_next,
		a.carried_forward, coalesce(sm.starts_at, a.created_at)
		FROM actions a LEFT JOIN meetings dm ON dm.id = a.due_meeting_id LEFT JOIN meetings sm ON sm.id = a.meeting_id
		WHERE a.board_id = ? AND a.status IN ('open','in_progress')`, boardID)
	if err != nil {
		return nil, err
	}
	var open []row
	overdue := map[int64]bool{}
	for rows.Next() {
		var r row
		var dueStarts string
		if err := rows.Scan(&r.id, &r.due.Date, &r.due.MeetingID, &dueStarts, &r.due.Next, &r.carried, &r.createdAt); err != nil {
			rows.Close()
			return nil, err
		}
		r.due.MeetingStartsAt = parseTime(dueStarts)
		r.overdue = r.due.Overdue(now)
		open = append(open, r)
		d.Open++
		if r.overdue {
			d.Overdue++
			overdue[r.id] = true
		}
		if r.carried >= 2 {
			d.CarriedTwice++
		}
		switch {
		case r.overdue:
		case r.due.Next, d.NextMeetingID != 0 && r.due.MeetingID == d.NextMeetingID:
			d.DueNextMeeting++
		case nextDay != "" && r.due.Date != "" && r.due.Date <= nextDay:
			d.DueNextMeeting++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	if err := s.countOwners(ctx, d, boardID, overdue); err != nil {
		return nil, err
	}

	slices.SortFunc(open, func(x, y row) int {
		if c := strings.Compare(x.createdAt, y.createdAt); c != 0 {
			return c
		}
		return int(x.id - y.id)
	})
	if len(open) > 0 {
		ids := []any{}
		for _, r := range open[:min(oldestShown, len(open))] {
			ids = append(ids, r.id)
		}
		as, err := s.queryActions(ctx, s.db, `SELECT `+actionCols+actionFrom+` WHERE a.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)
			ORDER BY coalesce(sm.starts_at, a.created_at), a.id`, ids...)
		if err != nil {
			return nil, err
		}
		d.Oldest = as
	}

	if d.Series, err = s.series(ctx, boardID, nowText); err != nil {
		return nil, err
	}
	return d, nil
}

// countOwners fills ByOwner (each person, organisation or group named as owner) and
// ByOrganisation (each organisation with work to do: owning, employing an owner, or asked
// to answer) for the outstanding actions of the board.
func (s *Store) countOwners(ctx context.Context, d *Dashboard, boardID int64, overdue map[int64]bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT o.action_id, o.kind, coalesce(o.person_id,0), coalesce(o.organisation_id,0), o.group_name,
		coalesce(p.name,''), coalesce(p.organisation_id,0), coalesce(porg.name,''), coalesce(org.name,'')
		FROM actions a JOIN action_owners o ON o.action_id = a.id
		LEFT JOIN people p ON p.id = o.person_id LEFT JOIN organisations porg ON porg.id = p.organisation_id
		LEFT JOIN organisations org ON org.id = o.organisation_id
		WHERE a.board_id = ? AND a.status IN ('open','in_progress')`, boardID)
	if err != nil {
		return err
	}
	byOwner := map[string]*OwnerCount{}
	byOrg := map[int64]*OwnerCount{}
	ownerSeen := map[string]map[int64]bool{}
	orgSeen := map[int64]map[int64]bool{}
	countOwner := func(key string, c OwnerCount, action int64) {
		if ownerSeen[key] == nil {
			ownerSeen[key] = map[int64]bool{}
			byOwner[key] = &c
		}
		if !ownerSeen[key][action] {
			ownerSeen[key][action] = true
			byOwner[key].Open++
			if overdue[action] {
				byOwner[key].Overdue++
			}
		}
	}
	countOrg := func(id int64, name string, action int64) {
		if id == 0 {
			return
		}
		if orgSeen[id] == nil {
			orgSeen[id] = map[int64]bool{}
			byOrg[id] = &OwnerCount{Name: name, OrganisationID: id}
		}
		if !orgSeen[id][action] {
			orgSeen[id][action] = true
			byOrg[id].Open++
			if overdue[action] {
				byOrg[id].Overdue++
			}
		}
	}
	for rows.Next() {
		var action, person, org, personOrg int64
		var kind, group, personName, personOrgName, orgName string
		if err := rows.Scan(&action, &kind, &person, &org, &group, &personName, &personOrg, &personOrgName, &orgName); err != nil {
			rows.Close()
			return err
		}
		switch kind {
		case OwnerPerson, OwnerRole:
			countOwner("p"+strconv.FormatInt(person, 10), OwnerCount{Name: personName, PersonID: person}, action)
			countOrg(personOrg, personOrgName, action)
		case OwnerOrganisation:
			countOwner("o"+strconv.FormatInt(org, 10), OwnerCount{Name: orgName, OrganisationID: org}, action)
			countOrg(org, orgName, action)
		case OwnerGroup:
			countOwner("g"+group, OwnerCount{Name: groupName(group)}, action)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Organisations asked to answer a group action count until they have answered.
	rows, err = s.db.QueryContext(ctx, `SELECT r.action_id, r.organisation_id, o.name
		FROM actions a JOIN action_responses r ON r.action_id = a.id JOIN organisations o ON o.id = r.organisation_id
		WHERE a.board_id = ? AND a.status IN ('open','in_progress') AND r.status = 'pending'`, boardID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var action, org int64
		var name string
		if err := rows.Scan(&action, &org, &name); err != nil {
			rows.Close()
			return err
		}
		countOrg(org, name, action)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range byOwner {
		d.ByOwner = append(d.ByOwner, *c)
	}
	for _, c := range byOrg {
		d.ByOrganisation = append(d.ByOrganisation, *c)
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, starts_at FROM meetings WHERE board_id = ? AND starts_at <= ? AND status <> 'cancelled'
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
	// Actions closed before the window's first meeting count nowhere: leave them out.
	rows, err = s.db.QueryContext(ctx, `SELECT coalesce(sm.starts_at, a.created_at), a.status, a.completed_at, a.dropped_at
		FROM actions a LEFT JOIN meetings sm ON sm.id = a.meeting_id
		WHERE a.board_id = ? AND (a.status IN ('open','in_progress') OR a.completed_at >= ? OR a.dropped_at >= ?)`, boardID, first, first)
	if err != nil {
		return nil, err
	}
	type life struct{ set, done, dropped string }
	var lives []life
	for rows.Next() {
		var l life
		var status string
		if err := rows.Scan(&l.set, &status, &l.done, &l.dropped); err != nil {
			rows.Close()
			return nil, err
		}
		if status != StatusDone {
			l.done = ""
		}
		if status != StatusDropped {
			l.dropped = ""
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
			closed := l.done
			if closed == "" {
				closed = l.dropped
			}
			if l.set <= at && (closed == "" || closed > at) {
				ms[i].Open++
			}
			if l.done != "" && l.done <= at && l.done > prev {
				ms[i].Completed++
			}
		}
	}
	if len(ms) > seriesMeetings {
		ms = ms[len(ms)-seriesMeetings:]
	}
	return ms, nil
}
