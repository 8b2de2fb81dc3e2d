package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

// serve sends one GET from remote through h.
func serve(h http.Handler, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/tasks", nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHeadersFollowTheDraftSyntax(t *testing.T) {
	s, c := testStore(0)
	h := New(Config{Limit: tenPerMinute, Store: s})(ok)
	steps := []struct {
		after  time.Duration
		status int
		state  string
		retry  string
	}{
		{0, 200, `"default";r=4;t=6`, ""},
		{0, 200, `"default";r=3;t=12`, ""},
		{0, 200, `"default";r=2;t=18`, ""},
		{0, 200, `"default";r=1;t=24`, ""},
		{0, 200, `"default";r=0;t=30`, ""},
		{0, 429, `"default";r=0;t=30`, "6"},
		{1500 * time.Millisecond, 429, `"default";r=0;t=29`, "5"}, // 28.5 s and 4.5 s, rounded up
		{4500 * time.Millisecond, 200, `"default";r=0;t=30`, ""},
	}
	for i, st := range steps {
		c.add(st.after)
		w := serve(h, "192.0.2.1:1")
		if w.Code != st.status {
			t.Fatalf("request %d: status %d, want %d", i, w.Code, st.status)
		}
		if got := w.Header().Values("RateLimit-Policy"); len(got) != 1 || got[0] != `"default";q=5;w=30` {
			t.Errorf("request %d: RateLimit-Policy %q", i, got)
		}
		if got := w.Header().Values("RateLimit"); len(got) != 1 || got[0] != st.state {
			t.Errorf("request %d: RateLimit %q, want %q", i, got, st.state)
		}
		if got := w.Header().Get("Retry-After"); got != st.retry {
			t.Errorf("request %d: Retry-After %q, want %q", i, got, st.retry)
		}
	}
}

func TestThePolicyNamesItsWindowInWholeSeconds(t *testing.T) {
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{Limit: Limit{Rate: 100, Period: time.Minute, Burst: 20}}, `"default";q=20;w=12`},
		{Config{Limit: Limit{Rate: 3, Period: time.Second, Burst: 1}, Name: "api"}, `"api";q=1;w=1`},  // 333 ms, rounded up
		{Config{Limit: Limit{Rate: 1000, Period: time.Hour, Burst: 1000}}, `"default";q=1000;w=3600`}, // a burst of the whole period
		{Config{Limit: Limit{Rate: 1, Period: 24 * time.Hour, Burst: 2}, Name: "daily quota"}, `"daily quota";q=2;w=172800`},
	} {
		l, err := tc.c.compile()
		if err != nil {
			t.Fatal(err)
		}
		if l.policy[0] != tc.want {
			t.Errorf("%+v: RateLimit-Policy %s, want %s", tc.c.Limit, l.policy[0], tc.want)
		}
		if cap(l.policy) != 1 {
			t.Errorf("the shared policy slice has room to append into")
		}
	}
}

func TestRetryAfterIsWholeSecondsRoundedUp(t *testing.T) {
	for _, tc := range []struct {
		limit Limit
		wait  time.Duration // after the burst
		want  string
	}{
		{Limit{Rate: 10, Period: time.Second, Burst: 1}, 0, "1"},                       // 100 ms
		{Limit{Rate: 1, Period: 1500 * time.Millisecond, Burst: 1}, 0, "2"},            // 1.5 s
		{Limit{Rate: 1, Period: time.Minute, Burst: 1}, 0, "60"},                       // exact
		{Limit{Rate: 1, Period: time.Minute, Burst: 1}, 59999 * time.Millisecond, "1"}, // 1 ms
	} {
		s, c := testStore(0)
		h := New(Config{Limit: tc.limit, Store: s})(ok)
		serve(h, "192.0.2.1:1")
		c.add(tc.wait)
		w := serve(h, "192.0.2.1:1")
		if w.Code != 429 || w.Header().Get("Retry-After") != tc.want {
			t.Errorf("%+v after %v: %d, Retry-After %q, want 429 and %q", tc.limit, tc.wait, w.Code, w.Header().Get("Retry-After"), tc.want)
		}
	}
}

