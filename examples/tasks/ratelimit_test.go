package main

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore/redistest"
)

// TestTheSixthSignInWithinAMinuteGets429 checks the default limits: five
// sign-ins a minute per client address, wrong tokens included, then 429
// with Retry-After and the RateLimit headers; ten task creations at once
// per user; other requests unlimited. With Redis (when redis-server is
// installed), the same limits hold across two instances of the app.
func TestTheSixthSignInWithinAMinuteGets429(t *testing.T) {
	t.Parallel()
	defaults := func(t *testing.T) config {
		cfg := testConfig(t)
		cfg.LoginLimit, cfg.CreateLimit = ratelimit.Limit{}, ratelimit.Limit{}
		return cfg
	}
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		s := startAPI(t, defaults(t))
		checkDefaultLimits(t, s, s)
	})
	t.Run("Redis, two instances", func(t *testing.T) {
		t.Parallel()
		addr := redistest.Start(t).Addr()
		cfgA, cfgB := defaults(t), defaults(t)
		cfgA.RedisURL = "redis://" + addr + "/0"
		cfgB.RedisURL = cfgA.RedisURL
		a, b := startAPI(t, cfgA), startAPI(t, cfgB)
		checkDefaultLimits(t, a, b)
	})
}

// checkDefaultLimits sends the requests alternately to a and b (the same
// app, or two sharing a Redis).
func checkDefaultLimits(t *testing.T, a, b *api) {
	pick := func(i int) *api {
		if i%2 == 0 {
			return a
		}
		return b
	}
	for i := range 5 {
		token := aliceToken
		if i == 2 {
			token = "a-wrong-guess" // a failed sign-in counts too
		}
		res := pick(i).do("POST", "/api/session", "", bearer(token))
		if res.status == http.StatusTooManyRequests {
			t.Fatalf("sign-in %d: 429 within the burst of 5", i+1)
		}
		if res.header.Get("RateLimit") == "" || res.header.Get("RateLimit-Policy") == "" {
			t.Errorf("sign-in %d: no RateLimit headers: %v", i+1, res.header)
		}
	}
	res := pick(5).do("POST", "/api/session", "", bearer(aliceToken)).want(t, http.StatusTooManyRequests)
	retry, err := strconv.Atoi(res.header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 12 {
		t.Errorf("Retry-After %q, want 1 to 12 seconds (one sign-in every 12s)", res.header.Get("Retry-After"))
	}
	if policy := res.header.Get("RateLimit-Policy"); !strings.Contains(policy, `"login"`) {
		t.Errorf("RateLimit-Policy %q does not name the login policy", policy)
	}
	if state := res.header.Get("RateLimit"); !strings.Contains(state, "r=0") {
		t.Errorf("RateLimit %q, want r=0 remaining", state)
	}
	if msg := res.errorMessage(t); msg == "" {
		t.Error("429 without a message")
	}
	t.Logf("6th sign-in: 429, Retry-After %s, RateLimit %q, RateLimit-Policy %q",
		res.header.Get("Retry-After"), res.header.Get("RateLimit"), res.header.Get("RateLimit-Policy"))

	// Requests other than sign-ins and creations are not limited.
	for i := range 3 {
		pick(i).do("GET", "/api/tasks", "", bearer(aliceToken)).want(t, http.StatusOK)
	}

	// Creations: 10 at once per user; bob has his own.
	for i := range 10 {
		pick(i).do("POST", "/api/tasks", `{"title":"task `+strconv.Itoa(i)+`"}`, bearer(aliceToken)).want(t, http.StatusCreated)
	}
	res = pick(10).do("POST", "/api/tasks", `{"title":"one too many"}`, bearer(aliceToken)).want(t, http.StatusTooManyRequests)
	if res.header.Get("Retry-After") == "" {
		t.Error("creation 11: 429 without Retry-After")
	}
	pick(11).do("POST", "/api/tasks", `{"title":"bob's"}`, bearer(bobToken)).want(t, http.StatusCreated)
}

// TestAnUnreachableRedisIsAStartUpError: -redis is checked when the app
// starts, not at the first sign-in, and the error names the flag.
func TestAnUnreachableRedisIsAStartUpError(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	for _, url := range []string{"redis://" + addr + "/0", "http://not-redis"} {
		cfg := testConfig(t)
		cfg.RedisURL = url
		if a, err := newApp(cfg); err == nil {
			a.Close()
			t.Errorf("-redis %s: newApp accepted it", url)
		} else if !strings.Contains(err.Error(), "-redis") {
			t.Errorf("-redis %s: %v does not name the flag", url, err)
		}
	}
}
