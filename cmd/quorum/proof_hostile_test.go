//go:build proof

package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/internal/pdftest"
)

// TestProofCrossOriginRefusedEverywhere posts from https://evil.example to every
// state-changing route the router serves, as a signed-in admin (who passes every access
// rule): each is refused with 403, and nothing is written.
func TestProofCrossOriginRefusedEverywhere(t *testing.T) {
	s := newTestServer(t)
	admin := s.signedIn(t, "admin@northvale.example")
	var before int
	s.app.db.QueryRow(`SELECT count(*) FROM audit_events`).Scan(&before)
	n := 0
	for _, r := range s.site.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			continue
		}
		path := strings.NewReplacer(":id", "1", ":token", "abc", "*path", "x").Replace(r.Path)
		for _, h := range []map[string]string{
			{"Origin": "https://evil.example"},                                 // an older browser: Origin only
			{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, // a current one
		} {
			req, _ := http.NewRequest(r.Method, s.URL+path, strings.NewReader(url.Values{"title": {"evil"}, "text": {"evil"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res := admin.do(req)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s from evil.example (%v): %d, want 403", r.Method, path, h, res.StatusCode)
			}
		}
		n++
	}
	var after int
	s.app.db.QueryRow(`SELECT count(*) FROM audit_events`).Scan(&after)
	if after != before {
		t.Errorf("cross-origin posts wrote %d audit events", after-before)
	}
	if n < 50 {
		t.Errorf("only %d state-changing routes found", n)
	}
	t.Logf("%d state-changing routes, each refused cross-origin with 403 (with and without Sec-Fetch-Site)", n)
}

// vmHWM is a process's peak resident memory in kB.
func vmHWM(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestProofParallelLogins: 100 sign-ins at once (half with the wrong password, from one
// address) leave the server's peak memory bounded (argon2id runs four at a time), are
// held to ten failures, and each is answered: a redirect, a refusal or 429, never a 5xx.
func TestProofParallelLogins(t *testing.T) {
	dir := t.TempDir()
	f := demoDB(t, dir)
	p := startServe(t, f, serveOpts{args: []string{"-demo=false"}})
	idle := vmHWM(t, p.cmd.Process.Pid)
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := demoPassword
			if i%2 == 1 {
				pw = "wrong-password"
			}
			hc := browserish()
			hc.Timeout = 60 * time.Second
			st, _ := formPost(t, hc, p.url+"/login", url.Values{"email": {"chair@northvale.example"}, "password": {pw}})
			mu.Lock()
			codes[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	took := time.Since(start)
	peak := vmHWM(t, p.cmd.Process.Pid)
	t.Logf("100 parallel sign-ins in %s: statuses %v; peak RSS %d MB (%d MB before)", took.Round(time.Millisecond), codes, peak>>10, idle>>10)
	for st := range codes {
		if st >= 500 {
			t.Errorf("%d sign-ins answered %d", codes[st], st)
		}
	}
	// One address and one email: ten failures, then 429, however many arrive at once.
	if codes[http.StatusUnauthorized] > 10 || codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("%d wrong passwords refused as wrong and %d as too many: the limit is ten", codes[http.StatusUnauthorized], codes[http.StatusTooManyRequests])
	}
	// Four argon2id hashes of 19 MiB at once, and the garbage collector's headroom, on top
	// of the idle server; 100 at once would be 1.9 GB.
	if peak > 300<<10 {
		t.Errorf("peak RSS %d MB after 100 parallel sign-ins, want under 300 MB", peak>>10)
	}
}

// --- hostile uploads

// handPDF writes a one-page PDF by hand around extra catalogue entries and objects from 5
// on (pdftest.Hand): well formed, hostile only in what it carries.
func handPDF(catalog string, extra ...string) []byte { return pdftest.Hand(catalog, "", extra...) }

// TestProofHostilePapers uploads papers that are not what they say, through the router as
// the clerk and through the API: a PDF that runs JavaScript when opened, one with a file
// embedded in it, and files that are not PDFs under a .pdf name. Each is refused with 422
// and a message saying what is wrong, and no paper is added.
func TestProofHostilePapers(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	item := itemTitled(t, s.meeting(t, d.next.ID), "Violence Reduction Action Plan: verbal update")
	before := countRows(t, s, "papers")
	js := handPDF("/OpenAction 5 0 R", "<< /Type /Action /S /JavaScript /JS (app.launchURL\\('https://evil.example/'\\)) >>")
	embedded := handPDF("/Names << /EmbeddedFiles 5 0 R >>", "<< /Names [(invoice.pdf.exe) 6 0 R] >>",
		"<< /Type /Filespec /F (invoice.pdf.exe) /EF << /F 7 0 R >> >>", "<< /Type /EmbeddedFile /Length 11 >>\nstream\nMZ payload.\nendstream")
	cases := []struct {
		name string
		file []byte
		say  string
	}{
		{"OpenAction JavaScript", js, "contains JavaScript"},
		{"EmbeddedFiles", embedded, "files embedded in it"},
		{"a GIF named .pdf", []byte("GIF89a\x01\x00\x01\x00 not a paper"), "must be a PDF"},
		{"HTML named .pdf", []byte("<html><script>alert(1)</script>%PDF-1.7</html>"), "must be a PDF"},
		{"a zip named .pdf", []byte("PK\x03\x04\x14\x00 not a paper"), "must be a PDF"},
		{"a PDF header on junk", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("junk "), 1000)...), "damaged PDF"},
	}
	u, _ := s.app.users.UserByEmail(context.Background(), "clerk@northvale.example")
	token, _ := s.app.users.CreateToken(context.Background(), u.ID)
	for _, c := range cases {
		res := clerk.multipart(fmt.Sprintf("/items/%d/papers", item.ID), "", nil, "paper.pdf", c.file)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, c.say) {
			t.Errorf("%s: HTTP %d, want 422 saying %q", c.name, res.StatusCode, c.say)
		}
		res = clerk.multipart(fmt.Sprintf("/api/v1/items/%d/papers", item.ID), token, nil, "paper.pdf", c.file)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, c.say) {
			t.Errorf("%s over the API: HTTP %d %.300s, want 422 saying %q", c.name, res.StatusCode, res.body, c.say)
		}
	}
	if n := countRows(t, s, "papers"); n != before {
		t.Errorf("hostile uploads added %d papers", n-before)
	}
	wantCode(t, "a real paper", clerk.multipart(fmt.Sprintf("/items/%d/papers", item.ID), "", nil, "report.pdf", testPDF(t, "report", 2)), http.StatusSeeOther)
}

