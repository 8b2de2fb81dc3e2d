package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// clock is a fake time for a memory store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testStore returns a memory store of maxKeys on a fake clock.
func testStore(maxKeys int) (*memoryStore, *clock) {
	s := newMemoryStore(maxKeys)
	c := &clock{t: s.start}
	s.now = c.now
	return s, c
}

// tenPerMinute lets 5 requests through at once, then one every 6 s.
var tenPerMinute = Limit{Rate: 10, Period: time.Minute, Burst: 5}

func TestGCRAAllowsTheBurstThenOneRequestPerInterval(t *testing.T) {
	s, c := testStore(0)
	ctx := context.Background()
	type step struct {
		after   time.Duration // since the previous step
		allowed bool
		remain  int
		retry   time.Duration
		reset   time.Duration
	}
	for i, st := range []step{
		{0, true, 4, 0, 6 * time.Second},
		{0, true, 3, 0, 12 * time.Second},
		{0, true, 2, 0, 18 * time.Second},
		{0, true, 1, 0, 24 * time.Second},
		{0, true, 0, 0, 30 * time.Second},
		{0, false, 0, 6 * time.Second, 30 * time.Second}, // never Burst+1
		{5 * time.Second, false, 0, time.Second, 25 * time.Second},
		{time.Second, true, 0, 0, 30 * time.Second}, // one interval later, one request
		{0, false, 0, 6 * time.Second, 30 * time.Second},
		{12 * time.Second, true, 1, 0, 24 * time.Second}, // two intervals: two requests
		{0, true, 0, 0, 30 * time.Second},
		{time.Hour, true, 4, 0, 6 * time.Second}, // long idle: a full burst, no more
	} {
		c.add(st.after)
		got, err := s.Allow(ctx, "k", tenPerMinute, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := Result{Allowed: st.allowed, Remaining: st.remain, RetryAfter: st.retry, ResetAfter: st.reset}
		if got != want {
			t.Fatalf("step %d: got %+v, want %+v", i, got, want)
		}
	}
}

func TestGCRACostCountsSeveralRequests(t *testing.T) {
	s, c := testStore(0)
	ctx := context.Background()
	for i, want := range []Result{
		{Allowed: true, Remaining: 3, ResetAfter: 12 * time.Second},
		{Allowed: true, Remaining: 1, ResetAfter: 24 * time.Second},
		{RetryAfter: 6 * time.Second, ResetAfter: 24 * time.Second}, // 1 left, 2 needed
	} {
		got, _ := s.Allow(ctx, "k", tenPerMinute, 2)
		if got != want {
			t.Fatalf("request %d: got %+v, want %+v", i, got, want)
		}
	}
	c.add(6 * time.Second)
	if got, _ := s.Allow(ctx, "k", tenPerMinute, 2); !got.Allowed || got.Remaining != 0 {
		t.Fatalf("after 6s: got %+v, want allowed with 0 remaining", got)
	}
	if got, _ := s.Allow(ctx, "k", tenPerMinute, 6); got.Allowed {
		t.Fatalf("a cost over the burst was allowed: %+v", got)
	}
}

func TestCostZeroReportsWithoutCounting(t *testing.T) {
	s, _ := testStore(0)
	ctx := context.Background()
	s.Allow(ctx, "k", tenPerMinute, 1)
	for range 3 {
		if got, _ := s.Allow(ctx, "k", tenPerMinute, 0); !got.Allowed || got.Remaining != 4 {
			t.Fatalf("peek: got %+v, want 4 remaining", got)
		}
	}
	if got, _ := s.Allow(ctx, "new", tenPerMinute, 0); got.Remaining != 5 {
		t.Fatalf("peek at an unknown key: got %+v, want 5 remaining", got)
	}
	if n := s.used(); n != 1 {
		t.Fatalf("peeks took %d slots, want 1 (the counted key)", n)
	}
}

func TestMemoryStoreRefusesInvalidLimitsAndCosts(t *testing.T) {
	s, _ := testStore(0)
	for _, tc := range []struct {
		l    Limit
		cost int
	}{
		{Limit{Rate: 0, Period: time.Second, Burst: 1}, 1},
		{Limit{Rate: 1, Period: 0, Burst: 1}, 1},
		{Limit{Rate: 1, Period: time.Second, Burst: 0}, 1},
		{Limit{Rate: 10, Period: time.Nanosecond, Burst: 1}, 1},
		{Limit{Rate: 1, Period: time.Hour, Burst: 1 << 40}, 1},
		{tenPerMinute, -1},
	} {
		if _, err := s.Allow(context.Background(), "k", tc.l, tc.cost); err == nil {
			t.Errorf("Allow(%+v, cost %d): no error", tc.l, tc.cost)
		}
	}
	// A huge cost is refused, without overflowing into an allowed one.
	if got, err := s.Allow(context.Background(), "k", tenPerMinute, 1<<62); err != nil || got.Allowed || got.RetryAfter <= 0 {
		t.Errorf("cost 1<<62: got %+v, %v", got, err)
	}
}

func TestMemoryStoreHoldsAFixedNumberOfKeys(t *testing.T) {
	for _, tc := range []struct{ maxKeys, slots int }{
		{0, defaultMaxKeys},
		{-1, defaultMaxKeys},
		{1, 8},
		{100, 104},
		{1000, 1000},
		{1 << 20, 1 << 20},
	} {
		s := newMemoryStore(tc.maxKeys)
		n := 0
		for i := range s.shards {
			n += len(s.shards[i].slots)
		}
		if n != tc.slots {
			t.Errorf("NewMemoryStore(%d) holds %d slots, want %d", tc.maxKeys, n, tc.slots)
		}
	}
}

func TestALimitedKeyOutlivesAFloodOfNewKeys(t *testing.T) {
	s, c := testStore(ways) // one bucket: every key competes for its 8 slots
	ctx := context.Background()
	for range tenPerMinute.Burst + 1 {
		s.Allow(ctx, "attacker", tenPerMinute, 1)
	}
	for i := range 10_000 {
		if got, _ := s.Allow(ctx, "spray-"+strconv.Itoa(i), tenPerMinute, 1); !got.Allowed {
			t.Fatalf("a new key was refused: %+v", got)
		}
		c.add(100 * time.Microsecond) // 1 s in all: the attacker's next request is 6 s away
	}
	if got, _ := s.Allow(ctx, "attacker", tenPerMinute, 1); got.Allowed {
		t.Fatalf("the flood of new keys gave the limited key a fresh burst: %+v", got)
	}
	if n := s.used(); n != ways {
		t.Fatalf("%d slots used, want %d", n, ways)
	}
}

func TestMemoryStoreKeepsKeysApart(t *testing.T) {
	s, _ := testStore(0)
	ctx := context.Background()
	for i := range 1000 {
		k := "k" + strconv.Itoa(i)
		for range tenPerMinute.Burst {
			if got, _ := s.Allow(ctx, k, tenPerMinute, 1); !got.Allowed {
				t.Fatalf("%s refused within its burst", k)
			}
		}
		if got, _ := s.Allow(ctx, k, tenPerMinute, 1); got.Allowed {
			t.Fatalf("%s allowed beyond its burst", k)
		}
	}
}

func TestMemoryStoreIsSafeForConcurrentUse(t *testing.T) {
	s := newMemoryStore(64)
	l := Limit{Rate: 1, Period: time.Hour, Burst: 100}
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := range 8 {
		wg.Go(func() {
			n := 0
			for i := range 200 {
				if r, _ := s.Allow(context.Background(), "shared", l, 1); r.Allowed {
					n++
				}
				s.Allow(context.Background(), strconv.Itoa(g*1000+i%10), l, 1)
			}
			mu.Lock()
			allowed += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if allowed != 100 {
		t.Fatalf("%d requests of the shared key allowed, want exactly the burst, 100", allowed)
	}
}

func TestMemoryStoreAllowAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := newMemoryStore(0)
	ctx := context.Background()
	l := Limit{Rate: 1_000_000, Period: time.Second, Burst: 1_000_000}
	if r, err := s.Allow(ctx, "203.0.113.7", l, 1); !r.Allowed || err != nil {
		t.Fatalf("not allowed: %+v, %v", r, err)
	}
	if n := testing.AllocsPerRun(1000, func() { s.Allow(ctx, "203.0.113.7", l, 1) }); n != 0 {
		t.Fatalf("Allow allocates %v times, want 0", n)
	}
}

// used counts the slots holding a key.
func (s *memoryStore) used() int {
	n := 0
	for i := range s.shards {
		for _, sl := range s.shards[i].slots {
			if sl.key != 0 {
				n++
			}
		}
	}
	return n
}
