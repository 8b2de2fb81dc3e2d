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
// Routers differ on Allow. gin (with HandleMethodNotAllowed) sets it
// before its NoMethod handlers. chi v5 sets it only in its default 405
// handler and gorilla/mux never does: wrap methodNotAllowed to set it
// (examples/adapters computes it with chi's Routes.Match and gorilla's
// Router.Match). echo returns its 404 and 405, Allow set, as errors to its
// HTTPErrorHandler. http.ServeMux has no hook for its plain-text answers
// (mux.Handle("/", notFound) turns its 405s into 404s): run the handler
// ServeMux chose first, keeping its status and Allow, as the README's
// bridge does.
func ErrorHandlers(c apierror.Config) (notFound, methodNotAllowed http.Handler) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errNotFound) }),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Write(w, r, errMethodNotAllowed) })
}
