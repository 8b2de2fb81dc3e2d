package compose_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/justinas/alice"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/route"
)

func newLogger() (*slog.Logger, *testlog.Buffer) { return testlog.New(slog.LevelDebug) }

var appCORS = &cors.Options{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"POST"}}

// tag appends its name to the response body, the way alice's tests check
// order.
func tag(name string) alice.Constructor {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, name+">")
			next.ServeHTTP(w, r)
		})
	}
}

func TestAppendedMiddlewareRunsInOrderAfterTheBodyIsParsed(t *testing.T) {
	t.Parallel()
	h := compose.Chain(compose.Config{}).Append(tag("auth"), tag("audit")).Then(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := bodyparser.Value(r)
		_, _ = io.WriteString(w, "handler:"+v.(string))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("hi")))
	if rec.Body.String() != "auth>audit>handler:hi" {
		t.Errorf("body %q", rec.Body)
	}
}

func send(h http.Handler, method, body string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/api/x", strings.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestTheFixedOrderShowsInTheAnswers(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	handled := false
	h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled = true
		if r.Header.Get("X-Panic") != "" {
			panic("boom")
		}
		_, _ = io.WriteString(w, "ok")
	}), compose.Config{SizeLimit: "10b", CORS: appCORS, Logger: logger})
	origin := map[string]string{"Origin": "https://app.example.com", "Content-Type": "application/json"}

	// CORS before the body parser: a preflight with an oversized, invalid body is answered 204.
	pre := send(h, "OPTIONS", strings.Repeat("{", 100), map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"})
	if pre.Code != 204 || pre.Header().Get("Access-Control-Allow-Origin") == "" || handled {
		t.Errorf("preflight: %d %v handled=%v", pre.Code, pre.Header(), handled)
	}
	// CORS outside the body parser: its 413 and 400 carry the CORS headers.
	for body, status := range map[string]int{strings.Repeat("a", 11): 413, "{": 400} {
		rec := send(h, "POST", body, origin)
		if rec.Code != status || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("%d answer without CORS headers: %d %v", status, rec.Code, rec.Header())
		}
	}
	// Recover outside CORS: a panic's 500 carries them too, and is logged.
	p := send(h, "POST", "{}", map[string]string{"Origin": "https://app.example.com", "Content-Type": "application/json", "X-Panic": "1"})
	if p.Code != 500 || p.Header().Get("Access-Control-Allow-Origin") == "" || !strings.Contains(logs.String(), "panic recovered") {
		t.Errorf("panic: %d %v", p.Code, p.Header())
	}
	// The response checks outside the body parser: its 400 is an answer, not an unresolved response.
	if strings.Contains(logs.String(), "resolved without sending") {
		t.Errorf("a body parser error was reported as unresolved: %s", logs)
	}
}

// rootWriter is the writer net/http would pass: it has no Unwrap.
type rootWriter struct{ *httptest.ResponseRecorder }

func TestThereIsOneResponseWrapperPerRequest(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	var layers int
	h := compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
		for u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok; u, ok = w.(interface{ Unwrap() http.ResponseWriter }) {
			w = u.Unwrap()
			layers++
		}
		return nil
	}, compose.Config{CORS: appCORS, Logger: logger}) // it answers nothing: keep responselimit's warning out of the output
	h.ServeHTTP(rootWriter{httptest.NewRecorder()}, httptest.NewRequest("GET", "/", nil))
	if layers != 1 {
		t.Errorf("%d response wrappers between the handler and the server's writer, want exactly 1", layers)
	}
}

// A flush from the handler, on the writer it was given, must reach the
// server's writer while the handler still runs: streaming and server-sent
// events depend on it.
func TestFlushReachesTheServersWriterThroughTheChain(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	var flushErr error
	var flushed bool
	var sent string
	h := compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
		_, _ = io.WriteString(w, "data: 1\n\n")
		flushErr = http.NewResponseController(w).Flush()
		flushed, sent = rec.Flushed, rec.Body.String()
		return nil
	}, compose.Config{CORS: appCORS})
	h.ServeHTTP(rootWriter{rec}, httptest.NewRequest("GET", "/", nil))
	if flushErr != nil {
		t.Errorf("Flush through the chain: %v", flushErr)
	}
	if !flushed || sent != "data: 1\n\n" {
		t.Errorf("during the handler, after its flush: the server's writer was flushed=%v and had %q; want flushed with the event", flushed, sent)
	}
}

