package respond_test

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/respond"
)

func TestAppRouterJSONIsTheAppRoutersResponseJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		method string
		status int
		v      any
		preset map[string]string // headers set before the call: the init's headers
		want   want
	}{
		{"an object: application/json without charset, no ETag", "GET", 200, map[string]any{"a": "<&>"}, nil,
			want{200, `{"a":"<&>"}`, map[string]string{"Content-Type": "application/json", "Content-Length": "11", "Etag": absent}}},
		{"the status given", "POST", 201, []int{1, 2}, nil,
			want{201, `[1,2]`, map[string]string{"Content-Type": "application/json"}}},
		{"nil is null", "GET", 200, nil, nil,
			want{200, `null`, map[string]string{"Content-Length": "4"}}},
		{"a Content-Type from the init's headers is kept", "GET", 200, "x", map[string]string{"Content-Type": "application/vnd.api+json"},
			want{200, `"x"`, map[string]string{"Content-Type": "application/vnd.api+json"}}},
		{"other headers from the init are sent", "GET", 200, 1, map[string]string{"Cache-Control": "no-store"},
			want{200, `1`, map[string]string{"Cache-Control": "no-store", "Content-Type": "application/json"}}},
		{"HEAD gets the headers without the body", "HEAD", 200, map[string]int{"a": 1}, nil,
			want{200, ``, map[string]string{"Content-Length": "7", "Content-Type": "application/json"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := request(tc.method, nil, func(w http.ResponseWriter, r *http.Request) error {
				for k, v := range tc.preset {
					w.Header().Set(k, v)
				}
				return respond.AppRouterJSON(w, r, tc.status, tc.v)
			})
			if err != nil {
				t.Fatal(err)
			}
			tc.want.check(t, rec)
		})
	}
}

func TestAppRouterJSONRefusesWhatTheFetchStandardRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		v      any
	}{
		{"a status below 200", 101, 1},
		{"a status above 599", 600, 1},
		{"204 has no body", 204, 1},
		{"205 has no body", 205, 1},
		{"304 has no body", 304, 1},
		{"an unencodable value", 200, make(chan int)},
	} {
		rec, err := request("GET", nil, func(w http.ResponseWriter, r *http.Request) error {
			return respond.AppRouterJSON(w, r, tc.status, tc.v)
		})
		var ae *apierror.Error
		if !errors.As(err, &ae) || ae.Status != 500 {
			t.Errorf("%s: error %v; want an apierror 500", tc.name, err)
		}
		if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
			t.Errorf("%s: wrote %q %v; want nothing", tc.name, rec.Body, rec.Header())
		}
	}
}

func TestAppRouterRedirectResolvesAgainstTheRequestURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, target, ref string
		tls               bool
		status            int
		location          string
	}{
		{"a path, as new URL('/login?error=auth_failed', request.url)", "/api/auth/callback?code=x", "/login?error=auth_failed", false, 307,
			"http://example.com/login?error=auth_failed"},
		{"https when the request came over TLS", "/api/a", "/b", true, 308, "https://example.com/b"},
		{"a relative path resolves against the request's directory", "/api/auth/callback", "done", false, 303, "http://example.com/api/auth/done"},
		{"a query alone keeps the path", "/api/items?page=1", "?page=2", false, 302, "http://example.com/api/items?page=2"},
		{"an absolute URL stays as it is", "/api/a", "https://other.example/x?y=1", false, 301, "https://other.example/x?y=1"},
		{"non-ASCII is percent-encoded, as http.Redirect does", "/api/a", "/日本?q=é", false, 307, "http://example.com/%E6%97%A5%E6%9C%AC?q=%C3%A9"},
		{"dot segments are removed", "/api/a/b", "../../x", false, 307, "http://example.com/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", tc.target, nil)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			if err := respond.AppRouterRedirect(rec, r, tc.status, tc.ref); err != nil {
				t.Fatal(err)
			}
			want{tc.status, "", map[string]string{"Location": tc.location, "Content-Type": absent}}.check(t, rec)
		})
	}
}

func TestAppRouterRedirectRefusesNonRedirectStatusesAndBadURLs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		ref    string
	}{
		{"200 is no redirect", 200, "/x"},
		{"300 is not one NextResponse.redirect takes", 300, "/x"},
		{"a URL that does not parse", 307, "http://[::1"},
		{"a control byte would split the header", 307, "/x\r\nSet-Cookie: a=b"},
	} {
		rec, err := request("GET", nil, func(w http.ResponseWriter, r *http.Request) error {
			return respond.AppRouterRedirect(w, r, tc.status, tc.ref)
		})
		var ae *apierror.Error
		if !errors.As(err, &ae) || ae.Status != 500 {
			t.Errorf("%s: error %v; want an apierror 500", tc.name, err)
		}
		if rec.Header().Get("Location") != "" || rec.Body.Len() != 0 {
			t.Errorf("%s: wrote Location %q; want nothing", tc.name, rec.Header().Get("Location"))
		}
	}
}

func TestPublicOriginReplacesTheHostTheClientSent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, origin, ref string
		tls               bool
		location          string
	}{
		{"a path", "https://app.example", "/login?error=auth_failed", false, "https://app.example/login?error=auth_failed"},
		{"a trailing slash is the same origin", "https://app.example/", "/", false, "https://app.example/"},
		{"a port and http", "http://127.0.0.1:3001", "/", false, "http://127.0.0.1:3001/"},
		{"https behind a proxy that ended TLS", "https://app.example", "done", false, "https://app.example/api/auth/done"},
		{"http even over TLS, when that is the origin", "http://app.example", "/x", true, "http://app.example/x"},
		{"an absolute ref stays as it is", "https://app.example", "https://idp.example/authorize", false, "https://idp.example/authorize"},
		{"a scheme-relative ref keeps the origin's scheme", "https://app.example", "//cdn.example/x", false, "https://cdn.example/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got *url.URL
			h := respond.PublicOrigin(tc.origin)(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				got = respond.RequestURL(r)
				return respond.AppRouterRedirect(w, r, http.StatusSeeOther, tc.ref)
			}))
			r := httptest.NewRequest("POST", "/api/auth/callback?code=x", nil)
			r.Host = "evil.example"
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			want{303, "", map[string]string{"Location": tc.location}}.check(t, rec)
			if origin := strings.TrimSuffix(tc.origin, "/"); got.String() != origin+"/api/auth/callback?code=x" {
				t.Errorf("RequestURL %s; want the path and query on %s", got, origin)
			}
		})
	}
}

func TestPublicOriginPanicsOnWhatIsNoOrigin(t *testing.T) {
	t.Parallel()
	for _, origin := range []string{
		"", "app.example", "//app.example", "ftp://app.example", "https://", "https:app.example",
		"https://app.example/base", "https://app.example?x=1", "https://app.example/?", "https://app.example#top",
		"https://user@app.example", "https://app .example", "javascript:alert(1)",
	} {
		func() {
			defer func() {
				p := recover()
				if err, ok := p.(error); !ok || !strings.HasPrefix(err.Error(), `respond: PublicOrigin "`+origin+`"`) {
					t.Errorf("PublicOrigin(%q) panicked with %v; want a respond: error naming it", origin, p)
				}
			}()
			respond.PublicOrigin(origin)
		}()
	}
}
