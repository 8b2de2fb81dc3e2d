package compose

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/justinas/alice"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/responselimit"
	"github.com/apiroutes/apiroutes/route"
)

// BodyParser chooses what the chain does with request bodies.
type BodyParser uint8

const (
	// Parse reads and parses the body (the default), like Next's
	// bodyParser: true.
	Parse BodyParser = iota
	// Raw leaves the body stream alone, like bodyParser: false; it is
	// bodyparser.Config.Raw.
	Raw
)

// Config is one route's configuration, the Go form of Next's
//
//	export const config = { api: { bodyParser: { sizeLimit: '10mb' }, responseLimit: '8mb', externalResolver: true } }
//
// Its zero value is Next's default: bodies parsed up to 1mb, a warning for
// responses of 4mb or more and for handlers that answer nothing, no CORS,
// JSON errors.
type Config struct {
	// BodyParser is Parse (default) or Raw.
	BodyParser BodyParser
	// SizeLimit bounds request bodies ("1mb" by default; in Raw mode, no
	// limit unless set). See bodyparser.Config.SizeLimit.
	SizeLimit bodyparser.Size
	// AlwaysJSON reads every body as JSON whatever its Content-Type, like
	// the App Router's request.json(). See bodyparser.Config.AlwaysJSON.
	AlwaysJSON bool
	// Multipart, when set, parses multipart/form-data bodies on the stream
	// within its limits, like request.formData(). See
	// bodyparser.Config.Multipart.
	Multipart *bodyparser.MultipartConfig
	// ReadTimeout bounds how long reading the body may take (30s by
	// default, none in Raw mode unless set; negative: no deadline). See
	// bodyparser.Config.ReadTimeout.
	ReadTimeout time.Duration
	// DisableDecompression refuses gzip and deflate bodies with 415 instead
	// of decoding them. See bodyparser.Config.DisableDecompression.
	DisableDecompression bool
	// MaxDecompressionRatio bounds how many times its size on the wire a
	// compressed body may decode to (200 by default; negative: no ratio).
	// See bodyparser.Config.MaxDecompressionRatio.
	MaxDecompressionRatio int
	// ResponseLimit is the response size that is reported ("4mb" by
	// default). See responselimit.Config.Limit.
	ResponseLimit responselimit.Size
	// DisableResponseLimit turns the response size check off, like Next's
	// responseLimit: false.
	DisableResponseLimit bool
	// EnforceResponseLimit stops responses that reach the limit instead of
	// reporting them. See responselimit.Config.Enforce.
	EnforceResponseLimit bool
	// ExternalResolver silences the unresolved-response warning, like Next's
	// externalResolver: true.
	ExternalResolver bool
	// CORS, when not nil, applies to the route; nil means same-origin only.
	CORS *cors.Options
	// BeforeBody are middlewares that run before the body is read, in
	// order: authentication and rate limits, so that a client they refuse
	// never makes the server read its body. They run inside the CORS and
	// response layers, so their answers carry CORS headers, count as
	// answers and use Errors' renderer.
	BeforeBody []func(http.Handler) http.Handler
	// Errors chooses the renderer and logger of every error answer of the
	// route, from the body parser's 413 to a panic's 500.
	Errors apierror.Config
	// Logger receives the warnings (response size, unresolved response)
	// and, when Errors.Logger is nil, the errors. Nil means slog.Default().
	Logger *slog.Logger
	// Override lists the fields that this route keeps as they are when
	// merged with [Defaults], even at their zero value: Override: OverrideCORS
	// with a nil CORS turns the default CORS policy off for the route,
	// OverrideBeforeBody with no BeforeBody drops the default
	// authentication (for a login route, say). Outside Defaults it does
	// nothing.
	Override Field
}

// Field names a field of [Config], for [Config.Override].
type Field uint16

// The fields a route can override.
const (
	OverrideBodyParser Field = 1 << iota
	OverrideSizeLimit
	OverrideResponseLimit
	OverrideDisableResponseLimit
	OverrideEnforceResponseLimit
	OverrideExternalResolver
	OverrideCORS
	OverrideBeforeBody
	OverrideErrors // both Errors.Renderer and Errors.Logger
	OverrideLogger
	OverrideReadTimeout
	OverrideAlwaysJSON
	OverrideMultipart
	OverrideDecompression // both DisableDecompression and MaxDecompressionRatio
)

