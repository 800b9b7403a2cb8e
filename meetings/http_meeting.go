package meetings

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
	"quorum/internal/web"
)

// The meeting page and what is done from it: the agenda builder, papers, attendance,
// apologies and declarations.

func (h *Handler) meetingID(c *gin.Context) int64 { id, _ := web.ParseID(c.Param("id")); return id }

func formVersion(c *gin.Context) int { v, _ := strconv.Atoi(c.PostForm("version")); return v }

func formID(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(c.PostForm(name)), 10, 64)
	return id
}

func (h *Handler) showMeeting(c *gin.Context) {
	h.renderMeeting(c, nil, nil)
}

// renderMeeting shows the meeting page; with formErr, the form that failed is re-shown
// with its errors and the values typed (form).
func (h *Handler) renderMeeting(c *gin.Context, formErr error, form web.H) {
	ctx := c.Request.Context()
	id := h.meetingID(c)
	m, err := h.store.Meeting(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := h.store.Board(ctx, m.BoardID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, member := web.BoardRole(c)
	now := time.Now()
	data := web.H{"Title": m.Title(), "Nav": "boards", "Meeting": m, "Board": b, "IsClerk": clerk, "IsMember": member,
		"Purposes": Purposes, "Held": m.Held(now), "Upcoming": m.StartsAt.After(now) && m.Status != StatusCancelled,
		"Form": form, "InterestKinds": InterestKinds}
	if member {
		q, err := h.store.Quorum(ctx, id)
		if err != nil {
			web.Fail(c, err)
			return
		}
		decl, err := h.store.Declarations(ctx, id)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["Quorum"], data["Declarations"] = q, decl
	}
	if u := web.CurrentUser(c); u != nil && u.PersonID != 0 && member {
		// The clerk's seat is to serve the meeting, not to send apologies to themselves.
		if st, ok, _ := seatOn(ctx, cached{h.store}, b.ID, u.PersonID, now.In(London).Format("2006-01-02")); ok && st.role != "clerk" {
			subs, err := h.store.Substitutes(ctx, b.ID, u.PersonID)
			if err != nil {
				web.Fail(c, err)
				return
			}
			// The meeting was read with its attendance: no second query.
			mine := attendanceOf(m.Attendance, u.PersonID)
			data["Me"] = web.H{"PersonID": u.PersonID, "Mine": mine, "Substitutes": subs}
		}
	}
	if clerk {
		offers, err := h.store.Offers(ctx, id)
		if err != nil {
			web.Fail(c, err)
			return
		}
		people, err := h.store.AttendanceCandidates(ctx, b.ID, m.StartsAt)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["Offers"], data["People"] = offers, people
		data["Local"] = web.H{"Date": m.StartsAt.In(London).Format("2006-01-02"), "Time": m.StartsAt.In(London).Format("15:04"),
			"End": m.EndsAt.In(London).Format("15:04")}
	}
	if formErr != nil {
		web.Form(c, "meeting_show.html", data, formErr)
		return
	}
	web.HTML(c, http.StatusOK, "meeting_show.html", data)
}

func (h *Handler) backToMeeting(c *gin.Context, id int64, anchor, flash string) {
	web.Redirect(c, fmt.Sprintf("/meetings/%d%s", id, anchor), flash)
}

func itemFromForm(c *gin.Context, it *AgendaItem) error {
	it.Title = c.PostForm("title")
	it.Purpose = c.PostForm("purpose")
	it.Presenter = c.PostForm("presenter")
	it.Exempt = c.PostForm("exempt") == "1"
	it.ExemptReason = strings.TrimSpace(c.PostForm("exempt_reason"))
	d := strings.TrimSpace(c.PostForm("duration_minutes"))
	if d == "" {
		it.Duration = 0
		return nil
	}
	n, err := strconv.Atoi(d)
	if err != nil {
		return errs.Field("duration_minutes", "Enter the time for the item in whole minutes, such as 15")
	}
	it.Duration = n
	return nil
}

func (h *Handler) addItem(c *gin.Context) {
	id := h.meetingID(c)
	it := &AgendaItem{MeetingID: id}
	err := itemFromForm(c, it)
	if err == nil {
		err = h.store.AddItemAt(web.Ctx(c), it, formVersion(c))
	}
	if err != nil {
		h.renderMeeting(c, err, formValues(c))
		return
	}
	h.backToMeeting(c, id, "#agenda", fmt.Sprintf("Item %s added: %s", it.Number, it.Title))
}

// formValues keeps what was typed, to show it again with the errors.
func formValues(c *gin.Context) web.H {
	_ = c.Request.ParseForm()
	out := web.H{}
	for k, v := range c.Request.PostForm {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

func (h *Handler) addOffer(c *gin.Context) {
	id := h.meetingID(c)
	it, err := h.store.AddOffer(web.Ctx(c), id, c.PostForm("kind"), formID(c, "offer_id"), formVersion(c))
	if err != nil {
		h.renderMeeting(c, err, nil)
		return
	}
	h.backToMeeting(c, id, "#agenda", fmt.Sprintf("Item %s added: %s", it.Number, it.Title))
}

func (h *Handler) publishAgenda(c *gin.Context) {
	id := h.meetingID(c)
	if err := h.store.PublishAgenda(web.Ctx(c), id); err != nil {
		h.renderMeeting(c, err, nil)
		return
	}
	h.backToMeeting(c, id, "", "Agenda published: papers added from now on are marked as supplements")
}

func (h *Handler) moveMeeting(c *gin.Context) {
	id := h.meetingID(c)
	ctx := c.Request.Context()
	starts, err := parseLocal(c.PostForm("date"), c.PostForm("time"))
	if err == nil {
		var ends time.Time
		if e := strings.TrimSpace(c.PostForm("end_time")); e != "" {
			if ends, err = parseLocal(c.PostForm("date"), e); err != nil {
				err = errs.Field("end_time", "Enter the end time as 24-hour hh:mm, such as 12:00")
			}
		}
		if err == nil {
			err = h.store.MoveMeeting(web.Ctx(c), id, starts, ends, c.PostForm("mode"), c.PostForm("place"), c.PostForm("notice"))
		}
	}
	if err != nil {
		h.renderMeeting(c, err, formValues(c))
		return
	}
	m, _ := h.store.Meeting(ctx, id)
	flash := "Meeting moved"
	if m != nil {
		flash = "Meeting moved to " + m.StartsAt.In(London).Format("2 January 2006, 3.04 pm") + ". Partners see the notice on this page."
	}
	h.backToMeeting(c, id, "", flash)
}

func (h *Handler) cancelMeeting(c *gin.Context) {
	id := h.meetingID(c)
	if err := h.store.CancelMeeting(web.Ctx(c), id, c.PostForm("cancel_notice")); err != nil {
		if errs.FieldOf(err) == "notice" {
			err = errs.Field("cancel_notice", "%s", errs.Message(err))
		}
		h.renderMeeting(c, err, formValues(c))
		return
	}
	h.backToMeeting(c, id, "", "Meeting cancelled. Partners see the notice on this page.")
}

// --- items

func (h *Handler) itemOf(c *gin.Context) (*AgendaItem, bool) {
	id, _ := web.ParseID(c.Param("id"))
	it, err := h.store.Item(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return nil, false
	}
	return it, true
}

func (h *Handler) editItem(c *gin.Context) { h.renderItem(c, nil, nil) }

func (h *Handler) renderItem(c *gin.Context, it *AgendaItem, formErr error) {
	ctx := c.Request.Context()
	saved, ok := h.itemOf(c)
	if !ok {
		return
	}
	m, err := h.store.Meeting(ctx, saved.MeetingID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	for _, i := range m.Items {
		if i.ID == saved.ID {
			saved.Papers = i.Papers
		}
	}
	later, err := h.store.LaterMeetings(ctx, m.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if it == nil {
		it = saved
	}
	data := web.H{"Title": "Item " + saved.Number + ": " + saved.Title, "Nav": "boards", "Meeting": m, "Item": it, "Saved": saved,
		"Purposes": Purposes, "Later": later, "MaxMB": MaxPaperSize >> 20}
	if formErr != nil {
		web.Form(c, "meeting_item.html", data, formErr)
		return
	}
	web.HTML(c, http.StatusOK, "meeting_item.html", data)
}

func (h *Handler) updateItem(c *gin.Context) {
	saved, ok := h.itemOf(c)
	if !ok {
		return
	}
	it := *saved
	err := itemFromForm(c, &it)
	if err == nil {
		err = h.store.UpdateItem(web.Ctx(c), &it, formVersion(c))
	}
	if err != nil {
		h.renderItem(c, &it, err)
		return
	}
	h.backToMeeting(c, saved.MeetingID, "#agenda", fmt.Sprintf("Item %s saved", saved.Number))
}

func (h *Handler) moveItem(c *gin.Context) {
	it, ok := h.itemOf(c)
	if !ok {
		return
	}
	dir := map[string]int{"up": -1, "down": 1}[c.PostForm("direction")]
	if err := h.store.MoveItem(web.Ctx(c), it.ID, dir, formVersion(c)); err != nil {
		c.Params = gin.Params{{Key: "id", Value: strconv.FormatInt(it.MeetingID, 10)}}
		h.renderMeeting(c, err, nil)
		return
	}
	moved, _ := h.store.Item(c.Request.Context(), it.ID)
	flash := "Item moved"
	if moved != nil {
		flash = fmt.Sprintf("%s is now item %s", moved.Title, moved.Number)
	}
	h.backToMeeting(c, it.MeetingID, fmt.Sprintf("#item-%d", it.ID), flash)
}

func (h *Handler) addSubItem(c *gin.Context) {
	parent, ok := h.itemOf(c)
	if !ok {
		return
	}
	it := &AgendaItem{}
	err := itemFromForm(c, it)
	if err == nil {
		err = h.store.AddSubItem(web.Ctx(c), parent.ID, it, formVersion(c))
	}
	if err != nil {
		if errs.FieldOf(err) == "title" {
			err = errs.Field("sub_title", "%s", errs.Message(err))
		}
		h.renderItem(c, nil, err)
		return
	}
	h.backToMeeting(c, parent.MeetingID, "#agenda", fmt.Sprintf("Item %s added: %s", it.Number, it.Title))
}

func (h *Handler) postponeItem(c *gin.Context) {
	it, ok := h.itemOf(c)
	if !ok {
		return
	}
	moved, err := h.store.PostponeItem(web.Ctx(c), it.ID, formID(c, "to_meeting"), formVersion(c))
	if err != nil {
		h.renderItem(c, nil, err)
		return
	}
	to, _ := h.store.Meeting(c.Request.Context(), moved.MeetingID)
	when := ""
	if to != nil {
		when = " to the meeting on " + to.StartsAt.In(London).Format("2 January 2006")
	}
	h.backToMeeting(c, it.MeetingID, "#agenda", fmt.Sprintf("Item %s postponed%s, where it is item %s", it.Number, when, moved.Number))
}

func (h *Handler) removeItem(c *gin.Context) {
	it, ok := h.itemOf(c)
	if !ok {
		return
	}
	if err := h.store.RemoveItem(web.Ctx(c), it.ID, formVersion(c)); err != nil {
		h.renderItem(c, nil, err)
		return
	}
	h.backToMeeting(c, it.MeetingID, "#agenda", fmt.Sprintf("Item removed: %s. The agenda is renumbered.", it.Title))
}

// --- papers

// readUpload reads the multipart field "file" under the paper size cap.
func readUpload(c *gin.Context) (string, []byte, error) {
	// The form around the file is small; the cap leaves room for it.
	web.UploadLimit(c, MaxPaperSize+64<<10)
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, errs.E(errs.TooLarge, "The selected file must be smaller than %d MB", MaxPaperSize>>20)
		}
		return "", nil, errs.Field("file", "Select a PDF file to upload")
	}
	if fh.Size > MaxPaperSize {
		return "", nil, errs.E(errs.TooLarge, "The selected file must be smaller than %d MB", MaxPaperSize>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPaperSize+1))
	if err != nil {
		return "", nil, err
	}
	return fh.Filename, data, nil
}

func (h *Handler) uploadPaper(c *gin.Context) {
	it, ok := h.itemOf(c)
	if !ok {
		return
	}
	name, data, err := readUpload(c)
	var p *Paper
	if err == nil {
		p, err = h.store.AddPaper(web.Ctx(c), NewPaper{ItemID: it.ID, Title: c.PostForm("paper_title"), Filename: name, Data: data,
			Replaces: formID(c, "replaces"), By: web.Actor(c).Name})
	}
	if err != nil {
		if errs.Code(err) == errs.TooLarge {
			web.Fail(c, err)
			return
		}
		if errs.FieldOf(err) == "title" {
			err = errs.Field("paper_title", "%s", errs.Message(err))
		}
		h.renderItem(c, nil, err)
		return
	}
	flash := fmt.Sprintf("Paper added to item %s: %s (%d pages)", it.Number, p.Title, p.Pages)
	if p.Version > 1 {
		flash = fmt.Sprintf("Version %d of %s added to item %s; the earlier version is kept", p.Version, p.Title, it.Number)
	}
	if p.Supplement {
		flash += ". It is marked as a supplement, since the agenda was already published."
	}
	h.backToMeeting(c, it.MeetingID, fmt.Sprintf("#item-%d", it.ID), flash)
}

func (h *Handler) downloadPaper(c *gin.Context) {
	ctx := c.Request.Context()
	id, _ := web.ParseID(c.Param("id"))
	p, err := h.store.Paper(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, member := web.BoardRole(c); !member {
		it, err := h.store.Item(ctx, p.ItemID)
		if err != nil || it.Exempt {
			web.Fail(c, errs.E(errs.NotFound, "Page not found"))
			return
		}
	}
	data, err := h.store.PaperFile(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	// The page CSP would stop the browser's PDF viewer; a PDF needs none of it.
	c.Writer.Header().Del("Content-Security-Policy")
	c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": p.Filename}))
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, "application/pdf", data)
}

// --- attendance, apologies and declarations

func (h *Handler) recordAttendance(c *gin.Context) {
	id := h.meetingID(c)
	a := Attendance{Status: c.PostForm("status"), Role: strings.TrimSpace(c.PostForm("role")),
		PersonID: formID(c, "person_id"), SubstituteFor: formID(c, "substitute_for")}
	if a.PersonID == 0 {
		// Someone the list does not offer is typed by name or email.
		if q := strings.TrimSpace(c.PostForm("person")); q != "" {
			p, err := h.store.FindPerson(web.Ctx(c), "person", q)
			if err != nil {
				h.renderMeeting(c, err, formValues(c))
				return
			}
			a.PersonID = p.ID
		}
	}
	if a.PersonID == 0 {
		h.renderMeeting(c, errs.Field("person_id", "Choose the person, or enter the name or email address of someone else"), formValues(c))
		return
	}
	if err := h.store.MarkAttendance(web.Ctx(c), id, a); err != nil {
		h.renderMeeting(c, err, formValues(c))
		return
	}
	h.backToMeeting(c, id, "#attendance", "Attendance recorded")
}

func (h *Handler) removeAttendance(c *gin.Context) {
	id := h.meetingID(c)
	if err := h.store.RemoveAttendance(web.Ctx(c), id, formID(c, "person_id")); err != nil {
		h.renderMeeting(c, err, nil)
		return
	}
	h.backToMeeting(c, id, "#attendance", "Taken off the attendance record")
}

// sendApologies is the partner's one click: apologies, with or without a substitute, or
// taking them back.
func (h *Handler) sendApologies(c *gin.Context) {
	id := h.meetingID(c)
	u := web.CurrentUser(c)
	if u == nil || u.PersonID == 0 {
		web.Fail(c, errs.E(errs.Forbidden, "Only members of the board send apologies for its meetings"))
		return
	}
	var err error
	flash := "Your apologies are sent to the clerk"
	switch c.PostForm("action") {
	case "withdraw":
		err = h.store.WithdrawApologies(web.Ctx(c), id, u.PersonID, time.Now())
		flash = "Your apologies are withdrawn: the clerk expects you at the meeting"
	case "substitute":
		sub := formID(c, "substitute_id")
		if sub == 0 {
			err = errs.Field("substitute_id", "Choose who will attend in your place")
			break
		}
		err = h.store.SendApologies(web.Ctx(c), id, u.PersonID, sub, time.Now())
		if p, perr := h.store.Person(c.Request.Context(), sub); perr == nil {
			flash = "Your apologies are sent, naming " + p.Name + " as your substitute"
		}
	default:
		err = h.store.SendApologies(web.Ctx(c), id, u.PersonID, 0, time.Now())
	}
	back := c.PostForm("back")
	if err != nil {
		if back == "/my/meetings" && errs.Code(err) == errs.Invalid {
			h.renderMine(c, err)
			return
		}
		h.renderMeeting(c, err, formValues(c))
		return
	}
	if back == "/my/meetings" {
		web.Redirect(c, back, flash)
		return
	}
	h.backToMeeting(c, id, "#your-attendance", flash)
}

func (h *Handler) declare(c *gin.Context) {
	id := h.meetingID(c)
	clerk, _ := web.BoardRole(c)
	d := &Declaration{MeetingID: id, ItemID: formID(c, "item_id"), Kind: c.PostForm("kind"), Nature: c.PostForm("nature")}
	u := web.CurrentUser(c)
	if clerk {
		d.PersonID = formID(c, "person_id")
	}
	if d.PersonID == 0 && u != nil {
		d.PersonID, d.BySelf = u.PersonID, true
	}
	if d.PersonID == 0 {
		h.renderMeeting(c, errs.Field("person_id", "Choose who declares the interest"), formValues(c))
		return
	}
	if err := h.store.Declare(web.Ctx(c), d); err != nil {
		h.renderMeeting(c, err, formValues(c))
		return
	}
	h.backToMeeting(c, id, "#declarations", "Declaration of interest recorded")
}

func (h *Handler) removeDeclaration(c *gin.Context) {
	id := h.meetingID(c)
	if err := h.store.RemoveDeclaration(web.Ctx(c), id, formID(c, "declaration_id")); err != nil {
		h.renderMeeting(c, err, nil)
		return
	}
	h.backToMeeting(c, id, "#declarations", "Declaration removed")
}

func (h *Handler) myMeetings(c *gin.Context) { h.renderMine(c, nil) }

func (h *Handler) renderMine(c *gin.Context, formErr error) {
	ms, err := h.store.MyMeetings(c.Request.Context(), personOf(web.CurrentUser(c)))
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := web.H{"Title": "My meetings", "Nav": "meetings", "Meetings": ms}
	if formErr != nil {
		web.Form(c, "meetings_mine.html", data, formErr)
		return
	}
	web.HTML(c, http.StatusOK, "meetings_mine.html", data)
}
