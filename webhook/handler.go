package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/logtext"
	"github.com/apiroutes/apiroutes/internal/reqid"
	"github.com/apiroutes/apiroutes/internal/watch"
)

// handler is the middleware around one handler.
type handler struct {
	*verifier
	next http.Handler
}

var (
	errEncoded = apierror.New(http.StatusUnsupportedMediaType,
		"Unsupported Content-Encoding: webhook signatures are checked over the body as sent; send it uncompressed")
	errInvalidBody = apierror.BadRequest("Invalid body")
)

// readTimeout bounds the time the body's read may take, as bodyparser's
// default ReadTimeout does: a client that announces a body and sends it a
// byte at a time holds the handler that long at most.
const readTimeout = 30 * time.Second

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.states.Get().(*state)
	defer h.putState(s)

	// Everything that needs no body first: a forged or stale delivery
	// costs no body read.
	id, e := h.parseHeaders(r.Header, s)
	if e == nil && h.tolerance > 0 {
		e = h.checkTime(s.sig.ts)
	}
	if e != nil {
		h.errs.Render(w, r, e)
		return
	}
	if encoded(r.Header) {
		w.Header().Set("Accept-Encoding", "identity") // RFC 9110, section 15.5.16
		h.errs.Render(w, r, errEncoded)
		return
	}
	if r.ContentLength > h.limit {
		h.refuseTooLarge(w, r)
		return
	}
	deadline := watch.SetBodyDeadline(w, r, h.timeout) // false: the server's own is shorter
	body, err := s.read(r.Body, r.ContentLength, h.limit)
	if deadline && err == nil {
		watch.SetReadDeadline(w, time.Time{}) // the body is read: the deadline was its alone
	}
	if err != nil {
		h.refuseRead(w, r, err, deadline)
		return
	}
	if !h.matches(s, h.prefix(s, id), body) {
		h.errs.Render(w, r, h.mismatch())
		return
	}

	// The handler reads the same bytes, and owns them: it may read them
	// after this call returns (http.TimeoutHandler's late handler, a
	// goroutine), so the buffer leaves the pool. r is restored when it
	// returns.
	s.buf = nil
	orig, origLength := r.Body, r.ContentLength
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body)) // keeps WriteTo
	defer func() { r.Body, r.ContentLength = orig, origLength }()

	if h.replay == nil {
		h.next.ServeHTTP(w, r)
		return
	}
	h.serveOnce(w, r, id, body)
}

// parseHeaders reads the scheme's signature headers into s, and returns
// the webhook-id of Standard Webhooks.
func (h *handler) parseHeaders(hd http.Header, s *state) (string, *apierror.Error) {
	switch h.scheme {
	case GitHub:
		v, e := single(hd, "X-Hub-Signature-256", &gitHubErrors)
		if e != nil {
			return "", e
		}
		return "", parseGitHub(v, &s.sig)
	case Stripe:
		v, e := single(hd, "Stripe-Signature", &stripeErrors)
		if e != nil {
			return "", e
		}
		return "", parseStripe(v, &s.sig)
	}
	// Svix sends the same headers named svix-*, unless its customer chose
	// the webhook-* names: read one set, whole.
	idKey, tsKey, sigKey := "Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"
	if _, ok := hd[idKey]; !ok {
		if _, ok := hd["Svix-Id"]; ok {
			idKey, tsKey, sigKey = "Svix-Id", "Svix-Timestamp", "Svix-Signature"
		}
	}
	id, e := single(hd, idKey, &idErrors)
	if e != nil {
		return "", e
	}
	if len(id) > maxID {
		return "", errStandardID
	}
	ts, e := single(hd, tsKey, &timestampErrors)
	if e != nil {
		return "", e
	}
	var ok bool
	if s.sig.ts, ok = parseUnix(ts); !ok {
		return "", errStandardTime
	}
	v, e := single(hd, sigKey, &signatureErrors)
	if e != nil {
		return "", e
	}
	return id, parseStandard(v, &s.sig)
}

// checkTime refuses a timestamp further than the tolerance from now, in
// either direction. The edge itself is accepted, as the libraries do.
func (h *handler) checkTime(ts int64) *apierror.Error {
	now := time.Now().Unix()
	switch {
	case now-ts > h.tolerance:
		return h.tooOld
	case ts-now > h.tolerance:
		return h.tooNew
	}
	return nil
}

