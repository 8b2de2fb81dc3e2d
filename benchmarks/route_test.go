package benchmarks

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiroutes/apiroutes/route"
)

// The route benchmarks compare route.Mux, which translates Next's
// file-style patterns to http.ServeMux patterns and routes with a
// ServeMux, with that ServeMux alone ("servemux", the floor) and with
// github.com/go-chi/chi/v5 ("chi"), each holding the same API of 25 routes.

// apiRoutes is the table every side registers, as Next patterns: the three
// routes the benchmarks request, then 22 others, so that matching is a walk
// through a realistic tree rather than a lookup in a table of three.
var apiRoutes = []string{
	"/api/tasks",
	"/api/tasks/[id]",
	"/api/docs/[...slug]",

	"/api/health",
	"/api/users",
	"/api/users/[id]",
	"/api/users/[id]/avatar",
	"/api/users/[id]/tasks",
	"/api/projects",
	"/api/projects/[id]",
	"/api/projects/[id]/members",
	"/api/projects/[id]/members/[userId]",
	"/api/tasks/[id]/comments",
	"/api/tasks/[id]/comments/[commentId]",
	"/api/tasks/[id]/attachments",
	"/api/auth/login",
	"/api/auth/logout",
	"/api/auth/session",
	"/api/search",
	"/api/webhooks/github",
	"/api/webhooks/stripe",
	"/api/files/[...path]",
	"/api/settings",
	"/api/notifications",
	"/api/notifications/[id]",
}

// muxPattern is p as a ServeMux pattern ([id] is {id}, [...slug] is
// {slug...}), or as a chi one ([id] is {id}, [...slug] is *).
func muxPattern(p string, chiStyle bool) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "[..."):
			segs[i] = "{" + strings.Trim(s, "[.]") + "...}"
			if chiStyle {
				segs[i] = "*"
			}
		case strings.HasPrefix(s, "["):
			segs[i] = "{" + strings.Trim(s, "[]") + "}"
		}
	}
	return strings.Join(segs, "/")
}

// routeCase is one request of the benchmarks, and the route it must reach
// with its parameter (id, or the catch-all's path).
type routeCase struct {
	name, target, route, param string
}

var routeCases = []routeCase{
	{"static", "/api/tasks", "/api/tasks", ""},
	{"param", "/api/tasks/42", "/api/tasks/[id]", "42"},
	{"catchall", "/api/docs/guides/getting-started/install", "/api/docs/[...slug]", "guides/getting-started/install"},
}

// routeCounter is the handler of every route in the benchmarks: it does
// nothing but count its calls, so that a benchmark can tell that the
// requests reached the route it measures.
type routeCounter struct{ calls int }

func (h *routeCounter) ServeHTTP(http.ResponseWriter, *http.Request) { h.calls++ }

// routeImpls builds each side's router holding apiRoutes, the handler of
// each route (a Next pattern) being handler(route); param reads a route's
// parameter the way that router gives it, for TestRouteBaselinesAgree.
var routeImpls = []struct {
	name  string
	build func(handler func(route string) http.Handler) http.Handler
	param func(r *http.Request, route string) string
}{
	{"apiroutes", func(handler func(string) http.Handler) http.Handler {
		m := route.NewMux()
		for _, p := range apiRoutes {
			m.Handle(p, handler(p))
		}
		return m
	}, servemuxParam},
	{"servemux", func(handler func(string) http.Handler) http.Handler {
		m := http.NewServeMux()
		for _, p := range apiRoutes {
			m.Handle(muxPattern(p, false), handler(p))
		}
		return m
	}, servemuxParam},
	{"chi", func(handler func(string) http.Handler) http.Handler {
		m := chi.NewRouter()
		for _, p := range apiRoutes {
			m.Handle(muxPattern(p, true), handler(p))
		}
		return m
	}, func(r *http.Request, route string) string {
		if strings.Contains(route, "[...") {
			return chi.URLParam(r, "*")
		}
		return chi.URLParam(r, "id")
	}},
}

// servemuxParam is route.Mux's and ServeMux's parameter: r.PathValue.
func servemuxParam(r *http.Request, route string) string {
	if strings.Contains(route, "[...") {
		return r.PathValue("slug")
	}
	return r.PathValue("id")
}

// routeFixture is the harness's fixture for a bodyless GET of target.
func routeFixture(target string) *fixture {
	f := newFixture(http.MethodGet, "", nil, false)
	f.tmpl = httptest.NewRequest(http.MethodGet, target, nil)
	f.tmpl.Body, f.tmpl.ContentLength = http.NoBody, 0
	return f
}

func BenchmarkRoute(b *testing.B) {
	for _, c := range routeCases {
		b.Run(c.name, func(b *testing.B) {
			for _, impl := range routeImpls {
				b.Run(impl.name, func(b *testing.B) {
					counters := map[string]*routeCounter{}
					h := impl.build(func(route string) http.Handler {
						counters[route] = new(routeCounter)
						return counters[route]
					})
					f := routeFixture(c.target)
					b.ReportAllocs()
					for b.Loop() {
						f.serve(h)
					}
					// Every request reached the route, and nothing was
					// written (no 404, no redirect).
					if got := counters[c.route].calls; got != b.N || f.w.status != 0 {
						b.Fatalf("%s: handler called %d times in %d requests, status %d; want every time, nothing written",
							c.route, got, b.N, f.w.status)
					}
				})
			}
		})
	}
}

// TestRouteBaselinesAgree makes the comparison fair: each side sends each
// request to the same route, with the same parameter, and writes nothing.
func TestRouteBaselinesAgree(t *testing.T) {
	for _, c := range routeCases {
		for _, impl := range routeImpls {
			t.Run(c.name+"/"+impl.name, func(t *testing.T) {
				var got []string // the routes reached, each with its parameter
				h := impl.build(func(route string) http.Handler {
					return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
						got = append(got, route+" "+impl.param(r, route))
					})
				})
				f := routeFixture(c.target)
				f.serve(h)
				if want := c.route + " " + c.param; len(got) != 1 || got[0] != want || f.w.status != 0 {
					t.Errorf("reached %q, status %d; want [%q], nothing written", got, f.w.status, want)
				}
			})
		}
	}
}

// TestRouteAllocatesAsServeMux holds the allocation target of BenchmarkRoute
// between benchmark runs: route.Mux allocates what its ServeMux does, no
// more.
func TestRouteAllocatesAsServeMux(t *testing.T) {
	for _, c := range routeCases {
		var allocs [2]float64
		for i, impl := range routeImpls[:2] {
			if want := [2]string{"apiroutes", "servemux"}[i]; impl.name != want {
				t.Fatalf("routeImpls[%d] is %s, want %s", i, impl.name, want)
			}
			h := impl.build(func(string) http.Handler { return new(routeCounter) })
			f := routeFixture(c.target)
			allocs[i] = testing.AllocsPerRun(100, func() { f.serve(h) })
		}
		if allocs[0] != allocs[1] {
			t.Errorf("%s: apiroutes %v allocations per request, servemux %v", c.name, allocs[0], allocs[1])
		}
	}
}
