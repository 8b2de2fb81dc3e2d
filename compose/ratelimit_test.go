package compose_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/route"
)

// twoAtOnce lets two requests through at once, then one an hour.
var twoAtOnce = ratelimit.Config{Limit: ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}}

var answer = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

func hit(h http.Handler, method, remote string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/api/tasks", strings.NewReader(`{"title":"x"}`))
	r.RemoteAddr = remote
	r.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestEachRouteKeepsItsOwnRateLimit(t *testing.T) {
	rl := twoAtOnce
	api := compose.Config{RateLimit: &rl}
	tasks := compose.Route(route.Methods{http.MethodGet: answer}, api)
	users := compose.Route(route.Methods{http.MethodGet: answer}, api)
	for i, want := range []int{200, 200, 429} {
		if w := hit(tasks, "GET", "192.0.2.1:1", nil); w.Code != want {
			t.Fatalf("tasks request %d: %d, want %d", i, w.Code, want)
		}
	}
	if w := hit(tasks, "GET", "192.0.2.2:1", nil); w.Code != 200 {
		t.Fatalf("another client was limited: %d", w.Code)
	}
	if w := hit(users, "GET", "192.0.2.1:1", nil); w.Code != 200 || w.Header().Get("RateLimit") != `"default";r=1;t=3600` {
		t.Fatalf("another route shared the limit: %d %q", w.Code, w.Header().Get("RateLimit"))
	}
}

func TestTheRateLimitRunsAfterTheCrossOriginCheckAndBeforeTheMethodCheck(t *testing.T) {
	rl := twoAtOnce
	ran := 0
	c := compose.Config{
		RateLimit: &rl,
		CORS:      &cors.Options{AllowedOrigins: []string{"https://app.example"}},
		Errors:    apierror.Config{Renderer: apierror.RenderProblem},
		BeforeBody: []func(http.Handler) http.Handler{func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran++; next.ServeHTTP(w, r) })
		}},
	}
	h := compose.Route(route.Methods{http.MethodPost: answer}, c)
	// A forged request is refused before it counts.
	for range 3 {
		if w := hit(h, "POST", "192.0.2.1:1", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); w.Code != 403 {
			t.Fatalf("forged request: %d, want 403", w.Code)
		}
	}
	// A method the route does not serve counts, and is refused 405.
	if w := hit(h, "DELETE", "192.0.2.1:1", nil); w.Code != 405 || w.Header().Get("RateLimit") != `"default";r=1;t=3600` {
		t.Fatalf("DELETE: %d, RateLimit %q", w.Code, w.Header().Get("RateLimit"))
	}
	hit(h, "POST", "192.0.2.1:1", nil)
	w := hit(h, "POST", "192.0.2.1:1", map[string]string{"Origin": "https://app.example"})
	if w.Code != 429 || ran != 1 {
		t.Fatalf("status %d, BeforeBody ran %d times; want 429 and once", w.Code, ran)
	}
	if w.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(w.Body.String(), `"status":429`) {
		t.Fatalf("the 429 is not in the route's format: %s %s", w.Header().Get("Content-Type"), w.Body)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || w.Header().Get("Retry-After") == "" {
		t.Fatalf("the 429 lacks CORS or Retry-After: %v", w.Header())
	}
}

func TestTheRateLimitKeepsItsOwnErrors(t *testing.T) {
	rl := twoAtOnce
	rl.Errors = apierror.Config{Renderer: apierror.RenderText}
	h := compose.Route(answer, compose.Config{RateLimit: &rl, Errors: apierror.Config{Renderer: apierror.RenderProblem}})
	hit(h, "GET", "192.0.2.1:1", nil)
	hit(h, "GET", "192.0.2.1:1", nil)
	if w := hit(h, "GET", "192.0.2.1:1", nil); w.Code != 429 || w.Header().Get("Content-Type") != "" || !strings.HasPrefix(w.Body.String(), "Too many requests") {
		t.Fatalf("%d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
}

func TestAnInvalidRateLimitIsNamedAsAComposeField(t *testing.T) {
	err := compose.Config{RateLimit: &ratelimit.Config{Limit: ratelimit.Limit{Rate: 1, Period: time.Second, Burst: 1}, Cost: 2}}.Validate()
	want := "compose: RateLimit.Cost 2 is more than Limit.Burst 1: every request would be refused"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	var inner interface{ Unwrap() error }
	if !errors.As(err, &inner) || !strings.HasPrefix(inner.Unwrap().Error(), "ratelimit: ") {
		t.Fatalf("the error does not unwrap to ratelimit's: %v", err)
	}
}

func TestTheHandlersOfOneChainShareItsRateLimit(t *testing.T) {
	rl := twoAtOnce
	c := compose.Config{RateLimit: &rl}
	ch := compose.Chain(c)
	tasks, users := ch.Then(answer), ch.Then(answer)
	for i, h := range []http.Handler{tasks, users, tasks} {
		if w, want := hit(h, "GET", "192.0.2.1:1", nil), []int{200, 200, 429}[i]; w.Code != want {
			t.Fatalf("request %d: %d, want %d", i, w.Code, want)
		}
	}
	if w := hit(compose.Chain(c).Then(answer), "GET", "192.0.2.1:1", nil); w.Code != 200 {
		t.Fatalf("another Chain(c) shared the limit: %d", w.Code)
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

func TestValidateAndUnusedRoutesAllocateNoRateLimitStore(t *testing.T) {
	rl := twoAtOnce
	c := compose.Config{RateLimit: &rl}
	routes := make([]http.Handler, 10)
	n := allocated(func() {
		for i := range routes {
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			routes[i] = compose.Route(answer, c)
		}
	})
	if n > 512<<10 {
		t.Fatalf("ten Validates and ten Routes allocated %d bytes: a rate limit store each", n)
	}
	if w := hit(routes[0], "GET", "192.0.2.1:1", nil); w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
}
