package minutes

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
	"quorum/internal/web"
)

// apiGetMinutes answers the minutes as markdown, with their status and version in headers.
func (h *Handler) apiGetMinutes(c *gin.Context) {
	p, err := h.load(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if p.minutes == nil {
		web.Fail(c, errs.E(errs.NotFound, "No minutes have been saved for this meeting yet"))
		return
	}
	if err := p.visible(); err == errNotYet {
		web.Fail(c, errs.E(errs.Forbidden, "The minutes of this meeting are not yet circulated"))
		return
	} else if err != nil {
		web.Fail(c, err)
		return
	}
	c.Header("X-Minutes-Status", p.minutes.Status)
	c.Header("X-Minutes-Version", strconv.Itoa(p.minutes.Version))
	c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(p.minutes.Text))
}

// savedJSON is the answer to a PUT: the parse result of INTERFACE.md, references and
// minute numbers written in, with the minutes' status and version.
type savedJSON struct {
	*Parsed
	Status  string `json:"status"`
	Version int    `json:"version"`
	Carried int    `json:"carried_forward"`
}

// apiPutMinutes saves markdown sent as the body (text/markdown), as the editor does.
func (h *Handler) apiPutMinutes(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	text, err := io.ReadAll(io.LimitReader(c.Request.Body, maxUpload))
	if err != nil {
		web.Fail(c, err)
		return
	}
	saved, err := h.store.Save(web.Ctx(c), id, text)
	if lines := LinesOf(err); lines != nil {
		p := Parse(text, Options{})
		p.Errors = lines
		c.JSON(http.StatusUnprocessableEntity, gin.H{
			"error": gin.H{"code": errs.Invalid, "message": errs.Message(err), "field": "text"},
			"items": p.Items, "resolutions": p.Resolutions, "actions": p.Actions, "notes": p.Notes, "errors": p.Errors,
		})
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, savedJSON{Parsed: saved.Parsed, Status: saved.Minutes.Status, Version: saved.Minutes.Version, Carried: saved.Carried})
}

// apiApprove records approval at a later meeting: {"at_meeting": ID}, or {} for the next.
func (h *Handler) apiApprove(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	var in struct {
		AtMeeting int64 `json:"at_meeting"`
	}
	if c.Request.ContentLength != 0 {
		if err := json.NewDecoder(c.Request.Body).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			web.Fail(c, errs.Field("at_meeting", "Send JSON: {\"at_meeting\": ID}"))
			return
		}
	}
	ctx := web.Ctx(c)
	if err := h.store.Approve(ctx, id, in.AtMeeting); err != nil {
		web.Fail(c, err)
		return
	}
	m, err := h.store.Minutes(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
