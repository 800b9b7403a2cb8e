package outbox

import (
	"database/sql"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"quorum/internal/web"
)

// Handler serves the administrators' view of the outbox.
type Handler struct{ db *sql.DB }

// NewHandler returns the handler over the database holding the outbox.
func NewHandler(d *sql.DB) *Handler { return &Handler{db: d} }

// Register lists every URL the package serves.
func (h *Handler) Register(r *web.Router) {
	r.GET("/admin/outbox", web.Admin, h.listMessages)
}

const perPage = 50

func (h *Handler) listMessages(c *gin.Context) {
	page, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
	page = max(page, 1)
	waiting := c.Query("waiting") == "1"
	ms, total, err := List(c.Request.Context(), h.db, waiting, (page-1)*perPage, perPage)
	if err != nil {
		web.Fail(c, err)
		return
	}
	shown := make([]shownMessage, len(ms))
	for i, m := range ms {
		shown[i] = shownMessage{Message: m, Lines: strings.Split(m.Body, "\n")}
	}
	web.HTML(c, http.StatusOK, "outbox.html", web.H{"Title": "Outbox", "Nav": "admin", "Messages": shown,
		"Total": total, "Page": page, "Waiting": waiting, "Prev": page - 1, "Next": next(page, total)})
}

// shownMessage is a message with its body in lines, as the page shows it.
type shownMessage struct {
	Message
	Lines []string
}

func next(page, total int) int {
	if page*perPage < total {
		return page + 1
	}
	return 0
}
