package route_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/route"
)

// pattern answers with r.Pattern and the named path values.
func pattern(names ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Pattern)
		for _, n := range names {
			fmt.Fprintf(w, " %s=%s", n, r.PathValue(n))
		}
	})
}

// register is m.Handle returning the error Handle panics with, and any
// other panic as an error that does not start with "route: ".
func register(m *route.Mux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			var ok bool
			if err, ok = v.(error); !ok {
				err = fmt.Errorf("panic with a %T, not an error: %v", v, v)
			}
		}
	}()
	m.Handle(pattern, h)
	return nil
}

func answer(t *testing.T, h http.Handler, method, target string) string {
	t.Helper()
	rec := get(t, h, method, target)
	if rec.Code != 200 {
		return fmt.Sprint(rec.Code)
	}
	return rec.Body.String()
}

func TestNextAuthServesBesideDynamicSiblingsAsInNext(t *testing.T) {
	t.Parallel()
	// next-auth's documented path beside a [post] folder: ServeMux refused
	// this tree ("neither is more specific"); Next sorts it as
	// /api/auth/[...nextauth], /api/[post]/comments, /api/[post]/[comment].
	m := route.NewMux()
	m.Handle("/api/[post]/comments", pattern("post"))
	m.Handle("/api/[post]/[comment]", pattern("post", "comment"))
	m.Handle("/api/auth/[...nextauth]", pattern("nextauth"))
	cases := []struct{ target, want string }{
		{"/api/auth/comments", "/api/auth/[...nextauth] nextauth=comments"},
		{"/api/auth/signin/github", "/api/auth/[...nextauth] nextauth=signin/github"},
		{"/api/hello/comments", "/api/[post]/comments post=hello"},
		{"/api/hello/c1", "/api/[post]/[comment] post=hello comment=c1"},
		{"/api/auth", "404"},
		{"/api/hello", "404"},
	}
	for _, tc := range cases {
		if got := answer(t, m, "GET", tc.target); got != tc.want {
			t.Errorf("GET %s = %q, want %q", tc.target, got, tc.want)
		}
	}
}

func TestAStaticMissFallsBackToTheNextRouteInOrder(t *testing.T) {
	t.Parallel()
	// Next tries its sorted list in order and serves the first regex that
	// matches, so a static branch that fails deeper down does not end the
	// search: /api/auth/comments is /api/[post]/comments with post=auth.
	m := route.NewMux()
	m.Handle("/api/auth/login", pattern())
	m.Handle("/api/[post]/comments", pattern("post"))
	m.Handle("/api/[post]/[...rest]", pattern("post", "rest"))
	m.Handle("/api/[[...all]]", pattern("all"))
	cases := []struct{ target, want string }{
		{"/api/auth/login", "/api/auth/login"},
		{"/api/auth/comments", "/api/[post]/comments post=auth"},
		{"/api/auth/login/x", "/api/[post]/[...rest] post=auth rest=login/x"},
		{"/api/auth", "/api/[[...all]] all=auth"},
		{"/api", "/api/[[...all]] all="},
		{"/api/a%2Fb/x%20y/z", "/api/[post]/[...rest] post=a/b rest=x y/z"},
	}
	for _, tc := range cases {
		if got := answer(t, m, "GET", tc.target); got != tc.want {
			t.Errorf("GET %s = %q, want %q", tc.target, got, tc.want)
		}
	}
}

func TestSlugNamesMayHoldHyphensAndOtherCharacters(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.Handle("/[root-slug]/[user-id]/[a.b]", pattern("root-slug", "user-id", "a.b"))
	if got, want := answer(t, m, "GET", "/x/7/y"), "/[root-slug]/[user-id]/[a.b] root-slug=x user-id=7 a.b=y"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	q := route.NewMux()
	q.HandleFunc("/[user-id]", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, route.Query(r)) })
	if got := answer(t, q, "GET", "/7?x=1"); got != "map[user-id:7 x:1]" {
		t.Errorf("Query: %s", got)
	}
}

