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
// browsers would reject (SameSite=None or Partitioned without Secure, a
// Domain or Path with characters a cookie cannot carry).
func Set(w http.ResponseWriter, r *http.Request, name, value string, o Options) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%w: %s: not valid UTF-8", ErrInvalidValue, strconv.Quote(name))
	}
	line, err := serialize(r, name, encodeURIComponent(value), o, false)
	if err != nil {
		return err
	}
	w.Header().Add("Set-Cookie", line)
	return nil
}

// Delete adds a Set-Cookie header that removes the cookie: an empty value,
// Max-Age=0 and an Expires in 1970. Path and Domain must match the ones the
// cookie was set with.
func Delete(w http.ResponseWriter, r *http.Request, name string, o Options) error {
	line, err := serialize(r, name, "", o, true)
	if err != nil {
		return err
	}
	w.Header().Add("Set-Cookie", line)
	return nil
}

var epoch = time.Unix(0, 0).UTC()

func serialize(r *http.Request, name, encoded string, o Options, remove bool) (string, error) {
	if !httptoken.IsToken(name) {
		return "", fmt.Errorf("%w: %s: a cookie name is an HTTP token (letters, digits and !#$%%&'*+-.^_`|~)", ErrInvalidName, strconv.Quote(name))
	}
	path := o.Path
	if path == "" {
		path = "/"
	}
	if !validAttr(path) || !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("cookies: Path %q: want an absolute path without ';' or control characters", path)
	}
	if o.Domain != "" && (!validAttr(o.Domain) || strings.ContainsAny(o.Domain, " /:")) {
		return "", fmt.Errorf("cookies: Domain %q is not a domain name", o.Domain)
	}
	secure := o.Secure || (r != nil && r.TLS != nil)
	if o.SameSite == http.SameSiteNoneMode && !secure {
		return "", fmt.Errorf("cookies: %s: SameSite=None requires Secure; browsers drop the cookie otherwise", strconv.Quote(name))
	}
	if o.Partitioned && !secure {
		return "", fmt.Errorf("cookies: %s: Partitioned requires Secure", strconv.Quote(name))
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
		b.WriteString("; Max-Age=0; Expires=")
		b.WriteString(epoch.Format(http.TimeFormat))
	case o.MaxAge > 0:
		secs := int64(o.MaxAge / time.Second)
		if secs == 0 {
			secs = 1
		}
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
	return b.String(), nil
}

func validAttr(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == ';' {
			return false
		}
	}
	return true
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
