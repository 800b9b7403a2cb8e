package actions

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
	"quorum/internal/outbox"
	"quorum/internal/web"
	"quorum/meetings"
)

// PlanHandler serves a board's plans: the plan's page (as it stands or stood), its
// actions and their leads' updates, sign-off, templates, the workbook, the update paper
// for each meeting, the leads' emailed links, and the JSON API.
type PlanHandler struct {
	store    *Store
	meetings *meetings.Store
	// BaseURL starts the links in mail; empty: the address the request came to.
	BaseURL string
	// LinkTTL is how long a lead's emailed link lasts.
	LinkTTL time.Duration
}

// NewPlanHandler returns the handler.
func NewPlanHandler(s *Store, m *meetings.Store) *PlanHandler {
	return &PlanHandler{store: s, meetings: m, LinkTTL: 14 * 24 * time.Hour}
}

// Register lists every URL the plans serve. The workbook's address, /plans/{id}.xlsx, is
// rewritten to /plans/{id}/plan.xlsx by PlanPaths before routing.
func (h *PlanHandler) Register(r *web.Router) {
	r.GET("/boards/:id/plans", web.Member("board"), h.listPlans)
	r.POST("/boards/:id/plans", web.Clerk("board"), h.createPlan)
	r.GET("/plans/:id", web.Member("plan"), h.showPlan)
	r.GET("/plans/:id/plan.xlsx", web.Member("plan"), h.exportPlan)
	r.GET("/plans/:id/update.pdf", web.Member("plan"), h.updatePaper)
	r.POST("/plans/:id", web.Clerk("plan"), h.updatePlan)
	r.POST("/plans/:id/themes", web.Clerk("plan"), h.addTheme)
	r.POST("/plans/:id/actions", web.Clerk("plan"), h.addAction)
	r.GET("/plans/:id/import", web.Clerk("plan"), h.importPlanForm)
	r.POST("/plans/:id/import", web.Clerk("plan"), h.importPlan)
	r.POST("/plans/:id/template", web.Clerk("plan"), h.saveTemplate)
	r.POST("/plans/:id/signatories", web.Clerk("plan"), h.addSignatory)
	r.POST("/plans/:id/signatories/name", web.Clerk("plan"), h.nameSignatory)
	r.POST("/plans/:id/signatures", web.Clerk("plan"), h.recordSignature)
	r.POST("/plans/:id/reminders", web.Clerk("plan"), h.sendReminders)
	// Signatories need not be members of the board: the handler checks they are named.
	r.GET("/plans/:id/sign", web.SignedIn, h.signForm)
	r.POST("/plans/:id/sign", web.SignedIn, h.sign)
	r.GET("/plan-actions/:id", web.MemberOrOwner("plan_action"), h.showPlanAction)
	r.POST("/plan-actions/:id", web.MemberOrOwner("plan_action"), h.updatePlanAction)
	r.POST("/plan-actions/:id/documents", web.MemberOrOwner("plan_action"), h.uploadDocument)
	r.POST("/plan-actions/:id/links", web.Clerk("plan_action"), h.sendLink)
	r.POST("/plan-actions/:id/links/revoke", web.Clerk("plan_action"), h.revokeLinks)
	r.GET("/plan-documents/:id", web.Member("plan_document"), h.downloadDocument)
	r.GET("/items/:id/plan-update.pdf", web.Member("item"), h.itemPaper)
	r.GET("/p/:token", web.Public, h.showLink)
	r.POST("/p/:token", web.Public, h.updateByLink)

	r.GET("/api/v1/boards/:id/plans", web.Member("board"), h.apiPlans)
	r.GET("/api/v1/plans/:id", web.Member("plan"), h.apiPlan)
}

var planXLSXPath = regexp.MustCompile(`^/plans/(\d+)\.xlsx$`)

