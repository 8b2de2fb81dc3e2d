package cors

// origins matches AllowedOrigins when one holds a wildcard, in place of
// rs/cors, whose "*" stands for anything, even nothing
// ("https://.example.org"): here it must be DNS labels. Everything is
// lower-cased in compile.
type origins struct {
	exact []string   // lower-case
	wild  []wildcard // lower-case
}

// wildcard is an origin "<prefix>*<suffix>"; checkOrigin makes the suffix
// start with '.'.
type wildcard struct{ prefix, suffix string }

// allowed reports whether origin is allowed, ignoring ASCII case as rs/cors
// does. It is rs/cors's AllowOriginFunc, and allocates nothing.
func (o *origins) allowed(origin string) bool {
	for _, e := range o.exact {
		if equalFoldLower(origin, e) {
			return true
		}
	}
	for _, w := range o.wild {
		n := len(origin) - len(w.suffix)
		if n > len(w.prefix) &&
			equalFoldLower(origin[:len(w.prefix)], w.prefix) &&
			equalFoldLower(origin[n:], w.suffix) &&
			isLabels(origin[len(w.prefix):n]) {
			return true
		}
	}
	return false
}

// equalFoldLower reports whether s equals lower, which is lower-case ASCII,
// in any ASCII case.
func equalFoldLower(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	if s == lower { // what browsers send
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// isLabels reports whether s is one or more DNS labels joined by dots, each
// of 1 to 63 letters, digits and hyphens, with no hyphen at either end
// (RFC 1123 §2.1, which is also what public TLS certificates allow).
func isLabels(s string) bool {
	label := 0 // length of the label so far
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if label == 0 || s[i-1] == '-' {
				return false
			}
			label = 0
		case c == '-':
			if label == 0 {
				return false
			}
			label++
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			label++
		default:
			return false
		}
		if label > 63 {
			return false
		}
	}
	return label > 0 && s[len(s)-1] != '-'
}
