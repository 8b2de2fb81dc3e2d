package compose

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/justinas/alice"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/responselimit"
	"github.com/apiroutes/apiroutes/route"
)

// BodyParser chooses what the chain does with request bodies.
type BodyParser uint8

const (
	// Parse reads and parses the body (the default), like Next's
	// bodyParser: true.
	Parse BodyParser = iota
	// Raw leaves the body stream alone, like bodyParser: false.
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
	// Errors chooses the renderer and logger of every error answer of the
	// route, from the body parser's 413 to a panic's 500.
	Errors apierror.Config
	// Logger receives the warnings (response size, unresolved response)
	// and, when Errors.Logger is nil, the errors. Nil means slog.Default().
	Logger *slog.Logger
}

// Chain returns the standard chain for c, in this fixed order:
//
//	apierror.Recover → cors → responselimit → bodyparser → (your middleware) → handler
//
// Recover is outermost so that a panic anywhere becomes a 500, and it
// creates the one response watcher that the inner layers reuse. CORS comes
// next so that preflights are answered before a body is read, and so that
// every answer, the errors included, carries the CORS headers a browser
// needs to read it. The response checks sit outside the body parser, so
// its 400 and 413 answers count as answers. Append your own middleware
// (authentication, say) to the returned chain: it runs after the body is
// parsed.
//
// Chain panics with a "compose: " error if c is invalid; see [ChainE].
func Chain(c Config) alice.Chain {
	ch, err := ChainE(c)
	if err != nil {
		panic(err)
	}
	return ch
}

// ChainE is [Chain] returning the configuration error instead of
// panicking.
func ChainE(c Config) (alice.Chain, error) {
	errs := c.Errors
	if errs.Logger == nil {
		errs.Logger = c.Logger
	}
	var mws []alice.Constructor
	mws = append(mws, errs.Recover)
	if c.CORS != nil {
		o := *c.CORS
		if o.Logger == nil {
			o.Logger = c.Logger
		}
		mw, err := cors.NewE(o)
		if err != nil {
			return alice.Chain{}, fmt.Errorf("compose: CORS: %w", err)
		}
		mws = append(mws, mw)
	}
	rl := responselimit.Config{
		Limit:            c.ResponseLimit,
		Disabled:         c.DisableResponseLimit,
		ExternalResolver: c.ExternalResolver,
		Enforce:          c.EnforceResponseLimit,
		Logger:           c.Logger,
	}
	if err := rl.Validate(); err != nil {
		return alice.Chain{}, fmt.Errorf("compose: %w", err)
	}
	mws = append(mws, responselimit.New(rl))
	bp := bodyparser.Config{SizeLimit: c.SizeLimit, Raw: c.BodyParser == Raw}
	if c.BodyParser > Raw {
		return alice.Chain{}, fmt.Errorf("compose: BodyParser %d is neither Parse nor Raw", c.BodyParser)
	}
	if err := bp.Validate(); err != nil {
		return alice.Chain{}, fmt.Errorf("compose: %w", err)
	}
	mws = append(mws, bodyparser.New(bp))
	return alice.New(mws...), nil
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
// RouteFunc and Chain merge it with each route's Config: a field the route
// leaves at its zero value takes the default's; for the boolean fields a
// default can turn a behaviour on for every route, and a route can turn it
// on for itself, but not off.
//
//	api := compose.Defaults{Errors: apierror.Config{Renderer: apierror.Problem}, CORS: &corsOptions}
//	mux.Handle("/api/tasks", api.Route(tasks, compose.Config{}))
//	mux.Handle("/api/upload", api.Route(upload, compose.Config{SizeLimit: "10mb"}))
type Defaults Config

// Merge returns c with its zero fields taken from d.
func (d Defaults) Merge(c Config) Config {
	if c.BodyParser == Parse {
		c.BodyParser = d.BodyParser
	}
	if c.SizeLimit == "" {
		c.SizeLimit = d.SizeLimit
	}
	if c.ResponseLimit == "" {
		c.ResponseLimit = d.ResponseLimit
	}
	c.DisableResponseLimit = c.DisableResponseLimit || d.DisableResponseLimit
	c.EnforceResponseLimit = c.EnforceResponseLimit || d.EnforceResponseLimit
	c.ExternalResolver = c.ExternalResolver || d.ExternalResolver
	if c.CORS == nil {
		c.CORS = d.CORS
	}
	if c.Errors.Renderer == nil {
		c.Errors.Renderer = d.Errors.Renderer
	}
	if c.Errors.Logger == nil {
		c.Errors.Logger = d.Errors.Logger
	}
	if c.Logger == nil {
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
