package apierror

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// panicServer serves h behind Recover on a real loopback server.
func panicServer(t *testing.T, cfg Config, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(cfg.Recover(h))
	srv.Config.ErrorLog = nil
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestRecoverTurnsAPanicIntoA500OnTheWire(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"boom", errors.New("boom"), 42} {
		logger, logs := newLogger()
		srv := panicServer(t, Config{Logger: logger}, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Before", "set")
			panic(v)
		})
		res, err := http.Get(srv.URL + "/api/throw")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 500 || string(body) != `{"error":"Internal Server Error"}` {
			t.Errorf("panic(%v): got %d %s", v, res.StatusCode, body)
		}
		got := logs.String()
		for _, want := range []string{"level=ERROR", "panic recovered", "path=/api/throw", "stack=", "recover_test.go"} {
			if !strings.Contains(got, want) {
				t.Errorf("panic(%v): log lacks %q: %s", v, want, got)
			}
		}
		if strings.Contains(string(body), "boom") {
			t.Errorf("the panic value leaked to the client")
		}
	}
}

func TestRecoverAnswersHEADWithoutABody(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	srv := panicServer(t, Config{Logger: logger}, func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	res, err := http.Head(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || len(body) != 0 {
		t.Errorf("HEAD: got %d and %d body bytes", res.StatusCode, len(body))
	}
	if res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("HEAD: Content-Type = %q; a HEAD answer carries the GET headers", res.Header.Get("Content-Type"))
	}
}

func TestRecoverRepanicsErrAbortHandler(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	srv := panicServer(t, Config{Logger: logger}, func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})
	res, err := http.Get(srv.URL)
	if err == nil {
		res.Body.Close()
		t.Fatalf("got a %d response; want the connection aborted", res.StatusCode)
	}
	if strings.Contains(logs.String(), "panic recovered") {
		t.Errorf("ErrAbortHandler was logged as a panic: %s", logs)
	}
}

func TestRecoverAbortsAResponseThatHasStarted(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	srv := panicServer(t, Config{Logger: logger}, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first part,")
		w.(http.Flusher).Flush()
		panic("boom mid-stream")
	})
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err == nil {
		t.Errorf("read %q with no error; a chunked body cut by a panic must not look complete", body)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(string(body), "first part,") || strings.Contains(string(body), "Internal") {
		t.Errorf("got %d %q", res.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "boom mid-stream") {
		t.Errorf("the panic was not logged: %s", logs)
	}
}

func TestRecoverUsesItsRenderer(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	rec := httptest.NewRecorder()
	Config{Renderer: RenderText, Logger: logger}.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || rec.Body.String() != "Internal Server Error" {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
}

func TestRecoverLetsHandlersThatDoNotPanicThrough(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "ok")
	})).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != 201 || rec.Body.String() != "ok" {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
}
