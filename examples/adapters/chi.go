package adapters

import (
	"log"
	"net/http"

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
	r.NotFound(NotFound)
	r.MethodNotAllowed(MethodNotAllowed)
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
