package respond

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
)

// Preconditions describes the resource a request would change, by the
// validators of its current representation, so that [Preconditions.Check]
// can answer the request's If-Match, If-Unmodified-Since and If-None-Match.
// A Preconditions with neither an ETag nor a LastModified describes a
// resource that does not exist (yet): give an existing resource at least
// one of them.
type Preconditions struct {
	// ETag is the current representation's entity tag as the ETag header
	// sends it, quotes included: "v7" or W/"v7". For a resource sent with
	// [JSON], it is [ETag] of the body JSON sends.
	ETag string
	// LastModified is when the resource last changed; zero means unknown.
	LastModified time.Time
	// Required refuses a request that carries no precondition with 428
	// Precondition Required (RFC 6585), for any method but GET, HEAD,
	// CONNECT, OPTIONS and TRACE, so that no client can overwrite a change
	// it has not seen.
	Required bool
}

// Check evaluates the preconditions of r against p in the order of RFC 9110
// §13.2.2, and returns nil when the request may proceed, else an
// [*apierror.Error]:
//
//   - 412 when If-Match is false: no listed tag is ETag by strong comparison
//     (RFC 9110 §8.8.3.2: a weak tag never matches), or it is "*" and the
//     resource does not exist.
//   - 412, when there is no If-Match, if LastModified, at one-second
//     resolution, is after the If-Unmodified-Since date. The field is
//     ignored when LastModified is zero and when it is not one HTTP-date:
//     an IMF-fixdate, or the obsolete RFC 850 (GMT; a two-digit year more
//     than 50 years ahead is in the past century) and asctime forms.
//   - 412 when the method is not GET or HEAD and If-None-Match is false: a
//     listed tag is ETag by weak comparison, or it is "*" and the resource
//     exists (a create-only PUT). For GET and HEAD, If-Match and
//     If-Unmodified-Since still apply, and If-None-Match and
//     If-Modified-Since are left to the response: [JSON] and [Send] answer
//     304.
//   - 428 when Required and the method is not GET or HEAD but r carries
//     no If-Match, no If-None-Match: * and no If-Unmodified-Since that
//     counts (If-None-Match with tags says nothing of the current version).
//   - 500 when ETag is not empty and not an entity-tag.
//
// CONNECT, OPTIONS and TRACE select no representation: their
// preconditions are ignored (§13.2.1), and none is required.
//
// The lines of If-Match or If-None-Match form one list; spaces and tabs
// around commas and empty elements are ignored, and a comma may be inside
// a quoted tag. A value that is neither "*" nor a list of entity-tags (an
// unquoted tag, a lower-case w/, "*" beside tags or twice) fails the check
// as a whole, whatever it lists: a write is never performed on a condition
// that could not be read. An empty If-Match lists no tag and fails. The
// cost is linear in the size of the fields, and nothing is allocated but
// to parse an obsolete If-Unmodified-Since, or an invalid one of the
// length of a date.
//
// Call Check once the request would otherwise succeed (after
// authentication, and after a 404: RFC 9110 §13.2.1), and make the check
// and the write one atomic step, in one transaction or with a
// compare-and-set, or two clients can both pass it.
func (p Preconditions) Check(r *http.Request) error {
	cur, err := parseCurrent(p.ETag)
	if err != nil {
		return err
	}
	switch r.Method {
	case http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return nil // they select no representation to condition (§13.2.1)
	}
	exists := p.ETag != "" || !p.LastModified.IsZero()
	getOrHead := r.Method == http.MethodGet || r.Method == http.MethodHead
	h := r.Header
	conditional := false
	if im := h["If-Match"]; len(im) > 0 {
		conditional = true
		switch scanTags(im, cur, true) {
		case listStar:
			if !exists {
				return errIfMatchStar
			}
		case listMatch:
		case listInvalid:
			return errIfMatchSyntax
		default:
			return errIfMatch
		}
	} else if since, ok := unmodifiedSince(h, p.LastModified); ok {
		conditional = true
		if p.LastModified.Truncate(time.Second).After(since) {
			return errModified
		}
	}
	if !getOrHead {
		if inm := h["If-None-Match"]; len(inm) > 0 {
			switch scanTags(inm, cur, false) {
			case listStar:
				// Only "*" says what the client saw (nothing): a list
				// of other tags, or an empty one, protects no update.
				conditional = true
				if exists {
					return errIfNoneMatchStar
				}
			case listMatch:
				return errIfNoneMatch
			case listInvalid:
				return errIfNoneMatchSyntax
			}
		}
	}
	if p.Required && !conditional && !getOrHead {
		switch {
		case p.ETag != "":
			return errRequiredETag
		case exists:
			return errRequiredDate
		}
		return errRequiredAbsent
	}
	return nil
}

// The errors of Check: fixed, so that a failed check allocates nothing.
var (
	errIfMatch           = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: If-Match does not match the current ETag")
	errIfMatchStar       = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: If-Match is * but the resource does not exist")
	errIfMatchSyntax     = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: If-Match is neither * nor a list of entity tags")
	errModified          = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: the resource was modified after If-Unmodified-Since")
	errIfNoneMatch       = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: If-None-Match matches the current ETag")
	errIfNoneMatchStar   = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: If-None-Match is * but the resource exists")
	errIfNoneMatchSyntax = apierror.New(http.StatusPreconditionFailed, "Precondition Failed: If-None-Match is neither * nor a list of entity tags")
	errRequiredETag      = apierror.New(http.StatusPreconditionRequired, "Precondition Required: send If-Match with the current ETag")
	errRequiredDate      = apierror.New(http.StatusPreconditionRequired, "Precondition Required: send If-Unmodified-Since with the current Last-Modified")
	errRequiredAbsent    = apierror.New(http.StatusPreconditionRequired, "Precondition Required: send If-None-Match: *")
)

