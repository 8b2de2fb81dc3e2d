package route

import (
	"iter"
	"net/http"
	"strings"

	"github.com/apiroutes/apiroutes/internal/whatwg"
)

// Query returns Next.js's req.query: the query string, parsed as
// URLSearchParams parses it ("+" is a space, a bad escape stays literal,
// "?a" is a: ""), merged with the path parameters of the matched pattern,
// which win on conflict. A key given once is a string, a repeated key a
// []string; a catch-all is always a []string of its segments, each
// percent-decoded after splitting ("a%2Fb" stays one segment "a/b"); an
// optional catch-all that matched nothing has no key. "__proto__" is an
// ordinary key.
//
// Because a key's type depends on how often the client sent it,
// Query(r)["type"].(string) is "" for ?type=a&type=b: read the query
// string with [SearchParamsOf] instead, and keep Query for code ported
// from Next.
//
// Query works on requests routed by a [Mux] or by any http.ServeMux (it
// reads r.Pattern, in either syntax); elsewhere it returns the query
// string alone. It parses on every call.
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
	pattern := r.Pattern
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		pattern = pattern[i:] // drop "GET " and a host
	} else {
		return q
	}
	pattern = strings.TrimPrefix(pattern, "/")
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	for pattern != "" {
		var ps, es string
		ps, pattern, _ = strings.Cut(pattern, "/")
		name, kind := patternParam(ps)
		if kind == segCatchAll || kind == segOptCatchAll {
			if path != "" {
				parts := strings.Split(path, "/")
				for j, s := range parts {
					parts[j] = unescape(s)
				}
				q[name] = parts
			}
			break
		}
		es, path, _ = strings.Cut(path, "/")
		if kind == segParam {
			q[name] = unescape(es)
		}
	}
	return q
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

// SearchParams is a request's query string as WHATWG URLSearchParams reads
// it (request.nextUrl.searchParams in Next): "+" is a space, a bad escape
// stays literal, invalid UTF-8 becomes U+FFFD, "?a" is a: "". Unlike
// [Query], a name's type does not depend on how often it was sent: Get
// is its first value, GetAll every one.
//
// The zero value is an empty query. A SearchParams is a value computed
// once, by [SearchParamsOf]; its methods read it without parsing again.
type SearchParams struct {
	pairs []pair
}

type pair struct{ name, value string }

// SearchParamsOf parses r's query string once. Call it once per request
// and keep the value: nothing is stored on the request or elsewhere.
func SearchParamsOf(r *http.Request) SearchParams {
	var p SearchParams
	if r.URL == nil || r.URL.RawQuery == "" {
		return p
	}
	whatwg.ParseURLEncoded(r.URL.RawQuery, 0, func(k, v string) {
		p.pairs = append(p.pairs, pair{k, v})
	})
	return p
}

// Get returns the first value of name, or "" when there is none (use Has
// to tell an empty value from none).
func (p SearchParams) Get(name string) string {
	for _, kv := range p.pairs {
		if kv.name == name {
			return kv.value
		}
	}
	return ""
}

// GetAll returns every value of name, in order; nil when there is none.
func (p SearchParams) GetAll(name string) []string {
	var out []string
	for _, kv := range p.pairs {
		if kv.name == name {
			out = append(out, kv.value)
		}
	}
	return out
}

// Has reports whether name was sent, with or without a value.
func (p SearchParams) Has(name string) bool {
	for _, kv := range p.pairs {
		if kv.name == name {
			return true
		}
	}
	return false
}

// Len is the number of name-value pairs.
func (p SearchParams) Len() int { return len(p.pairs) }

// All yields every pair in the order sent, repeated names included.
func (p SearchParams) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, kv := range p.pairs {
			if !yield(kv.name, kv.value) {
				return
			}
		}
	}
}
