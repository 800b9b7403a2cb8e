//go:build browser

package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"quorum/internal/auth"
	"quorum/internal/browsertest"
)

// TestA11y is issue 9's accessibility proof, on one server and one browser: every HTML
// page of the demo as each role, checked with axe-core against WCAG 2.2 AA and for
// sideways scrolling at 320 px, with screenshots at 320 and 1280 px; then the clerk writes
// minutes with the keyboard alone.
//
//	QUORUM_BROWSER_REQUIRED=1 go test -tags browser ./cmd/quorum -run TestA11y -count=1 -v
func TestA11y(t *testing.T) {
	srv := browsertest.Start(t)
	browser := browsertest.NewBrowser(t)
	d := loadA11yDemo(t, srv.DB)
	clearScreens(t, "a11y-")

	t.Run("Canary", func(t *testing.T) { axeCanary(t, browser, srv.URL) })

	// The roles go three at a time, each in a tab of its own: much of a page's time is
	// spent waiting on the browser.
	t.Run("Pages", func(t *testing.T) {
		sw := &a11ySweep{seen: map[[32]byte]string{}}
		var wg sync.WaitGroup
		slots := make(chan struct{}, 3)
		for _, r := range a11yRoles {
			slots <- struct{}{} // in the order listed
			wg.Go(func() {
				defer func() { <-slots }()
				t.Run(r.name, func(t *testing.T) {
					tab := browsertest.NewTab(t, browser)
					if r.email != "" {
						if err := browsertest.Login(tab, srv.URL, r.email, demoPassword); err != nil {
							t.Fatal(err)
						}
					}
					sw.pages(t, tab, srv.URL, r.name, d.pages())
					sw.forms(t, tab, srv.URL, r.name, d.forms(r.name))
				})
			})
		}
		wg.Wait()
		t.Logf("%d pages x roles opened: %d checked with axe and at 320 px, %d showed exactly what one of those did",
			sw.opened, sw.checked, sw.opened-sw.checked)
	})

	t.Run("KeyboardMinutes", func(t *testing.T) {
		keyboardMinutes(t, browsertest.NewTab(t, browser), srv.URL, d)
	})
}