func TestRequestsMatchTheEscapedPathAsInNext(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.Handle("/api/echo", pattern())
	m.Handle("/api/café", pattern())
	m.Handle("/api/items/[id]", pattern("id"))
	cases := []struct{ target, want string }{
		{"/api/echo", "/api/echo"},
		{"/api/ech%6F", "404"}, // Next does not decode static names
		{"/api/caf%C3%A9", "/api/café"},
		{"/api/items/a%2Fb", "/api/items/[id] id=a/b"},
		{"/api/items/x%2F", "/api/items/[id] id=x/"},     // not a trailing slash
		{"/api/items/%2E%2E", "308"},                     // a dot segment
		{"/api/items/a+b", "/api/items/[id] id=a+b"},     // + is not a space in a path
		{"/api/items/%E2%82%AC", "/api/items/[id] id=€"}, //
		{"/api/items/%FF", "400"},                        // decodeURIComponent throws: Next answers 400
		{"/api/items/%E0%A4", "400"},                     // truncated
		{"/api/items/%C3%A9%ED%A0%80", "400"},            // a surrogate
		{"/api/items/%3Cscript%3E", "/api/items/[id] id=<script>"},
	}
	for _, tc := range cases {
		if got := answer(t, m, "GET", tc.target); got != tc.want {
			t.Errorf("GET %s = %q, want %q", tc.target, got, tc.want)
		}
	}
	if rec := get(t, m, "GET", "/api/items/%FF"); rec.Body.String() != `{"error":"failed to decode param"}` {
		t.Errorf("400 body %q", rec.Body)
	}
}

func TestPatternIsTheRegisteredOne(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.Handle("GET /api/tasks", pattern())
	m.Handle("/api/tasks", pattern())
	m.Handle("/api/tasks/[id]", route.Methods{"GET": pattern(), "PUT": pattern()})
	cases := []struct{ method, target, want string }{
		{"GET", "/api/tasks", "GET /api/tasks"},
		{"HEAD", "/api/tasks", "200"},
		{"POST", "/api/tasks", "/api/tasks"},
		{"GET", "/api/tasks/1", "GET /api/tasks/[id]"},
		{"PUT", "/api/tasks/1", "PUT /api/tasks/[id]"},
		{"DELETE", "/api/tasks/1", "405"},
	}
	for _, tc := range cases {
		got := answer(t, m, tc.method, tc.target)
		if tc.method == "HEAD" {
			got = fmt.Sprint(get(t, m, tc.method, tc.target).Code)
		}
		if got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.method, tc.target, got, tc.want)
		}
	}
}

// problem renders errors as "<status> <message>" in text, to tell the
// Mux's Errors from the default renderer.
func problem(w http.ResponseWriter, r *http.Request, e *apierror.Error) {
	w.WriteHeader(e.Status)
	fmt.Fprintf(w, "custom %d %s", e.Status, e.Message)
}

func TestErrorsRendersThe404The405AndThe400(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.Errors = apierror.Config{Renderer: problem}
	m.Handle("GET /api/one", pattern())
	m.Handle("/api/many", route.Methods{"GET": pattern(), "POST": pattern()})
	m.Handle("/api/items/[id]", pattern("id"))
	cases := []struct{ method, target, want, allow string }{
		{"GET", "/api/nope", "custom 404 Not Found", ""},
		{"DELETE", "/api/one", "custom 405 Method Not Allowed", "GET, HEAD, OPTIONS"},
		{"DELETE", "/api/many", "custom 405 Method Not Allowed", "GET, HEAD, OPTIONS, POST"},
		{"OPTIONS", "/api/many", "", "GET, HEAD, OPTIONS, POST"},
		{"GET", "/api/items/%FF", "custom 400 failed to decode param", ""},
	}
	for _, tc := range cases {
		rec := get(t, m, tc.method, tc.target)
		if rec.Body.String() != tc.want || rec.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d %q Allow %q, want %q Allow %q", tc.method, tc.target, rec.Code, rec.Body, rec.Header().Get("Allow"), tc.want, tc.allow)
		}
	}
}

func TestRefusedPatternsLeaveTheMuxAsItWas(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.Handle("/x/[a]", pattern("a"))
	if err := register(m, "/x/[b]/y", pattern()); err == nil || !strings.HasPrefix(err.Error(), "route: ") {
		t.Fatalf("Handle = %v", err)
	}
	if err := register(m, "/x/[a]/y", pattern("a")); err != nil {
		t.Fatalf("Handle after a refusal: %v", err)
	}
	if got := answer(t, m, "GET", "/x/1/y"); got != "/x/[a]/y a=1" {
		t.Errorf("got %q", got)
	}
	if err := register(m, "/late", pattern()); err == nil || !strings.Contains(err.Error(), "after the Mux started serving") {
		t.Errorf("registration after serving: %v", err)
	}
}

