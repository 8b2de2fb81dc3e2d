package route

import (
	"fmt"
	"strings"
)

// segKind is the kind of one segment of a Next-style pattern.
type segKind uint8

const (
	segStatic      segKind = iota
	segParam               // [id]
	segCatchAll            // [...slug]
	segOptCatchAll         // [[...slug]]
)

type segment struct {
	kind segKind
	text string // the static text, or the parameter's name
}

// parsed is a validated pattern.
type parsed struct {
	method   string // "" for every method
	path     string // the Next-style path as written
	segments []segment
}

// root is the path without its catch-all segment, for catch-all patterns.
func (p *parsed) root() string {
	var b strings.Builder
	for _, s := range p.segments[:len(p.segments)-1] {
		b.WriteByte('/')
		b.WriteString(s.muxText())
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func (p *parsed) catchAll() segKind {
	if n := len(p.segments); n > 0 {
		if k := p.segments[n-1].kind; k == segCatchAll || k == segOptCatchAll {
			return k
		}
	}
	return segStatic
}

// muxPattern is the http.ServeMux pattern for the path: [id] becomes {id},
// [...s] and [[...s]] become {s...}, "/" becomes "/{$}".
func (p *parsed) muxPattern() string {
	if len(p.segments) == 0 {
		return "/{$}"
	}
	var b strings.Builder
	for _, s := range p.segments {
		b.WriteByte('/')
		b.WriteString(s.muxText())
	}
	return b.String()
}

func (s segment) muxText() string {
	switch s.kind {
	case segParam:
		return "{" + s.text + "}"
	case segCatchAll, segOptCatchAll:
		return "{" + s.text + "...}"
	}
	return s.text
}

// parsePattern validates a Next file-style pattern, optionally prefixed by
// a method: "/api/post/[pid]", "GET /api/tasks", "/api/[...slug]".
func parsePattern(pattern string) (*parsed, error) {
	bad := func(format string, args ...any) (*parsed, error) {
		return nil, fmt.Errorf("route: pattern %q: "+format, append([]any{pattern}, args...)...)
	}
	p := &parsed{}
	path := pattern
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		p.method, path = pattern[:i], strings.TrimLeft(pattern[i+1:], " ")
		if !isMethod(p.method) {
			return bad("%q is not a method; methods are upper-case, like GET", p.method)
		}
	}
	p.path = path
	if !strings.HasPrefix(path, "/") {
		return bad("want a path starting with /, like /api/tasks/[id]")
	}
	if path == "/" {
		return p, nil
	}
	if strings.HasSuffix(path, "/") {
		return bad("a trailing slash never matches: requests for /x/ are redirected to /x")
	}
	names := map[string]bool{}
	parts := strings.Split(path[1:], "/")
	for i, part := range parts {
		if part == "" {
			return bad("empty segment")
		}
		s, err := parseSegment(part)
		if err != nil {
			return bad("%v", err)
		}
		if s.kind != segStatic {
			if names[s.text] {
				return bad("parameter %q is used twice", s.text)
			}
			names[s.text] = true
		}
		if (s.kind == segCatchAll || s.kind == segOptCatchAll) && i != len(parts)-1 {
			return bad("a catch-all must be the last segment (Next: Catch-all must be the last part of the URL)")
		}
		p.segments = append(p.segments, s)
	}
	return p, nil
}

func parseSegment(part string) (segment, error) {
	if !strings.ContainsAny(part, "[]{}") {
		return segment{kind: segStatic, text: part}, nil
	}
	var kind segKind
	var name string
	switch {
	case strings.HasPrefix(part, "[[...") && strings.HasSuffix(part, "]]"):
		kind, name = segOptCatchAll, part[5:len(part)-2]
	case strings.HasPrefix(part, "[[") && strings.HasSuffix(part, "]]"):
		return segment{}, fmt.Errorf("optional parameters are not supported (Next: Optional route parameters are not yet supported (%q)); use [[...%s]]", part, part[2:len(part)-2])
	case strings.HasPrefix(part, "[...") && strings.HasSuffix(part, "]"):
		kind, name = segCatchAll, part[4:len(part)-1]
	case strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]"):
		kind, name = segParam, part[1:len(part)-1]
	default:
		return segment{}, fmt.Errorf("segment %q: a parameter takes a whole segment, written [name], [...name] or [[...name]]", part)
	}
	if strings.ContainsAny(name, "[]{}.") {
		return segment{}, fmt.Errorf("segment %q: one parameter per segment, with balanced brackets", part)
	}
	if !isIdent(name) {
		return segment{}, fmt.Errorf("segment %q: a parameter name is letters, digits and underscores, not starting with a digit", part)
	}
	return segment{kind: kind, text: name}, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isMethod(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
