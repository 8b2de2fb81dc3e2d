package route

import (
	"fmt"
	"net/url"
	"strings"
)

// segKind is the kind of one segment of a Next-style pattern, in Next's
// order of precedence: at the first segment where two routes differ, the
// lower kind is tried first.
type segKind uint8

const (
	segStatic      segKind = iota
	segParam               // [id]
	segCatchAll            // [...slug]
	segOptCatchAll         // [[...slug]]
)

type segment struct {
	kind segKind
	// text is a static segment in the escaped form requests are matched
	// in, or a parameter's name.
	text string
	raw  string // the segment as written, for messages
}

// parsed is a pattern that is well-formed on its own; [tree.check] decides
// whether it fits beside the others.
type parsed struct {
	method   string // "" for every method
	path     string // the Next-style path as written
	segments []segment
}

// parsePattern checks a Next file-style pattern, optionally prefixed by a
// method ("GET /api/tasks/[id]"), by Next's rules for one path alone
// (getSortedRoutes) and ours where Next's file names cannot say it (a path
// is absolute, has no empty segment, no trailing slash).
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
		return bad("a trailing slash never matches: write /x; requests for /x/ are redirected to /x, or served by /x under Mux.TrailingSlash")
	}
	var names []string // the parameters so far, as Next's slugNames
	parts := strings.Split(path[1:], "/")
	for i, part := range parts {
		if part == "" {
			return bad("empty segment")
		}
		if isGroup(part) {
			continue // Next's route group: organises files, left out of the URL
		}
		s, err := parseSegment(part)
		if err != nil {
			return bad("%v", err)
		}
		if s.kind != segStatic {
			for _, prev := range names {
				if prev == s.text {
					return bad("You cannot have the same slug name %q repeat within a single dynamic path (Next's words)", s.text)
				}
				// Next keys its route regex's groups by the name without
				// its non-word characters, so such names would collide.
				if wordOnly(prev) == wordOnly(s.text) {
					return bad("You cannot have the slug names %q and %q differ only by non-word symbols within a single dynamic path (Next's words)", prev, s.text)
				}
			}
			names = append(names, s.text)
		}
		if (s.kind == segCatchAll || s.kind == segOptCatchAll) && i != len(parts)-1 {
			return bad("Catch-all must be the last part of the URL. (Next's words)")
		}
		p.segments = append(p.segments, s)
	}
	return p, nil
}

// parseSegment reads one segment the way Next's getSortedRoutes reads a
// file or folder name, refusing what Next would take for a static name
// but a Go user most likely meant as a parameter.
func parseSegment(part string) (segment, error) {
	if !strings.HasPrefix(part, "[") || !strings.HasSuffix(part, "]") {
		switch {
		case strings.ContainsAny(part, "[]"):
			return segment{}, fmt.Errorf("segment %q: a parameter takes a whole segment, written [name], [...name] or [[...name]]", part)
		case strings.ContainsAny(part, "{}"):
			return segment{}, fmt.Errorf("segment %q: patterns are Next's file names: write [name] for {name} and [...name] for {name...}", part)
		case dots(part) > 0: // "%2e" is a dot too, to the URL parser and the cleaning of requests
			return segment{}, fmt.Errorf("segment %q: dot segments never match: requests are redirected to the path without them", part)
		}
		text, err := canonicalStatic(part)
		if err != nil {
			return segment{}, fmt.Errorf("segment %q: %v", part, err)
		}
		return segment{kind: segStatic, text: text, raw: part}, nil
	}
	name, kind := part[1:len(part)-1], segParam
	optional := strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]")
	if optional {
		name = name[1 : len(name)-1]
	}
	if rest, ok := strings.CutPrefix(name, "..."); ok {
		name, kind = rest, segCatchAll
		if optional {
			kind = segOptCatchAll
		}
	}
	switch {
	case strings.HasPrefix(name, "[") || strings.HasSuffix(name, "]"):
		return segment{}, fmt.Errorf("segment %q: Segment names may not start or end with extra brackets ('%s'). (Next's words)", part, name)
	case strings.HasPrefix(name, "."):
		return segment{}, fmt.Errorf("segment %q: Segment names may not start with erroneous periods ('%s'). (Next's words)", part, name)
	case optional && kind == segParam:
		return segment{}, fmt.Errorf("segment %q: Optional route parameters are not yet supported (%q). (Next's words); write [[...%s]]", part, part, name)
	case name == "":
		return segment{}, fmt.Errorf("segment %q: a parameter needs a name", part)
	case strings.ContainsAny(name, "[]/"):
		return segment{}, fmt.Errorf("segment %q: one parameter per segment, with balanced brackets", part)
	}
	return segment{kind: kind, text: name, raw: part}, nil
}

