package cookies

import (
	"net/http"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// Parse returns the request's cookies as Next.js's req.cookies: a map from
// name to value, parsed with the algorithm of the cookie package (0.4) that
// Next uses:
//
//   - pairs are split on ";" and the spaces after it; several Cookie
//     headers are joined with "; ";
//   - a pair without "=" is skipped; the name is what comes before the first
//     "=", the value the rest, both trimmed ("k=v=w" is k: "v=w", "=bar" is
//     "": "bar");
//   - a value that starts with '"' loses its first and last characters;
//   - values are percent-decoded like decodeURIComponent ("x%3By" is "x;y");
//     a value that does not decode is kept as it is ("%zz"); "+" stays "+";
//   - the first of several cookies with the same name wins.
//
// With no Cookie header Parse returns nil, an empty map, without
// allocating. The result is computed once per request: calling Parse again
// for the same request returns the same map. Do not modify it.
func Parse(r *http.Request) map[string]string {
	headers := r.Header["Cookie"]
	if len(headers) == 0 {
		return nil
	}
	raw := headers[0]
	if len(headers) > 1 {
		raw = strings.Join(headers, "; ")
	}
	key := uintptr(unsafe.Pointer(r))
	slot := &cache[(key>>4)*0x9E3779B1%uintptr(len(cache))]
	if e := slot.Load(); e != nil && e.req == key && e.raw == raw {
		return e.m
	}
	m := parse(raw)
	slot.Store(&entry{req: key, raw: raw, m: m})
	return m
}

// The cache remembers recent results by the request's address and its
// Cookie header. It keeps no reference to the request; if a later request
// reuses the address with the very same header, the entry is exactly what
// parsing would give it. Entries are replaced, never cleaned: the cache
// holds at most len(cache) small maps.
var cache [1024]atomic.Pointer[entry]

type entry struct {
	req uintptr
	raw string
	m   map[string]string
}

func parse(s string) map[string]string {
	m := make(map[string]string, strings.Count(s, ";")+1)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, ";")
		s = strings.TrimLeft(s, " ")
		eq := strings.IndexByte(pair, '=')
		if eq < 0 {
			continue
		}
		name := httptoken.TrimJS(pair[:eq])
		if _, seen := m[name]; seen {
			continue
		}
		value := httptoken.TrimJS(pair[eq+1:])
		if value != "" && value[0] == '"' {
			value = sliceJS(value)
		}
		if decoded, ok := decodeURIComponent(value); ok {
			value = decoded
		}
		m[name] = value
	}
	return m
}

// sliceJS is JavaScript's value.slice(1, -1): "" for strings of one or two
// characters.
func sliceJS(v string) string {
	_, first := utf8.DecodeRuneInString(v)
	_, last := utf8.DecodeLastRuneInString(v)
	if first+last >= len(v) {
		return ""
	}
	return v[first : len(v)-last]
}

// decodeURIComponent decodes s as JavaScript does, and reports false where
// JavaScript throws: a "%" not followed by two hex digits, or escapes that
// do not form valid UTF-8 (a lone continuation byte, an incomplete or
// overlong sequence, an encoded surrogate).
func decodeURIComponent(s string) (string, bool) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for i < len(s) {
		if s[i] != '%' {
			b = append(b, s[i])
			i++
			continue
		}
		c, ok := unhex2(s, i)
		if !ok {
			return "", false
		}
		i += 3
		if c < utf8.RuneSelf {
			b = append(b, c)
			continue
		}
		n := utf8Len(c)
		if n == 0 {
			return "", false
		}
		seq := []byte{c}
		for k := 1; k < n; k++ {
			if i >= len(s) || s[i] != '%' {
				return "", false
			}
			cc, ok := unhex2(s, i)
			if !ok {
				return "", false
			}
			seq = append(seq, cc)
			i += 3
		}
		if !utf8.Valid(seq) {
			return "", false
		}
		b = append(b, seq...)
	}
	return string(b), true
}

func unhex2(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	h, ok1 := unhex(s[i+1])
	l, ok2 := unhex(s[i+2])
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// utf8Len is the length of the UTF-8 sequence a lead byte starts, 0 for a
// byte that starts none.
func utf8Len(c byte) int {
	switch {
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	case c&0xF8 == 0xF0:
		return 4
	}
	return 0
}
