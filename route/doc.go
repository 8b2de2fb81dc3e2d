// Package route gives net/http Next.js's dynamic API routes: file-style
// patterns on top of http.ServeMux ([Mux]), Next's req.query ([Query]), and
// App Router route handlers ([Methods]).
//
// A pages/api tree maps one to one:
//
//	pages/api/tasks.js                  mux.Handle("/api/tasks", tasks)
//	pages/api/tasks/[id].js             mux.Handle("/api/tasks/[id]", task)        // r.PathValue("id")
//	pages/api/docs/[...slug].js         mux.Handle("/api/docs/[...slug]", docs)    // /api/docs/a/b, not /api/docs
//	pages/api/shop/[[...slug]].js       mux.Handle("/api/shop/[[...slug]]", shop)  // /api/shop too
//
// Patterns are translated to ServeMux patterns ([id] to {id}, [...slug] to
// {slug...}), so ServeMux's rule that the most specific pattern wins gives
// Next's precedence: static, then [param], then [...catchAll], then
// [[...optional]]. Matching is case-sensitive; path parameters are
// percent-decoded after the path is split, so /api/tasks/a%2Fb has the one
// parameter "a/b". Invalid patterns and conflicts panic at registration
// with the reason, in ServeMux's manner and with Next's wording where Next
// has one.
//
// # Differences from Next.js
//
//   - 404 and 405 answers are JSON ({"error":"Not Found"}), rendered by
//     package apierror; Next serves an HTML page, or an empty 405.
//   - A 405 carries an Allow header (RFC 9110 requires it; Next omits it).
//   - Methods answers 405 to methods Next answers 400 ("PURGE").
//   - Static segments match their percent-decoded form (/api/ech%6F is
//     /api/echo), as in net/http; Next answers 404. Backslashes are not
//     normalised to slashes.
//   - In the map Query returns, key order is lost (JavaScript keeps it).
//
// Register every route before serving: the Mux finishes its table (the 404
// for unknown paths) at its first request.
package route
