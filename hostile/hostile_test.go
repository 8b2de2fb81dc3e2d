package hostile_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/hostile"
)

// The harness must see what a handler makes an attacker cost: a handler
// that allocates 32 MiB per request and keeps it shows both peak and
// retained growth; one that allocates nothing shows neither.
func TestRunMeasuresWhatTheServerAllocatesAndKeeps(t *testing.T) {
	var mu sync.Mutex
	var kept [][]byte
	leaky := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/leak" {
			b := make([]byte, 32<<20)
			for i := range b {
				b[i] = 1
			}
			mu.Lock()
			kept = append(kept, b)
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	})
	attack := func(path string) func(context.Context, *hostile.Server, *atomic.Int64) {
		return func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			hostile.Concurrently(4, func(int) {
				conn := s.Dial(t, 5*time.Second)
				req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
				n, _ := conn.Write([]byte(req))
				sent.Add(int64(n))
				buf := make([]byte, 512)
				for {
					if _, err := conn.Read(buf); err != nil {
						return
					}
				}
			})
		}
	}
	s := hostile.Start(t, leaky)
	bad := hostile.Run(t, s, hostile.Attack{Name: "leak", Run: attack("/leak")})
	if bad.PeakGrowth < 100<<20 || bad.Retained < 100<<20 {
		t.Errorf("4 requests that keep 32 MiB each: peak %s, retained %s; want both over 100 MiB", hostile.Bytes(bad.PeakGrowth), hostile.Bytes(bad.Retained))
	}
	if bad.Sent == 0 || bad.Probes == 0 {
		t.Errorf("sent %d bytes, %d probes: want both counted", bad.Sent, bad.Probes)
	}
	good := hostile.Run(t, s, hostile.Attack{Name: "benign", Run: attack("/ok")})
	if good.PeakGrowth > 4<<20 || good.Retained > 1<<20 {
		t.Errorf("4 benign requests: peak %s, retained %s; want under 4 MiB and 1 MiB", hostile.Bytes(good.PeakGrowth), hostile.Bytes(good.Retained))
	}
	mu.Lock()
	kept = nil
	mu.Unlock()
}

func TestBytesPrintsIECUnitsAndNegativeCounts(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 64 << 20: "64 MiB",
		-1024: "-1.0 KiB", math.MinInt64: "-8.0 EiB", math.MaxInt64: "8.0 EiB",
	} {
		if got := hostile.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
