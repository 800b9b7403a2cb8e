package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quorum/actions"
	"quorum/internal/audit"
	"quorum/internal/outbox"
	"quorum/meetings"
)

// plansAccessIDs gives the access test a plan on the delivery group, an action of it led
// by Priya Natarajan (a member), and a supporting document.
func plansAccessIDs(t *testing.T, s *testServer, boardID int64) map[string]int64 {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Name: "test"})
	p := &actions.Plan{BoardID: boardID, Title: "Delivery plan", StartYear: 2025, EndYear: 2026}
	if err := s.app.actions.CreatePlan(ctx, p, "vrap"); err != nil {
		t.Fatal(err)
	}
	full, _ := s.app.actions.Plan(ctx, p.ID)
	priya, err := s.app.meetings.PersonByEmail(ctx, "priya.natarajan@northvale.example")
	if err != nil {
		t.Fatal(err)
	}
	a := full.Themes[0].Actions[0]
	a.LeadPersonID = priya.ID
	if err := s.app.actions.UpdatePlanAction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	d, err := s.app.actions.AddPlanDocument(ctx, a.ID, "strategy.pdf", "application/pdf", []byte("%PDF-1.4"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]int64{"plan": p.ID, "plan_action": a.ID, "plan_document": d.ID}
}

// planRefusals are the plan routes a role of TestAccess passes the access rule of and
// the handler then refuses: signing for an office they do not hold (no one in the access
// test's plan is named), and, for the chair, changing an action Priya Natarajan leads.
func planRefusals(role string) []string {
	sign := []string{"POST /plans/:id/sign"}
	if role == "chair" {
		return append(sign, "POST /plan-actions/:id", "POST /plan-actions/:id/documents")
	}
	return sign
}

// vrapFixture is the demo partnership's VRAP as the tests use it.
type vrapFixture struct {
	board *meetings.Board
	plan  *actions.Plan
	byRef func(ref string) *actions.PlanAction
}

func demoVRAP(t *testing.T, s *testServer) vrapFixture {
	t.Helper()
	ctx := context.Background()
	board, err := s.app.meetings.BoardByShortName(ctx, "NSCP")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := s.app.actions.Plans(ctx, board.ID)
	if err != nil || len(plans) != 1 {
		t.Fatalf("the demo partnership has %d plans (%v), want its VRAP", len(plans), err)
	}
	p := &plans[0]
	return vrapFixture{board: board, plan: p, byRef: func(ref string) *actions.PlanAction {
		t.Helper()
		cur, _ := s.app.actions.Plan(ctx, p.ID)
		for _, a := range cur.Actions() {
			if a.Ref == ref {
				return a
			}
		}
		t.Fatalf("no action %s", ref)
		return nil
	}}
}

func TestPlanDemo(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	p := v.plan
	if p.Name() != "Violence Reduction Action Plan 2024–2027" || p.StandingItemTitle != "Violence Reduction Action Plan: verbal update" {
		t.Errorf("demo plan %q on %q", p.Name(), p.StandingItemTitle)
	}
	if p.SignedCount() != 1 || len(p.Signatories) != 3 {
		t.Errorf("%d of %d signed, want 1 of 3", p.SignedCount(), len(p.Signatories))
	}
	c := p.Counts
	if c.Red == 0 || c.Amber == 0 || c.Green == 0 || c.Blue == 0 {
		t.Errorf("the demo's RAG mix %+v", c)
	}
	old, _ := s.app.actions.PlanAsOf(context.Background(), p.ID, time.Now().AddDate(0, -6, 0))
	if old.Counts == p.Counts {
		t.Errorf("six months ago the plan stood as it does now: %+v", old.Counts)
	}
}

