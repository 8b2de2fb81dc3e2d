// Package httptoken holds the byte rules of header values that several
// packages share: RFC 9110 tokens (method, header, cookie and media type
// names) and JavaScript's trim() over a header value as Node reads it.
package httptoken

// IsToken reports whether s is a non-empty RFC 9110 token:
// 1*( ALPHA / DIGIT / "!#$%&'*+-.^_`|~" ).
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsTokenByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// IsTokenByte reports whether c may appear in a token.
func IsTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// TrimJS trims s as JavaScript's String.prototype.trim trims a header value
// that Node has decoded as latin1, one character per byte: of the
// characters trim removes, those are TAB, LF, VT, FF, CR, space and 0xA0
// (no-break space). A UTF-8 no-break space is the two bytes C2 A0, of which
// only the second goes, as in Node.
func TrimJS(s string) string {
	for s != "" && isJSSpace(s[0]) {
		s = s[1:]
	}
	for s != "" && isJSSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isJSSpace(c byte) bool { return '\t' <= c && c <= '\r' || c == ' ' || c == 0xA0 }
