package route_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/requestid"
	"github.com/apiroutes/apiroutes/route"
)

// routerKey is what a foreign router adds to the context (chi's route
// context, gorilla's vars).
type routerKey struct{}

// replacing is a foreign layer that hands on a new request, as chi and
// gorilla/mux do with r.WithContext.
func replacing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routerKey{}, "router")))
	})
}

// TestTheNoResponseLogCarriesTheRequestId: Next's "No response is returned
// from route handler" line carries request_id, whichever router is
// between requestid.Handler and the route, and the 500's problem body
// names the request as its instance.
func TestTheNoResponseLogCarriesTheRequestId(t *testing.T) {
	t.Parallel()
	const id = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
	logger, logs := testlog.New(slog.LevelInfo)
	nothing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	mux := route.NewMux()
	mux.Handle("/api/app/[id]", route.Methods{http.MethodGet: nothing})
	mux.Handle("/api/composed", compose.Route(route.Methods{http.MethodGet: nothing}, compose.Config{}))
	std := http.NewServeMux()
	std.Handle("/api/std/{id}", route.Methods{http.MethodGet: nothing})
	top := http.NewServeMux()
	top.Handle("/api/std/", replacing(std))
	top.Handle("/", replacing(mux))
	srv := httptest.NewServer(requestid.Handler(apierror.Config{Logger: logger, Renderer: apierror.RenderProblem}.Recover(top)))
	defer srv.Close()

	for _, tc := range []struct{ path, route string }{
		{"/api/app/7", "/api/app/[id]"},
		{"/api/composed", "/api/composed"},
		{"/api/std/1", "/api/std/{id}"},
	} {
		for _, sent := range []string{id, ""} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
			if sent != "" {
				req.Header.Set("X-Request-Id", sent)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			got := res.Header.Get("X-Request-Id")
			if sent != "" && got != sent || got == "" {
				t.Errorf("%s: X-Request-Id %q, want %q or a new one", tc.path, got, sent)
			}
			if res.StatusCode != 500 || !strings.Contains(string(b), `"instance":"`+got+`"`) {
				t.Errorf("%s: %d %s, want 500 with instance %q", tc.path, res.StatusCode, b, got)
			}
			var line string
			for _, l := range logs.Lines() {
				if strings.Contains(l, "request_id="+got) {
					line = l
				}
			}
			if !strings.Contains(line, "No response is returned from route handler '"+tc.route+"'") {
				t.Errorf("%s: no log line of Next's with request_id=%s in\n%s", tc.path, got, logs.String())
			}
		}
	}
}
