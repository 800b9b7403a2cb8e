package pack

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
	"quorum/internal/outbox"
	"quorum/internal/web"
	"quorum/meetings"
)

// Handler serves the pack pages and downloads.
type Handler struct {
	s     *Service
	files *fileCache
}

// NewHandler returns the handler.
func NewHandler(s *Service) *Handler { return &Handler{s: s, files: &fileCache{max: 64 << 20}} }

// fileCache keeps recently served pack files in memory by pack id. A stored pack file
// never changes (a new version is a new pack), so nothing in it goes stale; without it
// every download the evening before a meeting read the whole file out of SQLite again
// (a third of the static file rate).
type fileCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order []int64
	data  map[int64]cachedFile
}

// cachedFile is a pack's bytes and the file name it is served under (made from the board
// and meeting as they were when first served, like the pack's own cover).
type cachedFile struct {
	pack *meetings.Pack
	data []byte
	name string
}

func (f *fileCache) get(id int64) (cachedFile, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.data[id]
	return b, ok
}

func (f *fileCache) put(id int64, cf cachedFile) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.data == nil {
		f.data = map[int64]cachedFile{}
	}
	if _, ok := f.data[id]; ok || len(cf.data) > f.max {
		return
	}
	for f.size+len(cf.data) > f.max && len(f.order) > 0 {
		f.size -= len(f.data[f.order[0]].data)
		delete(f.data, f.order[0])
		f.order = f.order[1:]
	}
	f.data[id] = cf
	f.order = append(f.order, id)
	f.size += len(cf.data)
}

// packFile is Meetings.PackFile and the file's name, from the cache when they are there.
// A pack row, like its file, never changes once stored, so the lookup is only of its id.
func (h *Handler) packFile(ctx context.Context, id int64, version int, restricted bool, supplement int) (*meetings.Pack, cachedFile, error) {
	var packID int64
	err := h.s.DB.QueryRowContext(ctx, `SELECT id FROM packs WHERE meeting_id = ?1 AND restricted = ?2 AND supplement = ?3
		AND (?4 = 0 OR version = ?4) ORDER BY version DESC LIMIT 1`, id, restricted, supplement, version).Scan(&packID)
	if err == nil {
		if cf, ok := h.files.get(packID); ok {
			return cf.pack, cf, nil
		}
	}
	p, data, err := h.s.Meetings.PackFile(ctx, id, version, restricted, supplement)
	if err != nil {
		return nil, cachedFile{}, err
	}
	m, err := h.s.Meetings.Meeting(ctx, id)
	if err != nil {
		return nil, cachedFile{}, err
	}
	b, err := h.s.Meetings.Board(ctx, m.BoardID)
	if err != nil {
		return nil, cachedFile{}, err
	}
	cf := cachedFile{pack: p, data: data, name: p.FileName(b.ShortName, m.StartsAt)}
	h.files.put(p.ID, cf)
	return p, cf, nil
}

// Register lists every URL the package serves.
func (h *Handler) Register(r *web.Router) {
	r.GET("/meetings/:id/pack", web.Member("meeting"), h.showPacks)
	r.POST("/meetings/:id/pack/publish", web.Clerk("meeting"), h.publish)
	r.GET("/meetings/:id/pack.pdf", web.Member("meeting"), h.downloadPublic)
	r.GET("/meetings/:id/pack-restricted.pdf", web.Member("meeting"), h.downloadRestricted)
}

func meetingID(c *gin.Context) int64 { id, _ := web.ParseID(c.Param("id")); return id }

