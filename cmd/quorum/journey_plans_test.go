//go:build browser

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"quorum/actions"
	"quorum/internal/browsertest"
	"quorum/internal/db"
	"quorum/meetings"
)

// TestJourneyPlans is issue 7's journey: a lead opens the partnership's VRAP, marks her
// action green with a comment; the next meeting's VRAP standing item carries the update
// paper, which shows the change. The clerk's view and a signatory's page along the way.
func TestJourneyPlans(t *testing.T) {
	srv := browsertest.Start(t)
	bg := context.Background()
	d, err := db.Open(srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	store := actions.NewStore(d)
	ms := meetings.NewStore(d)
	board, err := ms.BoardByShortName(bg, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := store.Plans(bg, board.ID)
	if err != nil || len(plans) != 1 {
		t.Fatalf("the demo's plans: %v %d", err, len(plans))
	}
	plan := plans[0]

	// The lead: from the board to the plan, to her action.
	priya := browsertest.NewBrowser(t)
	if err := browsertest.Login(priya, srv.URL, "priya.natarajan@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, priya, fmt.Sprintf("%s/boards/%d", srv.URL, board.ID))
	followLink(t, priya, `nav[aria-label="Board pages"] a[href$="/plans"]`)
	expectText(t, priya, "h1", "Plans")
	browsertest.Screenshot(t, priya, "plans-01-board-plans")
	browsertest.CheckA11y(t, priya)
	followLink(t, priya, fmt.Sprintf(`a[href="/plans/%d"]`, plan.ID))
	expectText(t, priya, "h1", "Violence Reduction Action Plan 2024–2027")
	expectJS(t, priya, `!!document.querySelector("svg[role=img] title")`)
	browsertest.Screenshot(t, priya, "plans-02-plan")
	browsertest.CheckA11y(t, priya)

	// Filtered to the red actions.
	if err := browsertest.Choose(priya, "rag", "Red"); err != nil {
		t.Fatal(err)
	}
	submit(t, priya, `form[action$="#actions"] button[type="submit"]`)
	expectText(t, priya, "#filter-result", "2 actions match")
	browsertest.Screenshot(t, priya, "plans-03-plan-red")
	browsertest.CheckA11y(t, priya)

	var actionID int64
	for _, a := range plan.Actions() {
		if a.Ref == "2.1" {
			actionID = a.ID
		}
	}
	visit(t, priya, fmt.Sprintf("%s/plan-actions/%d", srv.URL, actionID))
	expectText(t, priya, "h2#update", "Report progress")
	if err := browsertest.Choose(priya, "rag", "Green"); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Fill(priya, map[string]string{"progress": "Strategic needs assessment published and shared with all partners."}); err != nil {
		t.Fatal(err)
	}
	// The comments box starts empty, which Fill's clearing cannot take: type into it.
	if err := chromedp.Do(priya, chromedp.SendKeys(chromedp.ID("comments"), "Health data now included; refresh due next spring.")); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, priya, "plans-04-action-lead")
	browsertest.CheckA11y(t, priya)
	submit(t, priya, `form[action$="/plan-actions/`+fmt.Sprint(actionID)+`"] button[type="submit"]`)
	expectText(t, priya, ".govuk-notification-banner", "2.1 has been updated")
	expectText(t, priya, ".govuk-summary-list", "Green")
	expectText(t, priya, "#history ~ table", "RAG amber to green")
	browsertest.Screenshot(t, priya, "plans-05-action-updated")
	browsertest.CheckA11y(t, priya)

	// The next meeting's agenda: the VRAP standing item links its update paper.
	next, err := ms.Meetings(bg, board.ID, true, 1)
	if err != nil || len(next) == 0 {
		t.Fatal("no next meeting")
	}
	visit(t, priya, fmt.Sprintf("%s/meetings/%d", srv.URL, next[0].ID))
	expectText(t, priya, "main", "Plan update paper")
	browsertest.Screenshot(t, priya, "plans-06-meeting-item")
	browsertest.CheckA11y(t, priya)
	href, err := browsertest.Eval[string](priya, `[...document.querySelectorAll("a[href$='/plan-update.pdf']")].find(a => a.closest("tr").innerText.includes("Violence Reduction")).getAttribute("href")`)
	if err != nil || href == "" {
		t.Fatalf("no update paper link on the VRAP item: %v", err)
	}
	// The paper, fetched as Priya would (signed in), read back with pdftotext.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	login, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"email": {"priya.natarajan@northvale.example"}, "password": {demoPassword}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	login.Header.Set("Sec-Fetch-Site", "same-origin")
	if res, err := hc.Do(login); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	res, err := hc.Get(srv.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the update paper: %d", res.StatusCode)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "paper.pdf")
		os.WriteFile(file, pdf, 0o644)
		out, err := exec.Command("pdftotext", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, w := range []string{"Actions changed since the meeting of", "Now Green. Changed: RAG amber to green; progress; comments. Last by Priya Natarajan",
			"Strategic needs assessment published"} {
			if !strings.Contains(text, w) {
				t.Errorf("the update paper lacks %q:\n%s", w, text)
			}
		}
	}

	// The clerk's view of the plan, and the as-it-stood view.
	clerk := browsertest.NewBrowser(t)
	if err := browsertest.Login(clerk, srv.URL, "clerk@northvale.example", demoPassword); err != nil {
		t.Fatal(err)
	}
	visit(t, clerk, fmt.Sprintf("%s/plans/%d", srv.URL, plan.ID))
	expectText(t, clerk, "#sign-off ~ table", "Outstanding")
	browsertest.Screenshot(t, clerk, "plans-07-plan-clerk")
	browsertest.CheckA11y(t, clerk)
	visit(t, clerk, fmt.Sprintf("%s/plans/%d?as_of=%s", srv.URL, plan.ID, plan.CreatedAt.AddDate(0, 2, 0).Format("2006-01-02")))
	expectText(t, clerk, "#as-of", "as it stood")
	browsertest.Screenshot(t, clerk, "plans-08-plan-as-of")
	browsertest.CheckA11y(t, clerk)
	visit(t, clerk, fmt.Sprintf("%s/plan-actions/%d", srv.URL, actionID))
	browsertest.Screenshot(t, clerk, "plans-09-action-clerk")
	browsertest.CheckA11y(t, clerk)

	// The clerk imports the plan's workbook with an action added whose lead Quorum does
	// not know: the preview offers to add her, and the confirm does both.
	current, err := store.Plan(bg, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := actions.WritePlanXLSX(&buf, current); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	wb.SetSheetRow(wb.GetSheetList()[4], "A30", &[]any{"", "Street outreach in the town centre", "Optional", "", "", "Grace Mensah", "Northvale Police", "", "", "", "", "Amber"})
	workbook := filepath.Join(t.TempDir(), "vrap.xlsx")
	if err := wb.SaveAs(workbook); err != nil {
		t.Fatal(err)
	}
	visit(t, clerk, fmt.Sprintf("%s/plans/%d/import", srv.URL, plan.ID))
	if err := chromedp.Do(clerk, chromedp.SetUploadFiles(chromedp.ID("file"), []string{workbook})); err != nil {
		t.Fatal(err)
	}
	submit(t, clerk, `form[enctype="multipart/form-data"] button[type="submit"]`)
	expectText(t, clerk, "#import-summary", "will add 1 action")
	expectText(t, clerk, "#new-leads ~ fieldset legend", "Grace Mensah")
	browsertest.Screenshot(t, clerk, "plans-11-import-preview")
	browsertest.CheckA11y(t, clerk)
	submit(t, clerk, `input[name="token"] ~ .govuk-button-group button[type="submit"]`)
	expectText(t, clerk, ".govuk-notification-banner", "1 person added to Quorum")

	// A page for signatories.
	visit(t, priya, fmt.Sprintf("%s/plans/%d/sign", srv.URL, plan.ID))
	expectText(t, priya, "#not-yours", "nothing here for you to sign")
	browsertest.Screenshot(t, priya, "plans-10-sign")
	browsertest.CheckA11y(t, priya)
}
