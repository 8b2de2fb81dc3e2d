package apierror_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
)

// TestRenderEmptyAnswersAsRouteHandlersDo checks, on a loopback server,
// the App Router's answers: the status with an empty body and no
// Content-Type, the message never sent, a 500's cause still logged.
func TestRenderEmptyAnswersAsRouteHandlersDo(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c := apierror.Config{Renderer: apierror.RenderEmpty, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	mux := http.NewServeMux()
	mux.Handle("/api/missing", c.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		return apierror.NotFound("no such task")
	})))
	mux.Handle("/api/fails", c.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return io.ErrUnexpectedEOF
	})))
	mux.Handle("/api/panics", c.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/missing", 404},
		{"HEAD", "/api/missing", 404},
		{"POST", "/api/fails", 500},
		{"GET", "/api/panics", 500},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || len(body) != 0 || res.Header.Get("Content-Type") != "" {
			t.Errorf("%s %s → %d %q Content-Type %q; want %d, no body, no Content-Type",
				tc.method, tc.path, res.StatusCode, body, res.Header.Get("Content-Type"), tc.status)
		}
	}
	if !strings.Contains(logs.String(), "unexpected EOF") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("the 500s' causes were not logged:\n%s", logs.String())
	}
}
