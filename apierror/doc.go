// Package apierror gives net/http handlers typed errors that become JSON
// responses, the way Next.js API routes turn an ApiError into a response.
//
// A handler returns an error instead of writing one:
//
//	func getTask(w http.ResponseWriter, r *http.Request) error {
//		t, err := store.Get(r.Context(), r.PathValue("id"))
//		if errors.Is(err, store.ErrNotFound) {
//			return apierror.NotFound("task not found") // 404 {"error":"task not found"}
//		}
//		if err != nil {
//			return err // 500 {"error":"Internal Server Error"}; err is logged, not sent
//		}
//		return json.NewEncoder(w).Encode(t)
//	}
//
//	mux.Handle("GET /api/tasks/{id}", apierror.HandlerFunc(getTask))
//
// Every package-level function is its [Config] method with the zero Config
// ([Write] and [Config.Write], [Recover] and [Config.Recover]).
//
// # Defaults
//
// [Write] maps the error (see [Config.Write] for the full order): an
// [*Error] or any [StatusCoder] keeps its status; [*http.MaxBytesError] is
// 413 "Body exceeded 1mb limit"; encoding/json syntax and type errors are
// 400, with messages built from their fields, never their text (see
// [JSONError]); a cancelled request whose client is gone gets nothing;
// everything else is 500 "Internal Server Error", with the cause logged
// through log/slog at Error level and never sent. A status outside 400–599
// is sent as 500 and logged.
//
// Renderers, and the Next.js router each one matches:
//
//   - [RenderJSON], the default: {"error":"<message>"} (ours; JSON APIs).
//   - [RenderText]: the pages router (pages/api) byte for byte: the
//     message as the body, no Content-Type.
//   - [RenderEmpty]: App Router route handlers (app/**/route.ts): the
//     status and no body, as Next answers their 404, 405 and 500.
//   - [RenderProblem]: RFC 9457 application/problem+json (ours).
//
// Choose one for a route or a whole server by wrapping it in
// [Config.Recover]: layers inside inherit the renderer, logger and codec of
// the nearest enclosing layer that set them. There is no package-level
// setting.
//
// Every layer of this module shares one response watcher per request, also
// through foreign wrappers that implement Unwrap (chi, httpsnoop, gorilla,
// echo), so [Write] knows whether the header has gone out: if it has,
// nothing more is written and the error is logged.
//
// # Differences from Next.js
//
//   - Bodies are JSON by default; [RenderText] and [RenderEmpty] are the
//     exact Next.js renderings.
//   - net/http cannot send a custom reason phrase, so "HTTP/1.1 400 Bad
//     Request" is sent where Next sends "HTTP/1.1 400 Invalid JSON".
//   - Next sends 500 for any error that is not its own ApiError; here any
//     error with a status ([StatusCoder]) keeps it. Errors whose status is
//     a field, like echo v4's HTTPError, need converting (see [StatusCoder]).
//   - A context error while the client is still connected is a server error
//     (500), not a silent one.
//   - A 500 drops the headers the handler had set (Set-Cookie,
//     Cache-Control...), keeping those of the layers outside the innermost
//     apiroutes layer (CORS, Vary); Next sends whatever res.setHeader left.
package apierror
