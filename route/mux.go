package route

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/apierror"
)

// Mux routes requests with Next.js file-style patterns in Next's order,
// after redirecting unclean paths; the package doc gives the order, the
// defaults and the patterns Handle refuses. Register every route before
// serving; the zero Mux is ready to use.
type Mux struct {
	// Errors renders the 404, 405 and 400 (undecodable parameter) answers
	// of the Mux. Set it before serving.
	Errors apierror.Config

	// TrailingSlash is Next's trailingSlash: true. /x is redirected (308,
	// query kept) to /x/, which the route /x serves; a path whose last
	// segment has an extension (\.\w+, as in /data.json) loses its slash
	// instead, and paths under /.well-known are left alone. False, the
	// default, is Next's default: /x/ is redirected to /x. Patterns are
	// written without the slash either way. Set it before serving.
	TrailingSlash bool

	once   sync.Once
	mu     sync.Mutex // registration
	tree   tree
	root   Group
	sealed atomic.Bool
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

func (m *Mux) group() *Group {
	m.once.Do(func() { m.root.mux = m })
	return &m.root
}

// Use appends middleware, outermost first, to the default chain that wraps
// every route of the Mux. It panics once a route is registered, as the
// chain would silently miss it. A route opts out with [Mux.Replace].
func (m *Mux) Use(mw ...func(http.Handler) http.Handler) { m.group().Use(mw...) }

// Group returns a group of routes under prefix (a pattern path such as
// "/api/admin" or "/api/orgs/[org]") with its own middleware, inside the
// Mux's default chain: Next's per-folder API middleware.
func (m *Mux) Group(prefix string, mw ...func(http.Handler) http.Handler) *Group {
	return m.group().Group(prefix, mw...)
}

// With returns a view of the Mux whose routes get mw inside the default
// chain.
func (m *Mux) With(mw ...func(http.Handler) http.Handler) *Group { return m.group().With(mw...) }

// Replace returns a view of the Mux whose routes get mw instead of the
// default chain: for a route that brings its own (compose.Route with a
// raw body), or, with no mw, none at all.
func (m *Mux) Replace(mw ...func(http.Handler) http.Handler) *Group { return m.group().Replace(mw...) }

// Handle registers h for pattern: a Next-style path ("/api/post/[pid]"),
// optionally prefixed by a method ("POST /api/tasks"), wrapped in the
// default chain. Several methods of one path, or a [Methods], give the
// path one handler per method: the Mux answers the others 405 with Allow
// (OPTIONS 204), and a pattern without a method serves the methods not
// registered. It panics with an error, leaving the Mux unchanged, on a
// pattern that is malformed or that Next would refuse beside the others,
// and once the Mux has started serving.
func (m *Mux) Handle(pattern string, h http.Handler) { m.group().Handle(pattern, h) }

// HandleFunc registers f for pattern; see [Mux.Handle].
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.group().HandleFunc(pattern, f)
}

// A Group registers routes under a path prefix with its own middleware;
// it shares its Mux's table. Groups nest.
type Group struct {
	mux     *Mux
	parent  *Group
	prefix  string // the whole prefix, "" for none
	mws     []func(http.Handler) http.Handler
	replace bool // the chain starts here: the ancestors' is not applied
	used    bool // a route was registered through it or a group inside
}

// Use appends middleware to g's chain. Like [Mux.Use], it panics once a
// route is registered through g.
func (g *Group) Use(mw ...func(http.Handler) http.Handler) {
	g.mux.mu.Lock()
	defer g.mux.mu.Unlock()
	if g.used {
		panic("route: Use after routes were registered through this Mux or group: the middleware would not wrap them; call Use first")
	}
	for _, f := range mw {
		if f == nil {
			panic("route: Use: nil middleware")
		}
	}
	g.mws = append(g.mws, mw...)
}

// Group returns a group under g's prefix followed by prefix, whose routes
// get mw inside g's chain.
func (g *Group) Group(prefix string, mw ...func(http.Handler) http.Handler) *Group {
	if prefix != "" {
		p, err := parsePattern(prefix)
		switch {
		case err != nil:
			panic(strings.Replace(err.Error(), "route: pattern", "route: group prefix", 1))
		case p.method != "" || prefix == "/":
			panic(fmt.Sprintf("route: group prefix %q: want a path without a method, like /api/admin", prefix))
		case strings.Contains(prefix, "[..."):
			panic(fmt.Sprintf("route: group prefix %q: a catch-all must be the last part of a route's path", prefix))
		}
	}
	return g.child(prefix, false, mw)
}

// With returns a view of g whose routes get mw inside g's chain.
func (g *Group) With(mw ...func(http.Handler) http.Handler) *Group { return g.child("", false, mw) }

