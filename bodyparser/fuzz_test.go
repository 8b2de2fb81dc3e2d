package bodyparser

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseContentTypeMatchesNpmContentType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, typ, charset string
		ok               bool
	}{
		{"application/json", "application/json", "", true},
		{" application/json ", "application/json", "", true},
		{"application/json; charset=utf-8", "application/json", "utf-8", true},
		{"application/json;charset=UTF-8", "application/json", "UTF-8", true},
		{`text/plain; charset="latin1"`, "text/plain", "latin1", true},
		{`text/plain; charset="a\"b"`, "text/plain", `a"b`, true},
		{"text/plain; charset = utf-8 ", "text/plain", "utf-8", true},
		{"text/plain; a=1; charset=x; b=2", "text/plain", "x", true},
		{"application/json; charset", "", "", false},
		{"application/json;", "", "", false},
		{"application/json;;charset=x", "", "", false},
		{"application/json; charset=a b", "", "", false},
		{`application/json; charset="x`, "", "", false},
		{"json", "", "", false},
		{"/json", "", "", false},
		{"application/", "", "", false},
		{"appli cation/json", "", "", false},
		{"application/json\t; charset=x", "application/json", "x", true}, // the type is trimmed
		{"a/b; x=1\t; charset=y", "", "", false},                         // between parameters only spaces
		{"\tapplication/json", "application/json", "", true},
	}
	for _, tc := range cases {
		typ, charset, ok := parseContentType(tc.in)
		if typ != tc.typ || charset != tc.charset || ok != tc.ok {
			t.Errorf("parseContentType(%q) = %q, %q, %v; want %q, %q, %v", tc.in, typ, charset, ok, tc.typ, tc.charset, tc.ok)
		}
	}
}

func FuzzParseContentType(f *testing.F) {
	for _, s := range []string{"application/json", "text/plain; charset=utf-8", `a/b; c="d\"e"; charset=x`, "application/json;", "json", " a/b ; x = y "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		typ, charset, ok := parseContentType(h)
		if !ok {
			if typ != "" || charset != "" {
				t.Fatalf("failure returned %q %q", typ, charset)
			}
			return
		}
		if i := strings.IndexByte(typ, '/'); i <= 0 || i == len(typ)-1 || !isToken(typ[:i]) || !isToken(typ[i+1:]) {
			t.Fatalf("parseContentType(%q) accepted the media type %q", h, typ)
		}
		// Where Go's parser also succeeds, the media types agree.
		if mt, _, err := mime.ParseMediaType(h); err == nil && !strings.EqualFold(mt, typ) {
			t.Fatalf("parseContentType(%q) = %q; mime says %q", h, typ, mt)
		}
		k, _ := mediaKind(h)
		if k == kindJSON != (strings.EqualFold(typ, "application/json") || strings.EqualFold(typ, "application/ld+json")) {
			t.Fatalf("mediaKind(%q) = %v for %q", h, k, typ)
		}
	})
}

// countingBody counts the bytes the middleware pulls from the client.
type countingBody struct {
	r io.Reader
	n int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
func (c *countingBody) Close() error { return nil }

// FuzzMiddleware drives the whole middleware with hostile input: it must
// never panic, never answer 5xx and never pull more than limit+1 bytes from
// the client (plus the one byte that tells net/http to close the
// connection), with or without compression. Content-Encoding is fuzzed as
// written, so the corpus holds coding lists of any length; the declared
// Content-Length may lie in either direction (lie, added to the true one).
func FuzzMiddleware(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "application/json", uint8(0), false, "", int64(0))
	f.Add([]byte(`a=1&b=%zz`), "application/x-www-form-urlencoded; charset=latin1", uint8(0), true, "", int64(0))
	f.Add([]byte("\xff\xfeh\x00i\x00"), "text/plain; charset=utf-16le", uint8(0), false, "", int64(0))
	f.Add(bytes.Repeat([]byte("x"), 100), "text/plain", uint8(1), true, "", int64(0))
	f.Add([]byte(`{"a":`), "application/json; charset=klingon", uint8(2), false, "", int64(0))
	// Hostile shapes from issue 12.
	f.Add([]byte("xx"), "application/json", uint8(0), false, strings.Repeat("deflate,", 8000), int64(0))
	f.Add([]byte("xx"), "application/json", uint8(0), false, strings.Repeat("identity, ", 2000)+"gzip", int64(0))
	f.Add([]byte("x"), "text/plain", uint8(0), false, "deflate", int64(0))
	f.Add([]byte("\x78"), "text/plain", uint8(0), false, "deflate, deflate", int64(0))
	f.Add([]byte(`{}`), "application/json", uint8(1), false, "gzip,"+strings.Repeat("z", 4096), int64(0))
	f.Add([]byte(`{"a":1}`), "application/json", uint8(0), false, "", int64(1<<20))   // announces a 1 MB body
	f.Add([]byte(`{"a":1}`), "application/json", uint8(0), false, "", int64(512<<30)) // 512 GiB
	f.Add([]byte(`{"a":1}`), "application/json", uint8(0), false, "", int64(-3))      // shorter than sent
	f.Add(bytes.Repeat([]byte("x"), 64), "text/plain", uint8(0), false, "", int64(1))
	const limit = 64
	p, err := Config{SizeLimit: "64b"}.compile()
	if err != nil {
		f.Fatal(err)
	}
	p.next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(Bytes(r)) > limit {
			panic("a body over the limit reached the handler")
		}
		_, _ = Value(r)
		_ = Text(r)
		_, _ = Decode[map[string]any](r)
	})
	f.Fuzz(func(t *testing.T, payload []byte, ct string, enc uint8, chunked bool, codings string, lie int64) {
		wire := payload
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Content-Type", ct)
		switch enc % 4 {
		case 1: // a real gzip stream of the payload
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(payload)
			_ = zw.Close()
			wire = buf.Bytes()
			r.Header.Set("Content-Encoding", "gzip")
		case 2: // the payload, mislabelled
			r.Header.Set("Content-Encoding", "gzip")
		case 3:
			r.Header.Set("Content-Encoding", "deflate")
		}
		if codings != "" {
			r.Header.Add("Content-Encoding", codings)
		}
		body := &countingBody{r: bytes.NewReader(wire)}
		r.Body = body
		r.ContentLength = int64(len(wire))
		if n := r.ContentLength + lie; lie != 0 && n >= 0 && (n > r.ContentLength) == (lie > 0) { // no overflow
			r.ContentLength = n
		}
		if chunked {
			r.ContentLength = -1
		}
		cs := contentCodings(r.Header)
		coded := r.Header.Get("Content-Encoding") != ""
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, r)
		switch rec.Code {
		case 200, 400, 413, 415:
		default:
			t.Fatalf("status %d for %q (%q, enc %d, codings %.40q, length %d)", rec.Code, payload, ct, enc%4, codings, r.ContentLength)
		}
		if (cs.tooMany || cs.bad != "") && (rec.Code == 200 || body.n != 0) {
			t.Fatalf("Content-Encoding %.40q: got %d after reading %d bytes; want a refusal before reading", codings, rec.Code, body.n)
		}
		if cs.n > maxContentCodings {
			t.Fatalf("%d codings kept", cs.n)
		}
		allowed := limit + 2
		if coded {
			allowed = int(p.wireCap) + 2
		}
		if body.n > allowed {
			t.Fatalf("read %d bytes of %d for a %d-byte limit", body.n, len(wire), limit)
		}
	})
}
