package importer

import (
	"context"
	"errors"
	"fmt"
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
	"quorum/minutes"
)

// MaxUpload is what an uploaded original may weigh, with its form.
const MaxUpload = 10 << 20

// Handler serves the import pages: the board's meetings without minutes, and for one
// meeting the upload, the side-by-side preview, the owners to map and the save.
type Handler struct{ store *Store }

// NewHandler returns the handler.
func NewHandler(s *Store) *Handler { return &Handler{store: s} }

// Register lists every URL the package serves: all for the board's clerk.
func (h *Handler) Register(r *web.Router) {
	r.GET("/boards/:id/minutes/import", web.Clerk("board"), h.showSeries)
	r.GET("/meetings/:id/minutes/import", web.Clerk("meeting"), h.showImport)
	r.POST("/meetings/:id/minutes/import", web.Clerk("meeting"), h.upload)
	r.POST("/meetings/:id/minutes/import/owners", web.Clerk("meeting"), h.mapOwners)
	r.POST("/meetings/:id/minutes/import/save", web.Clerk("meeting"), h.save)
	r.POST("/meetings/:id/minutes/import/discard", web.Clerk("meeting"), h.discard)
}

func (h *Handler) showSeries(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := h.store.meetings.Board(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	todo, err := h.store.Unminuted(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	web.HTML(c, http.StatusOK, "import_board.html", web.H{"Title": "Import old minutes: " + b.Name, "Nav": "boards",
		"Board": b, "Unminuted": todo})
}

// page is what the meeting's import page shows.
type page struct {
	meeting   *meetings.Meeting
	board     *meetings.Board
	minutes   *minutes.Minutes
	upload    *Upload
	unminuted []meetings.Meeting
	data      web.H
}

func (h *Handler) load(c *gin.Context) (*page, error) {
	ctx := c.Request.Context()
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		return nil, err
	}
	p := &page{}
	if p.meeting, err = h.store.meetings.Meeting(ctx, id); err != nil {
		return nil, err
	}
	if p.board, err = h.store.meetings.Board(ctx, p.meeting.BoardID); err != nil {
		return nil, err
	}
	p.minutes, err = h.store.minutes.Minutes(ctx, id)
	if errs.Code(err) == errs.NotFound {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if p.upload, err = h.store.Upload(ctx, id); err != nil {
		return nil, err
	}
	if p.unminuted, err = h.store.Unminuted(ctx, p.board.ID); err != nil {
		return nil, err
	}
	var earlier []meetings.Meeting
	for _, m := range p.unminuted {
		if m.StartsAt.Before(p.meeting.StartsAt) {
			earlier = append(earlier, m)
		}
	}
	p.data = web.H{"Title": "Import minutes: " + p.meeting.Title(), "Nav": "boards", "Meeting": p.meeting, "Board": p.board,
		"Minutes": p.minutes, "Upload": p.upload, "Unminuted": p.unminuted, "Earlier": earlier,
		"Approved":   p.minutes != nil && minutes.Final(p.minutes.Status),
		"NotStarted": p.meeting.StartsAt.After(time.Now()), "Cancelled": p.meeting.Status == meetings.StatusCancelled}
	if p.minutes != nil {
		p.data["StatusLabel"] = minutes.StatusLabel(p.minutes.Status)
	}
	next, err := h.store.meetings.NextMeeting(ctx, p.board.ID, p.meeting.StartsAt)
	if err != nil {
		return nil, err
	}
	p.data["Next"] = next
	p.data["ApproveHint"] = "The board has no later meeting in Quorum: they are recorded as approved before Quorum, and can no longer be changed."
	if next != nil {
		p.data["ApproveHint"] = "They are recorded as approved at the next meeting, " + next.StartsAt.In(meetings.London).Format("2 January 2006") + ", and can no longer be changed."
	}
	return p, nil
}

func (p *page) url(suffix string) string {
	return fmt.Sprintf("/meetings/%d/minutes/import%s", p.meeting.ID, suffix)
}

func (h *Handler) showImport(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h.render(c, p, http.StatusOK, nil, saveForm{})
}

// saveForm is what the clerk sent with the corrected text; zero on a fresh preview.
type saveForm struct {
	sent     bool
	text     string
	close    map[int64]bool
	approved bool
}

// render shows the page: with a pending upload, its conversion (again, with the owners as
// mapped now) beside the original, the summary, and the form to correct and save it.
func (h *Handler) render(c *gin.Context, p *page, status int, problems []web.FieldError, f saveForm) {
	ctx := c.Request.Context()
	d := p.data
	if problems != nil {
		d["Errors"] = problems
	}
	if p.upload != nil && p.upload.SavedAt.IsZero() {
		res, err := h.store.Convert(ctx, p.board.ID, p.upload)
		if err != nil {
			// It converted when it was uploaded; a later change of the converter may refuse
			// it: say so, and offer a new upload.
			d["ConvertError"] = errs.Message(err)
		} else if err := h.preview(ctx, p, res, f); err != nil {
			web.Fail(c, err)
			return
		}
	}
	web.HTML(c, status, "import_meeting.html", d)
}

// preview fills in the side-by-side view, the summary, the owners to map, what a save
// would refuse, the actions reported done and the text to correct.
func (h *Handler) preview(ctx context.Context, p *page, res *Result, f saveForm) error {
	d := p.data
	text := string(res.Markdown)
	if f.sent {
		text = f.text
	}
	d["Result"] = res
	d["Text"] = text
	d["Rows"] = min(40, max(20, strings.Count(text, "\n")+2))
	d["OriginalLines"], d["MarkdownLines"] = sideBySide(res)
	choices, err := h.store.OwnerChoices(ctx, p.board.ID)
	if err != nil {
		return err
	}
	d["Choices"] = choices
	mapped, err := h.store.OwnerMap(ctx, p.board.ID)
	if err != nil {
		return err
	}
	d["Mapped"] = mapped
	if !f.sent {
		check, err := h.store.minutes.Check(ctx, p.meeting.ID, res.Markdown)
		if err != nil {
			return err
		}
		d["CheckErrors"] = check.Errors
	}
	open, err := h.store.OpenBefore(ctx, p.meeting.ID)
	if err != nil {
		return err
	}
	found := FindDone([]byte(text), open)
	type doneRow struct {
		Done
		Checked bool
	}
	rows := make([]doneRow, 0, len(found))
	for _, x := range found {
		rows = append(rows, doneRow{x, !f.sent || f.close[x.ActionID]})
	}
	if f.sent {
		// What the clerk ticked that the corrected text no longer mentions stays offered.
		for id := range f.close {
			known := false
			for _, r := range rows {
				known = known || r.ActionID == id
			}
			for _, a := range open {
				if a.ID == id && !known {
					rows = append(rows, doneRow{Done{ActionID: a.ID, Ref: a.Ref, Text: a.Text}, true})
				}
			}
		}
	}
	d["Done"] = rows
	d["OpenCount"] = len(open)
	d["ApprovedChecked"] = f.approved
	return nil
}

// kindLabels name what was recognised, as the clerk would.
var kindLabels = map[string]string{
	"board": "Board", "meeting": "Date and time", "place": "Place", "present": "Present", "also_present": "Also present",
	"apologies": "Apologies", "substitute": "Substitute", "item": "Item", "resolution": "Resolution", "action": "Action",
	"note": "Post-meeting note", "next_meeting": "Next meeting", "ended": "Meeting ended", "signature": "Signature",
}

// shownLine is one line of either side of the preview: highlighted (Kind) when something
// was recognised on it, with a link to where it stands on the other side.
type shownLine struct {
	N     int
	Text  string
	Kind  string
	Label string
	ID    string
	Link  string
}

func sideBySide(res *Result) (orig, md []shownLine) {
	bySource := map[int]Span{}
	byLine := map[int]Span{}
	for _, s := range res.Highlights {
		if _, ok := bySource[s.Source]; !ok && s.Source > 0 {
			bySource[s.Source] = s
		}
		if _, ok := byLine[s.Line]; !ok && s.Line > 0 {
			byLine[s.Line] = s
		}
	}
	for _, l := range res.Original {
		sl := shownLine{N: l.N, Text: l.Text, ID: fmt.Sprintf("src-%d", l.N)}
		if s, ok := bySource[l.N]; ok {
			sl.Kind, sl.Label = s.Kind, kindLabels[s.Kind]
			if s.Line > 0 {
				sl.Link = fmt.Sprintf("#md-%d", s.Line)
			}
		}
		orig = append(orig, sl)
	}
	for i, l := range strings.Split(strings.TrimRight(string(res.Markdown), "\n"), "\n") {
		n := i + 1
		sl := shownLine{N: n, Text: l, ID: fmt.Sprintf("md-%d", n)}
		if s, ok := byLine[n]; ok {
			sl.Kind, sl.Label = s.Kind, kindLabels[s.Kind]
			if s.Source > 0 {
				sl.Link = fmt.Sprintf("#src-%d", s.Source)
			}
		}
		md = append(md, sl)
	}
	return orig, md
}

// refusal says why minutes cannot be imported for this meeting now, or nil.
func (p *page) refusal() error {
	switch {
	case p.meeting.Status == meetings.StatusCancelled:
		return errs.E(errs.Conflict, "This meeting was cancelled: it has no minutes to import")
	case p.meeting.StartsAt.After(time.Now()):
		return errs.E(errs.Conflict, "This meeting has not taken place yet: import minutes for past meetings")
	case p.minutes != nil && minutes.Final(p.minutes.Status):
		return errs.E(errs.Conflict, "The minutes of this meeting are approved: they can no longer be replaced by an import")
	}
	return nil
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || (err != nil && strings.Contains(err.Error(), "request body too large"))
}

// upload takes a .docx or .txt file, or pasted text, converts it to check that it reads,
// and keeps it for the preview.
func (h *Handler) upload(c *gin.Context) {
	web.UploadLimit(c, MaxUpload)
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := p.refusal(); err != nil {
		web.Fail(c, err)
		return
	}
	fail := func(status int, field, msg string) {
		p.upload = nil
		p.data["Upload"] = nil
		h.render(c, p, status, []web.FieldError{{Field: field, Message: msg}}, saveForm{})
	}
	tooBig := fmt.Sprintf("The file is larger than %d MB: split the minutes into one file per meeting", MaxUpload>>20)
	var name string
	var data []byte
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
			if tooLarge(err) {
				fail(http.StatusRequestEntityTooLarge, "file", tooBig)
				return
			}
			fail(http.StatusBadRequest, "file", "The upload could not be read: choose the file again")
			return
		}
		if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
			f, err := fh.Open()
			if err != nil {
				web.Fail(c, err)
				return
			}
			data, err = io.ReadAll(io.LimitReader(f, MaxUpload+1))
			f.Close()
			if err != nil {
				web.Fail(c, err)
				return
			}
			name = fh.Filename
		}
	} else if err := c.Request.ParseForm(); err != nil {
		if tooLarge(err) {
			fail(http.StatusRequestEntityTooLarge, "pasted", "The pasted text is too long: paste the minutes of one meeting at a time")
			return
		}
		fail(http.StatusBadRequest, "pasted", "The form could not be read")
		return
	}
	if len(data) == 0 {
		data = []byte(strings.ReplaceAll(c.Request.PostFormValue("pasted"), "\r\n", "\n"))
		if strings.TrimSpace(string(data)) == "" {
			if name != "" {
				fail(http.StatusUnprocessableEntity, "file", "The file "+name+" is empty")
				return
			}
			fail(http.StatusUnprocessableEntity, "file", "Choose a .docx or .txt file of the minutes, or paste their text")
			return
		}
	}
	if len(data) > MaxUpload {
		fail(http.StatusRequestEntityTooLarge, "file", tooBig)
		return
	}
	field := "file"
	if name == "" {
		field = "pasted"
	}
	format, err := FormatOf(name, data)
	if err != nil {
		fail(http.StatusUnprocessableEntity, field, message(name, err))
		return
	}
	u := &Upload{MeetingID: p.meeting.ID, Filename: name, Format: format, Original: data}
	if _, err := h.store.Convert(c.Request.Context(), p.board.ID, u); err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		fail(status, field, message(name, err))
		return
	}
	if err := h.store.Keep(web.Ctx(c), u); err != nil {
		web.Fail(c, err)
		return
	}
	what := "The pasted text"
	if name != "" {
		what = name
	}
	web.Redirect(c, p.url("")+"#preview", what+" was converted: check it below, correct it, and save it as the minutes")
}

