package cookies_test

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
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

func TestParseWithoutCookiesDoesNotAllocate(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if n := testing.AllocsPerRun(100, func() { _ = cookies.Parse(r) }); n != 0 {
		t.Errorf("Parse allocates %v times without a Cookie header", n)
	}
	if cookies.Parse(r) != nil {
		t.Errorf("want nil (an empty map)")
	}
}

func TestParseRunsOncePerRequest(t *testing.T) {
	r := withCookies("session=abc; theme=dark")
	first := cookies.Parse(r)
	if n := testing.AllocsPerRun(100, func() { _ = cookies.Parse(r) }); n != 0 {
		t.Errorf("a second Parse of the same request allocates %v times: it parsed again", n)
	}
	if reflect.ValueOf(cookies.Parse(r)).Pointer() != reflect.ValueOf(first).Pointer() {
		t.Errorf("a second Parse returned another map")
	}
	// A changed header is seen.
	r.Header.Set("Cookie", "session=def")
	if got := cookies.Parse(r)["session"]; got != "def" {
		t.Errorf("after the header changed: %q", got)
	}
	// Another request with the same header gets its own parse.
	other := withCookies("session=abc; theme=dark")
	if reflect.ValueOf(cookies.Parse(other)).Pointer() == reflect.ValueOf(first).Pointer() {
		t.Errorf("two live requests share one map")
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
	f.Fuzz(func(t *testing.T, header, value string) {
		m := cookies.Parse(withCookies(header)) // never panics
		for k := range m {
			if strings.Contains(k, ";") {
				t.Fatalf("name %q contains the separator", k)
			}
		}
		if !utf8.ValidString(value) {
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
		"user=" + url.PathEscape("ada; admin=true"+raw[dot:]),   // value changed
		"user=" + value[:len(value)-1],                          // truncated signature
		"user=" + url.PathEscape(raw[:dot]),                     // signature removed
		"user=" + url.PathEscape(raw[:dot]+"."),                 // empty signature
		"other=" + value,                                        // moved to another name
		"user=" + url.PathEscape(raw[:dot]+".!!notbase64!!"),    // garbage
		"user=" + url.PathEscape(raw[:dot]+raw[dot:len(raw)-2]), // shortened
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

func TestSignedRefusesWeakKeys(t *testing.T) {
	t.Parallel()
	if _, err := cookies.NewSigner(); err == nil {
		t.Errorf("no key accepted")
	}
	if _, err := cookies.NewSigner([]byte("short")); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("short key: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Signed did not panic on a short key")
		}
	}()
	cookies.Signed([]byte("short"))
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
