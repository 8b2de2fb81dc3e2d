package cors_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/internal/testlog"
)

// TestTheRefusalLogAgreesWithRsCors checks the Debug log against what rs/cors
// really does with each preflight: a refusal is logged exactly when rs/cors
// answers without Access-Control-Allow-Origin, and the reason "origin not
// allowed" is given exactly when the same middleware refuses that origin on
// an actual request (rs/cors's OriginAllowed, with the wildcard matcher of
// compile where there is one).
func TestTheRefusalLogAgreesWithRsCors(t *testing.T) {
	t.Parallel()
	app := []string{"https://app.example.com"}
	wild := []string{"https://*.example.com"}
	pre := func(origin, method, headers string) map[string]string {
		h := map[string]string{"Access-Control-Request-Method": method}
		if origin != "" {
			h["Origin"] = origin
		}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return h
	}
	cases := []struct {
		name    string
		origins []string
		o       cors.Options // AllowedOrigins comes from origins
		req     map[string]string
		reason  string // the reason logged; "" for none
	}{
		{"an allowed origin", app, cors.Options{}, pre("https://app.example.com", "POST", ""), ""},
		{"an allowed origin in upper case", app, cors.Options{}, pre("HTTPS://APP.EXAMPLE.COM", "POST", ""), ""},
		{"another origin", app, cors.Options{}, pre("https://evil.example", "GET", ""), "origin not allowed"},
		{"the same host on another scheme", app, cors.Options{}, pre("http://app.example.com", "GET", ""), "origin not allowed"},
		{"no Origin header", app, cors.Options{}, pre("", "GET", ""), "no Origin header"},
		{"a subdomain of a wildcard", wild, cors.Options{}, pre("https://a.example.com", "GET", ""), ""},
		{"a deeper subdomain of a wildcard", wild, cors.Options{}, pre("https://a.b.example.com", "GET", ""), ""},
		{"the wildcard's bare domain", wild, cors.Options{}, pre("https://example.com", "GET", ""), "origin not allowed"},
		// rs/cors alone would let the wildcard stand for nothing, or for empty labels.
		{"an empty label where the wildcard is", wild, cors.Options{}, pre("https://.example.com", "GET", ""), "origin not allowed"},
		{"an empty label after the wildcard's", wild, cors.Options{}, pre("https://a..example.com", "GET", ""), "origin not allowed"},
		{"a wildcard on another scheme", wild, cors.Options{}, pre("http://a.example.com", "GET", ""), "origin not allowed"},
		{"any origin", []string{"*"}, cors.Options{}, pre("https://anything.example", "GET", ""), ""},
		{"an origin function that says yes", nil, cors.Options{AllowOriginFunc: func(o string) bool { return o == "https://f.example" }}, pre("https://f.example", "GET", ""), ""},
		{"an origin function that says no", nil, cors.Options{AllowOriginFunc: func(o string) bool { return o == "https://f.example" }}, pre("https://g.example", "GET", ""), "origin not allowed"},
		{"a method not allowed", app, cors.Options{}, pre("https://app.example.com", "DELETE", ""), "method not allowed"},
		{"a method in lower case", app, cors.Options{}, pre("https://app.example.com", "post", ""), "method not allowed"},
		{"OPTIONS itself", app, cors.Options{}, pre("https://app.example.com", "OPTIONS", ""), ""},
		{"an allowed header", app, cors.Options{}, pre("https://app.example.com", "POST", "content-type"), ""},
		{"allowed headers, sorted as browsers send them", app, cors.Options{}, pre("https://app.example.com", "POST", "accept,content-type"), ""},
		{"an empty element between headers", app, cors.Options{}, pre("https://app.example.com", "POST", "accept,,content-type"), ""},
		{"a header not allowed", app, cors.Options{}, pre("https://app.example.com", "POST", "authorization,content-type"), "header not allowed"},
		{"an allowed header in upper case", app, cors.Options{}, pre("https://app.example.com", "POST", "Content-Type"), "header not allowed"},
		{"allowed headers out of order", app, cors.Options{}, pre("https://app.example.com", "POST", "content-type,accept"), "header not allowed"},
		{"an allowed header twice", app, cors.Options{}, pre("https://app.example.com", "POST", "accept,accept"), "header not allowed"},
		{"two spaces after a comma", app, cors.Options{}, pre("https://app.example.com", "POST", "accept,  content-type"), "header not allowed"},
		{"any header", app, cors.Options{AllowedHeaders: []string{"*"}}, pre("https://app.example.com", "POST", "X-Anything,b,a"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs testlog.Buffer
			o := tc.o
			o.AllowedOrigins = tc.origins
			o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r := httptest.NewRequest(http.MethodOptions, "/api/x", nil)
			for k, v := range tc.req {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			cors.New(o)(http.NotFoundHandler()).ServeHTTP(rec, r)

			refused := rec.Header().Get("Access-Control-Allow-Origin") == ""
			logged := logs.String()
			if refused != (logged != "") {
				t.Fatalf("rs/cors refused=%v, but the log says %q", refused, logged)
			}
			if want := tc.reason; want == "" && logged != "" || want != "" && !strings.Contains(logged, `reason="`+want+`"`) {
				t.Errorf("log %q, want reason %q", logged, want)
			}
			get := httptest.NewRequest(http.MethodGet, "/api/x", nil)
			if origin := r.Header.Get("Origin"); origin != "" {
				get.Header.Set("Origin", origin)
			}
			rec = httptest.NewRecorder()
			cors.New(o)(http.NotFoundHandler()).ServeHTTP(rec, get)
			allowed := rec.Header().Get("Access-Control-Allow-Origin") != ""
			if said := strings.Contains(logged, `reason="origin not allowed"`); said != (r.Header.Get("Origin") != "" && !allowed) {
				t.Errorf("logged origin not allowed=%v, origin allowed on a GET=%v", said, allowed)
			}
		})
	}
}
