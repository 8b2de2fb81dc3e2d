package apierror

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/internal/watch"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

func newLogger() (*slog.Logger, *testlog.Buffer) {
	buf := &testlog.Buffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type coded struct{ status int }

func (c coded) Error() string   { return fmt.Sprintf("coded %d", c.status) }
func (c coded) StatusCode() int { return c.status }

func jsonErr(t *testing.T, doc string, v any) error {
	t.Helper()
	err := json.Unmarshal([]byte(doc), v)
	if err == nil {
		t.Fatalf("json.Unmarshal(%q) succeeded; the test needs an error", doc)
	}
	return err
}

func TestWriteMapsEachKindOfError(t *testing.T) {
	t.Parallel()
	var intField struct {
		Age int `json:"age"`
	}
	cases := []struct {
		name     string
		err      error
		status   int
		body     string
		logged   string // substring of the log, "" = nothing at Error level
		logCause bool
	}{
		{"typed 404", NotFound("task not found"), 404, `{"error":"task not found"}`, "", false},
		{"typed with code", BadRequest("missing title").WithCode("missing_title"), 400, `{"error":"missing title","code":"missing_title"}`, "", false},
		{"empty message uses status text", Conflict(""), 409, `{"error":"Conflict"}`, "", false},
		{"wrapped typed error keeps its status", fmt.Errorf("handler: %w", Forbidden("no")), 403, `{"error":"no"}`, "", false},
		{"typed 503 sends its message and logs", Wrap(errors.New("db down"), 503, "try later"), 503, `{"error":"try later"}`, "apierror: server error", true},
		{"status below 400 becomes 500", New(302, "moved"), 500, `{"error":"Internal Server Error"}`, "outside 400-599", false},
		{"status above 599 becomes 500", New(600, "odd"), 500, `{"error":"Internal Server Error"}`, "outside 400-599", false},
		{"status coder 4xx sends its text", coded{418}, 418, `{"error":"coded 418"}`, "", false},
		{"wrapped status coder 4xx sends its own text", fmt.Errorf("outer: %w", coded{422}), 422, `{"error":"coded 422"}`, "", false},
		{"status coder 5xx sends status text", coded{502}, 502, `{"error":"Bad Gateway"}`, "apierror: server error", true},
		{"status coder out of range", coded{200}, 500, `{"error":"Internal Server Error"}`, "outside 400-599", false},
		{"max bytes", &http.MaxBytesError{Limit: 1048576}, 413, `{"error":"Body exceeded 1mb limit"}`, "", false},
		{"max bytes odd limit", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 1500}), 413, `{"error":"Body exceeded 1500b limit"}`, "", false},
		{"json syntax", jsonErr(t, `{"a":}`, &intField), 400, `{"error":"Invalid JSON: syntax error at byte 6"}`, "", false},
		{"json type", jsonErr(t, `{"age":"x"}`, &intField), 400, `{"error":"Invalid JSON: field \"age\" must be an integer, got string"}`, "", false},
		{"unknown error", errors.New("secret dsn=postgres://u:p@h"), 500, `{"error":"Internal Server Error"}`, "secret dsn", true},
		{"context error with live client is a server error", context.Canceled, 500, `{"error":"Internal Server Error"}`, "context canceled", true},
		{"io.ErrUnexpectedEOF is not guessed to be JSON", io.ErrUnexpectedEOF, 500, `{"error":"Internal Server Error"}`, "unexpected EOF", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := newLogger()
			rec := httptest.NewRecorder()
			Config{Logger: logger}.Write(rec, httptest.NewRequest("GET", "/api/x", nil), tc.err)
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Body.String(); got != tc.body {
				t.Errorf("body = %s, want %s", got, tc.body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cl := rec.Header().Get("Content-Length"); cl != fmt.Sprint(len(tc.body)) {
				t.Errorf("Content-Length = %q, want %d", cl, len(tc.body))
			}
			got := logs.String()
			if tc.logged == "" && strings.Contains(got, "level=ERROR") {
				t.Errorf("unexpected error log: %s", got)
			}
			if tc.logged != "" && !strings.Contains(got, tc.logged) {
				t.Errorf("log = %q, want it to contain %q", got, tc.logged)
			}
			if tc.logCause && !strings.Contains(got, "path=/api/x") {
				t.Errorf("log lacks the path: %s", got)
			}
		})
	}
}

