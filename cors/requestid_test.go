package cors_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/requestid"
)

// TestARefusedPreflightsLogCarriesTheRequestId: the Debug line of each
// refusal reason carries request_id inside requestid.Handler, and none
// outside it.
func TestARefusedPreflightsLogCarriesTheRequestId(t *testing.T) {
	t.Parallel()
	const id = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
	for _, tc := range []struct {
		reason string
		req    map[string]string
	}{
		{"no Origin header", map[string]string{"Access-Control-Request-Method": "GET"}},
		{"origin not allowed", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}},
		{"method not allowed", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"}},
		{"header not allowed", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-secret"}},
	} {
		for _, withID := range []bool{true, false} {
			logger, logs := testlog.New(slog.LevelDebug)
			var h http.Handler = cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}, Logger: logger})(http.NotFoundHandler())
			if withID {
				h = requestid.Handler(h)
			}
			r := httptest.NewRequest(http.MethodOptions, "/api/tasks", nil)
			for k, v := range tc.req {
				r.Header.Set(k, v)
			}
			r.Header.Set("X-Request-Id", id)
			h.ServeHTTP(httptest.NewRecorder(), r)
			lines := logs.Lines()
			if len(lines) != 1 || !strings.Contains(lines[0], `reason="`+tc.reason+`"`) {
				t.Fatalf("%s: logged %q, want one refusal", tc.reason, lines)
			}
			has := strings.Contains(lines[0], " request_id="+id)
			if withID != has || !withID && strings.Contains(lines[0], "request_id") {
				t.Errorf("%s (requestid.Handler: %v): %s", tc.reason, withID, lines[0])
			}
		}
	}
}
