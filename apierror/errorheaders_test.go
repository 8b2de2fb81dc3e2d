package apierror_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/responselimit"
)

// headerHandler sets what a handler sets for the response it means to send
// (a session cookie, caching, a header of its own, one more Vary), then
// fails the way the path says.
func headerHandler(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Add("Set-Cookie", "session=abc; Path=/; HttpOnly")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Handler", "1")
	h.Add("Vary", "Accept-Encoding")
	switch r.URL.Path {
	case "/error":
		return errors.New("database is down")
	case "/bad-status":
		return apierror.New(302, "not an error status")
	case "/wrapped-500":
		return apierror.Wrap(errors.New("database is down"), http.StatusInternalServerError, "")
	case "/panic":
		panic("boom")
	case "/oversize":
		_, err := w.Write(make([]byte, 2048))
		return err
	case "/unauthorized":
		h.Set("WWW-Authenticate", `Bearer realm="x"`)
		return apierror.Unauthorized("sign in")
	case "/unavailable":
		h.Set("Retry-After", "30")
		return apierror.New(http.StatusServiceUnavailable, "maintenance")
	}
	_, err := io.WriteString(w, "ok")
	return err
}

// requestID is an outer layer of the application's own: its header must
// survive any error answer.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-1")
		next.ServeHTTP(w, r)
	})
}

// A 500 (an error without a status or with 500, a panic, a write over the
// enforced response limit) carries none of the headers the handler had set
// for the response it failed to make, and all of the outer layers' (CORS,
// Vary, a request id), so that browsers can read it. Other error statuses
// keep the headers the handler set for them.
func TestErrorAnswersDropTheHandlersHeadersButKeepTheOuterLayers(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	corsOptions := &cors.Options{AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true}
	stacks := []struct {
		name string
		h    http.Handler
	}{
		{"compose chain (recover, cors, enforced response limit)", requestID(compose.Chain(compose.Config{
			CORS: corsOptions, Response: responselimit.Config{Limit: "1kb", Enforce: true}, Errors: apierror.Config{Logger: quiet},
		}).Then(apierror.HandlerFunc(headerHandler)))},
		{"rs/cors outside Recover and HandlerFunc", requestID(cors.New(*corsOptions)(
			apierror.Config{Logger: quiet}.Recover(apierror.HandlerFunc(headerHandler))))},
	}
	cases := []struct {
		path      string
		status    int
		handlers  bool // the handler's headers are sent
		limitOnly bool // only the compose stack enforces the limit
	}{
		{"/error", 500, false, false},
		{"/bad-status", 500, false, false},
		{"/wrapped-500", 500, false, false},
		{"/panic", 500, false, false},
		{"/oversize", 500, false, true},
		{"/unauthorized", 401, true, false},
		{"/unavailable", 503, true, false},
		{"/ok", 200, true, false},
	}
	for _, stack := range stacks {
		srv := httptest.NewServer(stack.h)
		client := &http.Client{Timeout: 5 * time.Second}
		for _, tc := range cases {
			if tc.limitOnly && !strings.HasPrefix(stack.name, "compose") {
				continue
			}
			t.Run(stack.name+tc.path, func(t *testing.T) {
				req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
				req.Header.Set("Origin", "https://app.example")
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.status {
					t.Fatalf("status %d (%s), want %d", res.StatusCode, body, tc.status)
				}
				h := res.Header
				for k, want := range map[string]string{
					"Access-Control-Allow-Origin":      "https://app.example",
					"Access-Control-Allow-Credentials": "true",
					"X-Request-Id":                     "req-1",
				} {
					if got := h.Get(k); got != want {
						t.Errorf("outer header %s: %q, want %q", k, got, want)
					}
				}
				if !slices.Contains(h.Values("Vary"), "Origin") {
					t.Errorf("Vary %q lost the outer layer's Origin", h.Values("Vary"))
				}
				handlers := map[string]string{"Set-Cookie": "session=abc; Path=/; HttpOnly", "Cache-Control": "public, max-age=3600", "X-Handler": "1"}
				for k, v := range handlers {
					got := h.Get(k)
					if tc.handlers && got != v {
						t.Errorf("%s: %q, want the handler's %q", k, got, v)
					}
					if !tc.handlers && got != "" {
						t.Errorf("the error answer carries the handler's %s: %q", k, got)
					}
				}
				if !tc.handlers && slices.Contains(h.Values("Vary"), "Accept-Encoding") {
					t.Errorf("the error answer carries the Vary the handler added: %q", h.Values("Vary"))
				}
				if tc.status >= 500 && !tc.handlers && !strings.Contains(string(body), "Internal Server Error") {
					t.Errorf("body %s", body)
				}
			})
		}
		srv.Close()
	}
}
