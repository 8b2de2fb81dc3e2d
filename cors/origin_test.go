package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/cors"
)

// OriginAllowed is the middleware's own test: for every policy and origin,
// it allows exactly the origins to which New's middleware sends
// Access-Control-Allow-Origin.
func TestOriginAllowedAgreesWithTheMiddleware(t *testing.T) {
	t.Parallel()
	exact := cors.Options{AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000"}}
	wild := cors.Options{AllowedOrigins: []string{"https://*.example.org"}}
	star := cors.Options{AllowedOrigins: []string{"*"}}
	fn := cors.Options{
		AllowedOrigins:  []string{"https://ignored.example"},
		AllowOriginFunc: func(origin string) bool { return strings.HasSuffix(origin, ".trusted.example") },
	}
	origins := []string{
		"https://app.example.com", "HTTPS://APP.EXAMPLE.COM", "http://app.example.com", "https://app.example.com:443",
		"http://localhost:3000", "http://localhost:3001",
		"https://a.example.org", "https://a.b.example.org", "https://.example.org", "https://example.org",
		"https://evil.example", "https://ignored.example", "https://a.trusted.example", "null", "",
	}
	for name, o := range map[string]cors.Options{"exact": exact, "wildcard": wild, "star": star, "func": fn} {
		allowed := o.OriginAllowed()
		h := cors.New(o)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		for _, origin := range origins {
			r := httptest.NewRequest("POST", "/api/x", nil)
			if origin != "" {
				r.Header.Set("Origin", origin)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			want := rec.Header().Get("Access-Control-Allow-Origin") != ""
			if got := allowed(r); got != want {
				t.Errorf("%s: OriginAllowed(%q) = %v, but the middleware allows it: %v", name, origin, got, want)
			}
		}
	}
}

func TestOriginAllowedSaysNoWithoutAnOrigin(t *testing.T) {
	t.Parallel()
	allowed := cors.Options{AllowOriginFunc: func(string) bool { return true }}.OriginAllowed()
	if allowed(httptest.NewRequest("POST", "/", nil)) {
		t.Error("a request without an Origin is allowed")
	}
}

func TestOriginAllowedDoesNotAllocate(t *testing.T) {
	allowed := cors.Options{AllowedOrigins: []string{"https://app.example.com", "https://*.example.org"}}.OriginAllowed()
	for _, origin := range []string{"https://app.example.com", "https://a.example.org", "https://evil.example"} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Origin", origin)
		if n := testing.AllocsPerRun(100, func() { allowed(r) }); n != 0 {
			t.Errorf("%s: %v allocations, want 0", origin, n)
		}
	}
}

func TestOriginAllowedPanicsOnAnInvalidPolicyLikeNew(t *testing.T) {
	t.Parallel()
	defer func() {
		if v := recover(); v == nil || !strings.HasPrefix(v.(error).Error(), "cors: AllowedOrigins is empty") {
			t.Errorf("recovered %v, want New's error", v)
		}
	}()
	cors.Options{}.OriginAllowed()
}