func TestTooManyRequestsIsRenderedInTheChainsFormat(t *testing.T) {
	msg := "Too many requests: the limit is 10 per minute, in bursts of 1; retry after the seconds in Retry-After"
	for _, tc := range []struct {
		name        string
		own         apierror.Config // the middleware's Errors
		outer       apierror.Config // an enclosing layer's
		contentType string
		body        string
	}{
		{"JSON by default", apierror.Config{}, apierror.Config{}, "application/json; charset=utf-8", `{"error":"` + msg + `"}`},
		{"the chain's problem+json", apierror.Config{}, apierror.Config{Renderer: apierror.RenderProblem}, "application/problem+json",
			`{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"` + msg + `"}`},
		{"its own text", apierror.Config{Renderer: apierror.RenderText}, apierror.Config{Renderer: apierror.RenderProblem}, "", msg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := New(Config{Limit: Limit{Rate: 10, Period: time.Minute, Burst: 1}, Errors: tc.own})
			ran := 0
			h := tc.outer.Recover(limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran++ })))
			serve(h, "192.0.2.1:1")
			w := serve(h, "192.0.2.1:1")
			if w.Code != 429 || ran != 1 {
				t.Fatalf("status %d, handler ran %d times; want 429 and once", w.Code, ran)
			}
			if got := w.Header().Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if got := strings.TrimSpace(w.Body.String()); got != tc.body {
				t.Errorf("body %s\nwant %s", got, tc.body)
			}
			if w.Header().Get("Retry-After") != "6" || w.Header().Get("RateLimit") == "" {
				t.Errorf("429 without its headers: %v", w.Header())
			}
		})
	}
}

