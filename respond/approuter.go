package respond

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

var webJSONType = []string{"application/json"}[:1:1]

// AppRouterJSON sends v as JSON with the given status, as the App Router's
// Response.json(v, { status }) and NextResponse.json(v, { status }) do:
// Content-Type application/json (no charset) unless one was set before
// (headers set on w.Header() first are the init's headers); no ETag and no
// 304; Content-Length from the body; no body for HEAD. The body is encoded
// as [JSON] encodes it.
//
// As in the Fetch standard, the status must be 200–599 and not one that
// forbids a body (204, 205, 304): anything else, like a value the JSON codec
// cannot encode, is returned as an [*apierror.Error] 500 with nothing
// written.
func AppRouterJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	if status < 200 || status > 599 {
		return internal(fmt.Errorf("respond: Response.json status %d is outside 200-599", status))
	}
	if status == http.StatusNoContent || status == http.StatusResetContent || status == http.StatusNotModified {
		return internal(fmt.Errorf("respond: Response.json cannot use status %d, which has no body", status))
	}
	if err := checkStarted(w); err != nil {
		return err
	}
	e := encoders.Get().(*encoder)
	defer e.release()
	body, err := e.encode(w, v)
	if err != nil {
		return err
	}
	h := w.Header()
	setType(h, webJSONType)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		countUnsent(w, len(body))
		return nil
	}
	_, err = w.Write(body)
	return err
}

// AppRouterRedirect redirects the way route handlers do with
// NextResponse.redirect(new URL(ref, request.url), status): Location is ref
// resolved against [RequestURL], with non-ASCII bytes percent-encoded as
// [http.Redirect] does. There is no body. The status must be 301, 302, 303,
// 307 or 308 (as NextResponse.redirect requires; 307 is its default).
//
// Without [PublicOrigin], the URL is on the Host header the client sent, as
// request.url is in Next: Host: evil.example gets Location:
// http://evil.example/…, which a shared cache, or a proxy that forwards
// any Host, can then serve to others. Serve redirects under [PublicOrigin]
// wherever the server has a public name, and always behind a proxy.
//
// A status outside that set, a ref that does not parse, or a URL that is
// not a valid header value is returned as an [*apierror.Error] 500, with
// nothing written.
func AppRouterRedirect(w http.ResponseWriter, r *http.Request, status int, ref string) error {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return internal(fmt.Errorf("respond: NextResponse.redirect status %d is not a redirect status (301, 302, 303, 307, 308)", status))
	}
	if err := checkStarted(w); err != nil {
		return err
	}
	target, err := url.Parse(ref)
	if err != nil {
		return internal(fmt.Errorf("respond: redirect URL %q: %w", ref, err))
	}
	loc := hexEscapeNonASCII(RequestURL(r).ResolveReference(target).String())
	if err := checkHeaderValue(loc); err != nil {
		return err
	}
	h := w.Header()
	h["Location"] = []string{loc}
	delete(h, "Content-Type")
	w.WriteHeader(status)
	return nil
}

// RequestURL returns the absolute URL the client asked for, as Next's
// request.url: the path and query as sent, on the origin [PublicOrigin]
// set, or else on http or https (by r.TLS) and r.Host, which the client
// chose.
func RequestURL(r *http.Request) *url.URL {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if o, ok := r.Context().Value(originKey{}).(*url.URL); ok {
		u.Scheme, u.Host = o.Scheme, o.Host
	} else if r.TLS != nil {
		u.Scheme = "https"
	}
	return u
}

// PublicOrigin returns a middleware under which [RequestURL], and so
// [AppRouterRedirect], use origin, such as "https://app.example", in place
// of the scheme of the connection and the Host header the client sent: a
// redirect then goes where you serve, whatever Host the client claims, and
// keeps https behind a proxy that ends TLS.
//
// It panics with a "respond: " error when origin is not an http or https
// URL with a host and nothing after it but an optional "/".
func PublicOrigin(origin string) func(http.Handler) http.Handler {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil ||
		u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		panic(fmt.Errorf("respond: PublicOrigin %q: want scheme://host[:port], such as https://app.example, with scheme http or https and no path", origin))
	}
	u = &url.URL{Scheme: u.Scheme, Host: u.Host}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), originKey{}, u)))
		})
	}
}

type originKey struct{}

// checkHeaderValue refuses a control byte other than TAB: CR and LF would
// split the header.
func checkHeaderValue(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7F {
			return internal(fmt.Errorf("respond: redirect URL %q is not a valid header value: byte %#02x at offset %d", v, c, i))
		}
	}
	return nil
}

// hexEscapeNonASCII percent-encodes the bytes of s above 0x7F, as
// net/http's Redirect does for Location.
func hexEscapeNonASCII(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			b = append(b, '%', hex[c>>4], hex[c&0xF])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}
