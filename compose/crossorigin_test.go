package compose_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
)

const crossOriginRefused = "Cross-origin request refused: the browser sent it from an origin this route does not trust"

// counted is a route whose every layer counts its runs: BeforeBody, the
// body read, appended middleware and the handler.
type counted struct {
	h                        http.Handler
	before, read, after, ran atomic.Int64
}

func newCounted(c compose.Config) *counted {
	k := new(counted)
	c.BeforeBody = append(c.BeforeBody[:len(c.BeforeBody):len(c.BeforeBody)], func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k.before.Add(1)
			r.Body = countingBody{r.Body, &k.read}
			next.ServeHTTP(w, r)
		})
	})
	k.h = compose.Chain(c).Append(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k.after.Add(1)
			next.ServeHTTP(w, r)
		})
	}).Then(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.ran.Add(1)
		_, _ = io.WriteString(w, "done")
	}))
	return k
}

// The table of what the chain lets through. httptest's requests are for
// Host example.com.
func TestTheChainRefusesCrossOriginWritesFromBrowsers(t *testing.T) {
	t.Parallel()
	custom := http.NewCrossOriginProtection()
	if err := custom.AddTrustedOrigin("https://partner.example"); err != nil {
		t.Fatal(err)
	}
	custom.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the chain used the custom protection's deny handler")
		w.WriteHeader(http.StatusTeapot)
	}))
	appCORS := &cors.Options{AllowedOrigins: []string{"https://app.example.com"}}
	routes := map[string]compose.Config{
		"default":           {},
		"exact":             {CORS: appCORS},
		"wildcard":          {CORS: &cors.Options{AllowedOrigins: []string{"https://*.example.org"}}},
		"func":              {CORS: &cors.Options{AllowOriginFunc: func(o string) bool { return strings.HasSuffix(o, ".trusted.example") }}},
		"star":              {CORS: &cors.Options{AllowedOrigins: []string{"*"}}},
		"upper":             {CORS: &cors.Options{AllowedOrigins: []string{"HTTPS://App.Example.com"}}},
		"star+app":          {CORS: &cors.Options{AllowedOrigins: []string{"*", "https://app.example.com"}}},
		"opt-out":           {DisableCrossOriginProtection: true},
		"custom":            {CrossOriginProtection: custom},
		"custom+cors":       {CrossOriginProtection: custom, CORS: appCORS},
		"custom, opted out": {CrossOriginProtection: custom, DisableCrossOriginProtection: true},
	}
	// site returns Sec-Fetch-Site and Origin headers.
	site := func(fetchSite, origin string) map[string]string {
		h := map[string]string{}
		if fetchSite != "" {
			h["Sec-Fetch-Site"] = fetchSite
		}
		if origin != "" {
			h["Origin"] = origin
		}
		return h
	}
	cross := site("cross-site", "https://evil.example")
	for _, tc := range []struct {
		name, route, method string
		header              map[string]string
		pass                bool
	}{
		{"Sec-Fetch-Site same-origin", "default", "POST", site("same-origin", "http://example.com"), true},
		{"Sec-Fetch-Site none (typed by the user)", "default", "POST", site("none", ""), true},
		{"Sec-Fetch-Site same-site", "default", "POST", site("same-site", "https://other.example.com"), false},
		{"Sec-Fetch-Site cross-site", "default", "POST", cross, false},
		{"Sec-Fetch-Site cross-site trumps an Origin that matches Host", "default", "POST", site("cross-site", "http://example.com"), false},
		{"an old browser: Origin matches Host", "default", "POST", site("", "https://example.com"), true},
		{"an old browser: Origin does not match Host", "default", "POST", site("", "https://evil.example"), false},
		{"a client that is not a browser: no Origin, no Sec-Fetch-Site", "default", "POST", nil, true},
		{"PUT", "default", "PUT", cross, false},
		{"PATCH", "default", "PATCH", cross, false},
		{"DELETE", "default", "DELETE", cross, false},
		{"a custom method", "default", "PURGE", cross, false},
		{"GET is safe", "default", "GET", cross, true},
		{"HEAD is safe", "default", "HEAD", cross, true},
		{"OPTIONS is safe", "default", "OPTIONS", cross, true},
		{"CORS exact origin", "exact", "POST", site("cross-site", "https://app.example.com"), true},
		{"CORS exact origin, same site", "exact", "POST", site("same-site", "https://app.example.com"), true},
		{"CORS exact origin, old browser", "exact", "POST", site("", "https://app.example.com"), true},
		{"CORS exact origin, other scheme", "exact", "POST", site("cross-site", "http://app.example.com"), false},
		{"CORS exact origin, another origin", "exact", "DELETE", cross, false},
		// Patterns and funcs let pages read, not act: a sibling subdomain
		// or a func that reflects any origin is not trusted.
		{"CORS wildcard", "wildcard", "POST", site("cross-site", "https://a.b.example.org"), false},
		{"CORS wildcard, the bare domain", "wildcard", "POST", site("cross-site", "https://example.org"), false},
		{"CORS wildcard, an empty label", "wildcard", "POST", site("cross-site", "https://.example.org"), false},
		{"CORS AllowOriginFunc says yes", "func", "POST", site("cross-site", "https://a.trusted.example"), false},
		{"CORS AllowOriginFunc, Origin null", "func", "POST", site("cross-site", "null"), false},
		{"CORS exact, written in upper case", "upper", "POST", site("cross-site", "https://app.example.com"), true},
		{"CORS AllowOriginFunc says no", "func", "POST", cross, false},
		{`CORS "*" trusts no one`, "star", "POST", cross, false},
		{`CORS "*" beside an exact origin trusts that origin`, "star+app", "POST", site("cross-site", "https://app.example.com"), true},
		{`CORS "*" beside an exact origin trusts no other`, "star+app", "POST", cross, false},
		{"opted out", "opt-out", "POST", cross, true},
		{"opted out, old browser", "opt-out", "DELETE", site("", "https://evil.example"), true},
		{"custom protection, its trusted origin", "custom", "POST", site("cross-site", "https://partner.example"), true},
		{"custom protection, another origin", "custom", "POST", cross, false},
		{"custom protection and CORS, the CORS origin", "custom+cors", "POST", site("cross-site", "https://app.example.com"), true},
		{"custom protection and CORS, its trusted origin", "custom+cors", "POST", site("cross-site", "https://partner.example"), true},
		{"custom protection, opted out", "custom, opted out", "POST", cross, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ok := routes[tc.route]
			if !ok {
				t.Fatalf("no route %q", tc.route)
			}
			k := newCounted(c)
			r := httptest.NewRequest(tc.method, "/api/x", strings.NewReader("a body"))
			r.Header.Set("Content-Type", "text/plain")
			for name, v := range tc.header {
				r.Header.Set(name, v)
			}
			rec := httptest.NewRecorder()
			k.h.ServeHTTP(rec, r)
			ran := [4]int64{k.before.Load(), k.read.Load(), k.after.Load(), k.ran.Load()}
			if tc.pass {
				if rec.Code != 200 || ran[0] != 1 || ran[2] != 1 || ran[3] != 1 {
					t.Errorf("got %d %q, BeforeBody/read/appended/handler ran %v; want 200 and everything run", rec.Code, rec.Body, ran)
				}
				return
			}
			if rec.Code != 403 || rec.Body.String() != `{"error":"`+crossOriginRefused+`"}` {
				t.Errorf("got %d %q; want the 403", rec.Code, rec.Body)
			}
			if ran != [4]int64{} {
				t.Errorf("BeforeBody, body bytes read, appended middleware, handler: %v; want none to run", ran)
			}
		})
	}
	if custom.Check(crossRequest("https://app.example.com")) == nil {
		t.Error("building a route with CORS changed the custom protection: it trusts the CORS origin")
	}
}

