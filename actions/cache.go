package actions

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"
)

// The log's pages and the chair's dashboard are read far more often than a board's
// actions change, and reading them costs a board's thousand actions each time. The cache
// keeps, per board, the answers last read, each valid while two things hold:
//   - the board's data version is unchanged: board_versions, bumped by triggers on every
//     table those answers read (actions, owners, responses, updates, meetings, board,
//     people's and organisations' names), whoever writes them; and
//   - the clock has not reached the next moment the answer depends on: London midnight
//     (a date passes and actions fall overdue) or the start of the board's next meeting
//     (actions due at it fall overdue, the next meeting moves on).
//
// The version is read before the answer, so an answer is never kept under a version
// older than the data it was read from. Cached values are shared: callers must not
// change them.
type cache struct {
	mu     sync.Mutex
	lists  map[string]cachedList
	dashes map[int64]cachedDashboard
}

type cachedList struct {
	version int64
	until   time.Time
	as      []Action
	total   int
}

type cachedDashboard struct {
	version int64
	until   time.Time
	d       *Dashboard
}

// maxCached bounds each map; past it the map starts again (a page's worth of misses).
const maxCached = 1024

func (c *cache) init() {
	if c.lists == nil {
		c.lists = map[string]cachedList{}
		c.dashes = map[int64]cachedDashboard{}
	}
}

// BoardVersion is the data version the board's log and dashboard were read at: it grows
// with every change to them.
func (s *Store) BoardVersion(ctx context.Context, boardID int64) (int64, error) {
	var v int64
	err := s.queryRow(ctx, `SELECT coalesce(sum(version), 0) FROM board_versions WHERE board_id IN (?, 0)`, boardID).Scan(&v)
	return v, err
}

// validUntil is the next moment after now that a board's log or dashboard changes by the
// clock alone: London midnight, or the start of the board's next meeting if sooner.
func (s *Store) validUntil(ctx context.Context, boardID int64, now time.Time) (time.Time, error) {
	until := londonDay(now).AddDate(0, 0, 1)
	var next string
	if err := s.queryRow(ctx, `SELECT coalesce(min(starts_at), '') FROM meetings WHERE board_id = ? AND starts_at > ?`,
		boardID, formatTime(now)).Scan(&next); err != nil {
		return time.Time{}, err
	}
	if t := parseTime(next); !t.IsZero() && t.Before(until) {
		until = t
	}
	return until, nil
}

func filterKey(boardID int64, f Filter) string {
	return fmt.Sprintf("%d|%s|%d|%d|%d|%t|%s|%s|%t|%d|%d|%t", boardID, strings.Join(f.Statuses, ","), f.OwnerPersonID,
		f.OrganisationID, f.MeetingID, f.Overdue, strings.TrimSpace(f.Query), f.Sort, f.Desc, f.Offset, f.Limit, f.Public)
}

// CachedList is List, answered from the cache while the board's data and the clock allow.
// The actions answered are shared: do not change them.
func (s *Store) CachedList(ctx context.Context, boardID int64, f Filter) ([]Action, int, error) {
	v, err := s.BoardVersion(ctx, boardID)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	key := filterKey(boardID, f)
	s.cache.mu.Lock()
	s.cache.init()
	e, ok := s.cache.lists[key]
	s.cache.mu.Unlock()
	if ok && e.version == v && now.Before(e.until) {
		return e.as, e.total, nil
	}
	until, err := s.validUntil(ctx, boardID, now)
	if err != nil {
		return nil, 0, err
	}
	as, total, err := s.List(ctx, boardID, f)
	if err != nil {
		return nil, 0, err
	}
	s.cache.mu.Lock()
	if len(s.cache.lists) >= maxCached {
		clear(s.cache.lists)
	}
	s.cache.lists[key] = cachedList{version: v, until: until, as: as, total: total}
	s.cache.mu.Unlock()
	return as, total, nil
}

// CachedDashboard is Dashboard, answered from the cache while the board's data and the
// clock allow. The dashboard answered is shared: do not change it.
func (s *Store) CachedDashboard(ctx context.Context, boardID int64) (*Dashboard, error) {
	v, err := s.BoardVersion(ctx, boardID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	s.cache.mu.Lock()
	s.cache.init()
	e, ok := s.cache.dashes[boardID]
	s.cache.mu.Unlock()
	if ok && e.version == v && now.Before(e.until) {
		return e.d, nil
	}
	until, err := s.validUntil(ctx, boardID, now)
	if err != nil {
		return nil, err
	}
	d, err := s.Dashboard(ctx, boardID)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	if len(s.cache.dashes) >= maxCached {
		clear(s.cache.dashes)
	}
	s.cache.dashes[boardID] = cachedDashboard{version: v, until: until, d: d}
	s.cache.mu.Unlock()
	return d, nil
}

// The rendered content of the log's pages and the dashboard is kept too: the rows of a
// thousand-action board cost more to render than to read. The content depends on the
// board's data (its version, as above), the query, and whether the reader is the clerk
// (who gets the add form); the layout around it (the signed-in user, a flash message) is
// rendered for each request.
type pageCache struct {
	mu    sync.Mutex
	pages map[string]cachedPage
}

type cachedPage struct {
	version int64
	until   time.Time
	title   string
	content template.HTML
}
