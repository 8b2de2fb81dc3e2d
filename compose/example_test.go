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
	"github.com/apiroutes/apiroutes/cors"
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
	// The base of every route: the packages' own configs, nested.
	api := compose.Config{Body: bodyparser.Config{SizeLimit: "10kb"}}
	// export const config = { api: { bodyParser: false } }
	hook := api
	hook.Body.Raw = true

	mux := route.NewMux()
	mux.Handle("/api/tasks", compose.Route(route.Methods{
		http.MethodPost: apierror.HandlerFunc(createTask),
	}, api))
	mux.Handle("/api/webhooks/github", compose.RouteFunc(githubHook, hook))

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

func ExampleConfig() {
	// Settings for the whole API, made once.
	api := compose.Config{
		Errors: apierror.Config{Renderer: apierror.RenderProblem},
		Body:   bodyparser.Config{SizeLimit: "100kb"},
	}
	small := api // a route's config: the base, copied and changed
	small.Body.SizeLimit = "1kb"
	h := compose.Route(http.NotFoundHandler(), small)
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
	api := compose.Config{BeforeBody: []func(http.Handler) http.Handler{requireToken}}
	uploads := api
	uploads.Body.SizeLimit = "10mb"
	upload := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "stored %d bytes", len(bodyparser.Text(r)))
	}), uploads)
	// The login route has no user yet: no authentication.
	public := api
	public.BeforeBody = nil
	login := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "welcome")
	}), public)

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

func ExampleConfig_methods() {
	var authenticated int
	countAuth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			authenticated++
			next.ServeHTTP(w, r)
		})
	}
	// Route fills Methods from the route.Methods: a method the route does
	// not serve is answered before authentication and the body parser.
	h := compose.Route(route.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "tasks") }),
	}, compose.Config{BeforeBody: []func(http.Handler) http.Handler{countAuth}})
	for _, method := range []string{"GET", "POST", "OPTIONS"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/api/tasks", strings.NewReader("{}")))
		fmt.Printf("%s %d %q %q\n", method, rec.Code, rec.Header().Get("Allow"), rec.Body)
	}
	fmt.Println("authenticated", authenticated, "time(s)")
	// Output:
	// GET 200 "" "tasks"
	// POST 405 "GET, HEAD, OPTIONS" "{\"error\":\"Method Not Allowed\"}"
	// OPTIONS 204 "GET, HEAD, OPTIONS" ""
	// authenticated 1 time(s)
}

func ExampleConfig_crossOrigin() {
	// Every route refuses the writes a browser sends from another site,
	// except from the origins its CORS policy names.
	api := compose.Config{CORS: &cors.Options{AllowedOrigins: []string{"https://app.example.com"}}}
	tasks := compose.RouteFunc(createTask, api)
	// A form that other sites post to on purpose opts out in its config.
	embed := api
	embed.DisableCrossOriginProtection = true
	signup := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "subscribed")
	}), embed)

	for _, c := range []struct {
		name       string
		h          http.Handler
		site, from string // Sec-Fetch-Site and Origin, as a browser sends them
	}{
		{"a page on another site", tasks, "cross-site", "https://evil.example"},
		{"the app CORS allows", tasks, "cross-site", "https://app.example.com"},
		{"the API's own page", tasks, "same-origin", "https://api.example.com"},
		{"curl (no browser headers)", tasks, "", ""},
		{"a blog's embedded form", signup, "cross-site", "https://blog.example"},
	} {
		r := httptest.NewRequest("POST", "https://api.example.com/api/tasks", strings.NewReader(`{"title":"x"}`))
		r.Header.Set("Content-Type", "application/json")
		if c.site != "" {
			r.Header.Set("Sec-Fetch-Site", c.site)
			r.Header.Set("Origin", c.from)
		}
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, r)
		fmt.Println(c.name+":", rec.Code, rec.Body)
	}
	// Output:
	// a page on another site: 403 {"error":"Cross-origin request refused: the browser sent it from an origin this route does not trust"}
	// the app CORS allows: 201 {"title":"x"}
	// the API's own page: 201 {"title":"x"}
	// curl (no browser headers): 201 {"title":"x"}
	// a blog's embedded form: 200 subscribed
}
