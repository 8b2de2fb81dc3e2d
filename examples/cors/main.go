// Command cors shows, in a real browser, what the cors package allows and
// what it does not. It runs two servers on two origins of the same site:
//
//   - the page origin (-page, default 127.0.0.1:3001) serves one HTML page
//     whose script calls the API on the other origin, one scenario after the
//     other, and prints what the browser let it read;
//   - the API origin (-api, default 127.0.0.1:3002) serves the API, each
//     route wrapped in its own cors.New(...) policy, or in none.
//
// Run it and open the page:
//
//	go run ./examples/cors
//	open http://127.0.0.1:3001/     # log in on the API origin first: the link on the page
//
// The scenarios, and what the page shows for each:
//
//   - GET /api/public: the page origin is allowed; the script reads the JSON.
//   - GET /api/refused: only https://other.example is allowed; fetch rejects.
//     The request is still sent and the handler runs (it is a "simple"
//     request, not preflighted): CORS decides who may read an answer, not who
//     may call the route. That is what authentication and compose's
//     cross-origin protection are for (csrf_browser_test.go).
//   - PUT /api/tasks/1 with a JSON body and an X-Request-Id header: the
//     browser first sends a preflight (OPTIONS), which cors answers (the
//     handler never sees it) because PUT, Content-Type and X-Request-Id are
//     allowed; then the PUT itself, whose answer the script reads.
//   - DELETE /api/readonly, a route that allows only GET: the preflight is
//     refused, fetch rejects, and the DELETE is never sent: the handler never
//     runs. The API logs why at Debug level ("method not allowed").
//   - POST /api/me-creds with credentials: 'include': the route allows
//     credentials for the exact page origin, so the session cookie set by
//     /login travels and the script reads {"session":"abc"}. Without
//     credentials: 'include' the cookie stays home ({"session":""}).
//   - POST /api/me-nocreds, the same route without AllowCredentials: the
//     preflight answer lacks Access-Control-Allow-Credentials, so the browser
//     stops there; the POST carrying the cookie never leaves it.
//   - POST /api/me-otherorigin: credentials are allowed, but for another
//     origin only; the preflight is refused.
//   - GET /api/exposed sets X-Total-Count and X-Internal; only X-Total-Count
//     is in ExposedHeaders, so the script sees "42" for it and null for
//     X-Internal.
//   - GET /api/unwrapped has no CORS at all, like a Next.js API route by
//     default: from the page, fetch rejects; from a page on the API origin
//     itself (/same-origin.html), it reads the answer.
//
// The two origins differ only by port, so they are the same site: the
// SameSite=Lax cookie set by the API's /login goes with the page's fetches
// that ask for credentials, and no third-party-cookie setting is involved.
//
// Every request that reaches the API is recorded, with whether its route
// handler ran; the page shows that list at the end (GET /api/requests), and
// browser_test.go checks it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/apiroutes/apiroutes/cors"
)

// otherOrigin is an origin that is not ours: routes that allow only it
// refuse the page.
const otherOrigin = "https://other.example"

// request is what the API records of each request to /api/.
type request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Origin string `json:"origin,omitempty"`
	// Preflight is the Access-Control-Request-Method of a preflight.
	Preflight string `json:"preflight,omitempty"`
	// Cookie reports whether the session cookie came with the request.
	Cookie bool `json:"cookie"`
	// Handled reports whether the route's handler ran; false when cors
	// answered the request itself (a preflight) or no route matched.
	Handled bool `json:"handled"`
}

// api is the API origin's handler.
type api struct {
	mux *http.ServeMux

	mu       sync.Mutex
	requests []request
}

type requestIndex struct{}

