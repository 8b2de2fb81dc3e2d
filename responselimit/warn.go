package responselimit

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/apiroutes/apiroutes/internal/logtext"
)

// A client chooses the request line and can make every request warn, so a
// warning quotes a bounded part of each value taken from the request, and
// each route logs a bounded number of warnings of each kind.
const (
	// warnEvery is the throttle's window: at most one line of a kind per
	// route per window.
	warnEvery = time.Second
)

// throttle lets the first warning through, then at most one per warnEvery,
// and counts the others so that the next line says how many there were. It
// is two atomics: warnings from concurrent requests never wait on a lock.
type throttle struct {
	next       atomic.Int64 // from when the next line may log, in ns since epoch
	suppressed atomic.Int64 // warnings held back since the last line
}

// allow reports whether a warning at now (ns since the limiter's epoch) may
// log, and if so how many were held back before it.
func (t *throttle) allow(now int64) (ok bool, suppressed int64) {
	n := t.next.Load()
	if now < n || !t.next.CompareAndSwap(n, now+int64(warnEvery)) {
		t.suppressed.Add(1)
		return false, 0
	}
	return true, t.suppressed.Swap(0)
}

func (l *limiter) log() *slog.Logger {
	if l.logger != nil {
		return l.logger
	}
	return slog.Default()
}

// requestURL is Next's req.url: the path and query as the client sent them.
func requestURL(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// warning returns the logger to warn on, or nil when the warning is not to
// be logged: below the logger's level (not counted), or held back by t
// (counted). suppressed is what t held back before this one.
func (l *limiter) warning(r *http.Request, t *throttle) (logger *slog.Logger, suppressed int64) {
	logger = l.log()
	if !logger.Enabled(r.Context(), slog.LevelWarn) {
		return nil, 0
	}
	// time.Since reads the monotonic clock: a wall clock set back cannot
	// silence a route.
	ok, suppressed := t.allow(int64(time.Since(l.epoch)))
	if !ok {
		return nil, 0
	}
	return logger, suppressed
}

// requestAttrs are the request's attributes of both warnings.
func requestAttrs(r *http.Request) (method, path slog.Attr) {
	return slog.String("method", logtext.Quote(r.Method)), slog.String("path", logtext.Quote(r.URL.Path))
}

// withSuppressed appends the count of held-back warnings, when there were
// any, last so that the other attributes keep their places.
func withSuppressed(attrs []slog.Attr, suppressed int64) []slog.Attr {
	if suppressed > 0 {
		attrs = append(attrs, slog.Int64("suppressed", suppressed))
	}
	return attrs
}

func (l *limiter) warnSize(r *http.Request, written int64, enforced bool) {
	logger, suppressed := l.warning(r, &l.sizeWarnings)
	if logger == nil {
		return
	}
	msg := "API response for " + logtext.Quote(requestURL(r)) + " exceeds " + l.limitText +
		". API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit"
	method, path := requestAttrs(r)
	attrs := []slog.Attr{method, path, slog.Int64("bytes", written), slog.Int64("limit", l.limit)}
	if enforced {
		attrs = append(attrs, slog.Bool("enforced", true))
	}
	logger.LogAttrs(r.Context(), slog.LevelWarn, msg, withSuppressed(attrs, suppressed)...)
}

func (l *limiter) warnUnresolved(r *http.Request) {
	logger, suppressed := l.warning(r, &l.unresolvedWarnings)
	if logger == nil {
		return
	}
	method, path := requestAttrs(r)
	logger.LogAttrs(r.Context(), slog.LevelWarn,
		"API resolved without sending a response for "+logtext.Quote(requestURL(r))+", this may result in stalled requests.",
		withSuppressed([]slog.Attr{method, path}, suppressed)...)
}
