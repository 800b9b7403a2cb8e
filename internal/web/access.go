package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"quorum/internal/auth"
	"quorum/internal/errs"
)

// Access says who may use a route. Every route is registered with one, so no page is
// public by accident; the access test walks them all.
type Access struct {
	Level string // Public, SignedIn, Member, MemberOrOwner, Clerk, Chair, AnyClerk, Admin
	Kind  string // for the board's levels: what the :id in the path is ("board", "meeting", ...)
	Param string // the path parameter holding the id; "id" when empty
}

// Access levels.
var (
	Public   = Access{Level: "public"}
	SignedIn = Access{Level: "signed-in"}
	AnyClerk = Access{Level: "any-clerk"} // clerks and admins: people, organisations, new boards
	Admin    = Access{Level: "admin"}
)

// Member allows members (and the clerk) of the board that the :id of kind belongs to;
// where that board is public, anyone may read (GET). Quorum keeps no accounts for the
// public: a visitor to a public board is any request, signed in or not, that is not a
// member's, and the handlers hold back what only members may read (exempt items' papers
// and details, minutes before approval, the restricted pack).
func Member(kind string) Access { return Access{Level: "member", Kind: kind} }

// Clerk allows the clerk of the board the :id of kind belongs to, and admins.
func Clerk(kind string) Access { return Access{Level: "clerk", Kind: kind} }

// MemberOrOwner is Member, and also lets through the owners of what the :id names (an
// action's officers, who need not sit on its board), as the site's BoardRoles answers
// through Owners. Without Owners it is Member.
func MemberOrOwner(kind string) Access { return Access{Level: "member-or-owner", Kind: kind} }

// Owners is what a BoardRoles may also answer, for MemberOrOwner routes: whether the
// person owns the thing of kind with the id (for "action": a person owner, or someone of an
// owning organisation).
type Owners interface {
	Owns(ctx context.Context, kind string, personID, id int64) (bool, error)
}

// Chair allows the chair or vice-chair of the board the :id of kind belongs to (a current
// membership in that role), and admins. Not the clerk: the chair's steps are the chair's
// check on what the clerk wrote (approving draft minutes for circulation, signing them),
// and a clerk who could take them would be checking their own work. The vice-chair is in
// because they chair the board when the chair cannot.
func Chair(kind string) Access { return Access{Level: "chair", Kind: kind} }

// Route is one registered route with its access rule.
type Route struct {
	Method, Path string
	Access       Access
}

// Routes lists every route registered through a Router.
func (s *Site) Routes() []Route { return s.routes }

// Router registers routes with their access rules.
type Router struct {
	site *Site
	r    gin.IRouter
}

// Router wraps a gin router.
func (s *Site) Router(r gin.IRouter) *Router { return &Router{site: s, r: r} }

// GET registers a GET route.
func (rt *Router) GET(path string, a Access, h gin.HandlerFunc) {
	rt.handle(http.MethodGet, path, a, h)
}

// POST registers a POST route.
func (rt *Router) POST(path string, a Access, h gin.HandlerFunc) {
	rt.handle(http.MethodPost, path, a, h)
}

// PUT registers a PUT route.
func (rt *Router) PUT(path string, a Access, h gin.HandlerFunc) {
	rt.handle(http.MethodPut, path, a, h)
}

func (rt *Router) handle(method, path string, a Access, h gin.HandlerFunc) {
	if a.Param == "" {
		a.Param = "id"
	}
	full := path
	if g, ok := rt.r.(*gin.RouterGroup); ok {
		full = strings.TrimSuffix(g.BasePath(), "/") + path
	}
	rt.site.routes = append(rt.site.routes, Route{Method: method, Path: full, Access: a})
	rt.r.Handle(method, path, rt.site.require(a), h)
}

const userKey = "quorum.user"
const boardKey = "quorum.board"

// CurrentUser is the signed-in account, or nil.
func CurrentUser(c *gin.Context) *auth.User {
	if u, ok := c.Get(userKey); ok {
		return u.(*auth.User)
	}
	return nil
}

// BoardRole is what the current user is on the board of the route, as found by the
// access check: clerk (or admin) and member.
func BoardRole(c *gin.Context) (clerk, member bool) {
	r := RolesOn(c)
	return r.Clerk, r.Member
}

// RolesOn is everything the current user is on the board of the route, as found by the
// access check; an admin is all of them. Outside a board's routes it is the zero Roles.
func RolesOn(c *gin.Context) Roles {
	if v, ok := c.Get(boardKey); ok {
		return v.(Roles)
	}
	return Roles{}
}

