package route_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

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
