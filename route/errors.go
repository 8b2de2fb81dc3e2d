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
// [apierror.RenderJSON].
//
//	notFound, methodNotAllowed := route.ErrorHandlers(apierror.Config{})
//	r.NotFound(notFound.ServeHTTP)                     // chi
//	r.MethodNotAllowed(methodNotAllowed.ServeHTTP)
//	g.NoRoute(gin.WrapH(notFound))                     // gin, with HandleMethodNotAllowed
//	g.NoMethod(gin.WrapH(methodNotAllowed))
//
// gin (with HandleMethodNotAllowed) sets Allow before calling them; with
// chi or gorilla/mux, wrap methodNotAllowed to set it (examples/adapters
// does). For http.ServeMux, which has no hook, see the README's bridge.
func ErrorHandlers(c apierror.Config) (notFound, methodNotAllowed http.Handler) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errNotFound) }),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errMethodNotAllowed) })
}
