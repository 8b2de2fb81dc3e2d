package route

import (
	"fmt"
	"slices"
	"strings"
)

// tree is the routing table: a trie of path segments in which each node
// holds at most one child of each dynamic kind, as Next's UrlNode does.
// Walking it depth first (own route, static child, [param], [...catchAll],
// [[...optional]]) visits routes in Next's getSortedRoutes order, so the
// first route found is the one Next would pick. A lookup reaches each node
// at most once, from its parent, so it costs at most the number of nodes
// whatever the path.
type tree struct {
	root  node
	depth int // the most segments of any route
}

type node struct {
	keys []string // the static children's segments, sorted
	kids []*node  // kids[i] is the child for keys[i]
	// the dynamic children, named for their parameter
	param, catchAll, optCatchAll *node
	name                         string
	route                        *entry // the route ending here
}

// linearKeys is the number of static children up to which a linear scan
// beats a binary search.
const linearKeys = 8

func (n *node) static(seg string) *node {
	if len(n.keys) <= linearKeys {
		if i := slices.Index(n.keys, seg); i >= 0 {
			return n.kids[i]
		}
		return nil
	}
	if i, ok := slices.BinarySearch(n.keys, seg); ok {
		return n.kids[i]
	}
	return nil
}

// check reports why p cannot join the tree, with Next's messages for the
// conflicts getSortedRoutes refuses. It changes nothing, so that a refused
// pattern leaves the Mux as it was.
func (t *tree) check(p *parsed, methods []string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("route: pattern %q: "+format, append([]any{p.path}, args...)...)
	}
	n := &t.root
	for _, s := range p.segments {
		switch {
		case s.kind == segCatchAll && n.optCatchAll != nil:
			return bad("You cannot use both an optional and required catch-all route at the same level (\"[[...%s]]\" and %q). (Next's words)", n.optCatchAll.name, s.raw)
		case s.kind == segOptCatchAll && n.catchAll != nil:
			return bad("You cannot use both an required and optional catch-all route at the same level (\"[...%s]\" and %q). (Next's words)", n.catchAll.name, s.raw)
		}
		var next *node
		if s.kind == segStatic {
			next = n.static(s.text)
		} else {
			next = *n.dynamic(s.kind)
			if next != nil && next.name != s.text {
				return bad("You cannot use different slug names for the same dynamic path ('%s' !== '%s'). (Next's words; %q is registered)", next.name, s.text, next.pathOf())
			}
		}
		if s.kind == segOptCatchAll && n.route != nil {
			return bad("You cannot define a route with the same specificity as a optional catch-all route (%q and %q). (Next's words: both serve %s)", n.route.path, p.path, n.route.path)
		}
		if next == nil {
			return nil // the rest of the path is new: nothing to conflict with
		}
		n = next
	}
	if n.optCatchAll != nil {
		return bad("You cannot define a route with the same specificity as a optional catch-all route (%q and %q). (Next's words: both serve %s)", p.path, n.optCatchAll.pathOf(), p.path)
	}
	if e := n.route; e != nil {
		if e.path != p.path {
			if hasGroup(e.path) || hasGroup(p.path) {
				return bad("You cannot have two parallel pages that resolve to the same path. Please check %s and %s. (Next's words)", e.path, p.path)
			}
			// Same shape, other spelling: a static segment written escaped.
			return bad("matches the same paths as %q", e.path)
		}
		for _, m := range methods {
			if m == "" && e.plain != nil {
				return bad("registered twice")
			}
			if m != "" && e.method(m) != nil {
				return bad("registered twice (%s)", m)
			}
		}
	}
	return nil
}

// hasGroup reports whether a pattern's path has a (group) segment.
func hasGroup(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if isGroup(seg) {
			return true
		}
	}
	return false
}

// insert adds p's path to the tree (check has passed) and returns its
// entry.
func (t *tree) insert(p *parsed) *entry {
	n := &t.root
	for _, s := range p.segments {
		if s.kind != segStatic {
			slot := n.dynamic(s.kind)
			if *slot == nil {
				*slot = &node{name: s.text}
			}
			n = *slot
			continue
		}
		i, found := slices.BinarySearch(n.keys, s.text)
		if !found {
			n.keys = slices.Insert(n.keys, i, s.text)
			n.kids = slices.Insert(n.kids, i, &node{})
		}
		n = n.kids[i]
	}
	t.depth = max(t.depth, len(p.segments))
	if n.route == nil {
		n.route = newEntry(p)
	}
	return n.route
}

// dynamic is n's child slot for a dynamic segment of kind k.
func (n *node) dynamic(k segKind) **node {
	switch k {
	case segParam:
		return &n.param
	case segCatchAll:
		return &n.catchAll
	}
	return &n.optCatchAll
}

// pathOf is the path of some route at or below n, for messages.
func (n *node) pathOf() string {
	for n != nil {
		if n.route != nil {
			return n.route.path
		}
		switch {
		case len(n.kids) > 0:
			n = n.kids[0]
		case n.param != nil:
			n = n.param
		case n.catchAll != nil:
			n = n.catchAll
		default:
			n = n.optCatchAll
		}
	}
	return ""
}

// find returns the route serving the clean escaped path (it starts with
// '/', has no empty segment but for "/", no trailing slash) from offset i,
// the start of the segment at depth; i >= len(path) means no segment is
// left. starts receives, at each depth the route has a segment for, the
// offset of the path's segment there; it must hold t.depth+1 offsets.
func (n *node) find(path string, i, depth int, starts []int) *entry {
	if i >= len(path) {
		if n.route != nil {
			return n.route
		}
		if n.optCatchAll != nil {
			starts[depth] = len(path) // no value
			return n.optCatchAll.route
		}
		return nil
	}
	starts[depth] = i
	j := strings.IndexByte(path[i:], '/')
	if j < 0 {
		j = len(path)
	} else {
		j += i
	}
	if len(n.keys) > 0 {
		if c := n.static(path[i:j]); c != nil {
			if e := c.find(path, j+1, depth+1, starts); e != nil {
				return e
			}
		}
	}
	if n.param != nil {
		if e := n.param.find(path, j+1, depth+1, starts); e != nil {
			return e
		}
	}
	if n.catchAll != nil && n.catchAll.route != nil {
		return n.catchAll.route
	}
	if n.optCatchAll != nil && n.optCatchAll.route != nil {
		return n.optCatchAll.route
	}
	return nil
}
