package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/apiroutes/apiroutes/ratelimit"
)

// DefaultPrefix is the key prefix when [Options.Prefix] is empty.
const DefaultPrefix = "apiroutes:ratelimit:"

// Options configure a [Store]. The zero value is valid: keys under
// [DefaultPrefix], failing closed, logging to [slog.Default].
type Options struct {
	// Prefix is put before every key, after redis_rate's own "rate:".
	// Empty means DefaultPrefix. Give each application sharing a Redis a
	// prefix of its own.
	Prefix string

	// FailOpen makes Allow allow every request while Redis is unavailable,
	// instead of returning the error (which the middleware answers 503).
	// The default, false, keeps the limit when it matters most; see the
	// package documentation.
	FailOpen bool

	// Logger receives one line when Redis becomes unavailable and one
	// when it is back (see [RecoveryQuiet]). Nil means slog.Default().
	Logger *slog.Logger
}

// Store is a [ratelimit.Store] kept in Redis through redis_rate. It is safe
// for concurrent use.
type Store struct {
	limiter  *redis_rate.Limiter
	prefix   string
	failOpen bool
	log      *slog.Logger

	// start is the clock the outage times are read on (monotonic).
	start time.Time
	// downSince is 1 + how long after start the current outage began, or
	// 0 while Redis answers. It is the only state a request pays for while
	// Redis answers: one atomic load.
	downSince atomic.Int64
	// lastFail is 1 + how long after start the latest failure was, or 0
	// before the first. It only grows.
	lastFail atomic.Int64
	// without counts the requests answered without Redis in this outage.
	without atomic.Int64
}

// RecoveryQuiet is how long Redis must go without a failure before a
// success ends an outage. Until then, successes do not end it: while Redis
// is only partly failing (pool timeouts under load, a slow Redis), errors
// and successes interleave, and the outage stays one outage, logged once
// when it starts and once when it ends.
const RecoveryQuiet = time.Second

// maxResetAfter caps the ResetAfter answered while failing open, so that a
// huge Period × cost saturates instead of overflowing. A hundred years is
// beyond any period a limit means, and far enough below the largest
// time.Duration that rounding it up to whole seconds cannot overflow.
const maxResetAfter = 100 * 365 * 24 * time.Hour

// New returns a Store that keeps its limits in client's Redis. Any go-redis
// client will do: *redis.Client, *redis.ClusterClient, *redis.Ring. New
// panics if client is nil.
func New(client redis.UniversalClient, opts Options) *Store {
	if client == nil {
		panic("redisstore: New: nil client")
	}
	s := &Store{
		limiter:  redis_rate.NewLimiter(client),
		prefix:   opts.Prefix,
		failOpen: opts.FailOpen,
		log:      opts.Logger,
		start:    time.Now(),
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Allow reports whether a request of the given cost fits key's limit now,
// and records it when it does. While Redis is unavailable it returns the
// error, or, with [Options.FailOpen], allows the request.
func (s *Store) Allow(ctx context.Context, key string, limit ratelimit.Limit, cost int) (ratelimit.Result, error) {
	if limit.Rate <= 0 || limit.Period <= 0 || limit.Burst <= 0 || cost < 0 {
		return ratelimit.Result{}, fmt.Errorf("redisstore: invalid limit %+v or cost %d: Rate, Period and Burst must be positive", limit, cost)
	}
	res, err := s.limiter.AllowN(ctx, s.prefix+key,
		redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period}, cost)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			// The request's own context ended (the client went away, or
			// its deadline passed): that says nothing about Redis. Never
			// an outage, never failing open.
			return ratelimit.Result{}, cerr
		}
		return s.unavailable(limit, cost, err)
	}
	if s.downSince.Load() != 0 {
		s.answered()
	}
	r := ratelimit.Result{
		Allowed:    res.RetryAfter < 0, // redis_rate's "allowed": RetryAfter is -1
		Remaining:  res.Remaining,
		ResetAfter: res.ResetAfter,
	}
	if !r.Allowed {
		r.RetryAfter = res.RetryAfter
	}
	return r, nil
}

// unavailable answers a request Redis did not answer, and logs the start of
// an outage once.
func (s *Store) unavailable(limit ratelimit.Limit, cost int, err error) (ratelimit.Result, error) {
	now := int64(time.Since(s.start)) + 1
	for {
		last := s.lastFail.Load()
		if now <= last || s.lastFail.CompareAndSwap(last, now) {
			break
		}
	}
	if s.downSince.Load() == 0 && s.downSince.CompareAndSwap(0, now) {
		mode := "failing closed (503)"
		if s.failOpen {
			mode = "failing open (requests allowed)"
		}
		s.log.Error("redisstore: Redis unavailable, "+mode, "err", err)
	}
	s.without.Add(1)
	if !s.failOpen {
		return ratelimit.Result{}, err
	}
	// What redis_rate answers for a key it has never seen.
	return ratelimit.Result{
		Allowed:    true,
		Remaining:  max(limit.Burst-cost, 0),
		ResetAfter: resetAfter(limit, cost),
	}, nil
}

// resetAfter is cost emission intervals (Period / Rate), saturating at
// maxResetAfter.
func resetAfter(limit ratelimit.Limit, cost int) time.Duration {
	interval := limit.Period / time.Duration(limit.Rate)
	if interval > 0 && time.Duration(cost) > maxResetAfter/interval {
		return maxResetAfter
	}
	return min(time.Duration(cost)*interval, maxResetAfter)
}

// answered is called on a success during an outage: it ends the outage, and
// logs it, when the success comes at least RecoveryQuiet after the last
// failure and another request has not already ended it.
func (s *Store) answered() {
	since := s.downSince.Load()
	if since == 0 {
		return
	}
	now := int64(time.Since(s.start)) + 1
	last := s.lastFail.Load()
	if time.Duration(now-last) < RecoveryQuiet || !s.downSince.CompareAndSwap(since, 0) {
		return
	}
	// The outage lasted from its first failure to its last: Redis
	// answered at some point in the RecoveryQuiet since.
	s.log.Info("redisstore: Redis is back",
		"outage", time.Duration(last-since).Round(time.Millisecond),
		"answered_without_redis", s.without.Swap(0))
}
