package meetings

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
	"quorum/internal/web"
)

// What a clerk does from the board page: a series of meetings, the forward plan and the
// board's register of interests.

// seriesStarts reads the series form: either a list of dates, or a first date repeated
// every few months to the end of the municipal year (or a given last date).
func seriesStarts(c *gin.Context, b *Board) ([]time.Time, error) {
	clock := strings.TrimSpace(c.PostForm("series_time"))
	if clock == "" {
		clock = b.DefaultStart
	}
	if _, err := time.Parse("15:04", clock); err != nil {
		return nil, errs.Field("series_time", "Enter the start time as 24-hour hh:mm, such as 10:00")
	}
	if list := strings.TrimSpace(c.PostForm("dates")); list != "" {
		var out []time.Time
		for _, d := range strings.FieldsFunc(list, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			t, err := time.ParseInLocation("2006-01-02 15:04", d+" "+clock, London)
			if err != nil {
				return nil, errs.Field("dates", "%q is not a date: write one date a line as year-month-day, such as 2026-09-17", d)
			}
			out = append(out, t)
		}
		return out, nil
	}
	first, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(c.PostForm("first_date"))+" "+clock, London)
	if err != nil {
		return nil, errs.Field("first_date", "Enter the date of the first meeting as year-month-day, such as 2026-06-18, or list the dates below")
	}
	every, err := strconv.Atoi(c.DefaultPostForm("every", "3"))
	if err != nil || every < 1 || every > 12 {
		return nil, errs.Field("every", "Choose how many months apart the meetings are")
	}
	_, until := b.MunicipalYear(first)
	if u := strings.TrimSpace(c.PostForm("until")); u != "" {
		last, err := time.ParseInLocation("2006-01-02", u, London)
		if err != nil {
			return nil, errs.Field("until", "Enter the last date as year-month-day, such as 2027-04-30")
		}
		if last.Before(first) {
			return nil, errs.Field("until", "The last date must be after the first meeting")
		}
		until = last.AddDate(0, 0, 1)
	}
	return SeriesDates(first, every, until), nil
}

func (h *Handler) scheduleSeries(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := h.store.Board(ctx, h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	starts, err := seriesStarts(c, b)
	var ms []Meeting
	if err == nil {
		ms, err = h.store.ScheduleSeries(web.Ctx(c), b.ID, starts, time.Duration(b.DefaultMinutes)*time.Minute,
			c.DefaultPostForm("series_mode", b.DefaultMode), strings.TrimSpace(c.DefaultPostForm("series_place", b.DefaultPlace)))
	}
	if err != nil {
		h.renderBoard(c, 0, err)
		return
	}
	var days []string
	for _, m := range ms {
		days = append(days, m.StartsAt.In(London).Format("2 January 2006"))
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d", b.ID), fmt.Sprintf("%d meetings scheduled, each with its agenda: %s", len(ms), strings.Join(days, ", ")))
}

// --- forward plan

func (h *Handler) showForwardPlan(c *gin.Context) { h.renderForwardPlan(c, nil, nil) }

func (h *Handler) renderForwardPlan(c *gin.Context, f *ForwardItem, formErr error) {
	ctx := c.Request.Context()
	b, err := h.store.Board(ctx, h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	at := time.Now()
	if y, err := strconv.Atoi(c.Query("year")); err == nil && y > 1990 && y < 2100 {
		at = time.Date(y, time.Month(b.YearStartMonth), 1, 12, 0, 0, 0, London)
	}
	start, end := b.MunicipalYear(at)
	grid, err := h.store.ForwardGrid(ctx, b, at)
	if err != nil {
		web.Fail(c, err)
		return
	}
	items, err := h.store.ForwardPlan(ctx, b.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	upcoming, err := h.store.Meetings(ctx, b.ID, true, 24)
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, member := web.BoardRole(c)
	if f == nil {
		f = &ForwardItem{}
	}
	data := web.H{"Title": "Forward plan: " + b.Name, "Nav": "boards", "Board": b, "Grid": grid, "Items": items, "Upcoming": upcoming,
		"IsClerk": clerk, "IsMember": member, "Purposes": Purposes, "Statuses": ForwardStatuses, "New": f,
		"YearStart": start, "YearEnd": end.AddDate(0, 0, -1), "PrevYear": start.Year() - 1, "NextYear": start.Year() + 1}
	if formErr != nil {
		web.Form(c, "forward_plan.html", data, formErr)
		return
	}
	web.HTML(c, http.StatusOK, "forward_plan.html", data)
}

func forwardFromForm(c *gin.Context, f *ForwardItem) {
	f.Title = c.PostForm("title")
	f.Purpose = c.PostForm("purpose")
	f.Owner = c.PostForm("owner")
	f.TargetMeetingID = formID(c, "target_meeting_id")
	f.Notes = c.PostForm("notes")
	if s := c.PostForm("status"); s != "" {
		f.Status = s
	}
}

func (h *Handler) addForward(c *gin.Context) {
	f := &ForwardItem{BoardID: h.boardID(c)}
	forwardFromForm(c, f)
	if err := h.store.AddForward(web.Ctx(c), f); err != nil {
		h.renderForwardPlan(c, f, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d/forward-plan", f.BoardID), "Added to the forward plan: "+f.Title)
}

func (h *Handler) updateForward(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	f, err := h.store.Forward(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	forwardFromForm(c, f)
	if err := h.store.UpdateForward(web.Ctx(c), f); err != nil {
		c.Set("board_id", f.BoardID)
		h.renderForwardPlan(c, nil, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d/forward-plan", f.BoardID), "Forward plan item saved: "+f.Title)
}

// --- interests

func (h *Handler) showBoardInterests(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := h.store.Board(ctx, h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	regs, err := h.store.BoardRegister(ctx, b.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, _ := web.BoardRole(c)
	web.HTML(c, http.StatusOK, "interests_board.html", web.H{"Title": "Register of interests: " + b.Name, "Nav": "boards",
		"Board": b, "Registers": regs, "IsClerk": clerk})
}

func (h *Handler) addInterest(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	i := &Interest{PersonID: id, Kind: c.PostForm("kind"), Nature: c.PostForm("nature"),
		StartsOn: strings.TrimSpace(c.PostForm("interest_starts_on")), EndsOn: strings.TrimSpace(c.PostForm("interest_ends_on"))}
	if err := h.store.AddInterest(web.Ctx(c), i); err != nil {
		switch errs.FieldOf(err) {
		case "starts_on", "ends_on":
			err = errs.Field("interest_"+errs.FieldOf(err), "%s", errs.Message(err))
		}
		h.renderPerson(c, nil, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/people/%d#interests", id), "Interest added to the register")
}

func (h *Handler) endInterest(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	day := strings.TrimSpace(c.PostForm("ends_on"))
	if day == "" {
		day = time.Now().In(London).Format("2006-01-02")
	}
	if err := h.store.EndInterest(web.Ctx(c), id, formID(c, "interest_id"), day); err != nil {
		h.renderPerson(c, nil, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/people/%d#interests", id), "Interest ended: it stays on the register as a past interest")
}
