package responselimit_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/hostile"
	"github.com/apiroutes/apiroutes/responselimit"
)

// Clients that make a handler overrun its enforced limit, from 32
// connections at once, after it has set a session cookie and caching
// headers for the response it meant to send (issue 12, item 7): each gets
// the 500 without those headers and with the outer layer's, the server
// keeps nothing of them, and ordinary requests are served throughout.
// Heap figures are process-wide: this test must not run in parallel.
func TestEnforcedLimitUnderLoadAnswersWithoutTheHandlersHeaders(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	body := make([]byte, 64<<10)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "session=abc; Path=/; HttpOnly")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		if r.URL.Path == "/big" {
			_, _ = w.Write(body)
			return
		}
		_, _ = io.WriteString(w, "small")
	})
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-1")
			w.Header().Set("Vary", "Origin")
			next.ServeHTTP(w, r)
		})
	}
	s := hostile.Start(t, outer(responselimit.New(responselimit.Config{Limit: "16kb", Enforce: true, Logger: quiet})(handler)))

	req := []byte("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	var mu sync.Mutex
	counts := map[string]int{}
	rep := hostile.Run(t, s, hostile.Attack{
		Name: "32 conns × 20 responses over an enforced 16kb limit",
		Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			hostile.Concurrently(32, func(int) {
				conn := s.Dial(t, 60*time.Second)
				br := bufio.NewReader(conn)
				for range 20 {
					n, err := conn.Write(req)
					sent.Add(int64(n))
					if err != nil {
						return
					}
					res, err := http.ReadResponse(br, nil)
					if err != nil {
						mu.Lock()
						counts["broken connection"]++
						mu.Unlock()
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					verdict := "500 as it should be"
					switch {
					case res.StatusCode != http.StatusInternalServerError:
						verdict = "status " + res.Status
					case res.Header.Get("Set-Cookie") != "" || res.Header.Get("Cache-Control") != "":
						verdict = "500 with the handler's Set-Cookie or Cache-Control"
					case res.Header.Get("X-Request-Id") != "req-1" || res.Header.Get("Vary") != "Origin":
						verdict = "500 without the outer layer's headers"
					}
					mu.Lock()
					counts[verdict]++
					mu.Unlock()
				}
			})
		},
		Probe: func(s *hostile.Server) *http.Request {
			r, _ := http.NewRequest("GET", s.URL+"/small", nil)
			return r
		},
		ProbeStatus: http.StatusOK,
	})
	if counts["500 as it should be"] != 640 {
		t.Errorf("answers: %v, want 640 × the 500 without the handler's headers", counts)
	}
	hostile.Check(t, rep, 16<<20, 1<<20)
}
