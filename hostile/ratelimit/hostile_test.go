package ratelimit_test

import (
	"bufio"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/hostile"
	"github.com/apiroutes/apiroutes/ratelimit"
)

// budget is the default memory store's, as its doc says: 65,536 keys of
// 16 bytes.
const budget = 65536 * 16

// runtimeSlack is what the Go runtime itself may add to the resident set
// while a million requests' garbage (a RateLimit value and an address
// string each) comes and goes: the heap's minimum goal is 4 MiB, and
// freed pages are returned to the system lazily.
const runtimeSlack = 8 << 20

// nopWriter is a ResponseWriter that keeps nothing between requests.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

// TestAMillionClientAddressesStayWithinTheMemoryBudget sprays a million
// distinct IPv4 clients, then a million distinct IPv6 /64s, through the
// middleware with its default memory store, while one client sends a
// request every thousand: the resident set grows by the store's budget
// (plus the runtime's own slack) however many clients come, and the
// hammering client stays limited throughout.
func TestAMillionClientAddressesStayWithinTheMemoryBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("two million requests, and memory figures the race detector would swell")
	}
	limit := ratelimit.Limit{Rate: 10, Period: time.Minute, Burst: 5} // one every 6 s
	before := residentSet(t)
	heapBefore := liveHeap()
	h := ratelimit.New(ratelimit.Config{Limit: limit})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r, err := http.NewRequest("GET", "/api/login", nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &nopWriter{h: http.Header{}}
	const live = "198.51.100.7:443"
	liveAllowed := 0
	send := func(remote string) int {
		r.RemoteAddr = remote
		clear(w.h)
		w.status = http.StatusOK
		h.ServeHTTP(w, r)
		return w.status
	}

	start := time.Now()
	spray := func(n int, addr func(i int) string) {
		for i := range n {
			if i%1000 == 0 {
				if send(live) == http.StatusOK {
					liveAllowed++
				}
			}
			if code := send(addr(i)); code != http.StatusOK {
				t.Fatalf("new client %s refused: %d", addr(i), code)
			}
		}
	}
	base4 := netip.MustParseAddr("10.0.0.0").As4()
	spray(1_000_000, func(i int) string {
		a := base4
		a[1], a[2], a[3] = byte(i>>16), byte(i>>8), byte(i)
		return netip.AddrPortFrom(netip.AddrFrom4(a), 1).String()
	})
	afterV4 := residentSet(t)
	heapV4 := liveHeap()
	base6 := netip.MustParseAddr("2001:db8::").As16()
	spray(1_000_000, func(i int) string {
		a := base6
		a[4], a[5], a[6], a[7] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		a[15] = 1
		return netip.AddrPortFrom(netip.AddrFrom16(a), 1).String()
	})
	afterV6 := residentSet(t)
	heapV6 := liveHeap()
	elapsed := time.Since(start)
	runtime.KeepAlive(h) // the store is measured with it

	t.Logf("2,000,000 clients in %v; resident set growth %s after the IPv4 million, %s after the IPv6 million (budget %s + runtime slack %s); live heap growth (the store included) %s, then %s",
		elapsed.Round(time.Millisecond), hostile.Bytes(afterV4-before), hostile.Bytes(afterV6-before),
		hostile.Bytes(budget), hostile.Bytes(runtimeSlack), hostile.Bytes(int64(heapV4)-int64(heapBefore)), hostile.Bytes(int64(heapV6)-int64(heapBefore)))
	if g := afterV6 - before; g > budget+runtimeSlack {
		t.Errorf("resident set grew by %s, over the budget %s + %s", hostile.Bytes(g), hostile.Bytes(budget), hostile.Bytes(runtimeSlack))
	}
	if g := afterV6 - afterV4; g > 1<<20 {
		t.Errorf("the second million clients grew the resident set by %s: the store is not bounded", hostile.Bytes(g))
	}
	if g := int64(heapV6) - int64(heapBefore); g > budget+budget/4 {
		t.Errorf("live heap grew by %s, over the budget %s", hostile.Bytes(g), hostile.Bytes(budget))
	}
	// 2,000 requests from the live client: its burst, and one per 6 s.
	if most := limit.Burst + int(elapsed/(6*time.Second)) + 1; liveAllowed > most {
		t.Errorf("the hammering client got %d requests through in %v, at most %d allowed: the spray evicted its state", liveAllowed, elapsed, most)
	}
	t.Logf("the hammering client: %d of 2,000 requests allowed", liveAllowed)
}

// residentSet returns VmRSS after a collection, in bytes.
func residentSet(t *testing.T) int64 {
	runtime.GC()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status: ", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
