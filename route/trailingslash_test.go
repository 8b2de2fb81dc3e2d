package route_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apiroutes/apiroutes/route"
)

// TestTrailingSlashIsNextsTrailingSlashTrue serves a Mux with TrailingSlash
// on a loopback server and checks Next's trailingSlash: true redirects.
func TestTrailingSlashIsNextsTrailingSlashTrue(t *testing.T) {
	t.Parallel()
	params := paramsJSON
	mux := &route.Mux{TrailingSlash: true}
	for _, p := range []string{"/api/items/[id]", "/api/data.json", "/api/a.b-c", "/api/opt/[[...slug]]", "/.well-known/x", "/api/docs/[...slug]"} {
		mux.Handle(p, params)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	for _, tc := range []struct {
		method, path string
		status       int
		want         string // Location for a 308, else the body
	}{
		{"GET", "/api/items/1", 308, "/api/items/1/"},
		{"GET", "/api/items/1?q=1&r", 308, "/api/items/1/?q=1&r"},
		{"POST", "/api/items/1", 308, "/api/items/1/"},
		{"GET", "/api/items/1/", 200, `{"id":"1"}`},
		{"GET", "/api/items/1//", 308, "/api/items/1/"},
		{"GET", "/api//items/1", 308, "/api/items/1/"},
		{"GET", "/api/items/./1", 308, "/api/items/1/"},
		{"GET", "/api/data.json/", 308, "/api/data.json"},
		{"GET", "/api/data.json", 200, `{}`},
		{"GET", "/api/a.b-c", 200, `{}`},  // neither a file nor a name without a dot: left alone
		{"GET", "/api/a.b-c/", 200, `{}`}, // either way
		{"GET", "/api/opt", 308, "/api/opt/"},
		{"GET", "/api/opt/", 200, `{}`},
		{"GET", "/api/opt/x/y/", 200, `{"slug":["x","y"]}`},
		{"GET", "/api/docs/a/b%2Fc/", 200, `{"slug":["a","b/c"]}`},
		{"GET", "/.well-known/x", 200, `{}`},
		{"GET", "/.well-known/x/", 200, `{}`},
		{"GET", "//", 308, "/"},
		{"GET", "/api/nope/", 404, `{"error":"Not Found"}`},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got := string(b)
		if res.StatusCode == 308 {
			got = res.Header.Get("Location")
			if string(b) != got || res.Header.Get("Refresh") != "0;url="+got {
				t.Errorf("%s %s: body %q, Refresh %q for Location %q", tc.method, tc.path, b, res.Header.Get("Refresh"), got)
			}
		}
		if res.StatusCode != tc.status || got != tc.want {
			t.Errorf("%s %s → %d %s, want %d %s", tc.method, tc.path, res.StatusCode, got, tc.status, tc.want)
		}
	}
}
