package adapters

import (
	"net/http"

	"github.com/apiroutes/apiroutes/apierror"
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

// bridgeServeMux answers ServeMux's own 404 and 405 with apierror. ServeMux
// writes them as plain text, so they are caught before a byte is sent: the
// handler ServeMux chose is run against a writer that keeps only its
// status (and its headers: Allow stays).
func bridgeServeMux(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		sw := &statusOnly{w: w}
		h.ServeHTTP(sw, r)
		switch sw.code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			w.Header().Del("X-Content-Type-Options")
			apierror.Write(w, r, apierror.New(sw.code, ""))
		default: // a redirect to the clean path: Location is set
			w.WriteHeader(sw.code)
		}
	})
}

// statusOnly keeps a handler's status and drops its body.
type statusOnly struct {
	w    http.ResponseWriter
	code int
}

func (s *statusOnly) Header() http.Header { return s.w.Header() }
func (s *statusOnly) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
}
func (s *statusOnly) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(p), nil
}
