package compose_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
)

// With RequestID, the id reaches the response, the logs of every layer
// (Recover's included) and the problem body; without it, none of them.
func TestRequestIDReachesEveryLayer(t *testing.T) {
	for _, on := range []bool{false, true} {
		logger, logs := newLogger()
		c := compose.Config{RequestID: on, Errors: apierror.Config{Renderer: apierror.RenderProblem, Logger: logger}}
		routes := map[string]http.Handler{
			"/panic":    compose.Route(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), c),
			"/crossing": compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }), c),
		}
		for path, h := range routes {
			req := httptest.NewRequest(http.MethodPost, path, nil)
			req.Header.Set("X-Request-Id", "abc-123")
			if path == "/crossing" {
				req.Header.Set("Sec-Fetch-Site", "cross-site")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body struct {
				Status   int    `json:"status"`
				Instance string `json:"instance"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("RequestID=%v %s: %v in %q", on, path, err, rec.Body)
			}
			wantID := ""
			if on {
				wantID = "abc-123"
			}
			if got := rec.Header().Get("X-Request-Id"); got != wantID {
				t.Errorf("RequestID=%v %s: X-Request-Id %q, want %q", on, path, got, wantID)
			}
			if body.Instance != wantID {
				t.Errorf("RequestID=%v %s: instance %q, want %q", on, path, body.Instance, wantID)
			}
		}
		lines := logs.Lines()
		if len(lines) != 2 {
			t.Fatalf("RequestID=%v: want the panic's and the refusal's lines, got %q", on, lines)
		}
		for _, line := range lines {
			if has := strings.Contains(line, "request_id=abc-123"); has != on {
				t.Errorf("RequestID=%v: log line %q", on, line)
			}
		}
	}
}
