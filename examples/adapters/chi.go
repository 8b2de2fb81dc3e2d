package adapters

import (
	"log"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Chi mounts the API on a chi router (which sets r.PathValue itself) behind
// chi's own middleware.Logger. /api/tasks also gets chi's RequestSize
// after the body parser, which replaces r.Body: bodyparser still finds the
// parsed body (through r.GetBody).
func Chi(a *API) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestLogger(&middleware.DefaultLogFormatter{Logger: log.New(a.AccessLog, "", 0), NoColor: true}))
	r.NotFound(notFound.ServeHTTP)
	r.MethodNotAllowed(chiAllow(r, methodNotAllowed))
	r.Handle("/api/tasks", a.Tasks(middleware.RequestSize(1<<20)))
	task := a.TaskByID()
	for _, m := range taskByIDMethods {
		r.Method(m, "/api/tasks/{id}", task)
	}
	for path, h := range a.Routes() {
		r.Handle(path, h)
	}
	return a.Server(r)
}

// chiAllow sets the Allow header of chi's 405 before next renders it: chi
// v5 sets Allow only in its default 405 handler, not before a custom one.
// The methods are those routes matches at the request's path.
func chiAllow(routes chi.Routes, next http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.RawPath // what chi routes on
		if path == "" {
			path = r.URL.Path
		}
		var allow []string
		for _, m := range standardMethods {
			if routes.Match(chi.NewRouteContext(), m, path) {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		next.ServeHTTP(w, r)
	}
}
