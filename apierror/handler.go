package apierror

import (
	"net/http"

	"github.com/apiroutes/apiroutes/internal/watch"
)

// HandlerFunc is an HTTP handler that can fail. Its ServeHTTP writes the
// returned error with the zero [Config] (see [Config.Write] for the
// mapping), so a conversion is all it takes, as with [http.HandlerFunc]:
//
//	mux.Handle("GET /api/tasks", apierror.HandlerFunc(listTasks))
//
// It does not recover panics: wrap it in [Recover] for that. For another
// renderer, logger or codec, wrap it (or the whole server) in
// [Config.Recover]: the error is then written with that Config.
type HandlerFunc func(http.ResponseWriter, *http.Request) error

// ServeHTTP calls f and writes its error, if any, with [Write].
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ww, st := watch.Wrap(w)
	if err := f(ww, r); err != nil {
		var c Config
		c.write(ww, st, r, err)
	}
}
