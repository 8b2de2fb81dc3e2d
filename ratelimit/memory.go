package ratelimit

import (
	"context"
	"errors"
	"hash/maphash"
	"math"
	"math/bits"
	"sync"
	"time"
)

// defaultMaxKeys is the number of keys of NewMemoryStore(0): 65,536 keys
// in 1 MiB.
const defaultMaxKeys = 1 << 16

// ways is the size of a bucket: a key lives in one of the ways slots of
// its bucket, and a new key evicts the bucket's slot with the earliest
// theoretical arrival time.
const ways = 8

// maxShards bounds the shards (one mutex each) of a memory store.
const maxShards = 64

// NewMemoryStore returns a Store that keeps its state in process memory, in
// a table of fixed size allocated once: maxKeys keys (rounded up to a
// multiple of 8), 16 bytes each, whatever the number of distinct keys it
// sees. maxKeys 0 or less means 65,536 keys (1 MiB).
//
// A key is not stored: its hash with a seed of the store's own
// (hash/maphash) is, so keys of any length cost the same and no client can
// craft two keys that share a state. The hash picks a bucket of 8 slots;
// when none of them holds the key, the key takes the slot whose state is
// the oldest: an expired one, else the one closest to a full burst. A key
// being limited has its state far ahead and is the last to go, so that a
// flood of new keys cannot give it a fresh burst unless each of them is
// limited too.
//
// Its Allow never fails for a valid Limit and cost, and allocates nothing.
//
// Give each Limit a memory store of its own (Config's nil Store does):
// states are compared across the keys of a bucket, so that one Limit's
// fresh keys (a long Period puts their state far ahead) would evict
// another Limit's limited keys. Share one only among routes of one Limit.
func NewMemoryStore(maxKeys int) Store {
	return newMemoryStore(maxKeys)
}

type memoryStore struct {
	seed    maphash.Seed
	buckets uint64 // over all shards
	shards  []shard
	start   time.Time
	now     func() time.Time // nil: time.Since(start), monotonic only; tests set it
}

type shard struct {
	mu    sync.Mutex
	slots []slot
	_     [32]byte // 64 bytes: one cache line per shard
}

// slot is one key's state: the hash of the key (0: empty) and its
// theoretical arrival time (TAT) in nanoseconds since the store's start.
//
// It is all a key costs: 16 bytes, whatever the key's length.
type slot struct {
	key uint64
	tat int64
}

func newMemoryStore(maxKeys int) *memoryStore {
	if maxKeys <= 0 {
		maxKeys = defaultMaxKeys
	}
	buckets := (maxKeys + ways - 1) / ways
	n := min(buckets, maxShards)
	s := &memoryStore{
		seed:    maphash.MakeSeed(),
		buckets: uint64(buckets),
		shards:  make([]shard, n),
		start:   time.Now(),
	}
	for i := range s.shards {
		// Bucket b lives in shard b%n at b/n: shard i holds the buckets
		// i, i+n, i+2n...
		s.shards[i].slots = make([]slot, (buckets-i+n-1)/n*ways)
	}
	return s
}

var (
	errLimit = errors.New("ratelimit: invalid Limit: Rate, Period and Burst must be positive, and Period/Rate at least 1ns")
	errCost  = errors.New("ratelimit: negative cost")
)

// Allow implements [Store].
func (s *memoryStore) Allow(_ context.Context, key string, l Limit, cost int) (Result, error) {
	return s.allow(maphash.String(s.seed, key), l, cost)
}

// allowBytes is Allow for a key in a buffer, which it does not keep: the
// middleware's path for its own store, without a string to allocate.
func (s *memoryStore) allowBytes(key []byte, l Limit, cost int) (Result, error) {
	return s.allow(maphash.Bytes(s.seed, key), l, cost)
}

// allow is GCRA on the slot of hash h; see gcra.
func (s *memoryStore) allow(h uint64, l Limit, cost int) (Result, error) {
	interval, tau, ok := l.gcra()
	if !ok {
		return Result{}, errLimit
	}
	if cost < 0 {
		return Result{}, errCost
	}
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	b, _ := bits.Mul64(h, s.buckets) // a bucket in [0, buckets), uniform
	sh := &s.shards[b%uint64(len(s.shards))]
	i := b / uint64(len(s.shards)) * ways
	var since time.Duration
	if s.now == nil {
		since = time.Since(s.start) // one monotonic clock read, no wall clock
	} else {
		since = s.now().Sub(s.start)
	}
	now := int64(since) + 1 // > 0: an empty slot's tat is 0

	sh.mu.Lock()
	bucket := sh.slots[i : i+ways : i+ways]
	at := -1
	oldest := 0
	for j := range bucket {
		if bucket[j].key == h {
			at = j
			break
		}
		if bucket[j].tat < bucket[oldest].tat {
			oldest = j
		}
	}
	tat := now
	if at >= 0 && bucket[at].tat > now {
		tat = bucket[at].tat
	}
	res, newTAT := gcra(now, tat, interval, tau, clampCost(cost, interval))
	if res.Allowed && cost > 0 {
		if at < 0 {
			at = oldest
			bucket[at].key = h
		}
		bucket[at].tat = newTAT
	}
	sh.mu.Unlock()
	return res, nil
}

// gcra decides a request of cost at time now for a key whose theoretical
// arrival time is tat (now if it has none, or an old one): the request
// fits when the new TAT, tat+cost×interval, is at most tau (the burst's
// worth of time) ahead of now. It is redis_rate's script, in integer
// nanoseconds.
func gcra(now, tat, interval, tau, cost int64) (Result, int64) {
	newTAT := tat + cost*interval
	diff := now - (newTAT - tau)
	if diff < 0 {
		return Result{RetryAfter: time.Duration(-diff), ResetAfter: time.Duration(tat - now)}, tat
	}
	return Result{Allowed: true, Remaining: int(diff / interval), ResetAfter: time.Duration(newTAT - now)}, newTAT
}

// maxTau bounds a limit's burst time (Burst×Period/Rate), so that the
// arithmetic of gcra cannot overflow: a century.
const maxTau = 100 * 365 * 24 * time.Hour

// gcra returns l's emission interval (the time one request of cost 1
// takes to be forgiven) and its burst tolerance, in nanoseconds.
func (l Limit) gcra() (interval, tau int64, ok bool) {
	if l.Rate <= 0 || l.Period <= 0 || l.Burst < 1 {
		return 0, 0, false
	}
	interval = int64(l.Period) / int64(l.Rate)
	if interval < 1 || int64(l.Burst) > int64(maxTau)/interval {
		return 0, 0, false
	}
	return interval, interval * int64(l.Burst), true
}

// clampCost bounds a cost so that cost×interval cannot overflow. The
// middleware's costs are at most the burst; a Store caller may pass more,
// which gcra refuses whatever its size.
func clampCost(cost int, interval int64) int64 {
	if int64(cost) > math.MaxInt64/4/interval {
		return math.MaxInt64 / 4 / interval
	}
	return int64(cost)
}
