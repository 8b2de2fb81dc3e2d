// Package requestid gives each request an id, for its logs and its error
// answers, the way a load balancer's X-Request-Id ties one request's lines
// together. Next.js has no counterpart.
//
//	srv := &http.Server{Handler: requestid.Handler(mux)}
//
// Inside [Handler], every log line that apiroutes writes for the request
// (apierror's 5xx causes and panics, responselimit's warnings, cors'
// refusals, route's "No response is returned") carries the attribute
// request_id, and an RFC 9457 body from apierror.RenderProblem carries it
// as "instance". Handlers read it with [From].
//
// # Defaults
//
// The request's X-Request-Id is kept when it is one field line of 1 to 200
// bytes of visible ASCII (no spaces, no control characters); otherwise a
// new id is made with [crypto/rand.Text]. Either way the response carries
// it in X-Request-Id. A client can choose its own id: a proxy that does
// not trust clients should set or remove the header.
//
// "instance" must be a URI reference (RFC 9457 §3.1.5). It is the id as a
// relative reference of one path segment: the id itself when it holds only
// letters, digits and -._~!$&'()*+,;=@ (UUIDs, ULIDs, hex, base32 and
// base64url ids do), percent-encoded otherwise (so "a/b:c" is "a%2Fb%3Ac"),
// so that no id can turn it into a scheme, a host, a query or a fragment.
// It names the occurrence; it is not meant to be fetched.
//
// Without Handler nothing changes and nothing is spent: no attribute, no
// "instance". With it, a request costs two allocations, a context node
// (holding the response header's value too) and the request copy of
// r.WithContext, and a third for a new id's string. Put it outermost, so
// that every layer sees the id.
package requestid