func crossRequest(origin string) *http.Request {
	r := httptest.NewRequest("POST", "/api/x", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Origin", origin)
	return r
}

// The 403 is one of the route's error answers: rendered as the route
// renders its errors, inside CORS and the response checks.
func TestTheCrossOriginRefusalIsTheRoutesErrorFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		renderer    apierror.Renderer
		contentType string
		body        string
	}{
		{"JSON by default", nil, "application/json; charset=utf-8", `{"error":"` + crossOriginRefused + `"}`},
		{"problem+json", apierror.RenderProblem, "application/problem+json",
			`{"type":"about:blank","title":"Forbidden","status":403,"detail":"` + crossOriginRefused + `"}`},
		{"text, as Next's sendError", apierror.RenderText, "", crossOriginRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := newLogger()
			h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Error("the handler ran")
			}), compose.Config{
				CORS:   &cors.Options{AllowedOrigins: []string{"*"}},
				Errors: apierror.Config{Renderer: tc.renderer, Logger: logger},
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, crossRequest("https://evil.example"))
			if rec.Code != 403 || rec.Header().Get("Content-Type") != tc.contentType || rec.Body.String() != tc.body {
				t.Errorf("got %d %q %q; want 403 %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body, tc.contentType, tc.body)
			}
			// Inside CORS: with "*", any script may read why it was refused.
			if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("the 403 lacks the CORS headers: %v", rec.Header())
			}
			// Inside the response checks: the 403 is an answer.
			if strings.Contains(logs.String(), "resolved without") {
				t.Errorf("the 403 was taken for no answer: %s", logs)
			}
			// Why, at Debug, for the developer who meets the 403.
			for _, want := range []string{`msg="compose: cross-origin request refused"`, "method=POST", "path=/api/x",
				"origin=https://evil.example", "sec_fetch_site=cross-site", `reason="cross-origin request detected from Sec-Fetch-Site header"`} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log has no %s: %s", want, logs)
				}
			}
		})
	}
}

