package actions

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/internal/errs"
	"quorum/internal/outbox"
	"quorum/internal/web"
	"quorum/meetings"
	"quorum/templates"
)

// Handler serves the action log, the chair's dashboard, one action's page, "my actions",
// officers' links, the exports and the import, as pages and JSON.
type Handler struct {
	store    *Store
	meetings *meetings.Store
	// BaseURL starts the links in mail (https://quorum.example.org); empty: the address
	// the request came to.
	BaseURL string
	// LinkTTL is how long an officer's emailed link lasts.
	LinkTTL time.Duration

	pages pageCache // the log's and the dashboard's rendered content: cache.go
}

// NewHandler returns the handler.
func NewHandler(s *Store, m *meetings.Store) *Handler {
	return &Handler{store: s, meetings: m, LinkTTL: 14 * 24 * time.Hour}
}

// MaxUpload caps a request carrying a file: a completion document or a spreadsheet.
const MaxUpload = 10 << 20

// Register lists every URL the package serves.
func (h *Handler) Register(r *web.Router) {
	r.GET("/boards/:id/actions", web.Member("board"), h.listActions)
	r.GET("/boards/:id/actions.csv", web.Member("board"), h.exportCSV)
	r.GET("/boards/:id/actions.xlsx", web.Member("board"), h.exportXLSX)
	r.POST("/boards/:id/actions", web.Clerk("board"), h.createAction)
	r.POST("/boards/:id/actions/reminders", web.Clerk("board"), h.setReminders)
	r.GET("/boards/:id/actions/import", web.Clerk("board"), h.importForm)
	r.POST("/boards/:id/actions/import", web.Clerk("board"), h.importActions)
	r.GET("/boards/:id/dashboard", web.Member("board"), h.showDashboard)
	r.GET("/actions/:id", web.MemberOrOwner("action"), h.showAction)
	r.GET("/actions/:id/document", web.MemberOrOwner("action"), h.downloadDocument)
	r.POST("/actions/:id/updates", web.MemberOrOwner("action"), h.postUpdate)
	r.POST("/actions/:id/complete", web.MemberOrOwner("action"), h.completeAction)
	r.POST("/actions/:id/respond", web.MemberOrOwner("action"), h.respond)
	r.POST("/actions/:id/drop", web.Clerk("action"), h.dropAction)
	r.POST("/actions/:id/reopen", web.Clerk("action"), h.reopenAction)
	r.POST("/actions/:id/links", web.Clerk("action"), h.sendLink)
	r.POST("/actions/:id/links/revoke", web.Clerk("action"), h.revokeLink)
	r.GET("/my/actions", web.SignedIn, h.myActions)
	r.GET("/my/actions.ics", web.SignedIn, h.myActionsICS)
	r.GET("/a/:token", web.Public, h.showLink)
	r.POST("/a/:token/update", web.Public, h.updateByLink)
	r.POST("/a/:token/complete", web.Public, h.completeByLink)

	r.GET("/api/v1/boards/:id/actions", web.Member("board"), h.apiList)
	r.GET("/api/v1/boards/:id/dashboard", web.Member("board"), h.apiDashboard)
	r.GET("/api/v1/actions/:id", web.MemberOrOwner("action"), h.apiAction)
	r.POST("/api/v1/actions/:id/updates", web.MemberOrOwner("action"), h.apiPostUpdate)
	r.POST("/api/v1/actions/:id/complete", web.MemberOrOwner("action"), h.apiComplete)
}

// --- cached pages

// contentTemplates are the pages whose content is rendered outside the layout, parsed once.
var contentTemplates = struct {
	sync.Mutex
	t map[string]*template.Template
}{t: map[string]*template.Template{}}

