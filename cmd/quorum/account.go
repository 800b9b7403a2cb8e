package main

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"quorum/internal/auth"
	"quorum/internal/errs"
	"quorum/internal/web"
)

// accountHandler serves signing in and out and the account page.
type accountHandler struct {
	store   *auth.Store
	limiter *auth.Limiter
}

// newAccountHandler returns the account pages' handler.
func newAccountHandler(s *auth.Store, l *auth.Limiter) *accountHandler {
	return &accountHandler{store: s, limiter: l}
}

// Register lists the account routes.
func (h *accountHandler) Register(r *web.Router) {
	r.GET("/login", web.Public, h.showLogin)
	r.POST("/login", web.Public, h.login)
	r.POST("/logout", web.Public, h.logout)
	r.GET("/account", web.SignedIn, h.showAccount)
	r.POST("/account/password", web.SignedIn, h.changePassword)
}

type loginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

func (h *accountHandler) showLogin(c *gin.Context) {
	web.HTML(c, http.StatusOK, "login.html", web.H{"Title": "Sign in", "Next": safeNext(c.Query("next"))})
}

// safeNext keeps a redirect after sign-in on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

func (h *accountHandler) login(c *gin.Context) {
	var f loginForm
	_ = c.ShouldBind(&f)
	data := web.H{"Title": "Sign in", "Email": f.Email, "Next": safeNext(f.Next)}
	key := c.ClientIP() + "|" + strings.ToLower(strings.TrimSpace(f.Email))
	if !h.limiter.Take(key) {
		data["Errors"] = []web.FieldError{{Field: "email", Message: "Too many failed attempts. Wait 15 minutes and try again."}}
		web.HTML(c, http.StatusTooManyRequests, "login.html", data)
		return
	}
	if strings.TrimSpace(f.Email) == "" || f.Password == "" {
		h.limiter.Forgive(key)
		web.Form(c, "login.html", data, errs.Field("email", "Enter your email address and password"))
		return
	}
	u, err := h.store.Authenticate(c.Request.Context(), f.Email, f.Password)
	if err != nil {
		if errs.Code(err) == errs.Unauthorized {
			data["Errors"] = web.FormErrors(err)
			web.HTML(c, http.StatusUnauthorized, "login.html", data)
			return
		}
		h.limiter.Forgive(key)
		web.Fail(c, err)
		return
	}
	h.limiter.Forgive(key)
	s := web.SessionsOf(c)
	// A new session token on sign-in, so a token planted before it is worth nothing.
	if err := s.RenewToken(c.Request.Context()); err != nil {
		web.Fail(c, err)
		return
	}
	s.Put(c.Request.Context(), "user_id", u.ID)
	web.Redirect(c, safeNext(f.Next), "You are signed in as "+u.Name)
}

func (h *accountHandler) logout(c *gin.Context) {
	s := web.SessionsOf(c)
	if err := s.Destroy(c.Request.Context()); err != nil {
		web.Fail(c, err)
		return
	}
	web.Redirect(c, "/login", "You have signed out")
}

func (h *accountHandler) showAccount(c *gin.Context) {
	web.HTML(c, http.StatusOK, "account.html", web.H{"Title": "Your account"})
}

func (h *accountHandler) changePassword(c *gin.Context) {
	u := web.CurrentUser(c)
	err := h.store.ChangePassword(web.Ctx(c), u.ID, c.PostForm("current"), c.PostForm("new"))
	if err == nil && c.PostForm("new") != c.PostForm("confirm") {
		err = errs.Field("confirm", "The new passwords do not match")
	}
	if err != nil {
		web.Form(c, "account.html", web.H{"Title": "Your account"}, err)
		return
	}
	web.Redirect(c, "/account", "Your password has been changed")
}
