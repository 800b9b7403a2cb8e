// Package web is what every domain's http.go shares: page rendering with the layout, the
// signed-in user, flash messages, access rules per route, and the one error middleware
// that turns domain errors into pages and JSON.
package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"quorum/internal/audit"
	"quorum/internal/auth"
	"quorum/internal/errs"
)

// Site holds what handlers need from the running server.
type Site struct {
	Sessions *scs.SessionManager
	Users    *auth.Store
	Boards   BoardRoles
	Log      *slog.Logger
	Dev      bool

	templates fs.FS
	mu        sync.Mutex
	pages     map[string]*template.Template
	routes    []Route
	resolvers map[string]Resolver
}

// BoardRoles answers what a person may do on a board. cmd/quorum supplies it from the
// meetings store, so that web needs no domain package.
type BoardRoles interface {
	// Roles reports what the person is on the board today.
	Roles(ctx context.Context, personID, boardID int64) (Roles, error)
	// Public reports whether the board publishes its papers to everyone.
	Public(ctx context.Context, boardID int64) (bool, error)
}

// Roles is what a person is on one board, from the board's clerk and its current
// memberships.
type Roles struct {
	Clerk  bool // named the board's clerk, or a member as clerk
	Member bool // any current membership, whatever its role
	Chair  bool // a current membership as chair or vice-chair, begun by today
}

// Resolver finds the board an id in a URL belongs to (a meeting, an item, an action).
type Resolver func(ctx context.Context, id int64) (boardID int64, err error)

// NewSite makes a site rendering pages from templates.
func NewSite(templates fs.FS, sessions *scs.SessionManager, users *auth.Store, boards BoardRoles, log *slog.Logger) *Site {
	return &Site{Sessions: sessions, Users: users, Boards: boards, Log: log, templates: templates,
		pages: map[string]*template.Template{}, resolvers: map[string]Resolver{}}
}

// Resolve registers how to find the board of an id of the given kind ("meeting").
func (s *Site) Resolve(kind string, r Resolver) { s.resolvers[kind] = r }

const siteKey = "quorum.site"

func site(c *gin.Context) *Site { return c.MustGet(siteKey).(*Site) }

func (s *Site) page(name string) (*template.Template, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.pages[name]; ok && !s.Dev {
		return t, nil
	}
	// Shared pieces: the layout, the form partials, and fragments named _*.html.
	t, err := template.New(name).Funcs(Funcs).ParseFS(s.templates, "layout.html", "partials.html", "_*.html", name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	s.pages[name] = t
	return t, nil
}

// H is a page's data.
type H = map[string]any

// HTML renders page inside the layout with status.
func HTML(c *gin.Context, status int, page string, data H) {
	s := site(c)
	if data == nil {
		data = H{}
	}
	data["User"] = CurrentUser(c)
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = s.Sessions.PopString(c.Request.Context(), "flash")
	}
	data["Path"] = c.Request.URL.Path
	t, err := s.page(page)
	if err != nil {
		s.Log.Error("template", "page", page, "err", err)
		c.String(http.StatusInternalServerError, "Something went wrong on our side.")
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.Log.Error("render", "page", page, "err", err, "request_id", c.GetString("request_id"))
		c.String(http.StatusInternalServerError, "Something went wrong on our side.")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// Redirect answers a form POST: a 303 to the page showing the result, with a flash.
func Redirect(c *gin.Context, to, flash string) {
	if flash != "" {
		site(c).Sessions.Put(c.Request.Context(), "flash", flash)
	}
	c.Redirect(http.StatusSeeOther, to)
}

// Fail hands err to the error middleware and stops the request.
func Fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// FieldError is one entry of a form's error summary.
type FieldError struct{ Field, Message string }

// FormErrors turns a domain error into a form's error list; nil for non-input errors.
func FormErrors(err error) []FieldError {
	if c := errs.Code(err); c != errs.Invalid && c != errs.Conflict && c != errs.Unauthorized {
		return nil
	}
	f := errs.FieldOf(err)
	return []FieldError{{Field: f, Message: errs.Message(err)}}
}

// Form re-shows a form with its errors (422) when err is bad input, and otherwise hands
// err to the error middleware.
func Form(c *gin.Context, page string, data H, err error) {
	fe := FormErrors(err)
	if fe == nil {
		Fail(c, err)
		return
	}
	data["Errors"] = fe
	status := http.StatusUnprocessableEntity
	if errs.Code(err) == errs.Conflict {
		status = http.StatusConflict
	}
	HTML(c, status, page, data)
}

// WantsJSON reports whether the request is for the JSON API.
func WantsJSON(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// Actor returns the audit actor for the request.
func Actor(c *gin.Context) audit.Actor {
	if u := CurrentUser(c); u != nil {
		return audit.Actor{UserID: u.ID, Name: u.Name}
	}
	return audit.Actor{Name: "anonymous"}
}

// Ctx is the request's context carrying the audit actor.
func Ctx(c *gin.Context) context.Context {
	return audit.WithActor(c.Request.Context(), Actor(c))
}

// SessionsOf returns the session manager, for signing in and out.
func SessionsOf(c *gin.Context) *scs.SessionManager { return site(c).Sessions }
