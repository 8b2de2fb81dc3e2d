package benchmarks

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/cookies"
)

// The cookie benchmarks compare cookies.Parse, Next's req.cookies, with
// what a handler does with net/http alone: r.Cookies() into a map, the
// first of duplicate names winning as in Next.

// cookieSessions are the session ids of two browsers of the same app,
// signed the express-session way ("s:" then the signature), as sent:
// percent-encoded.
var cookieSessions = [2]string{
	"s%3A7f3c9a1e2b4d6f80a1c3e5d7.Qm9uam91ciBsZSBtb25kZQ",
	"s%3A2b8e4d6f1a3c5e7092b4d6f8.Qm9uam91ciBsZSBtb25kZQ",
}

// cookieSent is the Cookie header of browser i, as (name, value) pairs
// in the order sent: an analytics id, the session id, the theme and
// locale, a JWT-like token and a percent-encoded JSON cart.
func cookieSent(i int) [][2]string {
	return [][2]string{
		{"_ga", "GA1.2.1093847562.1714636800"},
		{"session_id", cookieSessions[i]},
		{"theme", "dark"},
		{"locale", "fr-FR"},
		{"token", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfMDFIWlgzSzlRMlY3IiwiZXhwIjoxNzE0NjQwNDAwfQ.c2lnbmF0dXJlLW5vdC1yZWFs"},
		{"cart", "%7B%22items%22%3A3%2C%22total%22%3A49.9%7D"},
	}
}

// cookieHeaders are the two browsers' Cookie headers, 298 bytes each. They
// differ only in the session id, so parsing either is the same work.
var cookieHeaders = func() (h [2]string) {
	for i := range h {
		var pairs []string
		for _, p := range cookieSent(i) {
			pairs = append(pairs, p[0]+"="+p[1])
		}
		h[i] = strings.Join(pairs, "; ")
	}
	return h
}()

// cookieValues is the map of header i's cookies as sent: what the stdlib
// side returns.
func cookieValues(i int) map[string]string {
	m := map[string]string{}
	for _, p := range cookieSent(i) {
		m[p[0]] = p[1]
	}
	return m
}

// cookieWant is Next's req.cookies for header i: the values
// percent-decoded, written out here rather than computed.
func cookieWant(i int) map[string]string {
	m := cookieValues(i)
	m["session_id"] = [2]string{
		"s:7f3c9a1e2b4d6f80a1c3e5d7.Qm9uam91ciBsZSBtb25kZQ",
		"s:2b8e4d6f1a3c5e7092b4d6f8.Qm9uam91ciBsZSBtb25kZQ",
	}[i]
	m["cart"] = `{"items":3,"total":49.9}`
	return m
}

// stdlibCookies is the baseline: net/http's parser, into the map Next
// gives, the first duplicate winning. It does not percent-decode.
func stdlibCookies(r *http.Request) map[string]string {
	cs := r.Cookies()
	m := make(map[string]string, len(cs))
	for _, c := range cs {
		if _, ok := m[c.Name]; !ok {
			m[c.Name] = c.Value
		}
	}
	return m
}

// cookieFixture is the harness's fixture for cookie parsing: each request
// is a copy of one of two templates, one per header of cookieHeaders, into
// the same storage made once.
type cookieFixture struct {
	tmpl [2]*http.Request
	req  *http.Request
}

func newCookieFixture() *cookieFixture {
	f := &cookieFixture{req: new(http.Request)}
	for i, h := range cookieHeaders {
		f.tmpl[i] = httptest.NewRequest(http.MethodGet, "/api/me", nil)
		f.tmpl[i].Header.Set("Cookie", h)
	}
	return f
}

// next returns the request again, with the Cookie header of template i%2.
func (f *cookieFixture) next(i int) *http.Request {
	*f.req = *f.tmpl[i&1]
	return f.req
}

// sameMap reports whether a and b are the same map, not just equal ones.
func sameMap(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// BenchmarkCookiesParse measures one parse per request. Parse keeps
// nothing between calls, so every call parses (a second call in the same
// request costs as much as the first). The requests alternate between the
// two headers, on both sides.
func BenchmarkCookiesParse(b *testing.B) {
	bench := func(b *testing.B, parse func(*http.Request) map[string]string, want func(int) map[string]string) {
		f := newCookieFixture()
		b.ReportAllocs()
		var m map[string]string
		i := 0
		for b.Loop() {
			m = parse(f.next(i))
			i++
		}
		// The last request had header (i-1)%2.
		if w := want((i - 1) & 1); !maps.Equal(m, w) {
			b.Fatalf("parsed %q, want %q", m, w)
		}
	}
	b.Run("apiroutes", func(b *testing.B) {
		bench(b, cookies.Parse, cookieWant)
		// Each call returns a map of its own, even for the same request.
		r := newCookieFixture().next(0)
		if sameMap(cookies.Parse(r), cookies.Parse(r)) {
			b.Fatal("apiroutes: two calls returned the same map")
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		bench(b, stdlibCookies, cookieValues)
	})
}

// BenchmarkCookiesHostile parses the Cookie headers of issue 12's attacks,
// 64 KiB each: only separators (the old Parse sized its map from their
// count), as many distinct cookies as fit, and percent-escapes in every
// value. Parse reads 16 KiB of them and keeps 256 cookies;
// net/http's r.Cookies() reads everything.
func BenchmarkCookiesHostile(b *testing.B) {
	const size = 64 << 10
	shapes := []struct{ name, header string }{
		{"semicolons", strings.Repeat(";", size)},
		{"distinct-pairs", func() string {
			var sb strings.Builder
			for i := 0; sb.Len() < size-16; i++ {
				sb.WriteString(strconv.FormatInt(int64(i), 36))
				sb.WriteString("=1; ")
			}
			return sb.String()
		}()},
		{"escaped-values", strings.Repeat("e=%41%41%41%41%41%41%41%41%41%41; ", size/34)},
	}
	for _, sh := range shapes {
		r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		r.Header.Set("Cookie", sh.header)
		for _, side := range []struct {
			name  string
			parse func(*http.Request) map[string]string
		}{{"apiroutes", cookies.Parse}, {"stdlib", stdlibCookies}} {
			b.Run(sh.name+"/"+side.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = side.parse(r)
				}
			})
		}
	}
}

// TestCookiesParseBaselinesAgree makes the comparison fair: both sides find
// the same six cookies in each header, net/http's values as sent and ours
// percent-decoded, as Next does; decoding net/http's gives ours.
func TestCookiesParseBaselinesAgree(t *testing.T) {
	f := newCookieFixture()
	for i := range cookieHeaders {
		t.Logf("header %d: %d bytes", i, len(cookieHeaders[i]))
		want := cookieWant(i)
		if got := cookies.Parse(f.next(i)); !maps.Equal(got, want) {
			t.Errorf("apiroutes, header %d:\n\t%q\nwant\n\t%q", i, got, want)
		}
		base := stdlibCookies(f.next(i))
		if !maps.Equal(base, cookieValues(i)) {
			t.Errorf("stdlib, header %d:\n\t%q\nwant\n\t%q", i, base, cookieValues(i))
		}
		for k, v := range base {
			if d, err := url.PathUnescape(v); err != nil || d != want[k] {
				t.Errorf("stdlib, header %d: %s=%q decodes to %q (%v), apiroutes has %q", i, k, v, d, err, want[k])
			}
		}
	}
}
