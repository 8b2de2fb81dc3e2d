package cookies_test

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/cookies"
)

func withCookies(headers ...string) *http.Request {
	r := httptest.NewRequest("GET", "/api/cookies", nil)
	for _, h := range headers {
		r.Header.Add("Cookie", h)
	}
	return r
}

// cookieDifferences are the vectors where Parse deliberately differs from
// cookie@0.4 (cookies/doc.go): the parsed cookies we return instead.
var cookieDifferences = map[string]map[string]string{
	// A JavaScript object drops names that Object.prototype already has.
	"prototype names are ordinary names": {"__proto__": "1", "constructor": "2", "toString": "3"},
}

// TestParseMatchesNextsCookieParser checks Parse against cookieVectors
// (vectors_test.go), computed by the npm package cookie@0.4 that Next.js
// bundles: scripts/vectors regenerates them.
func TestParseMatchesNextsCookieParser(t *testing.T) {
	t.Parallel()
	for _, tc := range cookieVectors {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := tc.want
			if ours, ok := cookieDifferences[tc.name]; ok {
				if reflect.DeepEqual(ours, want) {
					t.Fatalf("%q is listed as a deliberate difference, but cookie@0.4 gives the same %q", tc.name, want)
				}
				want = ours
			}
			got := cookies.Parse(withCookies(tc.headers...))
			if len(got) == 0 && len(want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%q) = %q, want %q", tc.headers, got, want)
			}
		})
	}
	for name := range cookieDifferences {
		found := false
		for _, tc := range cookieVectors {
			found = found || tc.name == name
		}
		if !found {
			t.Errorf("cookieDifferences names %q, which is not a vector", name)
		}
	}
}

func TestParseWithoutCookiesIsAnEmptyMapThatEncodesAsNextDoes(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	c := cookies.Parse(r)
	if b, _ := json.Marshal(c); c == nil || string(b) != "{}" {
		t.Errorf("Parse without a Cookie header encodes as %s; want {} (Next's req.cookies)", b)
	}
	c["set"] = "by the handler" // a nil map would panic here
	if cookies.Parse(r)["set"] != "" {
		t.Error("a write into one result reached the next")
	}
	if n := testing.AllocsPerRun(100, func() { _ = cookies.Parse(r) }); n > 1 {
		t.Errorf("Parse allocates %v times without a Cookie header; want the empty map alone", n)
	}
}

func TestParseReturnsAMapTheCallerOwns(t *testing.T) {
	t.Parallel()
	r := withCookies("session=abc; theme=dark")
	first := cookies.Parse(r)
	first["isAdmin"] = "true"
	delete(first, "session")
	if got := cookies.Parse(r); !reflect.DeepEqual(got, map[string]string{"session": "abc", "theme": "dark"}) {
		t.Errorf("after the first map was modified, Parse gives %q", got)
	}
	// A request reusing the storage of an earlier one, with the very same
	// header, gets its own parse (the old cache keyed by address did not).
	*r = *withCookies("session=abc; theme=dark")
	if got := cookies.Parse(r); got["isAdmin"] != "" {
		t.Errorf("a later request sees isAdmin=%q written by an earlier one", got["isAdmin"])
	}
	// A changed header is seen.
	r.Header.Set("Cookie", "session=def")
	if got := cookies.Parse(r)["session"]; got != "def" {
		t.Errorf("after the header changed: %q", got)
	}
}

