package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
)

// The expected bodies and headers are those of the Next.js app
// (nextjs-behavior.md, nextjs-source-notes.md; the ETags were computed with
// next@16.4.6's own generateETag), except where a comment says "ours".

// absent, as a wanted header value, means the header must not be sent.
const absent = "<absent>"

// logBuffer collects what the server logs; handlers write to it
// concurrently.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSuffix(b.buf.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// server is the parity server on a real loopback listener.
type server struct {
	*httptest.Server
	log    *logBuffer
	client *http.Client
}

func newTestServer(t *testing.T, h func(logOut io.Writer) http.Handler) *server {
	t.Helper()
	log := new(logBuffer)
	ts := httptest.NewServer(h(log))
	t.Cleanup(ts.Close)
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(client.CloseIdleConnections)
	return &server{Server: ts, log: log, client: client}
}

func start(t *testing.T) *server { return newTestServer(t, newServer) }

// logs stops the server, which waits for every handler to return (a
// warning is logged after the response has been sent), and returns the log
// lines.
func (s *server) logs() []string {
	s.client.CloseIdleConnections()
	s.Close()
	return s.log.lines()
}

type request struct {
	method  string
	path    string
	body    io.Reader
	chunked bool
	header  []string // name, value, name, value…
}

type response struct {
	status int
	header http.Header
	te     []string
	body   string
}

