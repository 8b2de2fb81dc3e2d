package redisstore_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore/redistest"
)

// TestPartialFailureIsOneOutage is the review's scenario: Redis is up, but
// the client's pool (one connection, a tiny PoolTimeout) cannot serve many
// goroutines at once, so errors and successes interleave. That is one
// outage, logged once, not one pair of lines per flip; it ends, with one
// "back" line counting every failure, at the first success RecoveryQuiet
// after the last failure.
func TestPartialFailureIsOneOutage(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{
		Addr:         srv.Addr(),
		DialTimeout:  250 * time.Millisecond,
		ReadTimeout:  250 * time.Millisecond,
		WriteTimeout: 250 * time.Millisecond,
		PoolSize:     1,
		PoolTimeout:  time.Microsecond,
		MaxRetries:   -1,
	})
	t.Cleanup(func() { client.Close() })
	var logs syncBuffer
	store := redisstore.New(client, redisstore.Options{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	limit := ratelimit.Limit{Rate: 1 << 30, Period: time.Second, Burst: 1 << 30}
	ctx := context.Background()

	const goroutines, load = 32, 1500 * time.Millisecond
	var ok, errs atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(load)
	for g := range goroutines {
		wg.Go(func() {
			key := "k" + strconv.Itoa(g)
			for time.Now().Before(stop) {
				if _, err := store.Allow(ctx, key, limit, 1); err != nil {
					errs.Add(1)
				} else {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	unavailable, back := logs.count("Redis unavailable"), logs.count("Redis is back")
	t.Logf("%d goroutines for %v: %d ok, %d errors; log lines: unavailable=%d back=%d",
		goroutines, load, ok.Load(), errs.Load(), unavailable, back)
	if errs.Load() == 0 || unavailable == 0 {
		t.Fatalf("no pool timeouts: the scenario did not happen")
	}
	if unavailable != 1 || back != 0 {
		t.Fatalf("errors and successes interleaving: unavailable=%d back=%d lines, want 1 and 0:\n%s",
			unavailable, back, logs.String())
	}

	// A success less than RecoveryQuiet after the last failure does not
	// end the outage; one after it does.
	if _, err := store.Allow(ctx, "alone", limit, 1); err != nil {
		t.Fatal(err)
	}
	if n := logs.count("Redis is back"); n != 0 {
		t.Fatalf("a success right after the load ended the outage:\n%s", logs.String())
	}
	time.Sleep(redisstore.RecoveryQuiet + 100*time.Millisecond)
	if _, err := store.Allow(ctx, "alone", limit, 1); err != nil {
		t.Fatal(err)
	}
	if n := logs.count("Redis is back"); n != 1 {
		t.Fatalf("%d \"back\" lines after a quiet %v, want 1:\n%s", n, redisstore.RecoveryQuiet, logs.String())
	}
	m := regexp.MustCompile(`Redis is back" outage=(\S+) answered_without_redis=(\d+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("the \"back\" line lacks outage= and answered_without_redis=:\n%s", logs.String())
	}
	outage, err := time.ParseDuration(m[1])
	if err != nil || outage <= 0 || outage > load+time.Second {
		t.Errorf("outage=%s, want about the %v of load", m[1], load)
	}
	if n, _ := strconv.ParseInt(m[2], 10, 64); n != errs.Load() {
		t.Errorf("answered_without_redis=%s, want the %d errors", m[2], errs.Load())
	}
	t.Logf("log:\n%s", logs.String())
}

// TestExpiredDeadlineIsNotAnOutage: a request whose own deadline has
// passed gets its context's error, even failing open, and even on a key
// that is limited: it is neither allowed nor an outage.
func TestExpiredDeadlineIsNotAnOutage(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	var logs syncBuffer
	store := redisstore.New(newClient(t, srv.Addr()), redisstore.Options{
		FailOpen: true,
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
	})
	limit := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 1}
	expectLimited(t, store, "limited", limit)

	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"expired deadline", func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}, context.DeadlineExceeded},
		{"canceled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
	} {
		ctx, cancel := tc.ctx()
		res, err := store.Allow(ctx, "limited", limit, 1)
		cancel()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
		if res.Allowed {
			t.Errorf("%s: a limited key allowed: %+v", tc.name, res)
		}
	}
	if logs.String() != "" {
		t.Errorf("logged:\n%s", logs.String())
	}
	// And the key is still limited, with no outage to end.
	res, err := store.Allow(context.Background(), "limited", limit, 1)
	if err != nil || res.Allowed {
		t.Errorf("after: %+v, %v; want refused", res, err)
	}
	if logs.String() != "" {
		t.Errorf("logged:\n%s", logs.String())
	}
}

// TestFailOpenResetAfterSaturates: failing open, ResetAfter is cost periods
// of the rate, saturating at a maximum instead of overflowing for a huge
// Period × cost.
func TestFailOpenResetAfterSaturates(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there: connection refused
	client := redis.NewClient(&redis.Options{
		Addr:          addr,
		DialTimeout:   250 * time.Millisecond,
		DialerRetries: 1,
		MaxRetries:    -1,
	})
	t.Cleanup(func() { client.Close() })
	store := redisstore.New(client, redisstore.Options{
		FailOpen: true,
		Logger:   slog.New(slog.DiscardHandler),
	})
	for _, tc := range []struct {
		limit ratelimit.Limit
		cost  int
		want  time.Duration
	}{
		{ratelimit.Limit{Rate: 2, Period: time.Hour, Burst: 5}, 3, 90 * time.Minute},
		{ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 5}, 0, 0},
		{ratelimit.Limit{Rate: 1, Period: 1 << 62, Burst: 10}, 4, redisstore.MaxResetAfter},
		{ratelimit.Limit{Rate: 1, Period: math.MaxInt64, Burst: 10}, 1, redisstore.MaxResetAfter},
		{ratelimit.Limit{Rate: 3, Period: math.MaxInt64, Burst: 10}, math.MaxInt, redisstore.MaxResetAfter},
		{ratelimit.Limit{Rate: math.MaxInt, Period: time.Second, Burst: 10}, math.MaxInt, 0},
	} {
		res, err := store.Allow(context.Background(), "k", tc.limit, tc.cost)
		if err != nil {
			t.Fatalf("%+v cost %d: %v", tc.limit, tc.cost, err)
		}
		if !res.Allowed || res.ResetAfter != tc.want {
			t.Errorf("%+v cost %d: %+v, want allowed with ResetAfter %v", tc.limit, tc.cost, res, tc.want)
		}
	}
}
