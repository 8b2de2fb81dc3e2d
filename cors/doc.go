// Package cors adds CORS to the routes you wrap, and only to those: like a
// Next.js API route, an unwrapped route sends no CORS headers, so browsers
// keep it same-origin.
//
//	api := cors.New(cors.Options{
//		AllowedOrigins:   []string{"https://app.example.com"},
//		AllowedMethods:   []string{"GET", "POST", "PUT", "DELETE"},
//		AllowedHeaders:   []string{"Content-Type", "Authorization"},
//		AllowCredentials: true,
//		MaxAge:           10 * time.Minute,
//	})
//	mux.Handle("/api/tasks", api(tasks))
//
// The CORS protocol itself is github.com/rs/cors, used as it is but for
// wildcard origins (below):
// preflights (OPTIONS with Access-Control-Request-Method) are answered
// before the wrapped handler runs, so authentication never sees them;
// Vary is always set (Origin on every request, the three preflight headers
// on preflights), so shared caches never serve one origin's answer to
// another; a refused origin gets no CORS headers and the browser blocks the
// response.
//
// Wrap the whole path, not one method of it: with mux.Handle("PUT
// /api/tasks/{id}", api(h)), http.ServeMux answers the browser's OPTIONS
// preflight with 405 before CORS ever sees it. Register the path without a
// method (and dispatch on r.Method inside, or use route.Methods, which
// answers OPTIONS itself only after CORS has had its turn).
//
// CORS protects responses, not servers: a simple cross-origin request (a
// GET, or a form-like POST) reaches the handler whatever the policy, and
// only its answer is hidden from the script. Guard state changes with
// authentication, and see net/http's CrossOriginProtection (Go 1.25).
//
// What this package adds is safety at start-up. rs/cors accepts, silently,
// configurations that do something other than what their author meant;
// [New] refuses them with an error that says why:
//
//   - no origins at all (rs/cors then allows every origin);
//   - "*" or a wildcard origin together with AllowCredentials (rs/cors would
//     send "*" with credentials, which browsers reject, or reflect almost
//     any origin for a pattern like "h*": rs/cors issue #197);
//   - an origin with a path, query or trailing slash ("https://a.com/",
//     which never matches the Origin header browsers send), with user
//     information, without a scheme, or the "null" origin;
//   - a wildcard anywhere but as the first label of the host;
//   - an empty or lower-case method ("put" is not "PUT" to a browser), or
//     a header name that is not a token;
//   - a MaxAge under a second, or an OptionsSuccessStatus outside 2xx.
//
// A wildcard origin is matched here: rs/cors lets the "*" of
// "https://*.example.org" stand for anything, even nothing
// ("https://.example.org", "https://a..example.org"); here it stands for DNS
// labels only. The matcher is built in New and hands rs/cors its decision;
// it allocates nothing and costs no measurable time against rs/cors's own
// matching (about 100 ns per request either way).
//
// Defaults, as in rs/cors: methods GET, POST and HEAD; headers Accept,
// Content-Type and X-Requested-With; no exposed headers; no credentials;
// preflights answered 204 without a Max-Age.
//
// rs/cors answers a refused preflight with a 204 and no CORS headers, and
// the browser reports a CORS error without saying which rule failed. Here
// the reason (no Origin, origin, method or header not allowed) is logged at
// Debug level through log/slog. Whether a preflight was refused is read
// from rs/cors's own answer, and the origin is judged by its OriginAllowed,
// so the log cannot disagree with what rs/cors did; nothing is computed for
// it unless Debug is on.
package cors
