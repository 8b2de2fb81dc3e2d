package route_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apiroutes/apiroutes/route"
)

// paramsJSON answers with route.Params as JSON.
var paramsJSON = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(route.Params(r))
	_, _ = w.Write(b)
})

// TestParamsGiveOneHandlerItsRoutesParams serves one handler on several
// routes, under a Mux and under an http.ServeMux, on a loopback server, and
// checks that route.Params gives it what Next's { params } holds.
func TestParamsGiveOneHandlerItsRoutesParams(t *testing.T) {
	t.Parallel()
	shared := paramsJSON
	mux := route.NewMux()
	for _, p := range []string{"/api/shop/[id]", "/api/docs/[...slug]", "/api/opt/[[...slug]]", "/api/a/[x]/b/[y]", "/api/static"} {
		mux.Handle(p, shared)
	}
	std := http.NewServeMux()
	std.Handle("/api/shop/{id}", shared)
	std.Handle("/api/docs/{slug...}", shared)
	std.Handle("/api/a/{x}/b/{y}", shared)

	cases := []struct {
		name string
		h    http.Handler
		path string
		want string
	}{
		{"param", mux, "/api/shop/42?id=query", `{"id":"42"}`},
		{"param decoded", mux, "/api/shop/caf%C3%A9", `{"id":"café"}`},
		{"catch-all", mux, "/api/docs/a/b%2Fc", `{"slug":["a","b/c"]}`},
		{"optional catch-all", mux, "/api/opt/x/y", `{"slug":["x","y"]}`},
		{"optional catch-all, nothing matched", mux, "/api/opt", `{}`},
		{"two params", mux, "/api/a/1/b/2", `{"x":"1","y":"2"}`},
		{"static", mux, "/api/static?x=1", `{}`},
		{"ServeMux param", std, "/api/shop/42", `{"id":"42"}`},
		{"ServeMux catch-all", std, "/api/docs/a/b", `{"slug":["a","b"]}`},
		{"ServeMux two params", std, "/api/a/1/b/2", `{"x":"1","y":"2"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			res, err := srv.Client().Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || string(b) != tc.want {
				t.Errorf("%s → %d %s, want 200 %s", tc.path, res.StatusCode, b, tc.want)
			}
		})
	}
	// Outside a router, there are no params.
	if p := route.Params(httptest.NewRequest("GET", "/api/shop/42", nil)); len(p) != 0 {
		t.Errorf("Params without a router = %v", p)
	}
}