// Replace returns a view of g whose routes get mw instead of g's chain and
// its ancestors'.
func (g *Group) Replace(mw ...func(http.Handler) http.Handler) *Group { return g.child("", true, mw) }

func (g *Group) child(prefix string, replace bool, mw []func(http.Handler) http.Handler) *Group {
	for _, f := range mw {
		if f == nil {
			panic("route: nil middleware")
		}
	}
	return &Group{mux: g.mux, parent: g, prefix: g.prefix + prefix, mws: slices.Clone(mw), replace: replace}
}

// HandleFunc registers f for pattern under g's prefix.
func (g *Group) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	if f == nil {
		g.Handle(pattern, nil)
		return
	}
	g.Handle(pattern, http.HandlerFunc(f))
}

// Handle registers h for pattern under g's prefix; see [Mux.Handle].
func (g *Group) Handle(pattern string, h http.Handler) {
	full := pattern
	if g.prefix != "" {
		method, path := "", pattern
		if i := strings.IndexByte(pattern, ' '); i >= 0 {
			method, path = pattern[:i+1], strings.TrimLeft(pattern[i+1:], " ")
		}
		if path == "/" {
			path = ""
		}
		full = method + g.prefix + path
	}
	p, err := parsePattern(full)
	if err != nil {
		panic(err)
	}
	if h == nil {
		panic(fmt.Errorf("route: pattern %q: nil handler", full))
	}
	// A Methods registered for a whole path is one route per method, so
	// that the Mux answers the rest with its own 405.
	handlers := map[string]http.Handler{p.method: h}
	if ms, ok := h.(Methods); ok {
		if err := ms.Validate(); err != nil {
			panic(fmt.Errorf("route: pattern %q: %v", full, strings.TrimPrefix(err.Error(), "route: ")))
		}
		if p.method == "" {
			handlers = make(map[string]http.Handler, len(ms))
			for k, v := range ms {
				handlers[k] = answered(v)
			}
		}
	}
	methods := slices.Sorted(maps.Keys(handlers))

	m := g.mux
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sealed.Load() {
		panic(fmt.Errorf("route: pattern %q registered after the Mux started serving", full))
	}
	if err := m.tree.check(p, methods); err != nil {
		panic(err)
	}
	chain := g.chain()
	e := m.tree.insert(p)
	for _, method := range methods {
		e.add(m, method, wrap(chain, handlers[method]), chain)
	}
	for x := g; x != nil; x = x.parent {
		x.used = true
	}
}

// chain is the middleware of g's routes, outermost first.
func (g *Group) chain() []func(http.Handler) http.Handler {
	if g.replace || g.parent == nil {
		return g.mws
	}
	return slices.Concat(g.parent.chain(), g.mws)
}

func wrap(chain []func(http.Handler) http.Handler, h http.Handler) http.Handler {
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
		if h == nil {
			panic("route: a middleware returned a nil handler")
		}
	}
	return h
}

// entry is what one path serves.
type entry struct {
	path    string  // the Next-style path, prefix included
	params  []param // its dynamic segments
	plain   http.Handler
	methods []methodRoute
	allow   string
	// fallback answers the methods the path does not serve, behind the
	// chain of its first registration (so a CORS layer sees preflights).
	fallback      http.Handler
	values        *http.ServeMux // see valueCarrier
	valuesPattern string
}

type methodRoute struct {
	method, pattern string // pattern is r.Pattern: "GET /api/x"
	h               http.Handler
}

type param struct {
	depth int
	name  string
	kind  segKind
}

func newEntry(p *parsed) *entry {
	e := &entry{path: p.path}
	for d, s := range p.segments {
		if s.kind != segStatic {
			e.params = append(e.params, param{depth: d, name: s.text, kind: s.kind})
		}
	}
	if len(e.params) > 0 {
		e.values, e.valuesPattern = valueCarrier(p)
	}
	return e
}