func TestUncleanPathsRedirectOnceAndNeverOffSite(t *testing.T) {
	t.Parallel()
	m := nextMux()
	cases := []struct{ target, location string }{
		{"/api/post/a%2Fb/", "/api/post/a%2Fb"},
		{"/%2F%2Fevil.com/", "/%2F%2Fevil.com"},
		{"//evil.com/", "/evil.com"},
		{"//evil.com", "/evil.com"},
		{"///evil.com//x", "/evil.com/x"},
		{"/.//evil.com", "/evil.com"},
		{"/%2e/%2E%2e//evil.com", "/evil.com"},
		{"/api/post/../post/1", "/api/post/1"},
		{"/api/post/./1/.", "/api/post/1"},
		{"/../../", "/"},
		{"/a/..", "/"},
		{"/%5C%5Cevil.com/", "/%5C%5Cevil.com"},
		{"/api/post/1/?next=//evil.com", "/api/post/1?next=//evil.com"},
	}
	for _, tc := range cases {
		rec := get(t, m, "GET", tc.target)
		if rec.Code != 308 || rec.Header().Get("Location") != tc.location {
			t.Errorf("GET %s = %d Location %q, want 308 %q", tc.target, rec.Code, rec.Header().Get("Location"), tc.location)
			continue
		}
		// Following the redirect never redirects again.
		if again := get(t, m, "GET", tc.location); again.Code == 308 {
			t.Errorf("GET %s redirects to %s, which redirects to %s", tc.target, tc.location, again.Header().Get("Location"))
		}
	}
	// Clean paths with escaped slashes are served, not redirected to
	// themselves (issue 12: /api/a/x%2F and /%2F%2Fevil.com looped).
	for _, target := range []string{"/api/post/x%2F", "/%2F%2Fevil.com", "/api/post/%2F", "/api/post/%2F%2F"} {
		if rec := get(t, m, "GET", target); rec.Code == 308 {
			t.Errorf("GET %s redirects to %s", target, rec.Header().Get("Location"))
		}
	}
	// On the wire, a backslash the client sends is escaped in Location.
	srv := httptest.NewServer(m)
	defer srv.Close()
	for _, target := range []string{"/\\evil.com/", "/\\\\evil.com/", "/x/..//\\evil.com"} {
		res := rawGet(t, srv.URL, target)
		loc := res.Header.Get("Location")
		if res.StatusCode != 308 || len(loc) < 2 || loc[0] != '/' || loc[1] == '/' || loc[1] == '\\' {
			t.Errorf("GET %s = %d Location %q", target, res.StatusCode, loc)
		}
	}
}

