//go:build proof

package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"quorum/internal/db"
	"quorum/internal/mailer"
	"quorum/internal/outbox"
)

const officerEmail = "priya.natarajan@northvale.example"

// writers runs n clients posting action updates until ctx ends, and collects what the
// server acknowledged. A status other than 201 is a failure; a broken connection is not
// (the server may have just been killed).
type writers struct {
	mu    sync.Mutex
	acks  []ack
	at    []time.Time // when each ack arrived
	fails []string
	wg    sync.WaitGroup
}

func (w *writers) run(ctx context.Context, n int, base, token string, actions []int64, label string) {
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	for c := range n {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				id := actions[(c+i)%len(actions)]
				text := fmt.Sprintf("%s client %d update %d", label, c, i)
				status, uid, err := postUpdate(ctx, hc, base, token, id, text)
				if err != nil {
					if status == http.StatusCreated && ctx.Err() == nil {
						w.fail(fmt.Sprintf("%s: %v", text, err))
					}
					continue
				}
				if status != http.StatusCreated {
					w.fail(fmt.Sprintf("%s: status %d", text, status))
					continue
				}
				w.mu.Lock()
				w.acks = append(w.acks, ack{id: uid, actionID: id, text: text})
				w.at = append(w.at, time.Now())
				w.mu.Unlock()
			}
		}()
	}
}

func (w *writers) fail(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fails = append(w.fails, s)
}

func maxUpdateID(t testing.TB, d *sql.DB) int64 {
	var id int64
	if err := d.QueryRow(`SELECT coalesce(max(id), 0) FROM action_updates`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestProofKill9 kills quorum serve with SIGKILL at random moments while 8 clients post
// action updates, 30 times: each time the database opens, passes integrity_check, and
// holds every update acknowledged so far, each with its audit event.
func TestProofKill9(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	f := demoDB(t, dir)
	token := strings.TrimSpace(quorumCmd(t, "token", "create", "-db", f, "-email", officerEmail))
	d := integrityOK(t, f)
	actions := officerActions(t, d)
	base := maxUpdateID(t, d)
	d.Close()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	w := &writers{}
	rounds := 30
	for round := range rounds {
		if time.Since(start) > 90*time.Second {
			t.Fatalf("only %d rounds in 90 s", round)
		}
		p := startServe(t, f, serveOpts{args: []string{"-demo=false"}})
		ctx, cancel := context.WithCancel(context.Background())
		w.run(ctx, 8, p.url, token, actions, fmt.Sprintf("round %d", round))
		time.Sleep(time.Duration(50+rng.IntN(1200)) * time.Millisecond)
		p.kill()
		cancel()
		w.wg.Wait()
		if len(w.fails) > 0 {
			t.Fatalf("round %d: %d writes failed, first: %s\nserver:\n%s", round, len(w.fails), w.fails[0], p.out.String())
		}
		d := integrityOK(t, f)
		checkAcked(t, d, w.acks, base)
		d.Close()
	}
	if len(w.acks) < rounds*8 {
		t.Fatalf("only %d writes acknowledged in %d rounds", len(w.acks), rounds)
	}
	t.Logf("%d kill -9 rounds, %d acknowledged updates all present, integrity ok each time, %s",
		rounds, len(w.acks), time.Since(start).Round(time.Millisecond))
}

// TestProofBackupUnderWrites runs quorum backup three times while 8 clients write: each
// copy passes integrity_check, holds every update acknowledged before it began, none
// without its audit event, and migrates and serves.
func TestProofBackupUnderWrites(t *testing.T) {
	dir := t.TempDir()
	f := demoDB(t, dir)
	token := strings.TrimSpace(quorumCmd(t, "token", "create", "-db", f, "-email", officerEmail))
	d := integrityOK(t, f)
	actions := officerActions(t, d)
	base := maxUpdateID(t, d)
	d.Close()

	p := startServe(t, f, serveOpts{args: []string{"-demo=false"}})
	ctx, cancel := context.WithCancel(context.Background())
	w := &writers{}
	w.run(ctx, 8, p.url, token, actions, "backup")
	type backup struct {
		file  string
		began time.Time
		took  time.Duration
	}
	var backups []backup
	for i := range 3 {
		time.Sleep(700 * time.Millisecond)
		b := backup{file: filepath.Join(dir, fmt.Sprintf("backup-%d.db", i)), began: time.Now()}
		quorumCmd(t, "backup", "-db", f, "-o", b.file)
		b.took = time.Since(b.began)
		backups = append(backups, b)
	}
	cancel()
	w.wg.Wait()
	p.stop(t)
	if len(w.fails) > 0 {
		t.Fatalf("%d writes failed during backups, first: %s", len(w.fails), w.fails[0])
	}
	for _, b := range backups {
		var before []ack
		for i, a := range w.acks {
			if w.at[i].Before(b.began) {
				before = append(before, a)
			}
		}
		d := integrityOK(t, b.file)
		checkAcked(t, d, before, base)
		var n int
		d.QueryRow(`SELECT count(*) FROM action_updates WHERE id > ?`, base).Scan(&n)
		d.Close()
		quorumCmd(t, "migrate", "-db", b.file)
		bp := startServe(t, b.file, serveOpts{args: []string{"-demo=false"}})
		res, err := http.Get(bp.url + "/")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("serving the backup %s: %v %v", b.file, err, res)
		}
		res.Body.Close()
		bp.stop(t)
		t.Logf("%s: took %s, %d updates written during the run (%d acknowledged before it began), integrity ok, migrates, serves",
			filepath.Base(b.file), b.took.Round(time.Millisecond), n, len(before))
	}
	t.Logf("%d updates acknowledged in all", len(w.acks))
}

// asNobody returns the credential to run the server as an unprivileged user when the
// test runs as root (root writes to a file whatever its mode), and makes dir theirs.
func asNobody(t *testing.T, dir string) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &syscall.Credential{Uid: 65534, Gid: 65534}
}

