package redisstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore/redistest"
)

// TestAllowDecidesAsRedisRateDoes compares the Store with redis_rate called
// directly on a key of the same shape: the burst, then refusals with the
// same Remaining and RetryAfter, for costs 1 and 2.
func TestAllowDecidesAsRedisRateDoes(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	client := newClient(t, srv.Addr())
	store := redisstore.New(client, redisstore.Options{})
	bare := redis_rate.NewLimiter(client)
	ctx := context.Background()

	limit := ratelimit.Limit{Rate: 2, Period: time.Hour, Burst: 5}
	rlimit := redis_rate.Limit{Rate: 2, Period: time.Hour, Burst: 5}
	for _, cost := range []int{1, 2} {
		key := "user-" + string(rune('0'+cost))
		allowed := 0
		for i := range 8 {
			got, err := store.Allow(ctx, key, limit, cost)
			if err != nil {
				t.Fatal(err)
			}
			want, err := bare.AllowN(ctx, "bare:"+key, rlimit, cost)
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != (want.Allowed > 0) || got.Remaining != want.Remaining {
				t.Fatalf("cost %d, request %d: Store says %+v, redis_rate says %+v", cost, i+1, got, want)
			}
			if got.Allowed {
				allowed++
				if got.RetryAfter != 0 {
					t.Errorf("cost %d, request %d: allowed with RetryAfter %v, want 0", cost, i+1, got.RetryAfter)
				}
			} else if d := got.RetryAfter - want.RetryAfter; d < -time.Second || d > time.Second || got.RetryAfter <= 0 {
				t.Errorf("cost %d, request %d: RetryAfter %v, redis_rate's %v", cost, i+1, got.RetryAfter, want.RetryAfter)
			}
			if d := got.ResetAfter - want.ResetAfter; d < -time.Second || d > time.Second {
				t.Errorf("cost %d, request %d: ResetAfter %v, redis_rate's %v", cost, i+1, got.ResetAfter, want.ResetAfter)
			}
		}
		if want := 5 / cost; allowed != want {
			t.Errorf("cost %d: %d requests allowed, want the burst's %d", cost, allowed, want)
		}
	}
	// The key is under the prefix, after redis_rate's own "rate:".
	if n, err := client.Exists(ctx, "rate:"+redisstore.DefaultPrefix+"user-1").Result(); err != nil || n != 1 {
		t.Errorf("key rate:%suser-1: exists=%d, %v", redisstore.DefaultPrefix, n, err)
	}
}

// TestAllowRejectsAnInvalidLimitWithoutAnOutage: a zero Rate is the
// caller's mistake, not Redis's.
func TestAllowRejectsAnInvalidLimitWithoutAnOutage(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	var logs syncBuffer
	store := redisstore.New(newClient(t, srv.Addr()), redisstore.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if _, err := store.Allow(context.Background(), "k", ratelimit.Limit{Period: time.Second, Burst: 1}, 1); err == nil {
		t.Fatal("Rate 0: no error")
	}
	if logs.String() != "" {
		t.Errorf("logged: %s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// count returns how many log lines contain s.
func (b *syncBuffer) count(s string) int {
	n := 0
	for line := range strings.Lines(b.String()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
