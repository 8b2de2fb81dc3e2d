// Package ratelimit limits the requests of each client, or of each key a
// function of the request returns, and says so in the RateLimit-Policy and
// RateLimit headers of draft-ietf-httpapi-ratelimit-headers:
//
//	limit := ratelimit.New(ratelimit.Config{
//		Limit:          ratelimit.Limit{Rate: 100, Period: time.Minute, Burst: 20},
//		TrustedProxies: []string{"10.0.0.0/8"}, // the load balancers
//	})
//	mux.Handle("POST /api/login", limit(login))
//
// A request over the limit is answered 429 with Retry-After (whole
// seconds, at least 1), in the chain's error format (Config.Errors), and
// the handler does not run. In a compose chain, set compose.Config's
// RateLimit; a per-user limit goes in BeforeBody, after authentication.
//
// # Defaults and bounds
//
//   - The key is the client's address: an IPv4 address, or the /64 of an
//     IPv6 address (one subscriber's usual allocation; single addresses
//     would let a client rotate through 2^64 keys). X-Forwarded-For, else
//     Forwarded, is read only when the peer is in TrustedProxies, from
//     the right, skipping trusted hops: 32 entries and 8 KiB at most. An
//     entry that cannot be read (malformed, obfuscated, "unknown") stops
//     the walk, and the client is the last trusted hop read (the peer if
//     none). X-Forwarded-For wins when both are present: nearly every
//     proxy writes it, so a proxy that writes Forwarded must drop it.
//   - A key from Config.Key over 256 bytes becomes its SHA-256.
//   - The store is a memory store of the middleware's own: 65,536 keys in
//     1 MiB (16 bytes a key, see [NewMemoryStore]), whatever the number
//     of clients. For several instances, use a shared Store (Redis).
//
// # The algorithm: GCRA
//
// Each key holds one time, its theoretical arrival time (TAT): a request
// of cost c fits when TAT+c×Period/Rate is at most Burst×Period/Rate
// ahead of now, and then moves TAT there. The burst is exact (Burst
// requests at once, never Burst+1, at any window boundary), a decision
// is O(1) on 8 bytes of state, and it is the algorithm of go-redis's
// redis_rate, so that the memory and Redis stores agree to the request. A
// sliding window needs two counters and approximates; a token bucket is
// the same algorithm with more state.
//
// The headers map it as a quota of Burst (q) over the time the burst
// takes to refill (w = Burst×Period/Rate, rounded up): a client that
// sends q requests per w seconds, at once or spread out, is never refused.
//
//	RateLimit-Policy: "default";q=20;w=12
//	RateLimit: "default";r=19;t=1
//
// r is how many requests of cost 1 fit now; t is the seconds until the
// whole burst is back (the quota refills continuously, one request every
// Period/Rate, so a client may send before t: Retry-After says when).
package ratelimit
