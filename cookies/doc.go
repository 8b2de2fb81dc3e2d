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
// the middle, and does not percent-decode. Parse costs nothing without a
// Cookie header; otherwise each call parses again and returns a map of the
// caller's own, which it may modify. The package keeps no state: nothing of
// a request outlives it.
//
// Parse reads at most 16 KiB of the Cookie headers and
// returns at most 256 cookies. This is deliberate: Node
// refuses requests with more than 16 KiB of headers, so Next never parses
// more, and browsers send at most 180 cookies per site; net/http accepts
// 1 MB of headers by default, and without these limits what a request's
// cookies cost would grow with whatever the server accepts.
//
// [Set] encodes values like encodeURIComponent, as Next does, so that Parse
// returns exactly the string that was set, whatever it holds (";", spaces,
// quotes, non-ASCII). Its defaults are the safe ones: Path=/, HttpOnly,
// SameSite=Lax, and Secure when the request came over TLS; [Options] turns
// each off or on explicitly. A name or value that cannot be sent, an
// attribute set that browsers would drop (SameSite=None without Secure, a
// __Host- cookie with a Domain or without Secure, a __Secure- cookie without
// Secure), or a Path or Domain that could smuggle another attribute
// ("/, Domain=evil.com", "a.com,b.com") is an error rather than a header
// that silently does not work or does something else. [Delete]
// writes Max-Age=0 and an Expires in 1970.
//
// [Signed] goes beyond Next: HMAC-SHA256-signed values that clients can read
// but not forge, with key rotation. They expire on the server too: the
// issue time and MaxAge are signed with the value, and [Signer.Get] refuses
// it past that MaxAge (24 hours for a session cookie) with [ErrExpired].
//
// # Differences from Next.js
//
//   - Names such as "constructor" or "__proto__" are ordinary names; Next
//     silently drops them (its result is a plain JavaScript object).
//   - Non-ASCII bytes in a Cookie header are kept as UTF-8; Node reads
//     headers as latin1 and would show mojibake.
//   - A Cookie header longer than 16 KiB makes Next answer 431 before the
//     route runs; Parse reads its first 16 KiB (see above).
package cookies
