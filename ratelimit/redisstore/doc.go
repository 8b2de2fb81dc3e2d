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
// Any error from Redis (connection refused, a timeout, a pool timeout, a
// reply such as LOADING or READONLY) starts an outage. An outage ends only at
// a success that comes at least [RecoveryQuiet] (one second) after its last
// failure: while Redis is partly failing (pool timeouts under load, a slow
// Redis), errors and successes interleave, and that is one outage, not one
// per flip. The Store logs one line when an outage starts and one when it
// ends, with how long it lasted (first failure to last) and how many
// requests were answered without Redis (its failures); nothing per request.
// The state is a few atomic integers: a request while Redis answers pays one
// atomic load for it.
//
// During an outage the Store fails closed by default ([Options.FailOpen]
// false): Allow returns the error, and the middleware answers 503 without
// running the handler. Closed is the default because the routes that need a
// shared limit most are the ones an attacker wants unlimited (login,
// password reset, sign-up): failing open would turn "make Redis slow" into
// "guess passwords without limit", silently. A service that prefers
// availability to the limit sets FailOpen, and Allow then answers as if every
// key were new: Allowed, Remaining = Burst − cost, ResetAfter = cost periods
// of the rate (cost × Period / Rate, saturating at a hundred years), which is
// what redis_rate answers for a key it has never seen.
// A request whose own context is done when Redis fails it (the client went
// away, or the request's deadline passed) is not an outage: Allow returns
// the context's error, failing open or not, and logs nothing. A request
// cannot get past a limit by arriving with a deadline too short for Redis.
//
// Nothing else is needed for Redis to come back: go-redis redials by itself,
// and the first request it answers RecoveryQuiet after the last failure ends
// the outage.
//
// # Redis memory
//
// Every distinct key is a Redis key, which lives until its limit resets:
// up to Period × Burst / Rate. Their number is the number of distinct keys
// seen in that time, and the keys are the middleware's: client addresses
// (an attacker with an IPv6 /64 has 2^64 of them), or strings the client
// chooses (an email address, for a per-email limit). With long periods they
// can fill Redis. When Redis is full under maxmemory-policy noeviction, the
// script's SET fails, and that is an outage: every limited request gets 503,
// or, with FailOpen, no limit at all. So:
//
//   - Give the Store a Redis of its own (or at least a database of its own),
//     with maxmemory set and maxmemory-policy volatile-ttl (evict the keys
//     closest to their reset first: every key the Store writes has a TTL)
//     or allkeys-lru; never noeviction.
//   - Avoid long-period limits keyed by strings the client chooses: prefer a
//     short Period, or key by something the attacker has few of.
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
