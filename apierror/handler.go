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
// It does not recover panics: wrap it in [Recover] for that. Use
// [Config.Handler] for another renderer or logger.
type HandlerFunc func(http.ResponseWriter, *http.Request) error

// ServeHTTP calls f and writes its error, if any, with [Write].
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ww, st := watch.Wrap(w)
	if err := f(ww, r); err != nil {
		var c Config
		c.write(ww, st, r, err)
	}
}

// Handler adapts fn to an [http.Handler] that writes fn's error with c.
// A non-zero c also applies to every layer inside fn that writes errors
// with a zero Config.
func (c Config) Handler(fn HandlerFunc) http.Handler {
	if c.isZero() {
		return fn
	}
	return &handler{fn: fn, cfg: c}
}

type handler struct {
	fn  HandlerFunc
	cfg Config
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ww, st := watch.Wrap(w)
	prev := h.cfg.enter(st)
	defer func() { st.Errors = prev }()
	if err := h.fn(ww, r); err != nil {
		h.cfg.write(ww, st, r, err)
	}
}
