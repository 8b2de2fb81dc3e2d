// Package adapters mounts one set of apiroutes handlers under net/http's
// ServeMux, chi, echo v4, gin and gorilla/mux, with each router's own
// access logger in front, and shows the few lines each router needs:
//
//   - route parameters copied into r.PathValue, so the handlers read
//     r.PathValue("id") whatever the router (chi and ServeMux set it
//     themselves);
//   - the router's own 404 and 405 answered by route.ErrorHandlers, in the
//     renderer of the server (problem+json here), the 405 with an Allow
//     header under every router (chi and gorilla/mux leave it out; chiAllow
//     and gorillaAllow compute it);
//   - a route of one method mounted for OPTIONS too, so that the chain's
//     CORS layer answers a browser's preflight;
//   - for echo, an HTTPErrorHandler that keeps the status of echo's
//     HTTPError ([EchoErrorHandler]) and a middleware that renders a
//     returned error inside the apiroutes chain ([EchoErrorsInside]), so
//     that the chain sees the answer and does not warn that none was sent.
//
// The tests (adapters_test.go) serve each router on loopback and check the
// same behaviour through all of them; README.md walks through the seams.
package adapters

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/felixge/httpsnoop"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/responselimit"
	"github.com/apiroutes/apiroutes/route"
)

// API holds the handlers every router mounts, and what they log to.
type API struct {
	// Logger receives apiroutes' warnings and the causes of 5xx answers.
	Logger *slog.Logger
	// AccessLog receives each router's own access log lines (chi's
	// middleware.Logger, echo's Logger, gin's Logger, gorilla's
	// LoggingHandler), which wrap the response writer: the foreign wrapper
	// between the server's apierror layer and the route's chain.
	AccessLog io.Writer
	// Origin is the browser origin allowed by CORS.
	Origin string

	base compose.Config
}

// Task is what POST /api/tasks accepts and answers.
type Task struct {
	ID    string `json:"id,omitempty"`
	Title string `json:"title"`
}

// New returns the API, its compose config built once.
func New(logger *slog.Logger, accessLog io.Writer, origin string) *API {
	a := &API{Logger: logger, AccessLog: accessLog, Origin: origin}
	a.base = compose.Config{
		// Errors has no Renderer: every error inherits the renderer of the
		// server's apierror layer (Server), through the routers' wrappers.
		Errors:   apierror.Config{Logger: logger},
		Body:     bodyparser.Config{SizeLimit: "1kb"},
		Response: responselimit.Config{Limit: "1kb"},
		CORS: &cors.Options{
			AllowedOrigins: []string{origin},
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Content-Type"},
		},
		// A foreign wrapper between two apiroutes layers (here, between
		// responselimit and bodyparser): httpsnoop, as many metrics
		// middlewares use. The layers still share one response watcher.
		BeforeBody: []func(http.Handler) http.Handler{snoop},
	}
	return a
}

// Server wraps a router with the server-wide apierror layer: panics become
// 500s and every error answer, the routers' 404 and 405 included, is
// problem+json.
func (a *API) Server(router http.Handler) http.Handler {
	return apierror.Config{Renderer: apierror.RenderProblem, Logger: a.Logger}.Recover(router)
}

// snoop is a middleware built on httpsnoop that counts what the handler
// writes, as a metrics middleware would.
func snoop(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := httpsnoop.CaptureMetrics(next, w, r)
		_ = m // a metrics middleware would export m.Code, m.Written and m.Duration here
	})
}

// Chain is the compose chain of every route, with extra middleware
// appended after the body parser.
func (a *API) Chain(after ...func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	ch := compose.Chain(a.base)
	for _, mw := range after {
		ch = ch.Append(mw)
	}
	return ch.Then
}

// Tasks serves /api/tasks, every method: POST creates, GET lists; others
// get apiroutes' 405 with Allow. CORS preflights are answered by the
// chain, so the router must send OPTIONS here too.
func (a *API) Tasks(after ...func(http.Handler) http.Handler) http.Handler {
	return a.Chain(after...)(route.Methods{
		http.MethodGet:  apierror.HandlerFunc(listTasks),
		http.MethodPost: apierror.HandlerFunc(createTask),
	})
}

// TaskByID serves GET /api/tasks/{id}. Each router mounts it for
// taskByIDMethods only, so that a DELETE gets the router's own 405
// (rendered by apierror); OPTIONS is among them because a browser's
// preflight is answered by the chain's CORS layer, and a plain OPTIONS by
// route.Methods (204 with Allow), as is HEAD (from GET).
func (a *API) TaskByID() http.Handler {
	return a.Chain()(route.Methods{http.MethodGet: apierror.HandlerFunc(getTask)})
}

// taskByIDMethods are the methods the routers send to TaskByID.
var taskByIDMethods = []string{http.MethodGet, http.MethodHead, http.MethodOptions}

// Routes are the other paths, each behind the chain, for every method.
func (a *API) Routes() map[string]http.Handler {
	ch := a.Chain()
	return map[string]http.Handler{
		"/api/silent": ch(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})), // answers nothing: a true warning
		"/api/big": ch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(strings.Repeat("x", 2048))) // over the 1kb response limit: a warning
		})),
		"/api/noop": ch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent) // an answer without a body: no warning
		})),
		"/api/late": ch(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, "partial")
			return fmt.Errorf("failed after the response started")
		})),
		"/api/panic":  ch(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })),
		"/api/events": ch(apierror.HandlerFunc(events)),
	}
}

func createTask(w http.ResponseWriter, r *http.Request) error {
	in, err := bodyparser.Decode[Task](r, bodyparser.DisallowUnknownFields)
	if err != nil {
		return err // 400 naming the field, 415 for another content type
	}
	if in.Title == "" {
		return apierror.BadRequest("title is required")
	}
	in.ID = "1"
	return respond.JSON(w, r, http.StatusCreated, in)
}

func listTasks(w http.ResponseWriter, r *http.Request) error {
	return respond.JSON(w, r, http.StatusOK, []Task{{ID: "1", Title: "write docs"}})
}

func getTask(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id") // set by every router, through the bridges
	if id == "" {
		return fmt.Errorf("the router did not set the id path value")
	}
	if id == "0" {
		return apierror.NotFound("task " + id + " not found")
	}
	return respond.JSON(w, r, http.StatusOK, Task{ID: id, Title: "write docs"})
}

// events sends one server-sent event, flushed, then holds the stream open
// until the client goes: a client that reads the event has proved the
// flush went through the router and every wrapper.
func events(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.WriteString(w, "data: hello\n\n"); err != nil {
		return err
	}
	if err := http.NewResponseController(w).Flush(); err != nil {
		return err
	}
	<-r.Context().Done()
	return nil
}

// notFound and methodNotAllowed answer a router's own 404 and 405 as
// route.Mux does, in the renderer of the enclosing apierror layer (the zero
// Config). methodNotAllowed keeps the Allow header the router set: ServeMux,
// gin and echo set one; for chi and gorilla/mux, chiAllow and gorillaAllow
// compute it.
var notFound, methodNotAllowed = route.ErrorHandlers(apierror.Config{})

// standardMethods are the methods a computed Allow header may list, in the
// order route.Methods lists them.
var standardMethods = []string{
	http.MethodConnect, http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodOptions,
	http.MethodPatch, http.MethodPost, http.MethodPut, http.MethodTrace,
}
