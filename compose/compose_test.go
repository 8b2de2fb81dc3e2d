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
	"github.com/apiroutes/apiroutes/responselimit"
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
	}), compose.Config{Body: bodyparser.Config{SizeLimit: "10b"}, CORS: appCORS, Errors: apierror.Config{Logger: logger}})
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
	}, compose.Config{CORS: appCORS, Errors: apierror.Config{Logger: logger}}) // it answers nothing: keep responselimit's warning out of the output
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
	}, compose.Config{Errors: apierror.Config{Renderer: apierror.RenderProblem}})
	rec := send(h, "GET", "", nil)
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	bad := send(compose.Route(http.NotFoundHandler(), compose.Config{Errors: apierror.Config{Renderer: apierror.RenderText}}), "POST", "{", map[string]string{"Content-Type": "application/json"})
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
	}), compose.Config{Body: bodyparser.Config{Raw: true}, Response: responselimit.Config{Limit: "1kb"}, Errors: apierror.Config{Logger: logger}})
	send(h, "POST", strings.Repeat("x", 3<<20), nil)
	if defined || n != 3<<20 {
		t.Errorf("raw mode: defined=%v, read %d", defined, n)
	}
	if !strings.Contains(logs.String(), "exceeds 1KB") {
		t.Errorf("no response size warning: %s", logs)
	}
	ext := compose.Route(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), compose.Config{Response: responselimit.Config{ExternalResolver: true}, Errors: apierror.Config{Logger: logger}})
	send(ext, "GET", "", nil)
	if strings.Contains(logs.String(), "resolved without") {
		t.Errorf("ExternalResolver ignored: %s", logs)
	}
}

// Errors.Logger is the route's one logger: the layers without a logger of
// their own log there too.
func TestErrorsLoggerReceivesEveryLayersLogsUnlessALayerHasItsOwn(t *testing.T) {
	t.Parallel()
	silent := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	preflight := map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
	for _, tc := range []struct {
		name       string
		ownLoggers bool     // Response.Logger and CORS.Logger set
		toErrors   []string // what Errors.Logger receives
		toOwn      []string // what the layers' own loggers receive, and Errors.Logger does not
	}{
		{"Errors.Logger alone", false, []string{"panic recovered", "resolved without sending", "cors: preflight refused"}, nil},
		{"Response.Logger and CORS.Logger set", true, []string{"panic recovered"}, []string{"resolved without sending", "cors: preflight refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			errLog, errLogs := newLogger()
			ownLog, ownLogs := newLogger()
			c := compose.Config{CORS: appCORS, Errors: apierror.Config{Logger: errLog}}
			if tc.ownLoggers {
				o := *appCORS
				o.Logger = ownLog
				c.CORS = &o
				c.Response.Logger = ownLog
			}
			send(compose.Route(silent, c), "GET", "", nil)
			send(compose.Route(silent, c), "OPTIONS", "", preflight)
			send(compose.Route(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), c), "GET", "", nil)
			for _, want := range tc.toErrors {
				if !strings.Contains(errLogs.String(), want) {
					t.Errorf("Errors.Logger has no %q: %s", want, errLogs)
				}
			}
			for _, want := range tc.toOwn {
				if !strings.Contains(ownLogs.String(), want) || strings.Contains(errLogs.String(), want) {
					t.Errorf("%q went to Errors.Logger instead of the layer's own: errors %s; own %s", want, errLogs, ownLogs)
				}
			}
		})
	}
}