func TestParseReadsAtMostMaxCookieBytes(t *testing.T) {
	t.Parallel()
	// pad is a cookie that fills the header up to n bytes in all.
	pad := func(n int) string { return "p=" + strings.Repeat("x", n-2) }
	cases := []struct {
		name    string
		headers []string
		want    map[string]string // the cookies besides p
	}{
		{"a cookie that ends at the limit is read",
			[]string{pad(cookies.MaxCookieBytes-len("; a=1")) + "; a=1"}, map[string]string{"a": "1"}},
		{"a cookie that ends at the limit, then a separator",
			[]string{pad(cookies.MaxCookieBytes-len("; a=1")) + "; a=1;b=2"}, map[string]string{"a": "1"}},
		{"a cookie that crosses the limit is ignored, and what follows",
			[]string{pad(cookies.MaxCookieBytes-len("; a=1")) + "; a=12; b=2"}, map[string]string{}},
		{"the limit counts the headers as joined with '; '",
			[]string{pad(cookies.MaxCookieBytes - len("; a=1") - len("; ")), "a=1", "b=2"}, map[string]string{"a": "1"}},
		{"a header after the limit is not read",
			[]string{pad(cookies.MaxCookieBytes), "a=1"}, map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := cookies.Parse(withCookies(tc.headers...))
			delete(got, "p")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// One cookie larger than the limit: nothing.
	if got := cookies.Parse(withCookies("big=" + strings.Repeat("x", cookies.MaxCookieBytes))); len(got) != 0 || got == nil {
		t.Errorf("a cookie over the limit: %d cookies (nil: %v), want an empty map", len(got), got == nil)
	}
}

func TestParseKeepsAtMostMaxCookies(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range cookies.MaxCookies + 10 {
		fmt.Fprintf(&b, "c%d=%d; ", i, i)
		if i == 0 {
			b.WriteString("c0=dup; ") // duplicates do not count
		}
	}
	got := cookies.Parse(withCookies(b.String()))
	if len(got) != cookies.MaxCookies {
		t.Fatalf("%d cookies, want maxCookies (%d)", len(got), cookies.MaxCookies)
	}
	last := strconv.Itoa(cookies.MaxCookies - 1)
	if got["c0"] != "0" || got["c"+last] != last || got["c"+strconv.Itoa(cookies.MaxCookies)] != "" {
		t.Errorf("want the first maxCookies names: c0=%q c%s=%q", got["c0"], last, got["c"+last])
	}
}

// What Parse allocates for a header of separators does not grow with the
// header: the old Parse sized its map from the count of ';'.
func TestParseAllocationDoesNotFollowTheSeparatorCount(t *testing.T) {
	small := withCookies(strings.Repeat(";", 64) + "a=1")
	huge := withCookies(strings.Repeat(";", 1<<20) + "a=1")
	bytesOf := func(r *http.Request) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			_ = cookies.Parse(r)
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / 10
	}
	if s, h := bytesOf(small), bytesOf(huge); h > s+1024 {
		t.Errorf("a 1 MiB header of ';' allocates %d bytes per Parse, a 64-byte one %d", h, s)
	}
}

func setCookieLine(t *testing.T, r *http.Request, name, value string, o cookies.Options) string {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := cookies.Set(rec, r, name, value, o); err != nil {
		t.Fatalf("Set(%q, %q): %v", name, value, err)
	}
	return rec.Header().Get("Set-Cookie")
}

func TestSetWritesSafeDefaults(t *testing.T) {
	t.Parallel()
	plain := httptest.NewRequest("GET", "/", nil)
	overTLS := httptest.NewRequest("GET", "/", nil)
	overTLS.TLS = &tls.ConnectionState{}
	cases := []struct {
		name string
		r    *http.Request
		o    cookies.Options
		want string
	}{
		{"defaults", plain, cookies.Options{}, "session=a%20b; Path=/; HttpOnly; SameSite=Lax"},
		{"secure on TLS", overTLS, cookies.Options{}, "session=a%20b; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"secure by option", plain, cookies.Options{Secure: true}, "session=a%20b; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"path, domain, strict, readable", plain, cookies.Options{Path: "/api", Domain: "example.com", SameSite: http.SameSiteStrictMode, ScriptReadable: true}, "session=a%20b; Path=/api; Domain=example.com; SameSite=Strict"},
		{"none and partitioned", overTLS, cookies.Options{SameSite: http.SameSiteNoneMode, Partitioned: true}, "session=a%20b; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"},
	}
	for _, tc := range cases {
		if got := setCookieLine(t, tc.r, "session", "a b", tc.o); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	got := setCookieLine(t, plain, "session", "x", cookies.Options{MaxAge: time.Hour})
	if !strings.Contains(got, "; Max-Age=3600; Expires=") || !strings.HasSuffix(got, " GMT; HttpOnly; SameSite=Lax") {
		t.Errorf("persistent cookie: %q", got)
	}
	exp := strings.TrimSuffix(strings.SplitN(got, "Expires=", 2)[1], "; HttpOnly; SameSite=Lax")
	when, err := time.Parse(http.TimeFormat, exp)
	if err != nil || time.Until(when) < 59*time.Minute || time.Until(when) > 61*time.Minute {
		t.Errorf("Expires %q is not an hour from now (%v)", exp, err)
	}
}

func TestSetAcceptsWhatBrowsersKeep(t *testing.T) {
	t.Parallel()
	plain := httptest.NewRequest("GET", "/", nil)
	overTLS := httptest.NewRequest("GET", "/", nil)
	overTLS.TLS = &tls.ConnectionState{}
	cases := []struct {
		name string
		r    *http.Request
		o    cookies.Options
		want string
	}{
		{"__Host-id", overTLS, cookies.Options{}, "__Host-id=v; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"__Host-id", plain, cookies.Options{Secure: true, Path: "/"}, "__Host-id=v; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"__Secure-id", plain, cookies.Options{Secure: true, Domain: "example.com", Path: "/api"}, "__Secure-id=v; Path=/api; Domain=example.com; HttpOnly; Secure; SameSite=Lax"},
		{"id", plain, cookies.Options{Domain: ".Example-1.co.uk", Path: "/a/b~c/%C3%A9/x=y:z@w"}, "id=v; Path=/a/b~c/%C3%A9/x=y:z@w; Domain=.Example-1.co.uk; HttpOnly; SameSite=Lax"},
		{"id", plain, cookies.Options{Domain: "xn--bcher-kva.de"}, "id=v; Path=/; Domain=xn--bcher-kva.de; HttpOnly; SameSite=Lax"},
	}
	for _, tc := range cases {
		if got := setCookieLine(t, tc.r, tc.name, "v", tc.o); got != tc.want {
			t.Errorf("Set(%q, %+v) = %q, want %q", tc.name, tc.o, got, tc.want)
		}
	}
}

func TestDeleteExpiresTheCookie(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	if err := cookies.Delete(rec, httptest.NewRequest("GET", "/", nil), "session", cookies.Options{Path: "/api"}); err != nil {
		t.Fatal(err)
	}
	want := "session=; Path=/api; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
	if got := rec.Header().Get("Set-Cookie"); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestSetRefusesWhatCannotBeSent(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	cases := []struct {
		name, value string
		o           cookies.Options
		want        string
	}{
		{"", "v", cookies.Options{}, "invalid cookie name"},
		{"a b", "v", cookies.Options{}, "invalid cookie name"},
		{"a;b", "v", cookies.Options{}, "invalid cookie name"},
		{"a=b", "v", cookies.Options{}, "invalid cookie name"},
		{"ok", "bad\xffutf8", cookies.Options{}, "invalid cookie value"},
		{"ok", "v", cookies.Options{Path: "/a;b"}, "Path"},
		{"ok", "v", cookies.Options{Path: "relative"}, "Path"},
		{"ok", "v", cookies.Options{Domain: "a b.com"}, "Domain"},
		{"ok", "v", cookies.Options{SameSite: http.SameSiteNoneMode}, "SameSite=None requires Secure"},
		{"ok", "v", cookies.Options{Partitioned: true}, "Partitioned requires Secure"},
		{"ok", "v", cookies.Options{Domain: "a.com,b.com"}, "Domain"},
		{"ok", "v", cookies.Options{Domain: "a.com, Path=/x"}, "Domain"},
		{"ok", "v", cookies.Options{Domain: "exa mple.com"}, "Domain"},
		{"ok", "v", cookies.Options{Domain: "a..com"}, "Domain"},
		{"ok", "v", cookies.Options{Domain: "bücher.de"}, "xn--"},
		{"ok", "v", cookies.Options{Domain: "."}, "Domain"},
		{"ok", "v", cookies.Options{Path: "/, Domain=evil.com"}, "Path"},
		{"ok", "v", cookies.Options{Path: "/a,b"}, "Path"},
		{"ok", "v", cookies.Options{Path: "/a b"}, "Path"},
		{"ok", "v", cookies.Options{Path: `/"a"`}, "Path"},
		{"__Host-id", "v", cookies.Options{}, "__Host- cookie needs Secure"},
		{"__Host-id", "v", cookies.Options{Secure: true, Domain: "example.com"}, "no Domain"},
		{"__Host-id", "v", cookies.Options{Secure: true, Path: "/api"}, "Path=/"},
		{"__host-id", "v", cookies.Options{Domain: "example.com"}, "__Host- cookie"},
		{"__Secure-id", "v", cookies.Options{}, "__Secure- cookie needs Secure"},
		{"__SECURE-id", "v", cookies.Options{}, "__Secure- cookie needs Secure"},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		err := cookies.Set(rec, r, tc.name, tc.value, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%q, %q, %+v) = %v, want an error about %q", tc.name, tc.value, tc.o, err, tc.want)
		}
		if len(rec.Header()["Set-Cookie"]) != 0 {
			t.Errorf("Set(%q) wrote a header despite the error", tc.name)
		}
	}
	// Delete writes the same attributes, so the same rules apply.
	if err := cookies.Delete(httptest.NewRecorder(), r, "__Host-id", cookies.Options{}); err == nil {
		t.Errorf("Delete of a __Host- cookie without Secure: no error")
	}
	if err := cookies.Set(httptest.NewRecorder(), r, "", "v", cookies.Options{}); !errors.Is(err, cookies.ErrInvalidName) {
		t.Errorf("errors.Is(ErrInvalidName) fails: %v", err)
	}
}

// roundTrip sets value and parses the Set-Cookie line back as a browser
// would send it.
func roundTrip(t testing.TB, value string) (string, bool) {
	rec := httptest.NewRecorder()
	if err := cookies.Set(rec, nil, "v", value, cookies.Options{}); err != nil {
		return "", false
	}
	line := rec.Header().Get("Set-Cookie")
	pair, _, _ := strings.Cut(line, ";")
	return cookies.Parse(withCookies(pair))["v"], true
}

func TestValuesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "plain", "a b", "x;y", `q"uote`, "%zz", "100%", "a+b", "=", "日本 😀", "\"quoted\"", " pad ", "tab\there", "\x00\x1f"} {
		got, ok := roundTrip(t, v)
		if !ok || got != v {
			t.Errorf("round trip of %q gave %q", v, got)
		}
	}
}

