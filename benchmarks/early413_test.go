package benchmarks

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// BenchmarkBodyParserEarly413 measures, on a loopback server, how long a
// client that has sent only the request head, or a body just past the
// limit, waits for the 413 while it holds the rest of its upload back: the
// answer must not wait for bytes that never come.
func BenchmarkBodyParserEarly413(b *testing.B) {
	srv := httptest.NewServer(bodyparser.New(bodyparser.Config{SizeLimit: "1mb"})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Error("the handler ran for a refused body")
	})))
	defer srv.Close()
	for _, bc := range []struct{ name, head, body string }{
		{"content-length-1GiB", "Content-Length: " + strconv.Itoa(1<<30) + "\r\n\r\n", ""},
		{"chunked-pause-past-limit", "Transfer-Encoding: chunked\r\n\r\n", strconv.FormatInt(1<<20+1, 16) + "\r\n" + strings.Repeat("a", 1<<20+1) + "\r\n"},
	} {
		req := "POST /upload HTTP/1.1\r\nHost: bench\r\nContent-Type: text/plain\r\n" + bc.head + bc.body
		b.Run(bc.name+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.WriteString(conn, req); err != nil {
					b.Fatal(err)
				}
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				conn.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					b.Fatalf("status %d, want 413", resp.StatusCode)
				}
			}
		})
	}
}