func TestWriteSendsNothingWhenTheClientIsGone(t *testing.T) {
	t.Parallel()
	for _, err := range []error{context.Canceled, context.DeadlineExceeded, fmt.Errorf("query: %w", context.Canceled)} {
		logger, logs := newLogger()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := httptest.NewRecorder()
		Config{Logger: logger}.Write(rec, httptest.NewRequest("GET", "/api/x", nil).WithContext(ctx), err)
		if rec.Body.Len() != 0 || rec.Code != 200 || len(rec.Header()) != 0 {
			t.Errorf("%v: wrote status %d, headers %v, body %q; want nothing", err, rec.Code, rec.Header(), rec.Body)
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("%v: logged at Error: %s", err, logs)
		}
	}
}

func TestWriteIgnoresNil(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest("GET", "/", nil), nil)
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Fatalf("wrote something for a nil error")
	}
}

func TestRenderersProduceTheirDocumentedFormat(t *testing.T) {
	t.Parallel()
	e := NotFound("task <7> \"x\"\n").WithCode("nf")
	cases := []struct {
		name     string
		renderer Renderer
		ct       []string // nil = the header must be absent
		body     string
	}{
		{"json", RenderJSON, []string{"application/json; charset=utf-8"}, `{"error":"task <7> \"x\"\n","code":"nf"}`},
		{"text", RenderText, nil, "task <7> \"x\"\n"},
		{"problem", RenderProblem, []string{"application/problem+json"}, `{"type":"about:blank","title":"Not Found","status":404,"detail":"task <7> \"x\"\n","code":"nf"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A real server, so that net/http's own Content-Type sniffing shows.
			srv := httptest.NewServer(Config{Renderer: tc.renderer}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("Content-Encoding", "gzip") // meant for a body that never came
				w.Header().Set("ETag", `"abc"`)
				return e
			})))
			defer srv.Close()
			res, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 404 {
				t.Errorf("status = %d", res.StatusCode)
			}
			if string(body) != tc.body {
				t.Errorf("body = %q, want %q", body, tc.body)
			}
			if got := res.Header.Values("Content-Type"); fmt.Sprint(got) != fmt.Sprint(tc.ct) && !(tc.ct == nil && len(got) == 0) {
				t.Errorf("Content-Type = %q, want %q", got, tc.ct)
			}
			if res.Header.Get("Content-Encoding") != "" || res.Header.Get("Etag") != "" {
				t.Errorf("stale entity headers kept: %v", res.Header)
			}
			if tc.name == "problem" && !json.Valid(body) {
				t.Errorf("problem body is not JSON")
			}
		})
	}
}

func TestJSONBodiesEscapeLikeJSONStringify(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{`<a&b>`, "q\"b\\", "\x00\x1f\x7f", "\b\f\n\r\t", "héllo 😀", "\u2028"} {
		for _, render := range []Renderer{RenderJSON, RenderProblem} {
			rec := httptest.NewRecorder()
			render(rec, httptest.NewRequest("GET", "/", nil), BadRequest(msg))
			var back map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &back); err != nil {
				t.Errorf("%q: body %s is not JSON: %v", msg, rec.Body, err)
				continue
			}
			if got := back["error"]; got != nil && got != msg || back["detail"] != nil && back["detail"] != msg {
				t.Errorf("%q: body %s", msg, rec.Body)
			}
			if strings.Contains(msg, "<") && !strings.Contains(rec.Body.String(), msg) {
				t.Errorf("%q: HTML-escaped: %s", msg, rec.Body)
			}
		}
	}
}

// upperCodec is encoding/json that upper-cases what it writes, to see
// which codec wrote a body.
type upperCodec struct{ jsoncodec.Std }

func (c upperCodec) Append(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	b, err := c.Std.Append(dst, v)
	return append(b[:n], bytes.ToUpper(b[n:])...), err
}

func TestTheCodecOfTheConfigWritesTheBodiesOfEveryLayerInside(t *testing.T) {
	t.Parallel()
	inner := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error { return NotFound("gone") })
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"Recover outside a HandlerFunc", Config{Codec: upperCodec{}}.Recover(inner)},
		{"Write with a Config", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww, _ := watch.Wrap(w)
			Config{Codec: upperCodec{}}.Write(ww, r, NotFound("gone"))
		})},
	} {
		rec := httptest.NewRecorder()
		tc.h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != 404 || rec.Body.String() != `{"ERROR":"GONE"}` {
			t.Errorf("%s: got %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	inner.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != `{"error":"gone"}` {
		t.Errorf("without a codec: %s", rec.Body)
	}
}

func TestHandlerDoesNotWriteTwiceWhenTheResponseHasStarted(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	h := Config{Logger: logger}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "partial")
		return errors.New("late failure")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/late", nil))
	if rec.Code != http.StatusAccepted || rec.Body.String() != "partial" {
		t.Errorf("got %d %q, want the handler's 202 partial untouched", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "response already started") || !strings.Contains(logs.String(), "late failure") {
		t.Errorf("log = %s", logs)
	}
}

func TestHandlerTreatsAWriteHeaderAsAStartedResponse(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	h := Config{Logger: logger}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusNoContent)
		return NotFound("")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/api/x", nil))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
}

func TestHandlerIgnoresInformationalHeaders(t *testing.T) {
	t.Parallel()
	h := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusEarlyHints)
		return NotFound("gone")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != `{"error":"gone"}` {
		t.Errorf("a 103 Early Hints stopped the error: %d %q", rec.Code, rec.Body)
	}
}

func TestInnerLayersInheritTheNearestConfig(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	failing := func(err error) HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error { return err }
	}
	mux := http.NewServeMux()
	mux.Handle("/plain", HandlerFunc(failing(NotFound(""))))
	mux.Handle("/text", Config{Renderer: RenderText}.Recover(HandlerFunc(failing(NotFound("")))))
	mux.Handle("/boom", HandlerFunc(failing(errors.New("boom"))))
	mux.Handle("/write", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Write(w, r, BadRequest("bad"))
	}))
	server := Config{Renderer: RenderProblem, Logger: logger}.Recover(mux)

	cases := []struct{ path, ct, body string }{
		{"/plain", "application/problem+json", `{"type":"about:blank","title":"Not Found","status":404,"detail":"Not Found"}`},
		{"/text", "", "Not Found"},
		{"/boom", "application/problem+json", `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Internal Server Error"}`},
		{"/write", "application/problem+json", `{"type":"about:blank","title":"Bad Request","status":400,"detail":"bad"}`},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Header().Get("Content-Type") != tc.ct || rec.Body.String() != tc.body {
			t.Errorf("%s: got %q %s, want %q %s", tc.path, rec.Header().Get("Content-Type"), rec.Body, tc.ct, tc.body)
		}
	}
	if !strings.Contains(logs.String(), "error=boom") {
		t.Errorf("the inherited logger did not get the 500's cause: %s", logs)
	}
}

func TestAnInnerConfigEndsWhenItsLayerReturns(t *testing.T) {
	t.Parallel()
	inner := Config{Renderer: RenderText}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error { return nil }))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		Write(w, r, NotFound(""))
	})
	rec := httptest.NewRecorder()
	Recover(outer).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("after the Text layer returned, the outer error was rendered with %q", rec.Header().Get("Content-Type"))
	}
}

