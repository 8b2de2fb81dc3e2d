package apierror_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/requestid"
)

const anID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"

// TestEveryErrorLogLineCarriesTheRequestId covers each line apierror logs:
// a 5xx cause, a status out of range, an error after the response started,
// a client gone, a panic. Each carries request_id inside requestid.Handler,
// and none outside it.
func TestEveryErrorLogLineCarriesTheRequestId(t *testing.T) {
	t.Parallel()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		h    apierror.HandlerFunc
		msg  string
	}{
		{"a 5xx cause", nil, func(w http.ResponseWriter, r *http.Request) error {
			return errors.New("the database is down")
		}, "apierror: server error"},
		{"a status out of range", nil, func(w http.ResponseWriter, r *http.Request) error {
			return apierror.New(302, "found")
		}, "outside 400-599"},
		{"an error after the response started", nil, func(w http.ResponseWriter, r *http.Request) error {
			_, _ = io.WriteString(w, "partial")
			return apierror.NotFound("late")
		}, "response already started"},
		{"a client gone", gone, func(w http.ResponseWriter, r *http.Request) error {
			return r.Context().Err()
		}, "client gone"},
		{"a panic", nil, func(w http.ResponseWriter, r *http.Request) error {
			panic("boom")
		}, "panic recovered"},
	} {
		for _, withID := range []bool{true, false} {
			logger, logs := testlog.New(slog.LevelDebug)
			var h http.Handler = apierror.Config{Logger: logger}.Recover(tc.h)
			if withID {
				h = requestid.Handler(h)
			}
			r := httptest.NewRequest(http.MethodGet, "/api/tasks/7", nil)
			if tc.ctx != nil {
				r = r.WithContext(tc.ctx)
			}
			r.Header.Set("X-Request-Id", anID)
			h.ServeHTTP(httptest.NewRecorder(), r)
			lines := logs.Lines()
			if len(lines) != 1 || !strings.Contains(lines[0], tc.msg) {
				t.Fatalf("%s: logged %q, want one line with %q", tc.name, lines, tc.msg)
			}
			has := strings.Contains(lines[0], " request_id="+anID+" ")
			if withID != has || !withID && strings.Contains(lines[0], "request_id") {
				t.Errorf("%s (requestid.Handler: %v): %s", tc.name, withID, lines[0])
			}
		}
	}
}

// A panic's 500 on a real server: the log line and the answer both carry
// the id, and the 500 keeps the X-Request-Id the outer layer set while it
// drops the handler's headers.
func TestAPanicsLogAndAnswerCarryTheRequestIdOnTheWire(t *testing.T) {
	t.Parallel()
	logger, logs := testlog.New(slog.LevelInfo)
	srv := httptest.NewServer(requestid.Handler(apierror.Config{Logger: logger, Renderer: apierror.RenderProblem}.Recover(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Set-Cookie", "session=1")
			panic("boom")
		}))))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/throw")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	id := res.Header.Get("X-Request-Id")
	if res.StatusCode != 500 || len(id) != 26 || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("status %d, X-Request-Id %q, Set-Cookie %q; want 500, a new id, none", res.StatusCode, id, res.Header.Get("Set-Cookie"))
	}
	if want := `"instance":"` + id + `"`; !strings.Contains(string(body), want) {
		t.Errorf("body %s, want %s", body, want)
	}
	if log := logs.String(); !strings.Contains(log, "panic recovered") || !strings.Contains(log, "request_id="+id) {
		t.Errorf("log %s, want the panic with request_id=%s", log, id)
	}
}

func TestAProblemBodyNamesTheRequestAsItsInstance(t *testing.T) {
	t.Parallel()
	notFound := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return apierror.NotFound("task 7 not found").WithCode("task_missing")
	})
	const rest = `{"type":"about:blank","title":"Not Found","status":404,"detail":"task 7 not found",`
	for _, tc := range []struct {
		name   string
		wrap   bool
		header string
		want   string
	}{
		{"without requestid", false, anID, rest + `"code":"task_missing"}`},
		{"a kept id", true, anID, rest + `"instance":"` + anID + `","code":"task_missing"}`},
		{"an id that is not a safe segment", true, "//evil.example/a:b", rest + `"instance":"%2F%2Fevil.example%2Fa%3Ab","code":"task_missing"}`},
	} {
		var h http.Handler = apierror.Config{Renderer: apierror.RenderProblem}.Recover(notFound)
		if tc.wrap {
			h = requestid.Handler(h)
		}
		r := httptest.NewRequest(http.MethodGet, "/api/tasks/7", nil)
		r.Header.Set("X-Request-Id", tc.header)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Body.String(); got != tc.want || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %s %s, want %s", tc.name, w.Header().Get("Content-Type"), got, tc.want)
		}
	}
}

func TestTheOtherRenderersIgnoreTheRequestId(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		renderer apierror.Renderer
	}{
		{"json", apierror.RenderJSON},
		{"text", apierror.RenderText},
		{"empty", apierror.RenderEmpty},
	} {
		bodies := make([]string, 2)
		for i, wrap := range []bool{false, true} {
			var h http.Handler = apierror.Config{Renderer: tc.renderer}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				return apierror.BadRequest("missing title")
			}))
			if wrap {
				h = requestid.Handler(h)
			}
			r := httptest.NewRequest(http.MethodPost, "/api/tasks", nil)
			r.Header.Set("X-Request-Id", anID)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			bodies[i] = w.Header().Get("Content-Type") + " " + w.Body.String()
		}
		if bodies[0] != bodies[1] || strings.Contains(bodies[1], anID) {
			t.Errorf("%s: %q without requestid, %q with it; want the same", tc.name, bodies[0], bodies[1])
		}
	}
}

// The id costs a problem body no allocation: instance is the id itself,
// and the buffer has room for it. (The detail makes both bodies 100 bytes
// or more, so that both Content-Lengths are formatted: strconv.Itoa has
// the numbers below 100 ready.)
func TestAProblemBodyAllocatesAsMuchWithAnIdAsWithout(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	e := apierror.NotFound("task 7 was not found in the tasks table")
	plain := httptest.NewRequest(http.MethodGet, "/api/tasks/7", nil)
	var withID *http.Request
	requestid.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { withID = r })).ServeHTTP(httptest.NewRecorder(), plain)
	w := httptest.NewRecorder()
	render := func(r *http.Request) float64 {
		return testing.AllocsPerRun(100, func() {
			w.Body.Reset()
			apierror.RenderProblem(w, r, e)
		})
	}
	if without, with := render(plain), render(withID); with != without {
		t.Errorf("%v allocations with an id, %v without", with, without)
	}
}
