// Package whatwg implements the two WHATWG algorithms that Next.js's
// request parsing rests on: UTF-8 decoding with replacement (Node's
// Buffer.toString, TextDecoder) and application/x-www-form-urlencoded
// parsing (URLSearchParams, and Node's querystring.decode, which agrees with
// it on every input but for its 1000-key cap).
package whatwg

import (
	"strings"
	"unicode/utf8"
)

// ValidUTF8 returns b decoded as UTF-8 the WHATWG way: every maximal
// ill-formed subsequence becomes one U+FFFD ("\xe2\x82x" is one U+FFFD
// here, two with Go's one per bad byte). Valid input is returned as is.
func ValidUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return appendValid(make([]byte, 0, len(b)+8), b)
}

// ValidUTF8String is [ValidUTF8] for strings.
func ValidUTF8String(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(appendValid(make([]byte, 0, len(s)+8), []byte(s)))
}

func appendValid(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			dst = append(dst, b[i])
			i++
			continue
		}
		r, size, _ := DecodeRune(b, i) // U+FFFD for an ill-formed subsequence
		dst = utf8.AppendRune(dst, r)
		i += size
	}
	return dst
}

// DecodeRune decodes the sequence that starts with the non-ASCII byte s[i]
// the WHATWG way: the code point, its length and true if it is valid
// UTF-8; else U+FFFD, the length of the maximal ill-formed subsequence
// (the offending byte is not part of it, so it is read again) and false.
func DecodeRune[T string | []byte](s T, i int) (r rune, size int, ok bool) {
	c := s[i]
	need, lo, hi := 0, byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need, r = 1, rune(c&0x1F)
	case c == 0xE0:
		need, lo, r = 2, 0xA0, 0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need, r = 2, rune(c&0x0F)
	case c == 0xED:
		need, hi, r = 2, 0x9F, rune(c&0x0F)
	case c == 0xF0:
		need, lo, r = 3, 0x90, 0
	case c >= 0xF1 && c <= 0xF3:
		need, r = 3, rune(c&0x07)
	case c == 0xF4:
		need, hi, r = 3, 0x8F, 4
	default: // a continuation byte or a byte that never starts a sequence
		return utf8.RuneError, 1, false
	}
	j := i + 1
	for k := 0; k < need; k++ {
		if j >= len(s) || s[j] < lo || s[j] > hi {
			return utf8.RuneError, j - i, false
		}
		r = r<<6 | rune(s[j]&0x3F)
		lo, hi = 0x80, 0xBF
		j++
	}
	return r, j - i, true
}

// ParseURLEncoded parses s as application/x-www-form-urlencoded, calling
// add for each name-value pair in order, decoded with [Unescape]: pairs
// are separated by "&" only, empty pairs are skipped, a pair without "="
// has the value "". When maxPairs > 0, only the first maxPairs segments
// are read, counting empty ones, as Node's querystring does with maxKeys.
func ParseURLEncoded(s string, maxPairs int, add func(name, value string)) {
	for seg := 0; maxPairs <= 0 || seg < maxPairs; seg++ {
		pair, rest, more := strings.Cut(s, "&")
		if pair != "" {
			name, value, _ := strings.Cut(pair, "=")
			add(Unescape(name), Unescape(value))
		}
		if !more {
			return
		}
		s = rest
	}
}

// Unescape decodes one urlencoded name or value: "+" is a space, "%XX" is
// the byte XX, anything else (a bad escape such as "%zz" included) is
// kept, and the result is made valid UTF-8 with [ValidUTF8].
func Unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return ValidUTF8String(s)
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(ValidUTF8(b))
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
