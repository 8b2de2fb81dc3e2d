package route

import (
	"net/http"
	"net/url"
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
// Query works on requests routed by a [Mux] or by any http.ServeMux (it
// reads r.Pattern); elsewhere it returns the query string alone. It parses
// on every call.
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
	for i := 0; pattern != ""; i++ {
		var ps, es string
		ps, pattern, _ = strings.Cut(pattern, "/")
		if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "...}") {
			if path != "" {
				parts := strings.Split(path, "/")
				for j, s := range parts {
					parts[j] = unescape(s)
				}
				q[ps[1:len(ps)-4]] = parts
			}
			break
		}
		es, path, _ = strings.Cut(path, "/")
		if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "}") && ps != "{$}" {
			q[ps[1:len(ps)-1]] = unescape(es)
		}
	}
	return q
}

func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
