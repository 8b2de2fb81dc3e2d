package bodyparser

import (
	"strings"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// kind is what a body is parsed as.
type kind uint8

const (
	kindText     kind = iota // anything else: the decoded text
	kindJSON                 // application/json, application/ld+json
	kindForm                 // application/x-www-form-urlencoded
	kindJSONText             // application/*+json (RFC 6839): text for Value, as in Next; JSON for Decode
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
	typ, _, _ := strings.Cut(h, ";")
	rest := h[len(typ):]
	typ = httptoken.TrimJS(typ)
	slash := strings.IndexByte(typ, '/')
	if slash <= 0 || slash == len(typ)-1 || !httptoken.IsToken(typ[:slash]) || !httptoken.IsToken(typ[slash+1:]) {
		return "", "", false
	}
	for rest != "" {
		// ; *name *= *value *
		if rest[0] != ';' {
			return "", "", false
		}
		i := skipSpaces(rest, 1)
		j := tokenEnd(rest, i)
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
		end := tokenEnd(rest, k)
		switch {
		case k < len(rest) && rest[k] == '"':
			if value, end, ok = quoted(rest, k); !ok {
				return "", "", false
			}
		case end == k:
			return "", "", false
		default:
			value = rest[k:end]
		}
		if strings.EqualFold(name, "charset") {
			charset = value
		}
		rest = rest[skipSpaces(rest, end):]
	}
	return typ, charset, true
}

// quoted reads the quoted-string at s[i] == '"', returning its unescaped
// content and the index after the closing quote.
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
// 0x21–0xFF but '"', '\' and DEL (escaped: \v and 0x20–0xFF), as content-type's
// regexps test the latin1 string Node makes of the header bytes.
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

func tokenEnd(s string, i int) int {
	for i < len(s) && httptoken.IsTokenByte(s[i]) {
		i++
	}
	return i
}
