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
// Cookie header and runs once per request.
//
// [Set] encodes values like encodeURIComponent, as Next does, so that Parse
// returns exactly the string that was set, whatever it holds (";", spaces,
// quotes, non-ASCII). Its defaults are the safe ones: Path=/, HttpOnly,
// SameSite=Lax, and Secure when the request came over TLS; [Options] turns
// each off or on explicitly. A name or value that cannot be sent, or an
// attribute set that browsers would drop (SameSite=None without Secure), is
// an error rather than a header that silently does not work. [Delete]
// writes Max-Age=0 and an Expires in 1970.
//
// [Signed] goes beyond Next: HMAC-SHA256-signed values that clients can read
// but not forge, with key rotation.
//
// # Differences from Next.js
//
//   - Names such as "constructor" or "__proto__" are ordinary names; Next
//     silently drops them (its result is a plain JavaScript object).
//   - Non-ASCII bytes in a Cookie header are kept as UTF-8; Node reads
//     headers as latin1 and would show mojibake.
//   - The result is a Go map: nil (empty) when there is no Cookie header.
package cookies
