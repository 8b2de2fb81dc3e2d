package compose

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/justinas/alice"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/requestid"
	"github.com/apiroutes/apiroutes/responselimit"
	"github.com/apiroutes/apiroutes/route"
)

// Config is one route's configuration, the Go form of Next's
//
//	export const config = { api: { bodyParser: { sizeLimit: '10mb' }, responseLimit: '8mb', externalResolver: true } }
//
// which is
//
//	compose.Config{Body: bodyparser.Config{SizeLimit: "10mb"}, Response: responselimit.Config{Limit: "8mb", ExternalResolver: true}}
//
// It holds each layer's own configuration, documented in that layer's
// package. Its zero value is Next's default, plus a protection against
// cross-site request forgery (see DisableCrossOriginProtection).
//
// A copy of a Config shares what the original points to: the slices
// BeforeBody and Methods, the *cors.Options, *ratelimit.Config,
// *bodyparser.MultipartConfig and *http.CrossOriginProtection. Give a route its own by assigning a new
// value, never by changing the shared one in place:
// hook.BeforeBody = append(slices.Clip(api.BeforeBody), verify),
// o := *api.CORS; o.MaxAge = time.Hour; hook.CORS = &o.
type Config struct {
	// Body configures the body parser (Raw is Next's bodyParser: false).
	Body bodyparser.Config

	// Response configures the response checks (Disabled is Next's
	// responseLimit: false).
	Response responselimit.Config

	// CORS, when not nil, applies to the route; nil means same-origin only.
	CORS *cors.Options

	// Errors renders and logs every error answer of the route, from the
	// cross-origin 403 to a panic's 500, unless Body.Errors or
	// Response.Errors is set for its layer. Errors.Logger also receives the
	// response warnings and the CORS refusals, unless Response.Logger or
	// CORS.Logger is set, and the cross-origin refusals (Debug level).
	// Errors.Codec is the route's JSON codec, unless Body.Codec is set for
	// the body.
	Errors apierror.Config

	// Methods, when not empty, lists the methods the route serves, upper
	// case. The chain answers the others as route.Methods would (HEAD
	// passes when GET is listed, OPTIONS is answered 204, anything else
	// 405, with Allow) before BeforeBody runs. [Route] fills it from a
	// route.Methods handler; with [Chain], set it yourself.
	Methods []string

	// RateLimit, when not nil, limits the route's requests per client
	// address, after the cross-origin check and before the method check
	// (see ratelimit.Config). Its Errors, when zero, is Errors. A nil
	// Store gives the chain a memory store of its own, made at its first
	// request: each Route or RouteFunc call has its own limit, and the
	// handlers of one Chain(c), each of its Then, share one. Set one Store
	// and Name to share a limit across chains (never a memory store across
	// different Limits). A limit per user needs the user, so authentication
	// first: put ratelimit.New in BeforeBody, after the authentication
	// middleware, instead.
	RateLimit *ratelimit.Config

	// BeforeBody are middlewares that run, in order, before the body is
	// read: authentication and rate limits, so that a client they refuse
	// costs no body read. Their answers carry CORS headers and count as
	// answers.
	BeforeBody []func(http.Handler) http.Handler

	// CrossOriginProtection, when not nil, is the route's protection
	// against cross-site request forgery, in place of a zero one: set it
	// to an [http.CrossOriginProtection] you gave trusted origins
	// (AddTrustedOrigin). The chain only calls its Check: its deny
	// handler is not used, and it is never changed. Give it no bypass
	// patterns: a route opts out with DisableCrossOriginProtection.
	CrossOriginProtection *http.CrossOriginProtection

	// DisableCrossOriginProtection lets browsers send the route
	// state-changing requests (POST, PUT, PATCH, DELETE…) from any origin,
	// as Next.js does. By default the chain refuses, with 403, those that
	// a browser marks as coming from another origin (Sec-Fetch-Site, else
	// an Origin that is not the Host), unless CORS lists that exact origin
	// in AllowedOrigins. Patterns, AllowOriginFunc and "*" trust no one:
	// they let other sites read answers, not act with your users' cookies
	// (trust more with CrossOriginProtection's AddTrustedOrigin). Requests
	// without those headers (curl, servers, webhooks) and GET, HEAD and
	// OPTIONS always pass.
	DisableCrossOriginProtection bool

	// RequestID, when true, puts requestid.Handler outermost: each request
	// keeps its X-Request-Id or gets a new one, which every log line of
	// the chain carries and problem+json bodies name as their instance.
	// Off by default: it costs about three allocations per request.
	RequestID bool
}

// Chain returns the standard chain for c, in this fixed order:
//
//	(requestid.Handler) → apierror.Recover → cors → responselimit → cross-origin check → (ratelimit) → method check → BeforeBody… → bodyparser → (appended middleware) → handler
//
// The request id layer, when RequestID is set, comes first so that every
// log line has the id. Recover is next so that a panic anywhere becomes a 500, and it
// creates the one response watcher that the inner layers reuse. CORS comes
// next so that preflights are answered before anything else runs, and so
// that every answer, the errors included, carries the CORS headers a
// browser needs to read it. The response checks sit outside the rest, so
// that a 403, a 405, the 401 of an authentication layer and the body
// parser's 400 and 413 count as answers. The cross-origin check (see
// [Config].DisableCrossOriginProtection) refuses a forged request before
// anything of the route runs or reads its body, the rate limit a client
// over its limit (its 429 counts as an answer and carries CORS headers),
// and the method check a method the route does not serve. Middleware you Append
// to the returned chain runs after the body is parsed (a layer that needs
// the body, such as a signature check).
//
// Chain copies what it needs of c, and panics with a "compose: " error if
// c is invalid; call [Config.Validate] first to get the error instead.
func Chain(c Config) alice.Chain {
	ch, err := c.chain()
	if err != nil {
		panic(err)
	}
	return ch
}

