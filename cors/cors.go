package cors

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	rscors "github.com/rs/cors"

	"github.com/apiroutes/apiroutes/internal/httptoken"
	"github.com/apiroutes/apiroutes/internal/reqid"
)

// Options configures CORS for the routes it wraps. Only AllowedOrigins (or
// AllowOriginFunc) must be set; every other field has a documented default.
type Options struct {
	// AllowedOrigins lists the origins allowed to read responses, each
	// "scheme://host" or "scheme://host:port" (no path, query or trailing
	// slash), matched case-insensitively. "*" allows any origin. A "*" as the
	// first label of the host allows every subdomain:
	// "https://*.example.com" matches "https://app.example.com" and
	// "https://a.b.example.com" but not "https://example.com" or
	// "https://.example.com": what the "*" stands for must be DNS labels
	// (letters, digits and inner hyphens, 1 to 63 each, joined by dots).
	AllowedOrigins []string

	// AllowOriginFunc, if set, decides instead of AllowedOrigins. It is
	// called with the request's Origin header and should be fast.
	AllowOriginFunc func(origin string) bool

	// AllowedMethods lists the methods allowed across origins. Default:
	// GET, POST and HEAD (OPTIONS is always allowed). Methods are
	// case-sensitive: "PUT", not "put".
	AllowedMethods []string

	// AllowedHeaders lists the request headers allowed across origins,
	// case-insensitively. "*" allows any. Default: Accept, Content-Type and
	// X-Requested-With (add Authorization for bearer tokens).
	AllowedHeaders []string

	// ExposedHeaders lists the response headers scripts on other origins may
	// read, beyond the CORS-safelisted ones. Default: none.
	ExposedHeaders []string

	// MaxAge is how long browsers may cache a preflight answer, in whole
	// seconds. Zero sends no Access-Control-Max-Age (browsers then cache it
	// for 5 seconds); a negative value sends 0, which asks them not to cache
	// it at all. Chromium caps the cache at 2 hours, Firefox at 24.
	MaxAge time.Duration

	// AllowCredentials lets cross-origin requests carry cookies and HTTP
	// authentication, and scripts read their responses. It cannot be
	// combined with "*" or a wildcard origin: an error at construction, not
	// a reflected origin at request time.
	AllowCredentials bool

	// AllowPrivateNetwork answers Private Network Access preflights
	// (Access-Control-Request-Private-Network) positively.
	AllowPrivateNetwork bool

	// OptionsPassthrough passes preflight requests on to the wrapped handler
	// after adding the CORS headers, instead of answering them.
	OptionsPassthrough bool

	// OptionsSuccessStatus is the status of answered preflights. Default
	// 204; 200 for old clients that need it.
	OptionsSuccessStatus int

	// Logger receives, at Debug level, the reason each refused preflight was
	// refused. Nil means slog.Default(). Nothing is built for the log unless
	// Debug is enabled.
	Logger *slog.Logger
}

// New returns a middleware that applies o to the handlers it wraps. It
// panics with a "cors: " error when o is invalid, so that a bad policy
// fails at start-up; call [Options.Validate] first to get the error
// instead.
func New(o Options) func(http.Handler) http.Handler {
	p, err := compile(o)
	if err != nil {
		panic(err)
	}
	c := rscors.New(p.rs)
	return func(next http.Handler) http.Handler {
		return &handler{rs: c.Handler(next), c: c, p: p}
	}
}

// Validate reports the first problem with o, as a "cors: " error that names
// the field and the value.
func (o Options) Validate() error {
	_, err := compile(o)
	return err
}

// AllowAll returns a middleware that allows every origin, the methods HEAD,
// GET, POST, PUT, PATCH and DELETE, and every header, without credentials:
// for development, never for an API that relies on cookies.
func AllowAll() func(http.Handler) http.Handler {
	return New(Options{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{http.MethodHead, http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"*"},
	})
}

// policy is a validated Options, and what the debug log needs to explain a
// refusal.
type policy struct {
	rs      rscors.Options
	methods map[string]bool
	headers map[string]bool
	logger  *slog.Logger
}