func TestTheMessageSaysWhatARequestCosts(t *testing.T) {
	h := New(Config{Limit: Limit{Rate: 2, Period: 90 * time.Second, Burst: 3}, Cost: 3})(ok)
	serve(h, "192.0.2.1:1")
	w := serve(h, "192.0.2.1:1")
	want := `{"error":"Too many requests: the limit is 2 per 1m30s, in bursts of 3, and this request counts 3; retry after the seconds in Retry-After"}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Fatalf("body %s\nwant %s", got, want)
	}
}

// failing is a Store whose every Allow fails.
type failing struct{}

func (failing) Allow(context.Context, string, Limit, int) (Result, error) {
	return Result{}, errors.New("redis: connection refused")
}

func TestAStoreErrorIsAnswered503WithoutRunningTheHandler(t *testing.T) {
	ran := false
	h := New(Config{Limit: tenPerMinute, Store: failing{}})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	w := serve(h, "192.0.2.1:1")
	if w.Code != 503 || ran {
		t.Fatalf("status %d, handler ran %v; want 503, not run", w.Code, ran)
	}
	if strings.Contains(w.Body.String(), "redis") {
		t.Fatalf("the cause leaked: %s", w.Body)
	}
	if w.Header().Get("RateLimit") != "" {
		t.Fatalf("RateLimit sent without a decision: %v", w.Header())
	}
}

// recording is a Store that remembers the keys it was asked about.
type recording struct {
	mu   sync.Mutex
	keys []string
	cost []int
}

func (s *recording) Allow(_ context.Context, key string, l Limit, cost int) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, key)
	s.cost = append(s.cost, cost)
	return Result{Allowed: true, Remaining: l.Burst - cost, ResetAfter: time.Second}, nil
}

func TestAStoreGetsNamedKeysAndTheCost(t *testing.T) {
	s := &recording{}
	user := func(r *http.Request) string { return r.Header.Get("X-User") }
	h := New(Config{Limit: tenPerMinute, Store: s, Name: "login", Key: user, Cost: 2})(ok)
	serve(h, "192.0.2.1:1")
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-User", "42")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if want := []string{"login:ip:192.0.2.1", "login:key:42"}; strings.Join(s.keys, " ") != strings.Join(want, " ") {
		t.Fatalf("keys %q, want %q", s.keys, want)
	}
	if s.cost[0] != 2 || w.Header().Get("RateLimit") != `"login";r=3;t=1` {
		t.Fatalf("cost %d, RateLimit %q", s.cost[0], w.Header().Get("RateLimit"))
	}
}

func TestHandlersOfOneMiddlewareShareTheLimit(t *testing.T) {
	limit := New(Config{Limit: Limit{Rate: 1, Period: time.Hour, Burst: 1}})
	a, b := limit(ok), limit(ok)
	if serve(a, "192.0.2.1:1").Code != 200 || serve(b, "192.0.2.1:1").Code != 429 {
		t.Fatal("two handlers of one middleware kept separate limits")
	}
	if serve(New(Config{Limit: Limit{Rate: 1, Period: time.Hour, Burst: 1}})(ok), "192.0.2.1:1").Code != 200 {
		t.Fatal("two middlewares shared a limit")
	}
}

func TestInvalidConfigsFailAtConstruction(t *testing.T) {
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{}, "ratelimit: Limit.Rate 0: must be at least 1 request per Period"},
		{Config{Limit: Limit{Rate: 1, Burst: 1}}, "ratelimit: Limit.Period 0s: must be positive, such as time.Minute"},
		{Config{Limit: Limit{Rate: 1, Period: time.Second}}, "ratelimit: Limit.Burst 0: must be at least 1 (a burst of 1 spaces requests evenly)"},
		{Config{Limit: Limit{Rate: 1e9 + 1, Period: time.Second, Burst: 1}}, "ratelimit: Limit.Rate 1000000001 per 1s is more than one request per nanosecond"},
		{Config{Limit: Limit{Rate: 1, Period: 24 * time.Hour, Burst: 1e6}}, "ratelimit: Limit.Burst 1000000 takes more than a century to refill at 1 per 24h0m0s"},
		{Config{Limit: tenPerMinute, Cost: -1}, "ratelimit: Cost -1 is negative; zero means 1"},
		{Config{Limit: tenPerMinute, Cost: 6}, "ratelimit: Cost 6 is more than Limit.Burst 5: every request would be refused"},
		{Config{Limit: tenPerMinute, TrustedProxies: []string{"10.0.0.0/33"}}, `ratelimit: TrustedProxies[0] "10.0.0.0/33" is not an address, a CIDR ("10.0.0.0/8") or "unix"`},
		{Config{Limit: tenPerMinute, TrustedProxies: []string{"10.0.0.1", "proxy.internal"}}, `ratelimit: TrustedProxies[1] "proxy.internal" is not an address, a CIDR ("10.0.0.0/8") or "unix"`},
		{Config{Limit: tenPerMinute, TrustedProxies: []string{"unix", "@"}}, `ratelimit: TrustedProxies[1] "@" is not an address, a CIDR ("10.0.0.0/8") or "unix"`},
		{Config{Limit: tenPerMinute, TrustedProxies: []string{"UNIX"}}, `ratelimit: TrustedProxies[0] "UNIX" is not an address, a CIDR ("10.0.0.0/8") or "unix"`},
		{Config{Limit: tenPerMinute, ForwardedHeader: "X-Real-IP"}, `ratelimit: ForwardedHeader "X-Real-IP" is neither "X-Forwarded-For" nor "Forwarded"`},
		{Config{Limit: tenPerMinute, Name: `a"b`}, `ratelimit: Name "a\"b": byte 1 is not printable ASCII other than '"', '\' and ':'`},
		{Config{Limit: tenPerMinute, Name: "x:key"}, `ratelimit: Name "x:key": byte 1 is not printable ASCII other than '"', '\' and ':'`},
		{Config{Limit: tenPerMinute, Name: strings.Repeat("n", 65)}, "ratelimit: Name is 65 bytes long; at most 64"},
	} {
		err := tc.c.Validate()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: error %v\nwant %s", tc.c, err, tc.want)
			continue
		}
		func() {
			defer func() {
				if p := recover(); p == nil || p.(error).Error() != tc.want {
					t.Errorf("New panicked with %v, want %s", p, tc.want)
				}
			}()
			New(tc.c)
		}()
	}
	if err := (Config{Limit: tenPerMinute, TrustedProxies: []string{"10.0.0.0/8", "::1", "fd00::/8", "::ffff:10.0.0.1", "unix"}, ForwardedHeader: "Forwarded"}).Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

