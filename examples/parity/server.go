package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cookies"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/route"
)

// newServer returns every route of the parity app as one handler, with
// errors rendered as JSON (apierror's default). Warnings and errors are
// logged to logOut, one line each (see lineHandler).
func newServer(logOut io.Writer) http.Handler { return newServerWith(logOut, nil) }

// newServerWith is newServer with the error renderer of every route and of
// the 404 and 405 answers: nil for JSON, apierror.RenderText for Next's plain
// text, apierror.RenderProblem for RFC 9457.
//
// Each route is what a user of the library would write for the Next.js file
// of the same name, with the same config: compose.Config is the file's
// `export const config`, the handler its default export.
func newServerWith(logOut io.Writer, renderer apierror.Renderer) http.Handler {
	logger := slog.New(newLineHandler(logOut))
	errs := apierror.Config{Renderer: renderer, Logger: logger}
	// Project-wide settings: every route logs to logOut and renders its
	// errors with errs. A route with a config of its own copies api and
	// changes it.
	api := compose.Config{Errors: errs, DisableCrossOriginProtection: true} // as Next.js, which has no CSRF check

	mux := route.NewMux()
	mux.Errors = errs

	// pages/api/echo.js and its size-limited copies.
	mux.Handle("/api/echo", compose.RouteFunc(echo, api))
	for _, l := range []struct{ path, sizeLimit string }{
		{"/api/small", "100b"}, {"/api/limit-1kb", "1kb"}, {"/api/limit-decimal", "1.5kb"},
	} {
		limited := api
		limited.Body.SizeLimit = l.sizeLimit
		mux.Handle(l.path, compose.RouteFunc(echo, limited))
	}
	unparsed := api // bodyParser: false
	unparsed.Body.Raw = true
	mux.Handle("/api/raw", compose.RouteFunc(raw, unparsed))

	mux.Handle("/api/status", compose.RouteFunc(status, api))
	mux.Handle("/api/send", compose.RouteFunc(send, api))
	mux.Handle("/api/redirect", compose.RouteFunc(redirect, api))

	noLimit := api // responseLimit: false
	noLimit.Response.Disabled = true
	limit8mb := api // responseLimit: '8mb'
	limit8mb.Response.Limit = "8mb"
	mux.Handle("/api/big", compose.RouteFunc(bigResponse, api))
	mux.Handle("/api/big-nolimit", compose.RouteFunc(bigResponse, noLimit))
	mux.Handle("/api/big-8mb", compose.RouteFunc(bigResponse, limit8mb))

	external := api // externalResolver: true
	external.Response.ExternalResolver = true
	mux.Handle("/api/noresponse", compose.RouteFunc(noResponse, api))
	mux.Handle("/api/external", compose.RouteFunc(noResponse, external))
	mux.Handle("/api/throw", compose.Route(http.HandlerFunc(throw), api))
	mux.Handle("/api/throw-async", compose.RouteFunc(throwAsync, api))

	mux.Handle("/api/post/create", compose.RouteFunc(which("post/create.js"), api))
	mux.Handle("/api/post/[pid]", compose.RouteFunc(which("post/[pid].js"), api))
	mux.Handle("/api/post/[...slug]", compose.RouteFunc(which("post/[...slug].js"), api))
	mux.Handle("/api/opt/[[...slug]]", compose.RouteFunc(which("opt/[[...slug]].js"), api))

	mux.Handle("/api/cookies", compose.RouteFunc(cookieJar, api))
	mux.Handle("/api/returns-value", compose.RouteFunc(returnsValue, api))

	// app/api/handler/route.js, which exports GET and POST.
	mux.Handle("/api/handler", compose.Route(route.Methods{
		http.MethodGet:  apierror.HandlerFunc(methodName(http.MethodGet)),
		http.MethodPost: apierror.HandlerFunc(methodName(http.MethodPost)),
	}, api))
	return mux
}

// echoResponse is what echo sends, its fields in the order the JavaScript
// object literal gives them. Body is a pointer so that it can be absent:
// JSON.stringify leaves out a property whose value is undefined, while a
// null body is written "body":null.
type echoResponse struct {
	Method      string            `json:"method"`
	Query       map[string]any    `json:"query"`
	Body        *any              `json:"body,omitempty"`
	BodyType    string            `json:"bodyType"`
	Cookies     map[string]string `json:"cookies"`
	ContentType *string           `json:"contentType"`
}