// newAPI returns the API, whose CORS policies allow pageOrigin (like
// "http://127.0.0.1:3001") where a scenario needs it. logger receives the
// reasons of refused preflights at Debug level.
func newAPI(pageOrigin string, logger *slog.Logger) *api {
	a := &api{mux: http.NewServeMux()}
	page := []string{pageOrigin}

	// A route's CORS wraps the whole path, every method, as Next.js API
	// routes receive every method: a preflight is an OPTIONS request, and a
	// mux pattern like "PUT /api/tasks/{id}" would answer it 405 before
	// cors saw it.
	a.route("/api/public", cors.New(cors.Options{AllowedOrigins: page, Logger: logger}),
		methods{"GET": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"message": "hello from the API origin"})
		}})

	a.route("/api/refused", cors.New(cors.Options{AllowedOrigins: []string{otherOrigin}, Logger: logger}),
		methods{"GET": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"message": "only other.example may read this"})
		}})

	a.route("/api/tasks/{id}", cors.New(cors.Options{
		AllowedOrigins: page,
		AllowedMethods: []string{"GET", "PUT"},
		AllowedHeaders: []string{"Content-Type", "X-Request-Id"},
		Logger:         logger,
	}), methods{"PUT": func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Title string `json:"title"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid JSON"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{
			"id": r.PathValue("id"), "title": in.Title, "requestId": r.Header.Get("X-Request-Id"),
		})
	}})

	a.route("/api/readonly", cors.New(cors.Options{
		AllowedOrigins: page,
		AllowedMethods: []string{"GET"},
		Logger:         logger,
	}), methods{
		"GET": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string][]string{"items": {"a", "b"}})
		},
		// Reachable from curl, never from the page: the browser's preflight
		// is refused, so it never sends the DELETE.
		"DELETE": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"deleted": "everything"})
		},
	})

	me := methods{"POST": func(w http.ResponseWriter, r *http.Request) {
		session := ""
		if c, err := r.Cookie("session"); err == nil {
			session = c.Value
		}
		writeJSON(w, http.StatusOK, map[string]string{"session": session})
	}}
	a.route("/api/me-creds", cors.New(cors.Options{
		AllowedOrigins:   page,
		AllowedMethods:   []string{"POST"},
		AllowCredentials: true,
		Logger:           logger,
	}), me)
	a.route("/api/me-nocreds", cors.New(cors.Options{
		AllowedOrigins: page,
		AllowedMethods: []string{"POST"},
		Logger:         logger,
	}), me)
	a.route("/api/me-otherorigin", cors.New(cors.Options{
		AllowedOrigins:   []string{otherOrigin},
		AllowedMethods:   []string{"POST"},
		AllowCredentials: true,
		Logger:           logger,
	}), me)

	a.route("/api/exposed", cors.New(cors.Options{
		AllowedOrigins: page,
		ExposedHeaders: []string{"X-Total-Count"},
		Logger:         logger,
	}), methods{"GET": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Total-Count", "42")
		w.Header().Set("X-Internal", "secret")
		writeJSON(w, http.StatusOK, []string{"first", "second"})
	}})

	// No cors: same-origin only, like a Next.js API route by default.
	a.route("/api/unwrapped", nil, methods{"GET": func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"message": "same origin only"})
	}})

	// What the API saw, for the page to show. Not recorded itself.
	a.mux.Handle("/api/requests", cors.New(cors.Options{AllowedOrigins: page, Logger: logger})(
		methods{"GET": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, a.seen())
		}}))

	// Navigated to, not fetched: sets the cookie the credentials scenarios
	// are about, then links back to the page.
	a.mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{
			Name: "session", Value: "abc", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = loginPage.Execute(w, pageOrigin)
	})
	a.mux.Handle("GET /same-origin.html", pageHandler(pageData{SameOrigin: true, Scenarios: scenariosFor("api")}))
	a.mux.HandleFunc("GET /favicon.ico", noFavicon)
	return a
}

// route registers h for every method of pattern, wrapped in c (nil: no
// CORS), and marks the request as handled when h runs.
func (a *api) route(pattern string, c func(http.Handler) http.Handler, h http.Handler) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i, ok := r.Context().Value(requestIndex{}).(int); ok {
			a.mu.Lock()
			a.requests[i].Handled = true
			a.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
	if c == nil {
		a.mux.Handle(pattern, inner)
		return
	}
	a.mux.Handle(pattern, c(inner))
}

// ServeHTTP records each request to /api/ before serving it.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/requests" {
		_, err := r.Cookie("session")
		rec := request{Method: r.Method, Path: r.URL.Path, Origin: r.Header.Get("Origin"), Cookie: err == nil}
		if r.Method == http.MethodOptions {
			rec.Preflight = r.Header.Get("Access-Control-Request-Method")
		}
		a.mu.Lock()
		a.requests = append(a.requests, rec)
		i := len(a.requests) - 1
		a.mu.Unlock()
		r = r.WithContext(context.WithValue(r.Context(), requestIndex{}, i))
	}
	a.mux.ServeHTTP(w, r)
}

// seen returns a copy of the requests recorded so far.
func (a *api) seen() []request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]request{}, a.requests...)
}

// methods dispatches on the request method, like the exported functions of
// a Next.js route handler; other methods get 405 with Allow.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	var allow []string
	for k := range m {
		allow = append(allow, k)
	}
	slices.Sort(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "Method Not Allowed"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fetchInit is the second argument of fetch().
type fetchInit struct {
	Method      string            `json:"method,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Body        string            `json:"body,omitempty"`
	Credentials string            `json:"credentials,omitempty"`
}

// scenario is one fetch the page's script makes.
type scenario struct {
	Name  string    `json:"name"`
	About string    `json:"about"`
	Where string    `json:"where"` // "page": from the page origin; "api": from /same-origin.html on the API origin
	Path  string    `json:"path"`
	Init  fetchInit `json:"init"`
	// Read lists the response headers the script tries to read.
	Read []string `json:"read,omitempty"`
	// Expect is "reads" (fetch resolves) or "rejects" (fetch rejects with
	// a TypeError: the browser hides the answer).
	Expect string `json:"expect"`
	// Body, if set, is the body the script should read.
	Body string `json:"body,omitempty"`
	// Hint is shown when the scenario does not go as expected.
	Hint string `json:"hint,omitempty"`
}

var scenarios = []scenario{
	{Name: "public", Where: "page", Path: "/api/public", Expect: "reads",
		About: "GET a route that allows the page origin."},
	{Name: "refused", Where: "page", Path: "/api/refused", Expect: "rejects",
		About: "GET a route that allows only " + otherOrigin + ". The GET is sent and handled; the browser hides the answer."},
	{Name: "put-preflighted", Where: "page", Path: "/api/tasks/1", Expect: "reads",
		Init:  fetchInit{Method: "PUT", Headers: map[string]string{"Content-Type": "application/json", "X-Request-Id": "req-1"}, Body: `{"title":"write docs"}`},
		About: "PUT with a JSON body and X-Request-Id: preflighted, allowed, then sent."},
	{Name: "delete-refused", Where: "page", Path: "/api/readonly", Expect: "rejects",
		Init:  fetchInit{Method: "DELETE"},
		About: "DELETE on a GET-only route: the preflight is refused, the DELETE never sent."},
	{Name: "credentials", Where: "page", Path: "/api/me-creds", Expect: "reads", Body: `{"session":"abc"}`,
		Hint:  "no cookie: log in on the API origin first",
		Init:  fetchInit{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}", Credentials: "include"},
		About: "POST with credentials: 'include' to a route with AllowCredentials for this origin: the cookie travels."},
	{Name: "credentials-not-asked", Where: "page", Path: "/api/me-creds", Expect: "reads", Body: `{"session":""}`,
		Init:  fetchInit{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}"},
		About: "The same POST without credentials: 'include': the cookie stays home."},
	{Name: "credentials-not-allowed", Where: "page", Path: "/api/me-nocreds", Expect: "rejects",
		Init:  fetchInit{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}", Credentials: "include"},
		About: "POST with credentials: 'include' to a route without AllowCredentials: the preflight fails, no POST."},
	{Name: "credentials-other-origin", Where: "page", Path: "/api/me-otherorigin", Expect: "rejects",
		Init:  fetchInit{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}", Credentials: "include"},
		About: "POST with credentials: 'include' to a route that allows credentials for " + otherOrigin + " only."},
	{Name: "exposed-headers", Where: "page", Path: "/api/exposed", Expect: "reads", Read: []string{"X-Total-Count", "X-Internal"},
		About: "Only headers in ExposedHeaders (and the safelisted ones) are readable."},
	{Name: "unwrapped", Where: "page", Path: "/api/unwrapped", Expect: "rejects",
		About: "A route without cors: same-origin only, like Next.js."},
	{Name: "unwrapped-same-origin", Where: "api", Path: "/api/unwrapped", Expect: "reads",
		About: "The same route, fetched from a page on the API origin."},
}

func scenariosFor(where string) []scenario {
	var out []scenario
	for _, s := range scenarios {
		if s.Where == where {
			out = append(out, s)
		}
	}
	return out
}

// pageData fills pageTemplate.
type pageData struct {
	API        string // the API origin, "" on the API origin itself
	SameOrigin bool
	Scenarios  []scenario
}

// newPage returns the page origin's handler: the demo page at /, which
// calls the API on apiOrigin (like "http://127.0.0.1:3002").
func newPage(apiOrigin string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", pageHandler(pageData{API: apiOrigin, Scenarios: scenariosFor("page")}))
	mux.HandleFunc("GET /favicon.ico", noFavicon)
	return mux
}

func pageHandler(d pageData) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := pageTemplate.Execute(w, d); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

// noFavicon answers browsers' favicon requests, which would otherwise log
// 404s in the console.
func noFavicon(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Logged in</title>
<p>The API origin set the cookie <code>session=abc</code> (HttpOnly, SameSite=Lax).
<p><a href="{{.}}/">Back to the page</a>
</html>
`))

// pageTemplate is the demo page. Its script defines runScenario(name),
// which browser_test.go calls too, and runs every scenario on load unless
// the URL ends with #manual.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>apiroutes: CORS in a browser</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; max-width: 80em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }
code, pre { font: 12px ui-monospace, monospace; }
.pass { color: #070; } .fail { color: #b00; font-weight: bold; }
</style>
</head>
<body>
{{if .SameOrigin}}
<h1>Same-origin page on the API origin</h1>
<p>This page is served by the API itself, so its script may read routes that have no CORS at all.</p>
{{else}}
<h1>CORS with apiroutes</h1>
<p>This page is on <code id="origin"></code>; the API is on <code>{{.API}}</code>: another origin of the same site.</p>
<ol>
<li><a href="{{.API}}/login">Log in on the API origin</a> first: it sets the cookie the credentials scenarios use.</li>
<li><a href="{{.API}}/same-origin.html">A page on the API origin</a> calls the route without CORS.</li>
</ol>
{{end}}
<p><button id="run">Run the scenarios again</button></p>
<table>
<thead><tr><th>Scenario</th><th>What the script does</th><th>Expected</th><th>What the browser let the script see</th><th></th></tr></thead>
<tbody id="results"></tbody>
</table>
<h2>What the API saw</h2>
<p>Every request that reached the API; <code>handled: false</code> means cors answered it (a preflight) and the route's handler never ran.</p>
<pre id="seen"></pre>
<script>
"use strict";
const API = {{.API}};
const SCENARIOS = {{.Scenarios}};

// runScenario performs one scenario's fetch and returns what the script
// could see: {ok, status, body, error, header}.
async function runScenario(name) {
  const s = SCENARIOS.find(s => s.name === name);
  if (!s) throw new Error("no scenario " + name + " on this page");
  const r = {ok: false, status: 0, body: null, error: null, header: null};
  try {
    const res = await fetch(API + s.path, s.init);
    r.ok = res.ok;
    r.status = res.status;
    r.body = await res.text();
    if (s.read) {
      r.header = {};
      for (const h of s.read) r.header[h] = res.headers.get(h);
    }
  } catch (e) {
    r.error = String(e);
  }
  return r;
}

function cell(tr, text, cls) {
  const td = tr.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
}

async function runAll() {
  const tbody = document.getElementById("results");
  tbody.textContent = "";
  for (const s of SCENARIOS) {
    const r = await runScenario(s.name);
    const got = r.error === null ? "reads" : "rejects";
    const pass = got === s.expect && (!s.body || r.body === s.body);
    const tr = tbody.insertRow();
    cell(tr, s.name);
    cell(tr, (s.init.method || "GET") + " " + s.path + ": " + s.about);
    cell(tr, s.expect + (s.body ? " " + s.body : ""));
    cell(tr, r.error !== null ? "rejected: " + r.error
      : r.status + " " + r.body + (r.header ? "  headers: " + JSON.stringify(r.header) : ""));
    cell(tr, pass ? "as expected" : "NOT as expected" + (s.hint ? " (" + s.hint + ")" : ""), pass ? "pass" : "fail");
  }
  try {
    const res = await fetch(API + "/api/requests");
    const seen = await res.json();
    document.getElementById("seen").textContent = seen.map(q =>
      q.method + " " + q.path + (q.preflight ? " (preflight for " + q.preflight + ")" : "") +
      "  cookie: " + q.cookie + "  handled: " + q.handled).join("\n");
  } catch (e) {
    document.getElementById("seen").textContent = String(e);
  }
}

const here = document.getElementById("origin");
if (here) here.textContent = location.origin;
document.getElementById("run").addEventListener("click", runAll);
if (location.hash !== "#manual") runAll();
</script>
</body>
</html>
`))

func main() {
	pageAddr := flag.String("page", "127.0.0.1:3001", "address of the page origin")
	apiAddr := flag.String("api", "127.0.0.1:3002", "address of the API origin")
	flag.Parse()
	// Debug, so that each refused preflight is logged with its reason.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))

	pageLn, err := net.Listen("tcp", *pageAddr)
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	apiLn, err := net.Listen("tcp", *apiAddr)
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	pageOrigin, apiOrigin := "http://"+pageLn.Addr().String(), "http://"+apiLn.Addr().String()
	servers := []*http.Server{newServer(newPage(apiOrigin)), newServer(newAPI(pageOrigin, logger))}
	fmt.Printf("page on %s/ calls the API on %s (log in first: %s/login)\n", pageOrigin, apiOrigin, apiOrigin)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errs := make(chan error, 2)
	for i, ln := range []net.Listener{pageLn, apiLn} {
		go func() { errs <- servers[i].Serve(ln) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errs:
		logger.Error("serve", "error", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("shutdown", "error", err)
		}
	}
}

func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10, // Node allows 16 KiB; net/http's default is 1 MiB
	}
}
