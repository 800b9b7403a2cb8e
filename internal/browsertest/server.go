// Package browsertest runs Quorum as a person meets it: the real binary on a free loopback
// port over a fresh database holding the demo partnership, and Debian's Chromium driven
// through chromedp. Journeys (cmd/quorum/journey_test.go, build tag browser) use it to walk
// through pages, save screenshots under testdata/screens/ and check accessibility with axe.
package browsertest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running quorum serve.
type Server struct {
	URL string // such as http://127.0.0.1:43817, no trailing slash
	DB  string // the database file

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Log returns what the server has written to stdout and stderr so far.
func (s *Server) Log() string { return s.out.String() }

// Start builds the quorum binary (once per test process), starts it on a free loopback
// port with a new database (so the demo data loads), waits for /healthz and stops the
// server when the test ends. On failure it shows the server's output.
func Start(t *testing.T) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatalf("build quorum: %v", err)
	}
	dir := t.TempDir()
	var last error
	// A port found free can be taken before the server binds it: try again then.
	for range 3 {
		s, err := start(bin, filepath.Join(dir, "q.db"))
		if err == nil {
			t.Cleanup(func() {
				s.stop()
				if t.Failed() {
					t.Logf("quorum serve output:\n%s", tail(s.Log(), 60))
				}
			})
			return s
		}
		last = err
		if s == nil || !strings.Contains(s.Log(), "address already in use") {
			break
		}
		_ = os.Remove(filepath.Join(dir, "q.db"))
	}
	t.Fatalf("start quorum: %v", last)
	return nil
}

func start(bin, db string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s := &Server{URL: "http://" + addr, DB: db, out: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "-addr", addr, "-db", db)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.Dir = filepath.Dir(db)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()

	deadline := time.Now().Add(20 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return s, fmt.Errorf("quorum serve exited (%v) before it was ready:\n%s", s.cmd.ProcessState, s.Log())
		default:
		}
		res, err := client.Get(s.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return s, fmt.Errorf("quorum serve not ready on %s after 20s:\n%s", addr, s.Log())
}

// stop asks the server to shut down as an operator would (SIGTERM), and kills it if it
// has not stopped within 5 seconds.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var build struct {
	once sync.Once
	bin  string
	err  error
}

// binary builds quorum/cmd/quorum once per test process. The binary goes to a directory
// named after the module root, so repeated runs reuse one place instead of leaving a new
// temporary directory behind each time; it is written under a new name and renamed, so
// test processes running side by side never see half a file.
func binary() (string, error) {
	build.once.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			build.err = err
			return
		}
		sum := sha256.Sum256([]byte(root))
		dir := filepath.Join(os.TempDir(), "quorum-browsertest-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			build.err = err
			return
		}
		tmp, err := os.CreateTemp(dir, "quorum-*.tmp")
		if err != nil {
			build.err = err
			return
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		cmd := exec.Command("go", "build", "-o", tmp.Name(), "quorum/cmd/quorum")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		bin := filepath.Join(dir, "quorum")
		if err := os.Rename(tmp.Name(), bin); err != nil {
			build.err = err
			return
		}
		build.bin = bin
	})
	return build.bin, build.err
}

// ModuleRoot is the directory holding go.mod, found by walking up from the working
// directory (a test runs in its package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// syncBuffer collects a process's output, which its own goroutines write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