// rawGet sends target as the request line has it, without the client
// cleaning it.
func rawGet(t *testing.T, base, target string) *http.Response {
	t.Helper()
	u, _ := url.Parse(base)
	req, _ := http.NewRequest("GET", base, nil)
	req.URL.Opaque = target
	req.URL.Host = u.Host
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// --- Next's order as a brute-force reference ---

type refRoute struct {
	pattern string
	segs    []string
}

// kindRank is a segment's place in Next's order at one level.
func kindRank(s string) int {
	switch {
	case strings.HasPrefix(s, "[[..."):
		return 3
	case strings.HasPrefix(s, "[..."):
		return 2
	case strings.HasPrefix(s, "["):
		return 1
	}
	return 0
}

// nextLess is getSortedRoutes's order as a comparison: at the first
// segment where two routes differ, a route that ends there comes first,
// then static names in order, then [param], [...catchAll], [[...opt]].
func nextLess(a, b refRoute) bool {
	for i := 0; ; i++ {
		switch {
		case i == len(a.segs) && i == len(b.segs):
			return false
		case i == len(a.segs):
			return true
		case i == len(b.segs):
			return false
		}
		ra, rb := kindRank(a.segs[i]), kindRank(b.segs[i])
		if ra != rb {
			return ra < rb
		}
		if ra == 0 && a.segs[i] != b.segs[i] {
			return a.segs[i] < b.segs[i]
		}
	}
}

// refMatch is a route's regex: does it match the clean path's segments,
// and with which values (decoded as decodeURIComponent decodes them,
// catch-alls joined with "/" as r.PathValue has them)?
func refMatch(rt refRoute, segs []string) (map[string]string, bool) {
	vals := map[string]string{}
	for i, s := range rt.segs {
		switch kindRank(s) {
		case 0:
			if i >= len(segs) || segs[i] != s {
				return nil, false
			}
		case 1:
			if i >= len(segs) {
				return nil, false
			}
			v, _ := url.PathUnescape(segs[i])
			vals[s[1:len(s)-1]] = v
		case 2, 3:
			if kindRank(s) == 2 && i >= len(segs) {
				return nil, false
			}
			if i < len(segs) {
				v, _ := url.PathUnescape(strings.Join(segs[i:], "/"))
				vals[strings.Trim(s, "[].")] = v
			}
			return vals, true
		}
	}
	return vals, len(segs) == len(rt.segs)
}

// fuzzTable reads a route table and a path from data: each byte picks a
// segment; a 0xFF byte ends a route, two end the table.
func fuzzTable(data []byte) (routes []string, path string) {
	routeSegs := []string{"a", "b", "auth", "[p]", "[q]", "[...r]", "[[...s]]", "[t-u]"}
	pathSegs := []string{"a", "b", "auth", "c", "x%2Fy", "%41", "comments"}
	var cur []string
	i := 0
	for ; i < len(data) && len(routes) < 24; i++ {
		c := data[i]
		if c == 0xFF {
			routes = append(routes, "/"+strings.Join(cur, "/"))
			cur = cur[:0]
			if i+1 < len(data) && data[i+1] == 0xFF {
				i += 2
				break
			}
			continue
		}
		if len(cur) < 5 {
			cur = append(cur, routeSegs[int(c)%len(routeSegs)])
		}
	}
	var ps []string
	for ; i < len(data) && len(ps) < 8; i++ {
		ps = append(ps, pathSegs[int(data[i])%len(pathSegs)])
	}
	return routes, "/" + strings.Join(ps, "/")
}

// FuzzMatcherAgreesWithNextsSortedList checks the trie against Next's
// algorithm done the slow way: sort the accepted routes with
// getSortedRoutes's order, try each in turn, the first match serves.
func FuzzMatcherAgreesWithNextsSortedList(f *testing.F) {
	f.Add([]byte("\x02\x05\xff\x03\x02\xff\x03\x03\xff\xff\x02\x06"))                 // nextauth beside [post]/comments
	f.Add([]byte("\x02\x00\xff\x03\x06\xff\x03\x05\xff\x07\xff\xff\x02\x06"))         // a static miss falls back
	f.Add([]byte("\x00\x06\xff\x00\xff\x00\x03\x05\xff\xff\x00\x01\x02\x03"))         // own page beside an optional catch-all
	f.Add([]byte("\x06\xff\x05\xff\x00\x00\x00\x00\x00\xff\xff\x00\x00\x00\x00\x00")) // deep
	f.Add([]byte("\x03\x04\xff\x04\x03\xff\xff\x04\x05"))
	f.Fuzz(func(t *testing.T, data []byte) {
		routes, path := fuzzTable(data)
		m := route.NewMux()
		var accepted []refRoute
		for _, p := range routes {
			segs := strings.Split(p[1:], "/")
			if p == "/" {
				segs = nil
			}
			names := []string{}
			for _, s := range segs {
				if kindRank(s) > 0 {
					names = append(names, strings.Trim(s, "[]."))
				}
			}
			if register(m, p, pattern(names...)) == nil {
				accepted = append(accepted, refRoute{p, segs})
			}
		}
		// The Mux may refuse a route only for one of Next's reasons; the
		// ones left must satisfy Next too (no two names at one level).
		sort.SliceStable(accepted, func(i, j int) bool { return nextLess(accepted[i], accepted[j]) })
		segs := strings.Split(path[1:], "/")
		if path == "/" {
			segs = nil
		}
		want := "404"
		for _, rt := range accepted {
			if vals, ok := refMatch(rt, segs); ok {
				var b bytes.Buffer
				b.WriteString(rt.pattern)
				for _, s := range rt.segs {
					if kindRank(s) > 0 {
						n := strings.Trim(s, "[].")
						fmt.Fprintf(&b, " %s=%s", n, vals[n])
					}
				}
				want = b.String()
				break
			}
		}
		if got := answer(t, m, "GET", path); got != want {
			t.Fatalf("routes %q: GET %s = %q, Next's sorted list gives %q", routes, path, got, want)
		}
	})
}

// FuzzPatterns feeds the pattern parser anything: Handle accepts it or
// panics with an error whose message starts with "route: ", and a pattern
// it accepts serves a path built from it.
func FuzzPatterns(f *testing.F) {
	for _, s := range []string{"/api/[id]", "/[...a]", "/[[...a]]", "GET /x", "/x/[a-b]", "/[[id]]", "/[a][b]", "/[.a]",
		"/[[[...a]]]", "/x/", "//", "/a%2Fb", "/%zz", "/[]", "/[...]", "/{id}", "/..", "/é/[é]", strings.Repeat("/[a]", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		m := route.NewMux()
		if err := register(m, p, pattern()); err != nil {
			if !strings.HasPrefix(err.Error(), "route: ") {
				t.Fatalf("Handle(%q) panicked with %v", p, err)
			}
			return
		}
		// Build a request path: static segments as written, "v" for
		// parameters.
		path := p
		if i := strings.IndexByte(p, ' '); i >= 0 {
			path = strings.TrimLeft(p[i+1:], " ")
		}
		var segs []string
		for _, s := range strings.Split(path, "/")[1:] {
			switch {
			case s == "":
			case strings.HasPrefix(s, "["):
				segs = append(segs, "v")
			case len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')':
				// A route group: not in the URL.
			default:
				dec, err := url.PathUnescape(s)
				if err != nil {
					t.Fatalf("pattern %q accepted with a bad escape", p)
				}
				segs = append(segs, strings.ReplaceAll((&url.URL{Path: "/" + dec}).EscapedPath()[1:], "/", "%2F"))
			}
		}
		target := "/" + strings.Join(segs, "/")
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = &url.URL{Path: "/x"}
		if u, err := url.Parse(target); err == nil && u.Path != "" {
			req.URL = u
		} else {
			return
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 405 {
			t.Fatalf("pattern %q: GET %s = %d %s", p, target, rec.Code, rec.Body)
		}
	})
}

// FuzzCleanPaths: any path the Mux redirects goes to a path it serves
// without redirecting again, and never off-site.
func FuzzCleanPaths(f *testing.F) {
	for _, s := range []string{"/x/", "//evil.com", "/%2F%2Fevil.com/", "/api/a/x%2F", "/a/../..//b", "/%2e%2E/", "/\\evil.com", "/./", strings.Repeat("/", 100)} {
		f.Add(s)
	}
	m := route.NewMux()
	m.Handle("/[[...all]]", pattern())
	slash := &route.Mux{TrailingSlash: true} // Next's trailingSlash: true
	slash.Handle("/[[...all]]", pattern())
	f.Fuzz(func(t *testing.T, p string) {
		u, err := url.ParseRequestURI(p)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return
		}
		for _, m := range []*route.Mux{m, slash} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL = u
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, req)
			if rec.Code != 308 {
				continue
			}
			loc := rec.Header().Get("Location")
			if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
				t.Fatalf("GET %q (TrailingSlash %v): Location %q", p, m.TrailingSlash, loc)
			}
			u2, err := url.ParseRequestURI(loc)
			if err != nil {
				t.Fatalf("GET %q (TrailingSlash %v): Location %q does not parse: %v", p, m.TrailingSlash, loc, err)
			}
			req2 := httptest.NewRequest("GET", "/", nil)
			req2.URL = u2
			rec2 := httptest.NewRecorder()
			m.ServeHTTP(rec2, req2)
			if rec2.Code == 308 {
				t.Fatalf("GET %q → %q → %q (TrailingSlash %v): a redirect loop", p, loc, rec2.Header().Get("Location"), m.TrailingSlash)
			}
		}
	})
}