// PlanPaths lets the plan's workbook be fetched at /plans/{id}.xlsx: the router gives a
// path segment to one parameter, so that address is served by /plans/{id}/plan.xlsx.
func PlanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := planXLSXPath.FindStringSubmatch(r.URL.Path); m != nil {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/plans/" + m[1] + "/plan.xlsx"
			r2.URL.RawPath = ""
			next.ServeHTTP(w, r2)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *PlanHandler) base(c *gin.Context) string {
	if h.BaseURL != "" {
		return strings.TrimSuffix(h.BaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (h *PlanHandler) loadPlan(c *gin.Context) (*Plan, error) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	return h.store.Plan(c.Request.Context(), id)
}

// --- the board's plans

func (h *PlanHandler) listPlans(c *gin.Context) {
	h.renderPlans(c, http.StatusOK, nil, nil)
}

func (h *PlanHandler) renderPlans(c *gin.Context, status int, formErr error, form web.H) {
	ctx := c.Request.Context()
	id, _ := web.ParseID(c.Param("id"))
	b, err := h.meetings.Board(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	plans, err := h.store.Plans(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, _ := web.BoardRole(c)
	data := web.H{"Title": "Plans", "Nav": "boards", "Board": b, "Plans": plans, "IsClerk": clerk, "Form": form}
	if clerk {
		if data["Templates"], err = h.store.PlanTemplates(ctx); err != nil {
			web.Fail(c, err)
			return
		}
		items, err := h.store.StandingItemsOf(ctx, id)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["StandingItemOptions"] = standingOptions(items)
	}
	if formErr != nil {
		web.Form(c, "plans_board.html", data, formErr)
		return
	}
	web.HTML(c, status, "plans_board.html", data)
}

func formInt(c *gin.Context, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.PostForm(name)), 10, 64)
	return n
}

func (h *PlanHandler) createPlan(c *gin.Context) {
	boardID, _ := web.ParseID(c.Param("id"))
	p := &Plan{BoardID: boardID, Title: c.PostForm("title"), Owner: c.PostForm("owner"),
		StandingItemID: formInt(c, "standing_item_id"), SubmitTo: c.PostForm("submit_to")}
	start, errStart := strconv.Atoi(strings.TrimSpace(c.PostForm("start_year")))
	end, errEnd := strconv.Atoi(strings.TrimSpace(c.PostForm("end_year")))
	p.StartYear, p.EndYear = start, end
	err := func() error {
		if errStart != nil {
			return errs.Field("start_year", "Enter the year the plan starts, such as 2024")
		}
		if errEnd != nil {
			return errs.Field("end_year", "Enter the year the plan ends, such as 2027")
		}
		d, err := formDay(c.PostForm("deadline"), "deadline", "submission deadline")
		if err != nil {
			return err
		}
		p.Deadline = d
		return h.store.CreatePlan(web.Ctx(c), p, c.PostForm("template"))
	}()
	if err != nil {
		form := web.H{}
		for _, k := range []string{"title", "owner", "start_year", "end_year", "deadline", "submit_to", "template", "standing_item_id"} {
			form[k] = c.PostForm(k)
		}
		h.renderPlans(c, http.StatusUnprocessableEntity, err, form)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d", p.ID), p.Name()+" has been made")
}

// formDay reads a date typed as YYYY-MM-DD or dd/mm/yyyy; blank is no date.
func formDay(s, field, label string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	d, ok := readDay(s, false)
	if !ok {
		return "", errs.Field(field, "Enter the %s as a real date, such as 31/03/2026", label)
	}
	return d.Format(time.DateOnly), nil
}

// --- one plan

// planFilter is the plan page's filter as its GET form sends it.
type planFilter struct {
	Lead, Organisation int64
	RAG, Mandatory     string
	AsOf               string
}

func (f planFilter) active() bool {
	return f.Lead != 0 || f.Organisation != 0 || f.RAG != "" || f.Mandatory != ""
}

func (f planFilter) keep(a *PlanAction) bool {
	if f.Lead != 0 && a.LeadPersonID != f.Lead {
		return false
	}
	if f.Organisation != 0 && a.LeadOrganisationID != f.Organisation {
		return false
	}
	switch f.RAG {
	case "":
	case "none":
		if a.RAG != RAGNone {
			return false
		}
	default:
		if a.RAG != f.RAG {
			return false
		}
	}
	switch f.Mandatory {
	case "mandatory":
		return a.Mandatory
	case "optional":
		return !a.Mandatory
	}
	return true
}

func (h *PlanHandler) showPlan(c *gin.Context) {
	h.renderPlan(c, http.StatusOK, nil, nil)
}

// shownTheme is a theme with the actions the filter keeps.
type shownTheme struct {
	Theme
	Shown []PlanAction
}

func (h *PlanHandler) renderPlan(c *gin.Context, status int, formErr error, form web.H) {
	ctx := c.Request.Context()
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	f := planFilter{RAG: c.Query("rag"), Mandatory: c.Query("mandatory"), AsOf: strings.TrimSpace(c.Query("as_of"))}
	f.Lead, _ = strconv.ParseInt(c.Query("lead"), 10, 64)
	f.Organisation, _ = strconv.ParseInt(c.Query("organisation"), 10, 64)
	now := h.store.now()
	today := londonDay(now).Format(time.DateOnly)
	var p *Plan
	if f.AsOf != "" {
		day, ok := readDay(f.AsOf, false)
		switch {
		case !ok:
			if formErr == nil {
				formErr, status = errs.Field("as_of", "Enter the date to show the plan at as a real date, such as 2026-01-31"), http.StatusUnprocessableEntity
			}
			f.AsOf = ""
		case day.Format(time.DateOnly) >= today:
			f.AsOf = ""
		default:
			f.AsOf = day.Format(time.DateOnly)
			p, err = h.store.PlanAsOf(ctx, id, day)
		}
	}
	if p == nil && err == nil {
		p, err = h.store.Plan(ctx, id)
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	if f.RAG != "" && f.RAG != "none" {
		if r, ok := ParseRAG(f.RAG); ok && r != "" {
			f.RAG = r
		} else {
			f.RAG = ""
		}
	}
	themes := make([]shownTheme, len(p.Themes))
	leads := map[int64]string{}
	orgs := map[int64]string{}
	shown := 0
	for i, th := range p.Themes {
		themes[i].Theme = th
		for _, a := range th.Actions {
			if a.LeadPersonID != 0 {
				leads[a.LeadPersonID] = a.LeadName
			}
			if a.LeadOrganisationID != 0 {
				orgs[a.LeadOrganisationID] = a.LeadOrganisation
			}
			if f.keep(&a) {
				themes[i].Shown = append(themes[i].Shown, a)
				shown++
			}
		}
	}
	series, err := h.store.RAGSeries(ctx, id, ChartDays(p.CreatedAt, now))
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, _ := web.BoardRole(c)
	u := web.CurrentUser(c)
	data := web.H{"Title": p.Name(), "Nav": "boards", "Plan": p, "Themes": themes, "Filter": f, "Filtered": f.active(), "Shown": shown,
		"LeadOptions": options(leads, "Any lead"), "OrgOptions": options(orgs, "Any organisation"),
		"RAGOptions":       []option{{"", "Any status"}, {RAGRed, "Red"}, {RAGAmber, "Amber"}, {RAGGreen, "Green"}, {RAGBlue, "Blue (complete)"}, {"none", "Not set"}},
		"MandatoryOptions": []option{{"", "Mandatory and optional"}, {"mandatory", "Mandatory only"}, {"optional", "Optional only"}},
		"Series":           series, "Chart": template.HTML(PlanChartSVG(p.Name(), series)), "Today": today,
		"IsClerk": clerk, "Form": form, "MyPersonID": int64(0)}
	if u != nil {
		data["MyPersonID"] = u.PersonID
	}
	if clerk {
		people, err := h.meetings.People(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		orgList, err := h.meetings.Organisations(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		items, err := h.store.StandingItemsOf(ctx, p.BoardID)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["People"], data["Organisations"], data["StandingItemOptions"] = people, orgList, standingOptions(items)
		data["PersonOptions"], data["OrganisationOptions"] = personOptions(people, "No one"), organisationOptions(orgList, "No organisation")
		if ms, err := h.meetings.Meetings(ctx, p.BoardID, true, 1); err == nil && len(ms) > 0 {
			data["NextMeeting"] = ms[0]
		}
	}
	if formErr != nil {
		if fe := web.FormErrors(formErr); fe != nil {
			data["Errors"] = fe
		} else {
			web.Fail(c, formErr)
			return
		}
		if status == http.StatusOK {
			status = http.StatusUnprocessableEntity
		}
		if errs.Code(formErr) == errs.Conflict {
			status = http.StatusConflict
		}
	}
	web.HTML(c, status, "plan_show.html", data)
}

func standingOptions(items []StandingItemOption) []option {
	out := []option{{Value: 0, Label: "No standing item"}}
	for _, it := range items {
		out = append(out, option{Value: it.ID, Label: it.Title})
	}
	return out
}

func personOptions(people []meetings.Person, none string) []option {
	out := []option{{Value: 0, Label: none}}
	for _, p := range people {
		label := p.Name
		if p.OrganisationName != "" {
			label += " (" + p.OrganisationName + ")"
		}
		out = append(out, option{Value: p.ID, Label: label})
	}
	return out
}

func organisationOptions(orgs []meetings.Organisation, none string) []option {
	out := []option{{Value: 0, Label: none}}
	for _, o := range orgs {
		out = append(out, option{Value: o.ID, Label: o.Name})
	}
	return out
}

// options lists a filter's choices, sorted by label, after the "any" choice.
func options(m map[int64]string, any string) []option {
	out := []option{{Value: "", Label: any}}
	for id, name := range m {
		out = append(out, option{Value: fmt.Sprint(id), Label: name})
	}
	for i := 2; i < len(out); i++ {
		for j := i; j > 1 && out[j].Label < out[j-1].Label; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// formFail re-shows the plan page with err when it is bad input, else fails.
func (h *PlanHandler) formFail(c *gin.Context, err error, form web.H) {
	if web.FormErrors(err) == nil {
		web.Fail(c, err)
		return
	}
	h.renderPlan(c, http.StatusUnprocessableEntity, err, form)
}

func (h *PlanHandler) updatePlan(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	p.Title, p.Owner, p.SubmitTo = c.PostForm("title"), c.PostForm("owner"), c.PostForm("submit_to")
	p.StandingItemID = formInt(c, "standing_item_id")
	err = func() error {
		var err error
		if p.StartYear, err = strconv.Atoi(strings.TrimSpace(c.PostForm("start_year"))); err != nil {
			return errs.Field("start_year", "Enter the year the plan starts, such as 2024")
		}
		if p.EndYear, err = strconv.Atoi(strings.TrimSpace(c.PostForm("end_year"))); err != nil {
			return errs.Field("end_year", "Enter the year the plan ends, such as 2027")
		}
		if p.Deadline, err = formDay(c.PostForm("deadline"), "deadline", "submission deadline"); err != nil {
			return err
		}
		return h.store.UpdatePlan(web.Ctx(c), p)
	}()
	if err != nil {
		h.formFail(c, err, nil)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d", p.ID), "The plan’s details have been saved")
}

func (h *PlanHandler) addTheme(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, err := h.store.AddTheme(web.Ctx(c), p.ID, c.PostForm("theme_title"), c.PostForm("theme_description")); err != nil {
		h.formFail(c, err, web.H{"ThemeTitle": c.PostForm("theme_title")})
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d", p.ID), "The theme has been added")
}

// actionFromForm reads the fields the clerk sets on a plan action; prefix tells apart the
// plan page's "add an action" form ("new_") from the action page's.
func actionFromForm(c *gin.Context, a *PlanAction, prefix string) error {
	get := func(k string) string { return c.PostForm(prefix + k) }
	a.Title, a.Outcome, a.Baseline = get("title"), get("outcome"), get("baseline")
	a.Mandatory = get("mandatory") == "1"
	a.LeadPersonID, a.LeadOrganisationID = formInt(c, prefix+"lead_person_id"), formInt(c, prefix+"lead_organisation_id")
	if t := formInt(c, prefix+"theme_id"); t != 0 {
		a.ThemeID = t
	}
	u, err := readLeadUpdate(get)
	if err != nil {
		return err
	}
	u.Apply(a)
	return nil
}

// prefixed moves a form error onto the prefixed field, so the error summary links to it.
func prefixed(err error, prefix string) error {
	if f := errs.FieldOf(err); f != "" && errs.Code(err) == errs.Invalid {
		return errs.Field(prefix+f, "%s", errs.Message(err))
	}
	return err
}

// leadFromForm reads the fields a lead sets on their own action.
func leadFromForm(c *gin.Context, a *PlanAction) error {
	u, err := readLeadUpdate(c.PostForm)
	if err != nil {
		return err
	}
	u.Apply(a)
	return nil
}

func readLeadUpdate(get func(string) string) (LeadUpdate, error) {
	u := LeadUpdate{Progress: get("progress"), Comments: get("comments"), RAG: get("rag")}
	var err error
	if u.StartDate, err = formDay(get("start_date"), "start_date", "start date"); err != nil {
		return u, err
	}
	if u.EndDate, err = formDay(get("end_date"), "end_date", "end date"); err != nil {
		return u, err
	}
	return u, nil
}

func (h *PlanHandler) addAction(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	a := &PlanAction{PlanID: p.ID}
	err = actionFromForm(c, a, "new_")
	if err == nil {
		err = h.store.AddPlanAction(web.Ctx(c), a)
	}
	if err != nil {
		h.formFail(c, prefixed(err, "new_"), web.H{"NewTitle": c.PostForm("new_title")})
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d#action-%d", p.ID, a.ID), "Action "+a.Ref+" has been added")
}

// --- import

func (h *PlanHandler) importPlanForm(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	web.HTML(c, http.StatusOK, "plan_import.html", web.H{"Title": "Import the plan: " + p.Name(), "Nav": "boards", "Plan": p})
}

// importPlan reads an uploaded workbook and shows what importing it would do, holding the
// upload on the server under a token; with confirm (the preview's own form, carrying the
// token and the people to add) it imports the held upload, when it has no problems.
func (h *PlanHandler) importPlan(c *gin.Context) {
	web.UploadLimit(c, MaxUpload)
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := web.H{"Title": "Import the plan: " + p.Name(), "Nav": "boards", "Plan": p, "Errors": []web.FieldError(nil)}
	if c.PostForm("confirm") == "1" {
		h.confirmImport(c, p, data)
		return
	}
	name, content, err := planFile(c)
	if err != nil {
		web.Form(c, "plan_import.html", data, err)
		return
	}
	h.previewImport(c, p, data, name, content, http.StatusOK)
}

// previewImport shows what importing content would do and, when it can be confirmed,
// holds it for the confirm.
func (h *PlanHandler) previewImport(c *gin.Context, p *Plan, data web.H, name string, content []byte, status int) {
	ctx := web.Ctx(c)
	pi, err := h.store.PreviewPlanImport(ctx, p.ID, content)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if pi.Ready() {
		if data["Token"], err = h.store.HoldPlanImport(ctx, p.ID, name, content, pi.Stamp); err != nil {
			web.Fail(c, err)
			return
		}
	} else if status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	if err := h.importChoices(c, pi, data); err != nil {
		web.Fail(c, err)
		return
	}
	data["Preview"], data["Filename"] = pi, name
	web.HTML(c, status, "plan_import.html", data)
}

// leadChoice is what the preview's form offers for a lead Quorum does not know.
type leadChoice struct {
	NewLead
	N              int
	OrganisationID any
	Email          string
}

// importChoices fills in the offers for the new leads: what the clerk chose when the form
// comes back, else the organisation the sheet names.
func (h *PlanHandler) importChoices(c *gin.Context, pi *PlanImport, data web.H) error {
	orgs, err := h.meetings.Organisations(c.Request.Context())
	if err != nil {
		return err
	}
	choices := make([]leadChoice, len(pi.NewLeads))
	back := c.PostForm("confirm") == "1"
	for i, nl := range pi.NewLeads {
		choices[i] = leadChoice{NewLead: nl, N: i, OrganisationID: nl.OrganisationID}
		if back {
			choices[i].OrganisationID = c.PostForm(fmt.Sprintf("lead_organisation_%d", i))
			choices[i].Email = c.PostForm(fmt.Sprintf("lead_email_%d", i))
		}
	}
	data["Leads"], data["OrganisationOptions"] = choices, organisationOptions(orgs, "No organisation")
	return nil
}

// confirmImport imports the held upload the preview's token names, adding the new leads.
func (h *PlanHandler) confirmImport(c *gin.Context, p *Plan, data web.H) {
	ctx := web.Ctx(c)
	token := c.PostForm("token")
	var people []meetings.Person
	for i := 0; ; i++ {
		org, ok := c.GetPostForm(fmt.Sprintf("lead_organisation_%d", i))
		if !ok {
			break
		}
		id, _ := strconv.ParseInt(org, 10, 64)
		people = append(people, meetings.Person{OrganisationID: id, Email: c.PostForm(fmt.Sprintf("lead_email_%d", i))})
	}
	res, err := h.store.ConfirmPlanImport(ctx, p.ID, token, people)
	if err == nil {
		flash := fmt.Sprintf("Imported: %d actions added, %d changed, %d unchanged; %d themes added, %d changed",
			res.ActionsAdded, res.ActionsChanged, res.Unchanged, res.ThemesAdded, res.ThemesChanged)
		if len(people) > 0 {
			flash += fmt.Sprintf("; %d %s added to Quorum", len(people), map[bool]string{true: "person", false: "people"}[len(people) == 1])
		}
		web.Redirect(c, fmt.Sprintf("/plans/%d", p.ID), flash)
		return
	}
	held, herr := h.store.HeldPlanImport(ctx, p.ID, token)
	var problems ImportProblems
	switch {
	case errors.Is(err, ErrPlanImportGone) || errors.Is(herr, ErrPlanImportGone):
		web.Form(c, "plan_import.html", data, ErrPlanImportGone)
	case errors.Is(err, ErrPlanImportUsed):
		web.Form(c, "plan_import.html", data, ErrPlanImportUsed)
	case herr != nil:
		web.Fail(c, herr)
	case errors.As(err, &problems):
		// a row the checks passed and the database refused (a reference taken meanwhile)
		for _, pr := range problems {
			data["Errors"] = append(data["Errors"].([]web.FieldError), web.FieldError{Field: "file", Message: pr.String()})
		}
		h.reshowImport(c, p, data, held, token)
	case errors.Is(err, ErrPlanChanged):
		// The preview the clerk saw no longer holds: show what the workbook would do now,
		// under a new token, and import nothing.
		data["Errors"] = web.FormErrors(err)
		h.previewImport(c, p, data, held.Filename, held.Content, http.StatusConflict)
	case web.FormErrors(err) != nil:
		data["Errors"] = web.FormErrors(err)
		h.reshowImport(c, p, data, held, token)
	default:
		web.Fail(c, err)
	}
}

// reshowImport shows the held preview again, with the form's errors, under its own token.
func (h *PlanHandler) reshowImport(c *gin.Context, p *Plan, data web.H, held *HeldImport, token string) {
	pi, err := h.store.PreviewPlanImport(c.Request.Context(), p.ID, held.Content)
	if err == nil {
		err = h.importChoices(c, pi, data)
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	data["Preview"], data["Filename"], data["Token"] = pi, held.Filename, token
	web.HTML(c, http.StatusUnprocessableEntity, "plan_import.html", data)
}

// planFile is the uploaded workbook.
func planFile(c *gin.Context) (string, []byte, error) {
	return web.UploadedFile(c, "Choose the plan’s workbook (.xlsx) to import")
}

func (h *PlanHandler) exportPlan(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := WritePlanXLSX(&buf, p); err != nil {
		web.Fail(c, err)
		return
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, p.Title)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-%d.xlsx"`, name, p.StartYear, p.EndYear))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

func (h *PlanHandler) saveTemplate(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, err := h.store.SaveTemplate(web.Ctx(c), p.ID, c.PostForm("template_name"), c.PostForm("template_description")); err != nil {
		h.formFail(c, err, nil)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d", p.ID), "The plan has been saved as the template “"+strings.TrimSpace(c.PostForm("template_name"))+"”")
}

// --- sign-off

func (h *PlanHandler) addSignatory(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, err := h.store.AddSignatory(web.Ctx(c), p.ID, c.PostForm("office"), formInt(c, "person_id")); err != nil {
		h.formFail(c, err, nil)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d#sign-off", p.ID), "The signing office has been added")
}

func (h *PlanHandler) nameSignatory(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.NameSignatory(web.Ctx(c), p.ID, formInt(c, "signatory_id"), formInt(c, "person_id")); err != nil {
		h.formFail(c, err, nil)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d#sign-off", p.ID), "The signatory has been named")
}

func (h *PlanHandler) recordSignature(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	err = func() error {
		d, err := formDay(c.PostForm("signed_on"), "signed_on", "date it was signed")
		if err != nil {
			return err
		}
		if d == "" {
			return errs.Field("signed_on", "Enter the date it was signed")
		}
		return h.store.RecordSignature(web.Ctx(c), p.ID, formInt(c, "signatory_id"), c.PostForm("signed_name"), d)
	}()
	if err != nil {
		h.formFail(c, err, nil)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d#sign-off", p.ID), "The signature has been recorded")
}

func (h *PlanHandler) sendReminders(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if p.Deadline == "" {
		h.formFail(c, errs.Field("deadline", "Set the submission deadline before sending reminders"), nil)
		return
	}
	days := int(time.Until(mustDay(p.Deadline)).Hours()/24) + 1
	n, err := h.store.PlanDeadlineReminders(web.Ctx(c), h.store.now(), max(days, 0), h.base(c), p.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	msg := fmt.Sprintf("%d reminders have been queued", n)
	if n == 1 {
		msg = "1 reminder has been queued"
	}
	if n == 0 {
		msg = "No reminders were needed: every named signatory has signed or was reminded of this deadline already"
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d#sign-off", p.ID), msg)
}

func mustDay(d string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, d, london)
	return t
}

func (h *PlanHandler) signForm(c *gin.Context) {
	h.renderSign(c, http.StatusOK, nil)
}

func (h *PlanHandler) renderSign(c *gin.Context, status int, formErr error) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	u := web.CurrentUser(c)
	var mine *Signatory
	for i, sg := range p.Signatories {
		if u != nil && u.PersonID != 0 && sg.PersonID == u.PersonID && !sg.Signed() {
			mine = &p.Signatories[i]
			break
		}
	}
	data := web.H{"Title": "Sign off " + p.Name(), "Plan": p, "Mine": mine}
	if formErr != nil {
		data["Errors"] = []web.FieldError{{Message: errs.Message(formErr)}}
	}
	web.HTML(c, status, "plan_sign.html", data)
}

func (h *PlanHandler) sign(c *gin.Context) {
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	u := web.CurrentUser(c)
	sg, err := h.store.Sign(web.Ctx(c), p.ID, u.PersonID)
	if err != nil {
		if st := web.Status(err); st == http.StatusForbidden || st == http.StatusConflict {
			h.renderSign(c, st, err)
			return
		}
		web.Fail(c, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plans/%d/sign", p.ID), "You have signed the plan off as "+sg.Office)
}

// --- one action

// planViewer is who is looking at a plan action, and what they may do.
type planViewer struct {
	Clerk bool // the board's clerk or an admin: every field
	Lead  bool // the action's lead: progress, comments, RAG and dates
}

func (v planViewer) CanUpdate() bool { return v.Clerk || v.Lead }

func (h *PlanHandler) loadAction(c *gin.Context) (*PlanAction, planViewer, error) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		return nil, planViewer{}, err
	}
	a, err := h.store.PlanAction(c.Request.Context(), id)
	if err != nil {
		return nil, planViewer{}, err
	}
	var v planViewer
	v.Clerk, _ = web.BoardRole(c)
	if u := web.CurrentUser(c); u != nil && u.PersonID != 0 && a.LeadPersonID == u.PersonID {
		v.Lead = true
	}
	return a, v, nil
}

var errNotYourPlanAction = errs.E(errs.Forbidden, "Only the action’s lead and the board’s clerk can change this action")

func (h *PlanHandler) showPlanAction(c *gin.Context) {
	h.renderAction(c, http.StatusOK, nil, nil)
}

func (h *PlanHandler) renderAction(c *gin.Context, status int, formErr error, form *PlanAction) {
	ctx := c.Request.Context()
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	p, err := h.store.Plan(ctx, a.PlanID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	history, err := h.store.PlanActionHistory(ctx, a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	shown := a
	if form != nil {
		shown = form
	}
	data := web.H{"Title": a.Ref + " " + a.Title, "Nav": "boards", "Plan": p, "Action": a, "Form": shown, "History": history,
		"Viewer": v, "RAGOptions": []option{{"", "Not set"}, {RAGRed, "Red"}, {RAGAmber, "Amber"}, {RAGGreen, "Green"}, {RAGBlue, "Blue (complete)"}},
		"Today": londonDay(h.store.now()).Format(time.DateOnly)}
	if v.Clerk {
		people, err := h.meetings.People(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		orgs, err := h.meetings.Organisations(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["PersonOptions"], data["OrganisationOptions"] = personOptions(people, "No lead named"), organisationOptions(orgs, "The lead’s own organisation")
		themes := []option{}
		for _, th := range p.Themes {
			themes = append(themes, option{Value: th.ID, Label: fmt.Sprintf("%d. %s", th.Number, th.Title)})
		}
		data["ThemeOptions"] = themes
	}
	if formErr != nil {
		web.Form(c, "plan_action.html", data, formErr)
		return
	}
	web.HTML(c, status, "plan_action.html", data)
}

func (h *PlanHandler) updatePlanAction(c *gin.Context) {
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !v.CanUpdate() {
		web.Fail(c, errNotYourPlanAction)
		return
	}
	changed := *a
	if v.Clerk {
		err = actionFromForm(c, &changed, "")
	} else {
		err = leadFromForm(c, &changed)
	}
	if err == nil {
		err = h.store.UpdatePlanAction(web.Ctx(c), &changed)
	}
	if err != nil {
		if web.FormErrors(err) != nil {
			h.renderAction(c, http.StatusUnprocessableEntity, err, &changed)
			return
		}
		web.Fail(c, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plan-actions/%d", a.ID), a.Ref+" has been updated")
}

func (h *PlanHandler) uploadDocument(c *gin.Context) {
	web.UploadLimit(c, MaxUpload)
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !v.CanUpdate() {
		web.Fail(c, errNotYourPlanAction)
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			web.Fail(c, err)
			return
		}
		h.renderAction(c, http.StatusUnprocessableEntity, errs.Field("file", "Choose a document to upload"), nil)
		return
	}
	f, err := fh.Open()
	if err != nil {
		web.Fail(c, err)
		return
	}
	defer f.Close()
	content, err := io.ReadAll(f)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ct := fh.Header.Get("Content-Type")
	if ct == "" || ct == "application/octet-stream" {
		ct = http.DetectContentType(content)
	}
	if _, err := h.store.AddPlanDocument(web.Ctx(c), a.ID, fh.Filename, ct, content); err != nil {
		if errs.Code(err) == errs.Invalid {
			h.renderAction(c, http.StatusUnprocessableEntity, err, nil)
			return
		}
		web.Fail(c, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plan-actions/%d#documents", a.ID), fh.Filename+" has been added to "+a.Ref)
}

func (h *PlanHandler) downloadDocument(c *gin.Context) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	var actionID int64
	if err := h.store.db.QueryRowContext(c.Request.Context(), `SELECT plan_action_id FROM plan_documents WHERE id = ?`, id).Scan(&actionID); err != nil {
		web.Fail(c, errs.E(errs.NotFound, "No such document"))
		return
	}
	d, err := h.store.PlanDocument(c.Request.Context(), actionID, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(d.Filename)+`"`)
	c.Data(http.StatusOK, d.ContentType, d.Content)
}

func (h *PlanHandler) sendLink(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ctx := web.Ctx(c)
	err = func() error {
		if a.LeadPersonID == 0 {
			return errs.Field("person_id", "Name the action’s lead before sending them a link")
		}
		p, err := h.meetings.Person(ctx, a.LeadPersonID)
		if err != nil {
			return err
		}
		if p.Email == "" {
			return errs.Field("person_id", "%s has no email address in Quorum", p.Name)
		}
		token, err := h.store.CreatePlanLink(ctx, a.ID, p.ID, h.LinkTTL)
		if err != nil {
			return err
		}
		plan, err := h.store.Plan(ctx, a.PlanID)
		if err != nil {
			return err
		}
		expires := h.store.now().Add(h.LinkTTL).In(london).Format("2 January 2006")
		body := fmt.Sprintf("Dear %s,\n\nYou lead this action in the %s’s %s:\n\n  %s %s\n\n"+
			"Please report its progress and RAG status at:\n\n  %s/p/%s\n\n"+
			"The link is for this action only, needs no password, and works until %s. Please do not forward it.\n\n-- \nQuorum, for the %s\n",
			p.Name, plan.BoardName, plan.Name(), a.Ref, a.Title, h.base(c), token, expires, plan.BoardName)
		_, err = outbox.Enqueue(ctx, h.store.db, p.Email, plan.Name()+": please update action "+a.Ref, body, "plan-link:"+hashToken(token))
		return err
	}()
	if err != nil {
		if web.FormErrors(err) != nil {
			h.renderAction(c, http.StatusUnprocessableEntity, err, nil)
			return
		}
		web.Fail(c, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plan-actions/%d", a.ID), "A link has been sent to "+a.LeadName)
}

func (h *PlanHandler) revokeLinks(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.RevokePlanLinks(web.Ctx(c), a.ID); err != nil {
		web.Fail(c, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/plan-actions/%d", a.ID), "Every link to "+a.Ref+" has been withdrawn")
}

// --- the update paper

func (h *PlanHandler) updatePaper(c *gin.Context) {
	ctx := c.Request.Context()
	p, err := h.loadPlan(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	meetingID, _ := strconv.ParseInt(c.Query("meeting"), 10, 64)
	if meetingID == 0 {
		// the board's next meeting, or else its last
		if ms, err := h.meetings.Meetings(ctx, p.BoardID, true, 1); err == nil && len(ms) > 0 {
			meetingID = ms[0].ID
		} else if ms, err := h.meetings.Meetings(ctx, p.BoardID, false, 1); err == nil && len(ms) > 0 {
			meetingID = ms[0].ID
		}
		if meetingID == 0 {
			web.Fail(c, errs.E(errs.NotFound, "The board has no meetings to write an update for"))
			return
		}
	}
	pdf, err := h.store.PlanUpdatePaper(ctx, p.ID, meetingID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="plan-%d-update-meeting-%d.pdf"`, p.ID, meetingID))
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// itemPaper serves the update paper of the plan attached to the standing item an agenda
// item came from, for that item's meeting: the meeting page links each standing item here.
func (h *PlanHandler) itemPaper(c *gin.Context) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	planID, meetingID, err := h.store.PlanForItem(c.Request.Context(), id)
	if errs.Code(err) == errs.NotFound {
		web.HTML(c, http.StatusOK, "plan_none.html", web.H{"Title": "No plan update", "Message": errs.Message(err)})
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/plans/%d/update.pdf?meeting=%d", planID, meetingID))
}

// --- leads' links

func (h *PlanHandler) showLink(c *gin.Context) {
	h.renderLink(c, http.StatusOK, nil, nil)
}

func (h *PlanHandler) renderLink(c *gin.Context, status int, formErr error, form *PlanAction) {
	c.Header("Referrer-Policy", "no-referrer") // the token is in the address
	ctx := c.Request.Context()
	l, err := h.store.UsePlanLink(ctx, c.Param("token"))
	if err != nil {
		linkGone(c, err)
		return
	}
	a, err := h.store.PlanAction(ctx, l.ActionID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	p, err := h.store.Plan(ctx, a.PlanID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	shown := a
	if form != nil {
		shown = form
	}
	data := web.H{"Title": a.Ref + ": your plan action", "Plan": p, "Action": a, "Form": shown, "Link": l, "Token": c.Param("token"),
		"RAGOptions": []option{{"", "Not set"}, {RAGRed, "Red"}, {RAGAmber, "Amber"}, {RAGGreen, "Green"}, {RAGBlue, "Blue (complete)"}}}
	if formErr != nil {
		data["Errors"] = web.FormErrors(formErr)
	}
	web.HTML(c, status, "plan_link.html", data)
}

func (h *PlanHandler) updateByLink(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	u, err := readLeadUpdate(c.PostForm)
	if err == nil {
		_, err = h.store.UpdateByPlanLink(c.Request.Context(), token, u)
	}
	if err != nil {
		if errs.Code(err) == errs.Invalid {
			form := &PlanAction{}
			u.Apply(form)
			h.renderLink(c, http.StatusUnprocessableEntity, err, form)
			return
		}
		linkGone(c, err)
		return
	}
	web.Redirect(c, "/p/"+url.PathEscape(token), "Your update has been saved. Thank you.")
}

// --- the JSON API

func (h *PlanHandler) apiPlans(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	plans, err := h.store.Plans(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if plans == nil {
		plans = []Plan{}
	}
	c.JSON(http.StatusOK, gin.H{"data": plans})
}

func (h *PlanHandler) apiPlan(c *gin.Context) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	var p *Plan
	if s := c.Query("as_of"); s != "" {
		day, err := time.ParseInLocation(time.DateOnly, s, london)
		if err != nil {
			web.Fail(c, errs.Field("as_of", "as_of is a date, YYYY-MM-DD"))
			return
		}
		p, err = h.store.PlanAsOf(c.Request.Context(), id, day)
		if err != nil {
			web.Fail(c, err)
			return
		}
	} else if p, err = h.store.Plan(c.Request.Context(), id); err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