// isGroup reports whether a pattern segment is a route group, "(name)",
// as Next's isGroupSegment decides.
func isGroup(seg string) bool {
	return len(seg) >= 2 && seg[0] == '(' && seg[len(seg)-1] == ')'
}

// canonicalStatic is a static segment in the form requests are matched in
// (see [requestPath]): as clients send it, the characters RFC 3986 lets a
// path hold kept, every other byte escaped. Next matches its route regexes
// on the raw pathname, byte for byte, in the same way.
func canonicalStatic(s string) (string, error) {
	dec, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("bad escape: %v", err)
	}
	return string(appendPathEscaped(nil, dec, false)), nil
}

// pathByte reports whether c stands in an escaped path as itself: RFC
// 3986's unreserved characters, its sub-delims, ':' and '@' (pchar), and
// '/' when slash is set. These are the characters url.URL.EscapedPath
// keeps in a RawPath.
func pathByte(c byte, slash bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
		return true
	case '/':
		return slash
	}
	return false
}

// appendPathEscaped appends s with every byte that is not a pathByte
// escaped as %XX; with raw, s is already escaped and its %XX escapes are
// kept as they are.
func appendPathEscaped(b []byte, s string, raw bool) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pathByte(c, raw) || raw && c == '%' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}

// requestPath is the escaped path requests are matched on: the path as the
// client sent it (r.URL.RawPath, or EscapedPath when that is empty), with
// the bytes url.URL cannot keep raw (a '|', a '"', raw UTF-8) escaped, and
// %21 %27 %28 %29 %2A read as ! ' ( ) *. EscapedPath would instead escape
// the whole decoded path again, turning "(" into "%28" and "%2F" into "/";
// and Go's URL encoder escapes those five marks where browsers send them
// as they are, so both spellings reach the pattern that writes them.
// Other escapes stay: /api/ech%6F is not /api/echo, as in Next.
func requestPath(u *url.URL) string {
	p := u.RawPath
	if p == "" {
		p = u.EscapedPath()
	} else {
		for i := 0; i < len(p); i++ {
			if c := p[i]; !pathByte(c, true) && c != '%' {
				p = string(appendPathEscaped(make([]byte, 0, len(p)+16), p, true))
				break
			}
		}
	}
	if strings.IndexByte(p, '%') < 0 {
		return p
	}
	return unescapeMarks(p)
}

// unescapeMarks replaces %21, %27, %28, %29 and %2A (either case) in p by
// the characters they escape.
func unescapeMarks(p string) string {
	var b []byte
	last := 0
	for i := strings.IndexByte(p, '%'); i >= 0 && i+2 < len(p); {
		if c, ok := mark(p[i+1], p[i+2]); ok {
			b = append(append(b, p[last:i]...), c)
			last = i + 3
		}
		j := strings.IndexByte(p[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if b == nil {
		return p
	}
	return string(append(b, p[last:]...))
}

// mark is the character of the escape %hl when it is one of ! ' ( ) *.
func mark(h, l byte) (byte, bool) {
	if h != '2' {
		return 0, false
	}
	switch l {
	case '1':
		return '!', true
	case '7':
		return '\'', true
	case '8':
		return '(', true
	case '9':
		return ')', true
	case 'a', 'A':
		return '*', true
	}
	return 0, false
}

// wordOnly is s without what JavaScript's /\W/g matches: everything but
// ASCII letters, digits and '_'. Next compares slug names this way.
func wordOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isMethod(s string) bool {
	return s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == ""
}
