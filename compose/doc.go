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
// package-level state. [Config] says what a copy shares with its base.
//
// The chain is github.com/justinas/alice's: [Chain] returns an alice.Chain
// you can Append to and Then. Its order is fixed (see [Chain] for why):
// apierror.Recover, cors, responselimit, the method check
// ([Config.Methods]), [Config.BeforeBody] (your authentication and rate
// limits, before the body is read), bodyparser, the middleware you Append,
// the handler. A route.Methods given to [Route] fills Methods, so that a
// POST to a GET-only route is refused 405 before anything of the route
// runs. Every layer shares one response wrapper per request, so
// http.Flusher, http.Hijacker and http.NewResponseController work in the
// handler exactly as without the chain.
//
// Nothing here is required: each layer is an ordinary
// func(http.Handler) http.Handler from its own package, usable alone or
// with any router. compose only saves writing the same chain for every
// route, and checks the whole configuration at start-up: an invalid size,
// CORS policy or method panics when the route is built ([Config.Validate]
// returns the error instead), never at request time. Errors name the
// nested field as you wrote it (`compose: Body.SizeLimit "4m": …`,
// `compose: CORS.AllowedOrigins …`).
package compose