func TestPlanPages(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	id := v.plan.ID
	clerk := s.signedIn(t, "clerk@northvale.example")
	base := fmt.Sprintf("/plans/%d", id)

	res := clerk.get(fmt.Sprintf("/boards/%d/plans", v.board.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Violence Reduction Action Plan 2024–2027") || !strings.Contains(res.body, "1 of 3 signed") {
		t.Fatalf("the board's plans: %d", res.StatusCode)
	}
	res = clerk.get(base)
	for _, want := range []string{"1. Governance and leadership", "7. Positive diversion from violence", `id="rag-summary"`, "<svg", `id="rag-over-time"`,
		"Police area commander", "Outstanding", "Signed</strong> by Supt Daniel Reyes"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the plan page lacks %q", want)
		}
	}
	// Filters: red only; a lead; mandatory and optional.
	red := v.byRef("2.3")
	res = clerk.get(base + "?rag=red")
	if !strings.Contains(res.body, fmt.Sprintf(`id="action-%d"`, red.ID)) || strings.Contains(res.body, fmt.Sprintf(`id="action-%d"`, v.byRef("2.2").ID)) {
		t.Error("the red filter shows the wrong actions")
	}
	if !regexp.MustCompile(`\d+ actions? match`).MatchString(res.body) {
		t.Error("the filter does not say how many match")
	}
	res = clerk.get(fmt.Sprintf("%s?lead=%d", base, red.LeadPersonID))
	if n := strings.Count(res.body, `class="govuk-table__row" id="action-`) + strings.Count(res.body, `quorum-action-log__row--overdue" id="action-`); n != 2 {
		t.Errorf("Dr Gallagher leads %d actions on the page, want 2", n)
	}
	res = clerk.get(base + "?mandatory=optional")
	if !strings.Contains(res.body, "summer programme") || strings.Contains(res.body, fmt.Sprintf(`id="action-%d"`, red.ID)) {
		t.Error("the optional filter shows the wrong actions")
	}
	orgRes := clerk.get(fmt.Sprintf("%s?organisation=%d", base, red.LeadOrganisationID))
	if !strings.Contains(orgRes.body, fmt.Sprintf(`id="action-%d"`, red.ID)) {
		t.Error("the organisation filter hides the health action")
	}
	// As it stood: before 2.3 turned red it was amber.
	asOf := time.Now().AddDate(0, 0, -100).Format(time.DateOnly)
	res = clerk.get(base + "?as_of=" + asOf + "&rag=red")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `id="as-of"`) || strings.Contains(res.body, fmt.Sprintf(`id="action-%d"`, red.ID)) {
		t.Errorf("as of %s: %d; 2.3 should not yet be red", asOf, res.StatusCode)
	}
	res = clerk.get(base + "?as_of=2026-02-31")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "real date") {
		t.Errorf("an impossible as_of: %d", res.StatusCode)
	}

	// The workbook at its fixed address, and the API.
	res = clerk.get(base + ".xlsx")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
		t.Errorf("%s.xlsx: %d %s", base, res.StatusCode, res.Header.Get("Content-Type"))
	}
	res = clerk.get(fmt.Sprintf("/api/v1/boards/%d/plans", v.board.ID))
	var list struct{ Data []actions.Plan }
	if err := json.Unmarshal([]byte(res.body), &list); err != nil || len(list.Data) != 1 || len(list.Data[0].Themes) != 7 {
		t.Errorf("API plans: %v %s", err, res.body[:min(200, len(res.body))])
	}
	res = clerk.get(fmt.Sprintf("/api/v1/plans/%d?as_of=%s", id, asOf))
	var one actions.Plan
	if err := json.Unmarshal([]byte(res.body), &one); err != nil || one.ID != id || len(one.Signatories) != 3 || one.AsOf.IsZero() {
		t.Errorf("API plan: %v %+v", err, one.Counts)
	}
	if res := clerk.get(fmt.Sprintf("/api/v1/plans/%d?as_of=yesterday", id)); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "EINVALID") {
		t.Errorf("API bad as_of: %d %s", res.StatusCode, res.body)
	}
	// The public sees a public board's plan; not another board's private one.
	anon := s.client()
	anon.t = t
	if res := anon.get(base); res.StatusCode != http.StatusOK {
		t.Errorf("the public board's plan to the public: %d", res.StatusCode)
	}
}

