package route

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
)

// Methods is an App Router route handler: one handler per method, like the
// GET, POST, ... functions a route.ts exports.
//
//	mux.Handle("/api/tasks", route.Methods{
//		http.MethodGet:  apierror.HandlerFunc(listTasks),
//		http.MethodPost: apierror.HandlerFunc(createTask),
//	})
//
// HEAD is served by the GET handler when it has none of its own (net/http
// drops the body); OPTIONS, when it has none, is answered 204 with an Allow
// header that lists the methods, sorted and joined with ", " as Next does
// ("GET, HEAD, OPTIONS, POST"); any other method is answered 405 with the
// same Allow header (Next sends none; RFC 9110 requires it) and a JSON
// "Method Not Allowed" rendered by apierror. Keys are methods as sent, so
// they must be upper-case: [Mux.Handle] and compose check them at start-up.
type Methods map[string]http.Handler

// ServeHTTP dispatches on r.Method.
func (m Methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodHead {
		if h, ok := m[http.MethodGet]; ok {
			h.ServeHTTP(w, r)
			return
		}
	}
	allow := m.Allow()
	w.Header().Set("Allow", allow)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	apierror.Write(w, r, errMethodNotAllowed)
}

var errMethodNotAllowed = apierror.New(http.StatusMethodNotAllowed, "")

// Allow returns the Allow header value for m: its methods, HEAD when it
// serves GET, and OPTIONS, sorted (ASCII) and joined with ", ".
func (m Methods) Allow() string {
	set := map[string]bool{http.MethodOptions: true}
	for k := range m {
		set[k] = true
	}
	if _, ok := m[http.MethodGet]; ok {
		set[http.MethodHead] = true
	}
	list := make([]string, 0, len(set))
	for k := range set {
		list = append(list, k)
	}
	sort.Strings(list)
	return strings.Join(list, ", ")
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