// axeCanary shows that the check can fail: on a page with a picture that has no text and a
// button too small to hit (WCAG 2.2's 2.5.8, a rule axe leaves off unless asked for), axe
// names both.
func axeCanary(t *testing.T, ctx context.Context, base string) {
	if err := browsertest.Visit(ctx, base+"/help/minutes"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const m = document.querySelector("main");
		const img = document.createElement("img");
		img.src = "/static/images/quorum.svg";
		const b = document.createElement("button");
		b.type = "button";
		b.textContent = "x";
		b.style.cssText = "width: 10px; height: 10px; padding: 0; font-size: 8px; margin: 0; border: 0";
		const c = b.cloneNode(true);
		m.prepend(img, b, c);
	})()`)); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, v := range browsertest.A11yViolations(t, ctx) {
		found[v.Rule] = v.Fail
	}
	for _, rule := range []string{"image-alt", "target-size"} {
		if !found[rule] {
			t.Errorf("axe did not fail the page for %s: it found %v", rule, found)
		}
	}
}

// clearScreens removes the screenshots a run before left under that prefix, so that what
// testdata/screens holds is this run's.
func clearScreens(t *testing.T, prefix string) {
	t.Helper()
	root, err := browsertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(root, "testdata", "screens", prefix+"*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
}

// a11yRoles are the people the pages are checked as: who signs in, and with what rights.
// The clerk, who sees the most, goes first, so that the admin after finds most pages
// already checked.
var a11yRoles = []struct{ name, email string }{
	{"clerk", "clerk@northvale.example"},
	{"anonymous", ""},
	{"partner", a11yPartner}, // a member of the partnership, no clerk rights, no actions of note
	{"officer", "priya.natarajan@northvale.example"},
	{"chair", "chair@northvale.example"},
	{"admin", "admin@northvale.example"},
}

// a11yPartner is a partnership member the demo gives no account: the test makes one.
const a11yPartner = "linda.shaw@northvale.example"

// a11yDemo holds the demo's ids that the page list needs.
type a11yDemo struct {
	board, group                          int64
	next, signed, draft, circulated, item int64
	action, plan, planAction              int64
	person, organisation                  int64
	actionLink, planLink                  string
}

func loadA11yDemo(t *testing.T, dbPath string) *a11yDemo {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	one := func(dst *int64, q string, args ...any) {
		t.Helper()
		if err := a.db.QueryRowContext(ctx, q, args...).Scan(dst); err != nil {
			t.Fatalf("the demo: %s: %v", q, err)
		}
	}
	d := &a11yDemo{}
	one(&d.board, `SELECT id FROM boards WHERE short_name = 'NSCP'`)
	one(&d.group, `SELECT id FROM boards WHERE short_name = 'SVDG'`)
	now := time.Now().UTC().Format(time.RFC3339)
	one(&d.next, `SELECT id FROM meetings WHERE board_id = ? AND starts_at > ? ORDER BY starts_at LIMIT 1`, d.board, now)
	one(&d.item, `SELECT id FROM agenda_items WHERE meeting_id = ? AND kind = 'substantive' ORDER BY position LIMIT 1`, d.next)
	one(&d.signed, `SELECT meeting_id FROM minutes WHERE status = 'signed' ORDER BY meeting_id LIMIT 1`)
	one(&d.draft, `SELECT meeting_id FROM minutes WHERE status = 'draft' AND meeting_id IN (SELECT id FROM meetings WHERE board_id = ?)`, d.board)
	one(&d.circulated, `SELECT meeting_id FROM minutes WHERE status = 'circulated' LIMIT 1`)
	priya, err := a.meetings.PersonByEmail(ctx, "priya.natarajan@northvale.example")
	if err != nil {
		t.Fatal(err)
	}
	d.person = priya.ID
	one(&d.organisation, `SELECT id FROM organisations ORDER BY id LIMIT 1`)
	one(&d.action, `SELECT a.id FROM actions a JOIN action_owners o ON o.action_id = a.id
		WHERE o.person_id = ? AND a.status IN ('open', 'in_progress') ORDER BY a.id LIMIT 1`, priya.ID)
	one(&d.plan, `SELECT id FROM plans ORDER BY id LIMIT 1`)
	one(&d.planAction, `SELECT id FROM plan_actions WHERE lead_person_id = ? ORDER BY id LIMIT 1`, priya.ID)

	// The signed links an officer gets by email, made as the clerk's "send link" would: for
	// someone else's action, since the link's page marks it done.
	var linked, owner int64
	if err := a.db.QueryRowContext(ctx, `SELECT a.id, o.person_id FROM actions a JOIN action_owners o ON o.action_id = a.id
		WHERE o.person_id IS NOT NULL AND o.person_id != ? AND a.status IN ('open', 'in_progress') ORDER BY a.id LIMIT 1`,
		priya.ID).Scan(&linked, &owner); err != nil {
		t.Fatalf("the demo has no open action of someone else's: %v", err)
	}
	if d.actionLink, err = a.actions.CreateLink(ctx, linked, owner, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if d.planLink, err = a.actions.CreatePlanLink(ctx, d.planAction, priya.ID, 24*time.Hour); err != nil {
		t.Fatal(err)
	}

	// The partner's account, on the person the demo already has on the board.
	partner, err := a.meetings.PersonByEmail(ctx, a11yPartner)
	if err != nil {
		t.Fatal(err)
	}
	var member int64
	one(&member, `SELECT count(*) FROM memberships WHERE person_id = ? AND board_id = ? AND role != 'clerk'`, partner.ID, d.board)
	if member == 0 {
		t.Fatalf("%s is not a member of the partnership", a11yPartner)
	}
	if err := a.users.CreateUser(ctx, &auth.User{Email: partner.Email, Name: partner.Name, Role: auth.RoleUser, PersonID: partner.ID}, demoPassword); err != nil {
		t.Fatal(err)
	}
	return d
}

// a11yPage is one page to check: a name for its screenshots and its path.
type a11yPage struct{ name, path string }

// pages lists every GET route that answers with HTML, with the demo's ids: each
// package's Register, in the order its file lists them.
func (d *a11yDemo) pages() []a11yPage {
	b := fmt.Sprintf("/boards/%d", d.board)
	return []a11yPage{
		// meetings
		{"home", "/"},
		{"board-new", "/boards/new"},
		{"board", b},
		{"board-edit", b + "/edit"},
		{"forward-plan", b + "/forward-plan"},
		{"interests", b + "/interests"},
		{"group-board", fmt.Sprintf("/boards/%d", d.group)},
		{"meeting-next", fmt.Sprintf("/meetings/%d", d.next)},
		{"meeting-past", fmt.Sprintf("/meetings/%d", d.signed)},
		{"item-edit", fmt.Sprintf("/items/%d/edit", d.item)},
		{"my-meetings", "/my/meetings"},
		{"people", "/people"},
		{"person", fmt.Sprintf("/people/%d", d.person)},
		{"organisations", "/organisations"},
		{"organisation", fmt.Sprintf("/organisations/%d", d.organisation)},
		// account
		{"login", "/login"},
		{"account", "/account"},
		// minutes
		{"minutes-signed", fmt.Sprintf("/meetings/%d/minutes", d.signed)},
		{"minutes-draft", fmt.Sprintf("/meetings/%d/minutes", d.draft)},
		{"minutes-circulated", fmt.Sprintf("/meetings/%d/minutes", d.circulated)},
		{"minutes-none", fmt.Sprintf("/meetings/%d/minutes", d.next)},
		{"minutes-edit", fmt.Sprintf("/meetings/%d/minutes/edit", d.draft)},
		{"minutes-versions", fmt.Sprintf("/meetings/%d/minutes/versions", d.signed)},
		{"minutes-diff", fmt.Sprintf("/meetings/%d/minutes/diff", d.signed)},
		{"help-minutes", "/help/minutes"},
		// minutes/importer
		{"import-board", b + "/minutes/import"},
		{"import-meeting", fmt.Sprintf("/meetings/%d/minutes/import", d.next)},
		// actions
		{"actions", b + "/actions"},
		{"actions-done", b + "/actions?status=done"},
		{"actions-import", b + "/actions/import"},
		{"dashboard", b + "/dashboard"},
		{"action", fmt.Sprintf("/actions/%d", d.action)},
		{"my-actions", "/my/actions"},
		{"action-link", "/a/" + url.PathEscape(d.actionLink)},
		{"action-link-unknown", "/a/not-a-token"},
		// plans
		{"plans", b + "/plans"},
		{"plan", fmt.Sprintf("/plans/%d", d.plan)},
		{"plan-sign", fmt.Sprintf("/plans/%d/sign", d.plan)},
		{"plan-action", fmt.Sprintf("/plan-actions/%d", d.planAction)},
		{"plan-link", "/p/" + url.PathEscape(d.planLink)},
		{"plan-update-none", fmt.Sprintf("/items/%d/plan-update.pdf", d.item)}, // a page saying there is no plan
		// outbox, pack
		{"outbox", "/admin/outbox"},
		{"pack", fmt.Sprintf("/meetings/%d/pack", d.next)},
		// errors
		{"not-found", "/no-such-page"},
	}
}

// forms lists the answers to forms that a role's pages do not show: each error summary
// and field error, a success banner, the page after an action is done by link.
func (d *a11yDemo) forms(role string) []a11yForm {
	link := "/a/" + url.PathEscape(d.actionLink)
	plan := "/p/" + url.PathEscape(d.planLink)
	switch role {
	case "anonymous":
		return []a11yForm{
			{a11yPage{"login-refused", "/login"}, map[string]string{"email": "nobody@northvale.example", "password": "not-the-password"},
				`form[action="/login"] button[type="submit"]`},
			{a11yPage{"action-link-refused", link}, nil, `form[action$="/update"] button[type="submit"]`},
			{a11yPage{"plan-link-saved", plan}, nil, `form[action^="/p/"] button[type="submit"]`},
			{a11yPage{"action-link-done", link}, map[string]string{"note": "Letters sent to every partner."},
				`form[action$="/complete"] button[type="submit"]`},
		}
	case "officer":
		a := fmt.Sprintf("/actions/%d", d.action)
		return []a11yForm{
			{a11yPage{"action-update-refused", a}, nil, `form[action$="/updates"] button[type="submit"]`},
			{a11yPage{"action-update-posted", a}, map[string]string{"text": "Draft letter with the Chair."},
				`form[action$="/updates"] button[type="submit"]`},
		}
	case "clerk":
		return []a11yForm{
			{a11yPage{"board-new-refused", "/boards/new"}, nil, `main form button[type="submit"]`},
			{a11yPage{"item-edit-refused", fmt.Sprintf("/items/%d/edit", d.item)}, map[string]string{"title": ""},
				fmt.Sprintf(`form[action="/items/%d"] button[type="submit"]`, d.item)},
			{a11yPage{"minutes-edit-refused", fmt.Sprintf("/meetings/%d/minutes/edit", d.draft)},
				map[string]string{"text": "ACTION @PN: an action under no item"}, `#minutes-form button[type="submit"]`},
		}
	}
	return nil
}

