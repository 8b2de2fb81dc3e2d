// Package responselimit reproduces two checks that Next.js runs on every
// API route response: the warning for responses of 4MB or more
// (config.api.responseLimit) and the warning for handlers that return
// without sending anything (silenced by config.api.externalResolver).
//
//	mux.Handle("/api/export", responselimit.New(responselimit.Config{Limit: "8mb"})(export))
//
// Every body byte the handler writes is counted, through Write,
// WriteString and ReadFrom, including the bytes of a HEAD answer that are
// never sent (Next counts them too). When the handler returns having
// written Limit bytes or more, one record is logged at Warn level with
// Next's text as its message and the method, path, bytes and limit as
// attributes:
//
//	API response for /api/export?year=2025 exceeds 8MB. API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit
//
// The response itself is never changed, unless [Config.Enforce] is set.
// When the handler returns having written neither a header nor a byte, the
// record is
//
//	API resolved without sending a response for /api/x, this may result in stalled requests.
//
// A handler that only calls WriteHeader (a 204, say) has answered. A
// hijacked connection is not checked.
//
// The counting happens in the one response wrapper that every package of
// this module shares (an outer layer's is reused, also through foreign
// wrappers that implement Unwrap), which keeps [http.Flusher],
// [http.Hijacker], [io.ReaderFrom] and [http.Pusher] exactly when the
// underlying writer has them: streaming and server-sent events pass
// through untouched.
//
// # Defaults
//
// The zero [Config] warns from 4mb on, to slog.Default(). A client chooses
// the request and can make every one warn, so the log it can cause is
// bounded:
//
//   - a warning quotes at most 256 bytes of each value taken from the
//     request (the URL in Next's message, the method and path attributes),
//     cut on a character boundary and followed by "…(+N bytes)";
//   - each handler the middleware wraps logs at most one warning of each
//     kind per second; the next line of that kind carries the count of
//     the others as suppressed=N. Enforce still refuses every oversized
//     response.
//
// # Inside echo
//
// echo.WrapMiddleware runs this middleware around an echo handler that
// returns its error to echo, which renders it only after every middleware
// has returned: the check would see no answer and warn falsely. Render
// the error inside instead, with a last echo middleware that calls
// c.Error(err) and returns nil (EchoErrorsInside in examples/adapters).
//
// # Differences from Next.js
//
//   - The warnings are log/slog records, throttled and bounded (see
//     Defaults); Next prints each one whole.
//   - Next prints the unresolved-response warning in development only; here
//     it is always on unless ExternalResolver is set.
//   - After such a handler, Next leaves the request hanging; net/http ends
//     the response with 200 and an empty body when the handler returns. An
//     external resolver in Go must keep the handler running (or hijack the
//     connection) until it has answered.
//   - Next treats responseLimit: 0 as disabled; here a zero Limit is a
//     configuration error (use Disabled).
package responselimit
