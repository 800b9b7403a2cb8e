package auth

import (
	"bytes"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCache keeps recently used sessions in memory in front of the SQLite session
// store, so that reading a page as a signed-in user costs no database query for the
// session. Every change and delete goes through to the database first, so a restart
// loses nothing; one process serves one database, so the cache cannot go stale behind
// another writer.
//
// With an idle timeout scs commits the session on every request, only to move its expiry
// on. A commit that changes nothing but the expiry, by less than Slack since the database
// was last written, is kept in memory alone: a page read costs no disk write (a
// synchronous one, queued behind the one SQLite writer), and after a restart a session
// ends at most Slack early.
type SessionCache struct {
	store scs.Store
	mu    sync.Mutex
	max   int
	m     map[string]cachedSession
	Slack time.Duration
}

type cachedSession struct {
	data   []byte
	expiry time.Time
	stored time.Time // the expiry the database holds; zero when not known
}

// NewSessionCache wraps store, holding at most max sessions in memory.
func NewSessionCache(store scs.Store, max int) *SessionCache {
	return &SessionCache{store: store, max: max, m: map[string]cachedSession{}, Slack: 10 * time.Minute}
}

// Find returns a session's data, from memory when it can.
func (c *SessionCache) Find(token string) ([]byte, bool, error) {
	c.mu.Lock()
	s, ok := c.m[token]
	c.mu.Unlock()
	if ok {
		if time.Now().Before(s.expiry) {
			return s.data, true, nil
		}
		c.forget(token)
		return nil, false, nil
	}
	b, found, err := c.store.Find(token)
	if err != nil || !found {
		return b, found, err
	}
	// The store does not tell the expiry; keep the entry briefly, the store's
	// own check applies again after that.
	c.remember(token, b, time.Now().Add(time.Minute))
	return b, true, nil
}

// Commit writes the session to the database, then to memory; a commit that only moves
// the expiry on, by less than Slack, to memory alone.
func (c *SessionCache) Commit(token string, b []byte, expiry time.Time) error {
	c.mu.Lock()
	s, ok := c.m[token]
	if ok && !s.stored.IsZero() && bytes.Equal(s.data, b) && !expiry.Before(s.stored) && expiry.Sub(s.stored) < c.Slack {
		s.expiry = expiry
		c.m[token] = s
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	if err := c.store.Commit(token, b, expiry); err != nil {
		c.forget(token)
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bound()
	c.m[token] = cachedSession{data: b, expiry: expiry, stored: expiry}
	return nil
}

// Delete removes the session from the database and from memory.
func (c *SessionCache) Delete(token string) error {
	c.forget(token)
	return c.store.Delete(token)
}

func (c *SessionCache) remember(token string, b []byte, expiry time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bound()
	c.m[token] = cachedSession{data: b, expiry: expiry}
}

// bound keeps the cache within max, with c.mu held. The simplest bound: start again. The
// database still has every session, those whose expiry moved in memory alone with the
// expiry it was last written with, at most Slack early.
func (c *SessionCache) bound() {
	if len(c.m) >= c.max {
		clear(c.m)
	}
}

func (c *SessionCache) forget(token string) {
	c.mu.Lock()
	delete(c.m, token)
	c.mu.Unlock()
}