func chownAll(t *testing.T, dir string, cred *syscall.Credential) {
	t.Helper()
	if cred == nil {
		return
	}
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// browserish is a client with a cookie jar that does not follow redirects.
func browserish() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func formPost(t testing.TB, hc *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func get(t testing.TB, hc *http.Client, u string) (int, string) {
	t.Helper()
	res, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

const unavailableText = "cannot save changes just now"

// TestProofReadOnlyDatabase serves a database file whose mode is 0444: the site comes
// up, pages and the API read, every write is a clear 503 (page or JSON), never a 500,
// the file stays sound, and writes work again once the file is writable and Quorum
// restarted.
func TestProofReadOnlyDatabase(t *testing.T) {
	dir := t.TempDir()
	cred := asNobody(t, dir)
	chownAll(t, dir, cred)
	f := filepath.Join(dir, "quorum.db")
	p := startServe(t, f, serveOpts{cred: cred})
	clerk := browserish()
	if st, body := formPost(t, clerk, p.url+"/login", url.Values{"email": {"clerk@northvale.example"}, "password": {demoPassword}}); st != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", st, body)
	}
	p.stop(t)
	token := strings.TrimSpace(quorumCmd(t, "token", "create", "-db", f, "-email", officerEmail))
	d := integrityOK(t, f)
	actions := officerActions(t, d)
	var boardID int64
	d.QueryRow(`SELECT id FROM boards WHERE short_name = 'NSCP'`).Scan(&boardID)
	d.Close()
	chownAll(t, dir, cred)
	if err := os.Chmod(f, 0o444); err != nil {
		t.Fatal(err)
	}

	p = startServe(t, f, serveOpts{cred: cred, args: []string{"-demo=false"}})
	if st, body := get(t, clerk, p.url+"/readyz"); st != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a read-only database: %d %s, want 503", st, body)
	}
	for _, path := range []string{"/", fmt.Sprintf("/boards/%d", boardID), fmt.Sprintf("/boards/%d/actions", boardID)} {
		if st, _ := get(t, clerk, p.url+path); st != http.StatusOK {
			t.Errorf("GET %s on a read-only database: %d\n%s", path, st, p.out.String())
		}
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/actions/%d", p.url, actions[0]), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err := hc.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("GET the action over the API on a read-only database: %v %v", err, res)
	} else {
		res.Body.Close()
	}
	st, _, err := postUpdate(context.Background(), hc, p.url, token, actions[0], "while read-only")
	if err != nil || st != http.StatusServiceUnavailable {
		t.Errorf("API update on a read-only database: %d %v, want 503", st, err)
	}
	if st, body := formPost(t, clerk, p.url+"/boards", url.Values{"name": {"Read-only board"}, "short_name": {"ROB"}}); st != http.StatusServiceUnavailable || !strings.Contains(body, unavailableText) {
		t.Errorf("create a board on a read-only database: %d, want 503 with %q\n%s", st, unavailableText, body)
	}
	if st, body := formPost(t, clerk, fmt.Sprintf("%s/actions/%d/updates", p.url, actions[0]), url.Values{"text": {"x"}}); st != http.StatusServiceUnavailable || !strings.Contains(body, unavailableText) {
		t.Errorf("post an update on a read-only database: %d, want 503\n%s", st, body)
	}
	fresh := browserish()
	if st, body := formPost(t, fresh, p.url+"/login", url.Values{"email": {"chair@northvale.example"}, "password": {demoPassword}}); st != http.StatusServiceUnavailable {
		t.Errorf("sign in on a read-only database: %d, want 503\n%s", st, body)
	}
	if strings.Contains(p.out.String(), "status=500") {
		t.Errorf("a request on the read-only database answered 500:\n%s", p.out.String())
	}
	p.stop(t)

	if err := os.Chmod(f, 0o644); err != nil {
		t.Fatal(err)
	}
	d = integrityOK(t, f)
	d.Close()
	chownAll(t, dir, cred)
	p = startServe(t, f, serveOpts{cred: cred, args: []string{"-demo=false"}})
	if st, body := get(t, clerk, p.url+"/readyz"); st != http.StatusOK {
		t.Errorf("/readyz once writable: %d %s", st, body)
	}
	if st, _, err := postUpdate(context.Background(), hc, p.url, token, actions[0], "writable again"); err != nil || st != http.StatusCreated {
		t.Errorf("API update once writable again: %d %v", st, err)
	}
	p.stop(t)
}

// TestProofDiskFull serves a database on a small tmpfs, fills the disk, and checks that
// writes answer 503 (never 500) while reads carry on, and that writes work again, without
// a restart, once space returns. Mounting needs root; elsewhere the test says so and skips.
func TestProofDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root: disk full not simulated")
	}
	dir := t.TempDir()
	src := demoDB(t, dir)
	token := strings.TrimSpace(quorumCmd(t, "token", "create", "-db", src, "-email", officerEmail))
	d := integrityOK(t, src)
	actions := officerActions(t, d)
	d.Close()
	info, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	mnt := filepath.Join(dir, "small")
	os.Mkdir(mnt, 0o755)
	size := info.Size() + 4<<20
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s): disk full not simulated", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	f := filepath.Join(mnt, "quorum.db")
	b, _ := os.ReadFile(src)
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, f, serveOpts{args: []string{"-demo=false"}})
	t.Cleanup(p.kill) // before the unmount, which runs after
	hc := &http.Client{Timeout: 10 * time.Second}
	if st, _, err := postUpdate(context.Background(), hc, p.url, token, actions[0], "before the disk fills"); st != http.StatusCreated {
		t.Fatalf("update before the disk fills: %d %v", st, err)
	}
	// Fill the disk.
	filler := filepath.Join(mnt, "filler")
	ff, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := ff.Write(chunk); err != nil {
			break
		}
	}
	ff.Close()
	got503 := 0
	for i := range 200 {
		// Long updates fill the WAL's spare pages quickly.
		st, _, err := postUpdate(context.Background(), hc, p.url, token, actions[i%len(actions)], strings.Repeat("full ", 1500))
		if err != nil {
			t.Fatal(err)
		}
		if st == http.StatusServiceUnavailable {
			got503++
			break
		}
		if st != http.StatusCreated {
			t.Fatalf("update on a full disk: %d, want 503 (or 201 while the WAL has room)\n%s", st, p.out.String())
		}
	}
	if got503 == 0 {
		t.Fatal("200 updates on a full disk all succeeded")
	}
	if st, body := get(t, hc, p.url+"/"); st != http.StatusOK {
		t.Errorf("home page on a full disk: %d %s", st, body)
	}
	if st, body := get(t, hc, p.url+"/readyz"); st != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a full disk: %d %s, want 503", st, body)
	}
	if strings.Contains(p.out.String(), "status=500") {
		t.Errorf("a request on the full disk answered 500:\n%s", p.out.String())
	}
	os.Remove(filler)
	if st, body := get(t, hc, p.url+"/readyz"); st != http.StatusOK {
		t.Errorf("/readyz once space returns: %d %s", st, body)
	}
	if st, _, err := postUpdate(context.Background(), hc, p.url, token, actions[0], "space again"); st != http.StatusCreated {
		t.Errorf("update once space returns (no restart): %d %v\n%s", st, err, p.out.String())
	}
	p.kill()
	d = integrityOK(t, f)
	d.Close()
}

