// Package route gives net/http Next.js's dynamic API routes: file-style
// patterns in Next's order ([Mux]), Next's req.query ([Query]) and
// URLSearchParams ([SearchParams]), and App Router route handlers
// ([Methods]).
//
// A pages/api tree maps one to one:
//
//	pages/api/tasks.js                  mux.Handle("/api/tasks", tasks)
//	pages/api/tasks/[id].js             mux.Handle("/api/tasks/[id]", task)        // r.PathValue("id")
//	pages/api/docs/[...slug].js         mux.Handle("/api/docs/[...slug]", docs)    // /api/docs/a/b, not /api/docs
//	pages/api/shop/[[...slug]].js       mux.Handle("/api/shop/[[...slug]]", shop)  // /api/shop too
//	pages/api/auth/[...nextauth].js     mux.Handle("/api/auth/[...nextauth]", auth)
//
// # Order
//
// The Mux is a segment trie with Next's getSortedRoutes order: at the first
// segment where two routes differ, a static name comes before [param],
// which comes before [...catchAll], then [[...optional]]; the first route
// in that order that matches serves the request. Like Next's list of
// regexes tried in turn, a static branch that fails further down does not
// end the search: beside /api/auth/login and /api/[post]/comments,
// /api/auth/comments is served by the second with post "auth"; beside
// /api/auth/[...nextauth], by the catch-all. The order is total, so any
// tree Next builds registers (ServeMux refused /api/auth/[...nextauth]
// beside /api/[post]/comments), and a lookup visits each trie node at most
// once and never splits a path deeper than the deepest route: its cost is
// bounded by the table, not by the path.
//
// Matching is on the escaped path (r.URL.EscapedPath()), byte for byte and
// case-sensitive, as Next matches the raw pathname: /api/ech%6F is not
// /api/echo. Path values are then decoded like decodeURIComponent, each
// segment after splitting (/api/tasks/a%2Fb has the one value "a/b"); a
// value that does not decode to UTF-8 is answered 400 "failed to decode
// param", as in Next. r.PathValue works: a catch-all's value is its
// segments joined with "/" (Query gives the list). Values are stored the
// way http.ServeMux stores its own where ServeMux can name them (one
// small slice), else with Request.SetPathValue (a map). r.Pattern is the
// pattern that served: "/api/tasks/[id]", or "GET /api/tasks/[id]" for a
// route of one method.
//
// # Registration
//
// Handle panics with an error, like http.ServeMux (no variant returns
// it), on a pattern Next refuses, in Next's words: different parameter
// names at one level ('a' !== 'b'), one name twice in a path, two names
// that differ only by non-word characters ([user-id] and [userid]; names
// may otherwise hold any character but brackets and a leading period,
// [root-slug] included), a catch-all that is not last, a required and an
// optional catch-all at one level, a path beside its own optional
// catch-all, extra brackets, leading periods, optional non-catch-all
// parameters ([[id]]). Ours too: a pattern registered twice, a path that
// is not clean (trailing slash, empty or dot segment), an empty name, a
// bracket or brace that is not a whole-segment parameter ({id} gets a
// hint to write [id]), a lower-case method, a nil handler. A refused
// pattern leaves the Mux unchanged.
//
// # Middleware
//
// A middleware is the plain func(http.Handler) http.Handler. Mux.Use sets
// a default chain that wraps every route, so that a route registered
// without its body parser or its warnings still gets them (compose's
// chain fits: mux.Use(compose.Chain(compose.Config{}).Then)); Use after a
// route is registered panics, since the chain would silently miss it.
// Mux.Group gives a prefix its own middleware inside the default chain
// (Next's long-asked-for per-folder API middleware); With adds middleware
// for one route, Replace swaps the default chain for a route that brings
// its own. The 404, the 400 and the clean-path redirect are the Mux's own
// answers, outside any chain; a path's 405 and automatic OPTIONS run
// through the chain of the path's first registration, so a CORS layer
// answers preflights.
//
// # Defaults
//
//   - A path with a trailing slash, repeated slashes or dot segments ("."
//     "..", and their %2e forms) is redirected 308 to its clean form, query
//     kept, for every method: Next's default trailingSlash: false. The test
//     and the Location use the same escaped path, so a redirect never
//     points at itself (/x%2F is a path with the value "x/", not a trailing
//     slash), and the Location always starts with exactly one "/": never
//     //evil.com.
//   - 404 {"error":"Not Found"} for a path no route matches; 405 {"error":
//     "Method Not Allowed"} with an Allow header for a method a path does
//     not serve, OPTIONS answered 204 with Allow. Mux.Errors renders them;
//     [ErrorHandlers] gives the same answers as handlers for other routers
//     (a NotFound in this library is an error a handler returns:
//     apierror.NotFound).
//   - Register every route before serving: registration after the first
//     request is refused.
//
// # Differences from Next.js
//
//   - 404 and 405 answers are JSON ({"error":"Not Found"}), rendered by
//     package apierror; Next serves an HTML page, or an empty 405. So is
//     the 400 for an undecodable value.
//   - A 405 carries an Allow header (RFC 9110 requires it; Next omits it).
//   - Methods answers 405 to methods Next answers 400 ("PURGE").
//   - Backslashes are not turned into slashes: they reach the Mux escaped
//     (%5C) and stay so in a redirect's Location. Dot segments are
//     redirected, as http.ServeMux does (what Next does with them was not
//     observed).
//   - Next accepts a segment such as x[a] as a static name; the Mux refuses
//     it, and {id}, as a likely mistake.
//   - In the maps Query and SearchParams return, the order of names is lost
//     (JavaScript keeps it); each name's values keep theirs.
package route
