package responselimit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/responselimit"
)

// holding is a foreign wrapper that holds the status back until the first
// body byte or the end of the handler, as gin's responseWriter does, and
// exposes Unwrap.
type holding struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (h *holding) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *holding) Write(p []byte) (int, error) {
	h.finish()
	n, err := h.ResponseWriter.Write(p)
	h.bytes += n
	return n, err
}
func (h *holding) finish() {
	if h.status != 0 {
		h.ResponseWriter.WriteHeader(h.status)
		h.status = -1
	}
}
func (h *holding) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// between puts the foreign wrapper between an outer apiroutes layer and
// the middleware under test, as a router's logger does.
func between(inner http.Handler) http.Handler {
	return apierror.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &holding{ResponseWriter: w}
		inner.ServeHTTP(hw, r)
		hw.finish()
	}))
}

func TestChecksAreRightBehindAForeignWrapper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     responselimit.Config
		h       http.HandlerFunc
		status  int
		body    string
		warning string // "" for none
	}{
		{"a held-back 204 is an answer", responselimit.Config{},
			func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, 204, "", ""},
		{"nothing at all is still reported", responselimit.Config{},
			func(w http.ResponseWriter, r *http.Request) {}, 200, "", "resolved without sending a response"},
		{"bytes are counted once", responselimit.Config{Limit: "1kb"}, writeN(1024, 100), 200, strings.Repeat("a", 1024), "exceeds 1KB"},
		{"just under the limit is not reported", responselimit.Config{Limit: "1kb"}, writeN(1023, 100), 200, strings.Repeat("a", 1023), ""},
		{"Enforce answers 500 before anything was sent", responselimit.Config{Limit: "1kb", Enforce: true}, writeN(2048, 0),
			500, `{"error":"Internal Server Error"}`, "exceeds 1KB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := newLogger()
			tc.cfg.Logger = logger
			h := between(responselimit.New(tc.cfg)(tc.h))
			srv := httptest.NewServer(h)
			defer srv.Close()
			res, err := http.Get(srv.URL + "/api/x")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status || string(body) != tc.body {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, body, tc.status, tc.body)
			}
			got := logs.String()
			if tc.warning == "" && strings.Contains(got, "WARN") || tc.warning != "" && strings.Count(got, tc.warning) != 1 {
				t.Errorf("log = %q, want exactly one %q", got, tc.warning)
			}
		})
	}
}
