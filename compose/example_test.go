package compose_test

import (
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

type newTask struct {
	Title string `json:"title"`
}

// pages/api/tasks/index.js
func createTask(w http.ResponseWriter, r *http.Request) error {
	in, err := bodyparser.Decode[newTask](r, bodyparser.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if in.Title == "" {
		return apierror.BadRequest("title is required")
	}
	w.WriteHeader(http.StatusCreated)
	_, err = fmt.Fprintf(w, `{"title":%q}`, in.Title)
	return err
}

// pages/api/webhooks/github.js, with export const config = { api: { bodyParser: false } }
func githubHook(w http.ResponseWriter, r *http.Request) error {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "read %d raw bytes", n)
	return err
}

func Example() {
	mux := route.NewMux()
	mux.Handle("/api/tasks", compose.Route(route.Methods{
		http.MethodPost: apierror.HandlerFunc(createTask),
	}, compose.Config{SizeLimit: "10kb"}))
	mux.Handle("/api/webhooks/github", compose.RouteFunc(githubHook, compose.Config{BodyParser: compose.Raw}))

	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/tasks", `{"title":"write docs"}`},
		{"POST", "/api/tasks", `{"title":""}`},
		{"POST", "/api/tasks", `{"title":`},
		{"GET", "/api/tasks", ``},
		{"POST", "/api/webhooks/github", `{"zen":"Keep it logically awesome."}`},
	} {
		r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		fmt.Println(c.method, c.path, rec.Code, rec.Body)
	}
	// Output:
	// POST /api/tasks 201 {"title":"write docs"}
	// POST /api/tasks 400 {"error":"title is required"}
	// POST /api/tasks 400 {"error":"Invalid JSON"}
	// GET /api/tasks 405 {"error":"Method Not Allowed"}
	// POST /api/webhooks/github 200 read 36 raw bytes
}

func ExampleDefaults() {
	// Settings for the whole API, made once.
	api := compose.Defaults{
		Errors:    apierror.Config{Renderer: apierror.Problem},
		SizeLimit: "100kb",
	}
	h := api.Route(http.NotFoundHandler(), compose.Config{SizeLimit: "1kb"}) // a route can still override
	r := httptest.NewRequest("POST", "/api/small", strings.NewReader(strings.Repeat("x", 2000)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	// Output:
	// 413 application/problem+json {"type":"about:blank","title":"Request Entity Too Large","status":413,"detail":"Body exceeded 1kb limit"}
}

func ExampleConfig_beforeBody() {
	// requireToken refuses requests without the API token, before the body
	// is read: an unauthenticated upload costs the server nothing.
	requireToken := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer secret" {
				apierror.Write(w, r, apierror.Unauthorized("missing token"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	api := compose.Defaults{BeforeBody: []func(http.Handler) http.Handler{requireToken}}
	upload := api.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "stored %d bytes", len(bodyparser.Text(r)))
	}), compose.Config{SizeLimit: "10mb"})
	// The login route opts out of the default authentication.
	login := api.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "welcome")
	}), compose.Config{Override: compose.OverrideBeforeBody})

	for _, c := range []struct {
		h     http.Handler
		token string
	}{{upload, ""}, {upload, "Bearer secret"}, {login, ""}} {
		r := httptest.NewRequest("POST", "/", strings.NewReader("hello"))
		if c.token != "" {
			r.Header.Set("Authorization", c.token)
		}
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, r)
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// 401 {"error":"missing token"}
	// 200 stored 5 bytes
	// 200 welcome
}
