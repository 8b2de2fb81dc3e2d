package adapters

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/handlers"
	"github.com/gorilla/mux"
)

// Gorilla mounts the API on gorilla/mux behind gorilla's LoggingHandler.
// mux keeps route variables in mux.Vars; a router middleware copies them
// into r.PathValue.
func Gorilla(a *API) http.Handler {
	r := mux.NewRouter()
	r.Use(muxPathValues)
	r.NotFoundHandler = notFound
	r.MethodNotAllowedHandler = gorillaAllow(r, methodNotAllowed)
	r.Handle("/api/tasks", a.Tasks())
	// Methods upper-cases the slice it is given in place: give it a copy.
	r.Handle("/api/tasks/{id}", a.TaskByID()).Methods(slices.Clone(taskByIDMethods)...)
	for path, h := range a.Routes() {
		r.Handle(path, h)
	}
	return a.Server(handlers.LoggingHandler(a.AccessLog, r))
}

// muxPathValues copies gorilla/mux's route variables into r.PathValue.
func muxPathValues(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range mux.Vars(r) {
			r.SetPathValue(k, v)
		}
		next.ServeHTTP(w, r)
	})
}

// gorillaAllow sets the Allow header of gorilla/mux's 405, which sets none,
// before next renders it: the methods router matches at the request's path.
func gorillaAllow(router *mux.Router, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		probe := r.Clone(r.Context())
		for _, m := range standardMethods {
			probe.Method = m
			var match mux.RouteMatch // a refused method still matches, with MatchErr set
			if router.Match(probe, &match) && match.MatchErr == nil {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		next.ServeHTTP(w, r)
	})
}
