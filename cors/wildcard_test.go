package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/cors"
)

// TestWildcardStandsForDNSLabelsOnTheWire sends each Origin to a real
// loopback server, on a GET and on a preflight of PUT, and checks that the
// origin is reflected exactly when it is allowed: the "*" of
// "https://*.example.org" must stand for one or more DNS labels, never for
// nothing or for empty labels.
func TestWildcardStandsForDNSLabelsOnTheWire(t *testing.T) {
	t.Parallel()
	wild := []string{"https://*.example.org"}
	mixed := []string{"https://app.example.com", "https://*.example.org"}
	cases := []struct {
		name    string
		origins []string
		origin  string
		want    string // Access-Control-Allow-Origin; "" for none
	}{
		{"a subdomain", wild, "https://app.example.org", "https://app.example.org"},
		{"a deeper subdomain", wild, "https://a.b.example.org", "https://a.b.example.org"},
		{"a subdomain in upper case", wild, "https://APP.Example.ORG", "https://APP.Example.ORG"},
		{"an internationalised subdomain", wild, "https://xn--bcher-kva.example.org", "https://xn--bcher-kva.example.org"},
		{"a label with inner hyphens and digits", wild, "https://a-1--b.example.org", "https://a-1--b.example.org"},
		{"a label of 63 characters", wild, "https://" + strings.Repeat("a", 63) + ".example.org", "https://" + strings.Repeat("a", 63) + ".example.org"},
		{"an empty label", wild, "https://.example.org", ""},
		{"two empty labels", wild, "https://..example.org", ""},
		{"an empty label after a label", wild, "https://a..example.org", ""},
		{"an empty label before a label", wild, "https://.a.example.org", ""},
		{"a label of 64 characters", wild, "https://" + strings.Repeat("a", 64) + ".example.org", ""},
		{"a label starting with a hyphen", wild, "https://-a.example.org", ""},
		{"a label ending with a hyphen", wild, "https://a-.example.org", ""},
		{"an underscore", wild, "https://a_b.example.org", ""},
		{"a path before the suffix", wild, "https://evil.example/.example.org", ""},
		{"a fragment before the suffix", wild, "https://evil.example#.example.org", ""},
		{"a port before the suffix", wild, "https://evil.example:1.example.org", ""},
		{"user information", wild, "https://evil.example@a.example.org", ""},
		{"the bare domain", wild, "https://example.org", ""},
		{"another port", wild, "https://a.example.org:8443", ""},
		{"another scheme", wild, "http://a.example.org", ""},
		{"an exact origin beside a wildcard", mixed, "https://app.example.com", "https://app.example.com"},
		{"an exact origin in upper case beside a wildcard", mixed, "HTTPS://APP.EXAMPLE.COM", "HTTPS://APP.EXAMPLE.COM"},
		{"a wildcard beside an exact origin", mixed, "https://a.example.org", "https://a.example.org"},
		{"an empty label beside an exact origin", mixed, "https://.example.org", ""},
		{"another origin beside a wildcard", mixed, "https://evil.example", ""},
		{`"*" allows every origin, wildcard or not`, []string{"https://*.example.org", "*"}, "https://.example.org", "*"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := cors.New(cors.Options{AllowedOrigins: c.origins, AllowedMethods: []string{"GET", "PUT"}})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
			srv := httptest.NewServer(h)
			defer srv.Close()
			// The server's own client: closing a parallel subtest's server
			// closes http.DefaultTransport's idle connections, and breaks
			// requests of other subtests that share it.
			client := srv.Client()
			client.Timeout = 5 * time.Second
			for _, method := range []string{http.MethodGet, http.MethodOptions} {
				req, err := http.NewRequest(method, srv.URL+"/api/x", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Origin", c.origin)
				if method == http.MethodOptions {
					req.Header.Set("Access-Control-Request-Method", http.MethodPut)
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if got := res.Header.Get(acao); got != c.want {
					t.Errorf("%s from %q: Access-Control-Allow-Origin %q, want %q", method, c.origin, got, c.want)
				}
			}
		})
	}
}

// noopWriter is a ResponseWriter whose header map is reused, so that
// AllocsPerRun counts the middleware's allocations alone.
type noopWriter struct{ h http.Header }

func (w *noopWriter) Header() http.Header         { return w.h }
func (w *noopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *noopWriter) WriteHeader(int)             {}

func TestWildcardPolicyAllocatesNothingWithoutAnOrigin(t *testing.T) {
	h := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com", "https://*.example.org"}})(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/api/x", nil)
	w := &noopWriter{h: http.Header{}}
	n := testing.AllocsPerRun(100, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	if n != 0 {
		t.Errorf("%v allocations per request without an Origin, want 0", n)
	}
}