// LoadUser finds the account of a request: a bearer token, or the session.
func (s *Site) LoadUser() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			u, err := s.Users.UserByToken(ctx, strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")))
			if err != nil {
				Fail(c, err)
				return
			}
			c.Set(userKey, u)
		} else if id := s.Sessions.GetInt64(ctx, "user_id"); id != 0 {
			if u, err := s.Users.User(ctx, id); err == nil {
				c.Set(userKey, u)
			}
		}
		c.Set(siteKey, s)
		c.Next()
	}
}

// SetSite makes the site known to handlers outside the access-checked routes (404s).
func (s *Site) SetSite() gin.HandlerFunc {
	return func(c *gin.Context) { c.Set(siteKey, s); c.Next() }
}

var errSignIn = errs.E(errs.Unauthorized, "Sign in to see this page")

func (s *Site) require(a Access) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := CurrentUser(c)
		switch a.Level {
		case "public":
		case "signed-in":
			if u == nil {
				Fail(c, errSignIn)
			}
		case "any-clerk":
			if u == nil {
				Fail(c, errSignIn)
			} else if u.Role != auth.RoleAdmin && u.Role != auth.RoleClerk {
				Fail(c, errs.E(errs.Forbidden, "Only clerks and administrators can do this"))
			}
		case "admin":
			if u == nil {
				Fail(c, errSignIn)
			} else if !u.IsAdmin() {
				Fail(c, errs.E(errs.Forbidden, "Only administrators can do this"))
			}
		case "member", "member-or-owner", "clerk", "chair":
			s.requireBoard(c, a, u)
		default:
			Fail(c, errs.E(errs.Forbidden, "This page has no access rule"))
		}
	}
}

func (s *Site) requireBoard(c *gin.Context, a Access, u *auth.User) {
	ctx := c.Request.Context()
	id, err := ParseID(c.Param(a.Param))
	if err != nil {
		Fail(c, err)
		return
	}
	boardID := id
	if a.Kind != "board" {
		r, ok := s.resolvers[a.Kind]
		if !ok {
			Fail(c, errs.E(errs.Forbidden, "This page has no access rule"))
			return
		}
		if boardID, err = r(ctx, id); err != nil {
			Fail(c, err)
			return
		}
	}
	var roles Roles
	if u != nil {
		if u.IsAdmin() {
			roles = Roles{Clerk: true, Member: true, Chair: true}
		} else if u.PersonID != 0 {
			if roles, err = s.Boards.Roles(ctx, u.PersonID, boardID); err != nil {
				Fail(c, err)
				return
			}
			// Only accounts with the clerk role run boards, even if named clerk on one.
			roles.Clerk = roles.Clerk && u.Role == auth.RoleClerk
			roles.Member = roles.Member || roles.Clerk
		}
	}
	c.Set(boardKey, roles)
	c.Set("board_id", boardID)
	if a.Level == "clerk" && !roles.Clerk {
		if u == nil {
			Fail(c, errSignIn)
		} else {
			Fail(c, errs.E(errs.Forbidden, "Only the clerk of this board can do this"))
		}
		return
	}
	if a.Level == "chair" && !roles.Chair {
		if u == nil {
			Fail(c, errSignIn)
		} else {
			Fail(c, errs.E(errs.Forbidden, "Only the chair of this board can do this"))
		}
		return
	}
	if a.Level == "member-or-owner" && !roles.Member && u != nil && u.PersonID != 0 {
		if o, ok := s.Boards.(Owners); ok {
			owns, err := o.Owns(ctx, a.Kind, u.PersonID, id)
			if err != nil {
				Fail(c, err)
				return
			}
			if owns {
				return
			}
		}
	}
	if (a.Level == "member" || a.Level == "member-or-owner") && !roles.Member {
		if c.Request.Method == http.MethodGet {
			if pub, err := s.Boards.Public(ctx, boardID); err == nil && pub {
				return
			}
		}
		if u == nil {
			Fail(c, errSignIn)
		} else {
			// A board a person may not see is not found, so its existence isn't told.
			Fail(c, errs.E(errs.NotFound, "Page not found"))
		}
	}
}

// ParseID reads a positive integer id; anything else is not found.
func ParseID(s string) (int64, error) {
	var id int64
	for _, r := range s {
		if r < '0' || r > '9' || id > 1e15 {
			return 0, errs.E(errs.NotFound, "Page not found")
		}
		id = id*10 + int64(r-'0')
	}
	if id == 0 {
		return 0, errs.E(errs.NotFound, "Page not found")
	}
	return id, nil
}