func TestHEADGetsStatusAndHeadersWithoutBody(t *testing.T) {
	t.Parallel()
	for _, r := range []Renderer{RenderJSON, RenderText, RenderProblem} {
		srv := httptest.NewServer(Config{Renderer: r}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			return Unauthorized("token expired")
		})))
		res, err := http.Head(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		if res.StatusCode != 401 || len(body) != 0 {
			t.Errorf("HEAD: got %d with %d body bytes", res.StatusCode, len(body))
		}
	}
}

func TestErrorConstructorsCarryTheirStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		e    *Error
		want int
	}{
		{BadRequest(""), 400}, {Unauthorized(""), 401}, {Forbidden(""), 403}, {NotFound(""), 404},
		{Conflict(""), 409},
	}
	for _, tc := range cases {
		if tc.e.StatusCode() != tc.want || tc.e.Error() != http.StatusText(tc.want) {
			t.Errorf("got %d %q, want %d %q", tc.e.StatusCode(), tc.e.Error(), tc.want, http.StatusText(tc.want))
		}
	}
}

func TestErrorfWrapsItsCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("no rows")
	e := Errorf(404, "task %d: %w", 7, cause)
	if e.Message != "task 7: no rows" || !errors.Is(e, cause) {
		t.Errorf("Errorf = %+v", e)
	}
	w := Wrap(cause, 409, "taken")
	if w.Error() != "taken: no rows" || !errors.Is(w, cause) || w.Message != "taken" {
		t.Errorf("Wrap = %q", w.Error())
	}
	c := w.WithCode("dup")
	if w.Code != "" || c.Code != "dup" {
		t.Errorf("WithCode changed the original")
	}
}