// nopWriter is a ResponseWriter that allocates nothing.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

func TestAClientUnderItsLimitAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	h := New(Config{Limit: Limit{Rate: 1_000_000, Period: time.Second, Burst: 1_000_000}, TrustedProxies: []string{"10.0.0.0/8"}})(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range []struct {
		name   string
		remote string
		xff    string
	}{
		{"IPv4", "192.0.2.1:1", ""},
		{"IPv6", "[2001:db8::1]:1", ""},
		{"behind a proxy", "10.0.0.1:1", "198.51.100.1, 10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		w := &nopWriter{h: http.Header{}}
		if h.ServeHTTP(w, r); w.status != 0 || w.h.Get("RateLimit") == "" {
			t.Fatalf("%s: not allowed: %d %v", tc.name, w.status, w.h)
		}
		// Far under its limit, the client gets the same RateLimit value
		// each time: the one cached. Each answer has a header of its own.
		if n := testing.AllocsPerRun(1000, func() { clear(w.h); h.ServeHTTP(w, r) }); n != 0 {
			t.Errorf("%s: %v allocations per request, want 0", tc.name, n)
		}
	}
}

func TestStackedLimitersEachAddTheirItem(t *testing.T) {
	global := New(Config{Limit: Limit{Rate: 100, Period: time.Minute, Burst: 100}, Name: "global"})
	route := New(Config{Limit: Limit{Rate: 1, Period: time.Hour, Burst: 1}, Name: "login"})
	h := global(route(ok))
	for i, want := range []struct {
		code            int
		policy, limited string
	}{
		{200, `"global";q=100;w=60, "login";q=1;w=3600`, `"global";r=99;t=1, "login";r=0;t=3600`},
		{429, `"global";q=100;w=60, "login";q=1;w=3600`, `"global";r=98;t=2, "login";r=0;t=3600`},
	} {
		w := serve(h, "192.0.2.1:1")
		if w.Code != want.code || strings.Join(w.Header().Values("RateLimit-Policy"), "|") != want.policy || strings.Join(w.Header().Values("RateLimit"), "|") != want.limited {
			t.Fatalf("request %d: %d\nRateLimit-Policy %q\nRateLimit %q\nwant %d %q %q", i, w.Code, w.Header().Values("RateLimit-Policy"), w.Header().Values("RateLimit"), want.code, want.policy, want.limited)
		}
	}
	// The values the answers shared were not written to.
	if w := serve(global(ok), "192.0.2.2:1"); w.Header().Get("RateLimit-Policy") != `"global";q=100;w=60` {
		t.Fatalf("a shared value was changed: %q", w.Header().Get("RateLimit-Policy"))
	}
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestTheDefaultStoreIsMadeAtTheFirstRequest(t *testing.T) {
	c := Config{Limit: Limit{Rate: 1, Period: time.Hour, Burst: 1}}
	var h http.Handler
	if n := allocated(func() {
		for range 10 {
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		h = New(c)(ok)
	}); n > 64<<10 {
		t.Fatalf("ten Validates and a New allocated %d bytes: a store", n)
	}
	if n := allocated(func() { serve(h, "192.0.2.1:1") }); n < defaultMaxKeys*16 {
		t.Fatalf("the first request allocated %d bytes: no store", n)
	}
	if serve(h, "192.0.2.1:1").Code != 429 {
		t.Fatal("the store made at the first request was not kept")
	}
}
