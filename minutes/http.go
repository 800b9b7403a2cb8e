package minutes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
	"quorum/internal/web"
	"quorum/meetings"
)

// Handler serves the minutes pages, files and API.
type Handler struct{ store *Store }

// NewHandler returns the handler.
func NewHandler(s *Store) *Handler { return &Handler{store: s} }

// Register lists every URL the package serves.
func (h *Handler) Register(r *web.Router) {
	r.GET("/meetings/:id/minutes", web.Member("meeting"), h.showMinutes)
	r.GET("/meetings/:id/minutes.md", web.Member("meeting"), h.downloadMarkdown)
	r.GET("/meetings/:id/minutes.pdf", web.Member("meeting"), h.downloadPDF)
	r.GET("/meetings/:id/minutes/edit", web.Clerk("meeting"), h.editMinutes)
	r.POST("/meetings/:id/minutes", web.Clerk("meeting"), h.saveMinutes)
	r.POST("/meetings/:id/minutes/preview", web.Clerk("meeting"), h.previewMinutes)
	r.POST("/meetings/:id/minutes/autosave", web.Clerk("meeting"), h.autosaveMinutes)
	r.POST("/meetings/:id/minutes/upload", web.Clerk("meeting"), h.uploadMinutes)
	r.POST("/meetings/:id/minutes/send-to-chair", web.Clerk("meeting"), h.sendToChair)
	r.POST("/meetings/:id/minutes/circulate", web.Chair("meeting"), h.circulate)
	r.POST("/meetings/:id/minutes/comment", web.Chair("meeting"), h.comment)
	r.POST("/meetings/:id/minutes/approve", web.Clerk("meeting"), h.approve)
	r.POST("/meetings/:id/minutes/sign", web.Chair("meeting"), h.sign)
	r.GET("/meetings/:id/minutes/versions", web.Member("meeting"), h.listVersions)
	r.GET("/meetings/:id/minutes/diff", web.Member("meeting"), h.showDiff)
	r.GET("/help/minutes", web.Public, h.help)

	r.GET("/api/v1/meetings/:id/minutes", web.Member("meeting"), h.apiGetMinutes)
	r.PUT("/api/v1/meetings/:id/minutes", web.Clerk("meeting"), h.apiPutMinutes)
	r.POST("/api/v1/meetings/:id/minutes/approve", web.Clerk("meeting"), h.apiApprove)
}

// viewer is what the current user is to these minutes.
type viewer struct {
	clerk, member, chair bool // chair: chair or vice-chair, or an admin (see web.Chair)
	public               bool // the board publishes its approved minutes
}

// canSee reports whether the viewer may read minutes with this status: the clerk always,
// the chair once sent to them, members once circulated, everyone once approved where the
// board publishes.
func (v viewer) canSee(status string) bool {
	switch {
	case v.clerk:
		return true
	case Final(status):
		return v.member || v.public
	case status == StatusCirculated:
		return v.member
	case status == StatusWithChair:
		return v.chair
	}
	return false
}

// page is what every minutes page starts from.
type page struct {
	id      int64
	meeting *meetings.Meeting
	board   *meetings.Board
	minutes *Minutes // nil when none are saved
	v       viewer
}