// Validate reports whether c is usable, with an error that names c's
// fields as you wrote them ("compose: CORS.AllowedOrigins is empty…").
// [Chain], [Route] and [RouteFunc] panic with the same error.
func (c Config) Validate() error {
	_, err := c.chain()
	return err
}

func (c Config) chain() (alice.Chain, error) {
	logger := c.Errors.Logger
	mws := make([]alice.Constructor, 0, 8+len(c.BeforeBody))
	if c.RequestID {
		mws = append(mws, requestid.Handler) // outermost: every layer, Recover's log included, has the id
	}
	mws = append(mws, c.Errors.Recover)
	if c.CORS != nil {
		o := *c.CORS
		if o.Logger == nil {
			o.Logger = logger
		}
		if err := o.Validate(); err != nil {
			return alice.Chain{}, renamed(err, "cors: ", "compose: CORS.")
		}
		mws = append(mws, cors.New(o))
	}
	rl := c.Response
	if rl.Logger == nil {
		rl.Logger = logger
	}
	if err := rl.Validate(); err != nil {
		return alice.Chain{}, renamed(err, "responselimit: ", "compose: Response.")
	}
	mws = append(mws, responselimit.New(rl))
	if !c.DisableCrossOriginProtection {
		mws = append(mws, c.crossOriginCheck())
	}
	if c.RateLimit != nil {
		o := *c.RateLimit
		if o.Errors.Renderer == nil && o.Errors.Logger == nil && o.Errors.Codec == nil {
			o.Errors = c.Errors
		}
		if err := o.Validate(); err != nil {
			return alice.Chain{}, renamed(err, "ratelimit: ", "compose: RateLimit.")
		}
		mws = append(mws, ratelimit.New(o))
	}
	if len(c.Methods) > 0 {
		check, err := methodCheck(c.Methods)
		if err != nil {
			return alice.Chain{}, err
		}
		mws = append(mws, check)
	}
	for i, mw := range c.BeforeBody {
		if mw == nil {
			return alice.Chain{}, fmt.Errorf("compose: BeforeBody[%d] is nil", i)
		}
		mws = append(mws, mw)
	}
	if err := c.Body.Validate(); err != nil {
		return alice.Chain{}, renamed(err, "bodyparser: ", "compose: Body.")
	}
	mws = append(mws, bodyparser.New(c.Body))
	return alice.New(mws...), nil
}

// methodCheck passes the methods in methods on to the rest of the chain and
// answers the others with a route.Methods of them, so that Allow, HEAD and
// OPTIONS are exactly route's.
func methodCheck(methods []string) (alice.Constructor, error) {
	allowed := slices.Clone(methods)
	if err := methodsOf(allowed, http.NotFoundHandler()).Validate(); err != nil {
		return nil, renamed(err, "route: Methods key ", "compose: Methods ")
	}
	refuse := methodsOf(allowed, http.NotFoundHandler())
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, ok := refuse[r.Method]
			if !ok && r.Method == http.MethodHead {
				_, ok = refuse[http.MethodGet]
			}
			if ok {
				next.ServeHTTP(w, r) // the route's own handler decides what no response means
				return
			}
			refuse.ServeHTTP(w, r)
		})
	}, nil
}

// methodsOf returns a route.Methods that sends every method in methods to h.
func methodsOf(methods []string, h http.Handler) route.Methods {
	m := make(route.Methods, len(methods))
	for _, k := range methods {
		m[k] = h
	}
	return m
}

// fieldError is a layer's configuration error retold with the name of the
// compose field; it unwraps to the layer's error.
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

// Route returns h behind the standard chain for c (see [Chain]). When h is
// a route.Methods and c.Methods is empty, c.Methods is h's methods, so that
// a method h does not serve is refused before anything else of the route
// runs. Route panics with a "compose: " error if c is invalid, or if h is a
// route.Methods with a key that is not an upper-case method.
func Route(h http.Handler, c Config) http.Handler {
	if h == nil {
		panic(errors.New("compose: Route: nil handler"))
	}
	if m, ok := h.(route.Methods); ok {
		if err := m.Validate(); err != nil {
			panic(fmt.Errorf("compose: %w", err))
		}
		if len(c.Methods) == 0 {
			c.Methods = slices.Sorted(maps.Keys(m))
		}
	}
	return Chain(c).Then(h)
}

// RouteFunc is [Route] for a handler that returns an error, which is
// rendered with c.Errors (see apierror.HandlerFunc).
func RouteFunc(fn func(http.ResponseWriter, *http.Request) error, c Config) http.Handler {
	return Route(apierror.HandlerFunc(fn), c)
}
