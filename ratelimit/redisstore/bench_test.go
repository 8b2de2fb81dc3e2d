package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore/redistest"
)

// BenchmarkAllow compares the Store's cost per request with a bare
// redis_rate call on the same client and a key of the same shape, against
// a real redis-server (the target: within 10%; compare with benchstat
// -col /impl). Every request is allowed:
// the limit is far above what a benchmark sends.
func BenchmarkAllow(b *testing.B) {
	srv := redistest.Start(b)
	client := newClient(b, srv.Addr())
	ctx := context.Background()
	const key = "203.0.113.7"

	b.Run("impl=redis_rate", func(b *testing.B) {
		limiter := redis_rate.NewLimiter(client)
		limit := redis_rate.Limit{Rate: 1 << 30, Period: time.Second, Burst: 1 << 30}
		b.ReportAllocs()
		for b.Loop() {
			res, err := limiter.AllowN(ctx, redisstore.DefaultPrefix+key, limit, 1)
			if err != nil || res.Allowed == 0 {
				b.Fatal(res, err)
			}
		}
	})
	b.Run("impl=Store", func(b *testing.B) {
		store := redisstore.New(client, redisstore.Options{})
		limit := ratelimit.Limit{Rate: 1 << 30, Period: time.Second, Burst: 1 << 30}
		b.ReportAllocs()
		for b.Loop() {
			res, err := store.Allow(ctx, key, limit, 1)
			if err != nil || !res.Allowed {
				b.Fatal(res, err)
			}
		}
	})
}
