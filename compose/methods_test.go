package compose_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/route"
)

// ranLog records which layers ran, for a server's handlers on other
// goroutines.
type ranLog struct {
	mu  sync.Mutex
	ran []string
}

func (l *ranLog) record(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l.mu.Lock()
			l.ran = append(l.ran, name)
			l.mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
}

func (l *ranLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(l.ran, ",")
	l.ran = nil
	return s
}

// A method the route does not serve is refused before anything of the
// route runs: no authentication (BeforeBody), no body read, no appended
// middleware. The 405 carries Allow and is rendered with the route's
// renderer, inside CORS.
func TestAMethodTheRouteDoesNotServeIsRefusedBeforeItsMiddlewareAndBody(t *testing.T) {
	t.Parallel()
	var log ranLog
	tasks := route.Methods{http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "tasks")
	})}
	c := compose.Config{
		CORS:       &cors.Options{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "HEAD", "POST", "DELETE"}},
		Errors:     apierror.Config{Renderer: apierror.RenderProblem},
		BeforeBody: []func(http.Handler) http.Handler{log.record("auth")},
	}
	withMethods := c
	withMethods.Methods = []string{http.MethodGet}
	for _, form := range []struct {
		name string
		h    http.Handler
		want string // the layers a served request runs
	}{
		{"Route fills Methods from a route.Methods", compose.Route(tasks, c), "auth"},
		{"Chain with Methods, appended middleware", compose.Chain(withMethods).Append(log.record("signature")).Then(tasks), "auth,signature"},
	} {
		t.Run(form.name, func(t *testing.T) {
			var read atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Body = countingBody{r.Body, &read} // what the chain reads of the body
				form.h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			for _, tc := range []struct {
				method      string
				status      int
				allow, body string
				ran         string
			}{
				{"GET", 200, "", "tasks", form.want},
				{"HEAD", 200, "", "", form.want},
				{"POST", 405, "GET, HEAD, OPTIONS", `"status":405`, ""},
				{"DELETE", 405, "GET, HEAD, OPTIONS", `"status":405`, ""},
				{"OPTIONS", 204, "GET, HEAD, OPTIONS", "", ""},
			} {
				read.Store(0)
				req, _ := http.NewRequest(tc.method, srv.URL+"/api/tasks", strings.NewReader(strings.Repeat("x", 64<<10)))
				req.Header.Set("Content-Type", "text/plain")
				req.Header.Set("Origin", "https://app.example.com")
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow || !strings.Contains(string(body), tc.body) {
					t.Errorf("%s: got %d Allow %q %q; want %d Allow %q with %q", tc.method, resp.StatusCode, resp.Header.Get("Allow"), body, tc.status, tc.allow, tc.body)
				}
				if ran := log.take(); ran != tc.ran {
					t.Errorf("%s: ran %q; want %q", tc.method, ran, tc.ran)
				}
				if resp.Header.Get("Access-Control-Allow-Origin") == "" {
					t.Errorf("%s: the answer lacks CORS headers: %v", tc.method, resp.Header)
				}
				if tc.status == 405 {
					if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("%s: Content-Type %q; want the route's renderer, application/problem+json", tc.method, ct)
					}
					if n := read.Load(); n != 0 {
						t.Errorf("%s: the chain read %d bytes of a body it refused", tc.method, n)
					}
				}
			}
		})
	}
}

// The method check answers as route.Methods does, so a route.Methods that
// serves OPTIONS or HEAD itself keeps them.
func TestTheMethodCheckLetsThroughWhatTheRouteServes(t *testing.T) {
	t.Parallel()
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name) })
	}
	h := compose.Route(route.Methods{"POST": named("post"), "OPTIONS": named("options"), "HEAD": named("head")}, compose.Config{})
	for _, tc := range []struct {
		method string
		status int
		body   string
	}{
		{"POST", 200, "post"},
		{"OPTIONS", 200, "options"},
		{"HEAD", 200, "head"},
		{"GET", 405, `{"error":"Method Not Allowed"}`},
	} {
		rec := send(h, tc.method, "", nil)
		if rec.Code != tc.status || rec.Body.String() != tc.body {
			t.Errorf("%s: got %d %q; want %d %q", tc.method, rec.Code, rec.Body, tc.status, tc.body)
		}
		if tc.status == 405 && rec.Header().Get("Allow") != "HEAD, OPTIONS, POST" {
			t.Errorf("%s: Allow %q", tc.method, rec.Header().Get("Allow"))
		}
	}
}
