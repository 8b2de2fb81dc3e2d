// Package route gives net/http Next.js's dynamic API routes: file-style
// patterns in Next's order ([Mux]), Next's req.query ([Query]), a route
// handler's params ([Params]), URLSearchParams ([SearchParams]), and App
// Router route handlers ([Methods]). Where route handlers and pages/api
// answer differently (a handler that writes nothing, error bodies, empty
// bodies), a [Methods] route follows route handlers; the table is at
// https://github.com/apiroutes/apiroutes/blob/main/docs/reference.md#route-handlers-and-pagesapi
//
// A pages/api tree maps one to one:
//
//	mux := route.NewMux()
//	mux.Use(compose.Chain(compose.Config{}).Then)  // every route: body parsing, limits, warnings
//	mux.Handle("/api/tasks", tasks)                // pages/api/tasks.js
//	mux.Handle("/api/tasks/[id]", task)            // pages/api/tasks/[id].js: r.PathValue("id")
//	mux.Handle("/api/docs/[...slug]", docs)        // /api/docs/a/b, not /api/docs
//	mux.Handle("/api/shop/[[...slug]]", shop)      // /api/shop too
//	mux.Handle("/api/auth/[...nextauth]", auth)    // pages/api/auth/[...nextauth].js
//	mux.Handle("GET /api/health", health)          // one method; others get 405
//	mux.Handle("/api/(admin)/users", users)        // a route group: serves /api/users
//
// At the first segment where two routes differ, a static name comes before
// [param], then [...catchAll], then [[...optional]] (Next's
// getSortedRoutes); the first route in that order that matches serves the
// request. As with Next's list of regexes tried in turn, a static branch
// that fails further down does not end the search. A lookup visits each
// trie node at most once: its cost is bounded by the table, not the path.
//
// A (group) segment organises routes and is left out of the URL, as in the
// App Router; two patterns that resolve to one path are refused in Next's
// words. Matching is on the path as the client sent it, byte for byte, as
// Next matches the raw pathname: /api/ech%6F is not /api/echo, and a
// static segment such as a(b) matches the a(b) browsers send. Path values are decoded like
// decodeURIComponent, each segment after splitting; a catch-all's
// r.PathValue is its segments joined with "/" (Query gives the list).
// r.Pattern is the pattern that served, "GET /api/x" for a route of one
// method.
//
// Handle panics, like http.ServeMux, on a pattern Next refuses, with Next's
// message, and on a pattern registered twice, an unclean path, a bracket
// or brace that is not a whole parameter segment, a lower-case method.
//
// Middleware is func(http.Handler) http.Handler: [Mux.Use] wraps every
// route, [Mux.Group] a prefix (Next's per-folder API middleware),
// [Mux.With] one route; [Mux.Replace] swaps the chain out. The 404, the
// 400 and the redirect are outside any chain; a path's 405 and automatic
// OPTIONS run through its first registration's chain, so a CORS layer
// answers preflights.
//
// # Defaults
//
//   - A path with a trailing slash, repeated slashes or dot segments
//     (%2e included) is redirected 308 to its clean form, query kept, for
//     every method: Next's default trailingSlash: false ([Mux].TrailingSlash
//     is Next's trailingSlash: true). The Location is
//     built from the escaped path (/x%2F has the value "x/", it is not a
//     trailing slash) and starts with exactly one "/": never //evil.com.
//   - 404 {"error":"Not Found"} for a path no route matches; 405 {"error":
//     "Method Not Allowed"} with Allow for a method a path does not serve;
//     OPTIONS 204 with Allow; 400 "failed to decode param" for a value that
//     is not UTF-8, as in Next. Mux.Errors renders them; [ErrorHandlers]
//     gives them to other routers.
//   - Register every route before serving: registration after the first
//     request is refused.
//
// # Differences from Next.js
//
//   - 404, 405 and 400 answers are JSON, rendered by package apierror (Next
//     serves an HTML page, or an empty 405); a 405 carries Allow, as RFC
//     9110 requires.
//   - Methods answers 405 to methods Next answers 400 ("PURGE").
//   - Backslashes stay escaped (%5C), in a redirect's Location too. Dot
//     segments are redirected, as http.ServeMux does.
//   - Next takes a segment such as x[a] as a static name; the Mux refuses
//     it, and {id}, as likely mistakes.
//   - The maps Query and SearchParams return lose the order of names
//     (JavaScript keeps it); each name's values keep theirs.
package route
