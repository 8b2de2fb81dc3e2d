package compose_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/responselimit"
)

// requireToken answers 401 unless the request carries the bearer token.
func requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret" {
			apierror.Write(w, r, apierror.Unauthorized("missing or bad token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// countingBody counts what the server reads of a request body.
type countingBody struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
func (countingBody) Close() error { return nil }

func TestBeforeBodyRefusesAClientBeforeItsBodyIsRead(t *testing.T) {
	t.Parallel()
	h := compose.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := bodyparser.Value(r)
		_, _ = io.WriteString(w, "got "+strconv.Itoa(len(v.(string))))
	}), compose.Config{SizeLimit: "1mb", BeforeBody: []func(http.Handler) http.Handler{requireToken}})
	for _, tc := range []struct {
		name, auth string
		status     int
		read       int64
	}{
		{"an unauthenticated client costs no body read", "", 401, 0},
		{"an authenticated client's body is read", "Bearer secret", 200, 1 << 19},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read atomic.Int64
			r := httptest.NewRequest("POST", "/api/upload", nil)
			r.Body = countingBody{strings.NewReader(strings.Repeat("x", 1<<19)), &read}
			r.ContentLength = 1 << 19
			r.Header.Set("Content-Type", "text/plain")
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.status || read.Load() != tc.read {
				t.Errorf("got %d %q after reading %d bytes; want %d after %d", rec.Code, rec.Body, read.Load(), tc.status, tc.read)
			}
		})
	}
}

func TestBeforeBodyRunsInsideCORSAndTheResponseChecks(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	h := compose.Route(http.NotFoundHandler(), compose.Config{
		CORS:       appCORS,
		Logger:     logger,
		Errors:     apierror.Config{Renderer: apierror.Problem},
		BeforeBody: []func(http.Handler) http.Handler{mark("first"), requireToken},
	})
	rec := send(h, "POST", "{}", map[string]string{"Origin": "https://app.example.com"})
	if rec.Code != 401 || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("the 401 lacks CORS headers: %d %v", rec.Code, rec.Header())
	}
	if rec.Header().Get("X-Ran") != "first" || !strings.Contains(rec.Body.String(), `"status":401`) {
		t.Errorf("BeforeBody did not run in order with the route's renderer: %q", rec.Body)
	}
	// A preflight is answered before authentication runs.
	pre := send(h, "OPTIONS", "", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"})
	if pre.Code != 204 || pre.Header().Get("X-Ran") != "" {
		t.Errorf("preflight: %d %q", pre.Code, pre.Body)
	}
	if strings.Contains(logs.String(), "resolved without") {
		t.Errorf("a 401 from BeforeBody was taken for no answer: %s", logs)
	}
}

func TestARouteCanOverrideWhatDefaultsTurnedOn(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	d := compose.Defaults{
		CORS: appCORS, Logger: logger, ResponseLimit: "1kb", EnforceResponseLimit: true,
		ExternalResolver: true, BeforeBody: []func(http.Handler) http.Handler{requireToken},
	}
	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 2048)) })
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	origin := map[string]string{"Origin": "https://app.example.com", "Authorization": "Bearer secret"}

	if rec := send(d.Route(big, compose.Config{}), "POST", "", origin); rec.Code != 500 || rec.Header().Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("defaults: got %d %v, want the enforced 500 with CORS headers", rec.Code, rec.Header())
	}
	open := d.Route(big, compose.Config{
		Override: compose.OverrideCORS | compose.OverrideEnforceResponseLimit | compose.OverrideBeforeBody | compose.OverrideExternalResolver,
	})
	rec := send(open, "POST", "", map[string]string{"Origin": "https://app.example.com"})
	if rec.Code != 200 || rec.Body.Len() != 2048 || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("overridden: got %d, %d bytes, %v; want 200, 2048 bytes, no CORS, no auth", rec.Code, rec.Body.Len(), rec.Header())
	}
	if !strings.Contains(logs.String(), "exceeds 1KB") {
		t.Errorf("the route kept the default limit as a warning, but nothing was logged: %s", logs)
	}
	send(d.Route(silent, compose.Config{Override: compose.OverrideExternalResolver | compose.OverrideBeforeBody}), "GET", "", nil)
	if !strings.Contains(logs.String(), "resolved without") {
		t.Errorf("OverrideExternalResolver did not turn the warning back on: %s", logs)
	}
	off := d.Merge(compose.Config{Override: compose.OverrideResponseLimit | compose.OverrideLogger | compose.OverrideErrors | compose.OverrideSizeLimit})
	if off.ResponseLimit != "" || off.Logger != nil || off.CORS != appCORS || len(off.BeforeBody) != 1 {
		t.Errorf("Merge overrode the wrong fields: %+v", off)
	}
	both := d.Merge(compose.Config{BeforeBody: []func(http.Handler) http.Handler{tag("route")}})
	if len(both.BeforeBody) != 2 || len(d.BeforeBody) != 1 {
		t.Errorf("BeforeBody: merged %d (want the default's then the route's, 2), default now %d", len(both.BeforeBody), len(d.BeforeBody))
	}
}

func TestValidateErrorsUnwrapToTheLayersError(t *testing.T) {
	t.Parallel()
	err := compose.Config{CORS: &cors.Options{}}.Validate()
	if err == nil || strings.Contains(err.Error(), "cors: ") {
		t.Fatalf("Validate = %v, want compose's field name only", err)
	}
	if errors.Unwrap(err) == nil {
		t.Errorf("the error does not unwrap to cors's: %v", err)
	}
	limit := responselimit.SizeOf(1 << 20) // one size type: the same value serves both limits
	if err := (compose.Config{ResponseLimit: limit, SizeLimit: limit}).Validate(); err != nil {
		t.Errorf("a typed ResponseLimit: %v", err)
	}
}

// mark records in a response header that it ran.
func mark(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Ran", name)
			next.ServeHTTP(w, r)
		})
	}
}
