package cors_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	rscors "github.com/rs/cors"

	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/internal/testlog"
)

const (
	acao = "Access-Control-Allow-Origin"
	acac = "Access-Control-Allow-Credentials"
	acam = "Access-Control-Allow-Methods"
	acah = "Access-Control-Allow-Headers"
	aceh = "Access-Control-Expose-Headers"
	acma = "Access-Control-Max-Age"
	acpn = "Access-Control-Allow-Private-Network"
)

var corsHeaders = []string{acao, acac, acam, acah, aceh, acma, acpn, "Vary"}

type spec struct {
	name      string
	options   cors.Options
	method    string
	reqHeader map[string]string
	want      map[string]string // CORS headers expected; the others must be absent
	status    int
	reachedH  bool // the wrapped handler ran
}

const preflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

func TestSpec(t *testing.T) {
	t.Parallel()
	app := []string{"https://app.example.com"}
	cases := []spec{
		{"actual allowed", cors.Options{AllowedOrigins: app}, "GET",
			map[string]string{"Origin": "https://app.example.com"},
			map[string]string{acao: "https://app.example.com", "Vary": "Origin"}, 200, true},
		{"actual origin matched case-insensitively", cors.Options{AllowedOrigins: app}, "GET",
			map[string]string{"Origin": "https://APP.example.com"},
			map[string]string{acao: "https://APP.example.com", "Vary": "Origin"}, 200, true},
		{"actual refused origin gets Vary and nothing else", cors.Options{AllowedOrigins: app}, "GET",
			map[string]string{"Origin": "https://evil.example"},
			map[string]string{"Vary": "Origin"}, 200, true},
		{"no Origin gets Vary: Origin", cors.Options{AllowedOrigins: app}, "GET",
			nil, map[string]string{"Vary": "Origin"}, 200, true},
		{"actual with a method not allowed", cors.Options{AllowedOrigins: app}, "DELETE",
			map[string]string{"Origin": "https://app.example.com"},
			map[string]string{"Vary": "Origin"}, 200, true},
		{"actual with credentials and exposed headers", cors.Options{AllowedOrigins: app, AllowCredentials: true, ExposedHeaders: []string{"x-total-count", "ETag"}}, "GET",
			map[string]string{"Origin": "https://app.example.com"},
			map[string]string{acao: "https://app.example.com", acac: "true", aceh: "X-Total-Count, Etag", "Vary": "Origin"}, 200, true},
		{"star sends star", cors.Options{AllowedOrigins: []string{"*"}}, "GET",
			map[string]string{"Origin": "https://anyone.example"},
			map[string]string{acao: "*", "Vary": "Origin"}, 200, true},
		{"wildcard subdomain", cors.Options{AllowedOrigins: []string{"https://*.example.com"}}, "GET",
			map[string]string{"Origin": "https://a.b.example.com"},
			map[string]string{acao: "https://a.b.example.com", "Vary": "Origin"}, 200, true},
		{"wildcard does not match the apex", cors.Options{AllowedOrigins: []string{"https://*.example.com"}}, "GET",
			map[string]string{"Origin": "https://example.com"},
			map[string]string{"Vary": "Origin"}, 200, true},
		{"wildcard does not match another scheme", cors.Options{AllowedOrigins: []string{"https://*.example.com"}}, "GET",
			map[string]string{"Origin": "http://a.example.com"},
			map[string]string{"Vary": "Origin"}, 200, true},
		{"origin func", cors.Options{AllowOriginFunc: func(o string) bool { return strings.HasSuffix(o, ".test") }}, "GET",
			map[string]string{"Origin": "http://x.test"},
			map[string]string{acao: "http://x.test", "Vary": "Origin"}, 200, true},

		{"preflight allowed", cors.Options{AllowedOrigins: app, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"Content-Type", "X-Custom"}}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-custom"},
			map[string]string{acao: "https://app.example.com", acam: "PUT", acah: "content-type,x-custom", "Vary": preflightVary}, 204, false},
		{"preflight refused for its origin", cors.Options{AllowedOrigins: app}, "OPTIONS",
			map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
			map[string]string{"Vary": preflightVary}, 204, false},
		{"preflight refused for its method", cors.Options{AllowedOrigins: app}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"},
			map[string]string{"Vary": preflightVary}, 204, false},
		{"preflight refused for a header", cors.Options{AllowedOrigins: app}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
			map[string]string{"Vary": preflightVary}, 204, false},
		{"preflight with credentials and max age", cors.Options{AllowedOrigins: app, AllowCredentials: true, MaxAge: 10 * time.Minute}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
			map[string]string{acao: "https://app.example.com", acam: "POST", acac: "true", acma: "600", "Vary": preflightVary}, 204, false},
		{"negative max age asks for no caching", cors.Options{AllowedOrigins: app, MaxAge: -1}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
			map[string]string{acao: "https://app.example.com", acam: "GET", acma: "0", "Vary": preflightVary}, 204, false},
		{"private network access", cors.Options{AllowedOrigins: app, AllowPrivateNetwork: true}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true"},
			map[string]string{acao: "https://app.example.com", acam: "GET", acpn: "true", "Vary": preflightVary + ", Access-Control-Request-Private-Network"}, 204, false},
		{"preflight success status", cors.Options{AllowedOrigins: app, OptionsSuccessStatus: 200}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
			map[string]string{acao: "https://app.example.com", acam: "GET", "Vary": preflightVary}, 200, false},
		{"options passthrough reaches the handler", cors.Options{AllowedOrigins: app, OptionsPassthrough: true}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
			map[string]string{acao: "https://app.example.com", acam: "GET", "Vary": preflightVary}, 200, true},
		{"a plain OPTIONS is an actual request", cors.Options{AllowedOrigins: app}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com"},
			map[string]string{acao: "https://app.example.com", "Vary": "Origin"}, 200, true},
		{"any header", cors.Options{AllowedOrigins: app, AllowedHeaders: []string{"*"}}, "OPTIONS",
			map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-anything"},
			map[string]string{acao: "https://app.example.com", acam: "GET", acah: "x-anything", "Vary": preflightVary}, 204, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reached := false
			h := cors.New(tc.options)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
			}))
			r := httptest.NewRequest(tc.method, "/api/tasks", nil)
			for k, v := range tc.reqHeader {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.status || reached != tc.reachedH {
				t.Errorf("status %d, handler reached %v; want %d, %v", rec.Code, reached, tc.status, tc.reachedH)
			}
			for _, name := range corsHeaders {
				got := strings.Join(rec.Header().Values(name), ", ")
				if got != tc.want[name] {
					t.Errorf("%s = %q, want %q", name, got, tc.want[name])
				}
			}
		})
	}
}