// currentTag is Preconditions.ETag, parsed once per Check.
type currentTag struct {
	weak   bool
	opaque string // quotes included; "" when there is no ETag
}

func parseCurrent(etag string) (currentTag, error) {
	if etag == "" {
		return currentTag{}, nil
	}
	weak, opaque, rest, ok := cutTag(etag)
	if !ok || rest != "" {
		return currentTag{}, internal(fmt.Errorf("respond: Preconditions.ETag %q is not an entity-tag such as \"v1\" or W/\"v1\"", etag))
	}
	return currentTag{weak, opaque}, nil
}

// cutTag cuts the entity-tag at the start of s (RFC 9110 §8.8.3):
//
//	entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
//	etagc      = %x21 / %x23-7E / %x80-FF
//
// and returns whether it is weak, its opaque-tag (quotes included) and the
// rest of s. ok is false when s does not start with one.
func cutTag(s string) (weak bool, opaque, rest string, ok bool) {
	if strings.HasPrefix(s, "W/") {
		weak, s = true, s[2:]
	}
	if s == "" || s[0] != '"' {
		return false, "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return weak, s[:i+1], s[i+1:], true
		case c == 0x21, c >= 0x23 && c != 0x7f:
		default:
			return false, "", "", false
		}
	}
	return false, "", "", false
}

// listResult is what an If-Match or If-None-Match field says of the
// current tag.
type listResult uint8

const (
	listNoMatch listResult = iota // a list of tags, none of them the current one
	listMatch                     // a list of tags, one of them the current one
	listStar                      // "*"
	listInvalid                   // neither "*" nor a list of entity-tags
)

// scanTags reads the lines of a field, "*" / #entity-tag (RFC 9110
// §13.1.1, §13.1.2), as one list, and compares its tags with cur by strong
// or weak comparison (§8.8.3.2). The whole list is read even after a
// match, so that whether it is valid does not depend on the order of its
// elements. Each byte is looked at a bounded number of times.
func scanTags(lines []string, cur currentTag, strong bool) listResult {
	stars, tags, match := 0, 0, false
	for _, s := range lines {
		for {
			s = trimOWS(s)
			if s == "" {
				break
			}
			if s[0] == ',' { // an empty element (§5.6.1.2)
				s = s[1:]
				continue
			}
			if s[0] == '*' {
				stars++
				s = s[1:]
			} else {
				weak, opaque, rest, ok := cutTag(s)
				if !ok {
					return listInvalid
				}
				tags++
				if opaque == cur.opaque && !(strong && (weak || cur.weak)) {
					match = true
				}
				s = rest
			}
			if s = trimOWS(s); s != "" && s[0] != ',' {
				return listInvalid
			}
		}
	}
	switch {
	case stars == 1 && tags == 0:
		return listStar
	case stars > 0:
		return listInvalid
	case match:
		return listMatch
	}
	return listNoMatch
}

// trimOWS removes the optional white space (spaces and tabs) that starts s.
func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

// unmodifiedSince returns the date of If-Unmodified-Since, and false when
// the field is to be ignored (RFC 9110 §13.1.4): absent, more than one line
// (a list of dates), not an HTTP-date, or when there is no modification
// date to compare it with.
func unmodifiedSince(h http.Header, lastModified time.Time) (time.Time, bool) {
	v := h["If-Unmodified-Since"]
	if len(v) != 1 || lastModified.IsZero() {
		return time.Time{}, false
	}
	return parseHTTPDate(v[0])
}

// parseHTTPDate parses an HTTP-date (RFC 9110 §5.6.7) with
// [http.ParseTime], which also accepts an RFC 850 date in any time zone:
// only GMT is an HTTP-date. An HTTP-date has 24 bytes (asctime), 29
// (IMF-fixdate) or 30 to 33 (RFC 850): any other length is refused without
// the allocations of a failed parse.
func parseHTTPDate(s string) (time.Time, bool) {
	if n := len(s); n != 24 && (n < 29 || n > 33) {
		return time.Time{}, false
	}
	t, err := http.ParseTime(s)
	if err != nil {
		return time.Time{}, false
	}
	switch last := s[len(s)-1]; {
	case last >= '0' && last <= '9': // asctime, which ends with the year
		return t, true
	case !strings.HasSuffix(s, " GMT"):
		return time.Time{}, false
	case strings.IndexByte(s, ',') > 3: // RFC 850: "Sunday, 06-Nov-94 …"
		return rfc850Year(t, time.Now()), true
	}
	return t, true // IMF-fixdate
}

// rfc850Year moves t, parsed from a two-digit year, to the latest year with
// the same last two digits that is not more than 50 years after now (RFC
// 9110 §5.6.7). Go's parser puts the year in 1969–2068.
func rfc850Year(t, now time.Time) time.Time {
	limit := now.UTC().AddDate(50, 0, 0)
	y := limit.Year() - ((limit.Year()-t.Year())%100+100)%100
	d := time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	if d.After(limit) {
		d = time.Date(y-100, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	}
	return d
}
