package compose_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/hostile"
)

// TestUnauthenticatedUploadsCostNoBodyRead is the attack of issue 14: many
// clients without a token upload bodies just under a large route's limit.
// With authentication appended after the body parser (the only place
// before BeforeBody), the server reads and holds every body before its 401;
// with authentication in BeforeBody it answers at once and reads nothing.
func TestUnauthenticatedUploadsCostNoBodyRead(t *testing.T) {
	const (
		clients = 8
		size    = 8 << 20
	)
	upload := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat("x", len(bodyparser.Bytes(r))%2))
	})
	chains := []struct {
		name  string
		h     http.Handler
		bound bool
	}{
		{"auth appended after the body parser", compose.Chain(compose.Config{Body: bodyparser.Config{SizeLimit: "10mb"}}).Append(requireToken).Then(upload), false},
		{"auth in BeforeBody", compose.Route(upload, compose.Config{Body: bodyparser.Config{SizeLimit: "10mb"}, BeforeBody: []func(http.Handler) http.Handler{requireToken}}), true},
	}
	chunk := []byte(strings.Repeat("a", 64<<10))
	head := "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: " + itoa(size) + "\r\n\r\n"
	for _, c := range chains {
		s := hostile.Start(t, c.h)
		rep := hostile.Run(t, s, hostile.Attack{
			Name: c.name + ": " + itoa(clients) + " unauthenticated 8 MiB uploads to a 10mb route",
			Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
				hostile.Concurrently(clients, func(int) {
					conn := s.Dial(t, 20*time.Second)
					n, _ := io.WriteString(conn, head)
					sent.Add(int64(n))
					for off := 0; off < size && ctx.Err() == nil; off += len(chunk) {
						n, err := conn.Write(chunk)
						sent.Add(int64(n))
						if err != nil {
							break // the server answered and closed
						}
					}
					line, _ := bufio.NewReader(conn).ReadString('\n')
					if !strings.Contains(line, " 401 ") {
						t.Errorf("%s: got %q, want a 401", c.name, line)
					}
					conn.Close()
				})
			},
			Probe: func(s *hostile.Server) *http.Request {
				r, _ := http.NewRequest("POST", s.URL+"/api/upload", strings.NewReader("hi"))
				r.Header.Set("Authorization", "Bearer secret")
				return r
			},
			ProbeStatus: http.StatusOK,
		})
		if c.bound {
			// No body is read: what is left is the connections' buffers.
			hostile.Check(t, rep, 4<<20, 1<<20)
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