func renderContent(page string, data web.H) (template.HTML, error) {
	contentTemplates.Lock()
	t, ok := contentTemplates.t[page]
	if !ok {
		var err error
		t, err = template.New(page).Funcs(web.Funcs).ParseFS(templates.FS, "partials.html", page)
		if err != nil {
			contentTemplates.Unlock()
			return "", fmt.Errorf("template %s: %w", page, err)
		}
		contentTemplates.t[page] = t
	}
	contentTemplates.Unlock()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// cachedPage answers a page of a board from the cache, or builds its data, renders its
// content, keeps it and answers it. build's errors that are bad input (a status that is
// none) re-show the page through page itself, uncached.
func (h *Handler) cachedPage(c *gin.Context, boardID int64, key, page string, build func() (web.H, error)) {
	ctx := c.Request.Context()
	s := h.store
	v, err := s.BoardVersion(ctx, boardID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	now := s.now()
	h.pages.mu.Lock()
	e, ok := h.pages.pages[key]
	h.pages.mu.Unlock()
	if !ok || e.version != v || !now.Before(e.until) {
		until, err := s.validUntil(ctx, boardID, now)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data, err := build()
		if err != nil {
			if data != nil && web.FormErrors(err) != nil {
				web.Form(c, page, data, err)
				return
			}
			web.Fail(c, err)
			return
		}
		data["User"], data["Path"] = web.CurrentUser(c), c.Request.URL.Path
		content, err := renderContent(page, data)
		if err != nil {
			web.Fail(c, err)
			return
		}
		e = cachedPage{version: v, until: until, title: fmt.Sprint(data["Title"]), content: content}
		h.pages.mu.Lock()
		if h.pages.pages == nil || len(h.pages.pages) >= maxCached {
			h.pages.pages = map[string]cachedPage{}
		}
		h.pages.pages[key] = e
		h.pages.mu.Unlock()
	}
	web.HTML(c, http.StatusOK, "actions_cached.html", web.H{"Title": e.title, "Nav": "boards", "Content": e.content})
}

// --- the log

const perPage = 50

// logQuery is the log's filter as the GET form sends it.
type logQuery struct {
	Status       string
	Owner        int64
	Organisation int64
	Meeting      int64
	Overdue      bool
	Q            string
	Sort         string
	Desc         bool
	Page         int
}

func readLogQuery(c *gin.Context) logQuery {
	q := logQuery{Status: c.DefaultQuery("status", "outstanding"), Q: strings.TrimSpace(c.Query("q")),
		Sort: c.DefaultQuery("sort", "ref"), Desc: c.Query("desc") == "1", Overdue: c.Query("overdue") == "1"}
	q.Owner, _ = strconv.ParseInt(c.Query("owner"), 10, 64)
	q.Organisation, _ = strconv.ParseInt(c.Query("organisation"), 10, 64)
	q.Meeting, _ = strconv.ParseInt(c.Query("meeting"), 10, 64)
	q.Page, _ = strconv.Atoi(c.DefaultQuery("page", "1"))
	q.Page = max(q.Page, 1)
	return q
}

// statusesOf reads a status choice: outstanding (open and in progress, the default),
// "open" as the chair means it (the same), all, or one or more exact statuses.
func statusesOf(s string) ([]string, error) {
	switch s {
	case "", "outstanding", "open":
		return Outstanding, nil
	case "all":
		return nil, nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		st, ok := ParseStatus(p)
		if !ok || strings.TrimSpace(p) == "" {
			return nil, errs.Field("status", "%q is not a status (outstanding, open, in_progress, done, dropped, all)", p)
		}
		out = append(out, st)
	}
	return out, nil
}

func (q logQuery) filter(limit int) (Filter, error) {
	st, err := statusesOf(q.Status)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{Statuses: st, OwnerPersonID: q.Owner, OrganisationID: q.Organisation, MeetingID: q.Meeting,
		Overdue: q.Overdue, Query: q.Q, Sort: q.Sort, Desc: q.Desc}
	if limit > 0 {
		f.Limit, f.Offset = limit, (q.Page-1)*limit
	}
	return f, nil
}

// values is the query as URL values, leaving out what is the default.
func (q logQuery) values() url.Values {
	v := url.Values{}
	if q.Status != "outstanding" {
		v.Set("status", q.Status)
	}
	if q.Owner != 0 {
		v.Set("owner", strconv.FormatInt(q.Owner, 10))
	}
	if q.Organisation != 0 {
		v.Set("organisation", strconv.FormatInt(q.Organisation, 10))
	}
	if q.Meeting != 0 {
		v.Set("meeting", strconv.FormatInt(q.Meeting, 10))
	}
	if q.Overdue {
		v.Set("overdue", "1")
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Sort != "ref" {
		v.Set("sort", q.Sort)
	}
	if q.Desc {
		v.Set("desc", "1")
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}

func (q logQuery) url(base string) string {
	if e := q.values().Encode(); e != "" {
		return base + "?" + e
	}
	return base
}

// sortLink is a column heading's link: sorted by it, or reversed when it already is.
type sortLink struct {
	URL  string
	Aria string // ascending, descending, none
}

func (q logQuery) sortLinks(base string) map[string]sortLink {
	out := map[string]sortLink{}
	for _, s := range Sorts {
		n := q
		n.Page = 1
		aria := "none"
		if q.Sort == s {
			n.Desc = !q.Desc
			aria = "ascending"
			if q.Desc {
				aria = "descending"
			}
		} else {
			n.Sort, n.Desc = s, false
		}
		out[s] = sortLink{URL: n.url(base), Aria: aria}
	}
	return out
}

type option struct {
	Value any
	Label string
}

func (h *Handler) board(c *gin.Context) (*meetings.Board, error) {
	return h.meetings.Board(c.Request.Context(), c.GetInt64("board_id"))
}

func (h *Handler) listActions(c *gin.Context) {
	boardID := c.GetInt64("board_id")
	clerk, member := web.BoardRole(c)
	q := readLogQuery(c)
	key := fmt.Sprintf("log|%d|%t|%t|%s", boardID, clerk, member, q.values().Encode())
	h.cachedPage(c, boardID, key, "actions_log.html", func() (web.H, error) { return h.logData(c, q, clerk, member) })
}

// logData is what the log's page shows; with bad input, the data to re-show it with.
func (h *Handler) logData(c *gin.Context, q logQuery, clerk, member bool) (web.H, error) {
	ctx := c.Request.Context()
	b, err := h.board(c)
	if err != nil {
		return nil, err
	}
	data := web.H{"Title": "Action log: " + b.Name, "Nav": "boards", "Board": b, "Query": q, "IsClerk": clerk,
		"NewAction": web.H{"Text": "", "Owners": "", "Due": ""}}
	if err := h.logOptions(ctx, b.ID, data); err != nil {
		return nil, err
	}
	if clerk {
		rs, err := h.store.ReminderSettings(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		data["Reminders"] = reminderForm(rs.Reminders, strconv.Itoa(rs.DaysBefore), rs.Digest)
	}
	base := fmt.Sprintf("/boards/%d/actions", b.ID)
	data["Sorts"] = q.sortLinks(base)
	exp := q
	exp.Page = 1
	data["CSV"], data["XLSX"] = exp.url(base+".csv"), exp.url(base+".xlsx")
	f, err := q.filter(perPage)
	if err != nil {
		return data, err
	}
	f.Public = !member
	as, total, err := h.store.CachedList(ctx, b.ID, f)
	if err != nil {
		return data, err
	}
	data["Actions"], data["Total"] = as, total
	data["From"], data["To"] = min((q.Page-1)*perPage+1, total), min(q.Page*perPage, total)
	if q.Page > 1 {
		p := q
		p.Page--
		data["Prev"] = p.url(base)
	}
	if q.Page*perPage < total {
		p := q
		p.Page++
		data["Next"] = p.url(base)
	}
	return data, nil
}

func reminderForm(reminders bool, days string, digest bool) web.H {
	return web.H{"Reminders": reminders, "DaysBefore": days, "Digest": digest}
}

// setReminders keeps the board's reminder settings, from the form on the log's page.
func (h *Handler) setReminders(c *gin.Context) {
	boardID := c.GetInt64("board_id")
	r := ReminderSettings{BoardID: boardID, Reminders: c.PostForm("reminders") == "1", Digest: c.PostForm("digest") == "1"}
	days := strings.TrimSpace(c.PostForm("days_before"))
	n, err := strconv.Atoi(days)
	if err != nil {
		err = errs.Field("days_before", "Write the number of days before the due day, such as 7 (0 for the day itself)")
	} else {
		r.DaysBefore = n
		err = h.store.SetReminderSettings(web.Ctx(c), r)
	}
	if err != nil {
		if web.FormErrors(err) == nil {
			web.Fail(c, err)
			return
		}
		q := readLogQuery(c)
		q.Status, q.Sort, q.Page = "outstanding", "ref", 1
		data, derr := h.logData(c, q, true, true)
		if derr != nil {
			web.Fail(c, derr)
			return
		}
		data["Reminders"] = reminderForm(r.Reminders, days, r.Digest)
		web.Form(c, "actions_log.html", data, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d/actions#reminders", boardID), "Reminder settings saved")
}

// logOptions fills the filter form's choices: the board's members, the organisations,
// the board's meetings, and the statuses.
func (h *Handler) logOptions(ctx context.Context, boardID int64, data web.H) error {
	members, err := h.meetings.Members(ctx, boardID)
	if err != nil {
		return err
	}
	owners := []option{{0, "Anyone"}}
	seen := map[int64]bool{}
	for _, m := range members {
		if !seen[m.PersonID] {
			seen[m.PersonID] = true
			owners = append(owners, option{m.PersonID, m.PersonName})
		}
	}
	orgs, err := h.meetings.Organisations(ctx)
	if err != nil {
		return err
	}
	orgOpts := []option{{0, "Any organisation"}}
	for _, o := range orgs {
		orgOpts = append(orgOpts, option{o.ID, o.Name})
	}
	ms, err := h.meetings.AllMeetings(ctx, boardID)
	if err != nil {
		return err
	}
	meetingOpts := []option{{0, "Any meeting"}}
	for i := len(ms) - 1; i >= 0; i-- {
		meetingOpts = append(meetingOpts, option{ms[i].ID, ms[i].StartsAt.In(london).Format("2 January 2006")})
	}
	data["OwnerOptions"], data["OrganisationOptions"], data["MeetingOptions"] = owners, orgOpts, meetingOpts
	data["StatusOptions"] = []option{{"outstanding", "Outstanding (open or in progress)"}, {"in_progress", "In progress"},
		{"done", "Done"}, {"dropped", "Dropped"}, {"all", "All"}}
	return nil
}

// exportActions reads the whole filtered log, every page of it.
func (h *Handler) exportActions(c *gin.Context) ([]Action, *meetings.Board, bool) {
	b, err := h.board(c)
	if err != nil {
		web.Fail(c, err)
		return nil, nil, false
	}
	f, err := readLogQuery(c).filter(0)
	if err != nil {
		web.Fail(c, err)
		return nil, nil, false
	}
	_, member := web.BoardRole(c)
	f.Public = !member
	as, _, err := h.store.CachedList(c.Request.Context(), b.ID, f)
	if err != nil {
		web.Fail(c, err)
		return nil, nil, false
	}
	return as, b, true
}

func exportName(b *meetings.Board, ext string) string {
	return fmt.Sprintf("%s-actions-%s.%s", strings.ToLower(b.ShortName), time.Now().In(london).Format("2006-01-02"), ext)
}

func (h *Handler) exportCSV(c *gin.Context) {
	as, b, ok := h.exportActions(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // so that Excel reads the file as UTF-8
	if err := WriteCSV(&buf, as); err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+exportName(b, "csv")+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *Handler) exportXLSX(c *gin.Context) {
	as, b, ok := h.exportActions(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, as); err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+exportName(b, "xlsx")+`"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// createAction adds an action by hand: the text, owners as the minutes write them
// (@PN, @police), and a due date or "next meeting".
func (h *Handler) createAction(c *gin.Context) {
	ctx := web.Ctx(c)
	boardID := c.GetInt64("board_id")
	form := web.H{"Text": c.PostForm("text"), "Owners": c.PostForm("owners"), "Due": c.PostForm("due")}
	a := &Action{BoardID: boardID, Text: c.PostForm("text"), Dissemination: c.PostForm("dissemination") == "1"}
	err := func() error {
		tokens := SplitOwners(c.PostForm("owners"))
		if len(tokens) == 0 {
			return errs.Field("owners", "Name at least one owner, for example @PN or @police")
		}
		owners, err := h.store.ResolveOwners(ctx, h.store.db, boardID, tokens)
		if err != nil {
			return err
		}
		a.Owners = owners
		switch due := strings.TrimSpace(c.PostForm("due")); strings.ToLower(due) {
		case "":
		case "next", "next meeting":
			a.Due.Next = true
		default:
			d, ok := readDay(due, false)
			if !ok {
				return errs.Field("due", "%q is not a date: write it as 2026-06-30 or 30/06/2026, or “next meeting”", due)
			}
			a.Due.Date = d.Format(time.DateOnly)
		}
		return h.store.Create(ctx, a)
	}()
	if err != nil {
		if web.FormErrors(err) == nil {
			web.Fail(c, err)
			return
		}
		// Re-show the log with the form filled in and its errors.
		q := readLogQuery(c)
		q.Status, q.Sort, q.Page = "outstanding", "ref", 1
		data, derr := h.logData(c, q, true, true)
		if derr != nil {
			web.Fail(c, derr)
			return
		}
		data["NewAction"] = form
		web.Form(c, "actions_log.html", data, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/actions/%d", a.ID), "Action "+a.Ref+" added")
}

// --- import

func (h *Handler) importForm(c *gin.Context) {
	b, err := h.board(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	web.HTML(c, http.StatusOK, "actions_import.html", web.H{"Title": "Import actions: " + b.Name, "Nav": "boards", "Board": b})
}

// importActions reads an uploaded spreadsheet and shows what it would do; with confirm
// (the preview's own form, carrying the file back) it applies it, when it has no errors.
func (h *Handler) importActions(c *gin.Context) {
	web.UploadLimit(c, MaxUpload)
	b, err := h.board(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := web.H{"Title": "Import actions: " + b.Name, "Nav": "boards", "Board": b}
	name, content, err := importFile(c)
	if err != nil {
		web.Form(c, "actions_import.html", data, err)
		return
	}
	p, err := h.store.ParseImport(c.Request.Context(), b.ID, name, bytes.NewReader(content))
	if err != nil {
		if errs.Code(err) == "" || errs.Code(err) == errs.Internal {
			err = errs.Field("file", "Quorum could not read %s as a CSV or Excel spreadsheet: %v", name, err)
		}
		web.Form(c, "actions_import.html", data, err)
		return
	}
	if c.PostForm("confirm") == "1" && len(p.Errors) == 0 {
		created, changed, err := h.store.ApplyImport(web.Ctx(c), p)
		if err != nil {
			web.Form(c, "actions_import.html", data, err)
			return
		}
		web.Redirect(c, fmt.Sprintf("/boards/%d/actions?status=all", b.ID),
			fmt.Sprintf("Imported %s: %d actions added, %d changed", name, created, changed))
		return
	}
	data["Preview"], data["Filename"] = p, name
	data["Content"] = base64.StdEncoding.EncodeToString(content)
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	web.HTML(c, status, "actions_import.html", data)
}

// importFile is the uploaded spreadsheet, or the one the preview carried back.
func importFile(c *gin.Context) (string, []byte, error) {
	if enc := c.PostForm("content"); enc != "" {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return "", nil, errs.Field("file", "The file did not come back whole; upload it again")
		}
		return c.PostForm("filename"), b, nil
	}
	return web.UploadedFile(c, "Choose a spreadsheet (CSV or Excel .xlsx) to upload")
}

// --- one action

// viewer is who is looking at an action, and what they may do with it.
type viewer struct {
	user      *auth.User
	personID  int64
	orgID     int64
	clerk     bool
	canUpdate bool
}

func (h *Handler) viewerOf(c *gin.Context, a *Action) (viewer, error) {
	v := viewer{user: web.CurrentUser(c)}
	v.clerk, _ = web.BoardRole(c)
	if v.user != nil && v.user.PersonID != 0 {
		v.personID = v.user.PersonID
		p, err := h.meetings.Person(c.Request.Context(), v.personID)
		if err != nil && errs.Code(err) != errs.NotFound {
			return v, err
		}
		if p != nil {
			v.orgID = p.OrganisationID
		}
	}
	v.canUpdate = v.user != nil && CanUpdate(v.personID, v.orgID, v.clerk, v.user.IsAdmin(), a)
	return v, nil
}

// loadAction reads the action of the route, and who is asking.
func (h *Handler) loadAction(c *gin.Context) (*Action, viewer, error) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		return nil, viewer{}, err
	}
	a, err := h.store.Action(c.Request.Context(), id)
	if err != nil {
		return nil, viewer{}, err
	}
	v, err := h.viewerOf(c, a)
	if err != nil {
		return nil, v, err
	}
	// An action raised under an exempt item is the board's and its owners' alone.
	if _, member := web.BoardRole(c); a.Exempt && !member && !v.canUpdate {
		return nil, v, errs.E(errs.NotFound, "Page not found")
	}
	return a, v, nil
}

var errNotYours = errs.E(errs.Forbidden, "Only the action’s owners, their organisation and the board’s clerk can change this action")

func requestKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (h *Handler) showAction(c *gin.Context) {
	h.renderAction(c, http.StatusOK, nil, nil)
}

// renderAction shows an action's page; with a form error, that form re-shown (form
// names which: update, complete, drop, respond, link).
func (h *Handler) renderAction(c *gin.Context, status int, formErr error, form web.H) {
	ctx := c.Request.Context()
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := h.meetings.Board(ctx, a.BoardID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	updates, err := h.store.Updates(ctx, a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	passages, err := h.store.History(ctx, a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	events, err := audit.History(ctx, h.store.db, "action", a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	slices.Reverse(events)
	type shownEvent struct {
		At          time.Time
		Actor, What string
	}
	shown := make([]shownEvent, len(events))
	for i, e := range events {
		shown[i] = shownEvent{At: e.At, Actor: e.Actor, What: eventLabel(e.Action)}
	}
	data := web.H{"Title": a.Ref + ": " + b.Name, "Nav": "boards", "Action": a, "Board": b, "Updates": updates,
		"Passages": passages, "Events": shown, "IsClerk": v.clerk, "CanUpdate": v.canUpdate,
		"Outstanding": outstanding(a.Status), "RequestKey": requestKey(), "Form": form}
	if a.CompletionDocumentID != 0 {
		if d, err := h.store.Document(ctx, a.CompletionDocumentID); err == nil {
			d.Content = nil
			data["Document"] = d
		}
	}
	// The organisations this viewer may answer for: their own, or any for the clerk.
	var answerable []option
	for _, r := range a.Responses {
		if r.Status == ResponsePending && (v.clerk || (v.orgID != 0 && r.OrganisationID == v.orgID)) {
			answerable = append(answerable, option{r.OrganisationID, r.OrganisationName})
		}
	}
	data["Answerable"] = answerable
	if v.clerk {
		links, err := h.store.Links(ctx, a.ID)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["Links"] = links
		people, err := h.meetings.People(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		owners := map[int64]bool{}
		for _, o := range a.Owners {
			owners[o.PersonID] = true
		}
		// the action's own people first, then everyone with an address
		var first, rest []option
		for _, p := range people {
			if p.Email == "" {
				continue
			}
			o := option{p.ID, p.Name + " (" + p.Email + ")"}
			if owners[p.ID] {
				first = append(first, o)
			} else {
				rest = append(rest, o)
			}
		}
		data["LinkPeople"] = append(first, rest...)
		data["Now"] = time.Now()
	}
	if formErr != nil {
		data["Errors"] = web.FormErrors(formErr)
	}
	web.HTML(c, status, "actions_show.html", data)
}

// eventLabel says what an audit event did, in words.
func eventLabel(action string) string {
	if l, ok := map[string]string{
		"action.create": "Added", "action.update_posted": "Posted an update", "action.complete": "Marked done",
		"action.drop": "Dropped", "action.reopen": "Reopened", "action.respond": "Answered for an organisation",
		"action.carry_forward": "Carried forward", "action.update": "Changed in the minutes", "action.import": "Changed by an import",
		"action.status": "Status changed", "action.delete": "Removed from the minutes",
		"action_link.create": "Sent a link", "action_link.revoke": "Withdrew a link", "action_link.use": "Used a link",
	}[action]; ok {
		return l
	}
	return strings.ReplaceAll(strings.TrimPrefix(action, "action."), "_", " ")
}

// formFail re-shows the action's page with the form's error, or hands other errors on.
func (h *Handler) formFail(c *gin.Context, err error, form web.H) {
	if web.FormErrors(err) == nil {
		web.Fail(c, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if errs.Code(err) == errs.Conflict {
		status = http.StatusConflict
	}
	h.renderAction(c, status, err, form)
}

// back is where a form asks to return to (my actions), if it is a page of this site.
func back(c *gin.Context, def string) string {
	b := c.PostForm("back")
	if strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.Contains(b, "\\") {
		return b
	}
	return def
}

func (h *Handler) postUpdate(c *gin.Context) {
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !v.canUpdate {
		web.Fail(c, errNotYours)
		return
	}
	if _, err := h.store.AddUpdate(web.Ctx(c), a.ID, c.PostForm("text")); err != nil {
		h.formFail(c, err, web.H{"Update": c.PostForm("text")})
		return
	}
	web.Redirect(c, back(c, fmt.Sprintf("/actions/%d", a.ID)), "Update posted on "+a.Ref)
}

// completeAction marks the action done with a note, or with an uploaded document which
// Quorum then circulates to the board.
func (h *Handler) completeAction(c *gin.Context) {
	web.UploadLimit(c, MaxUpload)
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !v.canUpdate {
		web.Fail(c, errNotYours)
		return
	}
	ctx := web.Ctx(c)
	note, key := c.PostForm("note"), c.PostForm("request_key")
	docID, err := h.upload(c, ctx)
	if err == nil {
		err = h.store.CompleteThen(ctx, a.ID, note, docID, key, h.circulate(c))
	}
	if err != nil {
		h.formFail(c, err, web.H{"Note": note})
		return
	}
	msg := a.Ref + " marked done"
	if docID != 0 {
		msg += "; the document has been circulated to the board"
	}
	web.Redirect(c, back(c, fmt.Sprintf("/actions/%d", a.ID)), msg)
}

// upload keeps the form's file, if one was chosen, and answers its id (0 without one).
func (h *Handler) upload(c *gin.Context, ctx context.Context) (int64, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return 0, err
		}
		return 0, nil // no file: a note alone
	}
	f, err := fh.Open()
	if err != nil {
		return 0, err
	}
	defer f.Close()
	content, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	ct := fh.Header.Get("Content-Type")
	if ct == "" || ct == "application/octet-stream" {
		ct = http.DetectContentType(content)
	}
	return h.store.AddDocument(ctx, fh.Filename, ct, content)
}

// base is the start of links in mail.
func (h *Handler) base(c *gin.Context) string {
	if h.BaseURL != "" {
		return strings.TrimSuffix(h.BaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// circulate queues, in the completing transaction, a mail to every member of the board
// when an action is completed with a document: the dissemination itself.
func (h *Handler) circulate(c *gin.Context) AfterComplete {
	base := h.base(c)
	return func(ctx context.Context, tx *sql.Tx, a *Action) error {
		if a.CompletionDocumentID == 0 {
			return nil
		}
		d, err := h.store.documentInfo(ctx, tx, a.CompletionDocumentID)
		if err != nil {
			return err
		}
		var board string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM boards WHERE id = ?`, a.BoardID).Scan(&board); err != nil {
			return err
		}
		to, err := h.store.BoardMembers(ctx, tx, a.BoardID)
		if err != nil {
			return err
		}
		subject := fmt.Sprintf("%s: %s circulated (%s)", board, d.Filename, a.Ref)
		for _, r := range to {
			var body strings.Builder
			fmt.Fprintf(&body, "Dear %s,\n\n", r.Name)
			fmt.Fprintf(&body, "%s is circulated to the members of the %s, completing action %s:\n\n", d.Filename, board, a.Ref)
			fmt.Fprintf(&body, "  %s\n\n", a.Text)
			if a.CompletedNote != "" {
				fmt.Fprintf(&body, "%s\n\n", a.CompletedNote)
			}
			fmt.Fprintf(&body, "Read it at %s/actions/%d/document (%s).\n", base, a.ID, sizeText(d.Size))
			fmt.Fprintf(&body, "It will be listed under “circulated since the last meeting” in the next agenda pack.\n\n-- \nQuorum, for the %s\n", board)
			key := fmt.Sprintf("circulate:action:%d:document:%d:person:%d", a.ID, d.ID, r.PersonID)
			if _, err := outbox.Enqueue(ctx, tx, r.Email, subject, body.String(), key); err != nil {
				return err
			}
		}
		return nil
	}
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (h *Handler) respond(c *gin.Context) {
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	org, _ := strconv.ParseInt(c.PostForm("organisation_id"), 10, 64)
	if org == 0 && !v.clerk {
		org = v.orgID
	}
	if !v.canUpdate || (!v.clerk && org != v.orgID) {
		web.Fail(c, errNotYours)
		return
	}
	if !slices.ContainsFunc(a.Responses, func(r Response) bool { return r.OrganisationID == org && org != 0 }) {
		h.formFail(c, errs.Field("organisation_id", "Choose an organisation this action asks to answer"), web.H{"Response": c.PostForm("note")})
		return
	}
	done, err := h.store.Respond(web.Ctx(c), a.ID, org, c.PostForm("note"))
	if err != nil {
		h.formFail(c, err, web.H{"Response": c.PostForm("note")})
		return
	}
	msg := "Answer recorded for " + a.Ref
	if done {
		msg += "; every organisation has answered, so the action is done"
	}
	web.Redirect(c, fmt.Sprintf("/actions/%d", a.ID), msg)
}

func (h *Handler) dropAction(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.Drop(web.Ctx(c), a.ID, c.PostForm("reason")); err != nil {
		h.formFail(c, err, web.H{"Reason": c.PostForm("reason")})
		return
	}
	web.Redirect(c, fmt.Sprintf("/actions/%d", a.ID), a.Ref+" dropped")
}

func (h *Handler) reopenAction(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.Reopen(web.Ctx(c), a.ID); err != nil {
		h.formFail(c, err, nil)
		return
	}
	web.Redirect(c, fmt.Sprintf("/actions/%d", a.ID), a.Ref+" reopened")
}

// sendLink makes an officer's link for the action and mails it to them.
func (h *Handler) sendLink(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	ctx := web.Ctx(c)
	personID, _ := strconv.ParseInt(c.PostForm("person_id"), 10, 64)
	err = func() error {
		if personID == 0 {
			return errs.Field("person_id", "Choose who the link is for")
		}
		p, err := h.meetings.Person(ctx, personID)
		if err != nil {
			return errs.Field("person_id", "Choose who the link is for")
		}
		if p.Email == "" {
			return errs.Field("person_id", "%s has no email address in Quorum", p.Name)
		}
		token, err := h.store.CreateLink(ctx, a.ID, personID, h.LinkTTL)
		if err != nil {
			return err
		}
		expires := time.Now().Add(h.LinkTTL).In(london).Format("2 January 2006")
		body := fmt.Sprintf("Dear %s,\n\nYou have an action from the board:\n\n  %s: %s\n  Due: %s\n\n"+
			"Post an update or mark it done (with a note, or by uploading the document) at:\n\n  %s/a/%s\n\n"+
			"The link is for this action only, needs no password, and works until %s or until the action is done. "+
			"Please do not forward it.\n\n-- \nQuorum\n", p.Name, a.Ref, a.Text, orText(a.Due.String(), "no date set"), h.base(c), token, expires)
		_, err = outbox.Enqueue(ctx, h.store.db, p.Email, "Your action "+a.Ref+": update or complete it", body, "link:"+hashToken(token))
		return err
	}()
	if err != nil {
		h.formFail(c, err, web.H{"PersonID": personID})
		return
	}
	web.Redirect(c, fmt.Sprintf("/actions/%d#links", a.ID), "A link for "+a.Ref+" has been sent")
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (h *Handler) revokeLink(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	linkID, _ := strconv.ParseInt(c.PostForm("link_id"), 10, 64)
	links, err := h.store.Links(c.Request.Context(), a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !slices.ContainsFunc(links, func(l Link) bool { return l.ID == linkID }) {
		h.formFail(c, errs.Field("link_id", "That link is not one of this action’s"), nil)
		return
	}
	if err := h.store.RevokeLink(web.Ctx(c), linkID); err != nil {
		web.Fail(c, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/actions/%d#links", a.ID), "The link has been withdrawn")
}

func (h *Handler) downloadDocument(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if a.CompletionDocumentID == 0 {
		web.Fail(c, errs.E(errs.NotFound, "%s was not completed with a document", a.Ref))
		return
	}
	d, err := h.store.Document(c.Request.Context(), a.CompletionDocumentID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(d.Filename)+`"`)
	c.Data(http.StatusOK, d.ContentType, d.Content)
}

// --- the chair's dashboard

func (h *Handler) showDashboard(c *gin.Context) {
	boardID := c.GetInt64("board_id")
	_, member := web.BoardRole(c)
	h.cachedPage(c, boardID, fmt.Sprintf("dashboard|%d|%t", boardID, member), "dashboard.html", func() (web.H, error) {
		ctx := c.Request.Context()
		b, err := h.board(c)
		if err != nil {
			return nil, err
		}
		d, err := h.store.CachedDashboard(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		circulated, since, err := h.circulatedSinceLastMeeting(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		if !member {
			d, circulated = d.Public(), PublicOnly(circulated)
		}
		return web.H{"Title": "Chair’s dashboard: " + b.Name, "Nav": "boards", "Board": b, "D": d,
			"Chart": template.HTML(ChartSVG(b.Name, d.Series)), "Circulated": circulated, "Since": since}, nil
	})
}

// circulatedSinceLastMeeting lists the documents circulated since the board last met.
func (h *Handler) circulatedSinceLastMeeting(ctx context.Context, boardID int64) ([]Action, time.Time, error) {
	var since time.Time
	past, err := h.meetings.Meetings(ctx, boardID, false, 1)
	if err != nil {
		return nil, since, err
	}
	if len(past) > 0 {
		since = past[0].StartsAt
	}
	as, err := h.store.Circulated(ctx, boardID, since)
	return as, since, err
}

// --- my actions

func (h *Handler) myActions(c *gin.Context) {
	u := web.CurrentUser(c)
	data := web.H{"Title": "My actions", "Nav": "actions"}
	if u.PersonID == 0 {
		data["NoPerson"] = true
		web.HTML(c, http.StatusOK, "actions_mine.html", data)
		return
	}
	ctx := c.Request.Context()
	as, err := h.store.ForPerson(ctx, u.PersonID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	// Forms only where the person may act (the routes' rule): the boards they sit on or
	// clerk, and the actions they own, on any board.
	boards, err := h.meetings.PersonBoards(ctx, u.PersonID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	var org int64
	if p, err := h.meetings.Person(ctx, u.PersonID); err == nil {
		org = p.OrganisationID
	}
	today := time.Now().In(london).Format("2006-01-02")
	sits := map[int64]bool{}
	for _, m := range boards {
		if m.Current(today) {
			sits[m.BoardID] = true
		}
	}
	type mine struct {
		Action
		CanAct bool
	}
	list := make([]mine, len(as))
	for i := range as {
		list[i] = mine{Action: as[i], CanAct: sits[as[i].BoardID] || u.IsAdmin() || CanUpdate(u.PersonID, org, false, false, &as[i])}
	}
	data["Actions"], data["RequestKey"] = list, requestKey()
	web.HTML(c, http.StatusOK, "actions_mine.html", data)
}

// myActionsICS is the person's outstanding actions as iCalendar to-dos, for a calendar or
// task app: written by hand (RFC 5545: CRLF, escaped text, lines folded at 75 octets).
func (h *Handler) myActionsICS(c *gin.Context) {
	u := web.CurrentUser(c)
	var as []Action
	if u.PersonID != 0 {
		var err error
		if as, err = h.store.ForPerson(c.Request.Context(), u.PersonID); err != nil {
			web.Fail(c, err)
			return
		}
	}
	var b strings.Builder
	WriteICS(&b, as, h.base(c), time.Now())
	c.Header("Content-Disposition", `attachment; filename="my-actions.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(b.String()))
}

// --- officers' links

func (h *Handler) linkAction(c *gin.Context) (*Link, *Action, error) {
	l, err := h.store.UseLink(c.Request.Context(), c.Param("token"))
	if err != nil {
		return nil, nil, err
	}
	a, err := h.store.Action(c.Request.Context(), l.ActionID)
	return l, a, err
}

// linkGone shows why a link cannot be used: 404 for one Quorum never made, 410 for one
// expired, used, withdrawn or whose action is closed. Nothing has been changed.
func linkGone(c *gin.Context, err error) {
	status := http.StatusGone
	switch errs.Code(err) {
	case errs.NotFound:
		status = http.StatusNotFound
	case errs.Forbidden, errs.Conflict:
	default:
		web.Fail(c, err)
		return
	}
	web.HTML(c, status, "link_gone.html", web.H{"Title": "This link cannot be used", "Message": errs.Message(err)})
}

func (h *Handler) showLink(c *gin.Context) {
	h.renderLink(c, http.StatusOK, nil, nil)
}

func (h *Handler) renderLink(c *gin.Context, status int, formErr error, form web.H) {
	c.Header("Referrer-Policy", "no-referrer") // the token is in the address
	l, a, err := h.linkAction(c)
	if err != nil {
		linkGone(c, err)
		return
	}
	b, err := h.meetings.Board(c.Request.Context(), a.BoardID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	updates, err := h.store.Updates(c.Request.Context(), a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := web.H{"Title": a.Ref + ": your action", "Action": a, "Board": b, "Link": l, "Updates": updates,
		"Token": c.Param("token"), "RequestKey": requestKey(), "Form": form}
	if formErr != nil {
		data["Errors"] = web.FormErrors(formErr)
	}
	web.HTML(c, status, "link_show.html", data)
}

func (h *Handler) updateByLink(c *gin.Context) {
	token := c.Param("token")
	if _, err := h.store.UpdateByLink(c.Request.Context(), token, c.PostForm("text")); err != nil {
		if errs.Code(err) == errs.Invalid {
			h.renderLink(c, http.StatusUnprocessableEntity, err, web.H{"Update": c.PostForm("text")})
			return
		}
		linkGone(c, err)
		return
	}
	web.Redirect(c, "/a/"+url.PathEscape(token), "Your update has been posted. Thank you.")
}

func (h *Handler) completeByLink(c *gin.Context) {
	web.UploadLimit(c, MaxUpload)
	c.Header("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	ctx := c.Request.Context()
	// Check the link before keeping any upload.
	l, err := h.store.UseLink(ctx, token)
	key := c.PostForm("request_key")
	if err != nil && !(key != "" && h.store.sameCompletion(ctx, h.store.db, token, key)) {
		linkGone(c, err)
		return
	}
	var docID int64
	if l != nil {
		if docID, err = h.upload(c, audit.WithActor(ctx, l.Actor())); err != nil {
			if errs.Code(err) == errs.Invalid || errs.Code(err) == errs.TooLarge {
				h.renderLink(c, http.StatusUnprocessableEntity, err, web.H{"Note": c.PostForm("note")})
				return
			}
			web.Fail(c, err)
			return
		}
	}
	done, err := h.store.CompleteByLinkThen(ctx, token, c.PostForm("note"), docID, key, h.circulate(c))
	if err != nil {
		if errs.Code(err) == errs.Invalid {
			h.renderLink(c, http.StatusUnprocessableEntity, err, web.H{"Note": c.PostForm("note")})
			return
		}
		linkGone(c, err)
		return
	}
	actionID := int64(0)
	if done != nil {
		actionID = done.ActionID
	} else if l != nil {
		actionID = l.ActionID
	}
	data := web.H{"Title": "Action done"}
	if actionID != 0 {
		if a, err := h.store.Action(ctx, actionID); err == nil {
			data["Action"] = a
		}
	}
	web.HTML(c, http.StatusOK, "link_done.html", data)
}
