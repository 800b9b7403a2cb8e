package actions

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/audit"
	"quorum/internal/errs"
	"quorum/internal/web"
)

// apiAction is an action as the JSON API answers it (INTERFACE.md): owners as written in
// the minutes (without the @), due as the minutes parser gives it.
type apiAction struct {
	ID             int64       `json:"id"`
	Ref            string      `json:"ref"`
	BoardID        int64       `json:"board_id"`
	Text           string      `json:"text"`
	Owners         []string    `json:"owners"`
	OwnerDetails   []Owner     `json:"owner_details"`
	Status         string      `json:"status"`
	Due            *apiDue     `json:"due"`
	Overdue        bool        `json:"overdue"`
	CarriedForward int         `json:"carried_forward"`
	Dissemination  bool        `json:"dissemination"`
	Source         *apiSource  `json:"source"`
	LatestUpdate   *Update     `json:"latest_update"`
	Responses      []Response  `json:"responses,omitempty"`
	DroppedReason  string      `json:"dropped_reason,omitempty"`
	CompletedAt    time.Time   `json:"completed_at,omitzero"`
	CompletedNote  string      `json:"completed_note,omitempty"`
	DocumentID     int64       `json:"completion_document_id,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	Updates        []Update    `json:"updates,omitempty"`
	History        *apiHistory `json:"history,omitempty"`
}

// apiDue is {"date": "YYYY-MM-DD"}, {"meeting": "YYYY-MM-DD", "meeting_id": 12} or
// {"meeting": "next"}; null when the action has no due point.
type apiDue struct {
	Date      string `json:"date,omitempty"`
	Meeting   string `json:"meeting,omitempty"`
	MeetingID int64  `json:"meeting_id,omitempty"`
}

type apiSource struct {
	MeetingID int64     `json:"meeting_id"`
	StartsAt  time.Time `json:"starts_at"`
	Item      string    `json:"item,omitempty"`
	Minute    string    `json:"minute,omitempty"`
}

// apiHistory is the meetings an action passed through and its audit events.
type apiHistory struct {
	Meetings []Passage  `json:"meetings"`
	Events   []apiEvent `json:"events"`
}

type apiEvent struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
}

func toAPI(a *Action) apiAction {
	out := apiAction{ID: a.ID, Ref: a.Ref, BoardID: a.BoardID, Text: a.Text, Owners: []string{}, OwnerDetails: a.Owners,
		Status: a.Status, Overdue: a.Overdue, CarriedForward: a.CarriedForward, Dissemination: a.Dissemination,
		LatestUpdate: a.LatestUpdate, Responses: a.Responses, DroppedReason: a.DroppedReason, CompletedAt: a.CompletedAt,
		CompletedNote: a.CompletedNote, DocumentID: a.CompletionDocumentID, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	for _, o := range a.Owners {
		out.Owners = append(out.Owners, o.Label)
	}
	switch {
	case a.Due.Date != "":
		out.Due = &apiDue{Date: a.Due.Date}
	case a.Due.MeetingID != 0:
		out.Due = &apiDue{MeetingID: a.Due.MeetingID, Meeting: a.Due.MeetingStartsAt.In(london).Format(time.DateOnly)}
	case a.Due.Next:
		out.Due = &apiDue{Meeting: "next"}
	}
	if a.MeetingID != 0 {
		out.Source = &apiSource{MeetingID: a.MeetingID, StartsAt: a.MeetingStartsAt, Item: a.ItemNumber, Minute: a.MinuteNumber}
	}
	return out
}

// apiList answers the board's log: ?status=open (open or in progress, as the chair
// counts them; the default), in_progress, done, dropped, all, or several joined by
// commas; and the log page's other filters (owner, organisation, meeting, overdue, q,
// sort, desc).
func (h *Handler) apiList(c *gin.Context) {
	q := readLogQuery(c)
	if c.Query("status") == "" {
		q.Status = "open"
	}
	f, err := q.filter(0)
	if err != nil {
		web.Fail(c, err)
		return
	}
	_, member := web.BoardRole(c)
	f.Public = !member
	as, _, err := h.store.CachedList(c.Request.Context(), c.GetInt64("board_id"), f)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := make([]apiAction, len(as))
	for i := range as {
		data[i] = toAPI(&as[i])
	}
	c.JSON(http.StatusOK, gin.H{"data": data})
}

func (h *Handler) apiDashboard(c *gin.Context) {
	d, err := h.store.CachedDashboard(c.Request.Context(), c.GetInt64("board_id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, member := web.BoardRole(c); !member {
		d = d.Public()
	}
	c.JSON(http.StatusOK, d)
}

func (h *Handler) apiAction(c *gin.Context) {
	a, _, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h.answerAction(c, http.StatusOK, a)
}

// answerAction answers an action in full: with its updates and history.
func (h *Handler) answerAction(c *gin.Context, status int, a *Action) {
	ctx := c.Request.Context()
	out := toAPI(a)
	var err error
	if out.Updates, err = h.store.Updates(ctx, a.ID); err != nil {
		web.Fail(c, err)
		return
	}
	hist := &apiHistory{Events: []apiEvent{}}
	if hist.Meetings, err = h.store.History(ctx, a.ID); err != nil {
		web.Fail(c, err)
		return
	}
	events, err := audit.History(ctx, h.store.db, "action", a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	for _, e := range events {
		hist.Events = append(hist.Events, apiEvent{At: e.At, Actor: e.Actor, Action: e.Action})
	}
	out.History = hist
	if out.Updates == nil {
		out.Updates = []Update{}
	}
	c.JSON(status, out)
}

// bindJSON reads a JSON body into v; bad JSON is bad input, not a server error.
func bindJSON(c *gin.Context, v any) error {
	if err := c.ShouldBindJSON(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return errs.E(errs.Invalid, "Send a JSON object")
		}
		return errs.E(errs.Invalid, "The body is not the JSON expected: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func (h *Handler) apiPostUpdate(c *gin.Context) {
	a, v, err := h.loadAction(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !v.canUpdate {
		web.Fail(c, errNotYours)
		return
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := bindJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	u, err := h.store.AddUpdate(web.Ctx(c), a.ID, in.Text)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

// apiComplete marks the action done: {"note": "...", "request_key": "..."}. A document
// is uploaded as multipart (field file, with note and request_key as fields). Done
// already: 409, unless the request_key is the one that completed it.
func (h *Handler) apiComplete(c *gin.Context) {
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
	var in struct {
		Note       string `json:"note"`
		RequestKey string `json:"request_key"`
	}
	var docID int64
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		in.Note, in.RequestKey = c.PostForm("note"), c.PostForm("request_key")
		if docID, err = h.upload(c, ctx); err != nil {
			web.Fail(c, err)
			return
		}
	} else if err := bindJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	if err := h.store.CompleteThen(ctx, a.ID, in.Note, docID, in.RequestKey, h.circulate(c)); err != nil {
		web.Fail(c, err)
		return
	}
	done, err := h.store.Action(c.Request.Context(), a.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h.answerAction(c, http.StatusOK, done)
}
