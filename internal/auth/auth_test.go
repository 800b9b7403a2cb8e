package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash = %s", h)
	}
	if !checkPassword(h, "correct horse battery") || checkPassword(h, "correct horse battery!") {
		t.Fatal("password check wrong")
	}
	if HashPassword("correct horse battery") == h {
		t.Error("hashes must be salted")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$x$y$z$w", h[:len(h)-5]} {
		if checkPassword(bad, "correct horse battery") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, 50*time.Millisecond)
	for i := 0; i < 3; i++ {
		if !l.Allow("k") {
			t.Fatal("refused too early")
		}
		l.Fail("k")
	}
	if l.Allow("k") {
		t.Fatal("a fourth try must wait")
	}
	if !l.Allow("other") {
		t.Fatal("keys are separate")
	}
	time.Sleep(60 * time.Millisecond)
	if !l.Allow("k") {
		t.Fatal("the window must pass")
	}
}

// memStore is a session store standing in for SQLite in the cache's test.
type memStore struct {
	finds int
	m     map[string][]byte
}

func (s *memStore) Find(t string) ([]byte, bool, error) {
	s.finds++
	b, ok := s.m[t]
	return b, ok, nil
}
func (s *memStore) Commit(t string, b []byte, _ time.Time) error {
	s.m[t] = b
	return nil
}
func (s *memStore) Delete(t string) error { delete(s.m, t); return nil }

func TestSessionCache(t *testing.T) {
	under := &memStore{m: map[string][]byte{"old": []byte("from before a restart")}}
	c := NewSessionCache(under, 2)
	if b, ok, _ := c.Find("old"); !ok || string(b) != "from before a restart" {
		t.Fatal("a session in the database must be found")
	}
	c.Find("old")
	if under.finds != 1 {
		t.Errorf("database reads = %d, want 1 (the second from memory)", under.finds)
	}
	c.Commit("a", []byte("1"), time.Now().Add(time.Hour))
	if string(under.m["a"]) != "1" {
		t.Fatal("commit must write through")
	}
	c.Delete("a")
	if _, ok, _ := c.Find("a"); ok {
		t.Fatal("a deleted session must be gone")
	}
	c.Commit("gone", []byte("x"), time.Now().Add(-time.Second))
	if _, ok, _ := c.Find("gone"); ok {
		t.Fatal("an expired session must not be found")
	}
	for _, k := range []string{"p", "q", "r"} {
		c.Commit(k, []byte(k), time.Now().Add(time.Hour))
	}
	if len(c.m) > 2 {
		t.Errorf("cache holds %d, bound is 2", len(c.m))
	}
	if b, ok, _ := c.Find("p"); !ok || string(b) != "p" {
		t.Fatal("a session dropped from memory is still in the database")
	}
}

// countingStore is memStore counting commits, with the expiry each was given.
type countingStore struct {
	memStore
	commits int
	expiry  map[string]time.Time
}

func (s *countingStore) Commit(t string, b []byte, e time.Time) error {
	s.commits++
	s.expiry[t] = e
	return s.memStore.Commit(t, b, e)
}

// With an idle timeout every request commits the session to move its expiry on: the
// cache writes the database only when the data changes or the expiry has moved Slack on,
// and a session left alone past its expiry is gone though the database was written
// earlier.
func TestSessionCacheIdle(t *testing.T) {
	under := &countingStore{memStore: memStore{m: map[string][]byte{}}, expiry: map[string]time.Time{}}
	c := NewSessionCache(under, 10)
	c.Slack = time.Minute
	now := time.Now()
	c.Commit("s", []byte("user 1"), now.Add(time.Hour))
	for i := 1; i <= 5; i++ { // five page reads in the next 50 seconds
		c.Commit("s", []byte("user 1"), now.Add(time.Hour+time.Duration(i)*10*time.Second))
	}
	if under.commits != 1 {
		t.Errorf("database writes = %d after reads that moved only the expiry, want 1", under.commits)
	}
	c.Commit("s", []byte("user 1"), now.Add(time.Hour+61*time.Second))
	if under.commits != 2 || !under.expiry["s"].Equal(now.Add(time.Hour+61*time.Second)) {
		t.Errorf("past the slack: %d writes, stored expiry %v", under.commits, under.expiry["s"])
	}
	c.Commit("s", []byte("user 1 and a flash"), now.Add(time.Hour+62*time.Second))
	if under.commits != 3 || string(under.m["s"]) != "user 1 and a flash" {
		t.Errorf("a change of data must write through: %d writes, %q", under.commits, under.m["s"])
	}
	// Idle: the expiry passed in memory ends the session.
	c.Commit("idle", []byte("user 2"), now.Add(50*time.Millisecond))
	c.Commit("idle", []byte("user 2"), now.Add(80*time.Millisecond))
	time.Sleep(100 * time.Millisecond)
	if _, ok, _ := c.Find("idle"); ok {
		t.Fatal("a session idle past its expiry must be gone")
	}
}