func compile(o Options) (*policy, error) {
	p := &policy{
		methods: map[string]bool{http.MethodOptions: true},
		headers: map[string]bool{},
		logger:  o.Logger,
	}
	rs := rscors.Options{
		AllowOriginFunc:      o.AllowOriginFunc,
		AllowCredentials:     o.AllowCredentials,
		AllowPrivateNetwork:  o.AllowPrivateNetwork,
		OptionsPassthrough:   o.OptionsPassthrough,
		OptionsSuccessStatus: o.OptionsSuccessStatus,
	}

	if o.AllowOriginFunc == nil && len(o.AllowedOrigins) == 0 {
		return nil, fmt.Errorf(`cors: AllowedOrigins is empty: list the origins that may call this route, like "https://app.example.com", or use AllowAll() for development (rs/cors would allow every origin here)`)
	}
	var m origins
	star := false
	for _, origin := range o.AllowedOrigins {
		norm, wild, err := checkOrigin(origin)
		if err != nil {
			return nil, err
		}
		if o.AllowCredentials && (norm == "*" || wild) {
			return nil, fmt.Errorf("cors: AllowedOrigins %q with AllowCredentials: any site could then read your users' responses with their cookies; list the exact origins instead", origin)
		}
		rs.AllowedOrigins = append(rs.AllowedOrigins, norm)
		switch i := strings.IndexByte(norm, '*'); {
		case norm == "*":
			star = true
		case wild:
			m.wild = append(m.wild, wildcard{prefix: norm[:i], suffix: norm[i+1:]})
		default:
			m.exact = append(m.exact, norm)
		}
	}
	// A wildcard is matched here (see origins); "*" keeps rs/cors's own
	// answer, "*".
	if o.AllowOriginFunc == nil && len(m.wild) > 0 && !star {
		rs.AllowOriginFunc = m.allowed
		rs.AllowedOrigins = nil
	}

	rs.AllowedMethods = []string{http.MethodGet, http.MethodPost, http.MethodHead}
	if len(o.AllowedMethods) > 0 {
		rs.AllowedMethods = nil
		for _, m := range o.AllowedMethods {
			if m == "" {
				return nil, fmt.Errorf("cors: AllowedMethods has an empty method")
			}
			if !httptoken.IsToken(m) {
				return nil, fmt.Errorf("cors: AllowedMethods %q is not a method name", m)
			}
			if up := strings.ToUpper(m); up != m {
				return nil, fmt.Errorf("cors: AllowedMethods %q: methods are case-sensitive and browsers send %q; write %q", m, up, up)
			}
			rs.AllowedMethods = append(rs.AllowedMethods, m)
		}
	}
	for _, m := range rs.AllowedMethods {
		p.methods[m] = true
	}

	headers := o.AllowedHeaders
	if len(headers) == 0 {
		headers = []string{"Accept", "Content-Type", "X-Requested-With"}
	}
	for _, h := range headers {
		if h != "*" && !httptoken.IsToken(h) {
			return nil, fmt.Errorf("cors: AllowedHeaders %q is not a header name", h)
		}
		p.headers[strings.ToLower(h)] = true
		rs.AllowedHeaders = append(rs.AllowedHeaders, h)
	}
	for _, h := range o.ExposedHeaders {
		if !httptoken.IsToken(h) {
			return nil, fmt.Errorf("cors: ExposedHeaders %q is not a header name", h)
		}
		rs.ExposedHeaders = append(rs.ExposedHeaders, h)
	}

	switch {
	case o.MaxAge < 0:
		rs.MaxAge = -1 // rs/cors sends "0"
	case o.MaxAge > 0 && o.MaxAge < time.Second:
		return nil, fmt.Errorf("cors: MaxAge %v is under a second; Access-Control-Max-Age counts whole seconds", o.MaxAge)
	case o.MaxAge > 0:
		rs.MaxAge = int(o.MaxAge / time.Second)
	}
	if s := o.OptionsSuccessStatus; s != 0 && (s < 200 || s > 299) {
		return nil, fmt.Errorf("cors: OptionsSuccessStatus %d is not a 2xx status; browsers fail preflights answered otherwise", s)
	}
	p.rs = rs
	return p, nil
}

