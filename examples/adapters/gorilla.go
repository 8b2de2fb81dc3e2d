package adapters

import (
	"net/http"

	"github.com/gorilla/handlers"
	"github.com/gorilla/mux"
)

// Gorilla mounts the API on gorilla/mux behind gorilla's LoggingHandler.
// mux keeps route variables in mux.Vars; a router middleware copies them
// into r.PathValue.
func Gorilla(a *API) http.Handler {
	r := mux.NewRouter()
	r.Use(muxPathValues)
	r.NotFoundHandler = http.HandlerFunc(NotFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(MethodNotAllowed)
	r.Handle("/api/tasks", a.Tasks())
	r.Handle("/api/tasks/{id}", a.TaskByID()).Methods(taskByIDMethods...)
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
