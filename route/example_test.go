package route_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/route"
)

func show(h http.Handler, method, target string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	fmt.Println(method, target, "→", rec.Code, rec.Body.String())
}

func Example() {
	// pages/api/post/create.js, pages/api/post/[pid].js, pages/api/post/[...slug].js
	echo := func(file string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := json.Marshal(map[string]any{"file": file, "query": route.Query(r)})
			_, _ = w.Write(b)
		})
	}
	mux := route.NewMux()
	mux.Handle("/api/post/create", echo("create.js"))
	mux.Handle("/api/post/[pid]", echo("[pid].js"))
	mux.Handle("/api/post/[...slug]", echo("[...slug].js"))

	show(mux, "GET", "/api/post/create")
	show(mux, "GET", "/api/post/abc?pid=ignored&x=1")
	show(mux, "GET", "/api/post/a/b%2Fc")
	show(mux, "GET", "/api/post")
	show(mux, "POST", "/api/post/abc/?x=1")
	// Output:
	// GET /api/post/create → 200 {"file":"create.js","query":{}}
	// GET /api/post/abc?pid=ignored&x=1 → 200 {"file":"[pid].js","query":{"pid":"abc","x":"1"}}
	// GET /api/post/a/b%2Fc → 200 {"file":"[...slug].js","query":{"slug":["a","b/c"]}}
	// GET /api/post → 404 {"error":"Not Found"}
	// POST /api/post/abc/?x=1 → 308 /api/post/abc?x=1
}

func ExampleMethods() {
	// app/api/tasks/route.ts exporting GET and POST.
	tasks := route.Methods{
		http.MethodGet:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "[]") }),
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) }),
	}
	mux := route.NewMux()
	mux.Handle("/api/tasks", tasks)
	for _, method := range []string{"GET", "POST", "OPTIONS", "DELETE"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(method, "/api/tasks", nil))
		fmt.Printf("%-7s %d Allow=%q body=%q\n", method, rec.Code, rec.Header().Get("Allow"), rec.Body)
	}
	// Output:
	// GET     200 Allow="" body="[]"
	// POST    201 Allow="" body=""
	// OPTIONS 204 Allow="GET, HEAD, OPTIONS, POST" body=""
	// DELETE  405 Allow="GET, HEAD, OPTIONS, POST" body="{\"error\":\"Method Not Allowed\"}"
}

func ExampleMux_Use() {
	// Every route gets the standard chain (body parsing up to 1mb, the
	// response warnings, panics as 500s) without wrapping each one; the
	// webhook replaces it with a raw body, and /api/admin adds its own
	// check inside it. compose sits on top of route, so this example (a
	// route_test package) may import it.
	mux := route.NewMux()
	mux.Use(compose.Chain(compose.Config{}).Then)
	mux.HandleFunc("POST /api/tasks", func(w http.ResponseWriter, r *http.Request) {
		in, err := bodyparser.Decode[struct{ Title string }](r)
		if err != nil {
			apierror.Write(w, r, err)
			return
		}
		fmt.Fprintf(w, "created %q", in.Title)
	})
	mux.Replace(compose.Chain(compose.Config{Body: bodyparser.Config{Raw: true}}).Then).
		HandleFunc("POST /api/webhooks/github", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body) // the raw bytes, to check a signature
			fmt.Fprintf(w, "%d raw bytes", len(b))
		})
	admin := mux.Group("/api/admin", func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				apierror.Write(w, r, apierror.Unauthorized("sign in first"))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	admin.HandleFunc("GET /users/[id]", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user %s", r.PathValue("id"))
	})

	for _, req := range []*http.Request{
		httptest.NewRequest("POST", "/api/tasks", strings.NewReader(`{"Title":"write docs"}`)),
		httptest.NewRequest("POST", "/api/tasks", strings.NewReader(`{"Title":`)),
		httptest.NewRequest("POST", "/api/webhooks/github", strings.NewReader(`{"action":"opened"}`)),
		httptest.NewRequest("GET", "/api/admin/users/7", nil),
	} {
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(req.Method, req.URL, "→", rec.Code, rec.Body.String())
	}
	// Output:
	// POST /api/tasks → 200 created "write docs"
	// POST /api/tasks → 400 {"error":"Invalid JSON"}
	// POST /api/webhooks/github → 200 19 raw bytes
	// GET /api/admin/users/7 → 401 {"error":"sign in first"}
}

func ExampleParams() {
	// One handler for app/api/shop/[id]/route.ts and app/api/docs/[...slug]/route.ts.
	params := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(route.Params(r))
		_, _ = w.Write(b)
	})
	mux := route.NewMux()
	mux.Handle("/api/shop/[id]", params)
	mux.Handle("/api/docs/[...slug]", params)
	show(mux, "GET", "/api/shop/42?id=ignored")
	show(mux, "GET", "/api/docs/a/b")
	// Output:
	// GET /api/shop/42?id=ignored → 200 {"id":"42"}
	// GET /api/docs/a/b → 200 {"slug":["a","b"]}
}

func ExampleMux_trailingSlash() {
	// next.config.js: { trailingSlash: true }
	mux := &route.Mux{TrailingSlash: true}
	mux.Handle("/api/(shop)/items/[id]", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "item ", r.PathValue("id"))
	}))
	show(mux, "GET", "/api/items/7?x=1")
	show(mux, "GET", "/api/items/7/")
	// Output:
	// GET /api/items/7?x=1 → 308 /api/items/7/?x=1
	// GET /api/items/7/ → 200 item 7
}

func ExampleSearchParams() {
	// Query(r)["type"].(string) is "" when the client repeats the name;
	// SearchParams reads the query string the same way every time.
	r := httptest.NewRequest("GET", "/api/search?type=issue&type=pr&q=go+router", nil)
	p := route.SearchParams(r)
	fmt.Println(p.Get("type"), p["type"], p.Get("q"), p.Has("page"))
	// Output:
	// issue [issue pr] go router false
}

func ExampleErrorHandlers() {
	// Next-style JSON errors under another router.
	notFound, _ := route.ErrorHandlers(apierror.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.Handle("/", notFound)
	show(mux, "GET", "/api/nope")
	// Output:
	// GET /api/nope → 404 {"error":"Not Found"}
}