// Chain returns the standard chain for c, in this fixed order:
//
//	apierror.Recover → cors → responselimit → BeforeBody… → bodyparser → (appended middleware) → handler
//
// Recover is outermost so that a panic anywhere becomes a 500, and it
// creates the one response watcher that the inner layers reuse. CORS comes
// next so that preflights are answered before anything else runs, and so
// that every answer, the errors included, carries the CORS headers a
// browser needs to read it. The response checks sit outside the rest, so
// that the 401 of an authentication layer and the body parser's 400 and
// 413 count as answers. BeforeBody (authentication, rate limits) runs
// before the body is read: a client it refuses costs no body read.
// Middleware you Append to the returned chain runs after the body is
// parsed (a layer that needs the body, such as a signature check).
//
// Chain panics with a "compose: " error if c is invalid; call
// [Config.Validate] first to get the error instead.
func Chain(c Config) alice.Chain {
	ch, err := c.chain()
	if err != nil {
		panic(err)
	}
	return ch
}

// Validate reports whether c is usable, with an error that names c's
// fields as you wrote them ("compose: ResponseLimit "4m": unknown unit…",
// "compose: CORS.AllowedOrigins is empty…"). [Chain], [Route] and
// [RouteFunc] panic with the same error. For a route built from
// [Defaults], validate the merged config: d.Merge(c).Validate().
func (c Config) Validate() error {
	_, err := c.chain()
	return err
}

func (c Config) chain() (alice.Chain, error) {
	if c.BodyParser > Raw {
		return alice.Chain{}, fmt.Errorf("compose: BodyParser %d is neither Parse nor Raw", c.BodyParser)
	}
	if c.SizeLimit != "" {
		if _, err := size.Parse(string(c.SizeLimit)); err != nil {
			return alice.Chain{}, fmt.Errorf("compose: SizeLimit %w", err)
		}
	}
	if c.ResponseLimit != "" {
		s, err := size.Parse(string(c.ResponseLimit))
		if err != nil {
			return alice.Chain{}, fmt.Errorf("compose: ResponseLimit %w", err)
		}
		if s.Bytes == 0 && !c.DisableResponseLimit {
			return alice.Chain{}, fmt.Errorf("compose: ResponseLimit %q: a zero limit reports every response; set DisableResponseLimit to turn the check off", c.ResponseLimit)
		}
	}
	if c.EnforceResponseLimit && c.DisableResponseLimit {
		return alice.Chain{}, errors.New("compose: EnforceResponseLimit and DisableResponseLimit are both set; enforce the limit or disable it")
	}
	for i, mw := range c.BeforeBody {
		if mw == nil {
			return alice.Chain{}, fmt.Errorf("compose: BeforeBody[%d] is nil", i)
		}
	}

	errs := c.Errors
	if errs.Logger == nil {
		errs.Logger = c.Logger
	}
	mws := make([]alice.Constructor, 0, 4+len(c.BeforeBody))
	mws = append(mws, errs.Recover)
	if c.CORS != nil {
		o := *c.CORS
		if o.Logger == nil {
			o.Logger = c.Logger
		}
		if err := o.Validate(); err != nil {
			return alice.Chain{}, renamed(err, "cors: ", "compose: CORS.")
		}
		mws = append(mws, cors.New(o))
	}
	rl := responselimit.Config{
		Limit:            c.ResponseLimit,
		Disabled:         c.DisableResponseLimit,
		ExternalResolver: c.ExternalResolver,
		Enforce:          c.EnforceResponseLimit,
		Logger:           c.Logger,
	}
	if err := rl.Validate(); err != nil {
		// Checked above in compose's words; this catches what may be added.
		return alice.Chain{}, renamed(err, "responselimit: Limit", "compose: ResponseLimit")
	}
	mws = append(mws, responselimit.New(rl))
	for _, mw := range c.BeforeBody {
		mws = append(mws, mw)
	}
	bp := bodyparser.Config{SizeLimit: c.SizeLimit, Raw: c.BodyParser == Raw, ReadTimeout: c.ReadTimeout,
		AlwaysJSON: c.AlwaysJSON, Multipart: c.Multipart,
		DisableDecompression: c.DisableDecompression, MaxDecompressionRatio: c.MaxDecompressionRatio}
	if err := bp.Validate(); err != nil {
		return alice.Chain{}, renamed(err, "bodyparser: ", "compose: ")
	}
	mws = append(mws, bodyparser.New(bp))
	return alice.New(mws...), nil
}

// fieldError is a layer's configuration error retold with the name of the
// compose field the user wrote; it unwraps to the layer's error.
type fieldError struct {
	msg string
	err error
}

func (e *fieldError) Error() string { return e.msg }
func (e *fieldError) Unwrap() error { return e.err }

// renamed replaces a layer's prefix in err's message with compose's.
func renamed(err error, from, to string) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, from); ok {
		return &fieldError{msg: to + rest, err: err}
	}
	return &fieldError{msg: "compose: " + msg, err: err}
}