func FuzzCookies(f *testing.F) {
	for _, s := range []string{"a=1; a=2", "foo; =bar; baz=qux; ;; k=v=w", `q="x`, "c=%E2%82%AC; d=%zz", "\xff=\xfe"} {
		f.Add(s, "value; with=stuff")
	}
	// The hostile shapes of issue 12: separators only (the old Parse sized
	// its map from their count), more distinct cookies than maxCookies,
	// escapes in every value, and a cookie that crosses maxCookieBytes.
	var pairs strings.Builder
	for i := range cookies.MaxCookies + 44 {
		pairs.WriteString(strconv.Itoa(i) + "=1;")
	}
	for _, s := range []string{
		strings.Repeat(";", 64<<10),
		pairs.String(),
		strings.Repeat("e=%41%E2%82%AC%zz; ", 2000),
		strings.Repeat("x", cookies.MaxCookieBytes-4) + "; a=12; b=2",
		"isAdmin=true; isAdmin=false",
	} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, header, value string) {
		r := withCookies(header)
		m := cookies.Parse(r) // never panics
		if len(m) > cookies.MaxCookies {
			t.Fatalf("%d cookies, over maxCookies", len(m))
		}
		for k := range m {
			if strings.Contains(k, ";") {
				t.Fatalf("name %q contains the separator", k)
			}
		}
		// Splitting agrees with parsing each pair on its own, first wins.
		if len(header) <= cookies.MaxCookieBytes {
			want := map[string]string{}
			for _, pair := range strings.Split(header, ";") {
				for k, v := range cookies.Parse(withCookies(pair)) {
					if _, seen := want[k]; !seen && len(want) < cookies.MaxCookies {
						want[k] = v
					}
				}
			}
			if !maps.Equal(m, want) {
				t.Fatalf("Parse(%q) = %q, pair by pair %q", header, m, want)
			}
		}
		// The map is the caller's: writing into it changes no later parse.
		if m != nil {
			want := maps.Clone(m)
			m["isAdmin"] = "true"
			if again := cookies.Parse(r); !maps.Equal(again, want) {
				t.Fatalf("a write into the first result shows in the second")
			}
		}
		// Parse reads at most MaxCookieBytes of the header: a value whose
		// encoding (at most three bytes a byte) may not fit is not read back.
		if !utf8.ValidString(value) || 3*len(value)+len("v=") > cookies.MaxCookieBytes {
			return
		}
		if got, ok := roundTrip(t, value); !ok || got != value {
			t.Fatalf("parse(set(%q)) = %q", value, got)
		}
	})
}