// message is an import error as the clerk reads it, naming the file.
func message(name string, err error) string {
	m := err.Error()
	if name != "" {
		m = name + ": " + m
	}
	if r := []rune(m); len(r) > 300 {
		m = string(r[:300]) + "…"
	}
	return strings.ToUpper(m[:1]) + m[1:]
}

// mapOwners remembers, for the board, who the unmatched owners are, and shows the
// conversion again with them.
func (h *Handler) mapOwners(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		web.Fail(c, errs.E(errs.Invalid, "The form could not be read"))
		return
	}
	// found[i] is mapped to handle-i; a "forget" button sends one name and no handle.
	found, forget := c.PostFormArray("found"), c.PostForm("forget") != ""
	ctx := web.Ctx(c)
	var problems []web.FieldError
	n := 0
	for i, name := range found {
		field := fmt.Sprintf("handle-%d", i)
		hd := strings.TrimSpace(c.PostForm(field))
		if forget {
			hd = ""
		} else if hd == "" {
			continue // not chosen yet
		}
		if err := h.store.RememberOwner(ctx, p.board.ID, name, hd); err != nil {
			if fe := web.FormErrors(err); fe != nil {
				problems = append(problems, web.FieldError{Field: field, Message: errs.Message(err)})
				continue
			}
			web.Fail(c, err)
			return
		}
		n++
	}
	if len(problems) > 0 {
		h.render(c, p, http.StatusUnprocessableEntity, problems, saveForm{})
		return
	}
	flash := ""
	switch {
	case forget:
		flash = "Forgotten: the name is matched afresh from now on"
	case n == 1:
		flash = "1 owner remembered for the board and applied to the conversion"
	case n > 1:
		flash = fmt.Sprintf("%d owners remembered for the board and applied to the conversion", n)
	}
	web.Redirect(c, p.url("")+"#owners", flash)
}

