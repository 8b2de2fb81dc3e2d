package benchmarks

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/apiroutes/apiroutes/ratelimit"
)

// The ratelimit benchmarks measure an allowed request of a client the
// limiter already knows, among 10,000 known clients, under a limit it
// never reaches (a billion a second).
//
// "store": the decision alone. "apiroutes" is ratelimit.NewMemoryStore's
// Allow; "xtime" is golang.org/x/time/rate as users write it per client:
// a map[string]*rate.Limiter under a sync.Mutex, then Limiter.Allow.
//
// "middleware": a GET through the middleware into a handler that answers
// 204. "apiroutes" is ratelimit.New with its default store, which also
// sends RateLimit-Policy and RateLimit; "xtime" is the map above in a
// hand-written middleware keyed by the peer's IP (net.SplitHostPort),
// without headers; "echo" is echo v4's middleware.RateLimiter with its
// memory store (x/time/rate inside), in an echo.Echo routing the one
// path, and "echo-bare" that echo.Echo without the limiter, its floor.

const rlClients = 10_000

var (
	rlLimit = ratelimit.Limit{Rate: 1_000_000_000, Period: time.Second, Burst: 1_000_000_000}
	rlRate  = rate.Limit(1e9)
	rlBurst = 1_000_000_000
)

// xtimeStore is x/time/rate as users write it: one limiter per key.
type xtimeStore struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (s *xtimeStore) allow(key string) bool {
	s.mu.Lock()
	l, ok := s.m[key]
	if !ok {
		l = rate.NewLimiter(rlRate, rlBurst)
		s.m[key] = l
	}
	s.mu.Unlock()
	return l.Allow()
}

func newXtimeStore() *xtimeStore {
	s := &xtimeStore{m: make(map[string]*rate.Limiter)}
	for i := range rlClients {
		s.allow("192.0.2." + strconv.Itoa(i))
	}
	return s
}

func BenchmarkRatelimit(b *testing.B) {
	const key = "192.0.2.77"
	b.Run("store", func(b *testing.B) {
		b.Run("xtime", func(b *testing.B) {
			s := newXtimeStore()
			b.ReportAllocs()
			for b.Loop() {
				if !s.allow(key) {
					b.Fatal("refused")
				}
			}
		})
		b.Run("apiroutes", func(b *testing.B) {
			s := ratelimit.NewMemoryStore(0)
			ctx := context.Background()
			for i := range rlClients {
				s.Allow(ctx, "192.0.2."+strconv.Itoa(i), rlLimit, 1)
			}
			b.ReportAllocs()
			for b.Loop() {
				if r, err := s.Allow(ctx, key, rlLimit, 1); !r.Allowed || err != nil {
					b.Fatal("refused", err)
				}
			}
		})
	})

	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, impl := range []struct {
		name string
		h    func() http.Handler
	}{
		{"xtime", func() http.Handler {
			s := newXtimeStore()
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				host, _, err := net.SplitHostPort(r.RemoteAddr)
				if err != nil || !s.allow(host) {
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				answer.ServeHTTP(w, r)
			})
		}},
		{"echo-bare", func() http.Handler {
			e := echo.New()
			e.GET("/api/search", echo.WrapHandler(answer))
			return e
		}},
		{"echo", func() http.Handler {
			e := echo.New()
			store := echomw.NewRateLimiterMemoryStoreWithConfig(echomw.RateLimiterMemoryStoreConfig{Rate: rlRate, Burst: rlBurst, ExpiresIn: time.Hour})
			for i := range rlClients {
				store.Allow("192.0.2." + strconv.Itoa(i))
			}
			e.Use(echomw.RateLimiter(store))
			e.GET("/api/search", echo.WrapHandler(answer))
			return e
		}},
		{"apiroutes", func() http.Handler {
			s := ratelimit.NewMemoryStore(0)
			for i := range rlClients {
				s.Allow(context.Background(), "default:ip:192.0.2."+strconv.Itoa(i), rlLimit, 1)
			}
			return ratelimit.New(ratelimit.Config{Limit: rlLimit, Store: s})(answer)
		}},
	} {
		b.Run("middleware/"+impl.name, func(b *testing.B) {
			h := impl.h()
			tmpl := httptest.NewRequest(http.MethodGet, "/api/search", nil)
			tmpl.RemoteAddr = key + ":52100"
			req := new(http.Request)
			w := newDiscardWriter()
			b.ReportAllocs()
			for b.Loop() {
				*req = *tmpl
				clear(w.header)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusNoContent {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
