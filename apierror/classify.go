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

	"github.com/apiroutes/apiroutes/internal/jsonfields"
	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/internal/watch"
)

// verdict is what Write does with an error.
type verdict struct {
	e      *Error // what is sent; nil when nothing is sent
	logMsg string // non-empty: log at Error level with this message
}

const (
	msgInternal      = "Internal Server Error"
	logServerError   = "apierror: server error"
	logInvalidStatus = "apierror: error status outside 400-599, sent as 500"
)

var errInternal = &Error{Status: http.StatusInternalServerError, Message: msgInternal}

// classify maps err to the response, in this order: a write refused by a
// response limit (nothing more to send), *Error, client gone,
// StatusCoder, *http.MaxBytesError, encoding/json errors, anything else.
func classify(r *http.Request, err error) verdict {
	if errors.Is(err, watch.ErrRefused) {
		return verdict{} // the layer that refused the write has answered
	}
	var ae *Error
	if errors.As(err, &ae) {
		return fromStatus(ae.Status, ae.message(), ae.Code, err)
	}
	if (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && r.Context().Err() != nil {
		return verdict{} // the client is gone: there is nobody to answer
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
		return verdict{e: &Error{Status: http.StatusRequestEntityTooLarge, Message: "Body exceeded " + size.Format(mbe.Limit) + " limit", Err: err}}
	}
	var syn *json.SyntaxError
	var ute *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &ute) {
		return verdict{e: JSONError(err)}
	}
	return verdict{e: errInternal, logMsg: logServerError}
}

func fromStatus(status int, msg, code string, err error) verdict {
	if status < 400 || status > 599 {
		return verdict{e: errInternal, logMsg: logInvalidStatus}
	}
	v := verdict{e: &Error{Status: status, Message: msg, Code: code, Err: err}}
	if status >= 500 {
		v.logMsg = logServerError
	}
	return v
}

// JSONError returns the 400 Error for an error from decoding a JSON request
// body with encoding/json, or nil when err is not one. The message says
// what is wrong in JSON's vocabulary rather than Go's, naming the field or
// the byte offset:
//
//	Invalid JSON: invalid character '}' looking for beginning of value (at byte 9)
//	Invalid JSON: field "age" must be an integer, got string
//	Invalid JSON: unknown field "nmae"
//	Invalid JSON: unexpected end of input
//
// A field is named as encoding/json names it without v2 (Go 1.26 and
// older): the JSON names of the struct fields on the way, without array
// indices or map keys ("items.n"). encoding/json v2, the default from Go
// 1.27, gives the JSON Pointer instead ("items.0.n"); JSONError drops its
// indices, its map keys made of digits and its "~0"/"~1" escapes, so the
// message is the same. What v2's Field does not tell apart stays different:
// a map key that is not a number is kept ("m.k" where Go 1.26 says "m"; a
// top-level map gives a field where Go 1.26 gives the value and its
// offset), a key matched case-insensitively keeps the client's spelling
// ("NAME", not "name"), a field promoted from an embedded struct lacks the
// struct's Go name ("id", not "Base.id"; Go 1.23 says "id" too), and a
// field whose JSON name is only digits is dropped along with the indices.
//
// Syntax errors and offsets read the same too: v2's words for a control
// character in a string and for a bad escape, and its offset after a bad
// \u escape, are turned back into Go 1.26's. Two v2 wordings are left as
// they are, since rewording them needs the input: a bad byte inside a
// number ("in numeric literal" where Go 1.26 may say "after decimal point
// in numeric literal" or "in exponent of numeric literal"), and input that
// ends inside a number or literal given to json.Unmarshal ("unexpected end
// of JSON input", at byte 0 for a number, where Go 1.26 says "invalid
// character ' ' ..."). A body that passed the bodyparser middleware is
// valid JSON and never gets those. GOEXPERIMENT=jsonv2 on Go 1.26 also
// gives offsets a byte or more short of the old ones; Go 1.27 fixed that,
// and it is not corrected here.
//
// Invalid base64 for a []byte is "illegal base64 data at byte N of a
// string" on both. A `json:",string"` field whose value is not a quoted
// literal of its type is 400 on both, but Go 1.26 says only "value must be
// an integer in a string, got ..." where v2 names the field
// (`field "q" must be an integer, got number x`).
//
// Truncated input (io.ErrUnexpectedEOF, io.EOF) is only mapped here, where
// the caller knows it came from a JSON decoder; [Write] treats those as
// server errors because they can come from anywhere. So are the base64 and
// ",string" errors, which Go 1.26 returns without a JSON error type: given
// to [Write] directly, they are 500 on Go 1.26 and 400 on Go 1.27 (where
// they are UnmarshalTypeErrors). Pass a decoding error through JSONError
// for the same 400 on both, as bodyparser.Decode does.
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
		text, off := jsonSyntax(syn.Error(), syn.Offset, jsonfields.OnV2)
		msg = fmt.Sprintf("Invalid JSON: %s (at byte %d)", text, off)
	case errors.As(err, &b64):
		// Without v2 it comes bare, with v2 inside an UnmarshalTypeError
		// (whose Field it names): both give this message.
		msg = fmt.Sprintf("Invalid JSON: illegal base64 data at byte %d of a string", int64(b64))
	case errors.As(err, &ute):
		want := jsonKind(ute.Type)
		if field := jsonField(ute.Field, jsonfields.OnV2); field == "" {
			msg = fmt.Sprintf("Invalid JSON: value must be %s, got %s (at byte %d)", want, ute.Value, ute.Offset)
		} else {
			msg = fmt.Sprintf("Invalid JSON: field %q must be %s, got %s", field, want, ute.Value)
		}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "Invalid JSON: unexpected end of input"
	default:
		// encoding/json has no type for these: an unknown field
		// (DisallowUnknownFields), and without v2 a `json:",string"` field
		// whose value is not a quoted literal of its type.
		s := err.Error()
		if key, ok := strings.CutPrefix(s, "json: unknown field "); ok {
			msg = "Invalid JSON: unknown field " + key
		} else if rest, ok := strings.CutPrefix(s, "json: invalid use of ,string struct tag, trying to unmarshal "); ok {
			what, typ, _ := strings.Cut(rest, " into ")
			if what == "unquoted value" {
				what = "an unquoted value"
			}
			msg = "Invalid JSON: value must be " + quotedKind(typ) + ", got " + what
		} else {
			return nil
		}
	}
	return &Error{Status: http.StatusBadRequest, Message: msg, Err: err}
}

// quotedKind names what a `json:",string"` field of Go type typ holds.
func quotedKind(typ string) string {
	switch strings.TrimLeft(typ, "*") {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr":
		return "an integer in a string"
	case "float32", "float64":
		return "a number in a string"
	case "bool":
		return "a boolean in a string"
	case "string":
		return "a quoted string in a string"
	}
	return "a quoted " + typ
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