func TestJSONErrorDescribesDecodingErrors(t *testing.T) {
	t.Parallel()
	type inner struct {
		N []float64 `json:"n"`
	}
	var v struct {
		Name  string `json:"name"`
		Inner inner  `json:"inner"`
		OK    bool   `json:"ok"`
	}
	strict := func(doc string) error {
		d := json.NewDecoder(strings.NewReader(doc))
		d.DisallowUnknownFields()
		return d.Decode(&v)
	}
	cases := []struct {
		err  error
		want string
	}{
		{jsonErr(t, `{"name":1}`, &v), `Invalid JSON: field "name" must be a string, got number`},
		{jsonErr(t, `{"inner":{"n":["x"]}}`, &v), `Invalid JSON: field "inner.n" must be a number, got string`},
		{jsonErr(t, `{"ok":"yes"}`, &v), `Invalid JSON: field "ok" must be a boolean, got string`},
		{jsonErr(t, `[1]`, &v), `Invalid JSON: value must be an object, got array (at byte 1)`},
		{jsonErr(t, `{"name":"a",}`, &v), `Invalid JSON: syntax error at byte 13`},
		{jsonErr(t, `{"inner":{"n":[1,"x"]}}`, &v), `Invalid JSON: field "inner.n" must be a number, got string`},
		{strict(`{"nmae":"x"}`), `Invalid JSON: unknown field "nmae"`},
		{strict(`{"name":`), `Invalid JSON: unexpected end of input`},
		{strict(``), `Invalid JSON: unexpected end of input`},
	}
	for _, tc := range cases {
		got := JSONError(tc.err)
		if got == nil || got.Status != 400 || got.Message != tc.want {
			t.Errorf("JSONError(%v) = %+v, want 400 %q", tc.err, got, tc.want)
			continue
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("JSONError(%v) lost its cause", tc.err)
		}
	}
	if JSONError(errors.New("other")) != nil || JSONError(nil) != nil {
		t.Errorf("JSONError mapped a non-JSON error")
	}
	if JSONError(&json.InvalidUnmarshalError{}) != nil {
		t.Errorf("a programming error (non-pointer target) must stay a 500")
	}
}

func TestRenderSendsTheErrorAsItIsWithoutLogging(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	rec := httptest.NewRecorder()
	Config{Logger: logger}.Render(rec, httptest.NewRequest("GET", "/", nil), New(http.StatusInternalServerError, "").WithCode("limit"))
	if rec.Code != 500 || rec.Body.String() != `{"error":"Internal Server Error","code":"limit"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	if logs.String() != "" {
		t.Errorf("Render logged: %s", logs)
	}
	// Once the response has started, Render sends nothing and says so.
	h := Config{Logger: logger}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		_, _ = io.WriteString(w, "partial")
		Config{}.Render(w, r, NotFound(""))
		return nil
	}))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != "partial" || !strings.Contains(logs.String(), "response already started") {
		t.Errorf("got %q, log %s", rec.Body, logs)
	}
}
