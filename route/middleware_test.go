package route_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/route"
)

// tag is a middleware that appends its name to the X-Chain header, so a
// response shows which layers ran, outermost first.
func tag(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Chain", name)
			next.ServeHTTP(w, r)
		})
	}
}

func chainOf(t *testing.T, h http.Handler, method, target string) string {
	t.Helper()
	rec := get(t, h, method, target)
	return fmt.Sprintf("%d %s", rec.Code, strings.Join(rec.Header().Values("X-Chain"), ","))
}

func TestTheDefaultChainWrapsEveryRouteAndGroupsAddTheirOwn(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	m := route.NewMux()
	m.Use(tag("default"), tag("default2"))
	admin := m.Group("/api/admin", tag("admin"))
	m.Handle("/api/tasks", ok)
	m.Handle("GET /api/tasks/[id]", ok)
	m.Handle("/api/methods", route.Methods{"GET": ok})
	admin.Handle("/users", ok)
	admin.Handle("/", ok)
	admin.With(tag("audit")).Handle("DELETE /users/[id]", ok)
	orgs := admin.Group("/orgs/[org]", tag("org"))
	orgs.Handle("/members", ok)
	m.Replace(tag("raw")).Handle("/api/webhooks/github", ok)
	m.Replace().Handle("/api/bare", ok)
	admin.Replace(tag("own")).Handle("/own", ok)

	cases := []struct{ method, target, want string }{
		{"GET", "/api/tasks", "200 default,default2"},
		{"GET", "/api/tasks/1", "200 default,default2"},
		{"PUT", "/api/tasks/1", "405 default,default2"},     // the 405 runs the route's chain too
		{"OPTIONS", "/api/tasks/1", "204 default,default2"}, // so a CORS layer sees preflights
		{"POST", "/api/methods", "405 default,default2"},
		{"GET", "/api/admin/users", "200 default,default2,admin"},
		{"GET", "/api/admin", "200 default,default2,admin"},
		{"DELETE", "/api/admin/users/7", "200 default,default2,admin,audit"},
		{"GET", "/api/admin/orgs/acme/members", "200 default,default2,admin,org"},
		{"POST", "/api/webhooks/github", "200 raw"},
		{"GET", "/api/bare", "200 "},
		{"GET", "/api/admin/own", "200 own"},
		{"GET", "/api/nope", "404 "}, // the 404 and the redirect are the Mux's, outside any chain
		{"GET", "/api/tasks/", "308 "},
	}
	for _, tc := range cases {
		if got := chainOf(t, m, tc.method, tc.target); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.method, tc.target, got, tc.want)
		}
	}
}

func TestUseAfterARouteIsRefused(t *testing.T) {
	t.Parallel()
	expectPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), want) {
				t.Errorf("%s: panic %v, want one about %q", name, v, want)
			}
		}()
		f()
	}
	ok := http.NotFoundHandler()
	expectPanic("Mux.Use after Handle", "Use after routes were registered", func() {
		m := route.NewMux()
		m.Handle("/x", ok)
		m.Use(tag("late"))
	})
	expectPanic("Mux.Use after a group's Handle", "Use after routes were registered", func() {
		m := route.NewMux()
		m.Group("/api").Handle("/x", ok)
		m.Use(tag("late"))
	})
	expectPanic("Group.Use after Handle", "Use after routes were registered", func() {
		g := route.NewMux().Group("/api")
		g.Handle("/x", ok)
		g.Use(tag("late"))
	})
	expectPanic("nil middleware", "nil middleware", func() { route.NewMux().Use(nil) })
	expectPanic("prefix with a catch-all", "a catch-all must be the last", func() { route.NewMux().Group("/api/[...all]") })
	expectPanic("prefix with a slash", "a trailing slash", func() { route.NewMux().Group("/api/") })
	expectPanic("prefix with a method", "without a method", func() { route.NewMux().Group("GET /api") })
	expectPanic("group prefix and pattern conflict", "different slug names", func() {
		m := route.NewMux()
		m.Handle("/api/[a]", ok)
		m.Group("/api/[b]").Handle("/x", ok)
	})

	// A sibling group made before Use gets the middleware: the chain is
	// read when a route is registered.
	m := route.NewMux()
	g := m.Group("/api")
	m.Use(tag("default"))
	g.Handle("/x", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	if got := chainOf(t, m, "GET", "/api/x"); got != "200 default" {
		t.Errorf("got %q", got)
	}
}

func TestErrorHandlersServeOtherRouters(t *testing.T) {
	t.Parallel()
	notFound, methodNotAllowed := route.ErrorHandlers(apierror.Config{})
	sm := http.NewServeMux()
	sm.HandleFunc("GET /api/x", func(http.ResponseWriter, *http.Request) {})
	sm.Handle("/", notFound)
	rec := get(t, sm, "GET", "/api/nope")
	if rec.Code != 404 || rec.Body.String() != `{"error":"Not Found"}` || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("notFound: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = httptest.NewRecorder()
	rec.Header().Set("Allow", "GET, HEAD")
	methodNotAllowed.ServeHTTP(rec, httptest.NewRequest("POST", "/api/x", nil))
	if rec.Code != 405 || rec.Body.String() != `{"error":"Method Not Allowed"}` || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("methodNotAllowed: %d %q %q", rec.Code, rec.Header().Get("Allow"), rec.Body)
	}
	// Rendered with the Config given, as a Mux with these Errors renders.
	notFound, methodNotAllowed = route.ErrorHandlers(apierror.Config{Renderer: problem})
	if rec := get(t, notFound, "GET", "/api/nope"); rec.Body.String() != "custom 404 Not Found" {
		t.Errorf("notFound with a renderer: %d %q", rec.Code, rec.Body)
	}
	if rec := get(t, methodNotAllowed, "POST", "/api/x"); rec.Body.String() != "custom 405 Method Not Allowed" {
		t.Errorf("methodNotAllowed with a renderer: %d %q", rec.Code, rec.Body)
	}
}

func TestSearchParamsKeepRepeatedNames(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/api/x?type=a&type=b&empty&=v&sp=a+b&pct=%E2%82%AC&bad=%zz&trunc=%E2%82&semi=a;b", nil)
	p := route.SearchParams(r)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"Get type", p.Get("type"), "a"},
		{"every type", fmt.Sprint(p["type"]), "[a b]"},
		{"Has empty", p.Has("empty"), true},
		{"Get empty", p.Get("empty"), ""},
		{"Has missing", p.Has("missing"), false},
		{"Get of the empty name", p.Get(""), "v"},
		{"plus is a space", p.Get("sp"), "a b"},
		{"escapes decode", p.Get("pct"), "€"},
		{"bad escapes stay", p.Get("bad"), "%zz"},
		{"bad UTF-8 is replaced", p.Get("trunc"), "\uFFFD"},
		{"a semicolon is a character", p.Get("semi"), "a;b"},
		{"names", len(p), 8},
		{"Query's type is a list", fmt.Sprintf("%T", route.Query(r)["type"]), "[]string"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if n := len(route.SearchParams(httptest.NewRequest("GET", "/", nil))); n != 0 {
		t.Errorf("an empty query has %d names", n)
	}
}