// checkOrigin validates one AllowedOrigins entry and returns it
// lower-cased, and whether it has a wildcard.
func checkOrigin(origin string) (string, bool, error) {
	if origin == "*" {
		return "*", false, nil
	}
	bad := func(why string) (string, bool, error) {
		return "", false, fmt.Errorf("cors: AllowedOrigins %q: %s", origin, why)
	}
	if origin == "" {
		return bad(`empty origin; write "https://host" or "https://host:port"`)
	}
	if strings.EqualFold(origin, "null") {
		return bad(`"null" is the origin of sandboxed documents and local files: any page can send it; use AllowOriginFunc if you really mean it`)
	}
	norm := strings.ToLower(origin)
	scheme, rest, ok := strings.Cut(norm, "://")
	if !ok || scheme == "" || rest == "" {
		return bad(`want "scheme://host[:port]", like "https://app.example.com"`)
	}
	if strings.ContainsAny(rest, "/?#") {
		return bad(`an origin has no path, query, fragment or trailing slash; write ` + strconv.Quote(scheme+"://"+strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || r == '?' || r == '#' })[0]))
	}
	if strings.Contains(rest, "@") {
		return bad("an origin has no user information")
	}
	wildcard := false
	host := rest
	if strings.Contains(rest, "*") {
		if !strings.HasPrefix(rest, "*.") || strings.Count(rest, "*") > 1 {
			return bad(`a wildcard must be the whole first label of the host, like "https://*.example.com"`)
		}
		wildcard = true
		host = "x" + rest[1:]
	}
	u, err := url.Parse(scheme + "://" + host)
	if err != nil || u.Host != host || u.Hostname() == "" {
		return bad("not a valid scheme://host[:port]")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad("port out of range")
		}
	}
	return norm, wildcard, nil
}

type handler struct {
	rs http.Handler // rs/cors around the wrapped handler
	c  *rscors.Cors
	p  *policy
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		h.rs.ServeHTTP(w, r) // not a preflight
		return
	}
	logger := h.p.logger
	if logger == nil {
		logger = slog.Default()
	}
	if !logger.Enabled(r.Context(), slog.LevelDebug) {
		h.rs.ServeHTTP(w, r)
		return
	}
	// rs/cors refused the preflight if its answer has no
	// Access-Control-Allow-Origin.
	_, had := w.Header()["Access-Control-Allow-Origin"]
	h.rs.ServeHTTP(w, r)
	if _, has := w.Header()["Access-Control-Allow-Origin"]; had || has {
		return
	}
	h.logRefusal(logger, r)
}

// logRefusal logs at Debug why rs/cors refused a preflight, checking its
// rules in rs/cors's order and the origin with rs/cors's own OriginAllowed.
func (h *handler) logRefusal(logger *slog.Logger, r *http.Request) {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	var reason string
	var attrs []slog.Attr
	switch {
	case origin == "":
		reason = "no Origin header"
	case !h.c.OriginAllowed(r):
		reason = "origin not allowed"
		attrs = append(attrs, slog.String("origin", origin))
	case !h.p.methods[method]:
		reason = "method not allowed"
		attrs = append(attrs, slog.String("origin", origin), slog.String("method", method))
	default:
		// rs/cors accepts the list only as browsers send it: allowed names,
		// lower-case, sorted, each once, at most one space around commas.
		reason = "header not allowed"
		requested := r.Header.Values("Access-Control-Request-Headers")
		attrs = append(attrs, slog.String("origin", origin), slog.String("headers", strings.Join(requested, ",")))
		if bad := h.p.unknownHeader(requested); bad != "" {
			attrs = append(attrs, slog.String("header", bad))
		}
	}
	attrs = append(attrs, slog.String("reason", reason), slog.String("path", r.URL.Path))
	attrs = reqid.AppendAttr(r.Context(), attrs) // the request's id (package requestid), if any
	logger.LogAttrs(r.Context(), slog.LevelDebug, "cors: preflight refused: "+reason, attrs...)
}

// unknownHeader returns the first requested header name that is not
// allowed in any letter case, or "" if the refusal is about the list's
// shape (case, order, duplicates, spaces).
func (p *policy) unknownHeader(values []string) string {
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			h = strings.ToLower(strings.TrimSpace(h))
			if h != "" && !p.headers[h] {
				return h
			}
		}
	}
	return ""
}
