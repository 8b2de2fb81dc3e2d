package benchmarks

import (
	"net/http"
	"testing"

	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
)

// The CrossOrigin benchmarks measure compose's cross-origin protection (on
// by default in every compose.Route) on bodyless POSTs, next to
// net/http's CrossOriginProtection alone ("stdlib": its Handler around the
// same handler), which ours calls, and to the same compose chain with the
// protection off ("disabled", DisableCrossOriginProtection): ours minus
// disabled is what the protection costs a route. "bare" is the handler
// alone. Every side trusts https://app.example.com: ours through the
// route's CORS policy, stdlib through AddTrustedOrigin.
//
// Cases: a same-origin POST (Sec-Fetch-Site: same-origin, what a
// browser sends from the API's own pages) passes; a cross-site POST from
// another origin is refused with 403 (stdlib: http.Error's text, ours the
// chain's JSON error); a cross-site POST from the trusted origin passes,
// with Sec-Fetch-Site as browsers send it, and without it as an old
// browser or a hand-made request does (net/http then parses the Origin
// URL and compares it with the Host).

const csrfTrusted = "https://app.example.com"

// csrfHandler answers 204 and counts its calls.
type csrfHandler struct{ calls int }

func (h *csrfHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.calls++
	w.WriteHeader(http.StatusNoContent)
}

var csrfCORS = &cors.Options{AllowedOrigins: []string{csrfTrusted}}

var csrfImpls = []struct {
	name string
	wrap func(h http.Handler) http.Handler
}{
	{"bare", func(h http.Handler) http.Handler { return h }},
	{"stdlib", func(h http.Handler) http.Handler {
		cop := http.NewCrossOriginProtection()
		if err := cop.AddTrustedOrigin(csrfTrusted); err != nil {
			panic(err)
		}
		return cop.Handler(h)
	}},
	{"disabled", func(h http.Handler) http.Handler {
		return compose.Route(h, compose.Config{CORS: csrfCORS, DisableCrossOriginProtection: true})
	}},
	{"apiroutes", func(h http.Handler) http.Handler { return compose.Route(h, compose.Config{CORS: csrfCORS}) }},
}

// csrfCases are the requests, what the protected sides answer, and the
// sides that do not take part (bare and disabled pass everything: they are
// no baseline for a refusal).
var csrfCases = []struct {
	name, site, origin string // Sec-Fetch-Site and Origin ("" for none)
	status             int
	skip               map[string]bool
}{
	{name: "same-origin", site: "same-origin", origin: "http://example.com", status: http.StatusNoContent},
	{name: "cross-site", site: "cross-site", origin: "https://evil.example", status: http.StatusForbidden,
		skip: map[string]bool{"bare": true, "disabled": true}},
	{name: "trusted-origin", site: "cross-site", origin: csrfTrusted, status: http.StatusNoContent},
	{name: "trusted-origin-no-fetch-site", origin: csrfTrusted, status: http.StatusNoContent},
}

func csrfFixture(site, origin string) *fixture {
	f := newFixture(http.MethodPost, "", nil, false)
	if site != "" {
		f.tmpl.Header.Set("Sec-Fetch-Site", site)
	}
	if origin != "" {
		f.tmpl.Header.Set("Origin", origin)
	}
	return f
}

func BenchmarkCrossOrigin(b *testing.B) {
	for _, c := range csrfCases {
		b.Run(c.name, func(b *testing.B) {
			for _, impl := range csrfImpls {
				if c.skip[impl.name] {
					continue
				}
				b.Run(impl.name, func(b *testing.B) {
					next := new(csrfHandler)
					f := csrfFixture(c.site, c.origin)
					benchServe(b, f, impl.wrap(next), false, c.status)
					// The handler ran on every request that passed, and on
					// no refused one.
					if want := b.N; c.status == http.StatusForbidden && next.calls != 0 || c.status != http.StatusForbidden && next.calls != want {
						b.Fatalf("handler called %d times in %d requests answered %d", next.calls, b.N, c.status)
					}
				})
			}
		})
	}
}

// TestCrossOriginSidesAgree makes the comparison fair: every side lets
// through, or refuses, the same requests.
func TestCrossOriginSidesAgree(t *testing.T) {
	for _, c := range csrfCases {
		for _, impl := range csrfImpls {
			if c.skip[impl.name] {
				continue
			}
			t.Run(c.name+"/"+impl.name, func(t *testing.T) {
				next := new(csrfHandler)
				f := csrfFixture(c.site, c.origin)
				f.serve(impl.wrap(next))
				if f.w.status != c.status || (next.calls == 1) != (c.status != http.StatusForbidden) {
					t.Errorf("status %d, handler called %d times; want %d", f.w.status, next.calls, c.status)
				}
			})
		}
	}
	// And the sides that are no baseline for a refusal do let it through.
	next := new(csrfHandler)
	f := csrfFixture("cross-site", "https://evil.example")
	f.serve(csrfImpls[2].wrap(next))
	if csrfImpls[2].name != "disabled" || next.calls != 1 {
		t.Errorf("%s: the cross-site POST did not pass", csrfImpls[2].name)
	}
}

// TestCrossOriginCheckAllocatesNothingOnAPassingWrite holds the cost of the
// default protection on what browsers send: a same-origin write, and a
// write from the CORS origin, cost no allocation more than with the
// protection off.
func TestCrossOriginCheckAllocatesNothingOnAPassingWrite(t *testing.T) {
	for _, c := range csrfCases[:3] {
		if c.status != http.StatusNoContent {
			continue
		}
		allocs := func(wrap func(http.Handler) http.Handler) float64 {
			h := wrap(new(csrfHandler))
			f := csrfFixture(c.site, c.origin)
			return testing.AllocsPerRun(100, func() { f.serve(h) })
		}
		if on, off := allocs(csrfImpls[3].wrap), allocs(csrfImpls[2].wrap); on != off {
			t.Errorf("%s: %v allocations with the protection, %v without", c.name, on, off)
		}
	}
}
