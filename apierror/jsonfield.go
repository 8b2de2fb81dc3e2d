package apierror

import "strings"

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
