package route

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/apiroutes/apiroutes/apierror"
)

// Mux routes requests with Next.js file-style patterns on top of
// [http.ServeMux], whose precedence (a more specific pattern wins) gives
// Next's: static > [param] > [...catchAll] > [[...optionalCatchAll]].
//
//	mux := route.NewMux()
//	mux.Handle("/api/tasks", tasks)               // pages/api/tasks.js
//	mux.Handle("/api/tasks/[id]", taskByID)       // pages/api/tasks/[id].js: r.PathValue("id")
//	mux.Handle("/api/docs/[...slug]", docs)       // one or more segments
//	mux.Handle("/api/shop/[[...slug]]", shop)     // zero or more
//	mux.Handle("GET /api/health", health)         // one method; others get 405
//
// Before routing, a path with a trailing slash or repeated slashes is
// redirected with 308 to its clean form (Next's default trailingSlash:
// false), query kept, for every method. A path no pattern matches is
// answered 404 "Not Found" by apierror.
//
// Patterns are checked when they are registered: Handle panics, like
// http.ServeMux, on a malformed or conflicting pattern. Register every
// route before serving.
type Mux struct {
	// Errors renders the 404 and 405 answers. Set it before the first
	// Handle.
	Errors apierror.Config

	once        sync.Once
	mu          sync.Mutex
	mux         *http.ServeMux
	entries     map[string]*entry // by ServeMux pattern
	topCatchAll bool
	sealed      bool
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// entry is what one ServeMux pattern serves.
type entry struct {
	pattern  string // the Next-style pattern, for messages
	plain    http.Handler
	methods  Methods
	guard    bool // a catch-all root that no route claims: 404
	notFound http.Handler
}

func (e *entry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case e.guard:
		e.notFound.ServeHTTP(w, r)
	case e.methods == nil:
		e.plain.ServeHTTP(w, r)
	default:
		if h, ok := e.methods[r.Method]; ok {
			h.ServeHTTP(w, r)
		} else if e.plain != nil && !(r.Method == http.MethodHead && e.methods[http.MethodGet] != nil) {
			e.plain.ServeHTTP(w, r)
		} else {
			e.methods.ServeHTTP(w, r)
		}
	}
}

func (m *Mux) init() {
	if m.mux == nil {
		m.mux = http.NewServeMux()
		m.entries = map[string]*entry{}
	}
}

// HandleFunc registers f for pattern; see [Mux.Handle].
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

// Handle registers h for pattern: a Next-style path ("/api/post/[pid]"),
// optionally prefixed by a method ("POST /api/tasks"). Registering several
// methods of one path builds a [Methods]; a pattern without a method then
// serves the methods not registered. It panics on an invalid pattern, a
// pattern registered twice, two patterns ServeMux cannot tell apart
// ("/x/[a]" and "/x/[b]"), or a path and its own optional catch-all.
func (m *Mux) Handle(pattern string, h http.Handler) {
	p, err := parsePattern(pattern)
	if err != nil {
		panic(err)
	}
	if h == nil {
		panic(fmt.Sprintf("route: pattern %q: nil handler", pattern))
	}
	if ms, ok := h.(Methods); ok {
		if err := ms.Validate(); err != nil {
			panic(fmt.Sprintf("route: pattern %q: %v", pattern, err))
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sealed {
		panic(fmt.Sprintf("route: pattern %q registered after the Mux started serving", pattern))
	}
	m.init()

	e := m.entryFor(p.muxPattern(), p.path)
	m.add(e, p, h)
	kind := p.catchAll()
	if kind == segStatic {
		return
	}
	root := p.root()
	if root == "/" {
		root = "/{$}"
		m.topCatchAll = true
	}
	old, exists := m.entries[root]
	switch {
	case kind == segCatchAll && !exists:
		// The bare root must not match: ServeMux would redirect /x to /x/.
		m.register(root, &entry{pattern: p.path, guard: true, notFound: m.notFoundHandler()})
	case kind == segOptCatchAll && !exists:
		m.register(root, e) // the same routes serve the bare path
	case kind == segOptCatchAll && old != e:
		panic(fmt.Sprintf("route: patterns %q and %q have the same specificity (Next: You cannot define a route with the same specificity as a optional catch-all route)", old.pattern, p.path))
	}
}

// entryFor returns the entry of a ServeMux pattern, registering a new one.
// An existing entry is a guard that a route now claims, the same Next path
// with another method, or a conflict.
func (m *Mux) entryFor(muxPattern, path string) *entry {
	e, ok := m.entries[muxPattern]
	switch {
	case !ok:
		e = &entry{pattern: path}
		m.register(muxPattern, e)
	case e.guard:
		e.guard, e.notFound, e.pattern = false, nil, path
	case e.pattern != path:
		panic(fmt.Sprintf("route: patterns %q and %q match the same paths (Next: You cannot define a route with the same specificity as a optional catch-all route, or use both a required and an optional catch-all at the same level)", e.pattern, path))
	}
	return e
}

func (m *Mux) register(muxPattern string, e *entry) {
	defer func() {
		if v := recover(); v != nil {
			panic(fmt.Sprintf("route: pattern %q: %v", e.pattern, v))
		}
	}()
	m.mux.Handle(muxPattern, e)
	m.entries[muxPattern] = e
}

func (m *Mux) add(e *entry, p *parsed, h http.Handler) {
	if p.method == "" {
		if e.plain != nil {
			panic(fmt.Sprintf("route: pattern %q registered twice", p.path))
		}
		e.plain = h
		return
	}
	if e.methods == nil {
		e.methods = Methods{}
	}
	if _, dup := e.methods[p.method]; dup {
		panic(fmt.Sprintf("route: pattern %q registered twice", p.method+" "+p.path))
	}
	e.methods[p.method] = h
}

func (m *Mux) notFoundHandler() http.Handler {
	errs := m.Errors
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errs.Write(w, r, errNotFound)
	})
}

var errNotFound = apierror.NotFound("")

// seal finishes the Mux at its first request: every path no route claims
// is answered 404.
func (m *Mux) seal() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	m.sealed = true
	if !m.topCatchAll {
		m.mux.Handle("/", m.notFoundHandler())
	}
}

// ServeHTTP redirects unclean paths, then routes.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.once.Do(m.seal)
	if p := r.URL.Path; len(p) > 1 && (p[len(p)-1] == '/' || strings.Contains(p, "//")) {
		redirectClean(w, r)
		return
	}
	m.mux.ServeHTTP(w, r)
}

// redirectClean answers 308 with the path cleaned of repeated and trailing
// slashes, as Next's default trailingSlash: false redirect does: Location
// and Refresh headers, the destination as the body, no Content-Type.
func redirectClean(w http.ResponseWriter, r *http.Request) {
	esc := r.URL.EscapedPath()
	var b strings.Builder
	b.Grow(len(esc) + len(r.URL.RawQuery) + 1)
	for i := 0; i < len(esc); i++ {
		if esc[i] == '/' && (b.Len() > 0 && i > 0 && esc[i-1] == '/') {
			continue
		}
		b.WriteByte(esc[i])
	}
	dest := strings.TrimRight(b.String(), "/")
	if dest == "" {
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