// An enclosing layer's renderer reaches the check, as it reaches every
// layer with a zero apierror.Config.
func TestTheCrossOriginRefusalUsesAnEnclosingRenderer(t *testing.T) {
	t.Parallel()
	h := apierror.Config{Renderer: apierror.RenderProblem}.Recover(compose.Route(http.NotFoundHandler(), compose.Config{}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, crossRequest("https://evil.example"))
	if rec.Code != 403 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// The check comes before the method check: a forged request learns
// nothing of the methods the route serves.
func TestTheCrossOriginCheckRunsBeforeTheMethodCheck(t *testing.T) {
	t.Parallel()
	h := compose.Route(http.NotFoundHandler(), compose.Config{Methods: []string{"GET"}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, crossRequest("https://evil.example"))
	if rec.Code != 403 || rec.Header().Get("Allow") != "" {
		t.Errorf("got %d, Allow %q; want 403 without Allow", rec.Code, rec.Header().Get("Allow"))
	}
}

// A request that passes the check costs what net/http's Check costs: no
// allocation more than with the protection off.
func TestAPassingWriteAllocatesNothingForTheCheck(t *testing.T) {
	noContent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	withCORS := compose.Config{CORS: &cors.Options{AllowedOrigins: []string{"https://app.example.com"}}}
	for _, tc := range []struct {
		name string
		c    compose.Config
		hdr  []string
	}{
		{"same-origin", compose.Config{}, []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com"}},
		{"not a browser", compose.Config{}, nil},
		{"a CORS origin", withCORS, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://app.example.com"}},
	} {
		off := tc.c
		off.DisableCrossOriginProtection = true
		allocs := func(c compose.Config) float64 {
			h := compose.Route(noContent, c)
			r := httptest.NewRequest("POST", "/api/x", nil)
			for i := 0; i < len(tc.hdr); i += 2 {
				r.Header.Set(tc.hdr[i], tc.hdr[i+1])
			}
			w := httptest.NewRecorder()
			return testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) })
		}
		if on, off := allocs(tc.c), allocs(off); on != off {
			t.Errorf("%s: %v allocations with the check, %v without", tc.name, on, off)
		}
	}
}

// The log call builds nothing unless Debug is on.
func TestARefusalLogsNothingBelowDebug(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	logger := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := compose.Route(http.NotFoundHandler(), compose.Config{Errors: apierror.Config{Logger: logger}})
	h.ServeHTTP(httptest.NewRecorder(), crossRequest("https://evil.example"))
	if b.Len() != 0 {
		t.Errorf("logged at Info: %s", b.String())
	}
}
