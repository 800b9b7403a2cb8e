// Package errs holds the one error type every domain returns: a code that decides the HTTP
// status, and a message that is safe to show the person who caused it.
package errs

import (
	"errors"
	"fmt"
)

// Codes, after benbjohnson/wtf.
const (
	Invalid          = "EINVALID"      // 400/422: bad input, form re-shown
	NotFound         = "ENOTFOUND"     // 404
	Conflict         = "ECONFLICT"     // 409: duplicate, or a state that forbids the change
	Forbidden        = "EFORBIDDEN"    // 403
	Unauthorized     = "EUNAUTHORIZED" // 401
	TooLarge         = "ETOOLARGE"     // 413
	Unavailable      = "EUNAVAILABLE"  // 503: disk full, read-only database
	MethodNotAllowed = "EMETHOD"       // 405
	Internal         = "EINTERNAL"     // 500: never shown in detail
)

// Error is a domain error. Field names the form field at fault, when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string { return e.Message }

// E makes an error with a code and a formatted message.
func E(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field makes an invalid-input error for one form field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: fmt.Sprintf(format, args...), Field: field}
}

// Code returns the code of err, or Internal for errors that are not ours.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message returns the user-safe message of err.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. The problem has been logged."
}

// FieldOf returns the field name of err, if any.
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
