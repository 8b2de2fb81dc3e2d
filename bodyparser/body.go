package bodyparser

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// body is a parsed request body. It replaces r.Body, so handlers that read
// r.Body read the same bytes again, and the accessors find it there without
// a context value (two allocations per request).
type body struct {
	raw   []byte          // as received, after Content-Encoding decoding
	text  []byte          // raw decoded to UTF-8, BOM removed; aliases raw when possible
	off   int             // read position of r.Body
	codec jsoncodec.Codec // set for kindJSON and kindJSONText with text, never nil then

	form      url.Values                    // kindForm only
	multipart *FormData                     // a multipart/form-data body, whose stream was read: raw and text are empty
	getBody   func() (io.ReadCloser, error) // made once for the shared empty bodies

	str     string // Text's, once asked for
	value   any
	mu      sync.Mutex
	kind    kind
	valDone bool
	// needJSON is AlwaysJSON's: as request.json() throws on an empty
	// body, Decode refuses one.
	needJSON bool
}

// empties are the empty bodies, by kind. They are shared and never change:
// Read at the end returns EOF without writing, the accessors answer them
// without caching, and attaching one allocates nothing.
var empties = func() (e [kindJSONText + 1]*body) {
	for k := range e {
		e[k] = &body{kind: kind(k)}
		e[k].getBody = e[k].reopen
	}
	return e
}()

// emptyNeedJSON is the shared empty body of an AlwaysJSON route.
var emptyNeedJSON = func() *body {
	b := &body{kind: kindJSON, needJSON: true}
	b.getBody = b.reopen
	return b
}()

func (b *body) Read(p []byte) (int, error) {
	if b.off >= len(b.raw) {
		return 0, io.EOF
	}
	n := copy(p, b.raw[b.off:])
	b.off += n
	return n, nil
}

// WriteTo spares io.Copy(dst, r.Body) a buffer.
func (b *body) WriteTo(w io.Writer) (int64, error) {
	if b.off >= len(b.raw) {
		return 0, nil
	}
	n, err := w.Write(b.raw[b.off:])
	b.off += n
	return int64(n), err
}

func (b *body) Close() error { return nil }

// attach makes b the request's body, and sets r.GetBody, through which the
// accessors find b when a later middleware (chi's middleware.RequestSize,
// echo's BodyLimit) has replaced r.Body with a reader it cannot unwrap.
func attach(r *http.Request, b *body) {
	r.Body = b
	r.GetBody = b.getBody
	if r.GetBody == nil {
		r.GetBody = b.reopen
	}
}

// reread is a fresh reader over a parsed body's bytes, from r.GetBody.
type reread struct {
	bytes.Reader
	b *body
}

func (*reread) Close() error { return nil }

func (b *body) reopen() (io.ReadCloser, error) { return &reread{*bytes.NewReader(b.raw), b}, nil }

// from finds the parsed body: in r.Body, or behind whatever replaced it.
func from(r *http.Request) *body {
	if b, ok := r.Body.(*body); ok {
		return b
	}
	if r.GetBody != nil { // r.Body replaced by a later middleware
		if rc, err := r.GetBody(); err == nil && rc != nil {
			if rr, ok := rc.(*reread); ok {
				return rr.b
			}
			_ = rc.Close()
		}
	}
	return nil
}

// Bytes returns the body's bytes as the client sent them (after gzip or
// deflate decoding, before charset decoding), for checks such as webhook
// signatures; nil when the body is empty or was not parsed. Do not modify
// the slice.
func Bytes(r *http.Request) []byte {
	if b := from(r); b != nil {
		return b.raw
	}
	return nil
}

