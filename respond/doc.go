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
// [JSON] is res.json, [Send] res.send, [Redirect] res.redirect and
// [Status] res.status. The App Router's route handlers answer with the
// web's Response objects, which differ on the wire: [AppRouterJSON] is
// Response.json and NextResponse.json, [AppRouterRedirect]
// NextResponse.redirect.
//
// Next leaves conditional writes to the route; here [Preconditions] checks
// a PATCH, PUT or DELETE against the resource's current ETag (or
// Last-Modified): If-Match, If-Unmodified-Since and If-None-Match as RFC
// 9110 §13 says, with 412 Precondition Failed, and 428 Precondition
// Required for a route that requires them. A client then cannot overwrite
// a change it has not seen.
//
// # Defaults
//
//   - The status is an argument (respond.JSON(w, r, 201, task) is
//     res.status(201).json(task)): in Go it goes out with WriteHeader, and
//     the headers cannot change after it. [Status] sends it at once.
//   - JSON is written as JSON.stringify writes it (no HTML escaping, no
//     trailing newline, nil as null) by the route's codec: the one an
//     enclosing apierror layer's Config.Codec names, else encoding/json.
//   - Every complete body gets the ETag Next computes ([ETag]), and a GET
//     or HEAD whose If-None-Match matches it is answered 304.
//   - A bad status, a value the codec cannot encode, a bad redirect URL or
//     a response that has started is returned as an [*apierror.Error] 500
//     before anything is written.
//   - [AppRouterRedirect] resolves against the Host header the client sent,
//     as Next does, unless the route runs under [PublicOrigin].
//
// # Differences from Next.js
//
// The status is an argument, a status outside 100–999 is a clean 500, 304
// answers only GET and HEAD requests whose response would be 2xx (RFC
// 9110), encoding/json sorts map keys (use a struct when their order
// matters), and a body sent without a Content-Type carries
// X-Content-Type-Options: nosniff.
//
// The full behaviour, each difference and why:
// https://github.com/apiroutes/apiroutes/blob/main/docs/reference.md#respond
package respond
