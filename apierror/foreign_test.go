package apierror

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// logging is a foreign wrapper like chi's middleware.Logger: it wraps the
// writer to record status and size, and exposes Unwrap.
type logging struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (l *logging) WriteHeader(code int) {
	if l.status == 0 {
		l.status = code
	}
	l.ResponseWriter.WriteHeader(code)
}
func (l *logging) Write(p []byte) (int, error) {
	if l.status == 0 {
		l.status = http.StatusOK
	}
	n, err := l.ResponseWriter.Write(p)
	l.bytes += n
	return n, err
}
func (l *logging) Unwrap() http.ResponseWriter { return l.ResponseWriter }

func foreignLogger(next http.Handler, seen func(status, bytes int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lw := &logging{ResponseWriter: w}
		next.ServeHTTP(lw, r)
		seen(lw.status, lw.bytes)
	})
}

func TestAnOuterRendererReachesHandlersBehindAForeignWrapperOnTheWire(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	var status, n int
	h := Config{Renderer: RenderProblem, Logger: logger}.Recover(foreignLogger(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Path == "/api/panic" {
			panic("boom")
		}
		return NotFound("no such task")
	}), func(s, b int) { status, n = s, b }))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	res, err := http.Get(srv.URL + "/api/tasks/9")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := `{"type":"about:blank","title":"Not Found","status":404,"detail":"no such task"}`
	if res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" || string(body) != want {
		t.Errorf("got %d %q %s, want 404 problem+json %s", res.StatusCode, res.Header.Get("Content-Type"), body, want)
	}
	if status != 404 || n != len(want) {
		t.Errorf("the foreign logger saw %d and %d bytes, want 404 and %d: the error did not go through it", status, n, len(want))
	}

	res, err = http.Get(srv.URL + "/api/panic")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 500 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("panic behind the foreign wrapper: got %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(logs.String(), "panic recovered") {
		t.Errorf("the panic was not logged with the outer logger: %s", logs)
	}
}

func TestAStartedResponseIsSeenThroughAForeignWrapper(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	inner := Config{Logger: logger}.Recover(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("late failure")
	}))
	// The foreign layer sends a header before the inner handler's error:
	// the inner layer must see the started response of the outer watcher.
	h := Recover(foreignLogger(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "partial")
		inner.ServeHTTP(w, r)
	}), func(int, int) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/late", nil))
	if rec.Code != http.StatusAccepted || rec.Body.String() != "partial" {
		t.Errorf("got %d %q, want the 202 partial untouched", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "response already started") {
		t.Errorf("log = %s", logs)
	}
}