// smtpSink is an in-process SMTP server that counts each message by its Message-ID.
type smtpSink struct {
	mu  sync.Mutex
	got map[string]int
}

type sinkSession struct{ s *smtpSink }

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession{s}, nil }
func (sinkSession) Reset()                                      {}
func (sinkSession) Logout() error                               { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error        { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error        { return nil }
func (x sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	id := ""
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.ToLower(line), "message-id:") {
			id = strings.TrimSpace(line[len("message-id:"):])
		}
	}
	x.s.mu.Lock()
	x.s.got[id]++
	x.s.mu.Unlock()
	return nil
}

// TestProofMailServerDown: with the mail server's port closed, the outbox keeps every
// message (tried, to be tried again); once a server listens there, each goes exactly once.
func TestProofMailServerDown(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := db.Migrate(ctx, d, migrations()...); err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		if _, err := outbox.Enqueue(ctx, d, fmt.Sprintf("partner%d@example.org", i), "Agenda pack", "The pack is ready.", fmt.Sprintf("proof-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	port, err := proofFreePort() // free now, and nothing listens on it
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mailer.NewSMTP(fmt.Sprintf("smtp+insecure://127.0.0.1:%d?from=clerk@example.org", port), "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := &mailer.Runner{DB: d, Sender: sender, Now: func() time.Time { return now }}
	for range 3 {
		sent, err := r.RunOnce(ctx, 50)
		if err != nil || sent != 0 {
			t.Fatalf("with the server down: sent %d, %v", sent, err)
		}
		now = now.Add(3 * time.Hour) // past any backoff
	}
	var waiting, tried int
	d.QueryRow(`SELECT count(*), sum(attempts >= 1) FROM outbox WHERE sent_at = ''`).Scan(&waiting, &tried)
	if waiting != n || tried != n {
		t.Fatalf("with the server down the outbox holds %d waiting (%d tried), want %d", waiting, tried, n)
	}

	sink := &smtpSink{got: map[string]int{}}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	total := 0
	for range 3 {
		sent, err := r.RunOnce(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		total += sent
		now = now.Add(3 * time.Hour)
	}
	if total != n {
		t.Errorf("sent %d once the server was up, want %d", total, n)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.got) != n {
		t.Errorf("the server got %d distinct messages, want %d", len(sink.got), n)
	}
	for id, c := range sink.got {
		if c != 1 {
			t.Errorf("message %s delivered %d times", id, c)
		}
	}
	d.QueryRow(`SELECT count(*) FROM outbox WHERE sent_at = ''`).Scan(&waiting)
	if waiting != 0 {
		t.Errorf("%d messages still waiting", waiting)
	}
}
