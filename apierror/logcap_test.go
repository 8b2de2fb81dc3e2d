package apierror_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
)

// A client chooses the path: an error's log line quotes 256 bytes of it.
func TestAnErrorLogLineQuotesABoundedPath(t *testing.T) {
	var logs bytes.Buffer
	c := apierror.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := c.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("the database is down")
	}))
	path := "/api/" + strings.Repeat("x", 60<<10)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	if n := logs.Len(); n > 1<<10 {
		t.Errorf("%d bytes of log for one request with a 60 KB path, want at most 1 KiB", n)
	}
	if !strings.Contains(logs.String(), "…(+") {
		t.Errorf("no elision mark in %s", logs.String())
	}
}
