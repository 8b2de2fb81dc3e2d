package route_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/responselimit"
	"github.com/apiroutes/apiroutes/route"
)

// TestAMethodsHandlerThatWritesNothingIs500: Next answers a route handler
// that returns no Response with 500 and a log line; the pages router (a
// plain handler under compose) only warns.
func TestAMethodsHandlerThatWritesNothingIs500(t *testing.T) {
	t.Parallel()
	var logs testlog.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	nothing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Only-A-Header", "1")
	})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })

	mux := route.NewMux()
	mux.Handle("/api/app/[id]", route.Methods{http.MethodGet: nothing, http.MethodPost: ok})
	mux.Handle("/api/composed", compose.Route(route.Methods{http.MethodGet: nothing}, compose.Config{Errors: apierror.Config{Logger: logger}}))
	mux.Handle("/api/pages", compose.Route(nothing, compose.Config{Methods: []string{http.MethodGet}, Response: responselimit.Config{Logger: logger}}))
	std := http.NewServeMux()
	std.Handle("/api/std/{id}", route.Methods{http.MethodGet: nothing})
	top := http.NewServeMux()
	top.Handle("/api/std/", std)
	top.Handle("/", mux)
	srv := httptest.NewServer(apierror.Config{Logger: logger}.Recover(top))
	defer srv.Close()

	for _, tc := range []struct {
		method, path string
		status       int
		body, log    string
	}{
		{"GET", "/api/app/7", 500, `{"error":"Internal Server Error"}`, "No response is returned from route handler '/api/app/[id]'. Expected a Response object but received 'undefined' (method: GET, url: /api/app/7)."},
		{"HEAD", "/api/app/7", 500, ``, "(method: HEAD, url: /api/app/7)"},
		{"POST", "/api/app/7", 200, "ok", ""},
		{"GET", "/api/composed", 500, `{"error":"Internal Server Error"}`, "No response is returned from route handler '/api/composed'."},
		{"GET", "/api/std/1", 500, `{"error":"Internal Server Error"}`, "No response is returned from route handler '/api/std/{id}'."},
		// The pages router: 200 with an empty body and Next's warning.
		{"GET", "/api/pages", 200, ``, "API resolved without sending a response for /api/pages"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || string(b) != tc.body {
			t.Errorf("%s %s → %d %s, want %d %s", tc.method, tc.path, res.StatusCode, b, tc.status, tc.body)
		}
		if tc.log != "" && !strings.Contains(logs.String(), tc.log) {
			t.Errorf("%s %s: no log line with %q in:\n%s", tc.method, tc.path, tc.log, logs.String())
		}
	}
	if n := strings.Count(logs.String(), "No response is returned"); n != 4 {
		t.Errorf("%d no-response lines, want 4 (one per refused request):\n%s", n, logs.String())
	}
}
