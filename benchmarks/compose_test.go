package benchmarks

import (
	"net/http"
	"testing"

	"github.com/justinas/alice"

	"github.com/apiroutes/apiroutes/compose"
)

// The compose benchmarks measure what the standard chain of a route costs
// a request that needs none of it: a bodyless GET through
// compose.Route(h, compose.Config{}) (apierror.Recover, responselimit,
// bodyparser; no CORS), next to the handler alone ("bare") and to an
// alice chain of four middlewares that only call the next handler
// ("alice"), the floor of any chain of that length.

// composeHandler answers 204 and counts its calls. It answers, so that
// responselimit, whose logger is slog.Default() in the default Config,
// has no "resolved without sending a response" to warn about.
type composeHandler struct{ calls int }

func (h *composeHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.calls++
	w.WriteHeader(http.StatusNoContent)
}

// passThrough is a middleware that does nothing but call next.
func passThrough(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
	})
}

// composeImpls wraps each side around h, in the order they run; bare, the
// first baseline, is run.sh's default one.
var composeImpls = []struct {
	name string
	wrap func(h http.Handler) http.Handler
}{
	{"bare", func(h http.Handler) http.Handler { return h }},
	{"alice", func(h http.Handler) http.Handler {
		return alice.New(passThrough, passThrough, passThrough, passThrough).Then(h)
	}},
	{"apiroutes", func(h http.Handler) http.Handler { return compose.Route(h, compose.Config{}) }},
}

func BenchmarkCompose(b *testing.B) {
	b.Run("route-default", func(b *testing.B) {
		for _, impl := range composeImpls {
			b.Run(impl.name, func(b *testing.B) {
				next := new(composeHandler)
				h := impl.wrap(next)
				// A GET without a body, into a writer that is an
				// http.Flusher as net/http's are (see ResponseLimit).
				f := newResponseFixture()
				b.ReportAllocs()
				for b.Loop() {
					f.serve(h, nil)
				}
				// The handler answered every request, and the answer is
				// its 204.
				if next.calls != b.N || f.w.status != http.StatusNoContent || f.w.written != 0 {
					b.Fatalf("handler called %d times in %d requests, status %d, %d bytes; want every time, 204, none",
						next.calls, b.N, f.w.status, f.w.written)
				}
			})
		}
	})
}

// TestComposeBaselinesAgree makes the comparison fair: on every side the
// handler runs once and its 204 is the answer, with no header added.
func TestComposeBaselinesAgree(t *testing.T) {
	for _, impl := range composeImpls {
		t.Run(impl.name, func(t *testing.T) {
			next := new(composeHandler)
			f := newResponseFixture()
			f.serve(impl.wrap(next), nil)
			if next.calls != 1 || f.w.status != http.StatusNoContent || len(f.w.header) != 0 {
				t.Errorf("handler called %d times, status %d, header %v; want once, 204, none", next.calls, f.w.status, f.w.header)
			}
		})
	}
}

// TestComposeRouteAllocatesOnce holds what the README says of the chain's
// cost: one allocation per request, the response wrapper its layers share.
func TestComposeRouteAllocatesOnce(t *testing.T) {
	h := compose.Route(new(composeHandler), compose.Config{})
	f := newResponseFixture()
	if n := testing.AllocsPerRun(100, func() { f.serve(h, nil) }); n != 1 {
		t.Errorf("%v allocations per request, want 1", n)
	}
}