func TestSignedCookies(t *testing.T) {
	t.Parallel()
	oldKey, newKey := randomKey(t), randomKey(t)
	signer := cookies.Signed(oldKey)
	rec := httptest.NewRecorder()
	if err := signer.Set(rec, nil, "user", "ada; admin=false", cookies.Options{}); err != nil {
		t.Fatal(err)
	}
	pair, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")

	got, err := signer.Get(withCookies(pair), "user")
	if err != nil || got != "ada; admin=false" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	// Rotation: the new key signs, the old one still verifies.
	rotated := cookies.Signed(newKey, oldKey)
	if got, err := rotated.Get(withCookies(pair), "user"); err != nil || got != "ada; admin=false" {
		t.Errorf("after rotation: %q, %v", got, err)
	}
	if _, err := cookies.Signed(newKey).Get(withCookies(pair), "user"); !errors.Is(err, cookies.ErrInvalidSignature) {
		t.Errorf("a retired key still verifies: %v", err)
	}

	value := strings.TrimPrefix(pair, "user=")
	raw, _ := url.PathUnescape(value)
	dot := strings.LastIndexByte(raw, '.')
	tampered := []string{
		"user=" + url.PathEscape("ada; admin=true"+raw[len("ada; admin=false"):]), // value changed
		"user=" + value[:len(value)-1],                                            // truncated signature
		"user=" + url.PathEscape(raw[:dot]),                                       // signature removed
		"user=" + url.PathEscape(raw[:dot]+"."),                                   // empty signature
		"other=" + value,                                                          // moved to another name
		"user=" + url.PathEscape(raw[:dot]+".!!notbase64!!"),                      // garbage
		"user=" + url.PathEscape(raw[:dot]+raw[dot:len(raw)-2]),                   // shortened
	}
	for _, c := range tampered {
		name := strings.SplitN(c, "=", 2)[0]
		if _, err := signer.Get(withCookies(c), name); !errors.Is(err, cookies.ErrInvalidSignature) {
			t.Errorf("%q: err = %v, want ErrInvalidSignature", c, err)
		}
	}
	if _, err := signer.Get(withCookies("x=1"), "user"); !errors.Is(err, cookies.ErrNoCookie) {
		t.Errorf("missing cookie: %v", err)
	}
}

