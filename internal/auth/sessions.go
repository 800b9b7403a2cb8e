package auth

import (
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCache keeps recently used sessions in memory in front of the SQLite session
// store, so that reading a page as a signed-in user costs no database query for the
// session. Every write and delete goes through to the database first, so a restart
// loses nothing; one process serves one database, so the cache cannot go stale behind
// another writer.
type SessionCache struct {
	store scs.Store
	mu    sync.Mutex
	max   int
	m     map[string]cachedSession
}

type cachedSession struct {
	data   []byte
	expiry time.Time
}

// NewSessionCache wraps store, holding at most max sessions in memory.
func NewSessionCache(store scs.Store, max int) *SessionCache {
	return &SessionCache{store: store, max: max, m: map[string]cachedSession{}}
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

// Commit writes the session to the database, then to memory.
func (c *SessionCache) Commit(token string, b []byte, expiry time.Time) error {
	if err := c.store.Commit(token, b, expiry); err != nil {
		c.forget(token)
		return err
	}
	c.remember(token, b, expiry)
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
	if len(c.m) >= c.max {
		clear(c.m) // simplest bound: start again; the database still has every session
	}
	c.m[token] = cachedSession{data: b, expiry: expiry}
}

func (c *SessionCache) forget(token string) {
	c.mu.Lock()
	delete(c.m, token)
	c.mu.Unlock()
}
