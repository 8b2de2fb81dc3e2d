package route

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/apierror"
)

// Mux routes requests with Next.js file-style patterns, in Next's order:
// static > [param] > [...catchAll] > [[...optionalCatchAll]] at the first
// segment where two routes differ, the first route in that order that
// matches serving the request.
//
//	mux := route.NewMux()
//	mux.Use(compose.Chain(compose.Config{}).Then) // every route: body parsing, limits, warnings
//	mux.Handle("/api/tasks", tasks)               // pages/api/tasks.js
//	mux.Handle("/api/tasks/[id]", taskByID)       // pages/api/tasks/[id].js: r.PathValue("id")
//	mux.Handle("/api/docs/[...slug]", docs)       // one or more segments
//	mux.Handle("/api/shop/[[...slug]]", shop)     // zero or more
//	mux.Handle("GET /api/health", health)         // one method; others get 405
//
// Before routing, a path with a trailing slash, repeated slashes or dot
// segments is redirected with 308 to its clean form (Next's default
// trailingSlash: false), query kept, for every method. A path no pattern
// matches is answered 404 "Not Found", a method a path does not serve 405
// "Method Not Allowed", both rendered by Errors.
//
// Patterns are checked when they are registered: Handle panics, like
// http.ServeMux, on a malformed pattern or one Next would refuse beside
// the others. Register every route before serving; the zero Mux is ready
// to use.
type Mux struct {
	// Errors renders the 404, 405 and 400 (undecodable parameter) answers
	// of the Mux. Set it before serving.
	Errors apierror.Config

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

// Use appends middleware to the default chain that wraps every route of the
// Mux, outermost first, so that a route registered without its body parser
// or its warnings still gets them. It panics once a route is registered: a
// chain that only wrapped later routes would drop silently from the
// earlier ones. A route opts out with [Mux.Replace].
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
// default chain. Registering several methods of one path, or a [Methods],
// gives the path one handler per method: the Mux answers the others 405
// with an Allow header (OPTIONS 204), and a pattern without a method then
// serves the methods not registered. It panics with an error, leaving the
// Mux unchanged, on a pattern that is malformed or that Next would refuse
// beside the others (the package doc lists the reasons), and once the Mux
// has started serving.
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
		case p.catchAll() != segStatic:
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
	return &Group{mux: g.mux, parent: g, prefix: g.prefix + prefix, mws: append([]func(http.Handler) http.Handler(nil), mw...), replace: replace}
}

// Handle registers h for pattern under g's prefix; see [Mux.Handle].
func (g *Group) Handle(pattern string, h http.Handler) {
	if err := g.handle(pattern, h); err != nil {
		panic(err)
	}
}

// HandleFunc registers f for pattern under g's prefix.
func (g *Group) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	if f == nil {
		g.Handle(pattern, nil)
		return
	}
	g.Handle(pattern, http.HandlerFunc(f))
}

// handle registers h for pattern under g's prefix, or returns why not.
func (g *Group) handle(pattern string, h http.Handler) error {
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
		return err
	}
	if h == nil {
		return fmt.Errorf("route: pattern %q: nil handler", full)
	}
	// A Methods registered for a whole path is one route per method, so
	// that the Mux answers the rest with its own 405.
	methods := []string{p.method}
	ms, unpack := h.(Methods)
	if unpack {
		if err := ms.Validate(); err != nil {
			return fmt.Errorf("route: pattern %q: %v", full, strings.TrimPrefix(err.Error(), "route: "))
		}
		if p.method == "" {
			methods = methods[:0]
			for k := range ms {
				methods = append(methods, k)
			}
			sort.Strings(methods)
		} else {
			unpack = false
		}
	}

	m := g.mux
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sealed.Load() {
		return fmt.Errorf("route: pattern %q registered after the Mux started serving", full)
	}
	if err := m.tree.check(p, methods); err != nil {
		return err
	}
	chain := g.chain()
	e := m.tree.insert(p)
	for _, method := range methods {
		hh := h
		if unpack {
			hh = ms[method]
		}
		e.add(m, method, wrap(chain, hh), chain)
	}
	for x := g; x != nil; x = x.parent {
		x.used = true
	}
	return nil
}

// chain is the middleware of g's routes, outermost first.
func (g *Group) chain() []func(http.Handler) http.Handler {
	var groups []*Group
	for x := g; x != nil; x = x.parent {
		groups = append(groups, x)
		if x.replace {
			break
		}
	}
	var out []func(http.Handler) http.Handler
	for i := len(groups) - 1; i >= 0; i-- {
		out = append(out, groups[i].mws...)
	}
	return out
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
	fallback http.Handler
	// values, when not nil, sets the path values (see valueCarrier);
	// valuesPattern is its pattern.
	values        *http.ServeMux
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
	e.values, e.valuesPattern = valueCarrier(p)
	return e
}