// Text returns the body decoded to UTF-8 with its charset (invalid
// sequences become U+FFFD, a leading BOM is dropped), whatever its content
// type. It returns "" when the body is empty or was not parsed.
func Text(r *http.Request) string {
	b := from(r)
	if b == nil || len(b.text) == 0 {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.str == "" {
		b.str = string(b.text)
	}
	return b.str
}

// Form returns a urlencoded body's fields (also in r.PostForm), or nil for
// other content types and unparsed bodies. Fields are parsed as Node's
// querystring parses them for Next.js: "+" is a space, a bad "%" escape
// stays literal, brackets are ordinary characters, and only the first 1000
// pairs are read.
func Form(r *http.Request) url.Values {
	b := from(r)
	if b == nil || b.kind != kindForm {
		return nil
	}
	if b.form == nil {
		return url.Values{}
	}
	return b.form
}

// Value returns what Next.js's req.body would be, and ok = false where it
// would be undefined (Raw mode, or no middleware):
//
//   - JSON: the value as the route's codec decodes it into any (a number
//     beyond float64 is ±Inf, as in JavaScript);
//   - urlencoded: map[string]any whose values are string, or []string for
//     a repeated key;
//   - anything else: the text.
//
// An empty JSON or urlencoded body is an empty map. The value is computed
// on first use; do not modify it. Prefer [Decode].
func Value(r *http.Request) (v any, ok bool) {
	b := from(r)
	if b == nil || b.multipart != nil {
		return nil, false
	}
	if b.kind != kindJSON && b.kind != kindForm {
		return Text(r), true
	}
	if len(b.text) == 0 {
		return map[string]any{}, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.valDone {
		return b.value, true
	}
	b.valDone = true
	if b.kind == kindJSON {
		b.value = decodeAny(b.codec, b.text)
		return b.value, true
	}
	m := make(map[string]any, len(b.form))
	for k, vs := range b.form {
		if len(vs) == 1 {
			m[k] = vs[0]
		} else {
			m[k] = vs
		}
	}
	b.value = m
	return m, true
}

// decodeAny decodes validated JSON into any. Codecs refuse numbers beyond
// float64, which JavaScript reads as infinities: encoding/json's UseNumber
// then reads them.
func decodeAny(c jsoncodec.Codec, text []byte) any {
	var v any
	if err := c.Unmarshal(text, &v); err == nil {
		return v
	}
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil
	}
	return numbersToFloat(v)
}

func numbersToFloat(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(t), 64)
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = numbersToFloat(e)
		}
	case []any:
		for i, e := range t {
			t[i] = numbersToFloat(e)
		}
	}
	return v
}

// DecodeOption changes how [Decode] reads JSON.
type DecodeOption uint8

// DisallowUnknownFields makes Decode refuse an object key that matches no
// field of the target, with a 400 that names the key.
const DisallowUnknownFields DecodeOption = 1

var errEmptyJSON = apierror.BadRequest("Invalid JSON: empty body")

var errNotJSON = apierror.New(http.StatusUnsupportedMediaType, "Content-Type must be application/json or application/*+json")

// Decode decodes a JSON or application/*+json body into a new T with the
// route's codec (see [Config].Codec). Its errors are *apierror.Error: 400
// naming the field or byte offset (see [apierror.JSONError]), 415 for
// another content type, 500 without the middleware. An error of a type's
// UnmarshalJSON is returned if it is an *apierror.Error, else the cause of
// a 400 "Invalid JSON: value does not match the expected type". An empty
// body gives the zero T, except under [Config].AlwaysJSON, where it is a
// 400 "Invalid JSON: empty body", as request.json() throws on one.
func Decode[T any](r *http.Request, opts ...DecodeOption) (T, error) {
	var v T
	b := from(r)
	if b == nil {
		return v, apierror.Wrap(errors.New("bodyparser: Decode needs the bodyparser middleware in front of this handler"), 500, "")
	}
	if b.multipart != nil {
		return v, errNotJSON
	}
	if len(b.text) == 0 {
		if b.needJSON {
			return v, errEmptyJSON
		}
		return v, nil
	}
	if b.kind != kindJSON && b.kind != kindJSONText {
		return v, errNotJSON
	}
	var o DecodeOption
	for _, x := range opts {
		o |= x
	}
	var err error
	if o&DisallowUnknownFields != 0 {
		err = b.codec.UnmarshalStrict(b.text, &v)
	} else {
		err = b.codec.Unmarshal(b.text, &v)
	}
	if err == nil {
		return v, nil
	}
	if e := apierror.JSONError(err); e != nil {
		return v, e
	}
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return v, err
	}
	return v, apierror.Wrap(err, http.StatusBadRequest, "Invalid JSON: value does not match the expected type")
}