func TestVaryIsAppendedToTheHandlersOwn(t *testing.T) {
	t.Parallel()
	h := cors.New(cors.Options{AllowedOrigins: []string{"https://a.example"}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
	}))
	rec := httptest.NewRecorder()
	rec.Header().Set("Vary", "Cookie") // set by an outer layer
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://a.example")
	h.ServeHTTP(rec, r)
	if got := rec.Header().Values("Vary"); strings.Join(got, ", ") != "Cookie, Origin, Accept-Encoding" {
		t.Errorf("Vary = %q", got)
	}
}

func TestConfigurationMistakesFailAtStartUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		o    cors.Options
		want string
	}{
		{"no origins", cors.Options{}, "cors: AllowedOrigins is empty"},
		{"star with credentials", cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true}, `cors: AllowedOrigins "*" with AllowCredentials`},
		{"wildcard with credentials", cors.Options{AllowedOrigins: []string{"https://*.example.com"}, AllowCredentials: true}, `cors: AllowedOrigins "https://*.example.com" with AllowCredentials`},
		{"pattern like h*", cors.Options{AllowedOrigins: []string{"h*"}}, `cors: AllowedOrigins "h*": want "scheme://host[:port]"`},
		{"wildcard in the middle", cors.Options{AllowedOrigins: []string{"https://api.*.example.com"}}, `a wildcard must be the whole first label`},
		{"partial wildcard label", cors.Options{AllowedOrigins: []string{"https://app-*.example.com"}}, `a wildcard must be the whole first label`},
		{"trailing slash", cors.Options{AllowedOrigins: []string{"https://app.example.com/"}}, `cors: AllowedOrigins "https://app.example.com/": an origin has no path, query, fragment or trailing slash; write "https://app.example.com"`},
		{"path", cors.Options{AllowedOrigins: []string{"https://app.example.com/api"}}, `no path`},
		{"query", cors.Options{AllowedOrigins: []string{"https://app.example.com?x=1"}}, `no path, query`},
		{"no scheme", cors.Options{AllowedOrigins: []string{"app.example.com"}}, `want "scheme://host[:port]"`},
		{"user info", cors.Options{AllowedOrigins: []string{"https://u@app.example.com"}}, `no user information`},
		{"bad port", cors.Options{AllowedOrigins: []string{"https://app.example.com:99999"}}, `port out of range`},
		{"null origin", cors.Options{AllowedOrigins: []string{"null"}}, `sandboxed documents`},
		{"empty origin", cors.Options{AllowedOrigins: []string{""}}, `empty origin`},
		{"empty method", cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{""}}, `cors: AllowedMethods has an empty method`},
		{"lower-case method", cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"put"}}, `cors: AllowedMethods "put": methods are case-sensitive and browsers send "PUT"; write "PUT"`},
		{"bad method", cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET POST"}}, `is not a method name`},
		{"bad header", cors.Options{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"X Custom"}}, `cors: AllowedHeaders "X Custom" is not a header name`},
		{"bad exposed header", cors.Options{AllowedOrigins: []string{"*"}, ExposedHeaders: []string{"a:b"}}, `cors: ExposedHeaders "a:b"`},
		{"sub-second max age", cors.Options{AllowedOrigins: []string{"*"}, MaxAge: time.Millisecond}, `under a second`},
		{"non-2xx success status", cors.Options{AllowedOrigins: []string{"*"}, OptionsSuccessStatus: 302}, `not a 2xx status`},
	}
	for _, tc := range cases {
		err := tc.o.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", tc.name, err, tc.want)
		}
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(v.(error).Error(), "cors: ") {
					t.Errorf("%s: New panicked with %v", tc.name, v)
				}
			}()
			cors.New(tc.o)
		}()
	}
	ok := []cors.Options{
		{AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000", "https://*.example.com", "http://[::1]:8080"}},
		{AllowedOrigins: []string{"https://app.example.com"}, AllowCredentials: true, AllowedMethods: []string{"PATCH", "PROPFIND"}},
		{AllowOriginFunc: func(string) bool { return true }, AllowCredentials: true},
		{AllowedOrigins: []string{"*"}, MaxAge: -1},
	}
	for _, o := range ok {
		if err := o.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", o, err)
		}
	}
}

