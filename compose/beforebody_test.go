package compose_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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
	}), compose.Config{Body: bodyparser.Config{SizeLimit: "1mb"}, BeforeBody: []func(http.Handler) http.Handler{requireToken}})
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
		Errors:     apierror.Config{Renderer: apierror.RenderProblem, Logger: logger},
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

// A copy of a base config can turn off what the base turned on: CORS, the
// enforced limit, authentication, the silenced warning.
func TestACopyCanTurnOffWhatTheBaseTurnedOn(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	api := compose.Config{
		CORS:       appCORS,
		Errors:     apierror.Config{Logger: logger},
		Response:   responselimit.Config{Limit: "1kb", Enforce: true, ExternalResolver: true},
		BeforeBody: []func(http.Handler) http.Handler{requireToken},
	}
	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 2048)) })
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	origin := map[string]string{"Origin": "https://app.example.com", "Authorization": "Bearer secret"}

	if rec := send(compose.Route(big, api), "POST", "", origin); rec.Code != 500 || rec.Header().Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("base: got %d %v, want the enforced 500 with CORS headers", rec.Code, rec.Header())
	}
	open := api
	open.CORS, open.Response.Enforce, open.Response.ExternalResolver, open.BeforeBody = nil, false, false, nil
	rec := send(compose.Route(big, open), "GET", "", map[string]string{"Origin": "https://app.example.com"})
	if rec.Code != 200 || rec.Body.Len() != 2048 || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("copy: got %d, %d bytes, %v; want 200, 2048 bytes, no CORS, no auth", rec.Code, rec.Body.Len(), rec.Header())
	}
	// Without CORS, the copy no longer trusts the app's origin to write.
	if rec := send(compose.Route(big, open), "POST", "", map[string]string{"Origin": "https://app.example.com"}); rec.Code != 403 {
		t.Errorf("copy: a POST from the origin its base allowed got %d, want 403", rec.Code)
	}
	if !strings.Contains(logs.String(), "exceeds 1KB") {
		t.Errorf("the copy kept the base's limit as a warning, but nothing was logged: %s", logs)
	}
	send(compose.Route(silent, open), "GET", "", nil)
	if !strings.Contains(logs.String(), "resolved without") {
		t.Errorf("turning ExternalResolver off in the copy did not turn the warning back on: %s", logs)
	}
	if api.CORS != appCORS || !api.Response.Enforce || len(api.BeforeBody) != 1 {
		t.Errorf("changing the copy changed the base: %+v", api)
	}
}

// BeforeBody is a slice, which a copy shares with its base until it is
// assigned: the documented ways to add to it leave the base, and the
// chains already built, as they were.
func TestAddingToACopysBeforeBodyLeavesTheBaseAlone(t *testing.T) {
	t.Parallel()
	ran := func(c compose.Config) string {
		rec := send(compose.Route(http.NotFoundHandler(), c), "GET", "", map[string]string{"Authorization": "Bearer secret"})
		return strings.Join(rec.Header().Values("X-Ran"), ",")
	}
	t.Run("append to a literal's slice", func(t *testing.T) {
		api := compose.Config{BeforeBody: []func(http.Handler) http.Handler{mark("auth")}}
		hook := api
		hook.BeforeBody = append(hook.BeforeBody, mark("verify"))
		if got := ran(api); got != "auth" {
			t.Errorf("base ran %q, want auth", got)
		}
		if got := ran(hook); got != "auth,verify" {
			t.Errorf("copy ran %q, want auth,verify", got)
		}
	})
	t.Run("append to a clipped slice with spare capacity", func(t *testing.T) {
		api := compose.Config{BeforeBody: make([]func(http.Handler) http.Handler, 0, 4)}
		api.BeforeBody = append(api.BeforeBody, mark("auth")) // spare capacity: plain appends would share it
		a, b := api, api
		a.BeforeBody = append(slices.Clip(a.BeforeBody), mark("a"))
		b.BeforeBody = append(slices.Clip(b.BeforeBody), mark("b"))
		if got := ran(api) + "|" + ran(a) + "|" + ran(b); got != "auth|auth,a|auth,b" {
			t.Errorf("base|a|b ran %q, want auth|auth,a|auth,b", got)
		}
	})
	t.Run("the chain keeps its own copy", func(t *testing.T) {
		c := compose.Config{BeforeBody: []func(http.Handler) http.Handler{mark("auth")}, Methods: []string{"GET"}}
		h := compose.Route(http.NotFoundHandler(), c)
		c.BeforeBody[0], c.Methods[0] = mark("changed"), "POST"
		rec := send(h, "GET", "", nil)
		if got := rec.Header().Get("X-Ran"); got != "auth" || rec.Code != 404 {
			t.Errorf("after the config changed, the built chain answered %d and ran %q; want 404 and auth", rec.Code, got)
		}
	})
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