// save keeps the corrected text as the meeting's minutes, closes the actions ticked as
// reported done, and approves them if the original was approved.
func (h *Handler) save(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := p.refusal(); err != nil {
		web.Fail(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		if tooLarge(err) {
			web.Fail(c, err)
			return
		}
		web.Fail(c, errs.E(errs.Invalid, "The form could not be read"))
		return
	}
	f := saveForm{sent: true, text: strings.ReplaceAll(c.PostForm("text"), "\r\n", "\n"), close: map[int64]bool{},
		approved: c.PostForm("approved") != ""}
	for _, v := range c.PostFormArray("close") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.close[id] = true
		}
	}
	if p.upload == nil || !p.upload.SavedAt.IsZero() {
		web.Redirect(c, p.url(""), "Upload the minutes to import first")
		return
	}
	res, err := h.store.Convert(c.Request.Context(), p.board.ID, p.upload)
	if err != nil {
		web.Fail(c, errs.E(errs.Invalid, "%s", errs.Message(err)))
		return
	}
	opt := SaveOptions{Approved: f.approved, Summary: res.Summary}
	for id := range f.close {
		opt.Close = append(opt.Close, id)
	}
	saved, err := h.store.Save(web.Ctx(c), p.meeting.ID, []byte(f.text), opt)
	if err != nil {
		code := errs.Code(err)
		if code != errs.Invalid && code != errs.Conflict {
			web.Fail(c, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if code == errs.Conflict {
			status = http.StatusConflict
		}
		var problems []web.FieldError
		for _, l := range minutes.LinesOf(err) {
			problems = append(problems, web.FieldError{Field: "text", Message: fmt.Sprintf("Line %d: %s", l.Line, l.Message)})
		}
		if len(problems) == 0 {
			problems = []web.FieldError{{Field: "text", Message: errs.Message(err)}}
		}
		p.data["LineErrors"] = minutes.LinesOf(err)
		if !utf8.ValidString(f.text) {
			f.text = strings.ToValidUTF8(f.text, "\uFFFD")
		}
		h.render(c, p, status, problems, f)
		return
	}
	flash := fmt.Sprintf("Minutes of %s saved", p.meeting.StartsAt.In(meetings.London).Format("2 January 2006"))
	if n := len(saved.Parsed.Actions); n > 0 {
		flash += fmt.Sprintf(", with %d action%s", n, plural(n))
	}
	if len(saved.Closed) > 0 {
		flash += ". Marked done: " + strings.Join(doneRefs(saved.Closed), ", ")
	}
	if saved.Carried > 0 {
		flash += fmt.Sprintf(". %d open action%s carried forward", saved.Carried, plural(saved.Carried))
	}
	switch {
	case saved.ApproveErr != nil:
		flash += ". They could not be approved: " + errs.Message(saved.ApproveErr)
	case saved.Approved != "":
		flash += ". Approved " + saved.Approved
	}
	web.Redirect(c, p.url("")+"#imported", flash)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (h *Handler) discard(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.Discard(c.Request.Context(), p.meeting.ID); err != nil {
		web.Fail(c, err)
		return
	}
	web.Redirect(c, p.url(""), "The upload was discarded")
}
