package meetings

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
	"quorum/internal/web"
)

// The JSON API under /api/v1, shaped as INTERFACE.md fixes it.

func bindJSON(c *gin.Context, v any) bool {
	if err := c.ShouldBindJSON(v); err != nil {
		web.Fail(c, errs.E(errs.Invalid, "The request body is not the JSON expected: %v", err))
		return false
	}
	return true
}

func (h *Handler) apiBoards(c *gin.Context) {
	u := web.CurrentUser(c)
	boards, err := h.store.VisibleBoards(c.Request.Context(), personOf(u), isClerkUser(u))
	if err != nil {
		web.Fail(c, err)
		return
	}
	if boards == nil {
		boards = []Board{}
	}
	c.JSON(http.StatusOK, gin.H{"data": boards})
}

func (h *Handler) apiCreateBoard(c *gin.Context) {
	var b Board
	if !bindJSON(c, &b) {
		return
	}
	b.ID, b.Members = 0, nil
	if b.ClerkID == 0 {
		b.ClerkID = personOf(web.CurrentUser(c))
	}
	if err := h.store.CreateBoard(web.Ctx(c), &b); err != nil {
		web.Fail(c, err)
		return
	}
	out, err := h.store.Board(c.Request.Context(), b.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

func (h *Handler) apiBoard(c *gin.Context) {
	b, err := h.store.Board(c.Request.Context(), h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	if b.Members == nil {
		b.Members = []Membership{}
	}
	c.JSON(http.StatusOK, b)
}

func (h *Handler) apiMeetings(c *gin.Context) {
	ms, err := h.store.AllMeetings(c.Request.Context(), h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": ms})
}

type scheduleRequest struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Mode     string    `json:"mode"`
	Place    string    `json:"place"`
}

func (h *Handler) apiSchedule(c *gin.Context) {
	var req scheduleRequest
	if !bindJSON(c, &req) {
		return
	}
	m := &Meeting{BoardID: h.boardID(c), StartsAt: req.StartsAt, EndsAt: req.EndsAt, Mode: req.Mode, Place: req.Place}
	if err := h.store.ScheduleMeeting(web.Ctx(c), m); err != nil {
		web.Fail(c, err)
		return
	}
	out, err := h.store.Meeting(c.Request.Context(), m.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

func (h *Handler) apiMeeting(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	m, err := h.store.Meeting(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, member := web.BoardRole(c); !member {
		// As the printed agenda: the public reads an exempt item's number, title and reason.
		for i, it := range m.Items {
			if it.Exempt {
				m.Items[i].Purpose, m.Items[i].Presenter, m.Items[i].Duration, m.Items[i].Papers = "", "", 0, []Paper{}
			}
		}
	}
	c.JSON(http.StatusOK, m)
}

type itemRequest struct {
	Title        string `json:"title"`
	Purpose      string `json:"purpose"`
	Presenter    string `json:"presenter"`
	Duration     int    `json:"duration_minutes"`
	Exempt       bool   `json:"exempt"`
	ExemptReason string `json:"exempt_reason"`
}

func (h *Handler) apiAddItem(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	var req itemRequest
	if !bindJSON(c, &req) {
		return
	}
	it := &AgendaItem{MeetingID: id, Title: req.Title, Purpose: req.Purpose, Presenter: req.Presenter, Duration: req.Duration,
		Exempt: req.Exempt, ExemptReason: req.ExemptReason}
	if err := h.store.AddItem(web.Ctx(c), it); err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, it)
}

func (h *Handler) apiUploadPaper(c *gin.Context) {
	it, ok := h.itemOf(c)
	if !ok {
		return
	}
	name, data, err := readUpload(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	replaces, _ := strconv.ParseInt(c.PostForm("replaces"), 10, 64)
	p, err := h.store.AddPaper(web.Ctx(c), NewPaper{ItemID: it.ID, Title: c.PostForm("title"), Filename: name, Data: data,
		Replaces: replaces, By: web.Actor(c).Name})
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}