// prefix returns what is signed before the body: "<t>." for Stripe,
// "<id>.<t>." for Standard Webhooks. The timestamp is written as the
// number it is, as the libraries sign it ("007" is signed as "7").
func (h *handler) prefix(s *state, id string) []byte {
	p := s.scratch[:0]
	switch h.scheme {
	case Stripe:
		p = strconv.AppendInt(p, s.sig.ts, 10)
		p = append(p, '.')
	case StandardWebhooks:
		p = append(p, id...)
		p = append(p, '.')
		p = strconv.AppendInt(p, s.sig.ts, 10)
		p = append(p, '.')
	}
	s.scratch = p
	return p
}

func (h *handler) mismatch() *apierror.Error {
	switch h.scheme {
	case GitHub:
		return errGitHubMatch
	case Stripe:
		return errStripeMatch
	}
	return errStandardMatch
}

// encoded reports a Content-Encoding other than identity. No provider
// compresses its deliveries.
func encoded(hd http.Header) bool {
	for _, v := range hd["Content-Encoding"] {
		for rest := v; rest != ""; {
			var c string
			c, rest, _ = strings.Cut(rest, ",")
			if c = strings.Trim(c, " \t"); c != "" && !strings.EqualFold(c, "identity") {
				return true
			}
		}
	}
	return false
}

// refuseTooLarge answers 413. On HTTP/1 the connection is closed after it,
// so that net/http does not read the rest of the upload to reuse it.
func (h *handler) refuseTooLarge(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor < 2 {
		w.Header().Set("Connection", "close")
	}
	h.errs.Render(w, r, h.tooLarge)
}

// refuseRead answers a body that could not be read: ours past the limit,
// an error with a status (bodyparser's Raw limit and deadline in front of
// us) as it says, anything else 400.
func (h *handler) refuseRead(w http.ResponseWriter, r *http.Request, err error, deadline bool) {
	var mbe *http.MaxBytesError
	var sc apierror.StatusCoder
	switch {
	case err == errTooLarge:
		h.refuseTooLarge(w, r)
	case errors.As(err, &mbe) || errors.As(err, &sc):
		h.errs.Write(w, r, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		if r.ProtoMajor < 2 {
			w.Header().Set("Connection", "close")
		}
		msg := "Body not received within " + h.timeout.String()
		if !deadline {
			msg = "Body not received within the server's ReadTimeout"
		}
		h.errs.Write(w, r, apierror.Wrap(err, http.StatusRequestTimeout, msg))
	default:
		h.errs.Write(w, r, apierror.Wrap(err, errInvalidBody.Status, errInvalidBody.Message))
	}
}

// serveOnce runs the handler for the first delivery of an event, and
// answers the others without it (see [Replay]).
func (h *handler) serveOnce(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	id, e := h.eventID(r, id, body)
	if e != nil {
		h.errs.Render(w, r, e)
		return
	}
	claimed, handled, err := h.replay.Claim(r.Context(), id)
	if err != nil {
		h.errs.Write(w, r, apierror.Wrap(err, errReplay.Status, errReplay.Message))
		return
	}
	if !claimed {
		if handled {
			w.WriteHeader(http.StatusOK) // the event was handled: stop the sender's retries
		} else {
			h.errs.Render(w, r, errInFlight)
		}
		return
	}
	ww, st := watch.Wrap(w)
	ok := false
	defer h.done(ww, r, id, &ok) // also when the handler panics: the delivery can be retried
	h.next.ServeHTTP(ww, r)
	status := st.Status()
	ok = st.Hijacked() || status >= 200 && status < 300
}

// done ends the claim of id, and logs a store that could not record it to
// the chain's logger.
func (h *handler) done(w http.ResponseWriter, r *http.Request, id string, handled *bool) {
	ctx := context.WithoutCancel(r.Context()) // the claim ends even if the client is gone
	err := h.replay.Done(ctx, id, *handled)
	if err == nil {
		return
	}
	l := h.errs.Logger
	if st := watch.From(w); l == nil && st != nil {
		l = st.Errors.Logger
	}
	if l == nil {
		l = slog.Default()
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.String("method", logtext.Quote(r.Method)), slog.String("path", logtext.Quote(r.URL.Path)))
	attrs = reqid.AppendAttr(ctx, attrs)
	attrs = append(attrs, slog.String("event_id", logtext.Quote(id)), slog.String("error", err.Error()))
	l.LogAttrs(ctx, slog.LevelError, "webhook: Replay.Done failed", attrs...)
}
