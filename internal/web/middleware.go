package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
)

// RequestID gives each request an id that its log lines and error pages carry.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set("request_id", id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// Logger writes one structured line per request.
func (s *Site) Logger() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		// Probes and scrapes come every few seconds; a refused scrape is still logged.
		if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" || (p == "/metrics" && c.Writer.Status() == http.StatusOK) {
			return
		}
		s.Log.Info("request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(),
			"ms", time.Since(start).Milliseconds(), "request_id", c.GetString("request_id"))
	}
}

// SecurityHeaders sets the headers every answer carries: no inline script, no framing,
// no MIME sniffing.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

// LimitBody caps every request body; uploads get their own, larger, cap (UploadLimit).
// A plain form is read here, so that one over the cap is a 413 saying so: gin's PostForm
// drops the parse error, and the handler would see a form with every field empty.
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Set(rawBodyKey, c.Request.Body)
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
			if strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") {
				var tooLarge *http.MaxBytesError
				if err := c.Request.ParseForm(); errors.As(err, &tooLarge) {
					Fail(c, errs.E(errs.TooLarge, "The form holds more than the %d MB a form may: nothing was saved", n>>20))
					return
				}
			}
		}
		c.Next()
	}
}

const rawBodyKey = "quorum.raw_body"

// UploadLimit gives an upload route its own cap in place of LimitBody's: called first
// thing in the handler, before anything reads the body.
func UploadLimit(c *gin.Context, n int64) {
	body := c.Request.Body
	if raw, ok := c.Get(rawBodyKey); ok {
		body = raw.(io.ReadCloser)
	}
	if body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, body, n)
	}
}

var statusOf = map[string]int{
	errs.Invalid:          http.StatusUnprocessableEntity,
	errs.NotFound:         http.StatusNotFound,
	errs.Conflict:         http.StatusConflict,
	errs.Forbidden:        http.StatusForbidden,
	errs.Unauthorized:     http.StatusUnauthorized,
	errs.TooLarge:         http.StatusRequestEntityTooLarge,
	errs.Unavailable:      http.StatusServiceUnavailable,
	errs.MethodNotAllowed: http.StatusMethodNotAllowed,
}

// Status is the HTTP status for an error.
func Status(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	if isUnavailable(err) {
		return http.StatusServiceUnavailable
	}
	if s, ok := statusOf[errs.Code(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// isUnavailable spots a full disk or a read-only database: the request fails, the data
// is safe, and the operator must act.
func isUnavailable(err error) bool {
	m := err.Error()
	return strings.Contains(m, "SQLITE_FULL") || strings.Contains(m, "database or disk is full") ||
		strings.Contains(m, "SQLITE_READONLY") || strings.Contains(m, "readonly database")
}

// Errors is the one error middleware: domain errors become pages or JSON with their
// status; anything else is logged with the request id and shown as a generic 500.
func (s *Site) Errors() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				s.Log.Error("panic", "recovered", r, "path", c.Request.URL.Path, "request_id", c.GetString("request_id"))
				c.Errors = append(c.Errors, &gin.Error{Err: errs.E(errs.Internal, "panic"), Type: gin.ErrorTypePrivate})
				s.answerError(c)
			}
		}()
		c.Next()
		if len(c.Errors) > 0 && !c.Writer.Written() {
			s.answerError(c)
		}
	}
}

func (s *Site) answerError(c *gin.Context) {
	err := c.Errors.Last().Err
	status := Status(err)
	msg := errs.Message(err)
	code := errs.Code(err)
	if status == http.StatusRequestEntityTooLarge && code != errs.TooLarge {
		// a body cut off by its cap, not one of our own refusals with its own message
		code, msg = errs.TooLarge, "The upload is too large"
	}
	if status == http.StatusServiceUnavailable {
		code, msg = errs.Unavailable, "Quorum cannot save changes just now (the disk is full or read-only). Nothing was lost; please try again later."
	}
	if status >= 500 {
		s.Log.Error("request failed", "err", err, "path", c.Request.URL.Path, "request_id", c.GetString("request_id"))
		if status == http.StatusInternalServerError {
			code, msg = errs.Internal, "Something went wrong on our side. The problem has been logged (reference "+c.GetString("request_id")+")."
		}
	}
	if WantsJSON(c) {
		c.JSON(status, gin.H{"error": gin.H{"code": code, "message": msg, "field": errs.FieldOf(err)}})
		return
	}
	if status == http.StatusUnauthorized && c.Request.Method == http.MethodGet && errs.FieldOf(err) == "" {
		Redirect(c, "/login?next="+c.Request.URL.RequestURI(), "")
		return
	}
	c.Set(siteKey, s)
	data := H{"Title": http.StatusText(status), "Status": status, "Message": msg}
	if status >= 500 {
		// Leave a waiting flash for the next page: popping it would change the session,
		// whose save fails too when the database cannot be written.
		data["Flash"] = ""
	}
	HTML(c, status, "error.html", data)
}
