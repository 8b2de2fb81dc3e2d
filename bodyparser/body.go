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
	"github.com/apiroutes/apiroutes/internal/charset"
	"github.com/apiroutes/apiroutes/internal/whatwg"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// body is a parsed request body. It replaces r.Body, so handlers that read
// r.Body read the same bytes again, and the accessors find it there without
// a context value (which would cost two allocations per request).
type body struct {
	raw   []byte // as received, after Content-Encoding decoding
	text  []byte // raw decoded to UTF-8, BOM removed; aliases raw when possible
	kind  kind
	off   int             // read position of r.Body
	codec jsoncodec.Codec // set for kindJSON and kindJSONText with text, never nil then

	form url.Values // kindForm only

	mu      sync.Mutex
	str     string
	strDone bool
	value   any
	valDone bool
}

// empty bodies are shared and never change: Read at the end returns EOF
// without writing, and the accessors answer them without caching.
var (
	emptyText = &body{kind: kindText}
	emptyJSON = &body{kind: kindJSON}
	emptyForm = &body{kind: kindForm}
)

func emptyBody(k kind) *body {
	switch k {
	case kindJSON:
		return emptyJSON
	case kindForm:
		return emptyForm
	}
	return emptyText
}

// newBody decodes raw with enc (nil: UTF-8) and returns the parsed body.
func newBody(raw []byte, k kind, enc *charset.Decoder) (*body, error) {
	b := &body{raw: raw, kind: k}
	text := enc.Decode(raw)
	text = bytes.TrimPrefix(text, []byte("\uFEFF"))
	b.text = whatwg.ValidUTF8(text)
	return b, nil
}

// Read reads the body's bytes as received.
func (b *body) Read(p []byte) (int, error) {
	if b.off >= len(b.raw) {
		return 0, io.EOF
	}
	n := copy(p, b.raw[b.off:])
	b.off += n
	return n, nil
}

// WriteTo writes the unread bytes to w, so that io.Copy(dst, r.Body) does
// not need a buffer.
func (b *body) WriteTo(w io.Writer) (int64, error) {
	if b.off >= len(b.raw) {
		return 0, nil
	}
	n, err := w.Write(b.raw[b.off:])
	b.off += n
	return int64(n), err
}

// Close does nothing: the bytes stay readable through the accessors.
func (b *body) Close() error { return nil }

// attach makes b the request's body. It also sets r.GetBody, which returns
// a fresh reader over the same bytes (what GetBody promises, should the
// request be forwarded) and through which the accessors find b again when
// a later middleware has replaced r.Body: chi's middleware.RequestSize and
// echo's BodyLimit wrap it, and neither can be unwrapped.
func attach(r *http.Request, b *body) {
	r.Body = b
	switch b {
	case emptyJSON: // shared bodies get static functions: no allocation
		r.GetBody = getEmptyJSON
	case emptyForm:
		r.GetBody = getEmptyForm
	case emptyText:
		r.GetBody = getEmptyText
	default:
		r.GetBody = b.reopen
	}
}

// reread is a fresh reader over a parsed body's bytes, from r.GetBody.
type reread struct {
	b   *body
	off int
}

func (rr *reread) Read(p []byte) (int, error) {
	if rr.off >= len(rr.b.raw) {
		return 0, io.EOF
	}
	n := copy(p, rr.b.raw[rr.off:])
	rr.off += n
	return n, nil
}

func (rr *reread) Close() error { return nil }

func (b *body) reopen() (io.ReadCloser, error) { return &reread{b: b}, nil }

var (
	getEmptyJSON = func() (io.ReadCloser, error) { return &reread{b: emptyJSON}, nil }
	getEmptyForm = func() (io.ReadCloser, error) { return &reread{b: emptyForm}, nil }
	getEmptyText = func() (io.ReadCloser, error) { return &reread{b: emptyText}, nil }
)

// from finds the parsed body: in r.Body, or behind whatever replaced it.
// The accessors then read the body bodyparser accepted, within its
// SizeLimit; a body limit set after bodyparser only bounds reads of r.Body.
func from(r *http.Request) *body {
	if b, ok := r.Body.(*body); ok {
		return b
	}
	if r.GetBody == nil {
		return nil
	}
	rc, err := r.GetBody()
	if err != nil || rc == nil {
		return nil
	}
	if rr, ok := rc.(*reread); ok {
		return rr.b
	}
	_ = rc.Close()
	return nil
}