func TestSignedPanicsOnWeakKeys(t *testing.T) {
	t.Parallel()
	long := bytes.Repeat([]byte("k"), cookies.MinKeyLen)
	cases := []struct {
		name string
		keys [][]byte
		want string // in the panic; "" for none
	}{
		{"no key", nil, "cookies: Signed needs at least one key"},
		{"a short key", [][]byte{[]byte("short")}, "cookies: Signed: key 0 is 5 bytes; use at least 32"},
		{"a short old key", [][]byte{long, long[1:]}, "cookies: Signed: key 1 is 31 bytes"},
		{"MinKeyLen bytes", [][]byte{long}, ""},
	}
	for _, c := range cases {
		func() {
			defer func() {
				v := recover()
				if c.want == "" && v != nil || c.want != "" && !strings.Contains(fmt.Sprint(v), c.want) {
					t.Errorf("%s: panic %v, want %q", c.name, v, c.want)
				}
			}()
			cookies.Signed(c.keys...)
		}()
	}
}

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCookiesRoundTripThroughARealClientJar(t *testing.T) {
	t.Parallel()
	signer := cookies.Signed(randomKey(t))
	values := map[string]string{"plain": "abc", "spaced": "a b;c", "unicode": "héllo 日本", "quoted": `"x"`}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range values {
			if err := cookies.Set(w, r, k, v, cookies.Options{MaxAge: time.Hour}); err != nil {
				t.Error(err)
			}
		}
		if err := signer.Set(w, r, "signed", "user-42", cookies.Options{}); err != nil {
			t.Error(err)
		}
	})
	seen := make(chan map[string]string, 2)
	mux.HandleFunc("/read", func(w http.ResponseWriter, r *http.Request) {
		m := map[string]string{}
		for k, v := range cookies.Parse(r) {
			m[k] = v
		}
		if v, err := signer.Get(r, "signed"); err == nil {
			m["signed-verified"] = v
		}
		seen <- m
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		_ = cookies.Delete(w, r, "plain", cookies.Options{})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	for _, path := range []string{"/set", "/read", "/logout", "/read"} {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	got := <-seen
	for k, v := range values {
		if got[k] != v {
			t.Errorf("%s came back as %q, want %q", k, got[k], v)
		}
	}
	if got["signed-verified"] != "user-42" {
		t.Errorf("signed cookie: %q", got["signed-verified"])
	}
	if after := <-seen; after["plain"] != "" || after["spaced"] != "a b;c" {
		t.Errorf("after Delete: %q", after)
	}
}
