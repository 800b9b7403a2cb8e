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