func TestRefusedPreflightsAreLoggedAtDebugWithTheReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reqHeader map[string]string
		want      string // "" = nothing logged
	}{
		{map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, `msg="cors: preflight refused: origin not allowed" origin=https://evil.example reason="origin not allowed"`},
		{map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"}, `reason="method not allowed"`},
		{map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"}, `header=authorization reason="header not allowed"`},
		{map[string]string{"Access-Control-Request-Method": "GET"}, `reason="no Origin header"`},
		{map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}, ""},
		{map[string]string{"Origin": "https://evil.example"}, ""}, // not a preflight
	}
	for _, tc := range cases {
		var logs testlog.Buffer
		debug := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}, Logger: debug})(http.NotFoundHandler())
		r := httptest.NewRequest("OPTIONS", "/api/tasks", nil)
		for k, v := range tc.reqHeader {
			r.Header.Set(k, v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		got := logs.String()
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%v: log %q, want %q", tc.reqHeader, got, tc.want)
		}
		if tc.want != "" && !strings.Contains(got, "level=DEBUG") {
			t.Errorf("not at Debug: %q", got)
		}
	}
}

func TestNothingIsBuiltForTheLogWhenDebugIsOff(t *testing.T) {
	info := slog.New(slog.NewTextHandler(&testlog.Buffer{}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	ours := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}, Logger: info})(noop)
	theirs := rscors.New(rscors.Options{AllowedOrigins: []string{"https://app.example.com"}}).Handler(noop)
	w := &nopWriter{h: http.Header{}}
	allocs := func(h http.Handler, r *http.Request) float64 {
		return testing.AllocsPerRun(100, func() {
			clear(w.h)
			h.ServeHTTP(w, r)
		})
	}
	for _, hdr := range []map[string]string{
		{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},     // refused preflight
		{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}, // allowed preflight
		{"Origin": "https://app.example.com", "Access-Control-Request-Headers": "x-a"}, // plain OPTIONS
	} {
		r := httptest.NewRequest("OPTIONS", "/", nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		// rs/cors v1.11.1 allocates in its own unguarded log calls; we must
		// add nothing to that.
		if a, b := allocs(ours, r), allocs(theirs, r); a > b {
			t.Errorf("%v: %v allocations, rs/cors alone %v", hdr, a, b)
		}
	}
	if a := allocs(ours, httptest.NewRequest("GET", "/", nil)); a != 0 {
		t.Errorf("a request without Origin allocates %v times", a)
	}
}

type nopWriter struct{ h http.Header }

func (n *nopWriter) Header() http.Header         { return n.h }
func (n *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (n *nopWriter) WriteHeader(int)             {}

func TestAllowAllIsForDevelopment(t *testing.T) {
	t.Parallel()
	h := cors.AllowAll()(http.NotFoundHandler())
	r := httptest.NewRequest("OPTIONS", "/", nil)
	r.Header.Set("Origin", "http://localhost:5173")
	r.Header.Set("Access-Control-Request-Method", "PATCH")
	r.Header.Set("Access-Control-Request-Headers", "authorization,x-anything")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	got := []string{rec.Header().Get(acao), rec.Header().Get(acam), rec.Header().Get(acah), rec.Header().Get(acac)}
	want := []string{"*", "PATCH", "authorization,x-anything", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}