func TestInvalidConfigFailsWhenTheRouteIsBuilt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		c    compose.Config
		want string
	}{
		{"body size", compose.Config{Body: bodyparser.Config{SizeLimit: "1mib"}}, `compose: Body.SizeLimit "1mib": unknown unit`},
		{"multipart size", compose.Config{Body: bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxFileSize: "5m"}}}, `compose: Body.Multipart.MaxFileSize "5m": unknown unit`},
		{"raw with AlwaysJSON", compose.Config{Body: bodyparser.Config{Raw: true, AlwaysJSON: true}}, "compose: Body.AlwaysJSON and Multipart parse the body"},
		{"response size", compose.Config{Response: responselimit.Config{Limit: "4m"}}, `compose: Response.Limit "4m": unknown unit`},
		{"zero response size", compose.Config{Response: responselimit.Config{Limit: "0"}}, `compose: Response.Limit "0": a zero limit reports every response; set Disabled`},
		{"enforced and disabled", compose.Config{Response: responselimit.Config{Disabled: true, Enforce: true}}, "compose: Response.Enforce and Disabled are both set"},
		{"wildcard with credentials", compose.Config{CORS: &cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true}}, `compose: CORS.AllowedOrigins "*" with AllowCredentials`},
		{"no origins", compose.Config{CORS: &cors.Options{}}, "compose: CORS.AllowedOrigins is empty"},
		{"nil BeforeBody", compose.Config{BeforeBody: []func(http.Handler) http.Handler{nil}}, "compose: BeforeBody[0] is nil"},
		{"lower-case method", compose.Config{Methods: []string{"GET", "post"}}, `compose: Methods "post": methods are case-sensitive; write "POST"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(v.(error).Error(), tc.want) {
					t.Errorf("Route panicked with %v, want %q", v, tc.want)
				}
			}()
			compose.Route(http.NotFoundHandler(), tc.c)
		})
	}
	t.Run("lower-case route.Methods key", func(t *testing.T) {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(v.(error).Error(), `compose: route: Methods key "post"`) {
				t.Errorf("got %v", v)
			}
		}()
		compose.Route(route.Methods{"post": http.NotFoundHandler()}, compose.Config{})
	})
}

// A route's config is the base copied and changed: the copy has the base's
// settings, the route's change, and leaves the base as it was.
func TestARouteConfigIsACopyOfTheBaseChanged(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	api := compose.Config{
		Body:     bodyparser.Config{SizeLimit: "10b"},
		Response: responselimit.Config{ExternalResolver: true},
		CORS:     appCORS,
		Errors:   apierror.Config{Renderer: apierror.RenderText, Logger: logger},
	}
	bigger := api
	bigger.Body.SizeLimit = "20b"
	jsonErrors := api
	jsonErrors.Errors.Renderer = apierror.RenderJSON
	if api.Body.SizeLimit != "10b" || api.Errors.Renderer == nil || bigger.CORS != appCORS || !bigger.Response.ExternalResolver {
		t.Fatalf("base %+v, copy %+v", api, bigger)
	}
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, bodyparser.Text(r)) })
	origin := map[string]string{"Origin": "https://app.example.com"}
	for _, tc := range []struct {
		name     string
		h        http.Handler
		body     string
		status   int
		response string
	}{
		{"the base's limit, renderer and CORS", compose.Route(echo, api), strings.Repeat("a", 11), 413, "Body exceeded 10b limit"},
		{"the copy's own limit", compose.Route(echo, bigger), strings.Repeat("a", 11), 200, strings.Repeat("a", 11)},
		{"the copy's limit with the base's renderer", compose.Route(echo, bigger), strings.Repeat("a", 21), 413, "Body exceeded 20b limit"},
		{"the copy's own renderer", compose.RouteFunc(func(http.ResponseWriter, *http.Request) error { return errors.New("x") }, jsonErrors), "", 500, `{"error":"Internal Server Error"}`},
		{"the base's chain with appended middleware", compose.Chain(api).Append(tag("auth")).Then(echo), "hi", 200, "auth>hi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := send(tc.h, "POST", tc.body, origin)
			if rec.Code != tc.status || rec.Body.String() != tc.response || rec.Header().Get("Access-Control-Allow-Origin") == "" {
				t.Errorf("got %d %q %v; want %d %q with CORS headers", rec.Code, rec.Body, rec.Header(), tc.status, tc.response)
			}
		})
	}
}

func TestTheDefaultChainAllocatesOnlyTheWrapper(t *testing.T) {
	noContent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"Config{}", compose.Route(noContent, compose.Config{})},
		{"a route.Methods, checked early", compose.Route(route.Methods{"GET": noContent}, compose.Config{})},
	} {
		r := httptest.NewRequest("GET", "/api/x", nil)
		w := httptest.NewRecorder()
		if n := testing.AllocsPerRun(100, func() { tc.h.ServeHTTP(w, r) }); n > 1 {
			t.Errorf("%s: a bodyless GET through the chain allocates %v times, want 1 (the response wrapper)", tc.name, n)
		}
	}
}

func TestReadTimeoutReachesTheBodyParser(t *testing.T) {
	// A route's ReadTimeout bounds its body read: a body that stalls past
	// it is answered 408 by the body parser inside the chain.
	api := compose.Config{Body: bodyparser.Config{ReadTimeout: 50 * time.Millisecond}}
	h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for a body that never came")
	}), api)
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
	api := compose.Config{Body: bodyparser.Config{AlwaysJSON: true, Multipart: &bodyparser.MultipartConfig{}}}
	plain := api // a route that reads bodies as Next's pages router does
	plain.Body.AlwaysJSON, plain.Body.Multipart = false, nil
	for _, tc := range []struct {
		name string
		c    compose.Config
		want []string
	}{
		{"on", api, []string{"map[a:1]", "", "<nil>", "v"}},
		{"turned off in a copy", plain, []string{`{"a":1}`, "", "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--b--\r\n", ""}},
	} {
		got = nil
		route := compose.Route(http.HandlerFunc(h), tc.c)
		req := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8") // fetch with a string body
		route.ServeHTTP(httptest.NewRecorder(), req)
		req = httptest.NewRequest("POST", "/", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--b--\r\n"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		route.ServeHTTP(httptest.NewRecorder(), req)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("%s: got %q; want %q", tc.name, got, tc.want)
		}
	}
	if api.Body.Multipart == nil || !api.Body.AlwaysJSON {
		t.Errorf("changing the copy changed the base: %+v", api.Body)
	}
}

func TestDecompressionSettingsReachTheBodyParser(t *testing.T) {
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
	strict := compose.Config{Body: bodyparser.Config{DisableDecompression: true}}
	lenient := strict
	lenient.Body.DisableDecompression = false
	for _, tt := range []struct {
		name string
		c    compose.Config
		want int
	}{
		{"decoded by default", compose.Config{}, 200},
		{"refused when disabled", strict, 415},
		{"decoded again in a copy that turns it back on", lenient, 200},
		{"refused past a route's ratio", compose.Config{Body: bodyparser.Config{MaxDecompressionRatio: 1}}, 413},
	} {
		if got := send(tt.c); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}
