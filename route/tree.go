package route

import (
	"fmt"
	"sort"
	"strings"
)

// tree is the routing table: a trie of path segments in which each node
// holds at most one child of each dynamic kind, as Next's UrlNode does.
// Walking it depth first (own route, static child, [param], [...catchAll],
// [[...optional]]) visits routes in the order of Next's getSortedRoutes,
// so the first route the walk finds is the first one Next's sorted list
// would match. Each node is visited at most once per request (it is only
// reached from its parent, at its own depth), so a lookup costs at most
// the number of nodes whatever the path, and the walk never looks past the
// deepest route's segment count: the rest of a long path is only ever a
// catch-all's value.
type tree struct {
	root  node
	depth int // the most segments of any route
}

type node struct {
	keys []string // the static children's segments, sorted
	kids []*node  // kids[i] is the child for keys[i]
	// param, catchAll and optCatchAll are the dynamic children; their
	// name is the parameter's.
	param, catchAll, optCatchAll *node
	name                         string
	route                        *entry // the route ending here
}

// linearKeys is the number of static children up to which a linear scan
// beats a binary search.
const linearKeys = 8

func (n *node) static(seg string) *node {
	if len(n.keys) <= linearKeys {
		for i, k := range n.keys {
			if k == seg {
				return n.kids[i]
			}
		}
		return nil
	}
	lo, hi := 0, len(n.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if n.keys[m] < seg {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(n.keys) && n.keys[lo] == seg {
		return n.kids[lo]
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
		var next *node
		switch s.kind {
		case segStatic:
			next = n.static(s.text)
		case segParam:
			if n.param != nil && n.param.name != s.text {
				return bad("You cannot use different slug names for the same dynamic path ('%s' !== '%s'). (Next's words; %q is registered)", n.param.name, s.text, n.param.pathOf())
			}
			next = n.param
		case segCatchAll:
			if n.optCatchAll != nil {
				return bad("You cannot use both an optional and required catch-all route at the same level (\"[[...%s]]\" and %q). (Next's words)", n.optCatchAll.name, s.raw)
			}
			if n.catchAll != nil && n.catchAll.name != s.text {
				return bad("You cannot use different slug names for the same dynamic path ('%s' !== '%s'). (Next's words; %q is registered)", n.catchAll.name, s.text, n.catchAll.pathOf())
			}
			next = n.catchAll
		case segOptCatchAll:
			if n.catchAll != nil {
				return bad("You cannot use both an required and optional catch-all route at the same level (\"[...%s]\" and %q). (Next's words)", n.catchAll.name, s.raw)
			}
			if n.optCatchAll != nil && n.optCatchAll.name != s.text {
				return bad("You cannot use different slug names for the same dynamic path ('%s' !== '%s'). (Next's words; %q is registered)", n.optCatchAll.name, s.text, n.optCatchAll.pathOf())
			}
			if n.route != nil {
				return bad("You cannot define a route with the same specificity as a optional catch-all route (%q and %q). (Next's words: both serve %s)", n.route.path, p.path, n.route.path)
			}
			next = n.optCatchAll
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

// insert adds p's path to the tree (check has passed) and returns its
// entry.
func (t *tree) insert(p *parsed) *entry {
	n := &t.root
	for _, s := range p.segments {
		var slot **node
		switch s.kind {
		case segStatic:
			if c := n.static(s.text); c != nil {
				n = c
				continue
			}
			c := &node{}
			i := sort.SearchStrings(n.keys, s.text)
			n.keys = append(n.keys[:i], append([]string{s.text}, n.keys[i:]...)...)
			n.kids = append(n.kids[:i], append([]*node{c}, n.kids[i:]...)...)
			n = c
			continue
		case segParam:
			slot = &n.param
		case segCatchAll:
			slot = &n.catchAll
		case segOptCatchAll:
			slot = &n.optCatchAll
		}
		if *slot == nil {
			*slot = &node{name: s.text}
		}
		n = *slot
	}
	t.depth = max(t.depth, len(p.segments))
	if n.route == nil {
		n.route = newEntry(p)
	}
	return n.route
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

// lookup finds the route serving the clean escaped path (it starts with
// '/', has no empty segment but for "/", no trailing slash). starts
// receives, at each depth the route has a segment for, the offset of the
// path's segment there; it must hold t.depth+1 offsets.
func (t *tree) lookup(path string, starts []int) *entry {
	return t.root.find(path, 1, 0, starts)
}

// find matches path from offset i, the start of the segment at depth.
// i >= len(path) means the path has no segment left.
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