func TestErrorsUseTheRoutesRenderer(t *testing.T) {
	t.Parallel()
	h := compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
		return apierror.NotFound("no such task")
	}, compose.Config{Errors: apierror.Config{Renderer: apierror.Problem}})
	rec := send(h, "GET", "", nil)
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	bad := send(compose.Route(http.NotFoundHandler(), compose.Config{Errors: apierror.Config{Renderer: apierror.Text}}), "POST", "{", map[string]string{"Content-Type": "application/json"})
	if bad.Body.String() != "Invalid JSON" {
		t.Errorf("the body parser did not use the route's renderer: %q", bad.Body)
	}
}

func TestRawModeAndResponseLimitsReachTheirLayers(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	var defined bool
	var n int64
	h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, defined = bodyparser.Value(r)
		n, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(make([]byte, 2048))
	}), compose.Config{BodyParser: compose.Raw, ResponseLimit: "1kb", Logger: logger})
	send(h, "POST", strings.Repeat("x", 3<<20), nil)
	if defined || n != 3<<20 {
		t.Errorf("raw mode: defined=%v, read %d", defined, n)
	}
	if !strings.Contains(logs.String(), "exceeds 1KB") {
		t.Errorf("no response size warning: %s", logs)
	}
	ext := compose.Route(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), compose.Config{ExternalResolver: true, Logger: logger})
	send(ext, "GET", "", nil)
	if strings.Contains(logs.String(), "resolved without") {
		t.Errorf("ExternalResolver ignored: %s", logs)
	}
}

func TestInvalidConfigFailsWhenTheRouteIsBuilt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		c    compose.Config
		want string
	}{
		{compose.Config{SizeLimit: "1mib"}, `compose: SizeLimit "1mib": unknown unit`},
		{compose.Config{ResponseLimit: "4m"}, `compose: ResponseLimit "4m": unknown unit`},
		{compose.Config{ResponseLimit: "0"}, `compose: ResponseLimit "0": a zero limit reports every response; set DisableResponseLimit`},
		{compose.Config{DisableResponseLimit: true, EnforceResponseLimit: true}, "compose: EnforceResponseLimit and DisableResponseLimit are both set"},
		{compose.Config{CORS: &cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true}}, `compose: CORS.AllowedOrigins "*" with AllowCredentials`},
		{compose.Config{CORS: &cors.Options{}}, "compose: CORS.AllowedOrigins is empty"},
		{compose.Config{BeforeBody: []func(http.Handler) http.Handler{nil}}, "compose: BeforeBody[0] is nil"},
		{compose.Config{BodyParser: 7}, "compose: BodyParser 7"},
	}
	for _, tc := range cases {
		if err := tc.c.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.c, err, tc.want)
		}
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(v.(error).Error(), tc.want) {
					t.Errorf("Route(%+v) panicked with %v", tc.c, v)
				}
			}()
			compose.Route(http.NotFoundHandler(), tc.c)
		}()
	}
	func() {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(v.(error).Error(), `compose: route: Methods key "post"`) {
				t.Errorf("lower-case Methods key: %v", v)
			}
		}()
		compose.Route(route.Methods{"post": http.NotFoundHandler()}, compose.Config{})
	}()
}