// countingListener counts the bytes the server reads from its connections.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestProofHugeUploadsStopped sends every upload form a file of 256 MB, streamed (chunked,
// so no Content-Length warns the server), and counts what the server reads off the
// socket: each answers 413 having read little more than its cap, while the client still
// has most of the file unsent. A form that takes no file stops at the 3 MB every request
// may carry.
func TestProofHugeUploadsStopped(t *testing.T) {
	base := newTestServer(t)
	var read atomic.Int64
	srv := httptest.NewUnstartedServer(base.Config.Handler)
	srv.Listener = countingListener{srv.Listener, &read}
	srv.Start()
	t.Cleanup(srv.Close)
	s := &testServer{Server: srv, app: base.app, site: base.site}
	admin := s.signedIn(t, "admin@northvale.example")
	d := demoNSCP(t, s)
	item := itemTitled(t, s.meeting(t, d.next.ID), "Violence Reduction Action Plan: verbal update")
	var plan, planAction, action int64
	s.app.db.QueryRow(`SELECT id FROM plans ORDER BY id LIMIT 1`).Scan(&plan)
	s.app.db.QueryRow(`SELECT id FROM plan_actions WHERE plan_id = ? ORDER BY id LIMIT 1`, plan).Scan(&planAction)
	s.app.db.QueryRow(`SELECT id FROM actions WHERE status = 'open' ORDER BY id LIMIT 1`).Scan(&action)
	past := pastMeeting(t, s, -30)
	const total = 256 << 20
	cases := []struct {
		path, name string
		limit      int64
		status     int
	}{
		{fmt.Sprintf("/items/%d/papers", item.ID), "paper.pdf", 20<<20 + 64<<10, 413},
		{fmt.Sprintf("/boards/%d/actions/import", d.board.ID), "log.xlsx", 10 << 20, 413},
		{fmt.Sprintf("/plans/%d/import", plan), "plan.xlsx", 10 << 20, 413},
		{fmt.Sprintf("/meetings/%d/minutes/import", past.ID), "minutes.docx", 10 << 20, 413},
		{fmt.Sprintf("/meetings/%d/minutes/upload", d.next.ID), "minutes.md", 3 << 20, 413},
		{fmt.Sprintf("/actions/%d/complete", action), "evidence.pdf", 10 << 20, 413},
		{fmt.Sprintf("/plan-actions/%d/documents", planAction), "strategy.pdf", 10 << 20, 413},
		{fmt.Sprintf("/boards/%d/actions", d.board.ID), "", 3 << 20, 0}, // a form without a file: any 4xx
	}
	for _, c := range cases {
		read.Store(0)
		var sent atomic.Int64
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			var w io.Writer = pw
			if c.name != "" {
				mw.WriteField("note", "the evidence")
				w, _ = mw.CreateFormFile("file", c.name)
			} else {
				io.WriteString(pw, "text=")
			}
			chunk := bytes.Repeat([]byte("0"), 64<<10)
			copy(chunk, "%PDF-1.7\n")
			for n := 0; n < total; n += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					pw.CloseWithError(err)
					return
				}
				sent.Add(int64(len(chunk)))
			}
			mw.Close()
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, s.URL+c.path, pr)
		req.ContentLength = -1
		if c.name != "" {
			req.Header.Set("Content-Type", mw.FormDataContentType())
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		start := time.Now()
		res, err := admin.http.Do(req)
		pr.CloseWithError(io.ErrClosedPipe)
		if err != nil {
			t.Errorf("%s: %v (server read %d MB)", c.path, err, read.Load()>>20)
			continue
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		took := time.Since(start)
		got := read.Load()
		t.Logf("%s: %d after the server read %.1f MB (cap %.1f MB) of %d MB; client sent %.1f MB; %s",
			c.path, res.StatusCode, float64(got)/(1<<20), float64(c.limit)/(1<<20), total>>20, float64(sent.Load())/(1<<20), took.Round(time.Millisecond))
		switch {
		case c.status != 0 && res.StatusCode != c.status:
			t.Errorf("%s: HTTP %d, want %d\n%.300s", c.path, res.StatusCode, c.status, body)
		case c.status == 0 && (res.StatusCode < 400 || res.StatusCode >= 500):
			t.Errorf("%s: HTTP %d, want a 4xx", c.path, res.StatusCode)
		}
		if got > c.limit+1<<20 {
			t.Errorf("%s: the server read %d MB, over its %d MB cap", c.path, got>>20, c.limit>>20)
		}
		if sent.Load() > total/2 {
			t.Errorf("%s: the client sent %d MB of %d before the answer", c.path, sent.Load()>>20, total>>20)
		}
	}
}

