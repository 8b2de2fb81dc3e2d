package respond

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// nopWriter drops the body and keeps one header map, so that only
// respond's own allocations are counted.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// A large response reuses a pooled buffer: encoded again and again, it
// costs the header values, not a buffer grown anew each time (about twenty
// allocations for 200 KiB, as when buffers above 64 KiB were not pooled).
func TestALargeJSONResponseReusesItsBuffer(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops pooled buffers at random")
	}
	type item struct {
		ID   int    `json:"id"`
		Text string `json:"text"`
	}
	items := make([]item, 2000)
	for i := range items {
		items[i] = item{i, strings.Repeat("x", 80)}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := &nopWriter{h: http.Header{}}
	if err := JSON(w, r, http.StatusOK, items); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		clear(w.h)
		if err := JSON(w, r, http.StatusOK, items); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 5 {
		t.Errorf("%v allocations per 200 KiB response, want the header values only", allocs)
	}
}
