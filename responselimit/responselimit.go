package responselimit

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/internal/watch"
)

// Config configures the response checks. The zero value is Next.js's
// default: warn about responses of 4mb or more and about handlers that
// return without answering.
type Config struct {
	// Limit is the response size, counted over every body byte the handler
	// writes, from which a response is reported, in the grammar of Next's
	// responseLimit: a number with an optional binary unit b, kb, mb, gb,
	// tb or pb ("4mb" = 4194304 bytes); a bare number counts bytes, so a
	// typed count is strconv.FormatInt(n, 10). Anything else fails at
	// start-up. Empty means "4mb".
	Limit string

	// Disabled turns the size check off, like Next's responseLimit: false.
	// The unresolved-response check still runs unless ExternalResolver is set.
	Disabled bool

	// ExternalResolver turns the unresolved-response check off, like Next's
	// externalResolver: true, for handlers whose response is finished by
	// something else (a proxy that hijacks, another goroutine...).
	ExternalResolver bool

	// Enforce stops responses of Limit bytes or more instead of only
	// reporting them (the same threshold as the warning): the write that
	// would reach the limit fails with [ErrLimitExceeded], nothing of it is
	// sent, and so do all later writes. What the client sees depends on what
	// was sent before that write:
	//
	//   - nothing (no header, no byte): a 500 "Internal Server Error"
	//     rendered by Errors at once, whatever the handler does next,
	//     without the headers the handler had set (Set-Cookie,
	//     Cache-Control...); those of the layers outside it (CORS, Vary)
	//     stay;
	//   - the header or some bytes: the response is aborted with
	//     [http.ErrAbortHandler] when the handler returns: over HTTP/1.1 the
	//     connection is closed before the body is complete (the client reads
	//     an unexpected EOF, never a short body that looks whole), over
	//     HTTP/2 the stream is reset.
	Enforce bool

	// Logger receives the warnings, bounded in size and rate (see the
	// package doc). Nil means slog.Default() at the time of the warning.
	Logger *slog.Logger

	// Errors renders the 500 of Enforce. Its zero value inherits the
	// renderer of an enclosing apierror layer, else JSON.
	Errors apierror.Config
}

// Validate reports whether c is usable, with an error that names the field
// and the value.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// New returns the middleware for c. It panics if c is invalid (see
// [Config.Validate]). With both checks off it returns next itself.
func New(c Config) func(http.Handler) http.Handler {
	l, err := c.compile()
	if err != nil {
		panic(err)
	}
	return func(next http.Handler) http.Handler {
		if l.disabled && l.external {
			return next
		}
		// Each handler gets its own warning budgets: a route is throttled
		// for its own floods, not for its neighbours' (see warn.go).
		return &limiter{settings: *l, next: next, epoch: time.Now()}
	}
}

// limiter is the middleware around one handler.
type limiter struct {
	settings
	next http.Handler

	epoch              time.Time // the origin of the throttles' clock
	sizeWarnings       throttle
	unresolvedWarnings throttle
}

// settings is a Config as compiled by New, shared by every handler it wraps.
type settings struct {
	limit       int64
	sizeWarning string // its end, with the limit as Next prints it: " exceeds 4MB. API…"
	disabled    bool
	external    bool
	enforce     bool
	logger      *slog.Logger
	errs        apierror.Config
	refusal     *apierror.Error
}

func (c Config) compile() (*settings, error) {
	l := &settings{disabled: c.Disabled, external: c.ExternalResolver, enforce: c.Enforce, logger: c.Logger, errs: c.Errors}
	text := c.Limit
	if text == "" {
		text = "4mb" // Next's default
	}
	s, err := size.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("responselimit: Limit %w", err)
	}
	if s.Bytes == 0 && !c.Disabled {
		return nil, fmt.Errorf("responselimit: Limit %q: a zero limit reports every response; set Disabled to turn the check off", text)
	}
	if c.Enforce && c.Disabled {
		return nil, fmt.Errorf("responselimit: Enforce and Disabled are both set; enforce a limit or disable it")
	}
	l.limit = s.Bytes
	l.sizeWarning = " exceeds " + size.FormatUpper(s.Bytes) +
		". API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit"
	l.refusal = apierror.New(http.StatusInternalServerError, "")
	return l, nil
}

// ErrLimitExceeded is the error of writes refused by Enforce (and of every
// write after them). Its StatusCode is 500; apierror sends nothing for it,
// since the middleware has answered already.
var ErrLimitExceeded = watch.ErrRefused

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ww, st := watch.Wrap(w)
	if l.enforce {
		l.serveEnforced(ww, st, r)
		return
	}
	l.next.ServeHTTP(ww, r)
	l.check(st, r)
}

// check runs Next's checks once the handler has returned.
func (l *limiter) check(st *watch.Writer, r *http.Request) {
	if st.Hijacked() {
		return
	}
	if !l.disabled && st.Written() >= l.limit {
		l.warnSize(r, st.Written(), false)
	}
	if !l.external && !st.Started() {
		l.warnUnresolved(r)
	}
}

// serveEnforced is ServeHTTP with Enforce: a write hook refuses the write
// that would reach the limit, answers 500 if nothing was sent yet, and seals
// the response. It lives apart so that the hook's captured state costs
// nothing when Enforce is off.
func (l *limiter) serveEnforced(ww http.ResponseWriter, st *watch.Writer, r *http.Request) {
	var crossed, startedBefore bool
	var attempted int64 // the size the response would have reached
	prev := st.OnWrite
	st.OnWrite = func(st *watch.Writer, n int64) bool {
		if st.Written()+n < l.limit {
			return prev == nil || prev(st, n)
		}
		crossed, startedBefore, attempted = true, st.Started(), st.Written()+n
		st.OnWrite = nil
		if !startedBefore {
			st.ResetHeader() // the 500 must not carry the handler's Set-Cookie, Cache-Control...
			l.errs.Render(ww, r, l.refusal)
		}
		st.Seal()
		return false
	}
	defer func() { st.OnWrite = prev }()
	l.next.ServeHTTP(ww, r)
	if !crossed {
		l.check(st, r)
		return
	}
	l.warnSize(r, attempted, true)
	if startedBefore {
		panic(http.ErrAbortHandler)
	}
}
