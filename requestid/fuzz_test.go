package requestid

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzIncoming checks the validator against its definition, and that a
// kept id reaches the handler and the response unchanged while any other
// value is replaced: a request is never refused.
func FuzzIncoming(f *testing.F) {
	for _, s := range []string{"f47ac10b-58cc-4372-a567-0e02b2c3d479", "", "a b", "\x00", "\x7f", "é", "a,b", "a/b:c"} {
		f.Add(s)
	}
	var seen string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r.Context()) }))
	f.Fuzz(func(t *testing.T, v string) {
		want := len(v) >= 1 && len(v) <= maxLen
		for i := 0; i < len(v); i++ {
			want = want && '!' <= v[i] && v[i] <= '~'
		}
		if id, ok := incoming([]string{v}); ok != want || (ok && id != v) {
			t.Fatalf("incoming(%q) = %q, %v; want kept: %v", v, id, ok, want)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["X-Request-Id"] = []string{v}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		sent := w.Header()["X-Request-Id"]
		if len(sent) != 1 || sent[0] != seen || want != (seen == v) || (!want && !generated(seen)) {
			t.Fatalf("X-Request-Id %q: handler saw %q, response says %q", v, seen, sent)
		}
	})
}
