package adapters

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/apiroutes/apiroutes/apierror"
)

const origin = "https://app.example.com"

var routers = []struct {
	name  string
	build func(*API) http.Handler
}{
	{"ServeMux", ServeMux},
	{"chi", Chi},
	{"echo", Echo},
	{"gin", Gin},
	{"gorilla-mux", Gorilla},
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// record is one slog record of apiroutes.
type record struct {
	Level, Msg, Path string
}

func (s *syncBuffer) records(t *testing.T) []record {
	t.Helper()
	var out []record
	for line := range strings.Lines(s.String()) {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

type served struct {
	*httptest.Server
	logs, access *syncBuffer
}

func serve(t *testing.T, build func(*API) http.Handler) served {
	t.Helper()
	logs, access := &syncBuffer{}, &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(build(New(logger, access, origin)))
	t.Cleanup(srv.Close)
	return served{srv, logs, access}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (s served) do(t *testing.T, method, path, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

// eventually polls cond for a while: access loggers write their line as
// the handler returns, which can be after the client has its response.
func eventually(cond func() bool) bool {
	for range 200 {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

const problem = "application/problem+json"

// The behaviour every router must show; header pairs are request headers.
var cases = []struct {
	name, method, path, body string
	header                   []string
	status                   int
	contentType              string            // prefix; "" for none
	contains                 string            // in the body
	wantHeader               map[string]string // response headers
}{
	{name: "a valid task is created", method: "POST", path: "/api/tasks", body: `{"title":"write docs"}`,
		status: 201, contentType: "application/json", contains: `{"id":"1","title":"write docs"}`},
	{name: "a body over the route's 1kb limit is a 413", method: "POST", path: "/api/tasks", body: `{"title":"` + strings.Repeat("x", 2000) + `"}`,
		status: 413, contentType: problem, contains: `"detail":"Body exceeded 1kb limit"`},
	{name: "a field of the wrong type is a 400 that names it", method: "POST", path: "/api/tasks", body: `{"title":5}`,
		status: 400, contentType: problem, contains: `field \"title\" must be a string`},
	{name: "an unknown field is a 400 that names it", method: "POST", path: "/api/tasks", body: `{"nmae":"x"}`,
		status: 400, contentType: problem, contains: `unknown field \"nmae\"`},
	{name: "a typed error from the handler keeps its status", method: "POST", path: "/api/tasks", body: `{"title":""}`,
		status: 400, contentType: problem, contains: `"detail":"title is required"`},
	{name: "the route parameter reaches r.PathValue", method: "GET", path: "/api/tasks/42",
		status: 200, contentType: "application/json", contains: `"id":"42"`},
	{name: "a NotFound from the handler is a 404", method: "GET", path: "/api/tasks/0",
		status: 404, contentType: problem, contains: `"detail":"task 0 not found"`},
	{name: "the router's own 404 is apierror's", method: "GET", path: "/api/nowhere",
		status: 404, contentType: problem, contains: `"status":404`},
	{name: "the router's own 405 is apierror's", method: "DELETE", path: "/api/tasks/42",
		status: 405, contentType: problem, contains: `"status":405`},
	{name: "the router's own 405 names the methods the router serves at the path", method: "DELETE", path: "/api/tasks/42",
		status: 405, wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
	{name: "route.Methods' 405 names the allowed methods", method: "PUT", path: "/api/tasks",
		status: 405, contentType: problem, wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
	{name: "a CORS preflight is answered by the chain", method: "OPTIONS", path: "/api/tasks",
		header: []string{"Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"},
		status: 204, wantHeader: map[string]string{"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": "POST"}},
	{name: "a CORS preflight to a route of one method is answered by the chain", method: "OPTIONS", path: "/api/tasks/42",
		header: []string{"Origin", origin, "Access-Control-Request-Method", "GET"},
		status: 204, wantHeader: map[string]string{"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": "GET"}},
	{name: "a plain OPTIONS to a route of one method is route.Methods' 204 with Allow", method: "OPTIONS", path: "/api/tasks/42",
		status: 204, wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
	{name: "HEAD is served by the GET handler", method: "HEAD", path: "/api/tasks/42",
		status: 200, contentType: "application/json"},
	{name: "an error answer carries the CORS headers", method: "POST", path: "/api/tasks", body: `{"title":5}`,
		header: []string{"Origin", origin}, status: 400, contentType: problem, wantHeader: map[string]string{"Access-Control-Allow-Origin": origin}},
	{name: "a panic is a 500 in the server's renderer", method: "GET", path: "/api/panic",
		status: 500, contentType: problem, contains: `"detail":"Internal Server Error"`},
	{name: "a 204 without a body goes out as it is", method: "GET", path: "/api/noop", status: 204},
	{name: "an error after the response started adds nothing", method: "GET", path: "/api/late",
		status: 202, contains: "partial"},
	{name: "a handler that answers nothing gets net/http's empty 200", method: "GET", path: "/api/silent", status: 200},
	{name: "a big response goes out whole", method: "GET", path: "/api/big", status: 200, contains: strings.Repeat("x", 2048)},
}

func TestEveryRouterShowsTheSameBehaviourOnTheWire(t *testing.T) {
	t.Parallel()
	for _, rt := range routers {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, rt.build)
			for _, tc := range cases {
				res := s.do(t, tc.method, tc.path, tc.body, tc.header...)
				if res.status != tc.status {
					t.Errorf("%s: %s %s: status %d %q, want %d", tc.name, tc.method, tc.path, res.status, res.body, tc.status)
					continue
				}
				if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) || tc.contentType == "" && ct != "" && tc.status == 204 {
					t.Errorf("%s: Content-Type %q, want %q", tc.name, ct, tc.contentType)
				}
				if !strings.Contains(res.body, tc.contains) {
					t.Errorf("%s: body %q lacks %q", tc.name, res.body, tc.contains)
				}
				if tc.contains == "partial" && res.body != "partial" {
					t.Errorf("%s: body %q, want the handler's bytes only", tc.name, res.body)
				}
				for k, v := range tc.wantHeader {
					got := res.header.Get(k)
					ok := strings.Contains(got, v)
					if k == "Allow" { // each router lists them in its own order
						ok = sortedList(got) == sortedList(v)
					}
					if !ok {
						t.Errorf("%s: %s = %q, want %q", tc.name, k, got, v)
					}
				}
			}

			// The warnings are exactly the true ones.
			var warned []string
			for _, r := range s.logs.records(t) {
				switch {
				case strings.HasPrefix(r.Msg, "API resolved without sending a response"):
					warned = append(warned, "unresolved "+r.Path)
				case strings.HasPrefix(r.Msg, "API response for"):
					warned = append(warned, "size "+r.Path)
				case r.Msg == "apierror: response already started, error not sent":
					warned = append(warned, "started "+r.Path)
				}
			}
			want := []string{"started /api/late", "unresolved /api/silent", "size /api/big"}
			if strings.Join(warned, ", ") != strings.Join(want, ", ") {
				t.Errorf("warnings: %q, want %q; logs:\n%s", warned, want, s.logs)
			}

			// The router's access logger saw the answers apiroutes made.
			if !eventually(func() bool {
				log := s.access.String()
				return strings.Contains(log, "/api/tasks/0") && strings.Contains(log, "404") && strings.Contains(log, "413")
			}) {
				t.Errorf("the access log lacks the 404 and 413:\n%s", s.access)
			}
		})
	}
}

// sortedList sorts a comma-separated header value.
func sortedList(v string) string {
	list := strings.Split(v, ",")
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	slices.Sort(list)
	return strings.Join(list, ", ")
}

func TestServerSentEventsAreFlushedThroughEveryRouter(t *testing.T) {
	t.Parallel()
	for _, rt := range routers {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, rt.build)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/events", nil)
			res, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("Content-Type %q", ct)
			}
			// The handler is still running: the event only arrives if the
			// flush went through the router and every wrapper.
			line, err := bufio.NewReader(res.Body).ReadString('\n')
			if err != nil || line != "data: hello\n" {
				t.Fatalf("read %q, %v; want the flushed event", line, err)
			}
		})
	}
}

func TestEchoHandlersBehindTheChain(t *testing.T) {
	t.Parallel()
	s := serve(t, Echo)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"Decode works after echo's BodyLimit replaced r.Body", "POST", "/api/echo/tasks", `{"title":"write docs"}`, 201, `"title":"write docs"`},
		{"echo's HTTPError keeps its status and message", "POST", "/api/echo/tasks", `{"title":""}`, 400, `"detail":"title is required"`},
		{"the body parser answers first", "POST", "/api/echo/tasks", `{"title":"` + strings.Repeat("x", 2000) + `"}`, 413, `Body exceeded 1kb limit`},
		{"echo.ErrNotFound is a 404", "GET", "/api/echo/bare/0", "", 404, `"detail":"Not Found"`},
		{"the router's 405 is a 405", "PUT", "/api/echo/tasks", `{}`, 405, `"status":405`},
	} {
		res := s.do(t, tc.method, tc.path, tc.body)
		if res.status != tc.status || !strings.Contains(res.body, tc.contains) {
			t.Errorf("%s: got %d %q, want %d with %q", tc.name, res.status, res.body, tc.status, tc.contains)
		}
		if tc.status >= 400 && res.header.Get("Content-Type") != problem {
			t.Errorf("%s: Content-Type %q, want problem+json", tc.name, res.header.Get("Content-Type"))
		}
	}
	// Without EchoErrorsInside (/api/echo/bare), echo renders the error after
	// the chain has returned: the chain warns falsely. That is why the
	// recipe exists; with it (/api/echo/tasks) there is no warning.
	var unresolved []string
	for _, r := range s.logs.records(t) {
		if strings.HasPrefix(r.Msg, "API resolved without") {
			unresolved = append(unresolved, r.Path)
		}
	}
	if strings.Join(unresolved, " ") != "/api/echo/bare/0" {
		t.Errorf("unresolved warnings for %q, want only the route without EchoErrorsInside", unresolved)
	}
}

func TestApierrorDoesNotKnowEchosHTTPErrorByItself(t *testing.T) {
	t.Parallel()
	// apierror's doc says so: echo's status is a field, not a method.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/x", nil)
	apierror.Config{Logger: slog.New(slog.DiscardHandler)}.Write(rec, req, echo.ErrNotFound)
	if rec.Code != 500 {
		t.Errorf("apierror.Write(echo.ErrNotFound) = %d; if echo gained a StatusCode method, update apierror's doc and EchoErrorHandler", rec.Code)
	}
	rec = httptest.NewRecorder()
	e := echo.New()
	EchoErrorHandler(apierror.Config{})(echo.ErrNotFound, e.NewContext(req, rec))
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), `"error":"Not Found"`) {
		t.Errorf("EchoErrorHandler(echo.ErrNotFound) = %d %q", rec.Code, rec.Body)
	}
}
