// Package redisstore is a [ratelimit.Store] kept in Redis, so that every
// server process sharing one Redis enforces one limit together. It is a
// module of its own (github.com/apiroutes/apiroutes/ratelimit/redisstore) so
// that the library's go.mod does not depend on go-redis.
//
// The decisions are github.com/go-redis/redis_rate's: one GCRA script per
// request, run atomically by Redis, keyed by "rate:" + [Options.Prefix] + the
// middleware's key. [Store.Allow] maps [ratelimit.Limit] to redis_rate.Limit
// field for field and redis_rate.Result back unchanged, except that
// RetryAfter is 0 (not redis_rate's -1) when the request is allowed.
//
// # When Redis is unavailable
//
// Any error from Redis (connection refused, a timeout, a reply such as
// LOADING or READONLY) starts an outage; the next answer from Redis ends it.
// The Store logs one line when an outage starts and one when it ends, with
// how long it lasted and how many requests were answered without Redis;
// nothing per request. The state is two atomic integers: a request while
// Redis answers pays one atomic load for it.
//
// During an outage the Store fails closed by default ([Options.FailOpen]
// false): Allow returns the error, and the middleware answers 503 without
// running the handler. Closed is the default because the routes that need a
// shared limit most are the ones an attacker wants unlimited (login,
// password reset, sign-up): failing open would turn "make Redis slow" into
// "guess passwords without limit", silently. A service that prefers
// availability to the limit sets FailOpen, and Allow then answers as if every
// key were new: Allowed, Remaining = Burst − cost, ResetAfter = cost periods
// of the rate, which is what redis_rate answers for a key it has never seen.
// A request whose own context was canceled (the client went away) is not an
// outage: its error is returned as is, failing open or not.
//
// Nothing else is needed for Redis to come back: go-redis redials by itself,
// and the first request it answers ends the outage.
//
// # How long a dead Redis makes a request wait
//
// The Store adds no timeout of its own: the client's options bound each
// call. go-redis's defaults (DialTimeout 5s, ReadTimeout 3s, 5 dial attempts
// and 3 retries per command) can hold a request for seconds when Redis
// disappears, until the pool has seen PoolSize dial errors and then fails at
// once, probing Redis once a second in the background. For a rate limit,
// short timeouts are right; for example:
//
//	redis.NewClient(&redis.Options{
//		Addr:          "localhost:6379",
//		DialTimeout:   250 * time.Millisecond,
//		ReadTimeout:   250 * time.Millisecond,
//		WriteTimeout:  250 * time.Millisecond,
//		DialerRetries: 1,
//		MaxRetries:    1,
//	})
//
// go-redis logs each failed dial through its own logger; to keep an outage
// to this package's two lines, silence it with
// redis.SetLogger(&logging.VoidLogger{}) (package
// github.com/redis/go-redis/v9/logging).
package redisstore
