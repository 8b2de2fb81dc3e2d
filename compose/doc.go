// Package compose builds the standard middleware chain for one route from a
// Config that reads like Next.js's per-route config. A Config holds the
// layers' own configurations, nested as Next nests them:
//
//	api := compose.Config{Errors: apierror.Config{Renderer: apierror.RenderProblem}} // the base of every route
//
//	// pages/api/upload.js: export const config = { api: { bodyParser: { sizeLimit: '10mb' }, responseLimit: '8mb' } }
//	upload := api
//	upload.Body.SizeLimit = "10mb"
//	upload.Response.Limit = "8mb"
//	mux.Handle("/api/upload", compose.RouteFunc(uploadFile, upload))
//
//	// pages/api/webhooks/github.js: export const config = { api: { bodyParser: false } }
//	hook := api
//	hook.Body.Raw = true
//	mux.Handle("/api/webhooks/github", compose.Route(githubHook, hook))
//
// A route's config is a copy of a base, changed; there is no merging and no
// package-level state. The zero Config is Next's default (bodies parsed up
// to 1mb, response warnings, no CORS, JSON errors) with one deliberate
// difference: protection against cross-site request forgery.
//
// A Next.js route accepts a form that another site posts to it, with the
// user's cookies when SameSite lets them go. Here the chain refuses such
// writes with 403: net/http's [http.CrossOriginProtection] checks every
// method but GET, HEAD and OPTIONS (Sec-Fetch-Site, else Origin against
// Host), and trusts the exact origins the route's CORS policy lists.
// Clients that are not browsers send neither header and pass. A route that
// takes writes from other sites on purpose opts out in its own config,
// never by path: hook.DisableCrossOriginProtection = true.
//
// The chain is github.com/justinas/alice's, in a fixed order (see [Chain]
// for why): apierror.Recover, cors, responselimit, the cross-origin check,
// the method check, [Config.BeforeBody], bodyparser, the middleware you
// Append, the handler.
// Every layer shares one response wrapper per request, so http.Flusher,
// http.Hijacker and http.NewResponseController work in the handler exactly
// as without the chain.
//
// Each layer is an ordinary func(http.Handler) http.Handler from its own
// package, usable alone. compose saves writing the same chain for every
// route, and checks the whole configuration when the route is built: an
// invalid setting panics then ([Config.Validate] returns the error
// instead), never at request time, with the nested field named as you
// wrote it (`compose: Body.SizeLimit "4m": …`).
package compose
