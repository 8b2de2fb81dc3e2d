package apierror

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with an HTTP status. Its Message is sent to the client;
// its cause (Err) is logged for server errors and never sent.
type Error struct {
	// Status is the HTTP status, 400–599. Anything else is rendered as 500.
	Status int
	// Message is what the client reads. Empty means the status text
	// ("Not Found").
	Message string
	// Code is an optional machine-readable code ("task_not_found"), sent
	// beside the message by the JSON and problem renderers.
	Code string
	// Err is the cause, for logs and for [errors.Is] and [errors.As].
	Err error
}

// StatusCoder is implemented by errors that carry an HTTP status. [Write]
// maps any error in a chain that implements it, so your own error types
// (and those of packages that adopt the method) keep their status.
//
// echo v4's *echo.HTTPError does not implement it (its status is a Code
// field, which no interface can match): Write sends it as a 500. Convert it
// in echo's HTTPErrorHandler first, as examples/adapters shows:
//
//	var he *echo.HTTPError
//	if errors.As(err, &he) {
//		err = apierror.Wrap(err, he.Code, fmt.Sprint(he.Message))
//	}
type StatusCoder interface {
	StatusCode() int
}

// New returns an Error with the given status and message.
func New(status int, message string) *Error {
	return &Error{Status: status, Message: message}
}

// Errorf returns an Error whose message is formatted with [fmt.Sprintf]. If
// the format wraps an error with %w, that error becomes the cause.
func Errorf(status int, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Status: status, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Wrap returns an Error that sends message with status and keeps err as its
// cause.
func Wrap(err error, status int, message string) *Error {
	return &Error{Status: status, Message: message, Err: err}
}

// Error returns the message, followed by the cause when there is one. It is
// meant for logs; the client only ever sees Message.
func (e *Error) Error() string {
	msg := e.message()
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// StatusCode returns the status, so that *Error is a [StatusCoder].
func (e *Error) StatusCode() int { return e.Status }

// WithCode returns a copy of e with its machine-readable code set.
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}

func (e *Error) message() string {
	if e.Message == "" {
		return http.StatusText(e.Status)
	}
	return e.Message
}

// Helpers for the errors handlers return most; any other status is
// New(status, message).

// BadRequest returns a 400 Error. An empty message means "Bad Request".
func BadRequest(message string) *Error { return New(http.StatusBadRequest, message) }

// Unauthorized returns a 401 Error.
func Unauthorized(message string) *Error { return New(http.StatusUnauthorized, message) }

// Forbidden returns a 403 Error.
func Forbidden(message string) *Error { return New(http.StatusForbidden, message) }

// NotFound returns a 404 Error.
func NotFound(message string) *Error { return New(http.StatusNotFound, message) }

// Conflict returns a 409 Error.
func Conflict(message string) *Error { return New(http.StatusConflict, message) }
