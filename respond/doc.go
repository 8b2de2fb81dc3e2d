// Package respond gives net/http handlers the response helpers of Next.js
// API routes: res.status, res.json, res.send and res.redirect, with the
// same bodies, the same headers and the same ETags, byte for byte.
//
//	func getTask(w http.ResponseWriter, r *http.Request) error {
//		t, err := store.Get(r.Context(), r.PathValue("id"))
//		if err != nil {
//			return err
//		}
//		return respond.JSON(w, r, http.StatusOK, t) // ETag, Content-Length, 304 on If-None-Match
//	}
//
//	mux.Handle("GET /api/tasks/{id}", apierror.HandlerFunc(getTask))
//
// # The helpers
//
// [JSON] is res.json: the value as JSON.stringify writes it (no HTML
// escaping, no trailing newline, nil as null), with Content-Type
// application/json; charset=utf-8 replacing any set before.
// NaN and ±Inf held in an interface (as bodyparser.Value holds 1e400) are
// written null, as JSON.stringify writes them; in a float field, an error.
//
// [Send] is res.send, and chooses by the type of the value as Next's
// sendData does: nil sends nothing; a string is sent as text with no
// Content-Type added (and X-Content-Type-Options: nosniff, so that no
// browser sniffs one); a []byte as
// application/octet-stream unless a Content-Type was set; an [io.Reader] is
// streamed (chunked, each chunk flushed, octet-stream unless set); anything
// else is JSON. Status 204 and 304 drop the body and the headers that
// describe it.
//
// [Redirect] is res.redirect(status, url): Location exactly as given, the
// URL as the body (marked nosniff too). The status is a required argument
// (Next's default is http.StatusTemporaryRedirect, 307), so an arity
// mistake does not compile.
//
// [Status] is res.status with the range check Node adds (100–999).
//
// # The App Router's twins
//
// Route handlers (app/api/…/route.ts) answer with the web's Response
// objects, which differ on the wire. [ResponseJSON] is Response.json and
// NextResponse.json(v, { status, headers }): Content-Type application/json
// without a charset (unless one was set), no ETag and no 304, a status of
// 200–599 that allows a body. [ResponseRedirect] is
// NextResponse.redirect(new URL(path, request.url), status): the path is
// resolved against the URL the client asked for ([RequestURL]) and sent
// as an absolute Location, with no body; 307 is NextResponse's default,
// and only 301, 302, 303, 307 and 308 are accepted. That URL is on the
// Host header the client sent, as in Next, unless the route runs under
// [PublicOrigin]("https://app.example"), as a public server's should.
//
// # Status: an argument, not a setting
//
// In Next, res.status(201) only records the code and res.json sends it
// later. In Go the status goes out when WriteHeader is called and the
// headers cannot change afterwards, so the helpers that send a body take
// the status as an argument:
//
//	respond.JSON(w, r, http.StatusCreated, task) // res.status(201).json(task)
//
// [Status] is w.WriteHeader with Next's range check and sends the status
// at once: use it for responses without a body (Status(w, 204)), for an
// informational 103, or before writing a body yourself. Recording a status
// for a later helper would need a second response wrapper or per-request
// state; an argument is explicit and is what Go developers know from other
// routers (c.JSON(code, v)). A status of 0 is not "200": every helper
// checks the range.
//
// The helpers also take the request: the 304 answer reads its
// If-None-Match and Cache-Control, and a HEAD request gets no body.
//
// # ETags and 304
//
// Every complete body (string, []byte, JSON) gets the ETag Next computes
// (see [ETag]): a strong tag made of the 52-bit FNV-1a hash of the body's
// UTF-16 code units and its UTF-16 length in base 36, so `hello` is
// "2caikvdqo85" in Go as in Next. A []byte is hashed as Next hashes a
// Buffer, over {"type":"Buffer","data":[…]}. Streams, nil bodies and 204/304
// get none.
//
// A GET or HEAD request whose If-None-Match matches the tag is answered
// 304 Not Modified with the ETag and no body, using the npm package fresh
// that Next uses: If-None-Match "*" or a comma-separated list whose tokens
// match exactly or through a weak W/ prefix on either side; a request
// Cache-Control: no-cache, or any If-Modified-Since (the responses have no
// Last-Modified), disables it. HEAD requests get the headers of the GET,
// Content-Length and ETag included, without the body; the body left out
// still counts against a responselimit layer's limit, as in Next.
//
// # Errors
//
// Every helper returns an error rather than sending a broken response. A
// status outside 100–999 (or a 1xx for a helper that sends a body), a value
// the JSON codec cannot encode, a redirect URL that is not a valid header
// value, and a response that has already started (when w comes from an
// apiroutes layer, which knows) are returned as an [*apierror.Error] 500
// "Internal Server Error" whose cause says what was wrong, before anything
// is written; return it from an [apierror.HandlerFunc] and the client gets a
// clean 500 while the cause is logged. An error from writing to w (the
// client went away) or from a streamed reader is returned as it is.
//
// # Differences from Next.js
//
//   - The status is an argument of JSON, Send and Redirect, and Status
//     sends it at once (see above).
//   - A status outside 100–999 is a clean 500; Next writes the headers,
//     Node then throws, and the client gets a 500 with a body truncated to
//     the stale Content-Length. A 1xx status with a body is refused too:
//     net/http would send it as an informational response followed by a
//     200.
//   - 304 Not Modified only answers GET and HEAD requests whose response
//     would be 2xx, as RFC 9110 (§13.1.2, §13.2.1) requires; Next answers
//     304 for any method and any status. The 304 also drops Content-Type
//     and Content-Length.
//   - JSON is written by the route's codec (package jsoncodec: the one
//     an enclosing apierror layer's Config.Codec names, else encoding/json
//     with HTML escaping off, as JSON.stringify does not escape <, > and &)
//     into a pooled buffer. With encoding/json, map keys are sorted (JavaScript keeps
//     insertion order), U+2028 and U+2029 are escaped as \u2028 and \u2029,
//     invalid UTF-8 in strings becomes U+FFFD, and NaN or ±Inf in a typed
//     float field or element is an error (JSON.stringify writes null, as
//     respond does for those held in an interface). A []byte inside a JSON value is base64
//     text, where JSON.stringify writes a Buffer as {"type":"Buffer",…}.
//     Use a struct, or a [json.Marshaler], when the order of keys matters.
//     Next's res.json(undefined) (an empty body) has no Go counterpart: nil
//     is null.
//   - A redirect URL with bytes from 0x80 up is sent with those bytes
//     percent-encoded in Location, as [http.Redirect] does (/日本 goes out
//     as /%E6%97%A5%E6%9C%AC; the body keeps the URL as given). Node
//     refuses characters above U+00FF in a header (Next answers 500) and
//     sends U+0080–U+00FF as single Latin-1 bytes.
//   - A redirect body is sent with a Content-Length; Next's is chunked.
//   - A body sent without a Content-Type (a string, a redirect's URL)
//     carries X-Content-Type-Options: nosniff, which Next leaves out: a
//     browser would sniff HTML in text that echoes the client's input.
//   - A streamed body is flushed chunk by chunk, as Node's pipe writes it;
//     there is no sendfile fast path.
//   - A Go string may hold invalid UTF-8, which a JavaScript string cannot:
//     the bytes are sent as they are, and the ETag is computed as if they
//     had been decoded by Node (each invalid sequence is one U+FFFD).
package respond
