package redisstore_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore/redistest"
)

// TestOutageIsLoggedOnceAndRedisIsPickedUpAgain kills redis-server while
// requests flow, then starts it again on the same port and directory:
// failing closed, every request during the outage gets the error (the
// middleware's 503); failing open, every one is allowed. Either way the
// outage is one "unavailable" line and one "back" line however many
// requests it saw, and once Redis is back the same Store limits again,
// without a restart.
func TestOutageIsLoggedOnceAndRedisIsPickedUpAgain(t *testing.T) {
	t.Parallel()
	for _, failOpen := range []bool{false, true} {
		name := "fail closed"
		if failOpen {
			name = "fail open"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := redistest.Start(t)
			var logs syncBuffer
			store := redisstore.New(newClient(t, srv.Addr()), redisstore.Options{
				FailOpen: failOpen,
				Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
			})
			ctx := context.Background()
			limit := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 3}

			expectLimited(t, store, "before", limit)

			srv.Stop()
			const goroutines, each = 4, 10
			var wg sync.WaitGroup
			var mu sync.Mutex
			errs, allowed := 0, 0
			start := time.Now()
			for range goroutines {
				wg.Go(func() {
					for range each {
						res, err := store.Allow(ctx, "during", limit, 1)
						mu.Lock()
						if err != nil {
							errs++
						} else if res.Allowed {
							allowed++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			t.Logf("%d requests during the outage in %v: %d errors, %d allowed",
				goroutines*each, time.Since(start).Round(time.Millisecond), errs, allowed)
			if failOpen && allowed != goroutines*each {
				t.Errorf("failing open: %d of %d requests allowed, want all", allowed, goroutines*each)
			}
			if !failOpen && errs != goroutines*each {
				t.Errorf("failing closed: %d of %d requests got an error, want all", errs, goroutines*each)
			}
			if n := logs.count("Redis unavailable"); n != 1 {
				t.Errorf("%d \"unavailable\" lines for one outage, want 1:\n%s", n, logs.String())
			}

			srv.Restart()
			deadline := time.Now().Add(10 * time.Second)
			for logs.count("Redis is back") == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("Redis restarted, but the Store did not use it within 10s:\n%s", logs.String())
				}
				_, _ = store.Allow(ctx, "probe", limit, 1)
				time.Sleep(50 * time.Millisecond)
			}
			expectLimited(t, store, "after", limit)
			if n := logs.count("Redis is back"); n != 1 {
				t.Errorf("%d \"back\" lines, want 1:\n%s", n, logs.String())
			}
			if n := logs.count("Redis unavailable"); n != 1 {
				t.Errorf("%d \"unavailable\" lines, want 1:\n%s", n, logs.String())
			}
			if want := "failing closed"; failOpen {
				want = "failing open"
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log does not say %q:\n%s", want, logs.String())
				}
			} else if !strings.Contains(logs.String(), want) {
				t.Errorf("log does not say %q:\n%s", want, logs.String())
			}
			t.Logf("log:\n%s", logs.String())
		})
	}
}

// expectLimited checks that key gets its burst of 3 and then a refusal.
func expectLimited(t *testing.T, store ratelimit.Store, key string, limit ratelimit.Limit) {
	t.Helper()
	for i := range limit.Burst + 1 {
		res, err := store.Allow(context.Background(), key, limit, 1)
		if err != nil {
			t.Fatalf("%s: request %d: %v", key, i+1, err)
		}
		if want := i < limit.Burst; res.Allowed != want {
			t.Fatalf("%s: request %d: Allowed %v, want %v (%+v)", key, i+1, res.Allowed, want, res)
		}
		if !res.Allowed && res.RetryAfter <= 0 {
			t.Fatalf("%s: refused with RetryAfter %v", key, res.RetryAfter)
		}
	}
}
