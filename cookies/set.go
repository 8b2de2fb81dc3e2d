package cookies

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// Options are the attributes of a cookie that Set and Delete write. The zero
// value is the safe default: Path=/, HttpOnly, SameSite=Lax, Secure when
// the request came over TLS, and a session cookie (no Max-Age).
type Options struct {
	// Path defaults to "/".
	Path string
	// Domain, if set, shares the cookie with subdomains. Default: this host
	// only.
	Domain string
	// MaxAge makes the cookie persistent: Max-Age (whole seconds) and
	// Expires are both written, for old clients. Zero means a session
	// cookie. Use Delete to remove a cookie.
	MaxAge time.Duration
	// Secure forces the Secure attribute, for servers behind a proxy that
	// terminates TLS. It is set anyway when r.TLS is not nil.
	Secure bool
	// ScriptReadable drops HttpOnly, so scripts can read the cookie. Keep it
	// off for anything that authenticates.
	ScriptReadable bool
	// SameSite defaults to Lax. http.SameSiteNoneMode requires Secure.
	SameSite http.SameSite
	// Partitioned sets the CHIPS Partitioned attribute; it requires Secure.
	Partitioned bool
}

// Errors of Set and Delete.
var (
	ErrInvalidName  = errors.New("cookies: invalid cookie name")
	ErrInvalidValue = errors.New("cookies: invalid cookie value")
)

// Set adds a Set-Cookie header for name=value. The value is encoded like
// JavaScript's encodeURIComponent (Next's default), so that [Parse] returns
// it unchanged. It returns an error, and writes nothing, for a name that is
// not an HTTP token, a value that is not valid UTF-8, or options that
// browsers would reject or that could smuggle attributes:
//
//   - SameSite=None or Partitioned without Secure;
//   - a "__Secure-" name without Secure, a "__Host-" name without Secure,
//     with a Domain or with a Path other than "/" (prefixes match in any
//     case, as in browsers);
//   - a Path that is not an absolute URL path, or holds ',' ';' spaces or
//     quotes ("/, Domain=evil.com");
//   - a Domain that is not an ASCII domain name ("a.com,b.com").
func Set(w http.ResponseWriter, r *http.Request, name, value string, o Options) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%w: %s: not valid UTF-8", ErrInvalidValue, strconv.Quote(name))
	}
	return add(w, r, name, encodeURIComponent(value), o, false)
}

// Delete adds a Set-Cookie header that removes the cookie: an empty value,
// Max-Age=0 and an Expires in 1970. Path and Domain must match the ones the
// cookie was set with.
func Delete(w http.ResponseWriter, r *http.Request, name string, o Options) error {
	return add(w, r, name, "", o, true)
}

// add adds the Set-Cookie header of name=encoded, or of its removal.
func add(w http.ResponseWriter, r *http.Request, name, encoded string, o Options, remove bool) error {
	if !httptoken.IsToken(name) {
		return fmt.Errorf("%w: %s: a cookie name is an HTTP token (letters, digits and !#$%%&'*+-.^_`|~)", ErrInvalidName, strconv.Quote(name))
	}
	path := o.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || !validPath(path) {
		return fmt.Errorf("cookies: Path %q: want an absolute URL path: letters, digits and -._~!$&'()*+=:@/%%, without ',' ';', spaces or quotes, which could end the attribute or start another", path)
	}
	if o.Domain != "" && !validDomain(o.Domain) {
		return fmt.Errorf("cookies: Domain %q is not a domain name: want letters, digits, '-' and '.' (an internationalised name in its xn-- form)", o.Domain)
	}
	secure := o.Secure || (r != nil && r.TLS != nil)
	if o.SameSite == http.SameSiteNoneMode && !secure {
		return fmt.Errorf("cookies: %s: SameSite=None requires Secure; browsers drop the cookie otherwise", strconv.Quote(name))
	}
	if o.Partitioned && !secure {
		return fmt.Errorf("cookies: %s: Partitioned requires Secure", strconv.Quote(name))
	}
	// Browsers drop cookies whose name prefix promises what the attributes
	// do not (RFC 6265bis §4.1.3); they match the prefixes in any case.
	switch {
	case hasPrefixFold(name, "__Host-"):
		if !secure || o.Domain != "" || path != "/" {
			return fmt.Errorf("cookies: %s: a __Host- cookie needs Secure (serve over TLS, or set Options.Secure behind a proxy that terminates TLS), Path=/ and no Domain; browsers drop it otherwise", strconv.Quote(name))
		}
	case hasPrefixFold(name, "__Secure-"):
		if !secure {
			return fmt.Errorf("cookies: %s: a __Secure- cookie needs Secure (serve over TLS, or set Options.Secure behind a proxy that terminates TLS); browsers drop it otherwise", strconv.Quote(name))
		}
	}
	var b strings.Builder
	b.Grow(len(name) + len(encoded) + 96)
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(encoded)
	b.WriteString("; Path=")
	b.WriteString(path)
	if o.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(o.Domain)
	}
	switch {
	case remove:
		b.WriteString("; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
	case o.MaxAge > 0:
		secs := max(int64(o.MaxAge/time.Second), 1)
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.FormatInt(secs, 10))
		b.WriteString("; Expires=")
		b.WriteString(time.Now().Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat))
	}
	if !o.ScriptReadable {
		b.WriteString("; HttpOnly")
	}
	if secure {
		b.WriteString("; Secure")
	}
	switch o.SameSite {
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	default:
		b.WriteString("; SameSite=Lax")
	}
	if o.Partitioned {
		b.WriteString("; Partitioned")
	}
	w.Header().Add("Set-Cookie", b.String())
	return nil
}

// validPath reports whether s has only the characters of a URL path
// (RFC 3986 pchar and '/'), less ',' and ';': nothing that could end the
// attribute or, in a header folded with commas, start another cookie.
func validPath(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$&'()*+=:@/%", c) >= 0) {
			return false
		}
	}
	return true
}

// validDomain reports whether s is a domain name in ASCII (one leading dot
// allowed, as browsers ignore it): labels of letters, digits and '-'.
func validDomain(s string) bool {
	s = strings.TrimPrefix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	label := 0 // length of the label so far
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-':
			if label++; label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return label > 0
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// encodeURIComponent escapes every byte but A–Z a–z 0–9 - _ . ! ~ * ' ( ),
// as JavaScript does for valid UTF-8.
func encodeURIComponent(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0
}
