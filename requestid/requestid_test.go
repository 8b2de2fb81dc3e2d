package requestid

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// generated reports whether id looks like crypto/rand.Text's: 26 characters
// of base32's upper-case alphabet.
func generated(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// serve sends a GET with the given X-Request-Id lines through Handler and
// returns the id the handler saw and the response's X-Request-Id lines.
func serve(t *testing.T, lines []string) (seen string, sent []string) {
	t.Helper()
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = From(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	r := httptest.NewRequest(http.MethodGet, "/api/tasks", nil)
	if lines != nil {
		r.Header["X-Request-Id"] = lines
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("status %d: the request was refused", w.Code)
	}
	return seen, w.Result().Header.Values("X-Request-Id")
}

func TestHandlerKeepsABoundedPrintableIdAndReplacesAnyOther(t *testing.T) {
	t.Parallel()
	max := strings.Repeat("a", maxLen)
	for _, tc := range []struct {
		name  string
		lines []string // the request's X-Request-Id lines; nil for none
		kept  bool
	}{
		{"a UUID", []string{"f47ac10b-58cc-4372-a567-0e02b2c3d479"}, true},
		{"one character", []string{"x"}, true},
		{"every visible ASCII character", []string{"!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~"}, true},
		{"200 bytes", []string{max}, true},
		{"201 bytes", []string{max + "a"}, false},
		{"64 KiB", []string{strings.Repeat("a", 64<<10)}, false},
		{"no header", nil, false},
		{"an empty value", []string{""}, false},
		{"a space", []string{"abc def"}, false},
		{"a tab", []string{"abc\tdef"}, false},
		{"a control character", []string{"abc\x01"}, false},
		{"a line break", []string{"abc\r\nX-Admin: 1"}, false},
		{"DEL", []string{"abc\x7f"}, false},
		{"UTF-8", []string{"tâche-7"}, false},
		{"a byte that is not UTF-8", []string{"abc\xff"}, false},
		{"two lines", []string{"abc", "def"}, false},
		{"two equal lines", []string{"abc", "abc"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seen, sent := serve(t, tc.lines)
			if len(sent) != 1 || sent[0] != seen {
				t.Fatalf("the handler saw %q, the response says %q: want the same one id", seen, sent)
			}
			if tc.kept {
				if seen != tc.lines[0] {
					t.Errorf("id %q, want the request's %q", seen, tc.lines[0])
				}
				return
			}
			if !generated(seen) {
				t.Errorf("id %q, want a new one from crypto/rand.Text", seen)
			}
		})
	}
}

func TestHandlerMakesADifferentIdForEachRequest(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for range 100 {
		id, _ := serve(t, nil)
		if seen[id] {
			t.Fatalf("id %q given twice", id)
		}
		seen[id] = true
	}
}

func TestAHandlerInsideAnotherKeepsTheOuterId(t *testing.T) {
	t.Parallel()
	var inner string
	h := Handler(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = From(r.Context())
	})))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil)) // no id: the outer one makes it
	if sent := w.Result().Header.Values("X-Request-Id"); !generated(inner) || len(sent) != 1 || sent[0] != inner {
		t.Errorf("the handler saw %q, the response says %q: want one new id", inner, sent)
	}
}

// A foreign router between Handler and the handler replaces the request
// (ServeMux sets the pattern on a copy, chi and gorilla add their context):
// the id travels in the context, so it is still there.
func TestTheIdCrossesAForeignRouter(t *testing.T) {
	t.Parallel()
	type routerKey struct{}
	var seen string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tasks/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "7" || r.Context().Value(routerKey{}) != "chi-like" {
			t.Error("the router's own values are lost")
		}
		seen = From(r.Context())
	})
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routerKey{}, "chi-like")))
	})
	r := httptest.NewRequest(http.MethodGet, "/api/tasks/7", nil)
	r.Header.Set("X-Request-Id", "abc-123")
	Handler(router).ServeHTTP(httptest.NewRecorder(), r)
	if seen != "abc-123" {
		t.Errorf("From = %q behind a foreign router, want abc-123", seen)
	}
}

func TestFromIsEmptyOutsideHandler(t *testing.T) {
	t.Parallel()
	if id := From(httptest.NewRequest(http.MethodGet, "/", nil).Context()); id != "" {
		t.Errorf("From = %q, want none", id)
	}
}

// The id reaches the wire, whatever case the client writes the field in.
func TestTheIdIsSentBackOnTheWire(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(From(r.Context())))
	})))
	defer srv.Close()
	for _, tc := range []struct{ name, value string }{{"x-request-id", "from-the-client"}, {"", ""}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if tc.name != "" {
			req.Header[tc.name] = []string{tc.value} // as sent, not canonicalised
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		_, _ = io.Copy(&body, res.Body)
		res.Body.Close()
		got := res.Header.Get("X-Request-Id")
		if got != body.String() || (tc.value != "" && got != tc.value) || (tc.value == "" && !generated(got)) {
			t.Errorf("sent %q: response header %q, handler saw %q", tc.value, got, body.String())
		}
	}
}

// What the README's benchmarks say a request costs: the id's context node
// (which holds the header's value too) and the request copy, plus the id's
// string when it is new.
func TestHandlerAllocatesTheContextTheRequestCopyAndANewId(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	w := httptest.NewRecorder()
	for _, tc := range []struct {
		name, incoming string
		want           float64
	}{
		{"kept", "f47ac10b-58cc-4372-a567-0e02b2c3d479", 2},
		{"new", "", 3},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.incoming != "" {
			r.Header.Set("X-Request-Id", tc.incoming)
		}
		if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n != tc.want {
			t.Errorf("%s: %v allocations, want %v", tc.name, n, tc.want)
		}
	}
}
