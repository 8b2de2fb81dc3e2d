package route

import (
	"net/http"

	"github.com/apiroutes/apiroutes/apierror"
)

// NotFound answers 404 {"error":"Not Found"}, as a [Mux] answers a path no
// route matches: a drop-in for other routers' not-found hooks
// (chi's r.NotFound(route.NotFound), http.ServeMux's "/" pattern). The
// renderer is the one an enclosing apierror layer recorded, else JSON; use
// [ErrorHandlers] to choose one.
func NotFound(w http.ResponseWriter, r *http.Request) { apierror.Write(w, r, errNotFound) }

// MethodNotAllowed answers 405 {"error":"Method Not Allowed"}, as a [Mux]
// answers a method a path does not serve, keeping the Allow header a
// router has set (chi does; RFC 9110 requires one): a drop-in for chi's
// r.MethodNotAllowed(route.MethodNotAllowed).
func MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	apierror.Write(w, r, errMethodNotAllowed)
}

// ErrorHandlers returns [NotFound] and [MethodNotAllowed] rendered with c,
// as a Mux with Errors c renders them.
func ErrorHandlers(c apierror.Config) (notFound, methodNotAllowed http.Handler) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errNotFound) }),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errMethodNotAllowed) })
}
