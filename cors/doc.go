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
// The CORS protocol itself is github.com/rs/cors's: preflights (OPTIONS
// with Access-Control-Request-Method) are answered before the wrapped
// handler runs, so authentication never sees them; Vary is always set; a
// refused origin gets no CORS headers and the browser blocks the response.
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
// authentication and net/http's CrossOriginProtection, which every
// compose route applies, trusting the origins its CORS config names.
//
// What this package adds is safety. [New] refuses, with an error that says
// why, the configurations rs/cors accepts silently but cannot honour:
//
//   - no origins at all (rs/cors then allows every origin);
//   - "*" or a wildcard origin together with AllowCredentials (rs/cors would
//     send "*" with credentials, which browsers reject, or reflect almost
//     any origin for a pattern like "h*": rs/cors issue #197);
//   - an origin with a path, query or trailing slash, with user
//     information, without a scheme, or the "null" origin;
//   - a wildcard anywhere but as the first label of the host;
//   - an empty or lower-case method, or a header name that is not a token;
//   - a MaxAge under a second, or an OptionsSuccessStatus outside 2xx.
//
// The "*" of a wildcard origin ("https://*.example.org") stands for DNS
// labels here, never for nothing ("https://.example.org") as in rs/cors.
// And the reason a preflight was refused (no Origin, origin, method or
// header not allowed) is logged at Debug level through log/slog, read from
// rs/cors's own answer so that it cannot disagree with it.
//
// Defaults, as in rs/cors: methods GET, POST and HEAD; headers Accept,
// Content-Type and X-Requested-With; no exposed headers; no credentials;
// preflights answered 204 without a Max-Age.
package cors
