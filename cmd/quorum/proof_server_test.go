//go:build proof

package main

// The proof suite (go test -tags proof ./cmd/quorum -run Proof): the real binary under
// faults, load and hostile input. This file holds what its tests share: building the
// binary once, starting and killing `quorum serve`, and checking a database file.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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

	"quorum/internal/browsertest"
	"quorum/internal/db"
)

var proofBuild struct {
	once sync.Once
	bin  string
	err  error
}

// proofBinary builds quorum once per test process into a directory named after the
// module root (so runs reuse it), world-readable so a test may run it as another user.
func proofBinary(t testing.TB) string {
	t.Helper()
	proofBuild.once.Do(func() {
		root, err := browsertest.ModuleRoot()
		if err != nil {
			proofBuild.err = err
			return
		}
		sum := sha256.Sum256([]byte(root))
		dir := filepath.Join(os.TempDir(), "quorum-proof-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			proofBuild.err = err
			return
		}
		tmp := filepath.Join(dir, fmt.Sprintf("quorum-%d.tmp", os.Getpid()))
		cmd := exec.Command("go", "build", "-o", tmp, "quorum/cmd/quorum")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			proofBuild.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		bin := filepath.Join(dir, "quorum")
		if err := os.Rename(tmp, bin); err != nil {
			proofBuild.err = err
			return
		}
		proofBuild.bin = bin
	})
	if proofBuild.err != nil {
		t.Fatalf("build quorum: %v", proofBuild.err)
	}
	return proofBuild.bin
}

// proc is one running `quorum serve`.
type proc struct {
	url  string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serveOpts says how to run the server.
type serveOpts struct {
	args []string            // extra flags
	env  []string            // extra environment
	cred *syscall.Credential // run as this user (the read-only test, when we are root)
}

// startServe runs quorum serve on a free loopback port over dbFile and waits until it
// answers /healthz. The test's cleanup kills it if it still runs.
func startServe(t testing.TB, dbFile string, o serveOpts) *proc {
	t.Helper()
	bin := proofBinary(t)
	var last error
	for range 3 {
		port, err := proofFreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		p := &proc{url: "http://" + addr, out: &lockedBuffer{}, done: make(chan struct{})}
		p.cmd = exec.Command(bin, append([]string{"serve", "-addr", addr, "-db", dbFile}, o.args...)...)
		p.cmd.Env = append(os.Environ(), o.env...)
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		p.cmd.Dir = filepath.Dir(dbFile)
		if o.cred != nil {
			p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: o.cred}
		}
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = p.cmd.Wait(); close(p.done) }()
		t.Cleanup(func() { p.kill() })
		if err = p.waitReady(20 * time.Second); err == nil {
			return p
		}
		last = err
		p.kill()
		if !strings.Contains(p.out.String(), "address already in use") {
			break
		}
	}
	t.Fatalf("start quorum serve: %v", last)
	return nil
}

func (p *proc) waitReady(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("quorum serve exited (%v):\n%s", p.cmd.ProcessState, p.out.String())
		default:
		}
		if res, err := client.Get(p.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("quorum serve not ready after %s:\n%s", limit, p.out.String())
}

// kill ends the server with SIGKILL: no shutdown, no checkpoint, no closing the database.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop ends the server as an operator does (SIGTERM), finishing requests in flight.
func (p *proc) stop(t testing.TB) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Errorf("quorum serve did not stop within 20 s of SIGTERM")
		p.kill()
	}
}

func proofFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// quorumCmd runs a quorum subcommand and returns its output.
func quorumCmd(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(proofBinary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("quorum %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// integrityOK opens dbFile the way Quorum does and runs PRAGMA integrity_check.
func integrityOK(t testing.TB, dbFile string) *sql.DB {
	t.Helper()
	d, err := db.Open(dbFile)
	if err != nil {
		t.Fatalf("open %s: %v", dbFile, err)
	}
	var res string
	if err := d.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil {
		d.Close()
		t.Fatalf("integrity_check: %v", err)
	}
	if res != "ok" {
		d.Close()
		t.Fatalf("integrity_check: %s", res)
	}
	return d
}

// demoDB makes a database holding the demo partnership by serving it once and stopping.
func demoDB(t testing.TB, dir string) string {
	t.Helper()
	f := filepath.Join(dir, "quorum.db")
	p := startServe(t, f, serveOpts{})
	p.stop(t)
	return f
}

// officerActions lists the actions the demo's officer owns, by id.
func officerActions(t testing.TB, d *sql.DB) []int64 {
	t.Helper()
	rows, err := d.Query(`SELECT DISTINCT a.id FROM actions a JOIN action_owners o ON o.action_id = a.id
		JOIN people p ON p.id = o.person_id WHERE p.email = 'priya.natarajan@northvale.example' ORDER BY a.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		t.Fatal("the demo officer owns no action")
	}
	return ids
}

// ack is a write the server acknowledged: an action update answered 201 with its id.
type ack struct {
	id       int64
	actionID int64
	text     string
}

// postUpdate posts one progress update over the JSON API with a token.
func postUpdate(ctx context.Context, hc *http.Client, base, token string, actionID int64, text string) (int, int64, error) {
	body, _ := json.Marshal(map[string]string{"text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/actions/%d/updates", base, actionID), bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, 0, err
	}
	var u struct {
		ID int64 `json:"id"`
	}
	if res.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(b, &u); err != nil || u.ID == 0 {
			return res.StatusCode, 0, fmt.Errorf("201 without an id: %s", b)
		}
	}
	return res.StatusCode, u.ID, nil
}

// checkAcked fails unless every acknowledged update is in d with its text, and every
// update carries its audit event (written in the same transaction: none half-applied).
func checkAcked(t testing.TB, d *sql.DB, acks []ack, afterID int64) {
	t.Helper()
	type row struct {
		actionID int64
		text     string
	}
	have := map[int64]row{}
	rows, err := d.Query(`SELECT id, action_id, text FROM action_updates WHERE id > ?`, afterID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.actionID, &r.text); err != nil {
			t.Fatal(err)
		}
		have[id] = r
	}
	rows.Close()
	for _, a := range acks {
		r, ok := have[a.id]
		if !ok {
			t.Fatalf("acknowledged update %d (%q) is missing", a.id, a.text)
		}
		if r.text != a.text || r.actionID != a.actionID {
			t.Fatalf("update %d is %d %q, acknowledged as %d %q", a.id, r.actionID, r.text, a.actionID, a.text)
		}
	}
	audited := map[int64]int64{} // update id → action id
	rows, err = d.Query(`SELECT entity_id, json_extract(after, '$.id') FROM audit_events
		WHERE entity = 'action' AND action = 'action.update_posted' AND json_extract(after, '$.id') > ?`, afterID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var actionID, updateID int64
		if err := rows.Scan(&actionID, &updateID); err != nil {
			t.Fatal(err)
		}
		audited[updateID] = actionID
	}
	rows.Close()
	for id, r := range have {
		if a, ok := audited[id]; !ok || a != r.actionID {
			t.Fatalf("update %d of action %d has no audit event (half-applied)", id, r.actionID)
		}
	}
	for id := range audited {
		if _, ok := have[id]; !ok {
			t.Fatalf("an audit event records update %d, which is not there (half-applied)", id)
		}
	}
	var stale int
	if err := d.QueryRow(`SELECT count(*) FROM actions a WHERE a.status = 'open' AND EXISTS (
		SELECT 1 FROM action_updates u WHERE u.action_id = a.id AND u.id > ?)`, afterID).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if stale > 0 {
		t.Fatalf("%d actions with a new update still open (half-applied)", stale)
	}
}