// echo is
//
//	res.status(200).json({ method: req.method, query: req.query, body: req.body,
//	  bodyType: typeOf(req.body), cookies: req.cookies, contentType: req.headers['content-type'] || null })
func echo(w http.ResponseWriter, r *http.Request) error {
	res := echoResponse{
		Method:   r.Method,
		Query:    route.Query(r),
		BodyType: "undefined",
		Cookies:  cookies.Parse(r),
	}
	if v, ok := bodyparser.Value(r); ok {
		res.Body, res.BodyType = &v, typeOf(v)
	}
	if ct := r.Header["Content-Type"]; len(ct) > 0 && ct[0] != "" { // the JS echo's ||: "" is null
		res.ContentType = &ct[0]
	}
	return respond.JSON(w, r, http.StatusOK, res)
}

// typeOf is JavaScript's typeof for a parsed body, with "null" for null and
// "array" for a list.
func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case []any, []string:
		return "array"
	case map[string]any:
		return "object"
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	}
	return "object"
}

type rawResponse struct {
	Length          int64  `json:"length"`
	SHA256          string `json:"sha256"`
	BodyIsUndefined bool   `json:"bodyIsUndefined"`
}

// raw reads the untouched request stream (bodyParser: false).
func raw(w http.ResponseWriter, r *http.Request) error {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		return err
	}
	_, parsed := bodyparser.Value(r)
	return respond.JSON(w, r, http.StatusOK, rawResponse{
		Length:          n,
		SHA256:          hex.EncodeToString(h.Sum(nil)),
		BodyIsUndefined: !parsed,
	})
}

// status is res.status(Number(req.query.code)).json({ ok: true }). A code
// that is not an integer from 100 to 999 once Node has truncated it is an
// error of respond.JSON, which becomes a 500.
func status(w http.ResponseWriter, r *http.Request) error {
	code := jsInt32(jsNumberOf(route.Query(r)["code"]))
	return respond.JSON(w, r, code, struct {
		OK bool `json:"ok"`
	}{true})
}

type unknownKind struct {
	Error string `json:"error"`
	Kind  any    `json:"kind"` // the query value: a string, a list, or null
}

// send exercises res.send and res.json with every kind of value.
func send(w http.ResponseWriter, r *http.Request) error {
	const ok = http.StatusOK
	q := route.Query(r)
	kind, _ := q["kind"].(string) // a repeated kind matches no case, as in JavaScript
	switch kind {
	case "string":
		return respond.Send(w, r, ok, "hello")
	case "object":
		return respond.Send(w, r, ok, map[string]any{"a": 1})
	case "array":
		return respond.Send(w, r, ok, []any{1, "two", nil})
	case "buffer":
		return respond.Send(w, r, ok, []byte("bin"))
	case "null", "undefined":
		return respond.Send(w, r, ok, nil)
	case "number":
		return respond.Send(w, r, ok, 42)
	case "boolean":
		return respond.Send(w, r, ok, true)
	case "json-undefined":
		return respond.JSON(w, r, ok, nil)
	case "json-null":
		return respond.JSON(w, r, ok, nil)
	case "json-string":
		return respond.JSON(w, r, ok, "str")
	case "empty":
		return respond.Send(w, r, ok, "")
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return respond.Send(w, r, ok, "<p>hi</p>")
	case "buffer-ct":
		w.Header().Set("Content-Type", "image/png")
		return respond.Send(w, r, ok, []byte{0x89, 0x50, 0x4E, 0x47})
	case "stream":
		return respond.Send(w, r, ok, io.MultiReader(strings.NewReader("chunk1-"), strings.NewReader("chunk2")))
	case "status-204":
		return respond.Send(w, r, http.StatusNoContent, "ignored body")
	case "status-304":
		return respond.JSON(w, r, http.StatusNotModified, map[string]any{"ignored": true})
	case "unicode":
		return respond.Send(w, r, ok, "héllo 日本")
	}
	return respond.JSON(w, r, http.StatusBadRequest, unknownKind{Error: "unknown kind", Kind: q["kind"]})
}