// withZipBomb is the zip archive z with one more entry, name, of size zero bytes: a
// few hundred KB on the wire.
func withZipBomb(t *testing.T, z []byte, name string, size int) []byte {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	for _, f := range r.File {
		if err := w.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	bw, _ := w.Create(name)
	zeros := make([]byte, 1<<20)
	for n := 0; n < size; n += len(zeros) {
		bw.Write(zeros)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestProofZipBombs uploads a zip bomb (a real workbook or document with 200 MB of zeros
// added, 200 KB or so on the wire) to each import that reads an Office file: the action
// log, a plan and old minutes in Word. Each is refused with a 4xx saying why, from the
// zip's directory, without the server unpacking it (what the request allocates stays far
// under the bomb's size).
func TestProofZipBombs(t *testing.T) {
	s := newTestServer(t)
	d := demoNSCP(t, s)
	admin := s.signedIn(t, "admin@northvale.example")
	var plan int64
	s.app.db.QueryRow(`SELECT id FROM plans WHERE board_id = ? ORDER BY id LIMIT 1`, d.board.ID).Scan(&plan)
	res := admin.get(fmt.Sprintf("/plans/%d/plan.xlsx", plan))
	wantCode(t, "the plan's workbook", res, http.StatusOK)
	planXLSX := []byte(res.body)

	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"Ref", "Action", "Owner", "Due"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"", "Map the hotspots", "@police", "next meeting"})
	var logXLSX bytes.Buffer
	x.Write(&logXLSX)
	x.Close()

	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	fw, _ := zw.Create("word/document.xml")
	io.WriteString(fw, `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>1. Welcome</w:t></w:r></w:p></w:body></w:document>`)
	zw.Close()

	past := pastMeeting(t, s, -30)
	const bomb = 200 << 20
	cases := []struct {
		what, path, name string
		file             []byte
		status           int
		say              string
	}{
		{"action log", fmt.Sprintf("/boards/%d/actions/import", d.board.ID), "log.xlsx", withZipBomb(t, logXLSX.Bytes(), "xl/media/image1.png", bomb), 422, "unpacks to more than 64 MB"},
		{"plan", fmt.Sprintf("/plans/%d/import", plan), "plan.xlsx", withZipBomb(t, planXLSX, "xl/media/image1.png", bomb), 422, "unpacks to more than 64 MB"},
		{"minutes in Word", fmt.Sprintf("/meetings/%d/minutes/import", past.ID), "minutes.docx", withZipBomb(t, docx.Bytes(), "word/media/image1.png", bomb), 413, "too large to import"},
	}
	for _, c := range cases {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res := admin.multipart(c.path, "", nil, c.name, c.file)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: a %d KB file that unpacks to %d MB: HTTP %d, %d MB allocated", c.what, len(c.file)>>10, bomb>>20, res.StatusCode, alloc>>20)
		if res.StatusCode != c.status || !strings.Contains(res.body, c.say) {
			t.Errorf("%s: HTTP %d, want %d saying %q\n%.500s", c.what, res.StatusCode, c.status, c.say, res.body)
		}
		if alloc > 64<<20 {
			t.Errorf("%s: %d MB allocated to refuse a bomb of %d KB", c.what, alloc>>20, len(c.file)>>10)
		}
	}
	// The same files without the bomb are read (the plan's own workbook imports unchanged).
	res = admin.multipart(fmt.Sprintf("/boards/%d/actions/import", d.board.ID), "", nil, "log.xlsx", logXLSX.Bytes())
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Map the hotspots") {
		t.Errorf("the action log without the bomb: HTTP %d", res.StatusCode)
	}
}
