package apierror

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/apiroutes/apiroutes/internal/watch"
)

// Recover is a middleware that turns a panic in next into a 500 "Internal
// Server Error" response, rendered with the zero [Config]. See
// [Config.Recover].
func Recover(next http.Handler) http.Handler {
	var c Config
	return c.Recover(next)
}

// Recover is a middleware that turns a panic in next into a 500 "Internal
// Server Error" response rendered with c, and logs the panic value and the
// stack at Error level. The panic value is never sent, nor the headers the
// handler had set (see [Config.Write]).
//
// [http.ErrAbortHandler] is panicked again, as net/http expects. A panic
// after the response has started is logged and aborts the response with
// [http.ErrAbortHandler], so the client sees a broken connection rather
// than a truncated body that looks complete.
//
// A non-zero c also applies to every layer inside next that writes errors
// with a zero Config.
func (c Config) Recover(next http.Handler) http.Handler {
	return &recoverer{next: next, cfg: c}
}

type recoverer struct {
	next http.Handler
	cfg  Config
}

func (h *recoverer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ww, st := watch.Wrap(w)
	prev := h.cfg.enter(st)
	defer func() {
		v := recover()
		st.Errors = prev
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		eff := h.cfg.effective(st)
		err, ok := v.(error)
		if !ok {
			err = fmt.Errorf("%v", v)
		}
		logAt(r.Context(), eff.Logger, slog.LevelError, "apierror: panic recovered", r, http.StatusInternalServerError,
			err, slog.String("stack", string(debug.Stack())))
		if st.Started() {
			panic(http.ErrAbortHandler)
		}
		st.ResetHeader() // the 500 replaces the handler's response, and its headers
		eff.render(ww, st, r, errInternal)
	}()
	h.next.ServeHTTP(ww, r)
}