// valueCarrier returns, for a path whose parameters are all [param]s with
// Go identifiers for names, an http.ServeMux holding only the path's
// ServeMux pattern. After the trie has chosen the route, serving the
// request through it (to a handler that does nothing) has net/http store
// the path values the way it stores its own: one small slice. A router
// outside net/http can only call Request.SetPathValue, whose map costs
// 336 B and two allocations, four times ServeMux's whole lookup. The trie
// alone decides which route serves; the carrier is checked (r.Pattern)
// and SetPathValue used whenever it did not match. Catch-alls, for which
// ServeMux's own lookup allocates more than the map, and names ServeMux
// refuses ([user-id]) use SetPathValue.
// The carrier is a ServeMux lookup, so a [param] route costs about 1.5×
// ServeMux; issue 22 measured worse: SetPathValue alone (2.5×, 21 times
// the bytes), ServeMux first with the trie behind (1.5× on catch-alls).
func valueCarrier(p *parsed) (*http.ServeMux, string) {
	var b strings.Builder
	params := 0
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
			params++
		default:
			return nil, ""
		}
	}
	if params == 0 {
		return nil, ""
	}
	pattern := b.String()
	sm := http.NewServeMux()
	ok := func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		sm.Handle(pattern, noop{})
		return true
	}()
	if !ok {
		return nil, ""
	}
	return sm, pattern
}

type noop struct{}

func (noop) ServeHTTP(http.ResponseWriter, *http.Request) {}

// discard is the writer of a carrier's lookup: nothing is written on a
// match; on a miss (which the trie rules out), its 404 goes nowhere.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func (e *entry) method(method string) http.Handler {
	for i := range e.methods {
		if e.methods[i].method == method {
			return e.methods[i].h
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
		e.fallback = wrap(chain, &fallback{m: m, e: e})
	}
}

func (e *entry) serve(w http.ResponseWriter, r *http.Request) {
	for i := range e.methods {
		if e.methods[i].method == r.Method {
			r.Pattern = e.methods[i].pattern
			e.methods[i].h.ServeHTTP(w, r)
			return
		}
	}
	if r.Method == http.MethodHead {
		for i := range e.methods {
			if e.methods[i].method == http.MethodGet {
				r.Pattern = e.methods[i].pattern
				e.methods[i].h.ServeHTTP(w, r)
				return
			}
		}
	}
	r.Pattern = e.path
	if e.plain != nil {
		e.plain.ServeHTTP(w, r)
		return
	}
	e.fallback.ServeHTTP(w, r)
}

// fallback answers a method the path does not serve: 204 with Allow for
// OPTIONS, else 405 with Allow, rendered by the Mux's Errors.
type fallback struct {
	m *Mux
	e *entry
}

func (f *fallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", f.e.allow)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f.m.Errors.Write(w, r, errMethodNotAllowed)
}

var (
	errNotFound    = apierror.NotFound("")
	errDecodeParam = apierror.BadRequest("failed to decode param")
)

// starts is the stack space of a lookup; deeper tables take the heap.
const stackDepth = 16

// ServeHTTP redirects unclean paths, then routes.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.sealed.Load() {
		m.mu.Lock()
		m.sealed.Store(true)
		m.mu.Unlock()
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/" // under http.StripPrefix
	}
	if path[0] != '/' {
		m.Errors.Write(w, r, errNotFound)
		return
	}
	if !isClean(path) {
		redirectClean(w, r, cleanPath(path))
		return
	}
	var buf [stackDepth]int
	starts := buf[:]
	if m.tree.depth >= stackDepth {
		starts = make([]int, m.tree.depth+1)
	}
	e := m.tree.lookup(path, starts)
	if e == nil {
		m.Errors.Write(w, r, errNotFound)
		return
	}
	if len(e.params) > 0 && !m.setValues(w, r, e, path, starts) {
		return
	}
	e.serve(w, r)
}

// setValues sets e's path values on r, or answers 400 and returns false
// when one does not decode.
func (m *Mux) setValues(w http.ResponseWriter, r *http.Request, e *entry, path string, starts []int) bool {
	carried := false
	if e.values != nil {
		// Check the values decode (Next's 400) before the carrier
		// decodes them as ServeMux does, the same way but for UTF-8.
		if strings.IndexByte(path, '%') >= 0 {
			for _, p := range e.params {
				if _, ok := decodeParam(segmentAt(path, starts[p.depth])); !ok {
					m.Errors.Write(w, r, errDecodeParam)
					return false
				}
			}
		}
		e.values.ServeHTTP(discard{}, r)
		carried = r.Pattern == e.valuesPattern
	}
	if carried {
		return true
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
			m.Errors.Write(w, r, errDecodeParam)
			return false
		}
		r.SetPathValue(p.name, v)
	}
	return true
}

// segmentAt is the segment of path that starts at i.
func segmentAt(path string, i int) string {
	s := path[i:]
	if j := strings.IndexByte(s, '/'); j >= 0 {
		s = s[:j]
	}
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
// looks at the escaped path, as the redirect's Location is built from it:
// testing the decoded path instead sent /x%2F to itself forever.
func isClean(p string) bool {
	if len(p) > 128 {
		return isCleanScan(p)
	}
	return isCleanLoop(p)
}

// isCleanLoop looks at each byte once: on a path of usual length, an
// order of magnitude faster than isCleanScan's searches.
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

// isCleanScan searches for the starts of dot segments, "/." and "/%2e",
// in one vectorised pass each, which keeps a long path of many short
// segments cheap.
func isCleanScan(p string) bool {
	if len(p) == 1 {
		return true
	}
	if p[len(p)-1] == '/' || strings.Contains(p, "//") {
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
