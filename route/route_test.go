package route_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/route"
)

// which answers with the route's name and its req.query.
func which(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(map[string]any{"which": name, "query": route.Query(r)})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}

func nextMux() *route.Mux {
	m := route.NewMux()
	m.Handle("/api/post/create", which("post/create.js"))
	m.Handle("/api/post/[pid]", which("post/[pid].js"))
	m.Handle("/api/post/[...slug]", which("post/[...slug].js"))
	m.Handle("/api/opt/[[...slug]]", which("opt/[[...slug]].js"))
	m.Handle("/api/items/[id]/tags/[tag]", which("items/[id]/tags/[tag].js"))
	return m
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestRoutesFollowNextsPrecedenceAndQuery(t *testing.T) {
	t.Parallel()
	m := nextMux()
	cases := []struct {
		target string
		want   string // the JSON body, or the status for non-200
	}{
		{"/api/post/create", `{"query":{},"which":"post/create.js"}`},
		{"/api/post/abc", `{"query":{"pid":"abc"},"which":"post/[pid].js"}`},
		{"/api/post/abc?pid=x&q=1&q=2", `{"query":{"pid":"abc","q":["1","2"]},"which":"post/[pid].js"}`},
		{"/api/post/a%2Fb", `{"query":{"pid":"a/b"},"which":"post/[pid].js"}`},
		{"/api/post/a/b", `{"query":{"slug":["a","b"]},"which":"post/[...slug].js"}`},
		{"/api/post/a/b%2Fc/d", `{"query":{"slug":["a","b/c","d"]},"which":"post/[...slug].js"}`},
		{"/api/post/create/x", `{"query":{"slug":["create","x"]},"which":"post/[...slug].js"}`},
		{"/api/post/a/b?slug=y", `{"query":{"slug":["a","b"]},"which":"post/[...slug].js"}`},
		{"/api/post", "404"},
		{"/API/post/create", "404"},
		{"/api/Post/create", "404"},
		{"/api/opt", `{"query":{},"which":"opt/[[...slug]].js"}`},
		{"/api/opt?slug=q", `{"query":{"slug":"q"},"which":"opt/[[...slug]].js"}`},
		{"/api/opt?slug=a&slug=b", `{"query":{"slug":["a","b"]},"which":"opt/[[...slug]].js"}`},
		{"/api/opt/a/b", `{"query":{"slug":["a","b"]},"which":"opt/[[...slug]].js"}`},
		{"/api/items/7/tags/go?x=1", `{"query":{"id":"7","tag":"go","x":"1"},"which":"items/[id]/tags/[tag].js"}`},
		{"/api/post/create?a=&b&=c&%zz=%E2%82&p=1+2", `{"query":{"":"c","%zz":"` + "\ufffd" + `","a":"","b":"","p":"1 2"},"which":"post/create.js"}`},
		{"/api/post/create?__proto__=1", `{"query":{"__proto__":"1"},"which":"post/create.js"}`},
		{"/api/nothing", "404"},
		{"/", "404"},
	}
	for _, tc := range cases {
		rec := get(t, m, "GET", tc.target)
		got := strings.TrimSpace(rec.Body.String())
		if rec.Code != 200 {
			got = fmt.Sprint(rec.Code)
		}
		if got != tc.want {
			t.Errorf("GET %s = %s, want %s", tc.target, got, tc.want)
		}
	}
}

func TestUnknownPathsGetAJSON404(t *testing.T) {
	t.Parallel()
	rec := get(t, nextMux(), "POST", "/api/nope")
	if rec.Code != 404 || rec.Body.String() != `{"error":"Not Found"}` || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("got %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestTrailingSlashesRedirectWith308(t *testing.T) {
	t.Parallel()
	m := nextMux()
	cases := []struct{ method, target, location string }{
		{"GET", "/api/post/1/", "/api/post/1"},
		{"POST", "/api/post/1/?q=1", "/api/post/1?q=1"},
		{"DELETE", "/api/opt/", "/api/opt"},
		{"GET", "//api/post/create", "/api/post/create"},
		{"GET", "/api//post///create/", "/api/post/create"},
		{"GET", "/api/post/a%2Fb/?x=%20", "/api/post/a%2Fb?x=%20"},
	}
	for _, tc := range cases {
		rec := get(t, m, tc.method, tc.target)
		if rec.Code != 308 || rec.Header().Get("Location") != tc.location || rec.Body.String() != tc.location {
			t.Errorf("%s %s: got %d Location %q body %q, want 308 %q", tc.method, tc.target, rec.Code, rec.Header().Get("Location"), rec.Body, tc.location)
		}
		if rec.Header().Get("Refresh") != "0;url="+tc.location {
			t.Errorf("%s: Refresh = %q", tc.target, rec.Header().Get("Refresh"))
		}
	}
	// No Content-Type is sniffed onto the redirect.
	srv := httptest.NewServer(m)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Post(srv.URL+"/api/post/create/", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 308 || res.Header.Get("Content-Type") != "" {
		t.Errorf("on the wire: %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestPathValuesAreTheStandardOnes(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	var id, rest string
	m.HandleFunc("/api/items/[id]/[...rest]", func(w http.ResponseWriter, r *http.Request) {
		id, rest = r.PathValue("id"), r.PathValue("rest")
	})
	get(t, m, "GET", "/api/items/a%20b/x/y")
	if id != "a b" || rest != "x/y" {
		t.Errorf("PathValue: id %q, rest %q", id, rest)
	}
}

func TestMethodsAnswersLikeRouteHandlers(t *testing.T) {
	t.Parallel()
	ok := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, s) })
	}
	cases := []struct {
		name    string
		methods route.Methods
		method  string
		status  int
		allow   string
		body    string
	}{
		{"GET", route.Methods{"GET": ok("get"), "POST": ok("post")}, "GET", 200, "", "get"},
		{"POST", route.Methods{"GET": ok("get"), "POST": ok("post")}, "POST", 200, "", "post"},
		{"HEAD from GET", route.Methods{"GET": ok("get"), "POST": ok("post")}, "HEAD", 200, "", ""},
		{"HEAD of its own", route.Methods{"GET": ok("get"), "HEAD": ok("head")}, "HEAD", 200, "", ""},
		{"automatic OPTIONS", route.Methods{"GET": ok("get"), "POST": ok("post")}, "OPTIONS", 204, "GET, HEAD, OPTIONS, POST", ""},
		{"OPTIONS of POST only", route.Methods{"POST": ok("post")}, "OPTIONS", 204, "OPTIONS, POST", ""},
		{"OPTIONS of GET only", route.Methods{"GET": ok("get")}, "OPTIONS", 204, "GET, HEAD, OPTIONS", ""},
		{"explicit OPTIONS", route.Methods{"GET": ok("get"), "OPTIONS": ok("options")}, "OPTIONS", 200, "", "options"},
		{"405 with Allow", route.Methods{"GET": ok("get"), "POST": ok("post")}, "PUT", 405, "GET, HEAD, OPTIONS, POST", `{"error":"Method Not Allowed"}`},
		{"HEAD without GET", route.Methods{"POST": ok("post")}, "HEAD", 405, "OPTIONS, POST", ""},
		{"unknown method", route.Methods{"GET": ok("get")}, "PURGE", 405, "GET, HEAD, OPTIONS", `{"error":"Method Not Allowed"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Through a real server: HEAD bodies are dropped by net/http.
			srv := httptest.NewServer(tc.methods)
			defer srv.Close()
			req, _ := http.NewRequest(tc.method, srv.URL, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status || res.Header.Get("Allow") != tc.allow || string(body) != tc.body {
				t.Errorf("got %d Allow %q body %q; want %d %q %q", res.StatusCode, res.Header.Get("Allow"), body, tc.status, tc.allow, tc.body)
			}
		})
	}
}

func TestMethodPatternsGroupIntoMethods(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.HandleFunc("GET /api/tasks", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "list") })
	m.HandleFunc("POST /api/tasks", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "create") })
	m.HandleFunc("/api/any", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "any") })
	m.HandleFunc("DELETE /api/any", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "delete") })
	cases := []struct{ method, path, want string }{
		{"GET", "/api/tasks", "200 list"},
		{"POST", "/api/tasks", "200 create"},
		{"PATCH", "/api/tasks", `405 {"error":"Method Not Allowed"}`},
		{"DELETE", "/api/any", "200 delete"},
		{"PATCH", "/api/any", "200 any"},
	}
	for _, tc := range cases {
		rec := get(t, m, tc.method, tc.path)
		if got := fmt.Sprint(rec.Code, " ", rec.Body.String()); got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
	if rec := get(t, m, "PATCH", "/api/tasks"); rec.Header().Get("Allow") != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("Allow = %q", rec.Header().Get("Allow"))
	}
}

func TestBadPatternsPanicAtRegistration(t *testing.T) {
	t.Parallel()
	h := http.NotFoundHandler()
	cases := []struct {
		patterns []string
		want     string
	}{
		{[]string{"/api/[a][b]"}, "one parameter per segment"},
		{[]string{"/api/x[a]"}, "a parameter takes a whole segment"},
		{[]string{"/api/[a"}, "a parameter takes a whole segment"},
		{[]string{"/api/a]"}, "a parameter takes a whole segment"},
		{[]string{"/api/{id}"}, "write [name] for {name}"},
		{[]string{"/api/[]"}, "a parameter needs a name"},
		{[]string{"/api/[...]"}, "a parameter needs a name"},
		{[]string{"/api/[[...a]"}, "Segment names may not start or end with extra brackets ('[...a')."},
		{[]string{"/api/[a]]"}, "Segment names may not start or end with extra brackets ('a]')."},
		{[]string{"/api/[[[...a]]]"}, "Segment names may not start or end with extra brackets ('[...a]')."},
		{[]string{"/api/[.a]"}, "Segment names may not start with erroneous periods ('.a')."},
		{[]string{"/api/[....a]"}, "Segment names may not start with erroneous periods ('.a')."},
		{[]string{"/api/[[..a]]"}, "Segment names may not start with erroneous periods ('..a')."},
		{[]string{"/api/[[id]]"}, `Optional route parameters are not yet supported ("[[id]]").`},
		{[]string{"/api/[...a]/b"}, "Catch-all must be the last part of the URL."},
		{[]string{"/api/[[...a]]/[b]"}, "Catch-all must be the last part of the URL."},
		{[]string{"/api/[a]/[a]"}, `You cannot have the same slug name "a" repeat within a single dynamic path`},
		{[]string{"/api/[a]/x/[...a]"}, `You cannot have the same slug name "a" repeat within a single dynamic path`},
		{[]string{"/api/[user-id]/[user_id]/[userid]"}, `You cannot have the slug names "user-id" and "userid" differ only by non-word symbols`},
		{[]string{"/api/[a-b]/[a.b]"}, `You cannot have the slug names "a-b" and "a.b" differ only by non-word symbols`},
		{[]string{"/api/[시도]/[시군구]"}, `You cannot have the slug names "시도" and "시군구" differ only by non-word symbols`},
		{[]string{"/api/tasks/"}, "a trailing slash never matches"},
		{[]string{"api/tasks"}, "want a path starting with /"},
		{[]string{"/api//tasks"}, "empty segment"},
		{[]string{"/api/../tasks"}, "dot segments never match"},
		{[]string{"/api/%2e/tasks"}, "dot segments never match"},
		{[]string{"/api/.%2E"}, "dot segments never match"},
		{[]string{"get /api/tasks"}, `"get" is not a method`},
		{[]string{"/x/[a]", "/x/[b]"}, "You cannot use different slug names for the same dynamic path ('a' !== 'b')."},
		{[]string{"/x/[a]/y", "/x/[b]/z"}, "You cannot use different slug names for the same dynamic path ('a' !== 'b')."},
		{[]string{"/x/[...a]", "/x/[...b]"}, "You cannot use different slug names for the same dynamic path ('a' !== 'b')."},
		{[]string{"/x/[[...a]]", "/x/[[...b]]"}, "You cannot use different slug names for the same dynamic path ('a' !== 'b')."},
		{[]string{"GET /x/[a]", "POST /x/[b]"}, "You cannot use different slug names"},
		{[]string{"/x", "/x/[[...s]]"}, "You cannot define a route with the same specificity as a optional catch-all route"},
		{[]string{"/x/[[...s]]", "/x"}, "You cannot define a route with the same specificity as a optional catch-all route"},
		{[]string{"/", "/[[...s]]"}, "You cannot define a route with the same specificity as a optional catch-all route"},
		{[]string{"/x/[...a]", "/x/[[...a]]"}, "You cannot use both an required and optional catch-all route at the same level"},
		{[]string{"/x/[[...a]]", "/x/[...a]"}, "You cannot use both an optional and required catch-all route at the same level"},
		{[]string{"/x", "/x"}, "registered twice"},
		{[]string{"/x/echo", "/x/ech%6F"}, "matches the same paths as"},
		{[]string{"GET /x", "GET /x"}, "registered twice (GET)"},
		{[]string{"GET /x", "/x", "/x"}, "registered twice"},
		{[]string{"GET /x"}, "nil handler"},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				v := recover()
				msg := fmt.Sprint(v)
				if v == nil || !strings.HasPrefix(msg, "route: ") || !strings.Contains(msg, tc.want) {
					t.Errorf("%q: panic %v, want a route: panic about %q", tc.patterns, v, tc.want)
				}
			}()
			m := route.NewMux()
			for i, p := range tc.patterns {
				if tc.want == "nil handler" && i == len(tc.patterns)-1 {
					m.Handle(p, nil)
				}
				m.Handle(p, h)
			}
		}()
	}
	func() {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), `write "GET"`) {
				t.Errorf("lower-case Methods key: %v", v)
			}
		}()
		route.NewMux().Handle("/x", route.Methods{"get": h})
	}()
}

func TestACatchAllRootClaimedLaterServesItsOwnRoute(t *testing.T) {
	t.Parallel()
	m := route.NewMux()
	m.Handle("/api/docs/[...slug]", which("docs/[...slug].js"))
	m.Handle("/api/docs", which("docs.js"))
	if rec := get(t, m, "GET", "/api/docs"); !strings.Contains(rec.Body.String(), `"docs.js"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	m2 := route.NewMux()
	m2.Handle("/[...all]", which("[...all].js"))
	if rec := get(t, m2, "GET", "/"); rec.Code != 404 {
		t.Errorf("a top-level catch-all matched /: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, m2, "GET", "/a/b"); !strings.Contains(rec.Body.String(), `"all":["a","b"]`) {
		t.Errorf("got %s", rec.Body)
	}
}

func TestRoutingAddsNoAllocations(t *testing.T) {
	m := route.NewMux()
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	m.Handle("/api/tasks", noop)
	m.Handle("/api/tasks/[id]", noop)
	sm := http.NewServeMux()
	sm.Handle("/api/tasks", noop)
	sm.Handle("/api/tasks/{id}", noop)
	for _, path := range []string{"/api/tasks", "/api/tasks/7"} {
		r := httptest.NewRequest("GET", path, nil)
		w := httptest.NewRecorder()
		ours := testing.AllocsPerRun(100, func() { m.ServeHTTP(w, r) })
		theirs := testing.AllocsPerRun(100, func() { sm.ServeHTTP(w, r) })
		if ours > theirs {
			t.Errorf("%s: %v allocations, ServeMux alone %v", path, ours, theirs)
		}
	}
}
