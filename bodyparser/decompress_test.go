package bodyparser_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

func gzipBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zlibBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gzipTwice is n zero bytes compressed with "gzip, gzip": a few hundred
// bytes that decode to n.
func gzipTwice(t testing.TB, n int) []byte {
	t.Helper()
	once := gzipBytes(t, strings.Repeat("0", n))
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(once)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCompressedBodiesExpandNoMoreThanTheRatio(t *testing.T) {
	bomb := gzipTwice(t, 26<<20)
	t.Logf("the bomb: %d bytes on the wire for %d decoded", len(bomb), 26<<20)
	// Random digits compress a little over 2 times.
	rng := rand.New(rand.NewPCG(3, 4))
	var digits strings.Builder
	for range 200 << 10 {
		digits.WriteByte(byte('0' + rng.IntN(10)))
	}
	// 64 KiB of spaces compress about 600 times.
	spaces := strings.Repeat(" ", 64<<10)

	tests := []struct {
		name     string
		ratio    int
		encoding string
		body     []byte
		want     int
		message  string
	}{
		{"a gzip, gzip bomb", 0, "gzip, gzip", bomb, 413, "Body expands more than 200 times when decompressed"},
		{"the bomb without a ratio meets only the limit", -1, "gzip, gzip", bomb, 200, ""},
		{"an ordinary body", 0, "gzip", gzipBytes(t, digits.String()), 200, ""},
		{"600 times is over the default", 0, "gzip", gzipBytes(t, spaces), 413, "Body expands more than 200 times when decompressed"},
		{"600 times is under a ratio of 1000", 1000, "gzip", gzipBytes(t, spaces), 200, ""},
		{"600 times is over a ratio of 10", 10, "deflate", zlibBytes(t, spaces), 413, "Body expands more than 10 times when decompressed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran bool
			h := bodyparser.New(bodyparser.Config{SizeLimit: "32mb", MaxDecompressionRatio: tt.ratio})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ran = true
					fmt.Fprint(w, len(bodyparser.Bytes(r)))
				}))
			srv := startServer(t, h)
			req := newRequest(t, srv.URL, bytes.NewReader(tt.body), "Content-Type", "text/plain", "Content-Encoding", tt.encoding)
			resp, got := do(t, newClient(t), req)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, got, tt.want)
			}
			if tt.want == 413 {
				if got != `{"error":"`+tt.message+`"}` || ran {
					t.Errorf("got %s (handler ran: %v), want %q", got, ran, tt.message)
				}
				if !resp.Close {
					t.Error("the 413 does not close the connection")
				}
			}
		})
	}
}

func TestDecompressionCanBeTurnedOff(t *testing.T) {
	form := "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--\r\n"
	tests := []struct {
		name, contentType, encoding string
		body                        []byte
		want                        int
		message                     string
	}{
		{"gzip", "application/json", "gzip", gzipBytes(t, `{"a":1}`), 415, "Unsupported Content-Encoding: gzip"},
		{"deflate", "application/json", "deflate", zlibBytes(t, `{"a":1}`), 415, "Unsupported Content-Encoding: deflate"},
		{"an unknown coding", "application/json", "br", []byte("x"), 415, "Unsupported Content-Encoding: br"},
		{"gzip multipart", "multipart/form-data; boundary=XyZ", "gzip", gzipBytes(t, form), 415, "Unsupported Content-Encoding: gzip"},
		{"identity", "application/json", "identity", []byte(`{"a":1}`), 200, ""},
		{"no coding", "application/json", "", []byte(`{"a":1}`), 200, ""},
	}
	h := bodyparser.New(bodyparser.Config{DisableDecompression: true, Multipart: &bodyparser.MultipartConfig{}})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ran") }))
	srv := startServer(t, h)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{"Content-Type", tt.contentType}
			if tt.encoding != "" {
				hdr = append(hdr, "Content-Encoding", tt.encoding)
			}
			resp, got := do(t, newClient(t), newRequest(t, srv.URL, bytes.NewReader(tt.body), hdr...))
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, got, tt.want)
			}
			if tt.want == 415 {
				if got != `{"error":"`+tt.message+`"}` {
					t.Errorf("got %s, want %q", got, tt.message)
				}
				if ae := resp.Header.Get("Accept-Encoding"); ae != "identity" {
					t.Errorf("Accept-Encoding = %q, want identity", ae)
				}
			}
		})
	}
}

// RFC 6839's structured syntax suffix: application/*+json bodies stay text
// for Value, as in Next, and Decode reads them as JSON.
func TestDecodeAcceptsStructuredSyntaxJSONMediaTypes(t *testing.T) {
	type patch struct {
		Title string `json:"title"`
	}
	h := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := bodyparser.Value(r)
		p, err := bodyparser.Decode[patch](r)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		fmt.Fprintf(w, "%T %s", v, p.Title)
	}))
	srv := startServer(t, h)
	for _, tt := range []struct {
		contentType, body string
		want              int
		text              string
	}{
		{"application/merge-patch+json", `{"title":"x"}`, 200, "string x"},
		{"application/vnd.api+json; charset=utf-8", `{"title":"y"}`, 200, "string y"},
		{"APPLICATION/PROBLEM+JSON", `{"title":"z"}`, 200, "string z"},
		{"application/merge-patch+json", `{"title":`, 400, "syntax error"},
		{"application/+json", `{"title":"x"}`, 400, "Content-Type must be application/json or application/*+json"},
		{"text/x+json", `{"title":"x"}`, 400, "Content-Type must be"},
	} {
		resp, got := do(t, newClient(t), newRequest(t, srv.URL, strings.NewReader(tt.body), "Content-Type", tt.contentType))
		if resp.StatusCode != tt.want || !strings.Contains(got, tt.text) {
			t.Errorf("%s %s: got %d %q, want %d with %q", tt.contentType, tt.body, resp.StatusCode, got, tt.want, tt.text)
		}
	}
}
