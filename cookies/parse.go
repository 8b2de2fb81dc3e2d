package cookies

import (
	"encoding/hex"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// Limits of [Parse]: what Next could have seen behind Node's 16 KiB of
// headers, so that what a Cookie header costs does not depend on the
// server's MaxHeaderBytes.
const (
	// maxCookieBytes is how much of the Cookie headers Parse reads, counted
	// as if they were joined with "; ". A cookie that does not end within
	// these bytes is ignored, as is everything after it.
	maxCookieBytes = 16 << 10
	// maxCookies is how many cookies Parse returns at most: later names are
	// ignored. Browsers send at most 180 for a site.
	maxCookies = 256
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
// Parse reads at most 16 KiB of the headers and returns at most 256
// cookies.
//
// Every call parses again and returns a new map that belongs to the
// caller. Without a Cookie header it is an empty map, never nil, so it
// encodes as {} like Next's req.cookies and can be written into. Call it
// once per request and keep the map if several places need it.
func Parse(r *http.Request) map[string]string {
	headers := r.Header["Cookie"]
	if len(headers) == 0 {
		return map[string]string{}
	}
	budget := maxCookieBytes
	var m map[string]string
	for i, h := range headers {
		if i > 0 {
			budget -= len("; ")
		}
		if budget <= 0 {
			break
		}
		if len(h) > budget {
			h = cutAtPair(h, budget)
			budget = 0
		} else {
			budget -= len(h)
		}
		if m == nil {
			// A small hint saves the map's growth on ordinary headers;
			// capped, so that a header of separators cannot size it.
			m = make(map[string]string, min(strings.Count(h, ";")+1, 8))
		}
		if !parseInto(m, h) {
			break
		}
	}
	if m == nil {
		m = map[string]string{}
	}
	return m
}

// cutAtPair returns the part of s before the pair that does not end within
// its first n bytes (n < len(s)).
func cutAtPair(s string, n int) string {
	if s[n] == ';' {
		return s[:n]
	}
	if i := strings.LastIndexByte(s[:n], ';'); i >= 0 {
		return s[:i]
	}
	return ""
}

// parseInto adds the cookies of s to m, first name wins, and reports
// whether m can take more (it holds fewer than maxCookies).
func parseInto(m map[string]string, s string) bool {
	for {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return len(m) < maxCookies // no pair left that counts
		}
		// The pairs before the ';' that precedes this '=' have no '=': skip
		// them in one scan rather than one by one (";;;;" costs nothing).
		if semi := strings.LastIndexByte(s[:eq], ';'); semi >= 0 {
			s = s[semi+1:]
			eq -= semi + 1
		}
		pair := s
		s = ""
		if end := strings.IndexByte(pair[eq:], ';'); end >= 0 {
			pair, s = pair[:eq+end], pair[eq+end+1:]
		}
		// Leading spaces, which the cookie package strips after each ";",
		// go with the trim.
		name := httptoken.TrimJS(pair[:eq])
		if _, seen := m[name]; seen {
			continue
		}
		if len(m) >= maxCookies {
			return false
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
// overlong sequence, an encoded surrogate). Each run of escapes must be
// valid UTF-8 on its own: no sequence can span raw and escaped bytes.
func decodeURIComponent(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b = append(b, s[i])
			i++
			continue
		}
		run := len(b)
		for ; i < len(s) && s[i] == '%'; i += 3 {
			var c [1]byte
			if i+3 > len(s) {
				return "", false
			}
			if _, err := hex.Decode(c[:], []byte(s[i+1:i+3])); err != nil {
				return "", false
			}
			b = append(b, c[0])
		}
		if !utf8.Valid(b[run:]) {
			return "", false
		}
	}
	return string(b), true
}