// Route returns h behind the standard chain for c (see [Chain]). It panics
// with a "compose: " error if c is invalid, or if h is a route.Methods with
// a key that is not an upper-case method.
func Route(h http.Handler, c Config) http.Handler {
	if h == nil {
		panic(errors.New("compose: Route: nil handler"))
	}
	if m, ok := h.(route.Methods); ok {
		if err := m.Validate(); err != nil {
			panic(fmt.Errorf("compose: %w", err))
		}
	}
	return Chain(c).Then(h)
}

// RouteFunc is [Route] for a handler that returns an error, which is
// rendered with c.Errors (see apierror.HandlerFunc).
func RouteFunc(fn func(http.ResponseWriter, *http.Request) error, c Config) http.Handler {
	return Route(apierror.HandlerFunc(fn), c)
}

// Defaults is a configuration shared by many routes, set once where the
// server is built; there is no package-level default to change. Its Route,
// RouteFunc and Chain merge it with each route's Config (see
// [Defaults.Merge]): a field the route leaves at its zero value takes the
// default's, unless the route lists it in Override.
//
//	api := compose.Defaults{Errors: apierror.Config{Renderer: apierror.Problem}, CORS: &corsOptions, BeforeBody: auth}
//	mux.Handle("/api/tasks", api.Route(tasks, compose.Config{}))
//	mux.Handle("/api/upload", api.Route(upload, compose.Config{SizeLimit: "10mb"}))
//	mux.Handle("/api/login", api.Route(login, compose.Config{Override: compose.OverrideBeforeBody})) // no auth
//
// To check a merged config without panicking, validate it:
// d.Merge(c).Validate(). A Defaults' own Override is ignored.
type Defaults Config

// Merge returns c with its zero fields taken from d, except the fields c
// lists in Override. BeforeBody is the one field that adds up: d's
// middlewares run first, then c's.
func (d Defaults) Merge(c Config) Config {
	keep := func(f Field) bool { return c.Override&f != 0 }
	if c.BodyParser == Parse && !keep(OverrideBodyParser) {
		c.BodyParser = d.BodyParser
	}
	if c.SizeLimit == "" && !keep(OverrideSizeLimit) {
		c.SizeLimit = d.SizeLimit
	}
	if !keep(OverrideAlwaysJSON) {
		c.AlwaysJSON = c.AlwaysJSON || d.AlwaysJSON
	}
	if c.Multipart == nil && !keep(OverrideMultipart) {
		c.Multipart = d.Multipart
	}
	if !keep(OverrideDecompression) {
		c.DisableDecompression = c.DisableDecompression || d.DisableDecompression
		if c.MaxDecompressionRatio == 0 {
			c.MaxDecompressionRatio = d.MaxDecompressionRatio
		}
	}
	if c.ReadTimeout == 0 && !keep(OverrideReadTimeout) {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.ResponseLimit == "" && !keep(OverrideResponseLimit) {
		c.ResponseLimit = d.ResponseLimit
	}
	if !keep(OverrideDisableResponseLimit) {
		c.DisableResponseLimit = c.DisableResponseLimit || d.DisableResponseLimit
	}
	if !keep(OverrideEnforceResponseLimit) {
		c.EnforceResponseLimit = c.EnforceResponseLimit || d.EnforceResponseLimit
	}
	if !keep(OverrideExternalResolver) {
		c.ExternalResolver = c.ExternalResolver || d.ExternalResolver
	}
	if c.CORS == nil && !keep(OverrideCORS) {
		c.CORS = d.CORS
	}
	if !keep(OverrideBeforeBody) && len(d.BeforeBody) > 0 {
		c.BeforeBody = append(append([]func(http.Handler) http.Handler(nil), d.BeforeBody...), c.BeforeBody...)
	}
	if !keep(OverrideErrors) {
		if c.Errors.Renderer == nil {
			c.Errors.Renderer = d.Errors.Renderer
		}
		if c.Errors.Logger == nil {
			c.Errors.Logger = d.Errors.Logger
		}
	}
	if c.Logger == nil && !keep(OverrideLogger) {
		c.Logger = d.Logger
	}
	return c
}

// Chain is [Chain] with d merged into c.
func (d Defaults) Chain(c Config) alice.Chain { return Chain(d.Merge(c)) }

// Route is [Route] with d merged into c.
func (d Defaults) Route(h http.Handler, c Config) http.Handler { return Route(h, d.Merge(c)) }

// RouteFunc is [RouteFunc] with d merged into c.
func (d Defaults) RouteFunc(fn func(http.ResponseWriter, *http.Request) error, c Config) http.Handler {
	return RouteFunc(fn, d.Merge(c))
}
