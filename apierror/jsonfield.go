package apierror

import (
	"strconv"
	"strings"
)

// jsonField returns an UnmarshalTypeError.Field in the form encoding/json
// gives it without v2 (Go 1.26 and older, or GOEXPERIMENT=nojsonv2), so that
// a 400 names a field the same way whatever Go the program was built with.
//
// Without v2, Field is the chain of struct fields' JSON names joined by dots:
// array indices and map keys are left out ("items.n"). With v2 it is the
// value's JSON Pointer with "/" turned into "." ("items.0.n"): indices and
// map keys are in it, and "~" and "/" in a name are escaped as "~0" and
// "~1". So with v2, a segment that is empty or only digits is dropped (an
// index, or a map key the old Field would not have had) and the escapes are
// undone. What cannot be undone is listed in JSONError's comment.
//
// It is one pass over field, with one allocation only when something changes.
func jsonField(field string, v2 bool) string {
	if !v2 || field == "" || !pointerLike(field) {
		return field
	}
	var b strings.Builder
	b.Grow(len(field))
	for rest := field; ; {
		seg, tail, more := strings.Cut(rest, ".")
		if !dropped(seg) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			for i := 0; i < len(seg); i++ {
				c := seg[i]
				if c == '~' && i+1 < len(seg) && (seg[i+1] == '0' || seg[i+1] == '1') {
					if seg[i+1] == '1' {
						c = '/'
					}
					i++
				}
				b.WriteByte(c)
			}
		}
		if !more {
			break
		}
		rest = tail
	}
	return b.String()
}

// pointerLike reports whether jsonField would change field.
func pointerLike(field string) bool {
	if strings.IndexByte(field, '~') >= 0 {
		return true
	}
	for rest := field; ; {
		seg, tail, more := strings.Cut(rest, ".")
		if dropped(seg) {
			return true
		}
		if !more {
			return false
		}
		rest = tail
	}
}

// dropped reports whether a segment of a v2 Field is an array index or a
// map key that the old Field leaves out: empty or only ASCII digits.
func dropped(seg string) bool {
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}

// jsonSyntax returns a SyntaxError's text as encoding/json without v2 words
// it, where v2 words it differently and the old words follow from the new:
// a control character "in string" (old: "in string literal") and a bad
// escape ("invalid escape sequence `\q`", old: "invalid character 'q' in
// string escape code"). Other v2 wordings (inside a number, input that ends
// inside a literal) would need the input, and stay as they are.
//
// v2's offset for a bad escape is the end of the sequence it quotes, the old
// one is just after the bad byte; off is moved back to that.
func jsonSyntax(s string, off int64, v2 bool) (string, int64) {
	if !v2 || !strings.HasSuffix(s, " in string") {
		return s, off
	}
	if strings.HasPrefix(s, "invalid character ") {
		return s + " literal", off
	}
	seq, ok := strings.CutPrefix(strings.TrimSuffix(s, " in string"), "invalid escape sequence ")
	if !ok || len(seq) < 2 {
		return s, off
	}
	// v2 quotes the sequence (at most 6 bytes) in backquotes, or as a Go
	// string when it has a space, a backquote or something unprintable.
	if seq[0] == '`' && seq[len(seq)-1] == '`' {
		seq = seq[1 : len(seq)-1]
	} else if seq, ok = unquote(seq); !ok {
		return s, off
	}
	if len(seq) < 2 || seq[0] != '\\' {
		return s, off
	}
	back := int64(len(seq)) // from v2's offset to the backslash's
	if seq[1] != 'u' {
		return "invalid character " + quoteChar(seq[1]) + " in string escape code", off - back + 2
	}
	for i := 2; i < len(seq) && i < 6; i++ {
		if c := seq[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "invalid character " + quoteChar(c) + ` in \u hexadecimal character escape`, off - back + int64(i) + 1
		}
	}
	return s, off // a lone surrogate: the old decoder takes it as U+FFFD
}

func unquote(s string) (string, bool) {
	u, err := strconv.Unquote(s)
	return u, err == nil
}

// quoteChar is encoding/json's (v1) quoting of a byte in a SyntaxError: a
// byte of 0x80 and up is shown as the rune of that number, as v1 does.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}
