package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Chromium is where Debian's chromium package puts the browser.
const Chromium = "/usr/bin/chromium"

// Timeout bounds a whole browser session, so a page that never loads fails the test
// instead of hanging it until go test's own limit.
const Timeout = 3 * time.Minute

// NewBrowser starts a headless Chromium with a fresh profile and returns a context for
// chromedp actions; the browser closes when the test ends. Without Chromium the test is
// skipped, unless QUORUM_BROWSER_REQUIRED=1 (as in CI), when it fails.
//
// Errors the page reports (uncaught exceptions, console.error, failed loads, Content
// Security Policy violations) fail the test at its end: see ConsoleErrors.
func NewBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		msg := fmt.Sprintf("no Chromium at %s (apt-get install chromium): %v", Chromium, err)
		if os.Getenv("QUORUM_BROWSER_REQUIRED") == "1" {
			t.Fatalf("%s; QUORUM_BROWSER_REQUIRED=1, so this is a failure, not a skip", msg)
		}
		t.Skip(msg)
	}
	profile := t.TempDir() // removed after the browser has closed (cleanups run last first)

	// Exactly the flags in DESIGN.md; chromedp adds only --remote-debugging-pipe, the
	// profile and the first page.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	// Start the browser with no deadline (a deadline on the first action would bind the
	// browser's life to it), then bound everything after.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start %s: %v", Chromium, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	return watch(t, ctx, func() { cancelTimeout(); cancelTab(); cancelAlloc() })
}

// watch keeps what a tab's pages report (their errors fail the test at its end, then
// cancel runs) and sets the desktop viewport.
func watch(t *testing.T, tab context.Context, cancel func()) context.Context {
	t.Helper()
	c := &console{}
	tab = context.WithValue(tab, consoleKey{}, c)
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			c.add(m)
		}
	}()
	t.Cleanup(func() {
		for _, e := range ConsoleErrors(tab) {
			t.Errorf("browser reported: %s", e)
		}
		cancel()
	})
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("set the viewport: %v", err)
	}
	return tab
}

// NewTab opens a tab of the browser that ctx (from NewBrowser) drives, in a browser
// context of its own: its cookies are its own, so each tab can be signed in as someone
// else while one browser serves them all. Errors the tab's pages report fail the test at
// its end, as NewBrowser's do. The tab closes when the test ends.
func NewTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	return watch(t, tab, cancel)
}

type consoleKey struct{}

// console keeps the errors the page has reported.
type console struct {
	mu     sync.Mutex
	errors []consoleError
	seen   int
	// answered holds documents whose 4xx or 5xx status Visit or Submit handed to the
	// caller: the browser's "failed to load" for them is no news.
	answered map[string]bool
}

type consoleError struct{ text, url string }

func (c *console) add(m chromedp.ConsoleMessage) {
	if m.Type != chromedp.ConsoleError && !m.IsException() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	text := m.Text
	if m.URL != "" {
		text = fmt.Sprintf("%s (%s:%d)", text, m.URL, m.Line+1)
	}
	c.errors = append(c.errors, consoleError{text: text, url: m.URL})
}

func answered(ctx context.Context, res *network.Response) {
	if c, ok := ctx.Value(consoleKey{}).(*console); ok && res != nil && res.Status >= 400 {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.answered == nil {
			c.answered = map[string]bool{}
		}
		c.answered[res.URL] = true
	}
}

// ConsoleErrors returns the errors the browser has reported since the last call: uncaught
// exceptions, console.error, and the browser's own log at level error (a resource that
// failed to load, a script or style the CSP refused). NewBrowser fails the test at its end
// with those nobody took; a test that provokes an error on purpose takes it with this.
// A page's own error status that Visit or Submit returned is not repeated here.
func ConsoleErrors(ctx context.Context) []string {
	c, ok := ctx.Value(consoleKey{}).(*console)
	if !ok {
		return nil
	}
	time.Sleep(50 * time.Millisecond) // let events already sent arrive
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []string
	for _, e := range c.errors[c.seen:] {
		if c.answered[e.url] && strings.HasPrefix(e.text, "Failed to load resource: the server responded with a status of") {
			continue
		}
		errs = append(errs, e.text)
	}
	c.seen = len(c.errors)
	return errs
}

