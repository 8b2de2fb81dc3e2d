package ratelimit

import (
	"context"
	"time"
)

// Limit is a rate and a burst: Burst requests at once, and Rate more each
// Period after that. Limit{Rate: 10, Period: time.Minute, Burst: 5} lets a
// client send 5 requests at once, then one every 6 seconds.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// Result is a Store's decision on one request.
type Result struct {
	// Allowed reports whether the request's cost fitted.
	Allowed bool
	// Remaining is how many requests of cost 1 would fit now, after this
	// one.
	Remaining int
	// RetryAfter, when the request was refused, is how long until its cost
	// fits.
	RetryAfter time.Duration
	// ResetAfter is how long until the key is back to a full burst.
	ResetAfter time.Duration
}

// Store keeps the state of every key's limit. Allow decides whether a
// request of the given cost fits key's limit now, and records it when it
// does. Implementations must be safe for concurrent use. An error is
// answered 503 without running the handler, and is not logged by the
// middleware: a Store reports its own outages (once per outage, not per
// request).
type Store interface {
	Allow(ctx context.Context, key string, limit Limit, cost int) (Result, error)
}
