package ratelimit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/apiroutes/apiroutes/ratelimit"
)

func ExampleNew() {
	limit := ratelimit.New(ratelimit.Config{
		// 3 requests at once, then one every 20 seconds.
		Limit:          ratelimit.Limit{Rate: 3, Period: time.Minute, Burst: 3},
		TrustedProxies: []string{"10.0.0.0/8"}, // the load balancers
	})
	h := limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	for i := range 4 {
		r := httptest.NewRequest("GET", "/api/login", nil)
		r.RemoteAddr = "10.0.0.7:52100"                       // a trusted proxy...
		r.Header.Set("X-Forwarded-For", "1.2.3.4, 192.0.2.1") // ...that saw 192.0.2.1
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if i == 0 {
			fmt.Println("RateLimit-Policy:", w.Header().Get("RateLimit-Policy"))
		}
		fmt.Print(w.Code, " RateLimit: ", w.Header().Get("RateLimit"))
		if ra := w.Header().Get("Retry-After"); ra != "" {
			fmt.Print(" Retry-After: ", ra)
		}
		fmt.Println()
	}
	// Output:
	// RateLimit-Policy: "default";q=3;w=60
	// 200 RateLimit: "default";r=2;t=20
	// 200 RateLimit: "default";r=1;t=40
	// 200 RateLimit: "default";r=0;t=60
	// 429 RateLimit: "default";r=0;t=60 Retry-After: 20
}

func ExampleConfig_Key() {
	// One limit per API key rather than per address. Keys come from
	// clients: a long one is replaced by its SHA-256 before the Store sees
	// it.
	limit := ratelimit.New(ratelimit.Config{
		Limit: ratelimit.Limit{Rate: 1000, Period: time.Hour, Burst: 100},
		Key:   func(r *http.Request) string { return r.Header.Get("X-Api-Key") },
		Name:  "api-key",
	})
	h := limit(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest("GET", "/api/search", nil)
	r.Header.Set("X-Api-Key", "k_123")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Header().Get("RateLimit-Policy"))
	fmt.Println(w.Header().Get("RateLimit"))
	// Output:
	// "api-key";q=100;w=360
	// "api-key";r=99;t=4
}