// valueCarrier returns, for a path whose parameters are all [param]s with
// Go identifiers for names, an http.ServeMux holding only its ServeMux
// pattern. Serving the request through it, once the trie has chosen the
// route, has net/http store the path values in one small slice, where
// Request.SetPathValue makes a map (336 B, two allocations). SetPathValue
// is used when the carrier does not match (r.Pattern), for catch-alls and
// for names ServeMux refuses ([user-id]).
func valueCarrier(p *parsed) (sm *http.ServeMux, pattern string) {
	var b strings.Builder
	for _, s := range p.segments {
		b.WriteByte('/')
		switch s.kind {
		case segStatic:
			b.WriteString(s.text) // escaped, as ServeMux patterns are
		case segParam:
			if !isIdent(s.text) {
				return nil, ""
			}
			b.WriteString("{" + s.text + "}")
		default:
			return nil, ""
		}
	}
	defer func() {
		if recover() != nil { // a pattern ServeMux refuses
			sm, pattern = nil, ""
		}
	}()
	sm, pattern = http.NewServeMux(), b.String()
	sm.Handle(pattern, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	return sm, pattern
}

// discard is the writer of a carrier's lookup: nothing is written on a
// match; on a miss (which the trie rules out), its 404 goes nowhere.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// isIdent reports whether s is an ASCII identifier, a name ServeMux takes.
func isIdent(s string) bool {
	return s != "" && wordOnly(s) == s && (s[0] < '0' || s[0] > '9')
}

func (e *entry) method(method string) *methodRoute {
	for i := range e.methods {
		if e.methods[i].method == method {
			return &e.methods[i]
		}
	}
	return nil
}

func (e *entry) add(m *Mux, method string, h http.Handler, chain []func(http.Handler) http.Handler) {
	if method == "" {
		e.plain = h
		return
	}
	e.methods = append(e.methods, methodRoute{method: method, pattern: method + " " + e.path, h: h})
	ms := Methods{}
	for _, mr := range e.methods {
		ms[mr.method] = mr.h
	}
	e.allow = ms.Allow()
	if e.fallback == nil {
		e.fallback = wrap(chain, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			notAllowed(w, r, e.allow, m.Errors)
		}))
	}
}

func (e *entry) serve(w http.ResponseWriter, r *http.Request) {
	mr := e.method(r.Method)
	if mr == nil && r.Method == http.MethodHead {
		mr = e.method(http.MethodGet)
	}
	if mr != nil {
		r.Pattern = mr.pattern
		mr.h.ServeHTTP(w, r)
		return
	}
	r.Pattern = e.path
	if e.plain != nil {
		e.plain.ServeHTTP(w, r)
		return
	}
	e.fallback.ServeHTTP(w, r)
}

var (
	errNotFound    = apierror.NotFound("")
	errDecodeParam = apierror.BadRequest("failed to decode param")
)

// stackDepth is the most segments a lookup keeps on the stack.
const stackDepth = 16

// ServeHTTP redirects unclean paths, then routes.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.sealed.Load() {
		m.mu.Lock()
		m.sealed.Store(true)
		m.mu.Unlock()
	}
	path := requestPath(r.URL)
	if path == "" {
		path = "/" // under http.StripPrefix
	}
	if path[0] != '/' {
		m.Errors.Write(w, r, errNotFound)
		return
	}
	if m.TrailingSlash && path != "/" {
		trimmed := path
		if path[len(path)-1] == '/' {
			trimmed = path[:len(path)-1]
		}
		if !isClean(trimmed) {
			clean := cleanPath(trimmed)
			sent := clean // the client's choice of slash, where Next leaves it
			if trimmed != path && clean != "/" {
				sent += "/"
			}
			redirectClean(w, r, slashed(clean, sent))
			return
		}
		if want := slashed(trimmed, path); want != path {
			redirectClean(w, r, want)
			return
		}
		path = trimmed
	} else if !isClean(path) {
		redirectClean(w, r, cleanPath(path))
		return
	}
	var buf [stackDepth]int
	starts := buf[:]
	if m.tree.depth >= stackDepth {
		starts = make([]int, m.tree.depth+1)
	}
	e := m.tree.root.find(path, 1, 0, starts)
	if e == nil {
		m.Errors.Write(w, r, errNotFound)
		return
	}
	if len(e.params) > 0 && !e.setValues(r, path, starts) {
		m.Errors.Write(w, r, errDecodeParam)
		return
	}
	e.serve(w, r)
}

// setValues sets e's path values on r, or reports that one does not
// decode.
func (e *entry) setValues(r *http.Request, path string, starts []int) bool {
	if e.values != nil {
		// Check the values decode (Next's 400) before the carrier
		// decodes them as ServeMux does, the same way but for UTF-8.
		if strings.IndexByte(path, '%') >= 0 {
			for _, p := range e.params {
				if _, ok := decodeParam(segmentAt(path, starts[p.depth])); !ok {
					return false
				}
			}
		}
		e.values.ServeHTTP(discard{}, r)
		if r.Pattern == e.valuesPattern {
			return true
		}
	}
	for _, p := range e.params {
		i := starts[p.depth]
		if i >= len(path) {
			continue // an optional catch-all that matched nothing
		}
		raw := path[i:]
		if p.kind == segParam {
			raw = segmentAt(path, i)
		}
		v, ok := decodeParam(raw)
		if !ok {
			return false
		}
		r.SetPathValue(p.name, v)
	}
	return true
}