func (s *server) do(t *testing.T, rq request) response {
	t.Helper()
	if rq.method == "" {
		rq.method = http.MethodGet
	}
	req, err := http.NewRequest(rq.method, s.URL+rq.path, rq.body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.chunked {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
	}
	for i := 0; i+1 < len(rq.header); i += 2 {
		req.Header.Add(rq.header[i], rq.header[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", rq.method, rq.path, err)
	}
	return response{status: res.StatusCode, header: res.Header, te: res.TransferEncoding, body: string(body)}
}

func (s *server) get(t *testing.T, path string, header ...string) response {
	t.Helper()
	return s.do(t, request{path: path, header: header})
}

// check compares status, body and the named headers (absent: not sent).
func (r response) check(t *testing.T, what string, status int, body string, header ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d (body %.200q)", what, r.status, status, r.body)
	}
	if r.body != body {
		t.Errorf("%s: body\n %.300q\nwant\n %.300q", what, r.body, body)
	}
	for i := 0; i+1 < len(header); i += 2 {
		name, want := header[i], header[i+1]
		got, ok := r.header[http.CanonicalHeaderKey(name)]
		switch {
		case want == absent && ok:
			t.Errorf("%s: %s: %q, want none", what, name, got)
		case want != absent && (len(got) != 1 || got[0] != want):
			t.Errorf("%s: %s: %q, want %q", what, name, got, want)
		}
	}
}

func echoJSON(method, query, body, bodyType, cookies, contentType string) string {
	if body != "" {
		body = `"body":` + body + `,`
	}
	return `{"method":"` + method + `","query":` + query + `,` + body + `"bodyType":"` + bodyType +
		`","cookies":` + cookies + `,"contentType":` + contentType + `}`
}

func TestEcho(t *testing.T) {
	t.Parallel()
	s := start(t)
	const jsonType = "application/json; charset=utf-8"
	cases := []struct {
		name        string
		rq          request
		status      int
		body        string
		contentType string // of the response
	}{
		{"a JSON object", request{method: "POST", path: "/api/echo?x=1",
			body: strings.NewReader(`{"a":1,"b":[true,null,"x"],"c":{"d":"é<&>"}}`), header: []string{"Content-Type", "application/json"}},
			200, echoJSON("POST", `{"x":"1"}`, `{"a":1,"b":[true,null,"x"],"c":{"d":"é<&>"}}`, "object", `{}`, `"application/json"`), jsonType},
		{"a JSON scalar", request{method: "POST", path: "/api/echo", body: strings.NewReader(`42`), header: []string{"Content-Type", "application/json"}},
			200, echoJSON("POST", `{}`, `42`, "number", `{}`, `"application/json"`), jsonType},
		{"JSON null", request{method: "POST", path: "/api/echo", body: strings.NewReader(` null `), header: []string{"Content-Type", "application/json"}},
			200, echoJSON("POST", `{}`, `null`, "null", `{}`, `"application/json"`), jsonType},
		{"a JSON string", request{method: "POST", path: "/api/echo", body: strings.NewReader(`"s"`), header: []string{"Content-Type", "application/ld+json"}},
			200, echoJSON("POST", `{}`, `"s"`, "string", `{}`, `"application/ld+json"`), jsonType},
		{"a JSON array", request{method: "PUT", path: "/api/echo", body: strings.NewReader(`[1,"a"]`), header: []string{"Content-Type", "application/json; charset=utf-8"}},
			200, echoJSON("PUT", `{}`, `[1,"a"]`, "array", `{}`, `"application/json; charset=utf-8"`), jsonType},
		{"JSON true", request{method: "POST", path: "/api/echo", body: strings.NewReader(`true`), header: []string{"Content-Type", "application/json"}},
			200, echoJSON("POST", `{}`, `true`, "boolean", `{}`, `"application/json"`), jsonType},
		{"an empty JSON body is {}", request{method: "POST", path: "/api/echo", body: strings.NewReader(``), header: []string{"Content-Type", "application/json"}},
			200, echoJSON("POST", `{}`, `{}`, "object", `{}`, `"application/json"`), jsonType},
		{"a form with repeated keys", request{method: "POST", path: "/api/echo",
			body: strings.NewReader(`a=1&a=2&b=x+y&c&d=%ZZ`), header: []string{"Content-Type", "application/x-www-form-urlencoded"}},
			200, echoJSON("POST", `{}`, `{"a":["1","2"],"b":"x y","c":"","d":"%ZZ"}`, "object", `{}`, `"application/x-www-form-urlencoded"`), jsonType},
		{"text", request{method: "POST", path: "/api/echo", body: strings.NewReader("hello\nworld"), header: []string{"Content-Type", "text/plain"}},
			200, echoJSON("POST", `{}`, `"hello\nworld"`, "string", `{}`, `"text/plain"`), jsonType},
		{"no body: the empty string", request{path: "/api/echo"},
			200, echoJSON("GET", `{}`, `""`, "string", `{}`, `null`), jsonType},
		{"GET with a JSON body is parsed", request{path: "/api/echo", body: strings.NewReader(`{"q":1}`), header: []string{"Content-Type", "application/json"}},
			200, echoJSON("GET", `{}`, `{"q":1}`, "object", `{}`, `"application/json"`), jsonType},
		{"a Content-Type that does not parse is text", request{method: "POST", path: "/api/echo", body: strings.NewReader(`{"a":1}`), header: []string{"Content-Type", "application/json; charset"}},
			200, echoJSON("POST", `{}`, `"{\"a\":1}"`, "string", `{}`, `"application/json; charset"`), jsonType},
		{"query and cookies", request{path: "/api/echo?a=1&a=2&b=&c=x+y", header: []string{"Cookie", "k=v; n=%F0%9F%98%80"}},
			200, echoJSON("GET", `{"a":["1","2"],"b":"","c":"x y"}`, `""`, "string", `{"k":"v","n":"😀"}`, `null`), jsonType},
		{"latin1", request{method: "POST", path: "/api/echo", body: strings.NewReader("caf\xe9"), header: []string{"Content-Type", "text/plain; charset=latin1"}},
			200, echoJSON("POST", `{}`, `"café"`, "string", `{}`, `"text/plain; charset=latin1"`), jsonType},
		{"invalid UTF-8 becomes U+FFFD", request{method: "POST", path: "/api/echo", body: strings.NewReader("a\xffb"), header: []string{"Content-Type", "text/plain"}},
			200, echoJSON("POST", `{}`, `"a�b"`, "string", `{}`, `"text/plain"`), jsonType},
		{"invalid JSON", request{method: "POST", path: "/api/echo", body: strings.NewReader(`{"a":`), header: []string{"Content-Type", "application/json"}},
			400, `{"error":"Invalid JSON"}`, jsonType},
		{"white space is invalid JSON", request{method: "POST", path: "/api/echo", body: strings.NewReader("  "), header: []string{"Content-Type", "application/json"}},
			400, `{"error":"Invalid JSON"}`, jsonType},
		{"an unknown charset", request{method: "POST", path: "/api/echo", body: strings.NewReader("x"), header: []string{"Content-Type", "text/plain; charset=klingon"}},
			400, `{"error":"Invalid body"}`, jsonType},
		{"an empty Content-Type header is null, as the JS echo's || makes it", request{method: "POST", path: "/api/echo", body: strings.NewReader("x"), header: []string{"Content-Type", ""}},
			200, echoJSON("POST", `{}`, `"x"`, "string", `{}`, `null`), jsonType},
		{"a numeric charset name, as iconv-lite reads it", request{method: "POST", path: "/api/echo", body: strings.NewReader("\xcf\xf0\xe8"), header: []string{"Content-Type", "text/plain; charset=1251"}},
			200, echoJSON("POST", `{}`, `"При"`, "string", `{}`, `"text/plain; charset=1251"`), jsonType},
	}
	for _, tc := range cases {
		s.do(t, tc.rq).check(t, tc.name, tc.status, tc.body, "Content-Type", tc.contentType)
	}
}

// JSON.parse("1e400") is Infinity, which JSON.stringify writes null: Next
// echoes it with a 200. The parsed body holds ±Inf, and no client input that
// passed the body parser may make the helpers answer 500.
func TestEchoOfANumberBeyondFloat64IsNull(t *testing.T) {
	t.Parallel()
	s := start(t)
	for _, tc := range []struct{ sent, body, bodyType string }{
		{`1e400`, `null`, "number"},
		{`{"a":[-1e400]}`, `{"a":[null]}`, "object"},
		{`[1e400,-1e999999,2]`, `[null,null,2]`, "array"},
	} {
		s.do(t, request{method: "POST", path: "/api/echo", body: strings.NewReader(tc.sent), header: []string{"Content-Type", "application/json"}}).
			check(t, tc.sent, 200, echoJSON("POST", `{}`, tc.body, tc.bodyType, `{}`, `"application/json"`), "Content-Type", "application/json; charset=utf-8")
	}
	if logs := s.logs(); len(logs) != 0 {
		t.Errorf("logged:\n%s\nwant nothing", strings.Join(logs, "\n"))
	}
}

// With bodyParser: false req.body is undefined, and JSON.stringify leaves
// the property out: no "body" key at all. No route of the app echoes a raw
// body, so this mounts echo the way such a route would be.
func TestEchoOfAnUnparsedBodyHasNoBodyKey(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(io.Writer) http.Handler {
		return compose.RouteFunc(echo, compose.Config{Body: bodyparser.Config{Raw: true}})
	})
	s.do(t, request{method: "POST", path: "/", body: strings.NewReader(`{"a":1}`), header: []string{"Content-Type", "application/json"}}).
		check(t, "raw", 200, `{"method":"POST","query":{},"bodyType":"undefined","cookies":{},"contentType":"application/json"}`)
}

func TestSizeLimits(t *testing.T) {
	t.Parallel()
	s := start(t)
	cases := []struct {
		path  string
		limit int
		name  string
	}{
		{"/api/small", 100, "100b"},
		{"/api/limit-1kb", 1024, "1kb"},
		{"/api/limit-decimal", 1536, "1.5kb"},
		{"/api/echo", 1 << 20, "1mb"},
	}
	for _, tc := range cases {
		for _, chunked := range []bool{false, true} {
			for _, n := range []int{tc.limit, tc.limit + 1} {
				what := fmt.Sprintf("%s with %d bytes (chunked: %v)", tc.path, n, chunked)
				body := strings.Repeat("x", n)
				var rd io.Reader = strings.NewReader(body)
				if chunked {
					rd = iotest.HalfReader(rd) // no known length
				}
				res := s.do(t, request{method: "POST", path: tc.path, body: rd, chunked: chunked, header: []string{"Content-Type", "text/plain"}})
				if n == tc.limit {
					res.check(t, what, 200, echoJSON("POST", `{}`, `"`+body+`"`, "string", `{}`, `"text/plain"`))
				} else {
					res.check(t, what, 413, `{"error":"Body exceeded `+tc.name+` limit"}`)
				}
			}
		}
	}
	// Bytes are counted as received, before decoding: 513 "é" are 1026 bytes.
	s.do(t, request{method: "POST", path: "/api/limit-1kb", body: strings.NewReader(strings.Repeat("é", 513)), header: []string{"Content-Type", "text/plain"}}).
		check(t, "513 é", 413, `{"error":"Body exceeded 1kb limit"}`)
}

func TestRawBodyIsTheUntouchedStream(t *testing.T) {
	t.Parallel()
	s := start(t)
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB: no limit without a SizeLimit
	sum := sha256.Sum256(body)
	want := fmt.Sprintf(`{"length":%d,"sha256":"%s","bodyIsUndefined":true}`, len(body), hex.EncodeToString(sum[:]))
	s.do(t, request{method: "POST", path: "/api/raw", body: bytes.NewReader(body), header: []string{"Content-Type", "application/json"}}).
		check(t, "2 MiB of invalid JSON", 200, want)
	s.do(t, request{method: "POST", path: "/api/raw", body: iotest.HalfReader(bytes.NewReader(body)), chunked: true}).
		check(t, "2 MiB chunked", 200, want)
	s.get(t, "/api/raw").check(t, "no body", 200,
		`{"length":0,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","bodyIsUndefined":true}`)
}

func TestStatus(t *testing.T) {
	t.Parallel()
	s := start(t)
	const ok, internal = `{"ok":true}`, `{"error":"Internal Server Error"}`
	cases := []struct {
		query  string
		status int
		body   string
	}{
		{"?code=201", 201, ok},
		{"?code=%20201%20", 201, ok},
		{"?code=0xC9", 201, ok},
		{"?code=2.01e2", 201, ok},
		{"?code=201.9", 201, ok}, // Node's statusCode | 0
		{"?code=999", 999, ok},
		{"?code=200&code=201", 500, internal}, // Number(["200","201"]) is NaN
		{"?code=204", 204, ""},
		{"?code=abc", 500, internal},
		{"?code=", 500, internal}, // Number("") is 0
		{"", 500, internal},       // Number(undefined) is NaN
		{"?code=42", 500, internal},
		{"?code=1000", 500, internal},
		{"?code=Infinity", 500, internal},
	}
	for _, tc := range cases {
		s.get(t, "/api/status"+tc.query).check(t, tc.query, tc.status, tc.body)
	}
	logs := s.logs()
	if len(logs) != 7 {
		t.Errorf("%d log lines, want one per 500:\n%s", len(logs), strings.Join(logs, "\n"))
	}
	for _, l := range logs {
		if !strings.Contains(l, "status=500") || !strings.Contains(l, "outside 100-999") {
			t.Errorf("log line %q does not name the code", l)
		}
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	s := start(t)
	const jsonType = "application/json; charset=utf-8"
	cases := []struct {
		kind        string
		status      int
		body        string
		contentType string
		etag        string
	}{
		{"string", 200, "hello", absent, `"2caikvdqo85"`},
		{"object", 200, `{"a":1}`, jsonType, `"147uiiad94i7"`},
		{"array", 200, `[1,"two",null]`, jsonType, `"od3s2tsww3e"`},
		{"buffer", 200, "bin", "application/octet-stream", `"e74aj5hk9n11"`}, // hashed as {"type":"Buffer","data":[98,105,110]}
		{"null", 200, "", absent, absent},
		{"undefined", 200, "", absent, absent},
		{"number", 200, "42", jsonType, `"145yod55ra52"`},
		{"boolean", 200, "true", jsonType, `"ywwejgvrps4"`},
		{"json-undefined", 200, "null", jsonType, `"wm6yxsynvh4"`}, // ours: Next sends an empty body without an ETag
		{"json-null", 200, "null", jsonType, `"wm6yxsynvh4"`},
		{"json-string", 200, `"str"`, jsonType, `"vb9525rpm95"`},
		{"empty", 200, "", absent, `"78p3gz236i0"`},
		{"html", 200, "<p>hi</p>", "text/html; charset=utf-8", `"kiqypda3km9"`},
		{"buffer-ct", 200, "\x89PNG", "image/png", `"e4tstt26r813"`},
		{"stream", 200, "chunk1-chunk2", "application/octet-stream", absent},
		{"status-204", 204, "", absent, absent},
		{"status-304", 304, "", absent, absent},
		{"unicode", 200, "héllo 日本", absent, `"38zrot79l8"`},
	}
	for _, tc := range cases {
		res := s.get(t, "/api/send?kind="+tc.kind)
		length := fmt.Sprint(len(tc.body))
		if tc.etag == absent {
			length = ""
		}
		switch tc.kind {
		case "null", "undefined":
			length = "0" // net/http's, for a response that ended without a body
		case "stream", "status-204", "status-304":
			length = absent
		}
		// Ours: a body without a Content-Type is marked nosniff.
		nosniff := absent
		if tc.contentType == absent && tc.etag != absent {
			nosniff = "nosniff"
		}
		hdr := []string{"Content-Type", tc.contentType, "Etag", tc.etag, "X-Content-Type-Options", nosniff}
		if length != "" {
			hdr = append(hdr, "Content-Length", length)
		}
		res.check(t, tc.kind, tc.status, tc.body, hdr...)
		if tc.kind == "stream" && (len(res.te) != 1 || res.te[0] != "chunked") {
			t.Errorf("stream: Transfer-Encoding %q, want chunked", res.te)
		}
	}
	s.get(t, "/api/send?kind=nope").check(t, "unknown kind", 400, `{"error":"unknown kind","kind":"nope"}`)
	s.get(t, "/api/send").check(t, "no kind", 400, `{"error":"unknown kind","kind":null}`)
	s.get(t, "/api/send?kind=string&kind=object").check(t, "two kinds", 400, `{"error":"unknown kind","kind":["string","object"]}`)
	s.get(t, "/api/send?kind=string", "If-None-Match", `W/"2caikvdqo85"`).
		check(t, "If-None-Match", 304, "", "Etag", `"2caikvdqo85"`, "Content-Length", absent)
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	s := start(t)
	const target = "https://example.com/target?q=1"
	const xss = "<script>alert(document.cookie)</script>"
	cases := []struct {
		query, location string
		status          int
	}{
		{"?mode=absolute", target, 307},
		{"?mode=absolute-301", target, 301},
		{"?mode=string-status", "301", 307},
		{"?mode=non-ascii", "/%E6%97%A5%E6%9C%AC", 307}, // ours: Next refuses it (500); see the respond package
		{"", "/api/echo", 307},
		{"?to=/somewhere%3Fa%3D1", "/somewhere?a=1", 307},
		{"?status=302", "/api/echo", 302},
		{"?status=0x12D", "/api/echo", 301},
		{"?status=308&to=/y", "/y", 308},
		{"?status=200", "/x", 200},
		{"?status=299", "/x", 299},
		// A reflected URL with markup and a status that is no redirect: the
		// body is the script, which a browser must not run (ours: nosniff).
		{"?status=200&to=" + url.QueryEscape(xss), xss, 200},
	}
	for _, tc := range cases {
		body := tc.location // the URL as given; Location escapes what is not ASCII
		if tc.query == "?mode=non-ascii" {
			body = "/日本"
		}
		s.get(t, "/api/redirect"+tc.query).check(t, tc.query, tc.status, body,
			"Location", tc.location, "Content-Type", absent, "X-Content-Type-Options", "nosniff")
	}
	s.do(t, request{method: "HEAD", path: "/api/redirect?status=200&to=" + url.QueryEscape(xss)}).check(t, "HEAD with markup", 200, "",
		"Location", xss, "Content-Type", absent, "X-Content-Type-Options", "nosniff")
	for _, q := range []string{"?status=abc", "?status=42", "?status=1000"} {
		s.get(t, "/api/redirect"+q).check(t, q, 500, `{"error":"Internal Server Error"}`, "Location", absent)
	}
	t.Run("no-url", func(t *testing.T) {
		// Next's res.redirect(301) throws; the handler passes "" (Go has no
		// undefined URL), which respond.Redirect refuses the same way.
		s.get(t, "/api/redirect?mode=no-url").check(t, "no-url", 500, `{"error":"Internal Server Error"}`, "Location", absent)
	})
}

const sizeWarning = "API response for %s exceeds %s. API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit"

func TestResponseLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path    string
		n       int
		warning string // "" for none
	}{
		{"/api/big?n=4194303", 4194303, ""},
		{"/api/big?n=4194304", 4194304, "4MB"},
		{"/api/big?n=4194303&mode=write", 4194303, ""},
		{"/api/big?n=4194304&mode=write", 4194304, "4MB"},
		{"/api/big-nolimit?n=4194304", 4194304, ""},
		{"/api/big-nolimit?n=9000000&mode=write", 9000000, ""},
		{"/api/big-8mb?n=8388607", 8388607, ""},
		{"/api/big-8mb?n=8388608", 8388608, "8MB"},
		{"/api/big-8mb?n=8388608&mode=write", 8388608, "8MB"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			res := s.get(t, tc.path)
			hdr := []string{"Content-Type", absent, "Content-Length", fmt.Sprint(tc.n)}
			if strings.HasSuffix(tc.path, "mode=write") {
				hdr = []string{"Content-Type", "text/plain", "Etag", absent}
			}
			res.check(t, tc.path, 200, strings.Repeat("a", tc.n), hdr...)
			logs := s.logs()
			var want []string
			if tc.warning != "" {
				want = []string{fmt.Sprintf(sizeWarning, tc.path, tc.warning)}
			}
			if strings.Join(logs, "\n") != strings.Join(want, "\n") {
				t.Errorf("log:\n%s\nwant:\n%s", strings.Join(logs, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	t.Run("a count that String.repeat refuses", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.get(t, "/api/big?n=-1").check(t, "n=-1", 500, `{"error":"Internal Server Error"}`)
		s.get(t, "/api/big").check(t, "no n", 200, "", "Etag", `"78p3gz236i0"`)
	})
}

func TestUnresolvedResponse(t *testing.T) {
	t.Parallel()
	t.Run("noresponse", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		// Next leaves the request hanging; net/http ends it when the handler
		// returns (ours).
		s.get(t, "/api/noresponse?x=1").check(t, "noresponse", 200, "")
		want := "API resolved without sending a response for /api/noresponse?x=1, this may result in stalled requests."
		if logs := s.logs(); len(logs) != 1 || logs[0] != want {
			t.Errorf("log %q, want exactly %q", logs, want)
		}
	})
	t.Run("external", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.get(t, "/api/external").check(t, "external", 200, "")
		if logs := s.logs(); len(logs) != 0 {
			t.Errorf("log %q, want nothing (externalResolver)", logs)
		}
	})
}

func TestErrorsAreLoggedNotSent(t *testing.T) {
	t.Parallel()
	for path, cause := range map[string]string{"/api/throw": "boom", "/api/throw-async": "boom-async"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			res := s.get(t, path)
			res.check(t, path, 500, `{"error":"Internal Server Error"}`, "Content-Type", "application/json; charset=utf-8")
			if strings.Contains(res.body, "boom") {
				t.Errorf("the cause was sent: %s", res.body)
			}
			logs := s.logs()
			if len(logs) != 1 || !strings.Contains(logs[0], " error="+cause+" ") && !strings.HasSuffix(logs[0], " error="+cause) {
				t.Errorf("log %q, want one line with error=%s", logs, cause)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	s := start(t)
	const notFound = `{"error":"Not Found"}`
	cases := []struct {
		method, path string
		status       int
		body         string
		location     string
	}{
		{"GET", "/api/post/create", 200, `{"which":"post/create.js","query":{}}`, ""},
		{"GET", "/api/post/create?pid=1", 200, `{"which":"post/create.js","query":{"pid":"1"}}`, ""},
		{"GET", "/api/post/abc", 200, `{"which":"post/[pid].js","query":{"pid":"abc"}}`, ""},
		{"GET", "/api/post/abc?pid=x&q=1", 200, `{"which":"post/[pid].js","query":{"pid":"abc","q":"1"}}`, ""},
		{"GET", "/api/post/5?pid=1&pid=2", 200, `{"which":"post/[pid].js","query":{"pid":"5"}}`, ""},
		{"GET", "/api/post/a%2Fb", 200, `{"which":"post/[pid].js","query":{"pid":"a/b"}}`, ""},
		{"GET", "/api/post/a/b", 200, `{"which":"post/[...slug].js","query":{"slug":["a","b"]}}`, ""},
		{"GET", "/api/post/a/b%2Fc/d?slug=z", 200, `{"which":"post/[...slug].js","query":{"slug":["a","b/c","d"]}}`, ""},
		{"GET", "/api/post", 404, notFound, ""},
		{"GET", "/api/opt", 200, `{"which":"opt/[[...slug]].js","query":{}}`, ""},
		{"GET", "/api/opt?slug=q", 200, `{"which":"opt/[[...slug]].js","query":{"slug":"q"}}`, ""},
		{"GET", "/api/opt?slug=a&slug=b", 200, `{"which":"opt/[[...slug]].js","query":{"slug":["a","b"]}}`, ""},
		{"GET", "/api/opt/a", 200, `{"which":"opt/[[...slug]].js","query":{"slug":["a"]}}`, ""},
		{"GET", "/api/opt/a/b?slug=q", 200, `{"which":"opt/[[...slug]].js","query":{"slug":["a","b"]}}`, ""},
		{"GET", "/api/post/abc/?q=1", 308, "/api/post/abc?q=1", "/api/post/abc?q=1"},
		{"POST", "/api/opt/", 308, "/api/opt", "/api/opt"},
		{"GET", "/api//echo", 308, "/api/echo", "/api/echo"},
		{"GET", "/api/nope", 404, notFound, ""},
		{"GET", "/API/echo", 404, notFound, ""},
		{"GET", "/api/echo.json", 404, notFound, ""},
	}
	for _, tc := range cases {
		loc := tc.location
		if loc == "" {
			loc = absent
		}
		s.do(t, request{method: tc.method, path: tc.path}).check(t, tc.method+" "+tc.path, tc.status, tc.body, "Location", loc)
	}
}

func TestCookies(t *testing.T) {
	t.Parallel()
	s := start(t)
	cases := []struct {
		cookies []string
		want    string
	}{
		{nil, `{}`},
		{[]string{"a=1; a=2"}, `{"a":"1"}`},
		{[]string{"foo; =bar; baz=qux; ;; k=v=w"}, `{"":"bar","baz":"qux","k":"v=w"}`},
		{[]string{"c=x%3By"}, `{"c":"x;y"}`},
		{[]string{`q="quoted"; u="unterminated; z=%zz; p=a+b`}, `{"p":"a+b","q":"quoted","u":"unterminate","z":"%zz"}`},
		{[]string{"a=1", "a=3; b=2"}, `{"a":"1","b":"2"}`},
	}
	for _, tc := range cases {
		var hdr []string
		for _, c := range tc.cookies {
			hdr = append(hdr, "Cookie", c)
		}
		s.get(t, "/api/cookies", hdr...).check(t, strings.Join(tc.cookies, " + "), 200, tc.want)
	}
}

func TestReturnsValue(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.get(t, "/api/returns-value").check(t, "returns-value", 200, `{"returned":true}`, "Etag", `"vwehvnttjrh"`)
	if logs := s.logs(); len(logs) != 0 {
		t.Errorf("log %q, want nothing", logs)
	}
}

func TestHandlerMethods(t *testing.T) {
	t.Parallel()
	s := start(t)
	const allow = "GET, HEAD, OPTIONS, POST"
	// Response.json: application/json without a charset, and no ETag.
	s.do(t, request{method: "GET", path: "/api/handler"}).check(t, "GET", 200, `{"method":"GET"}`, "Content-Type", "application/json", "Etag", absent)
	s.do(t, request{method: "POST", path: "/api/handler"}).check(t, "POST", 200, `{"method":"POST"}`, "Content-Type", "application/json")
	// HEAD is served by GET, which says "GET".
	s.do(t, request{method: "HEAD", path: "/api/handler"}).check(t, "HEAD", 200, "", "Content-Type", "application/json", "Content-Length", "16")
	s.do(t, request{method: "OPTIONS", path: "/api/handler"}).check(t, "OPTIONS", 204, "", "Allow", allow)
	// ours: the 405 has an Allow header and a JSON body; Next's is empty.
	s.do(t, request{method: "PUT", path: "/api/handler"}).check(t, "PUT", 405, `{"error":"Method Not Allowed"}`, "Allow", allow)
	s.do(t, request{method: "DELETE", path: "/api/handler"}).check(t, "DELETE", 405, `{"error":"Method Not Allowed"}`, "Allow", allow)
}

// With -errors text, error answers are Next's byte for byte: the message as
// the body, no Content-Type (the reason phrase stays net/http's).
func TestTextErrorsAreNexts(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(logOut io.Writer) http.Handler { return newServerWith(logOut, apierror.RenderText) })
	cases := []struct {
		rq     request
		status int
		body   string
	}{
		{request{method: "POST", path: "/api/echo", body: strings.NewReader("{"), header: []string{"Content-Type", "application/json"}}, 400, "Invalid JSON"},
		{request{method: "POST", path: "/api/limit-1kb", body: strings.NewReader(strings.Repeat("x", 1025))}, 413, "Body exceeded 1kb limit"},
		{request{path: "/api/throw"}, 500, "Internal Server Error"},
		{request{path: "/api/status?code=abc"}, 500, "Internal Server Error"},
		{request{path: "/api/nope"}, 404, "Not Found"},
		{request{method: "PUT", path: "/api/handler"}, 405, "Method Not Allowed"},
	}
	for _, tc := range cases {
		s.do(t, tc.rq).check(t, tc.rq.method+" "+tc.rq.path, tc.status, tc.body, "Content-Type", absent)
	}
}

func TestLogLines(t *testing.T) {
	t.Parallel()
	var b logBuffer
	l := slog.New(newLineHandler(&b))
	l.Debug("dropped")
	l.Warn("API resolved without sending a response for /x, this may result in stalled requests.", "method", "GET", "path", "/x")
	l.Error("apierror: panic recovered", "path", "/a b", "error", "boom", "stack", "line 1\nline 2")
	l.With("req", 7).WithGroup("g").Error("two\nlines", "k", "v", slog.Group("h", "x", 1))
	want := []string{
		"API resolved without sending a response for /x, this may result in stalled requests.",
		`apierror: panic recovered path="/a b" error=boom stack="line 1\nline 2"`,
		`two\nlines req=7 g.k=v g.h.x=1`,
	}
	if got := b.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
