package bodyparser_test

// The body read deadline holds until r.Body has returned EOF: a compressed
// stream or a multipart body that ends before its Content-Length cannot
// leave net/http reading the rest with no deadline, and bytes after the end
// of what was parsed are bounded.

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/hostile"
)

func zlibBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func rawDeflateBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw, _ := flate.NewWriter(&b, flate.BestCompression)
	_, _ = io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartBody is a form with one file of n bytes, ending at its close
// delimiter.
func multipartBody(n int) (body []byte, contentType string) {
	var b bytes.Buffer
	b.WriteString("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n")
	rng := rand.New(rand.NewPCG(1, 2)) // letters that do not compress 200 times
	for range n {
		b.WriteByte(byte('a' + rng.IntN(26)))
	}
	b.WriteString("\r\n--XyZ--\r\n")
	return b.Bytes(), "multipart/form-data; boundary=XyZ"
}

// answer sends head and body on a fresh connection, sends nothing more, and
// returns the status (0 when none came within wait), the body and how long
// the answer took.
func answer(t *testing.T, s *hostile.Server, head string, body []byte, wait time.Duration) (int, string, time.Duration) {
	t.Helper()
	conn := s.Dial(t, wait)
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err.Error(), time.Since(start)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b), time.Since(start)
}

func TestABodyThatStopsShortOfItsContentLengthIsAnswered408AtTheDeadline(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tmp := t.TempDir()
	form, formType := multipartBody(64 << 10)
	tests := []struct {
		name, encoding, contentType string
		body                        []byte
	}{
		{"zlib", "deflate", "application/json", zlibBytes(t, `{"a":1}`)},
		{"raw deflate", "deflate", "application/json", rawDeflateBytes(t, `{"a":1}`)},
		{"gzip over deflate", "deflate, gzip", "application/json", gzipBytes(t, string(zlibBytes(t, `{"a":1}`)))},
		{"multipart", "", formType, form},
		{"zlib multipart", "deflate", formType, zlibBytes(t, string(form))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran := false
			h := bodyparser.New(bodyparser.Config{
				ReadTimeout: timeout,
				Multipart:   &bodyparser.MultipartConfig{MaxMemory: "1kb", TempDir: tmp},
			})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ran = true
				w.WriteHeader(http.StatusNoContent)
			}))
			s := hostile.Start(t, h)
			head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n", tt.contentType, len(tt.body)+1000)
			if tt.encoding != "" {
				head += "Content-Encoding: " + tt.encoding + "\r\n"
			}
			status, text, took := answer(t, s, head+"\r\n", tt.body, 5*time.Second)
			if status != http.StatusRequestTimeout || !strings.Contains(text, "Body not received within 300ms") {
				t.Fatalf("got %d %q after %v; want 408 at the deadline", status, text, took)
			}
			if took > timeout+time.Second {
				t.Errorf("the 408 took %v; want it at the %v deadline", took, timeout)
			}
			if ran {
				t.Error("the handler ran on a body that never ended")
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("temporary files left after the 408: %d", len(left))
			}
		})
	}
}

func TestBytesAfterTheEndOfWhatWasParsedAreBounded(t *testing.T) {
	form, formType := multipartBody(10)
	tests := []struct {
		name, encoding, contentType string
		body                        []byte
		want                        int
		message                     string
	}{
		{"zlib, then a little", "deflate", "application/json", append(zlibBytes(t, `{"a":1}`), "\r\n"...), 200, ""},
		{"zlib, then 2kb", "deflate", "application/json", append(zlibBytes(t, `{"a":1}`), bytes.Repeat([]byte{'x'}, 2048)...), 400, "Invalid body: data after the end of the compressed body"},
		{"raw deflate, then 2kb", "deflate", "application/json", append(rawDeflateBytes(t, `{"a":1}`), bytes.Repeat([]byte{'x'}, 2048)...), 400, "Invalid body: data after the end of the compressed body"},
		{"gzip, then garbage", "gzip", "application/json", append(gzipBytes(t, `{"a":1}`), "garbage"...), 400, "Invalid body"},
		{"multipart epilogue", "", formType, append(form, "the epilogue is ignored\r\n"...), 200, ""},
		{"multipart, then 2kb", "", formType, append(form, bytes.Repeat([]byte{'x'}, 2048)...), 400, "Invalid multipart body: data after the closing boundary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := bodyparser.New(bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					v, _ := bodyparser.Value(r)
					if fd := bodyparser.Multipart(r); fd != nil {
						v = fd.Get("f")
					}
					fmt.Fprint(w, v)
				}))
			s := hostile.Start(t, h)
			head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n", tt.contentType, len(tt.body))
			if tt.encoding != "" {
				head += "Content-Encoding: " + tt.encoding + "\r\n"
			}
			status, text, _ := answer(t, s, head+"\r\n", tt.body, 5*time.Second)
			if status != tt.want || (tt.message != "" && !strings.Contains(text, `"`+tt.message+`"`)) {
				t.Fatalf("got %d %s; want %d %q", status, text, tt.want, tt.message)
			}
		})
	}
}

func TestAFileNameIsNeverAPathNorADotSegment(t *testing.T) {
	h := bodyparser.New(bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f := bodyparser.Multipart(r).File("f")
			if f == nil {
				http.Error(w, "not a file", 500)
				return
			}
			fmt.Fprint(w, f.Filename)
		}))
	s := hostile.Start(t, h)
	for _, tt := range []struct{ sent, want string }{
		{"report.pdf", "report.pdf"},
		{"..", ""},
		{".", ""},
		{"/", ""},
		{"a/..", ""},
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\win.ini`, "win.ini"},
		{`C:\Users\me\photo.jpg`, "photo.jpg"},
		{`dir\`, ""},
		{"..hidden", "..hidden"},
	} {
		t.Run(tt.sent, func(t *testing.T) {
			quoted := strings.ReplaceAll(strings.ReplaceAll(tt.sent, `\`, `\\`), `"`, `\"`)
			body := "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"" + quoted + "\"\r\n\r\ndata\r\n--XyZ--\r\n"
			head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n", len(body))
			status, got, _ := answer(t, s, head, []byte(body), 5*time.Second)
			if status != 200 || got != tt.want {
				t.Errorf("filename %q: got %d %q, want %q", tt.sent, status, got, tt.want)
			}
		})
	}
}
