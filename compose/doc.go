// Package compose builds the standard middleware chain for one route from a
// Config that reads like Next.js's per-route config:
//
//	// pages/api/upload.js: export const config = { api: { bodyParser: { sizeLimit: '10mb' }, responseLimit: '8mb' } }
//	mux.Handle("/api/upload", compose.RouteFunc(upload, compose.Config{SizeLimit: "10mb", ResponseLimit: "8mb"}))
//
//	// pages/api/webhooks/github.js: export const config = { api: { bodyParser: false } }
//	mux.Handle("/api/webhooks/github", compose.Route(hook, compose.Config{BodyParser: compose.Raw}))
//
// The chain is github.com/justinas/alice's: [Chain] returns an alice.Chain
// you can Append to and Then. Its order is fixed (see [Chain] for why):
// apierror.Recover, cors, responselimit, [Config.BeforeBody] (your
// authentication and rate limits, before the body is read), bodyparser,
// the middleware you Append, the handler. Every layer shares one response wrapper per request, so
// http.Flusher, http.Hijacker and http.NewResponseController work in the
// handler exactly as without the chain.
//
// Nothing here is required: each layer is an ordinary
// func(http.Handler) http.Handler from its own package, usable alone or
// with any router. compose only saves writing the same chain for every
// route, and checks the whole configuration at start-up: an invalid size,
// CORS policy or Methods key panics when the route is built
// ([Config.Validate] returns the error instead), never at request time.
// Errors name the fields of Config as you wrote them
// (`compose: ResponseLimit "4m": …`, `compose: CORS.AllowedOrigins …`).
//
// Project-wide settings live in a [Defaults] value that you create once
// and use for every route; there is no package-level state. A route takes
// every setting it leaves at its zero value from the Defaults, and lists in
// [Config.Override] those it wants to keep at zero (no CORS, no
// authentication, the warning a default silenced).
//
// # Names
//
//   - Raw is Next's bodyParser: false, here and in bodyparser.Config.Raw:
//     the body stream is left untouched.
//   - Constructors that take a configuration panic on a bad one, at
//     start-up; Validate returns the same error without building anything
//     (as bodyparser.Config, responselimit.Config and cors.Options do).
//     There are no "E" variants: compose.ChainE became [Config.Validate]
//     and cors.NewE became cors.Options.Validate.
//   - SizeLimit and ResponseLimit are one size type under two names
//     (bodyparser.Size, responselimit.Size), so a value moves between them.
package compose