// Screenshot saves the whole page as testdata/screens/NAME.png under the module root
// (git-ignored), for a person to look at.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// chromedp.FullScreenshot(100), but encoded for speed: a journey takes hundreds, and
	// a larger file in a git-ignored folder costs nothing.
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: ptr(true), FromSurface: ptr(true), OptimizeForSpeed: ptr(true)})
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	png := shot.Data
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "testdata", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, safeName.ReplaceAllString(name, "-")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}

func ptr[T any](v T) *T { return &v }

var safeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Visit opens url and waits for the page to load. It returns an error for an HTTP status
// of 400 or more, so a journey notices a page that failed.
func Visit(ctx context.Context, url string) error {
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		return fmt.Errorf("open %s: %w", url, err)
	}
	answered(ctx, res)
	if res.Status >= 400 {
		return fmt.Errorf("open %s: HTTP %d", url, res.Status)
	}
	return nil
}

// Open opens url, waits for the page to load and returns its HTTP status (after any
// redirect), for a caller that expects some pages to answer 403 or 404.
func Open(ctx context.Context, url string) (int64, error) {
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", url, err)
	}
	answered(ctx, res)
	return res.Status, nil
}

// Submit presses the button (or link) sel picks, waits for the page that answers and
// returns its HTTP response (after any redirect, so a form that fails answers 422).
func Submit(ctx context.Context, sel string) (*network.Response, error) {
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		return nil, fmt.Errorf("press %s: %w", sel, err)
	}
	answered(ctx, res)
	return res, nil
}

// Fill types each value into the field with that id, replacing what was there. A
// <select> is set to the option with that value.
func Fill(ctx context.Context, fields map[string]string) error {
	for id, v := range fields {
		tag, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
			`(document.getElementById(%q) || {tagName: ""}).tagName`, id)))
		if err != nil {
			return fmt.Errorf("field #%s: %w", id, err)
		}
		switch tag {
		case "":
			return fmt.Errorf("no field #%s on the page", id)
		case "SELECT":
			err = chromedp.Do(ctx, chromedp.SetValue(chromedp.ID(id), v))
		default:
			// Emptied by script, not chromedp.Clear, which fails on an empty <textarea>.
			err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ""`, id)),
				chromedp.SendKeys(chromedp.ID(id), v))
		}
		if err != nil {
			return fmt.Errorf("fill #%s: %w", id, err)
		}
	}
	return nil
}

// Login signs in through /login: it fills #email and #password and presses the form's
// button. It fails with the page's error summary when the sign-in is refused.
func Login(ctx context.Context, base, email, password string) error {
	if err := Visit(ctx, base+"/login"); err != nil {
		return err
	}
	if err := Fill(ctx, map[string]string{"email": email, "password": password}); err != nil {
		return err
	}
	if _, err := Submit(ctx, `form[action="/login"] button[type="submit"]`); err != nil {
		return err
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return err
	}
	if strings.HasSuffix(strings.SplitN(loc, "?", 2)[0], "/login") {
		summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			`(document.querySelector(".govuk-error-summary") || {innerText: "no error shown"}).innerText`))
		return fmt.Errorf("sign in as %s refused: %s", email, strings.Join(strings.Fields(summary), " "))
	}
	return nil
}

// Text returns the visible text of the first element sel picks, with runs of white space
// made one space.
func Text(ctx context.Context, sel string) (string, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](fmt.Sprintf(
		`(e => e ? e.innerText : null)(document.querySelector(%q))`, sel)))
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", errors.New("nothing on the page matches " + sel)
	}
	return strings.Join(strings.Fields(*s), " "), nil
}

// Choose picks, in the <select> with that id, the first option whose text contains label,
// as a person reads the list (the values are database ids a journey cannot know).
func Choose(ctx context.Context, id, label string) error {
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const s = document.getElementById(%q);
		if (!s || s.tagName !== "SELECT") return false;
		const o = [...s.options].find(o => o.text.includes(%q));
		if (!o) return false;
		s.value = o.value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, id, label)))
	if err != nil {
		return fmt.Errorf("choose %q in #%s: %w", label, id, err)
	}
	if !ok {
		return fmt.Errorf("choose %q in #%s: no such list or option", label, id)
	}
	return nil
}

// Eval evaluates a JavaScript expression on the page and decodes its value.
func Eval[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}
