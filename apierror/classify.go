package apierror

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/internal/watch"
)

const (
	logServerError   = "apierror: server error"
	logInvalidStatus = "apierror: error status outside 400-599, sent as 500"
)

var errInternal = &Error{Status: http.StatusInternalServerError, Message: "Internal Server Error"}

// classify returns what Write sends for err (nil: nothing) and, when not
// "", the message to log it with at Error level. The order: a write
// refused by a response limit (nothing more to send), *Error, client gone,
// StatusCoder, *http.MaxBytesError, encoding/json errors, anything else.
func classify(r *http.Request, err error) (e *Error, logMsg string) {
	if errors.Is(err, watch.ErrRefused) {
		return nil, "" // the layer that refused the write has answered
	}
	var ae *Error
	if errors.As(err, &ae) {
		return fromStatus(ae.Status, ae.message(), ae.Code, err)
	}
	if (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && r.Context().Err() != nil {
		return nil, "" // the client is gone: there is nobody to answer
	}
	var sc StatusCoder
	if errors.As(err, &sc) {
		status := sc.StatusCode()
		msg := http.StatusText(status)
		if se, ok := sc.(error); ok && status < 500 {
			msg = se.Error()
		}
		return fromStatus(status, msg, "", err)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Message: "Body exceeded " + size.Format(mbe.Limit) + " limit", Err: err}, ""
	}
	var syn *json.SyntaxError
	var ute *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &ute) {
		return JSONError(err), ""
	}
	return errInternal, logServerError
}

func fromStatus(status int, msg, code string, err error) (*Error, string) {
	if status < 400 || status > 599 {
		return errInternal, logInvalidStatus
	}
	e := &Error{Status: status, Message: msg, Code: code, Err: err}
	if status >= 500 {
		return e, logServerError
	}
	return e, ""
}

// JSONError returns the 400 Error for an error from decoding a JSON request
// body, or nil when err is not one. The message is built from the error's
// fields, never from its text, so that it is the same on every Go release
// and with every codec of package jsoncodec (which give encoding/json's
// error types). It names the field and what was expected, or the byte
// offset:
//
//	Invalid JSON: syntax error at byte 9
//	Invalid JSON: field "age" must be an integer, got string
//	Invalid JSON: value must be an object, got array (at byte 1)
//	Invalid JSON: unknown field "nmae"
//	Invalid JSON: unexpected end of input
//
// A field is the JSON names of the fields on the way joined by dots,
// without array indices ("items.n", also for Go 1.27's "items.0.n"). An
// unknown field (a strict decoding) is the one error read from its text,
// `json: unknown field "<name>"`, which encoding/json has no type for.
//
// Truncated input (io.ErrUnexpectedEOF, io.EOF) is only mapped here, where
// the caller knows it came from a JSON decoder; [Write] treats those as
// server errors because they can come from anywhere.
func JSONError(err error) *Error {
	if err == nil {
		return nil
	}
	var msg string
	var syn *json.SyntaxError
	var ute *json.UnmarshalTypeError
	var b64 base64.CorruptInputError
	switch {
	case errors.As(err, &syn):
		msg = fmt.Sprintf("Invalid JSON: syntax error at byte %d", syn.Offset)
	case errors.As(err, &b64):
		msg = fmt.Sprintf("Invalid JSON: illegal base64 data at byte %d of a string", int64(b64))
	case errors.As(err, &ute):
		want := jsonKind(ute.Type)
		if field := withoutIndices(ute.Field); field == "" {
			msg = fmt.Sprintf("Invalid JSON: value must be %s, got %s (at byte %d)", want, ute.Value, ute.Offset)
		} else {
			msg = fmt.Sprintf("Invalid JSON: field %q must be %s, got %s", field, want, ute.Value)
		}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "Invalid JSON: unexpected end of input"
	default:
		key, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
		if !ok {
			return nil
		}
		msg = "Invalid JSON: unknown field " + key
	}
	return &Error{Status: http.StatusBadRequest, Message: msg, Err: err}
}

// withoutIndices drops the segments of a Field that are empty or only
// digits: the array indices (and numeric map keys) of Go 1.27's Field.
func withoutIndices(field string) string {
	if !strings.ContainsAny(field, "0123456789") {
		return field
	}
	segs := strings.Split(field, ".")
	keep := segs[:0]
	for _, s := range segs {
		if strings.Trim(s, "0123456789") != "" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, ".")
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a different type"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a " + t.String()
}
