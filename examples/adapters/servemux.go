package adapters

import (
	"net/http"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/route"
)

// ServeMux mounts the API on net/http's ServeMux, which sets r.PathValue
// itself, behind an access logger built on httpsnoop (the wrapper many Go
// metrics and logging middlewares are built on).
func ServeMux(a *API) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/tasks", a.Tasks())
	task := a.TaskByID()
	for _, m := range taskByIDMethods {
		mux.Handle(m+" /api/tasks/{id}", task)
	}
	for path, h := range a.Routes() {
		mux.Handle(path, h)
	}
	return a.Server(accessLog(a, bridgeServeMux(mux)))
}

// bridgeServeMux answers ServeMux's own 404 and 405 in apiroutes' error
// format, with route's handlers. README.md shows it as a recipe; keep the
// two the same (TestReadmeRecipesAreTheTestedCode).
func bridgeServeMux(mux *http.ServeMux) http.Handler {
	notFound, methodNotAllowed := route.ErrorHandlers(apierror.Config{}) // the enclosing Recover's renderer
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" { // a route: ServeHTTP, which also sets r.PathValue
			mux.ServeHTTP(w, r)
			return
		}
		sw := &statusOnly{ResponseWriter: w} // ServeMux writes plain text: keep its status and headers (Allow) only
		h.ServeHTTP(sw, r)
		switch sw.code {
		case http.StatusNotFound:
			notFound.ServeHTTP(w, r)
		case http.StatusMethodNotAllowed:
			methodNotAllowed.ServeHTTP(w, r)
		default: // a redirect to the clean path: Location is set
			w.WriteHeader(sw.code)
		}
	})
}

// statusOnly keeps a handler's status and headers and drops its body.
type statusOnly struct {
	http.ResponseWriter
	code int
}

func (s *statusOnly) WriteHeader(code int)        { s.code = code }
func (s *statusOnly) Write(p []byte) (int, error) { return len(p), nil }
