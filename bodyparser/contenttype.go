package bodyparser

import (
	"strings"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// kind is what a body is parsed as.
type kind uint8

const (
	kindText kind = iota // anything else: the decoded text
	kindJSON             // application/json, application/ld+json
	kindForm             // application/x-www-form-urlencoded
	// kindJSONText is application/*+json (RFC 6839: merge-patch+json,
	// vnd.api+json, problem+json): text for Value, as in Next, and JSON for
	// Decode.
	kindJSONText
)

// mediaKind returns how a body with Content-Type header h is parsed, and
// its charset parameter. A header that does not parse is text/plain with no
// charset, as in Next.js.
func mediaKind(h string) (kind, string) {
	switch h { // the common headers, without parsing
	case "", "text/plain":
		return kindText, ""
	case "application/json":
		return kindJSON, ""
	case "application/x-www-form-urlencoded":
		return kindForm, ""
	}
	mt, charset, ok := parseContentType(h)
	if !ok {
		return kindText, ""
	}
	switch {
	case strings.EqualFold(mt, "application/json"), strings.EqualFold(mt, "application/ld+json"):
		return kindJSON, charset
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		return kindForm, charset
	case len(mt) > len("application/+json") && strings.EqualFold(mt[:len("application/")], "application/") &&
		strings.EqualFold(mt[len(mt)-len("+json"):], "+json"):
		return kindJSONText, charset
	}
	return kindText, charset
}

// parseContentType parses h exactly as the npm content-type package (1.0.x)
// that Next.js bundles: a type/subtype of token characters, then parameters
// of the form `; *name *= *(token|quoted-string) *` with nothing between
// them, the last of a repeated name winning. It returns the media type (not
// lower-cased: compare with EqualFold) and the charset parameter, unquoted.
func parseContentType(h string) (mediaType, charset string, ok bool) {
	semi := strings.IndexByte(h, ';')
	typ := h
	if semi >= 0 {
		typ = h[:semi]
	}
	typ = httptoken.TrimJS(typ)
	slash := strings.IndexByte(typ, '/')
	if slash <= 0 || slash == len(typ)-1 || !httptoken.IsToken(typ[:slash]) || !httptoken.IsToken(typ[slash+1:]) {
		return "", "", false
	}
	if semi < 0 {
		return typ, "", true
	}
	rest := h[semi:]
	for rest != "" {
		// ; *name *= *value *
		if rest[0] != ';' {
			return "", "", false
		}
		i := skipSpaces(rest, 1)
		j := i
		for j < len(rest) && httptoken.IsTokenByte(rest[j]) {
			j++
		}
		if j == i {
			return "", "", false
		}
		name := rest[i:j]
		k := skipSpaces(rest, j)
		if k >= len(rest) || rest[k] != '=' {
			return "", "", false
		}
		k = skipSpaces(rest, k+1)
		var value string
		var end int
		if k < len(rest) && rest[k] == '"' {
			value, end, ok = quoted(rest, k)
			if !ok {
				return "", "", false
			}
		} else {
			end = k
			for end < len(rest) && httptoken.IsTokenByte(rest[end]) {
				end++
			}
			if end == k {
				return "", "", false
			}
			value = rest[k:end]
		}
		if strings.EqualFold(name, "charset") {
			charset = value
		}
		rest = rest[skipSpaces(rest, end):]
	}
	return typ, charset, true
}

// quoted reads a quoted-string starting at s[i] == '"', returning its
// unescaped content and the index after the closing quote.
func quoted(s string, i int) (string, int, bool) {
	escaped := false
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\':
			if j+1 >= len(s) || !qdText(s[j+1], true) {
				return "", 0, false
			}
			escaped = true
			j++
		case c == '"':
			v := s[i+1 : j]
			if escaped {
				var b strings.Builder
				for k := 0; k < len(v); k++ {
					if v[k] == '\\' {
						k++
					}
					b.WriteByte(v[k])
				}
				v = b.String()
			}
			return v, j + 1, true
		case !qdText(c, false):
			return "", 0, false
		}
	}
	return "", 0, false
}

// qdText reports whether c may appear in a quoted string: \v, space, and
// 0x21–0xFF but '"' and '\' (escaped: any of \v and 0x20–0xFF). JavaScript
// strings hold UTF-16 units; a header string holds bytes read as latin1, so
// bytes compare the same way.
func qdText(c byte, escaped bool) bool {
	if c == 0x0b || c == ' ' {
		return true
	}
	if escaped {
		return c >= 0x20
	}
	return c >= 0x21 && c != '"' && c != '\\' && c != 0x7f
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}