func TestPlanClerkEdits(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	base := fmt.Sprintf("/plans/%d", v.plan.ID)
	// A new plan from the template, attached to nothing.
	res := clerk.post(fmt.Sprintf("/boards/%d/plans", v.board.ID), url.Values{"template": {"vrap"}, "title": {"Serious Violence Strategy"},
		"start_year": {"2027"}, "end_year": {"2026"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "must end in or after") {
		t.Errorf("a plan ending before it starts: %d", res.StatusCode)
	}
	res = clerk.post(fmt.Sprintf("/boards/%d/plans", v.board.ID), url.Values{"template": {"vrap"}, "title": {"Serious Violence Strategy"},
		"start_year": {"2027"}, "end_year": {"2030"}, "deadline": {"31/03/2027"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("make a plan: %d %s", res.StatusCode, res.body)
	}
	// An action whose end comes before its start is refused, with the field marked.
	res = clerk.post(base+"/actions", url.Values{"new_theme_id": {fmt.Sprint(v.plan.Themes[0].ID)}, "new_title": {"Review the protocol"},
		"new_start_date": {"01/05/2026"}, "new_end_date": {"01/04/2026"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#new_end_date"`) {
		t.Errorf("end before start: %d", res.StatusCode)
	}
	res = clerk.post(base+"/actions", url.Values{"new_theme_id": {fmt.Sprint(v.plan.Themes[0].ID)}, "new_title": {"Review the protocol"}, "new_mandatory": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("add an action: %d %s", res.StatusCode, res.body)
	}
	// A clerk's edit of an action with an unknown RAG.
	a := v.byRef("1.1")
	res = clerk.post(fmt.Sprintf("/plan-actions/%d", a.ID), url.Values{"title": {a.Title}, "rag": {"purple"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Choose red, amber, green or blue") {
		t.Errorf("an unknown RAG: %d", res.StatusCode)
	}
	// Sign-off recorded by the clerk, and twice refused.
	var leader actions.Signatory
	for _, sg := range v.plan.Signatories {
		if sg.Office == actions.OfficeLeader {
			leader = sg
		}
	}
	form := url.Values{"signatory_id": {fmt.Sprint(leader.ID)}, "signed_name": {"Cllr Ruth Dalton"}, "signed_on": {time.Now().AddDate(0, 0, -1).Format("02/01/2006")}}
	if res := clerk.post(base+"/signatures", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("record a signature: %d %s", res.StatusCode, res.body)
	}
	if res := clerk.post(base+"/signatures", form); res.StatusCode != http.StatusConflict {
		t.Errorf("record the same office again: %d", res.StatusCode)
	}
	// The deadline's reminder: the chief executive has not signed.
	if res := clerk.post(base+"/reminders", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("reminders: %d", res.StatusCode)
	}
	msgs, _ := outbox.ByKeyPrefix(context.Background(), s.app.db, fmt.Sprintf("plan:%d:deadline:", v.plan.ID))
	if len(msgs) != 1 || msgs[0].To != "andrew.pryce@northvale.example" {
		t.Errorf("deadline reminders %+v", msgs)
	}
	clerk.post(base+"/reminders", nil)
	if again, _ := outbox.ByKeyPrefix(context.Background(), s.app.db, fmt.Sprintf("plan:%d:deadline:", v.plan.ID)); len(again) != 1 {
		t.Errorf("a second round sent %d reminders in all", len(again))
	}
	// Saved as the clerk's own template, which the next plan may start from.
	if res := clerk.post(base+"/template", url.Values{"template_name": {"Northvale VRAP"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("save as template: %d", res.StatusCode)
	}
	if res := clerk.get(fmt.Sprintf("/boards/%d/plans", v.board.ID)); !strings.Contains(res.body, "Northvale VRAP") {
		t.Error("the saved template is not offered")
	}
}

func TestPlanLeads(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	priya := s.signedIn(t, "priya.natarajan@northvale.example")
	mine, theirs := v.byRef("2.1"), v.byRef("2.2")
	res := priya.get(fmt.Sprintf("/plan-actions/%d", mine.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Report progress") {
		t.Fatalf("the lead's own action: %d", res.StatusCode)
	}
	res = priya.post(fmt.Sprintf("/plan-actions/%d", mine.ID), url.Values{"rag": {"green"}, "progress": {"Assessment published."},
		"comments": {"Health data included at last."}, "start_date": {mine.StartDate}, "end_date": {mine.EndDate}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the lead's update: %d %s", res.StatusCode, res.body)
	}
	now := v.byRef("2.1")
	if now.RAG != actions.RAGGreen || now.UpdatedBy != "Priya Natarajan" || now.Title != mine.Title {
		t.Errorf("after the update: %+v", now)
	}
	// A lead cannot change what only the clerk sets, even by posting it.
	priya.post(fmt.Sprintf("/plan-actions/%d", mine.ID), url.Values{"title": {"Something else"}, "rag": {"green"}, "progress": {"Assessment published."}})
	if v.byRef("2.1").Title != mine.Title {
		t.Error("a lead changed the action's title")
	}
	// Someone else's action: 403, nothing changed.
	res = priya.post(fmt.Sprintf("/plan-actions/%d", theirs.ID), url.Values{"rag": {"red"}})
	if res.StatusCode != http.StatusForbidden || v.byRef("2.2").RAG == actions.RAGRed {
		t.Errorf("another lead's action: %d", res.StatusCode)
	}
	// A supporting document.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "needs-assessment.pdf")
	fw.Write([]byte("%PDF-1.4 the assessment"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, priya.base+fmt.Sprintf("/plan-actions/%d/documents", mine.ID), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := priya.do(req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("upload: %d %s", res.StatusCode, res.body)
	}
	docs := v.byRef("2.1")
	a, _ := s.app.actions.PlanAction(context.Background(), docs.ID)
	if len(a.Documents) != 1 {
		t.Fatalf("documents %+v", a.Documents)
	}
	if res := priya.get(fmt.Sprintf("/plan-documents/%d", a.Documents[0].ID)); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "the assessment") {
		t.Errorf("download: %d", res.StatusCode)
	}
	// Signing for an office one does not hold.
	if res := priya.post(fmt.Sprintf("/plans/%d/sign", v.plan.ID), nil); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "not named") {
		t.Errorf("a member signing: %d", res.StatusCode)
	}
}

func TestPlanLeadLink(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	clerk := s.signedIn(t, "clerk@northvale.example")
	a := v.byRef("5.2") // Joseph Adeyemi, who has no account
	if res := clerk.post(fmt.Sprintf("/plan-actions/%d/links", a.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send a link: %d %s", res.StatusCode, res.body)
	}
	msgs, _ := outbox.ByKeyPrefix(context.Background(), s.app.db, "plan-link:")
	if len(msgs) != 1 || msgs[0].To != "joseph.adeyemi@northvale.example" {
		t.Fatalf("link mail %+v", msgs)
	}
	link := regexp.MustCompile(`/p/[A-Za-z0-9_-]+`).FindString(msgs[0].Body)
	anon := s.client()
	anon.t = t
	if res := anon.get(link); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Your action 5.2") {
		t.Fatalf("the link's page: %d", res.StatusCode)
	}
	res := anon.post(link, url.Values{"rag": {"amber"}, "progress": {"Two grants delayed."}, "start_date": {"01/06/2026"}, "end_date": {"01/05/2026"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "end date must be") {
		t.Errorf("end before start by link: %d", res.StatusCode)
	}
	res = anon.post(link, url.Values{"rag": {"amber"}, "progress": {"Two grants delayed."}})
	if res.StatusCode != http.StatusSeeOther || v.byRef("5.2").RAG != actions.RAGAmber || v.byRef("5.2").UpdatedBy != "Joseph Adeyemi (by emailed link)" {
		t.Errorf("update by link: %d", res.StatusCode)
	}
	// Withdrawn: a clear page, nothing changed.
	clerk.post(fmt.Sprintf("/plan-actions/%d/links/revoke", a.ID), nil)
	res = anon.post(link, url.Values{"rag": {"red"}})
	if res.StatusCode != http.StatusGone || !strings.Contains(res.body, "withdrawn") || v.byRef("5.2").RAG != actions.RAGAmber {
		t.Errorf("a withdrawn link: %d", res.StatusCode)
	}
	if res := anon.get("/p/not-a-token"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, "not one Quorum sent") {
		t.Errorf("a made-up link: %d", res.StatusCode)
	}
}

// planImportClient uploads workbooks to a plan's import and confirms them, as the clerk.
type planImportClient struct {
	t     *testing.T
	c     *client
	base  string
	sheet func(n int) string
}

func newPlanImportClient(t *testing.T, s *testServer, v vrapFixture) *planImportClient {
	p, _ := s.app.actions.Plan(context.Background(), v.plan.ID)
	return &planImportClient{t: t, c: s.signedIn(t, "clerk@northvale.example"), base: fmt.Sprintf("/plans/%d", v.plan.ID),
		sheet: func(n int) string {
			name := []rune(fmt.Sprintf("%d %s", n, strings.ReplaceAll(p.Themes[n-1].Title, "'", "")))
			if len(name) > 31 {
				name = name[:31]
			}
			return strings.TrimSpace(string(name))
		}}
}

func (pc *planImportClient) upload(name string, data []byte) response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, pc.c.base+pc.base+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return pc.c.do(req)
}

// workbook is the plan's download, edited.
func (pc *planImportClient) workbook(edit func(wb *excelize.File)) []byte {
	pc.t.Helper()
	wb, err := excelize.OpenReader(strings.NewReader(pc.c.get(pc.base + ".xlsx").body))
	if err != nil {
		pc.t.Fatal(err)
	}
	edit(wb)
	var out bytes.Buffer
	if _, err := wb.WriteTo(&out); err != nil {
		pc.t.Fatal(err)
	}
	return out.Bytes()
}

var previewToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

func tokenOf(res response) string {
	if m := previewToken.FindStringSubmatch(res.body); m != nil {
		return m[1]
	}
	return ""
}

func (pc *planImportClient) confirm(token string, form url.Values) response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("token", token)
	form.Set("confirm", "1")
	return pc.c.post(pc.base+"/import", form)
}

// TestPlanImportHTTP: the clerk uploads the plan's workbook, sees per theme what it adds
// and changes and the lead Quorum does not know, and only the confirm imports it and adds
// the lead, once.
func TestPlanImportHTTP(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	ctx := context.Background()
	pc := newPlanImportClient(t, s, v)
	if res := pc.c.get(pc.base + "/import"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Upload the plan’s workbook") {
		t.Errorf("the import page: %d", res.StatusCode)
	}
	// The download, unchanged: everything unchanged.
	res := pc.upload("plan.xlsx", pc.workbook(func(*excelize.File) {}))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "will add 0 actions and change 0") || tokenOf(res) == "" {
		t.Fatalf("the unchanged workbook's preview: %d %s", res.StatusCode, res.body)
	}

	before := v.byRef("2.3")
	data := pc.workbook(func(wb *excelize.File) {
		rows, _ := wb.GetRows(pc.sheet(2))
		for i, r := range rows {
			if len(r) > 0 && r[0] == "2.3" {
				wb.SetCellValue(pc.sheet(2), fmt.Sprintf("L%d", i+1), "Blue")
				wb.SetCellValue(pc.sheet(2), fmt.Sprintf("J%d", i+1), "Delivered in full.")
			}
		}
		wb.SetSheetRow(pc.sheet(4), "A30", &[]any{"", "Street outreach in the town centre", "Optional", "Fewer knife incidents", "", "Sam Okafor", "Northvale Police",
			"01/04/2026", "31/03/2027", "", "", "Amber"})
	})
	res = pc.upload("plan.xlsx", data)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %s", res.StatusCode, res.body)
	}
	for _, want := range []string{"will add 1 action and change 1", "1 person will be added", "RAG red to blue (complete)", "progress: “Delivered in full.”",
		"Street outreach in the town centre", "<strong class=\"govuk-tag govuk-tag--green\">Added</strong>", "People to add to Quorum", "Sam Okafor",
		"sheet “" + pc.sheet(4) + "” row 30", "Add the person and import"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the preview does not say %q", want)
		}
	}
	police := regexp.MustCompile(`<option value="(\d+)" selected>Northvale Police</option>`).FindStringSubmatch(res.body)
	if police == nil {
		t.Fatal("the new lead's organisation is not the sheet's, Northvale Police")
	}
	token := tokenOf(res)
	if after := v.byRef("2.3"); after.UpdatedAt != before.UpdatedAt || after.RAG == "blue" {
		t.Error("the preview changed the plan")
	}
	if _, err := s.app.meetings.PersonByEmail(ctx, "sam.okafor@northvale.example"); err == nil {
		t.Error("the preview added the lead")
	}
	// The token is the upload: nothing the form could send instead is read.
	if res := pc.confirm("made-up", url.Values{"lead_organisation_0": {police[1]}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "upload the workbook again") {
		t.Errorf("a made-up token: %d", res.StatusCode)
	}
	// The upload is the clerk's who made it: another clerk's confirm finds nothing.
	admin := s.signedIn(t, "admin@northvale.example")
	if res := admin.post(pc.base+"/import", url.Values{"token": {token}, "confirm": {"1"}, "lead_organisation_0": {police[1]}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("another clerk's confirm: %d", res.StatusCode)
	}
	// A bad email: the preview again, the field marked, nothing done.
	res = pc.confirm(token, url.Values{"lead_organisation_0": {police[1]}, "lead_email_0": {"sam at police"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#lead_email_0"`) || tokenOf(res) != token {
		t.Errorf("a bad email: %d", res.StatusCode)
	}
	res = pc.confirm(token, url.Values{"lead_organisation_0": {police[1]}, "lead_email_0": {"sam.okafor@northvale.example"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pc.base {
		t.Fatalf("confirm: %d %s", res.StatusCode, res.body)
	}
	if page := pc.c.get(pc.base); !strings.Contains(page.body, "Imported: 1 actions added, 1 changed") || !strings.Contains(page.body, "1 person added to Quorum") {
		t.Error("the plan page does not say what was imported")
	}
	sam, err := s.app.meetings.PersonByEmail(ctx, "sam.okafor@northvale.example")
	if err != nil || sam.Name != "Sam Okafor" || fmt.Sprint(sam.OrganisationID) != police[1] {
		t.Fatalf("the lead was not added: %+v %v", sam, err)
	}
	if a := v.byRef("2.3"); a.RAG != actions.RAGBlue || a.Progress != "Delivered in full." {
		t.Errorf("2.3 is %s: %q", a.RAG, a.Progress)
	}
	added := findPlanAction(t, s, v, "Street outreach in the town centre")
	if added == nil || added.LeadPersonID != sam.ID || added.RAG != actions.RAGAmber {
		t.Fatalf("the added action: %+v", added)
	}
	// The same confirm again (a double click, the back button): refused, nothing twice.
	count := len(mustPlan(t, s, v).Actions())
	if res := pc.confirm(token, url.Values{"lead_organisation_0": {police[1]}}); res.StatusCode != http.StatusConflict || !strings.Contains(res.body, "already been imported") {
		t.Errorf("a second confirm: %d", res.StatusCode)
	}
	people, _ := s.app.meetings.People(ctx)
	sams := 0
	for _, p := range people {
		if p.Name == "Sam Okafor" {
			sams++
		}
	}
	if n := len(mustPlan(t, s, v).Actions()); n != count || sams != 1 {
		t.Errorf("the second confirm imported again: %d actions (was %d), %d Sam Okafors", n, count, sams)
	}

	res = pc.upload("plan.csv", []byte("Ref,Action\n"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "not a readable Excel workbook") || tokenOf(res) != "" {
		t.Errorf("a CSV: %d", res.StatusCode)
	}
}

func mustPlan(t *testing.T, s *testServer, v vrapFixture) *actions.Plan {
	t.Helper()
	p, err := s.app.actions.Plan(context.Background(), v.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func findPlanAction(t *testing.T, s *testServer, v vrapFixture, title string) *actions.PlanAction {
	for _, a := range mustPlan(t, s, v).Actions() {
		if a.Title == title {
			return a
		}
	}
	return nil
}

// TestPlanImportConflict: a confirm after the plan changed since the preview is refused
// with 409, overwrites nothing, and shows the preview as it now stands.
func TestPlanImportConflict(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	pc := newPlanImportClient(t, s, v)
	target := v.byRef("1.1")
	data := pc.workbook(func(wb *excelize.File) { wb.SetCellValue(pc.sheet(1), "J4", "Progress from the spreadsheet") })
	res := pc.upload("plan.xlsx", data)
	token := tokenOf(res)
	if res.StatusCode != http.StatusOK || token == "" {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	// Meanwhile the lead reports progress on the site.
	a := *target
	a.Progress, a.RAG = "Progress from the lead", actions.RAGRed
	if target.RAG == actions.RAGRed {
		a.RAG = actions.RAGAmber
	}
	if err := s.app.actions.UpdatePlanAction(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	res = pc.confirm(token, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.body, "changed after the preview") {
		t.Fatalf("a confirm after a change: %d", res.StatusCode)
	}
	if got := v.byRef("1.1"); got.Progress != "Progress from the lead" {
		t.Errorf("the refused confirm overwrote the lead's progress with %q", got.Progress)
	}
	// The page shows what the workbook would do now, under a new token, which imports.
	fresh := tokenOf(res)
	if fresh == "" || fresh == token || !strings.Contains(res.body, "RAG "+strings.ToLower(actions.RAGLabel(a.RAG))+" to") {
		t.Fatalf("no fresh preview after the conflict")
	}
	if res := pc.confirm(token, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("the stale token again: %d", res.StatusCode)
	}
	if res := pc.confirm(fresh, nil); res.StatusCode != http.StatusSeeOther || v.byRef("1.1").Progress != "Progress from the spreadsheet" {
		t.Errorf("the fresh confirm: %d", res.StatusCode)
	}
}

// TestPlanImportBadSheets: missing columns, unknown RAG values and an end before the
// start are listed by sheet, row and column; there is nothing to confirm and nothing is
// imported.
func TestPlanImportBadSheets(t *testing.T) {
	s := newTestServer(t)
	v := demoVRAP(t, s)
	pc := newPlanImportClient(t, s, v)
	before := mustPlan(t, s, v)
	data := pc.workbook(func(wb *excelize.File) {
		wb.RemoveCol(pc.sheet(3), "L")
		wb.SetCellValue(pc.sheet(2), "L4", "Purple")
		wb.SetCellValue(pc.sheet(2), "H5", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
		wb.SetCellValue(pc.sheet(2), "I5", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
		wb.SetCellValue(pc.sheet(2), "F6", "Nobody Known")
		wb.SetCellValue(pc.sheet(1), "B4", "Changed title that must not land")
	})
	res := pc.upload("plan.xlsx", data)
	if res.StatusCode != http.StatusUnprocessableEntity || tokenOf(res) != "" || strings.Contains(res.body, "Confirm and import") {
		t.Fatalf("bad sheets: %d, token %q", res.StatusCode, tokenOf(res))
	}
	for _, want := range []string{
		"has 3 problems: nothing has been imported",
		"Sheet “" + pc.sheet(3) + "”, row 3, column “RAG”: The column is missing",
		"Sheet “" + pc.sheet(2) + "”, row 4, column “RAG”: &#34;Purple&#34; is not a RAG status",
		"Sheet “" + pc.sheet(2) + "”, row 5, column “End date”: The end date must be the same as or after the start date",
		// the unknown lead is offered once the problems are corrected, not a problem
		"People not in Quorum", "Nobody Known: sheet “" + pc.sheet(2) + "” row 6",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the preview does not say %q", want)
		}
	}
	if strings.Contains(res.body, "moves from theme") {
		t.Error("the sheet that could not be read shifted the themes after it")
	}
	if after := mustPlan(t, s, v); after.Themes[0].Actions[0].Title != before.Themes[0].Actions[0].Title {
		t.Error("a refused import changed the plan")
	}
	// Confirm cannot be forced: there is no token to send.
	if res := pc.confirm("", nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a confirm without a token: %d", res.StatusCode)
	}
}

// TestPlanUpdatePaper reads the update paper for the next meeting back with pdftotext.
func TestPlanUpdatePaper(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed")
	}
	s := newTestServer(t)
	v := demoVRAP(t, s)
	ctx := context.Background()
	priya := s.signedIn(t, "priya.natarajan@northvale.example")
	a := v.byRef("2.1")
	if res := priya.post(fmt.Sprintf("/plan-actions/%d", a.ID), url.Values{"rag": {"green"}, "progress": {"Assessment published in full."},
		"start_date": {a.StartDate}, "end_date": {a.EndDate}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	next, err := s.app.meetings.Meetings(ctx, v.board.ID, true, 1)
	if err != nil || len(next) == 0 {
		t.Fatal("no next meeting", err)
	}
	// The meeting page's standing item leads to the paper.
	var itemID int64
	m, _ := s.app.meetings.Meeting(ctx, next[0].ID)
	for _, it := range m.Items {
		if it.Title == "Violence Reduction Action Plan: verbal update" {
			itemID = it.ID
		}
	}
	res := priya.get(fmt.Sprintf("/items/%d/plan-update.pdf", itemID))
	want := fmt.Sprintf("/plans/%d/update.pdf?meeting=%d", v.plan.ID, next[0].ID)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("the item's paper: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res = priya.get(want)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.body, "%PDF") {
		t.Fatalf("update paper: %d", res.StatusCode)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "paper.pdf")
	os.WriteFile(pdf, []byte(res.body), 0o644)
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, w := range []string{
		"Violence Reduction Action Plan 2024–2027",
		"RAG summary by theme",
		"1. Governance and leadership",
		"Actions changed since the meeting of",
		"2.1 Produce and refresh each year a strategic needs assessment",
		"Now Green. Changed: RAG amber to green; progress",
		"Red and overdue actions",
		"2.3 Bring hospital and other health data",
		"4.4 Help schools be safe and inclusive",
		"Police area commander: signed by Supt Daniel Reyes",
		"Chief Executive of the Council (Andrew Pryce): outstanding",
		"1 of 3 signatures",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the paper lacks %q:\n%s", w, text)
		}
	}
	// A standing item without a plan says so.
	var other int64
	for _, it := range m.Items {
		if it.Title == "Crime performance dashboard" {
			other = it.ID
		}
	}
	if res := priya.get(fmt.Sprintf("/items/%d/plan-update.pdf", other)); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "No plan is attached") {
		t.Errorf("an item without a plan: %d", res.StatusCode)
	}
}

// TestPlanDeadlineRemindersScheduled: `quorum reminders` and the loop in `quorum serve`
// queue the reminders of a plan's submission deadline to the signatories who have not
// signed, each once however often they run.
func TestPlanDeadlineRemindersScheduled(t *testing.T) {
	ctx := context.Background()
	dbFile := t.TempDir() + "/quorum.db"
	env := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "-db", dbFile}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	deadline := time.Now().In(meetings.London).AddDate(0, 0, 7).Format("2006-01-02")
	if _, err := a.db.Exec(`UPDATE plans SET deadline = ?`, deadline); err != nil {
		t.Fatal(err)
	}
	planMail := func() []outbox.Message {
		t.Helper()
		ms, err := outbox.ByKeyPrefix(ctx, a.db, "plan:")
		if err != nil {
			t.Fatal(err)
		}
		var out []outbox.Message
		for _, m := range ms {
			if strings.Contains(m.Key, ":deadline:"+deadline+":") {
				out = append(out, m)
			}
		}
		return out
	}
	if err := run(ctx, []string{"reminders", "-db", dbFile, "-base-url", "https://quorum.example.org"}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	first := planMail()
	if len(first) == 0 {
		t.Fatalf("no deadline reminder queued by quorum reminders (%s)", out.String())
	}
	for _, m := range first {
		if !strings.Contains(m.Body, "https://quorum.example.org/plans/") {
			t.Errorf("reminder to %s has no link to the plan:\n%s", m.To, m.Body)
		}
	}
	if err := run(ctx, []string{"reminders", "-db", dbFile}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	// The serve loop, ticking fast, on top of the command.
	a.actions.MailBase = "https://quorum.example.org"
	loopCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runReminders(loopCtx, a.actions, 20*time.Millisecond, slog.New(slog.DiscardHandler))
	}()
	time.Sleep(150 * time.Millisecond)
	stop()
	<-done
	if again := planMail(); len(again) != len(first) {
		t.Errorf("%d deadline reminders after running again, %d at first", len(again), len(first))
	}
	to := map[string]int{}
	for _, m := range planMail() {
		to[m.To]++
		if to[m.To] > 1 {
			t.Errorf("%s reminded twice", m.To)
		}
	}
}
