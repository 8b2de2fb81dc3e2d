package responselimit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/responselimit"
)

// Next counts the body it would have sent for a HEAD request, so a HEAD
// answered by a respond helper (which writes no body for HEAD) warns as its
// GET does, over a real connection.
func TestHEADAnsweredByRespondHelpersCountsTheBodyItWouldSend(t *testing.T) {
	big := strings.Repeat("a", 2048)
	helpers := map[string]func(w http.ResponseWriter, r *http.Request) error{
		"JSON":          func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, big) },
		"Send string":   func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, big) },
		"Send bytes":    func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, []byte(big)) },
		"AppRouterJSON": func(w http.ResponseWriter, r *http.Request) error { return respond.AppRouterJSON(w, r, 200, big) },
		"Redirect": func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/"+big)
		},
		"a small JSON: no": func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, "small") },
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for name, f := range helpers {
		for _, method := range []string{"GET", "HEAD"} {
			logger, logs := newLogger()
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := f(w, r); err != nil {
					t.Errorf("%s %s: %v", method, name, err)
				}
			})
			srv := httptest.NewServer(responselimit.New(responselimit.Config{Limit: "1kb", Logger: logger})(h))
			req, _ := http.NewRequest(method, srv.URL+"/api/x", nil)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			srv.Close()
			lines := logs.Lines()
			want := 1
			if strings.HasSuffix(name, ": no") {
				want = 0
			}
			if len(lines) != want || want == 1 && !strings.Contains(lines[0], "exceeds 1KB") {
				t.Errorf("%s %s: log %q; want %d warning", method, name, lines, want)
			}
		}
	}
}
