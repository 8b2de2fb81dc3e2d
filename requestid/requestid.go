package requestid

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/apiroutes/apiroutes/internal/reqid"
)

// header is the request and response field that carries the id.
const header = "X-Request-Id"

// maxLen bounds a kept id. It is the bound of Heroku's router, which
// forwards a client's id of up to 200 characters (letters, digits, +/=-),
// the largest that common proxies pass on (Envoy's and nginx's own ids are
// 32 to 36 bytes, a W3C traceparent 55): any id a proxy forwards is kept,
// and a client cannot put more than this into every log line it causes.
const maxLen = 200

// Handler is a middleware that gives each request an id: the request's
// X-Request-Id when it is one field line of 1 to 200 bytes of visible
// ASCII (0x21–0x7E), otherwise a new one from [crypto/rand.Text] (26
// characters, 128 bits). The id is in the request's context for [From] and
// the logs of every apiroutes layer inside, and in the response's
// X-Request-Id. A request is never refused for its X-Request-Id.
//
// Inside another Handler, Handler changes nothing: a request has one id.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if reqid.From(ctx) != "" {
			next.ServeHTTP(w, r)
			return
		}
		id, ok := incoming(r.Header[header])
		if !ok {
			id = rand.Text()
		}
		ctx, value := reqid.With(ctx, id)
		w.Header()[header] = value // header is canonical: Set without its allocation
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// From returns the id [Handler] gave the request whose context ctx is
// (or derives from), or "" outside Handler.
func From(ctx context.Context) string { return reqid.From(ctx) }

// incoming returns the id the client or a proxy sent, and whether it is
// one to keep: exactly one field line (two lines mean two senders that
// disagree; neither is trusted over the other), 1 to maxLen bytes, each
// visible ASCII, so that it is safe in a header, a log line and a URI
// reference once percent-encoded.
func incoming(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	v := values[0]
	if v == "" || len(v) > maxLen {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return "", false
		}
	}
	return v, true
}