// redirect exercises res.redirect.
func redirect(w http.ResponseWriter, r *http.Request) error {
	q := route.Query(r)
	mode, _ := q["mode"].(string)
	switch mode {
	case "absolute":
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "https://example.com/target?q=1")
	case "absolute-301":
		return respond.Redirect(w, r, http.StatusMovedPermanently, "https://example.com/target?q=1")
	case "string-status":
		// res.redirect('301'): a string is the URL, whatever it looks like.
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "301")
	case "no-url":
		// res.redirect(301): Go has no undefined; the URL is the empty string.
		return respond.Redirect(w, r, http.StatusMovedPermanently, "")
	case "non-ascii":
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/日本")
	}
	to, hasTo := q["to"].(string)
	s, hasStatus := q["status"]
	if !hasStatus {
		if !hasTo {
			to = "/api/echo"
		}
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, to)
	}
	n := jsNumberOf(s)
	if !hasTo {
		switch n {
		case 301, 302, 303, 307, 308:
			to = "/api/echo"
		default:
			to = "/x"
		}
	}
	return respond.Redirect(w, r, jsInt32(n), to)
}

// maxStringLength is V8's longest string (2^29 - 24 UTF-16 units): the
// JavaScript handler cannot build a longer one.
const maxStringLength = 1<<29 - 24

// writeChunk is the size of the writes of mode=write.
const writeChunk = 64 << 10

// bigResponse sends 'a'.repeat(Number(req.query.n)): as one string with res.send,
// or with mode=write as text/plain in 64 KiB res.write calls.
func bigResponse(w http.ResponseWriter, r *http.Request) error {
	q := route.Query(r)
	n, err := repeatCount(jsNumberOf(q["n"]))
	if err != nil {
		return err
	}
	if mode, _ := q["mode"].(string); mode != "write" {
		return respond.Send(w, r, http.StatusOK, strings.Repeat("a", n))
	}
	w.Header().Set("Content-Type", "text/plain")
	if err := respond.Status(w, http.StatusOK); err != nil {
		return err
	}
	chunk := []byte(strings.Repeat("a", min(n, writeChunk)))
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// repeatCount is the count String.prototype.repeat accepts: NaN is 0,
// fractions are truncated, and a negative or infinite count, or a string
// longer than JavaScript allows, is a RangeError (here an error, so a 500).
func repeatCount(f float64) (int, error) {
	if math.IsNaN(f) {
		return 0, nil
	}
	f = math.Trunc(f)
	if f < 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("RangeError: Invalid count value: %v", f)
	}
	if f > maxStringLength {
		return 0, errors.New("RangeError: Invalid string length")
	}
	return int(f), nil
}

// noResponse returns without answering (/api/noresponse warns, /api/external
// has externalResolver: true and does not).
func noResponse(http.ResponseWriter, *http.Request) error { return nil }

func throw(http.ResponseWriter, *http.Request) { panic(errors.New("boom")) }

func throwAsync(http.ResponseWriter, *http.Request) error { return errors.New("boom-async") }

type whichResponse struct {
	Which string         `json:"which"`
	Query map[string]any `json:"query"`
}

// which answers the name of the file that matched, and req.query.
func which(file string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return respond.JSON(w, r, http.StatusOK, whichResponse{Which: file, Query: route.Query(r)})
	}
}

func cookieJar(w http.ResponseWriter, r *http.Request) error {
	return respond.JSON(w, r, http.StatusOK, cookies.Parse(r))
}

// returnsValue responds, then returns a value (a dev-mode warning in Next;
// a Go handler returns only an error).
func returnsValue(w http.ResponseWriter, r *http.Request) error {
	return respond.JSON(w, r, http.StatusOK, struct {
		Returned bool `json:"returned"`
	}{true})
}

// methodName is one exported function of app/api/handler/route.js:
// Response.json({ method: 'GET' }), so respond's App Router helper
// (application/json without a charset, no ETag). HEAD is served by the GET
// function, and still says "GET".
func methodName(method string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return respond.AppRouterJSON(w, r, http.StatusOK, struct {
			Method string `json:"method"`
		}{method})
	}
}
