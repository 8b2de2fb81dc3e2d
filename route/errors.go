package route

import (
	"net/http"

	"github.com/apiroutes/apiroutes/apierror"
)

// ErrorHandlers returns the Mux's own answers as handlers for other
// routers, rendered with c as a Mux with Errors c renders them: notFound
// answers 404 {"error":"Not Found"}, methodNotAllowed 405 {"error":"Method
// Not Allowed"}, keeping the Allow header a router has set. The zero c
// renders with the renderer an enclosing apierror layer recorded, else
// JSON.
//
//	notFound, methodNotAllowed := route.ErrorHandlers(apierror.Config{})
//	mux.Handle("/", notFound)                          // http.ServeMux
//	r.NotFound(notFound.ServeHTTP)                     // chi
//	r.MethodNotAllowed(methodNotAllowed.ServeHTTP)
//
// chi v5.5.0 sets Allow only in its own 405 handler, so under chi
// methodNotAllowed answers without one.
func ErrorHandlers(c apierror.Config) (notFound, methodNotAllowed http.Handler) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errNotFound) }),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errMethodNotAllowed) })
}
