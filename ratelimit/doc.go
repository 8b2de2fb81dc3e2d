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
//   - The key is the client's address: IPv4, or an IPv6 /64 (a usual
//     allocation; else a client has 2^64 keys). A NAT64's (64:ff9b::/96)
//     IPv4 clients share one key; a /48 to /56 gets 2^16 to 2^8 budgets.
//   - Only when the peer is in TrustedProxies ("unix" for a proxy on a
//     Unix socket; without it, all such peers share one key) is one
//     header read, ForwardedHeader: X-Forwarded-For, or Forwarded if set
//     so, never both. It is read from the right, skipping trusted hops:
//     32 entries and 8 KiB at most. An entry that cannot be read
//     (malformed, obfuscated, "unknown") stops the walk, and the client
//     is the last trusted hop read (the peer if none).
//   - A key from Config.Key over 256 bytes becomes its SHA-256.
//   - The store is a memory store of the middleware's own, made at its
//     first request: 65,536 keys in 1 MiB (16 bytes a key, see
//     [NewMemoryStore]), whatever the number of clients. For several
//     instances, use a shared Store (Redis); never share a memory store
//     across different Limits.
//   - Stacked limiters (a global one, a route's) each add their item to
//     the RateLimit-Policy and RateLimit lists. Their values are shared
//     across answers: a wrapper may append to Header()[k], never rewrite
//     its elements in place.
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
