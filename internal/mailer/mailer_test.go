package mailer

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"quorum/internal/db"
	"quorum/internal/outbox"
)

// server is an in-process SMTP server that keeps what it is sent and can refuse, for a
// while, with a temporary failure.
type server struct {
	mu       sync.Mutex
	got      map[string][]string // to → bodies
	failNext int                 // refuse this many DATA commands with 451
	addr     string
}

type session struct {
	s  *server
	to []string
}

func (s *server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }
func (x *session) Reset()                                     { x.to = nil }
func (x *session) Logout() error                              { return nil }
func (x *session) Mail(string, *smtp.MailOptions) error       { return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failNext > 0 {
		x.s.failNext--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	for _, to := range x.to {
		x.s.got[to] = append(x.s.got[to], string(b))
	}
	return nil
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{got: map[string][]string{}}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func newDB(t *testing.T) *sql.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := db.Migrate(context.Background(), d, db.Source{Name: "outbox", FS: outbox.Schema()}, db.Source{Name: "mailer", FS: Schema()}); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEveryMessageSentOnceWithRetries(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	d := newDB(t)
	for i := range 5 {
		if _, err := outbox.Enqueue(ctx, d, fmt.Sprintf("member%d@example.org", i), "Agenda pack", "The pack is published.", fmt.Sprintf("pack:1:person:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	sender, err := NewSMTP("smtp+insecure://"+srv.addr, "clerk@example.org")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := &Runner{DB: d, Sender: sender, Now: func() time.Time { return now }}
	srv.failNext = 2 // the first two messages are refused for now
	sent, err := r.RunOnce(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	if sent != 3 {
		t.Fatalf("sent %d, want 3", sent)
	}
	// Not yet due again: nothing happens.
	if n, _ := r.RunOnce(ctx, 50); n != 0 {
		t.Fatalf("retried %d before the wait", n)
	}
	waiting, _, _ := outbox.List(ctx, d, true, 0, 10)
	if len(waiting) != 2 || !strings.Contains(waiting[0].LastError, "try again later") {
		t.Fatalf("waiting: %+v", waiting)
	}
	now = now.Add(Backoff(1) + time.Second)
	if n, err := r.RunOnce(ctx, 50); n != 2 || err != nil {
		t.Fatalf("retry sent %d: %v", n, err)
	}
	if n, _ := r.RunOnce(ctx, 50); n != 0 {
		t.Fatalf("sent %d more", n)
	}
	for i := range 5 {
		to := fmt.Sprintf("member%d@example.org", i)
		if got := srv.got[to]; len(got) != 1 || !strings.Contains(got[0], "The pack is published.") || !strings.Contains(got[0], "Message-ID:") {
			t.Errorf("%s got %d messages: %q", to, len(got), got)
		}
	}
}

// A run stopped while the server had a message does not send it again after a restart.
func TestStoppedWhileSendingIsNotSentAgain(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	d := newDB(t)
	outbox.Enqueue(ctx, d, "a@example.org", "One", "body", "k1")
	outbox.Enqueue(ctx, d, "b@example.org", "Two", "body", "k2")
	r := &Runner{DB: d}
	if ok, err := r.claim(ctx, 1); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	// ... and the process stops here. On restart:
	sender, _ := NewSMTP("smtp+insecure://"+srv.addr, "clerk@example.org")
	r = &Runner{DB: d, Sender: sender}
	if err := r.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RunOnce(ctx, 50); n != 1 || err != nil {
		t.Fatalf("sent %d: %v", n, err)
	}
	if len(srv.got["a@example.org"]) != 0 || len(srv.got["b@example.org"]) != 1 {
		t.Errorf("got %v", srv.got)
	}
	ms, _, _ := outbox.List(ctx, d, true, 0, 10)
	if len(ms) != 1 || !strings.Contains(ms[0].LastError, "Stopped while sending") {
		t.Errorf("waiting: %+v", ms)
	}
}

func TestRefusedServerIsRetriedThenGivenUp(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	outbox.Enqueue(ctx, d, "a@example.org", "One", "body", "k1")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	sender, _ := NewSMTP("smtp+insecure://"+addr, "clerk@example.org")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := &Runner{DB: d, Sender: sender, MaxAttempts: 3, Now: func() time.Time { return now }}
	for i := range 5 {
		r.RunOnce(ctx, 10)
		now = now.Add(Backoff(i+1) + time.Second)
	}
	ms, _, _ := outbox.List(ctx, d, true, 0, 10)
	if len(ms) != 1 || ms[0].Attempts != 3 || !strings.HasPrefix(ms[0].LastError, "Given up") {
		t.Errorf("%+v", ms)
	}
}