func TestDefaultsMergeIntoEachRoute(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	d := compose.Defaults{SizeLimit: "10b", CORS: appCORS, Errors: apierror.Config{Renderer: apierror.Text}, Logger: logger, ExternalResolver: true}
	got := d.Merge(compose.Config{SizeLimit: "20b", EnforceResponseLimit: true})
	if got.SizeLimit != "20b" || got.CORS != appCORS || got.Errors.Renderer == nil || got.Logger != logger || !got.ExternalResolver || !got.EnforceResponseLimit {
		t.Errorf("Merge = %+v", got)
	}
	h := d.Route(http.NotFoundHandler(), compose.Config{})
	rec := send(h, "POST", strings.Repeat("a", 11), map[string]string{"Origin": "https://app.example.com"})
	if rec.Code != 413 || rec.Body.String() != "Body exceeded 10b limit" || rec.Header().Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("defaults not applied: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	own := d.RouteFunc(func(w http.ResponseWriter, r *http.Request) error { return errors.New("x") }, compose.Config{Errors: apierror.Config{Renderer: apierror.JSON}})
	if rec := send(own, "GET", "", nil); rec.Body.String() != `{"error":"Internal Server Error"}` {
		t.Errorf("a route's own renderer lost to the default: %q", rec.Body)
	}
}

// Defaults.Chain is how a project appends its own middleware (auth, say)
// to the chain its defaults build.
func TestDefaultsChainAppliesTheDefaultsBeforeAppendedMiddleware(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	d := compose.Defaults{SizeLimit: "10b", Errors: apierror.Config{Renderer: apierror.Text}, Logger: logger}
	h := d.Chain(compose.Config{}).Append(tag("auth")).Then(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := bodyparser.Value(r)
		_, _ = io.WriteString(w, "handler:"+v.(string))
	}))
	if rec := send(h, "POST", "hi", nil); rec.Body.String() != "auth>handler:hi" {
		t.Errorf("a small body: %d %q", rec.Code, rec.Body)
	}
	if rec := send(h, "POST", strings.Repeat("a", 11), nil); rec.Code != 413 || rec.Body.String() != "Body exceeded 10b limit" {
		t.Errorf("the default limit and renderer did not apply: %d %q", rec.Code, rec.Body)
	}
}

func TestTheDefaultChainAllocatesOnlyTheWrapper(t *testing.T) {
	h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }), compose.Config{})
	r := httptest.NewRequest("GET", "/api/x", nil)
	w := httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n > 1 {
		t.Errorf("a bodyless GET through the default chain allocates %v times, want 1 (the response wrapper)", n)
	}
}

func TestReadTimeoutReachesTheBodyParserAndDefaultsMergeIt(t *testing.T) {
	// A route's ReadTimeout bounds its body read: a body that stalls past
	// it is answered 408 by the body parser inside the chain.
	d := compose.Defaults{ReadTimeout: 50 * time.Millisecond}
	h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for a body that never came")
	}), d.Merge(compose.Config{}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nab")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d; want 408", resp.StatusCode)
	}
	if got := d.Merge(compose.Config{ReadTimeout: time.Second}).ReadTimeout; got != time.Second {
		t.Errorf("a route's own ReadTimeout: %v", got)
	}
	if got := d.Merge(compose.Config{Override: compose.OverrideReadTimeout}).ReadTimeout; got != 0 {
		t.Errorf("OverrideReadTimeout kept %v; want the route's zero (the parser's default)", got)
	}
}

func TestAlwaysJSONAndMultipartReachTheBodyParser(t *testing.T) {
	var got []string
	h := func(w http.ResponseWriter, r *http.Request) {
		var v any
		if _, ok := bodyparser.Value(r); ok {
			v, _ = bodyparser.Value(r)
		}
		got = append(got, fmt.Sprint(v), bodyparser.Multipart(r).Get("f"))
	}
	d := compose.Defaults{AlwaysJSON: true, Multipart: &bodyparser.MultipartConfig{}}
	route := compose.Route(http.HandlerFunc(h), d.Merge(compose.Config{}))
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8") // fetch with a string body
	route.ServeHTTP(httptest.NewRecorder(), req)
	req = httptest.NewRequest("POST", "/", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--b--\r\n"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	route.ServeHTTP(httptest.NewRecorder(), req)
	if want := []string{"map[a:1]", "", "<nil>", "v"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q; want %q", got, want)
	}
	off := d.Merge(compose.Config{Override: compose.OverrideAlwaysJSON | compose.OverrideMultipart})
	if off.AlwaysJSON || off.Multipart != nil {
		t.Errorf("Override kept the defaults: %+v", off)
	}
}

func TestDecompressionSettingsReachTheBodyParserAndMerge(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"a":"` + strings.Repeat(" ", 4<<10) + `"}`))
	_ = zw.Close()
	send := func(c compose.Config) int {
		h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }), c)
		req := httptest.NewRequest("POST", "/", bytes.NewReader(gz.Bytes()))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	d := compose.Defaults{DisableDecompression: true}
	for _, tt := range []struct {
		name string
		c    compose.Config
		want int
	}{
		{"decoded by default", compose.Config{}, 200},
		{"refused by the chain's default", d.Merge(compose.Config{}), 415},
		{"decoded again on a route that overrides it", d.Merge(compose.Config{Override: compose.OverrideDecompression}), 200},
		{"refused past a route's ratio", compose.Config{MaxDecompressionRatio: 1}, 413},
	} {
		if got := send(tt.c); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}
