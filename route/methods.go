package route

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/watch"
)

// Methods is an App Router route handler: one handler per method, like the
// GET, POST, ... functions a route.ts exports.
//
//	mux.Handle("/api/tasks", route.Methods{
//		http.MethodGet:  apierror.HandlerFunc(listTasks),
//		http.MethodPost: apierror.HandlerFunc(createTask),
//	})
//
// HEAD is served by GET when it has no handler of its own; OPTIONS, when it
// has none, is answered 204 with Allow, listing the methods as Next does
// ("GET, HEAD, OPTIONS, POST"); any other method 405 with the same Allow
// and a JSON "Method Not Allowed". A handler that returns without writing
// a response is answered 500 and logged, as Next answers a route handler
// that returns no Response (the pages router only warns). Keys are methods
// as sent, upper-case: [Mux.Handle] and compose check them at start-up.
type Methods map[string]http.Handler

// ServeHTTP dispatches on r.Method.
func (m Methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := m[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = m[http.MethodGet]
	}
	if ok {
		serveAnswered(h, w, r)
		return
	}
	notAllowed(w, r, m.Allow(), apierror.Config{})
}

// answered is h as a route handler: see [serveAnswered].
func answered(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serveAnswered(h, w, r) })
}

// serveAnswered runs h, and answers 500 with Next's log line when it
// returns without having written a response: Next does so for a route
// handler that returns no Response, where the pages router only warns.
// Under a chain of this module the check reuses its response watcher;
// alone it costs one allocation.
func serveAnswered(h http.Handler, w http.ResponseWriter, r *http.Request) {
	ww, st := watch.Wrap(w)
	h.ServeHTTP(ww, r)
	if st.Started() {
		return
	}
	path := r.URL.Path
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
		path = r.Pattern[i:]
	}
	apierror.Write(ww, r, apierror.Wrap(noResponse{path, r.Method, r.URL.Path}, http.StatusInternalServerError, ""))
}

// noResponse is the cause logged for a route handler that wrote nothing,
// in Next's words.
type noResponse struct{ route, method, url string }

func (e noResponse) Error() string {
	return "No response is returned from route handler '" + e.route + "'. Expected a Response object but received 'undefined' (method: " +
		e.method + ", url: " + e.url + "). Ensure you return a `Response` or a `NextResponse` in all branches of your handler."
}

var errMethodNotAllowed = apierror.New(http.StatusMethodNotAllowed, "")

// notAllowed answers a method a route does not serve: 204 with Allow for
// OPTIONS, else 405 with Allow, rendered by c.
func notAllowed(w http.ResponseWriter, r *http.Request, allow string, c apierror.Config) {
	w.Header().Set("Allow", allow)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	c.Write(w, r, errMethodNotAllowed)
}

// Allow returns the Allow header value for m: its methods, HEAD when it
// serves GET, and OPTIONS, sorted (ASCII) and joined with ", ".
func (m Methods) Allow() string {
	list := append(slices.Collect(maps.Keys(m)), http.MethodOptions)
	if _, ok := m[http.MethodGet]; ok {
		list = append(list, http.MethodHead)
	}
	slices.Sort(list)
	return strings.Join(slices.Compact(list), ", ")
}

// Validate reports a key that is not an upper-case method, or a nil
// handler.
func (m Methods) Validate() error {
	if len(m) == 0 {
		return fmt.Errorf("route: Methods is empty")
	}
	for k, h := range m {
		if !isMethod(k) {
			return fmt.Errorf("route: Methods key %q: methods are case-sensitive; write %q (Next: Detected lowercase method)", k, strings.ToUpper(k))
		}
		if h == nil {
			return fmt.Errorf("route: Methods[%q] is nil", k)
		}
	}
	return nil
}
