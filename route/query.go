package route

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/apiroutes/apiroutes/internal/whatwg"
)

// Query returns Next.js's req.query: the query string, parsed as
// URLSearchParams parses it, merged with the path parameters of the
// matched pattern, which win on conflict. A key given once is a string, a
// repeated key a []string; a catch-all is always a []string of its
// segments, each decoded after splitting ("a%2Fb" is one segment "a/b");
// an optional catch-all that matched nothing has no key. "__proto__" is an
// ordinary key.
//
// As a key's type depends on how often the client sent it, read the query
// string with [SearchParams], and keep Query for code ported from Next.
//
// Query reads r.Pattern, as a [Mux] or an http.ServeMux sets it; elsewhere
// it returns the query string alone. It parses on every call.
func Query(r *http.Request) map[string]any {
	q := map[string]any{}
	whatwg.ParseURLEncoded(r.URL.RawQuery, 0, func(k, v string) {
		switch old := q[k].(type) {
		case string:
			q[k] = []string{old, v}
		case []string:
			q[k] = append(old, v)
		default:
			q[k] = v
		}
	})
	setParams(q, r)
	return q
}

// Params returns the path parameters of the matched pattern as Next gives
// them to a route handler ({ params }): a [name] is a string, a catch-all
// a []string of its segments, each decoded after splitting; an optional
// catch-all that matched nothing has no key. Like [Query], it reads
// r.Pattern, as a [Mux] or an http.ServeMux sets it; elsewhere it returns
// an empty map. It parses on every call.
func Params(r *http.Request) map[string]any {
	p := map[string]any{}
	setParams(p, r)
	return p
}

// setParams sets r's path parameters in m.
func setParams(m map[string]any, r *http.Request) {
	i := strings.IndexByte(r.Pattern, '/')
	if i < 0 {
		return
	}
	pattern := r.Pattern[i+1:] // without "GET " and a host
	// A trailing slash is no segment.
	path := strings.TrimSuffix(strings.TrimPrefix(requestPath(r.URL), "/"), "/")
	groups := !strings.Contains(pattern, "{") // a Mux pattern, whose (group)s are not in the URL
	for pattern != "" {
		var ps, es string
		ps, pattern, _ = strings.Cut(pattern, "/")
		if groups && isGroup(ps) {
			continue
		}
		name, kind := patternParam(ps)
		if kind == segCatchAll || kind == segOptCatchAll {
			if path != "" {
				parts := strings.Split(path, "/")
				for j, s := range parts {
					parts[j] = unescape(s)
				}
				m[name] = parts
			}
			break
		}
		es, path, _ = strings.Cut(path, "/")
		if kind == segParam {
			m[name] = unescape(es)
		}
	}
}

// patternParam reads one segment of a Mux pattern ([id], [...s], [[...s]])
// or of a ServeMux one ({id}, {s...}).
func patternParam(s string) (string, segKind) {
	switch {
	case strings.HasPrefix(s, "[[...") && strings.HasSuffix(s, "]]"):
		return s[5 : len(s)-2], segOptCatchAll
	case strings.HasPrefix(s, "[...") && strings.HasSuffix(s, "]"):
		return s[4 : len(s)-1], segCatchAll
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		return s[1 : len(s)-1], segParam
	case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
		return s[1 : len(s)-4], segCatchAll
	case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && s != "{$}":
		return s[1 : len(s)-1], segParam
	}
	return "", segStatic
}

func unescape(s string) string {
	if v, ok := decodeParam(s); ok {
		return v
	}
	return s
}

// SearchParams returns r's query string as WHATWG URLSearchParams reads it
// (request.nextUrl.searchParams in Next): "+" is a space, a bad escape
// stays literal, invalid UTF-8 becomes U+FFFD, "?a" is a: "". Unlike
// r.URL.Query, no pair is dropped. It parses on every call.
func SearchParams(r *http.Request) url.Values {
	v := url.Values{}
	if r.URL != nil {
		whatwg.ParseURLEncoded(r.URL.RawQuery, 0, func(k, s string) { v[k] = append(v[k], s) })
	}
	return v
}
