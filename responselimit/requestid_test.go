package responselimit_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/requestid"
	"github.com/apiroutes/apiroutes/responselimit"
)

const anID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"

// TestEveryWarningCarriesTheRequestId covers both of Next's warnings, and
// the enforced limit's: each carries request_id inside requestid.Handler,
// and none outside it.
func TestEveryWarningCarriesTheRequestId(t *testing.T) {
	t.Parallel()
	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, strings.Repeat("x", 2048)) })
	nothing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, tc := range []struct {
		name string
		c    responselimit.Config
		h    http.Handler
		msg  string
	}{
		{"a response over the limit", responselimit.Config{Limit: "1kb"}, big, "API response for /api/tasks exceeds 1KB"},
		{"an enforced limit", responselimit.Config{Limit: "1kb", Enforce: true}, big, "enforced=true"},
		{"no response", responselimit.Config{}, nothing, "API resolved without sending a response for /api/tasks"},
	} {
		for _, withID := range []bool{true, false} {
			logger, logs := testlog.New(slog.LevelInfo)
			c := tc.c
			c.Logger = logger
			var h http.Handler = responselimit.New(c)(tc.h)
			if withID {
				h = requestid.Handler(h)
			}
			r := httptest.NewRequest(http.MethodGet, "/api/tasks", nil)
			r.Header.Set("X-Request-Id", anID)
			h.ServeHTTP(httptest.NewRecorder(), r)
			lines := logs.Lines()
			if len(lines) != 1 || !strings.Contains(lines[0], tc.msg) {
				t.Fatalf("%s: logged %q, want one line with %q", tc.name, lines, tc.msg)
			}
			has := strings.Contains(lines[0], " request_id="+anID)
			if withID != has || !withID && strings.Contains(lines[0], "request_id") {
				t.Errorf("%s (requestid.Handler: %v): %s", tc.name, withID, lines[0])
			}
		}
	}
}

// The 500 of an enforced limit is a problem body like any other: it names
// the request as its instance, and keeps the response's X-Request-Id.
func TestAnEnforcedLimitsProblemBodyNamesTheRequest(t *testing.T) {
	t.Parallel()
	logger, _ := testlog.New(slog.LevelInfo)
	h := requestid.Handler(responselimit.New(responselimit.Config{
		Limit: "1kb", Enforce: true, Logger: logger,
		Errors: apierror.Config{Renderer: apierror.RenderProblem, Logger: logger},
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat("x", 2048))
	})))
	r := httptest.NewRequest(http.MethodGet, "/api/tasks", nil)
	r.Header.Set("X-Request-Id", anID)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"instance":"`+anID+`"`) || w.Header().Get("X-Request-Id") != anID {
		t.Errorf("%d %s, X-Request-Id %q; want 500 with instance %s, and the header", w.Code, w.Body, w.Header().Get("X-Request-Id"), anID)
	}
}
