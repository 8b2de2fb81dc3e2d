// Package cookies gives net/http handlers Next.js's req.cookies, and
// helpers that set and delete cookies with safe defaults.
//
//	func handler(w http.ResponseWriter, r *http.Request) {
//		theme := cookies.Parse(r)["theme"]            // "" when absent
//		_ = cookies.Set(w, r, "theme", "dark", cookies.Options{MaxAge: 365 * 24 * time.Hour})
//	}
//
// [Parse] reads the Cookie headers with the algorithm of the cookie package
// Next uses (first duplicate wins, quotes stripped, percent-decoding with a
// raw fallback), which differs from net/http's r.Cookies() on real inputs:
// net/http keeps every duplicate, rejects values with spaces or quotes in
// the middle, and does not percent-decode. Each call parses again and
// returns a map of the caller's own; the package keeps no state.
//
// [Set] encodes values like encodeURIComponent, as Next does, so that Parse
// returns exactly the string that was set. [Delete] writes Max-Age=0 and an
// Expires in 1970. [Signed] goes beyond Next: HMAC-SHA256-signed values
// that clients can read but not forge, with key rotation and an expiry
// checked on the server.
//
// # Defaults
//
//   - Set writes Path=/, HttpOnly, SameSite=Lax, and Secure when the
//     request came over TLS; [Options] turns each off or on explicitly.
//   - A name or value that cannot be sent, an attribute set that browsers
//     would drop (SameSite=None without Secure, a __Host- cookie with a
//     Domain or without Secure), or a Path or Domain that could smuggle
//     another attribute ("/, Domain=evil.com") is an error, not a header.
//   - Parse reads at most 16 KiB of the Cookie headers and returns at most
//     256 cookies: Node refuses requests with more than 16 KiB of headers,
//     so Next never parses more, and browsers send at most 180 cookies per
//     site; net/http accepts 1 MB of headers by default.
//   - A signed value expires on the server after the MaxAge it was set
//     with, 24 hours for a session cookie ([ErrExpired]).
//
// # Differences from Next.js
//
//   - Names such as "constructor" or "__proto__" are ordinary names; Next
//     silently drops them (its result is a plain JavaScript object).
//   - Non-ASCII bytes in a Cookie header are kept as UTF-8; Node reads
//     headers as latin1 and would show mojibake.
//   - A Cookie header longer than 16 KiB makes Next answer 431 before the
//     route runs; Parse reads its first 16 KiB.
package cookies