// Bytes returns the body's bytes as the client sent them (after gzip or
// deflate decoding, before charset decoding), for checks such as webhook
// signatures. It returns nil when the body is empty or the middleware did
// not parse it (Raw mode, or no middleware). The slice is shared: do not
// modify it.
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
	if !b.strDone {
		b.str, b.strDone = string(b.text), true
	}
	return b.str
}

// Form returns a urlencoded body's fields (also in r.PostForm, so
// r.FormValue works), or nil for other content types and unparsed bodies.
// Fields are parsed as Next.js parses them (Node's querystring): "+" is a
// space, a bad "%" escape stays literal, a key without "=" has the value "",
// brackets are ordinary characters, and only the first 1000 "&"-separated
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
//   - JSON: the value as the route's codec decodes it into any (objects are
//     map[string]any, numbers float64, null is nil; a number beyond
//     float64 is ±Inf, as in JavaScript); an empty body is an empty map,
//     as in Next;
//   - urlencoded: map[string]any whose values are string, or []string for
//     a repeated key; an empty body is an empty map;
//   - anything else: the text, "" for an empty body.
//
// The value is computed once, on first use; callers must not modify it.
// Prefer [Decode] for JSON: it decodes straight into your type.
func Value(r *http.Request) (v any, ok bool) {
	b := from(r)
	if b == nil {
		return nil, false
	}
	switch b.kind {
	case kindJSON:
		if len(b.text) == 0 {
			return map[string]any{}, true
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if !b.valDone {
			b.value, b.valDone = decodeAny(b.codec, b.text), true
		}
		return b.value, true
	case kindForm:
		if len(b.raw) == 0 {
			return map[string]any{}, true
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if !b.valDone {
			m := make(map[string]any, len(b.form))
			for k, vs := range b.form {
				if len(vs) == 1 {
					m[k] = vs[0]
				} else {
					m[k] = vs
				}
			}
			b.value, b.valDone = m, true
		}
		return b.value, true
	}
	return Text(r), true
}

// decodeAny decodes validated JSON into any. Numbers beyond float64 are
// infinities, as in JavaScript: codecs refuse them, and encoding/json's
// UseNumber then reads them (only for such bodies).
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

const (
	// DisallowUnknownFields makes Decode refuse an object key that matches
	// no field of the target, with a 400 that names the key.
	DisallowUnknownFields DecodeOption = 1 << iota
)

var (
	errNotJSON = apierror.New(http.StatusUnsupportedMediaType, "Content-Type must be application/json or application/*+json")
)

// Decode decodes a JSON body into a new T with the route's codec (see
// [Config].Codec). The body was checked before the handler ran, so the
// errors left are about its shape: each is an [*apierror.Error] with
// status 400 whose message names the field or byte offset (`Invalid JSON:
// field "age" must be an integer, got string`, see [apierror.JSONError]),
// and an error that a type's UnmarshalJSON returns is a 400 "Invalid JSON:
// value does not match the expected type" that keeps it as its cause,
// unless it is an *apierror.Error itself. application/*+json bodies (RFC
// 6839: merge-patch+json, vnd.api+json), which Value reads as text as Next
// does, are decoded too, a syntax error then answered here with a 400. A
// body of another content type is 415; an empty body gives the zero T, as Next.js gives {}. Decode needs
// the middleware on the route; without it, it returns a 500 error that
// says so in its cause.
func Decode[T any](r *http.Request, opts ...DecodeOption) (T, error) {
	var v T
	b := from(r)
	if b == nil {
		if Multipart(r) != nil {
			return v, errNotJSON
		}
		return v, apierror.Wrap(errNoMiddleware, 500, "")
	}
	if len(b.text) == 0 {
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

var errNoMiddleware = errorString("bodyparser: Decode needs the bodyparser middleware in front of this handler")

type errorString string

func (e errorString) Error() string { return string(e) }
