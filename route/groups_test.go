package route_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/route"
)

// browserGet sends target as the request line's path, byte for byte, as a
// browser would after its own encoding, and returns the status and body.
func browserGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(b)
}

// TestRouteGroupsAreLeftOutOfTheURL: app/basic/(grouped)/endpoint/nested/route.ts
// serves /basic/endpoint/nested; static segments match as clients send them.
func TestRouteGroupsAreLeftOutOfTheURL(t *testing.T) {
	t.Parallel()
	mux := route.NewMux()
	mux.Handle("/basic/(grouped)/endpoint/nested", which("grouped"))
	mux.Handle("/(a)/(b)/api/[id]", which("two groups"))
	mux.Handle("/(marketing)", which("root"))
	mux.Handle("/odd/a(b)!'*@:$&+,;=/x", which("sub-delims"))
	mux.Handle("/odd/a%20b|c\"d^é", which("escaped"))
	mux.Handle("/odd/a%2Fb", which("slash"))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	for _, tc := range []struct {
		target string
		status int
		want   string
	}{
		{"/basic/endpoint/nested", 200, `"which":"grouped"`},
		{"/basic/(grouped)/endpoint/nested", 404, ``},
		{"/api/7", 200, `"query":{"id":"7"}`},
		{"/", 200, `"which":"root"`},
		{"/odd/a(b)!'*@:$&+,;=/x", 200, `"which":"sub-delims"`},
		{"/odd/a%28b%29%21%27%2a@:$&+,;=/x", 200, `"which":"sub-delims"`}, // as Go's URL encoder sends them
		{"/odd/a%28b%29!'*@:%24&+,;=/x", 404, ``},                         // other escapes are not decoded
		{"/odd/a%20b|c%22d%5E%C3%A9", 200, `"which":"escaped"`},           // '|' sent raw: url.URL cannot keep it
		{"/odd/a%20b%7Cc%22d%5E%C3%A9", 200, `"which":"escaped"`},
		{"/odd/a%2Fb", 200, `"which":"slash"`},
		{"/odd/a/b", 404, ``},
	} {
		status, body := browserGet(t, addr, tc.target)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s → %d %s, want %d with %s", tc.target, status, body, tc.status, tc.want)
		}
	}
}

func TestRouteGroupsThatResolveToOnePathAreRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range [][2]string{
		{"/basic/(grouped)/endpoint", "/basic/endpoint"},
		{"/(a)/x", "/(b)/x"},
		{"GET /(a)/x/[id]", "POST /x/[id]"},
	} {
		mux := route.NewMux()
		mux.Handle(tc[0], which("a"))
		err := func() (err any) {
			defer func() { err = recover() }()
			mux.Handle(tc[1], which("b"))
			return nil
		}()
		if err == nil || !strings.Contains(fmt.Sprint(err), "You cannot have two parallel pages that resolve to the same path. Please check ") {
			t.Errorf("%q then %q: %v", tc[0], tc[1], err)
		}
	}
	// One group, several methods: one file, one route.
	mux := route.NewMux()
	mux.Handle("GET /(g)/x", which("get"))
	mux.Handle("POST /(g)/x", which("post"))
}

// whatwgPath encodes a segment as a browser encodes a URL's path (the
// WHATWG path percent-encode set, UTF-8 for the rest).
func whatwgPath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7F || strings.IndexByte("\"#<>?^`{}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// FuzzStaticSegmentsMatchAsClientsSendThem registers a random static
// segment, as a user writes it, and requests it as a browser sends it.
func FuzzStaticSegmentsMatchAsClientsSendThem(f *testing.F) {
	for _, s := range []string{"(grouped)x", "a b", "!'*@:", "é|^\"", "x%y", "{a}", "~.-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seg string) {
		if seg == "" || seg == "." || seg == ".." || !utf8.ValidString(seg) ||
			strings.ContainsAny(seg, "/\\%[]{}") || seg[0] == '(' && seg[len(seg)-1] == ')' {
			return // not a static segment, or one a browser would rewrite
		}
		mux := route.NewMux()
		func() {
			defer func() {
				if recover() != nil {
					seg = "" // a segment Handle refuses (it says why)
				}
			}()
			mux.Handle("/s/"+seg, which("hit"))
		}()
		if seg == "" {
			return
		}
		target := "/s/" + whatwgPath(seg)
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("%q: the browser's form %q does not parse: %v", seg, target, err)
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL, req.RequestURI = u, target
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"which":"hit"`) {
			t.Fatalf("pattern /s/%s, request %s → %d %s", seg, target, rec.Code, rec.Body)
		}
	})
}