// segmentAt is the segment of path that starts at i.
func segmentAt(path string, i int) string {
	s, _, _ := strings.Cut(path[i:], "/")
	return s
}

// decodeParam is decodeURIComponent: it fails where Next's fails (and
// answers 400), on an escape that is not UTF-8.
func decodeParam(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	v, err := url.PathUnescape(s)
	if err != nil || !utf8.ValidString(v) {
		return "", false
	}
	return v, true
}

// isClean reports whether the escaped path p (starting with '/') has no
// empty segment (but for "/"), no trailing slash and no dot segment. It
// tests the escaped path the Location is built from, or /x%2F would be
// redirected to itself.
func isClean(p string) bool {
	if len(p) > 128 {
		return isCleanScan(p)
	}
	return isCleanLoop(p)
}

// isCleanLoop is isClean for paths of usual length, on which it is an
// order of magnitude faster than isCleanScan.
func isCleanLoop(p string) bool {
	if len(p) > 1 && p[len(p)-1] == '/' {
		return false
	}
	for i := 0; i < len(p)-1; i++ {
		if p[i] == '/' {
			switch p[i+1] {
			case '/':
				return false
			case '.', '%':
				if dots(segmentAt(p, i+1)) > 0 {
					return false
				}
			}
		}
	}
	return true
}

// isCleanScan searches for "/." and "/%2e" with vectorised passes, which
// keeps a long path of many short segments cheap.
func isCleanScan(p string) bool {
	if len(p) > 1 && p[len(p)-1] == '/' || strings.Contains(p, "//") {
		return false
	}
	for _, start := range [...]string{"/.", "/%2e", "/%2E"} {
		for s := p; ; {
			i := strings.Index(s, start)
			if i < 0 {
				break
			}
			s = s[i+1:]
			if dots(segmentAt(s, 0)) > 0 {
				return false
			}
		}
	}
	return true
}

// dots is 1 for a single-dot segment, 2 for a double-dot one, 0 otherwise;
// "%2e" is a dot, as in the WHATWG URL parser and in net/http's cleaning
// of the decoded path.
func dots(seg string) int {
	if len(seg) == 0 || len(seg) > 6 || seg[0] != '.' && seg[0] != '%' {
		return 0
	}
	switch strings.ToLower(seg) {
	case ".", "%2e":
		return 1
	case "..", ".%2e", "%2e.", "%2e%2e":
		return 2
	}
	return 0
}

// cleanPath is p without empty and dot segments, in one allocation of at
// most len(p) bytes. It always starts with exactly one '/', so that it
// can never be read as a scheme-relative URL (//evil.com).
func cleanPath(p string) string {
	b := make([]byte, 0, len(p))
	for i := 1; i <= len(p); {
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			j = len(p) - i
		}
		seg := p[i : i+j]
		switch dots(seg) {
		case 0:
			if seg != "" {
				b = append(b, '/')
				b = append(b, seg...)
			}
		case 2:
			for len(b) > 0 && b[len(b)-1] != '/' {
				b = b[:len(b)-1]
			}
			if len(b) > 0 {
				b = b[:len(b)-1]
			}
		}
		i += j + 1
	}
	if len(b) == 0 {
		return "/"
	}
	return string(b)
}

// slashed is the clean path p as Next's trailingSlash: true wants it: with
// a slash after a last segment without a dot, without one after a file
// name (\.\w+), and as the client sent it (sent) otherwise and under
// /.well-known, which Next's redirects exclude.
func slashed(p, sent string) string {
	if p == "/" {
		return p
	}
	if strings.HasPrefix(p, "/.well-known") {
		return sent
	}
	last := p[strings.LastIndexByte(p, '/')+1:]
	dot := strings.LastIndexByte(last, '.')
	switch {
	case dot < 0:
		return p + "/"
	case dot > 0 && dot < len(last)-1 && wordOnly(last[dot+1:]) == last[dot+1:]:
		return p
	}
	return sent
}

// redirectClean answers 308 to dest, the clean path, with the query, as
// Next's default trailingSlash: false redirect does: Location and Refresh
// headers, the destination as the body, no Content-Type.
func redirectClean(w http.ResponseWriter, r *http.Request, dest string) {
	if len(dest) > 1 && (dest[1] == '/' || dest[1] == '\\') {
		// cleanPath cannot produce it; never send a scheme-relative URL.
		dest = "/"
	}
	if r.URL.RawQuery != "" {
		dest += "?" + r.URL.RawQuery
	}
	h := w.Header()
	h.Set("Location", dest)
	h.Set("Refresh", "0;url="+dest)
	h["Content-Type"] = nil
	w.WriteHeader(http.StatusPermanentRedirect)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(dest))
	}
}