func (h *Handler) showPacks(c *gin.Context) {
	ctx := c.Request.Context()
	id := meetingID(c)
	m, err := h.s.Meetings.Meeting(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	b, err := h.s.Meetings.Board(ctx, m.BoardID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	packs, err := h.s.Meetings.Packs(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, member := web.BoardRole(c)
	type shown struct {
		meetings.Pack
		URL, File string
		Latest    bool
	}
	var list []shown
	latest := 0
	for _, p := range packs {
		latest = max(latest, p.Version)
	}
	for _, p := range packs {
		if p.Restricted && !member {
			continue
		}
		path := "pack.pdf"
		if p.Restricted {
			path = "pack-restricted.pdf"
		}
		url := fmt.Sprintf("/meetings/%d/%s?version=%d", id, path, p.Version)
		if p.Supplement > 0 {
			url += fmt.Sprintf("&supplement=%d", p.Supplement)
		}
		list = append(list, shown{Pack: p, URL: url, File: p.FileName(b.ShortName, m.StartsAt), Latest: p.Version == latest})
	}
	var unpublished []meetings.Paper
	for _, p := range h.s.Unpublished(ctx, m, packs) {
		if member || !exemptItem(m, p.ItemID) {
			unpublished = append(unpublished, p)
		}
	}
	data := web.H{"Title": "Agenda pack: " + m.Title(), "Nav": "boards", "Meeting": m, "Board": b, "Packs": list,
		"IsClerk": clerk, "IsMember": member, "Latest": latest, "Unpublished": unpublished}
	if clerk {
		pending, err := outbox.ByKeyPrefix(ctx, h.s.DB, fmt.Sprintf("pack:meeting:%d:", id))
		if err != nil {
			web.Fail(c, err)
			return
		}
		waiting := 0
		for _, p := range pending {
			if p.SentAt.IsZero() {
				waiting++
			}
		}
		data["Mail"], data["MailWaiting"] = len(pending), waiting
	}
	web.HTML(c, http.StatusOK, "pack_show.html", data)
}

// exemptItem reports whether the meeting's item is exempt: its papers' titles are for
// members only.
func exemptItem(m *meetings.Meeting, itemID int64) bool {
	for _, it := range m.Items {
		if it.ID == itemID {
			return it.Exempt
		}
	}
	return true
}

// service is the service with links in mail starting from this request's host, where
// no base URL was configured.
func (h *Handler) service(c *gin.Context) *Service {
	if h.s.BaseURL != "" {
		return h.s
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	s := *h.s
	s.BaseURL = scheme + "://" + c.Request.Host
	return &s
}

func (h *Handler) publish(c *gin.Context) {
	id := meetingID(c)
	p, err := h.service(c).Publish(web.Ctx(c), id, web.Actor(c).Name)
	if err != nil {
		if code := errs.Code(err); code == errs.Conflict || code == errs.Invalid {
			web.Redirect(c, fmt.Sprintf("/meetings/%d/pack", id), errs.Message(err))
			return
		}
		web.Fail(c, err)
		return
	}
	msg := fmt.Sprintf("Agenda pack published (%d pages)", p.Packs[0].Pages)
	if p.Version > 1 {
		msg = fmt.Sprintf("Version %d of the agenda pack published (%d pages)", p.Version, p.Packs[0].Pages)
	}
	msg += fmt.Sprintf("; a message to each of %d members and substitutes is in the outbox", p.Recipients)
	web.Redirect(c, fmt.Sprintf("/meetings/%d/pack", id), msg)
}

// paperRoutes are the routes (of meetings) that add or replace a paper.
var paperRoutes = map[string]int{"/items/:id/papers": http.StatusSeeOther, "/api/v1/items/:id/papers": http.StatusCreated}

// LatePapers is middleware that follows a paper added or replaced on a meeting whose pack
// is published: once the paper is stored, it publishes the next version of the pack with
// its supplement and queues the mail saying what changed, in the same request. It runs
// around the routes rather than in them so that meetings need not know about packs. If
// the pack cannot be built, the paper stays stored and the pack page lists it as not yet
// in the pack, for the clerk to publish.
func (h *Handler) LatePapers() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		want, ok := paperRoutes[c.FullPath()]
		if !ok || c.Request.Method != http.MethodPost || len(c.Errors) > 0 || c.Writer.Status() != want {
			return
		}
		ctx := web.Ctx(c)
		itemID, _ := web.ParseID(c.Param("id"))
		it, err := h.s.Meetings.Item(ctx, itemID)
		if err != nil {
			return
		}
		p, err := h.service(c).PublishLate(ctx, it.MeetingID, web.Actor(c).Name)
		msg := ""
		switch {
		case err != nil:
			slog.ErrorContext(ctx, "late paper: publish the pack", "meeting", it.MeetingID, "err", err)
			msg = "The new version of the agenda pack could not be built: publish it from the pack page"
		case p != nil:
			msg = fmt.Sprintf("Version %d of the agenda pack published", p.Version)
			if n := supplementOf(p); n > 0 {
				msg += fmt.Sprintf(", with Supplement %d", n)
			}
			msg += fmt.Sprintf("; a message saying what changed to each of %d members and substitutes is in the outbox", p.Recipients)
		default:
			return
		}
		// A redirect after a POST has no body, so its headers (and the session with the
		// flash) are not written until the request ends.
		if want == http.StatusSeeOther && !c.Writer.Written() {
			sess := web.SessionsOf(c)
			flash := strings.TrimSuffix(sess.GetString(ctx, "flash"), ".")
			sess.Put(ctx, "flash", strings.TrimPrefix(flash+". "+msg+".", ". "))
		}
	}
}

func supplementOf(p *Published) int {
	n := 0
	for _, k := range p.Packs {
		n = max(n, k.Supplement)
	}
	return n
}

// query reads ?version= and ?supplement=.
func query(c *gin.Context) (version, supplement int, err error) {
	for _, q := range []struct {
		name string
		v    *int
	}{{"version", &version}, {"supplement", &supplement}} {
		if s := c.Query(q.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return 0, 0, errs.E(errs.NotFound, "No such pack for this meeting")
			}
			*q.v = n
		}
	}
	return
}

func (h *Handler) downloadPublic(c *gin.Context) {
	version, supplement, err := query(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h.serve(c, version, supplement, false)
}

// downloadRestricted serves the restricted pack, stamped for whoever downloads it, to
// the board's members (and clerk) only; anyone else is refused, and the refusal audited.
func (h *Handler) downloadRestricted(c *gin.Context) {
	if _, member := web.BoardRole(c); !member {
		id := meetingID(c)
		err := db.WithTx(web.Ctx(c), h.s.DB, func(tx *sql.Tx) error {
			return audit.Record(web.Ctx(c), tx, "pack.restricted_refused", "meeting", id, nil, map[string]string{"path": c.Request.URL.Path})
		})
		if err != nil {
			web.Fail(c, err)
			return
		}
		if web.CurrentUser(c) == nil {
			web.Fail(c, errs.E(errs.Unauthorized, "Sign in to see this page"))
			return
		}
		web.Fail(c, errs.E(errs.Forbidden, "The restricted pack is only for members of this board"))
		return
	}
	version, supplement, err := query(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h.serve(c, version, supplement, true)
}

func (h *Handler) serve(c *gin.Context, version, supplement int, restricted bool) {
	ctx := c.Request.Context()
	id := meetingID(c)
	p, cf, err := h.packFile(ctx, id, version, restricted, supplement)
	if errs.Code(err) == errs.NotFound && version == 0 && supplement == 0 {
		// Like the minutes before they are out: the page says what there is.
		web.Redirect(c, fmt.Sprintf("/meetings/%d/pack", id), "This meeting has no such pack yet")
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := cf.data
	etag := `"` + p.SHA256[:32] + `"`
	if restricted {
		u := web.CurrentUser(c)
		today := time.Now().In(meetings.London)
		who := u.Name
		if who == "" {
			who = u.Email
		}
		stamp := fmt.Sprintf("Copy made for %s on %s: do not pass on", who, today.Format("2 January 2006"))
		if data, err = meetings.StampCopy(data, stamp); err != nil {
			web.Fail(c, err)
			return
		}
		etag = fmt.Sprintf(`"%s-%d-%s"`, p.SHA256[:24], u.ID, today.Format("20060102"))
		err = db.WithTx(web.Ctx(c), h.s.DB, func(tx *sql.Tx) error {
			return audit.Record(web.Ctx(c), tx, "pack.restricted_copy", "meeting", id, nil, map[string]any{"version": p.Version, "supplement": p.Supplement, "for": who})
		})
		if err != nil {
			web.Fail(c, err)
			return
		}
	}
	// The page CSP would stop the browser's PDF viewer; a PDF needs none of it.
	c.Writer.Header().Del("Content-Security-Policy")
	c.Header("Content-Type", "application/pdf")
	c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": cf.name}))
	c.Header("ETag", etag)
	if restricted {
		c.Header("Cache-Control", "private, no-store")
	} else {
		c.Header("Cache-Control", "private, max-age=300")
	}
	http.ServeContent(c.Writer, c.Request, strings.TrimSuffix(cf.name, ".pdf"), p.BuiltAt, bytes.NewReader(data))
}
