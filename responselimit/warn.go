package responselimit

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/apiroutes/apiroutes/internal/logtext"
	"github.com/apiroutes/apiroutes/internal/reqid"
)

// warnEvery is the throttle's window: at most one line of a kind per route
// per window, since a client can make every request warn.
const warnEvery = time.Second

// throttle lets the first warning through, then at most one per warnEvery,
// and counts the others so that the next line says how many there were.
// Two atomics: warnings from concurrent requests never wait on a lock.
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

// requestURL is Next's req.url: the path and query as the client sent them.
func requestURL(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

func (l *limiter) warnSize(r *http.Request, written int64, enforced bool) {
	attrs := []slog.Attr{slog.Int64("bytes", written), slog.Int64("limit", l.limit), slog.Bool("enforced", true)}
	if !enforced {
		attrs = attrs[:2]
	}
	l.warn(r, &l.sizeWarnings, "API response for ", l.sizeWarning, attrs...)
}

func (l *limiter) warnUnresolved(r *http.Request) {
	l.warn(r, &l.unresolvedWarnings, "API resolved without sending a response for ", ", this may result in stalled requests.")
}

// warn logs Next's message, prefix + the request's URL + suffix, with the
// method, path and extra attributes, unless the logger is below Warn or t
// holds it back. Nothing is built for a line that is not logged.
func (l *limiter) warn(r *http.Request, t *throttle, prefix, suffix string, extra ...slog.Attr) {
	logger := l.logger
	if logger == nil {
		logger = slog.Default()
	}
	if !logger.Enabled(r.Context(), slog.LevelWarn) {
		return // not counted
	}
	// time.Since reads the monotonic clock: a wall clock set back cannot
	// silence a route.
	ok, suppressed := t.allow(int64(time.Since(l.epoch)))
	if !ok {
		return
	}
	// A client chooses the request line: quote a bounded part of it. The
	// request's id (package requestid) follows the path when it has one.
	attrs := make([]slog.Attr, 0, 4+len(extra))
	attrs = append(attrs, slog.String("method", logtext.Quote(r.Method)), slog.String("path", logtext.Quote(r.URL.Path)))
	attrs = reqid.AppendAttr(r.Context(), attrs)
	attrs = append(attrs, extra...)
	if suppressed > 0 {
		attrs = append(attrs, slog.Int64("suppressed", suppressed))
	}
	logger.LogAttrs(r.Context(), slog.LevelWarn, prefix+logtext.Quote(requestURL(r))+suffix, attrs...)
}