// a11ySweep is what the roles' sweeps share: what each page showed, so that a page that
// shows exactly what another did (the sign-in page an anonymous visitor is sent to, the
// same refusal, a page the chair and a partner see alike) is checked once.
type a11ySweep struct {
	mu              sync.Mutex
	seen            map[[32]byte]string // what a page showed: who saw it first, and where
	opened, checked int
}

// first records that who saw content, and says who saw it first.
func (s *a11ySweep) first(content, who string) (string, bool) {
	sum := sha256.Sum256([]byte(content))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened++
	if by, ok := s.seen[sum]; ok {
		return by, false
	}
	s.seen[sum] = who
	s.checked++
	return who, true
}

// shownJS is what a page shows, for telling two pages apart: its title, the navigation
// (which differs by role) and the main content, without the forms' hidden values (a CSRF
// token differs by session) or the signed-in name in the header.
const shownJS = `(() => {
	const main = document.querySelector("main").cloneNode(true);
	main.querySelectorAll("input[type=hidden]").forEach(i => i.removeAttribute("value"));
	const nav = document.querySelector(".govuk-service-navigation__list");
	return document.title + "\n" + (nav ? nav.innerHTML : "") + "\n" + main.innerHTML;
})()`

// pages opens each page as the tab's user. Each is checked with axe at 1280 px and for
// sideways scrolling at 320 px, and photographed at both widths, unless it shows exactly
// what a page already checked did.
func (s *a11ySweep) pages(t *testing.T, tab context.Context, base, role string, pages []a11yPage) {
	t.Helper()
	// As on a phone, scroll bars take no room: the page has the full 320 px.
	if _, err := chromedp.Call(tab, emulation.SetScrollbarsHidden, emulation.SetScrollbarsHiddenParams{Hidden: true}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range pages {
		status, err := browsertest.Open(tab, base+p.path)
		if err != nil {
			t.Fatal(err)
		}
		if s.check(t, tab, role, p, status) {
			checked++
		}
	}
	t.Logf("%s: %d pages opened, %d checked", role, len(pages), checked)
}

// a11yForm is a page as a form sent from it answers: refused with its errors shown, or
// done with a message. The form is the one whose button sel picks, with fields filled
// in first (by id).
type a11yForm struct {
	a11yPage
	fill map[string]string
	sel  string
}

// forms sends each form and checks the page that answers, as pages does.
func (s *a11ySweep) forms(t *testing.T, tab context.Context, base, role string, forms []a11yForm) {
	t.Helper()
	for _, f := range forms {
		if err := browsertest.Visit(tab, base+f.path); err != nil {
			t.Fatal(err)
		}
		if err := browsertest.Fill(tab, f.fill); err != nil {
			t.Fatal(err)
		}
		res, err := browsertest.Submit(tab, f.sel)
		if err != nil {
			t.Fatal(err)
		}
		s.check(t, tab, role, f.a11yPage, res.Status)
	}
}

// check checks the page the tab shows, unless it shows exactly what a page already
// checked did, and says whether it did: axe at 1280 px; at 320 px sideways scrolling and
// axe's rules that depend on the width; a screenshot at each width.
func (s *a11ySweep) check(t *testing.T, tab context.Context, role string, p a11yPage, status int64) bool {
	t.Helper()
	if status >= 500 {
		t.Errorf("%s, %s (%s): HTTP %d", role, p.name, p.path, status)
	}
	shown, err := browsertest.Eval[string](tab, shownJS)
	if err != nil {
		t.Fatal(err)
	}
	if by, first := s.first(shown, role+" "+p.name); !first {
		t.Logf("%s (%s, HTTP %d): as %s", p.name, p.path, status, by)
		return false
	}
	for _, v := range browsertest.A11yViolations(t, tab) {
		if v.Fail {
			t.Errorf("%s, %s: %s", role, p.name, v.Text)
		} else {
			t.Logf("%s, %s (not failing): %s", role, p.name, v.Text)
		}
	}
	// WCAG 2.2 dropped 4.1.1 and axe with it, but an id given twice still breaks what
	// points at it: a label, an error summary's link, aria-describedby.
	dup, err := browsertest.Eval[[]string](tab, dupIDsJS)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range dup {
		t.Errorf("%s, %s (%s): the id %q, which a label, link or ARIA attribute points at, is on more than one element", role, p.name, p.path, id)
	}
	// Named after the page asked for, and what answered when it was not that page.
	name := fmt.Sprintf("a11y-%s-%s", role, p.name)
	if loc, err := chromedp.Run(tab, chromedp.Location()); err == nil && strings.Contains(loc, "/login?") {
		name += "-sign-in"
	} else if status >= 400 {
		name += fmt.Sprintf("-%d", status)
	}
	browsertest.Screenshot(t, tab, name+"-1280")
	if err := chromedp.Do(tab, chromedp.EmulateViewport(320, 640)); err != nil {
		t.Fatal(err)
	}
	if wide := overflow(t, tab); wide != "" {
		t.Errorf("%s, %s (%s) at 320 px scrolls sideways: %s", role, p.name, p.path, wide)
	}
	for _, v := range browsertest.A11yLayout(t, tab) {
		if v.Fail {
			t.Errorf("%s, %s at 320 px: %s", role, p.name, v.Text)
		} else {
			t.Logf("%s, %s at 320 px (not failing): %s", role, p.name, v.Text)
		}
	}
	browsertest.Screenshot(t, tab, name+"-320")
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	return true
}

// dupIDsJS lists the ids on more than one element that something points at.
const dupIDsJS = `(() => {
	const count = {};
	document.querySelectorAll("[id]").forEach(e => { count[e.id] = (count[e.id] || 0) + 1; });
	const refs = new Set();
	document.querySelectorAll("label[for]").forEach(e => refs.add(e.htmlFor));
	document.querySelectorAll('a[href^="#"]').forEach(e => refs.add(decodeURIComponent(e.getAttribute("href").slice(1))));
	document.querySelectorAll("[aria-labelledby], [aria-describedby], [aria-controls], [aria-owns]").forEach(e => {
		for (const a of ["aria-labelledby", "aria-describedby", "aria-controls", "aria-owns"]) {
			(e.getAttribute(a) || "").split(/\s+/).filter(Boolean).forEach(id => refs.add(id));
		}
	});
	return [...refs].filter(id => count[id] > 1);
})()`

// overflow says what makes the page wider than the window, or "" when nothing does: the
// outermost elements that stick out past its right edge.
func overflow(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := browsertest.Eval[string](ctx, `(() => {
		const w = document.documentElement.clientWidth;
		const sw = document.documentElement.scrollWidth;
		if (sw <= w + 1) return "";
		// An element inside a box that scrolls (or clips) its own overflow widens nothing.
		const contained = e => {
			for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
				if (getComputedStyle(a).overflowX !== "visible") return true;
			}
			return false;
		};
		const out = [...document.body.querySelectorAll("*")].filter(e => {
			const r = e.getBoundingClientRect();
			return r.width > 0 && r.right > w + 1 && e.parentElement.getBoundingClientRect().right <= w + 1 && !contained(e);
		}).slice(0, 6).map(e => {
			let d = e.tagName.toLowerCase();
			if (e.id) d += "#" + e.id;
			if (typeof e.className === "string" && e.className) d += "." + e.className.trim().split(/\s+/).join(".");
			return d + " (right " + Math.round(e.getBoundingClientRect().right) + ")";
		});
		if (out.length === 0) {
			// Text that does not wrap, such as a long line in a <pre>: the innermost boxes
			// whose content is wider than they are.
			for (const e of document.body.querySelectorAll("*")) {
				if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && getComputedStyle(e).overflowX === "visible" &&
					![...e.children].some(c => c.scrollWidth > c.clientWidth + 1)) {
					out.push(e.tagName.toLowerCase() + (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "") +
						" (content " + e.scrollWidth + " in " + e.clientWidth + ")");
					if (out.length === 6) break;
				}
			}
		}
		return "scrollWidth " + sw + " > " + w + ": " + out.join(", ");
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keyboardMinutes is the clerk writing minutes with the keyboard alone: from the home
// page to the sign-in form, signed in, through the board and the meeting to the minutes
// editor, an ACTION typed at the end of the draft, seen in the preview, and saved, with
// Tab, Shift+Tab, Enter and typed keys only. At every stop the focused element shows a
// focus style.
func keyboardMinutes(t *testing.T, tab context.Context, base string, d *a11yDemo) {
	k := &keyboard{t: t, ctx: tab}
	if err := browsertest.Visit(tab, base+"/"); err != nil { // the address typed in
		t.Fatal(err)
	}
	k.tabTo(`a[href="/login"]`)
	k.press(kb.Enter, true)
	k.tabTo(`#email`)
	k.typeText("clerk@northvale.example")
	k.tabTo(`#password`)
	k.typeText(demoPassword)
	k.press(kb.Enter, true) // submits the form
	k.expect(`document.querySelector(".quorum-account").innerText.includes("Tom Brennan")`)

	k.tabTo(fmt.Sprintf(`main a[href="/boards/%d"]`, d.board))
	k.press(kb.Enter, true)
	k.tabTo(fmt.Sprintf(`main a[href="/meetings/%d"]`, d.draft))
	k.press(kb.Enter, true)
	k.tabTo(fmt.Sprintf(`main a[href="/meetings/%d/minutes"]`, d.draft))
	k.press(kb.Enter, true)
	k.tabTo(fmt.Sprintf(`main a[href="/meetings/%d/minutes/edit"]`, d.draft))
	k.press(kb.Enter, true)
	k.expect(`document.querySelector("h1").innerText === "Write the minutes"`)

	// Into the text box; to its end (Ctrl+End) and up with the arrow keys to the line of
	// any other business, to the end of that line, then a new paragraph with an action.
	k.tabTo(`#text`)
	k.press(kb.End, false, chromedp.KeyModifiers(chromedp.ModifierCtrl))
	k.arrowUpTo("There was no other business.")
	k.press(kb.End, false)
	line := "ACTION @PN: write to every partner about the summer programme (by next meeting)"
	k.press(kb.Enter, false)
	k.press(kb.Enter, false)
	k.typeText(line)
	k.expect(`document.getElementById("text").value.includes(` + jsString("There was no other business.\n\n"+line+"\n") + `)`)
	k.waitFor(`document.getElementById("minutes-preview").innerText.includes("write to every partner about the summer programme")`)

	// The preview is a scrolling region reached by Tab; back with Shift+Tab to the save button.
	k.tabTo(`#minutes-preview`)
	k.shiftTabTo(`#minutes-form button[type="submit"]`)
	k.press(kb.Enter, true)
	flash, err := browsertest.Text(tab, ".govuk-notification-banner--success")
	if err != nil {
		t.Fatalf("after saving with Enter: %v", err)
	}
	article, err := browsertest.Text(tab, "article.quorum-minutes")
	if err != nil {
		t.Fatal(err)
	}
	// The saved minutes carry the action's new reference, which the flash names.
	m := regexp.MustCompile(`ACTION (NSCP/\d\d/\d+) @PN: write to every partner`).FindStringSubmatch(article)
	if !strings.Contains(flash, "Minutes saved") || m == nil || !strings.Contains(flash, m[1]) {
		t.Fatalf("after saving: %q, and the minutes have no reference for the new action:\n%s", flash, article)
	}
	ref := m[1]
	t.Logf("keyboard journey: %d key presses, the focus shown at each of %d stops, saved with %s", k.presses, k.stops, ref)
	browsertest.Screenshot(t, tab, "a11y-keyboard-minutes-saved")
}

// keyboard sends key events to the page, as a person at the keyboard would.
type keyboard struct {
	t       *testing.T
	ctx     context.Context
	presses int
	stops   int // elements the focus stopped on, each checked for a focus style
}

// press sends one key; navigates says the key loads a new page, to wait for.
func (k *keyboard) press(key string, navigates bool, opts ...chromedp.KeyOption) {
	k.t.Helper()
	k.presses++
	var err error
	if navigates {
		r, e := chromedp.RunResponse(k.ctx, chromedp.KeyEvent(key, opts...))
		err = e
		if e == nil && r.Status >= 400 {
			summary, _ := browsertest.Text(k.ctx, ".govuk-error-summary, .govuk-error-message")
			err = fmt.Errorf("HTTP %d at %s: %s", r.Status, r.URL, summary)
		}
	} else {
		err = chromedp.Do(k.ctx, chromedp.KeyEvent(key, opts...))
	}
	if err != nil {
		k.t.Fatalf("press %q: %v", key, err)
	}
}

// arrowUpTo presses the up arrow in the text box until the caret is on the line that
// reads line.
func (k *keyboard) arrowUpTo(line string) {
	k.t.Helper()
	for range 60 {
		at, err := browsertest.Eval[string](k.ctx, `(t => {
			const v = t.value, i = t.selectionStart;
			let end = v.indexOf("\n", i);
			if (end < 0) end = v.length;
			return v.slice(v.lastIndexOf("\n", i - 1) + 1, end);
		})(document.activeElement)`)
		if err != nil {
			k.t.Fatal(err)
		}
		if at == line {
			return
		}
		k.press(kb.ArrowUp, false)
	}
	k.t.Fatalf("60 presses of the up arrow never reached the line %q", line)
}

// typeText types s into the focused field.
func (k *keyboard) typeText(s string) {
	k.t.Helper()
	k.presses += len([]rune(s))
	if err := chromedp.Do(k.ctx, chromedp.KeyEvent(s)); err != nil {
		k.t.Fatalf("type %q: %v", s, err)
	}
}

// tabTo presses Tab until sel has the focus, checking at every stop that the focus shows.
func (k *keyboard) tabTo(sel string) { k.t.Helper(); k.moveTo(sel, "") }

// shiftTabTo does the same with Shift+Tab, going back through the page.
func (k *keyboard) shiftTabTo(sel string) { k.t.Helper(); k.moveTo(sel, "shift") }

func (k *keyboard) moveTo(sel, shift string) {
	k.t.Helper()
	var opts []chromedp.KeyOption
	if shift != "" {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	for range 80 {
		k.press(kb.Tab, false, opts...)
		at, err := browsertest.Eval[focusState](k.ctx, fmt.Sprintf(focusJS, jsString(sel)))
		if err != nil {
			k.t.Fatal(err)
		}
		k.stops++
		if at.Element != "body" && !at.Visible {
			k.t.Errorf("the focus on %s does not show: %s", at.Element, at.Style)
		}
		if at.Match {
			return
		}
	}
	k.t.Fatalf("80 presses of Tab never reached %s", sel)
}

// focusState is where the focus is and whether it shows.
type focusState struct {
	Element string `json:"element"`
	Match   bool   `json:"match"`
	Visible bool   `json:"visible"`
	Style   string `json:"style"`
}

// focusJS describes document.activeElement: whether it matches the selector, and whether
// a focus style shows on it: :focus-visible applies (as it must after a key press), and
// the element looks different focused from unfocused, by a visible outline, a box shadow
// or a background (GOV.UK's yellow). To see it unfocused, the script blurs it and gives
// the focus straight back.
const focusJS = `((sel) => {
	const e = document.activeElement;
	if (!e || e === document.body) return {element: "body", match: false, visible: false, style: ""};
	const look = () => {
		const s = getComputedStyle(e);
		return {outline: s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor, shown: s.outlineStyle !== "none" &&
			parseFloat(s.outlineWidth) >= 2 && s.outlineColor !== "rgba(0, 0, 0, 0)", shadow: s.boxShadow, background: s.backgroundColor};
	};
	const focusVisible = e.matches(":focus-visible");
	const on = look();
	e.blur();
	const off = look();
	e.focus();
	const d = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.getAttribute("href") ? "[href=" + e.getAttribute("href") + "]" : "");
	const differs = (on.shown && on.outline !== off.outline) || on.shadow !== off.shadow || on.background !== off.background;
	return {element: d, match: e.matches(sel), visible: focusVisible && differs && document.activeElement === e,
		style: "focused: outline " + on.outline + ", box-shadow " + on.shadow + ", background " + on.background +
			"; unfocused: outline " + off.outline + ", box-shadow " + off.shadow + ", background " + off.background};
})(%s)`

// expect fails unless the expression is true on the page.
func (k *keyboard) expect(expr string) {
	k.t.Helper()
	ok, err := browsertest.Eval[bool](k.ctx, expr)
	if err != nil {
		k.t.Fatalf("%s: %v", expr, err)
	}
	if !ok {
		loc, _ := chromedp.Run(k.ctx, chromedp.Location())
		k.t.Fatalf("on %s, %s is false", loc, expr)
	}
}

// waitFor waits up to 10 seconds for the expression to be true.
func (k *keyboard) waitFor(expr string) {
	k.t.Helper()
	if err := chromedp.Do(k.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		k.t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string { return fmt.Sprintf("%q", s) }
