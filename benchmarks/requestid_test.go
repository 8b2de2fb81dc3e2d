package benchmarks

import (
	"net/http"
	"testing"

	chimw "github.com/go-chi/chi/v5/middleware"

	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/requestid"
)

// The request id benchmarks measure what requestid.Handler costs a bodyless
// GET whose handler answers 204: with no X-Request-Id (a new id from
// crypto/rand.Text), with one it keeps (a UUID, as a proxy sends), and in
// front of the standard chain (compose.Route(h, compose.Config{})), as
// compose puts it. "bare" is the handler (or the chain) without it; "chi"
// is go-chi's middleware.RequestID, which keeps any incoming value
// unchecked, makes "host/prefix-000001" ids from a counter, and sets no
// response header.

const benchRequestID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"

var requestIDImpls = []struct {
	name string
	wrap func(h http.Handler) http.Handler
}{
	{"bare", func(h http.Handler) http.Handler { return h }},
	{"chi", chimw.RequestID},
	{"apiroutes", requestid.Handler},
}

// idHandler answers 204 and records the id it saw.
type idHandler struct {
	calls int
	id    func(r *http.Request) string
	last  string
}

func (h *idHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls++
	h.last = h.id(r)
	w.WriteHeader(http.StatusNoContent)
}

// idOf reads the id as each side hands it to handlers.
func idOf(impl string) func(r *http.Request) string {
	switch impl {
	case "chi":
		return func(r *http.Request) string { return chimw.GetReqID(r.Context()) }
	case "apiroutes":
		return func(r *http.Request) string { return requestid.From(r.Context()) }
	}
	return func(*http.Request) string { return "" }
}

var requestIDCases = []struct {
	name     string
	incoming string // the request's X-Request-Id; "" for none
	chain    bool   // behind compose.Route's default chain
}{
	{"incoming=none", "", false},
	{"incoming=kept", benchRequestID, false},
	{"chain=compose", "", true},
}

func BenchmarkRequestID(b *testing.B) {
	for _, tc := range requestIDCases {
		b.Run(tc.name, func(b *testing.B) {
			for _, impl := range requestIDImpls {
				if tc.chain && impl.name == "chi" {
					continue
				}
				b.Run(impl.name, func(b *testing.B) {
					next, h, f := requestIDSide(tc.incoming, tc.chain, impl.name, impl.wrap)
					b.ReportAllocs()
					for b.Loop() {
						f.serve(h, nil)
					}
					if next.calls != b.N || f.w.status != http.StatusNoContent {
						b.Fatalf("handler called %d times in %d requests, status %d; want every time, 204", next.calls, b.N, f.w.status)
					}
					if impl.name != "bare" && (next.last == "" || tc.incoming != "" && next.last != tc.incoming) {
						b.Fatalf("the handler saw id %q, want %q or a new one", next.last, tc.incoming)
					}
				})
			}
		})
	}
}

func requestIDSide(incoming string, chain bool, impl string, wrap func(http.Handler) http.Handler) (*idHandler, http.Handler, *responseFixture) {
	next := &idHandler{id: idOf(impl)}
	var h http.Handler = next
	if chain {
		h = compose.Route(h, compose.Config{})
	}
	f := newResponseFixture()
	if incoming != "" {
		f.tmpl.Header.Set("X-Request-Id", incoming)
	}
	return next, wrap(h), f
}

// TestRequestIDSidesAgree: every side runs the handler once and answers its
// 204; ours and chi's hand it the id sent, or a new one, and ours sends it
// back in X-Request-Id.
func TestRequestIDSidesAgree(t *testing.T) {
	for _, tc := range requestIDCases {
		for _, impl := range requestIDImpls {
			next, h, f := requestIDSide(tc.incoming, tc.chain, impl.name, impl.wrap)
			f.serve(h, nil)
			if next.calls != 1 || f.w.status != http.StatusNoContent {
				t.Errorf("%s/%s: handler called %d times, status %d", tc.name, impl.name, next.calls, f.w.status)
			}
			if impl.name == "bare" {
				continue
			}
			if next.last == "" || tc.incoming != "" && next.last != tc.incoming {
				t.Errorf("%s/%s: the handler saw id %q, want %q or a new one", tc.name, impl.name, next.last, tc.incoming)
			}
			if sent := f.w.header.Get("X-Request-Id"); impl.name == "apiroutes" && sent != next.last {
				t.Errorf("%s/%s: X-Request-Id %q, want %q", tc.name, impl.name, sent, next.last)
			}
		}
	}
}