func (h *Handler) load(c *gin.Context) (*page, error) {
	ctx := c.Request.Context()
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	m, err := h.store.meetings.Meeting(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := h.store.meetings.Board(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	p := &page{id: id, meeting: m, board: b}
	roles := web.RolesOn(c)
	p.v.clerk, p.v.member, p.v.chair = roles.Clerk, roles.Member, roles.Chair
	p.v.public = b.Public
	p.minutes, err = h.store.Minutes(ctx, id)
	if errs.Code(err) == errs.NotFound {
		err = nil
	}
	// Those outside the board read the exempt items' headings only. They change nothing
	// here, so every page, file and answer they get is made from the redacted text.
	if p.minutes != nil && !p.v.member {
		p.minutes.Text = string(WithoutExempt([]byte(p.minutes.Text), ExemptItems(m)))
	}
	return p, err
}

// visible checks that the viewer may read the saved minutes. Someone outside the board is
// told nothing exists; a member is told the minutes are not yet circulated.
func (p *page) visible() error {
	if p.minutes != nil && p.v.canSee(p.minutes.Status) {
		return nil
	}
	if !p.v.member {
		return errs.E(errs.NotFound, "Page not found")
	}
	return errNotYet
}

var errNotYet = errors.New("not yet")

func (p *page) url(suffix string) string { return fmt.Sprintf("/meetings/%d/minutes%s", p.id, suffix) }

func (p *page) data(title string) web.H {
	return web.H{"Title": title, "Nav": "boards", "Meeting": p.meeting, "Board": p.board, "Minutes": p.minutes,
		"IsClerk": p.v.clerk, "IsChair": p.v.chair, "IsMember": p.v.member}
}

// fileName is "NSCP-2026-03-19-minutes".
func (p *page) fileName() string {
	return fmt.Sprintf("%s-%s-minutes", p.board.ShortName, p.meeting.StartsAt.In(meetings.London).Format(time.DateOnly))
}

func (h *Handler) showMinutes(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := p.data("Minutes: " + p.meeting.Title())
	ctx := c.Request.Context()
	approvals, err := h.store.Approvals(ctx, p.id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data["Approvals"] = approvals
	switch err := p.visible(); {
	case err == errNotYet:
		data["NotYet"] = true
		web.HTML(c, http.StatusOK, "minutes_show.html", data)
		return
	case err != nil && p.minutes != nil:
		web.Fail(c, err)
		return
	case p.minutes == nil && !p.v.member:
		web.Fail(c, errs.E(errs.NotFound, "Page not found"))
		return
	}
	if p.minutes != nil {
		parsed := Parse([]byte(p.minutes.Text), Options{MeetingDate: p.meeting.StartsAt.In(meetings.London)})
		data["HTML"] = template.HTML(RenderHTML([]byte(p.minutes.Text), parsed))
		data["Parsed"] = parsed
		data["StatusLabel"] = StatusLabel(p.minutes.Status)
		if p.minutes.ApprovedAtMeetingID != 0 {
			if at, err := h.store.meetings.Meeting(ctx, p.minutes.ApprovedAtMeetingID); err == nil {
				data["ApprovedAt"] = at
			}
		}
		if p.v.clerk && !Final(p.minutes.Status) {
			later, err := h.laterMeetings(ctx, p.meeting)
			if err != nil {
				web.Fail(c, err)
				return
			}
			data["Later"] = later
		}
	}
	web.HTML(c, http.StatusOK, "minutes_show.html", data)
}

// laterMeetings are the meetings that can approve these minutes: the board's later ones.
func (h *Handler) laterMeetings(ctx context.Context, m *meetings.Meeting) ([]meetings.Meeting, error) {
	all, err := h.store.meetings.AllMeetings(ctx, m.BoardID)
	if err != nil {
		return nil, err
	}
	var out []meetings.Meeting
	for _, x := range all {
		if x.StartsAt.After(m.StartsAt) && x.Status != meetings.StatusCancelled {
			out = append(out, x)
		}
	}
	return out, nil
}

// downloadMarkdown sends the minutes as the clerk wrote them; before any are saved, the
// clerk gets the pre-filled draft, to write elsewhere and upload.
func (h *Handler) downloadMarkdown(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	var text []byte
	switch err := p.visible(); {
	case p.minutes == nil && p.v.clerk:
		if text, err = h.store.Draft(c.Request.Context(), p.id); err != nil {
			web.Fail(c, err)
			return
		}
	case err == errNotYet:
		web.Redirect(c, p.url(""), "The minutes of this meeting are not available yet")
		return
	case err != nil:
		web.Fail(c, err)
		return
	default:
		text = []byte(p.minutes.Text)
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.md"`, p.fileName()))
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "text/markdown; charset=utf-8", text)
}

// downloadPDF renders the minutes PDF. Who was there, the board and the time come from
// the meeting where the text's front matter leaves them out; DRAFT is marked until the
// minutes are approved, whatever the text says.
func (h *Handler) downloadPDF(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	switch err := p.visible(); {
	case err == errNotYet:
		web.Redirect(c, p.url(""), "The minutes of this meeting are not available yet")
		return
	case err != nil:
		web.Fail(c, err)
		return
	}
	fm, body := h.frontMatterFor(c.Request.Context(), p)
	var buf bytes.Buffer
	if err := WritePDF(&buf, fm, body); err != nil {
		web.Fail(c, fmt.Errorf("minutes PDF of meeting %d: %w", p.id, err))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s.pdf"`, p.fileName()))
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

func (h *Handler) frontMatterFor(ctx context.Context, p *page) (FrontMatter, []byte) {
	src := []byte(p.minutes.Text)
	fm, body, _, err := SplitFrontMatter(src)
	if err != nil {
		fm, body = FrontMatter{}, blankFrontMatter(src)
	}
	m := p.meeting
	if fm.Board == "" {
		fm.Board = p.board.Name
	}
	if fm.Meeting.IsZero() {
		l := m.StartsAt.In(meetings.London)
		fm.Meeting = time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
	}
	if fm.Place == "" {
		fm.Place = m.Place
	}
	if len(fm.Present) == 0 && len(fm.AlsoPresent) == 0 && len(fm.Apologies) == 0 {
		for _, a := range m.Attendance {
			person := Person{Name: a.Name, Role: a.Role, Organisation: organisationLine(a), SubstitutingFor: a.SubstituteForName}
			switch a.Status {
			case meetings.Present:
				fm.Present = append(fm.Present, person)
			case meetings.AlsoPresent:
				fm.AlsoPresent = append(fm.AlsoPresent, person)
			case meetings.Apologies:
				fm.Apologies = append(fm.Apologies, person)
			}
		}
	}
	fm.Status = StatusDraft
	if Final(p.minutes.Status) {
		fm.Status = StatusApproved
		if p.minutes.ApprovedAtMeetingID != 0 {
			if at, err := h.store.meetings.Meeting(ctx, p.minutes.ApprovedAtMeetingID); err == nil {
				fm.ApprovedAt = "the meeting held on " + ukDay(at.StartsAt)
			}
		}
		fm.SignedBy = p.minutes.SignedBy
	}
	return fm, body
}

// --- writing

// lineErrors are a refused save's lines as the error summary lists them; each links to
// the text box.
func lineErrors(err error) []web.FieldError {
	lines := LinesOf(err)
	out := make([]web.FieldError, 0, len(lines))
	for _, l := range lines {
		out = append(out, web.FieldError{Field: "text", Message: fmt.Sprintf("Line %d: %s", l.Line, l.Message)})
	}
	if len(out) == 0 {
		out = web.FormErrors(err)
	}
	return out
}

func (h *Handler) editMinutes(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if p.minutes != nil && Final(p.minutes.Status) {
		web.Fail(c, errApproved)
		return
	}
	ctx := c.Request.Context()
	var text string
	if p.minutes != nil {
		text = p.minutes.Text
	} else {
		draft, err := h.store.Draft(ctx, p.id)
		if err != nil {
			web.Fail(c, err)
			return
		}
		text = string(draft)
	}
	data := p.data("Write minutes: " + p.meeting.Title())
	auto, err := h.store.Autosaved(ctx, p.id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if auto != nil && (p.minutes == nil || auto.SavedAt.After(p.minutes.UpdatedAt) || auto.SavedAt.Equal(p.minutes.UpdatedAt)) && auto.Text != text {
		if c.Query("autosave") == "1" {
			text = auto.Text
			data["UsingAutosave"] = auto
		} else {
			data["Autosave"] = auto
		}
	}
	h.renderEdit(c, p, data, http.StatusOK, text)
}

func (h *Handler) renderEdit(c *gin.Context, p *page, data web.H, status int, text string) {
	if data == nil {
		data = p.data("Write minutes: " + p.meeting.Title())
	}
	data["Text"] = text
	data["Rows"] = min(40, max(20, strings.Count(text, "\n")+2))
	data["Preview"] = template.HTML(RenderHTML([]byte(text), nil))
	data["NotStarted"] = p.meeting.StartsAt.After(time.Now())
	web.HTML(c, status, "minutes_edit.html", data)
}

// formText reads the text field of a form post, with the browser's CRLF line ends made LF.
func formText(c *gin.Context) (string, error) {
	if err := c.Request.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", err
		}
		return "", errs.Field("text", "The form could not be read")
	}
	return strings.ReplaceAll(c.Request.PostForm.Get("text"), "\r\n", "\n"), nil
}

func (h *Handler) saveMinutes(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	text, err := formText(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h.save(c, p, []byte(text))
}

// save is the one way the pages save: on bad text the edit page comes back with every
// line's problem and the text as it was sent, so that nothing typed is lost.
func (h *Handler) save(c *gin.Context, p *page, text []byte) {
	saved, err := h.store.Save(web.Ctx(c), p.id, text)
	if err != nil {
		if errs.Code(err) != errs.Invalid && errs.Code(err) != errs.Conflict {
			web.Fail(c, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if errs.Code(err) == errs.Conflict {
			status = http.StatusConflict
		}
		data := p.data("Write minutes: " + p.meeting.Title())
		data["Errors"] = lineErrors(err)
		data["LineErrors"] = LinesOf(err)
		shown := string(text)
		if !utf8.ValidString(shown) {
			shown = strings.ToValidUTF8(strings.ReplaceAll(shown, "\x00", ""), "\uFFFD")
		}
		if len(shown) > maxMinutesSize {
			shown = ""
			data["TooLarge"] = true
		}
		h.renderEdit(c, p, data, status, shown)
		return
	}
	flash := fmt.Sprintf("Minutes saved (version %d)", saved.Minutes.Version)
	var refs []string
	for _, a := range saved.Parsed.Actions {
		refs = append(refs, a.Ref)
	}
	if len(refs) > 0 {
		flash += fmt.Sprintf(". Actions: %s", strings.Join(refs, ", "))
	}
	if saved.Carried > 0 {
		flash += fmt.Sprintf(". %d open actions carried forward to the next meeting", saved.Carried)
	}
	web.Redirect(c, p.url(""), flash)
}

// maxUpload is what an uploaded minutes file may weigh: the 2 MB the dialect reads and a
// little more, so that a file just over is told so rather than cut.
const maxUpload = maxMinutesSize + 1

func (h *Handler) uploadMinutes(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			web.Fail(c, err)
			return
		}
		data := p.data("Write minutes: " + p.meeting.Title())
		data["Errors"] = []web.FieldError{{Field: "file", Message: "Choose a markdown file (.md) to upload"}}
		text := ""
		if p.minutes != nil {
			text = p.minutes.Text
		}
		h.renderEdit(c, p, data, http.StatusUnprocessableEntity, text)
		return
	}
	f, err := fh.Open()
	if err != nil {
		web.Fail(c, err)
		return
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxUpload))
	if err != nil {
		web.Fail(c, err)
		return
	}
	text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	h.save(c, p, text)
}

// previewMinutes answers the editor's live preview: the rendered minutes, with what a save
// would refuse listed first. It saves nothing.
func (h *Handler) previewMinutes(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	text, err := formText(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	src := []byte(text)
	parsed, err := h.store.Check(c.Request.Context(), id, src)
	if err != nil {
		web.Fail(c, err)
		return
	}
	var out bytes.Buffer
	if len(parsed.Errors) > 0 {
		out.WriteString(`<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><div class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>These lines would stop the minutes being saved:<ul class="govuk-list">`)
		for _, e := range parsed.Errors {
			fmt.Fprintf(&out, "<li>Line %d: %s</li>", e.Line, template.HTMLEscapeString(e.Message))
		}
		out.WriteString("</ul></div></div>\n")
	}
	if len(src) <= maxMinutesSize && utf8.Valid(src) {
		out.Write(RenderHTML(src, parsed))
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", out.Bytes())
}

func (h *Handler) autosaveMinutes(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	text, err := formText(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.Autosave(web.Ctx(c), id, []byte(text)); err != nil {
		web.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// --- the workflow

func (h *Handler) sendToChair(c *gin.Context) {
	h.step(c, func(ctx context.Context, p *page) (string, error) {
		return "Minutes sent to the chair", h.store.SendToChair(ctx, p.id)
	})
}

func (h *Handler) circulate(c *gin.Context) {
	h.step(c, func(ctx context.Context, p *page) (string, error) {
		if p.minutes.Status != StatusWithChair {
			return "", errs.E(errs.Conflict, "Only minutes sent to the chair can be approved for circulation")
		}
		return "Minutes approved for circulation to members as a draft", h.store.Circulate(ctx, p.id)
	})
}

func (h *Handler) comment(c *gin.Context) {
	h.step(c, func(ctx context.Context, p *page) (string, error) {
		if p.minutes.Status != StatusWithChair {
			return "", errs.E(errs.Conflict, "The chair comments on the minutes while they are with the chair")
		}
		return "Your comment was sent to the clerk with the draft", h.store.Comment(ctx, p.id, c.PostForm("comment"))
	})
}

func (h *Handler) approve(c *gin.Context) {
	h.step(c, func(ctx context.Context, p *page) (string, error) {
		at, _ := strconv.ParseInt(c.PostForm("at_meeting"), 10, 64)
		if err := h.store.Approve(ctx, p.id, at); err != nil {
			return "", err
		}
		return "Minutes approved as a correct record", nil
	})
}

func (h *Handler) sign(c *gin.Context) {
	h.step(c, func(ctx context.Context, p *page) (string, error) {
		if p.minutes.Status != StatusApproved {
			return "", errs.E(errs.Conflict, "Only approved minutes are signed")
		}
		name := ""
		if u := web.CurrentUser(c); u != nil {
			name = u.Name
		}
		return "Minutes signed", h.store.Sign(ctx, p.id, name)
	})
}

// step runs one workflow step on saved minutes and goes back to the minutes page. Form
// errors (a missing comment, a meeting that can't approve) show there too.
func (h *Handler) step(c *gin.Context, do func(ctx context.Context, p *page) (string, error)) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if p.minutes == nil {
		web.Fail(c, errs.E(errs.Conflict, "No minutes have been saved for this meeting yet"))
		return
	}
	flash, err := do(web.Ctx(c), p)
	if err != nil {
		web.Fail(c, err)
		return
	}
	web.Redirect(c, p.url(""), flash)
}

// --- versions

func (h *Handler) listVersions(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := p.data("Versions of the minutes: " + p.meeting.Title())
	switch err := p.versionsVisible(); {
	case err == errNotYet:
		data["NotYet"] = true
	case err != nil:
		web.Fail(c, err)
		return
	default:
		vs, err := h.store.Versions(c.Request.Context(), p.id)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["Versions"] = vs
	}
	web.HTML(c, http.StatusOK, "minutes_versions.html", data)
}

// versionsVisible: earlier versions are drafts, so the public sees none, and members see
// them once the minutes are circulated.
func (p *page) versionsVisible() error {
	if p.minutes == nil {
		if p.v.member {
			return nil
		}
		return errs.E(errs.NotFound, "Page not found")
	}
	if p.v.member && p.v.canSee(p.minutes.Status) {
		return nil
	}
	if !p.v.member {
		return errs.E(errs.NotFound, "Page not found")
	}
	return errNotYet
}

func (h *Handler) showDiff(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := p.data("Changes to the minutes: " + p.meeting.Title())
	switch err := p.versionsVisible(); {
	case err == errNotYet:
		data["NotYet"] = true
		web.HTML(c, http.StatusOK, "minutes_diff.html", data)
		return
	case err != nil:
		web.Fail(c, err)
		return
	}
	if p.minutes == nil {
		web.HTML(c, http.StatusOK, "minutes_diff.html", data)
		return
	}
	to, err := strconv.Atoi(c.DefaultQuery("to", strconv.Itoa(p.minutes.Version)))
	if err != nil {
		web.Fail(c, errs.E(errs.Invalid, "Choose the versions to compare"))
		return
	}
	from, err := strconv.Atoi(c.DefaultQuery("from", strconv.Itoa(max(1, to-1))))
	if err != nil {
		web.Fail(c, errs.E(errs.Invalid, "Choose the versions to compare"))
		return
	}
	ctx := c.Request.Context()
	a, err := h.store.VersionText(ctx, p.id, from)
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := h.store.VersionText(ctx, p.id, to)
	if err != nil {
		web.Fail(c, err)
		return
	}
	lines := Diff(a.Text, b.Text)
	added, removed := 0, 0
	for _, l := range lines {
		switch l.Op {
		case '+':
			added++
		case '-':
			removed++
		}
	}
	data["From"], data["To"] = a, b
	data["Hunks"] = Hunks(lines, 3)
	data["Added"], data["Removed"] = added, removed
	web.HTML(c, http.StatusOK, "minutes_diff.html", data)
}

func (h *Handler) help(c *gin.Context) {
	web.HTML(c, http.StatusOK, "help_minutes.html", web.H{"Title": "How to write minutes in Quorum"})
}
