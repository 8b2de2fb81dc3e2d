package respond

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFreshFollowsTheFreshPackage(t *testing.T) {
	t.Parallel()
	const tag = `"2caikvdqo85"`
	type hdr = map[string][]string
	cases := []struct {
		name   string
		method string
		status int
		etag   string
		header hdr
		want   bool
	}{
		{name: "an unconditional request is not fresh", header: hdr{}},
		{name: "an empty If-None-Match is no condition", header: hdr{"If-None-Match": {""}}},
		{name: "the exact tag is fresh", header: hdr{"If-None-Match": {tag}}, want: true},
		{name: "another tag is stale", header: hdr{"If-None-Match": {`"other"`}}},
		{name: "a star is fresh", header: hdr{"If-None-Match": {"*"}}, want: true},
		{name: "a star among tags is just another token", header: hdr{"If-None-Match": {`*, "x"`}}},
		{name: "two star lines are not a star", header: hdr{"If-None-Match": {"*", "*"}}},
		{name: "a list with spaces matches any of its tokens", header: hdr{"If-None-Match": {`"a",  ` + tag + ` , "b"`}}, want: true},
		{name: "a list without spaces matches", header: hdr{"If-None-Match": {`"a",` + tag}}, want: true},
		{name: "repeated lines form one list", header: hdr{"If-None-Match": {`"a"`, tag}}, want: true},
		{name: "tabs are not trimmed from tokens", header: hdr{"If-None-Match": {"\t" + tag}}},
		{name: "a weak form of a strong tag matches", header: hdr{"If-None-Match": {"W/" + tag}}, want: true},
		{name: "a strong form of a weak tag matches", etag: "W/" + tag, header: hdr{"If-None-Match": {tag}}, want: true},
		{name: "a weak form of a weak tag matches", etag: "W/" + tag, header: hdr{"If-None-Match": {"W/" + tag}}, want: true},
		{name: "a lower-case weak prefix does not match", header: hdr{"If-None-Match": {"w/" + tag}}},
		{name: "an unquoted tag does not match", header: hdr{"If-None-Match": {"2caikvdqo85"}}},
		{name: "no-cache forces a full response", header: hdr{"If-None-Match": {tag}, "Cache-Control": {"no-cache"}}},
		{name: "no-cache in a list forces a full response", header: hdr{"If-None-Match": {tag}, "Cache-Control": {"max-age=0 , no-cache,private"}}},
		{name: "no-cache on a second line forces a full response", header: hdr{"If-None-Match": {tag}, "Cache-Control": {"max-age=0", " no-cache "}}},
		{name: "no-cache with a value is not no-cache", header: hdr{"If-None-Match": {tag}, "Cache-Control": {"no-cache=Set-Cookie"}}, want: true},
		{name: "No-Cache in capitals is not matched", header: hdr{"If-None-Match": {tag}, "Cache-Control": {"No-Cache"}}, want: true},
		{name: "no-store does not disable it", header: hdr{"If-None-Match": {tag}, "Cache-Control": {"no-store"}}, want: true},
		{name: "If-Modified-Since alone is stale without Last-Modified", header: hdr{"If-Modified-Since": {"Sat, 01 Jan 2000 00:00:00 GMT"}}},
		{name: "If-Modified-Since beside a matching tag is stale", header: hdr{"If-None-Match": {tag}, "If-Modified-Since": {"Sat, 01 Jan 2000 00:00:00 GMT"}}},
		{name: "If-Modified-Since beside a star is stale", header: hdr{"If-None-Match": {"*"}, "If-Modified-Since": {"x"}}},
		{name: "an empty If-Modified-Since is no condition", header: hdr{"If-None-Match": {tag}, "If-Modified-Since": {""}}, want: true},
		{name: "HEAD is conditional", method: http.MethodHead, header: hdr{"If-None-Match": {tag}}, want: true},
		{name: "POST is not conditional", method: http.MethodPost, header: hdr{"If-None-Match": {tag}}},
		{name: "PUT is not conditional", method: http.MethodPut, header: hdr{"If-None-Match": {"*"}}},
		{name: "a 201 can be fresh", status: http.StatusCreated, header: hdr{"If-None-Match": {tag}}, want: true},
		{name: "a 404 is never fresh", status: http.StatusNotFound, header: hdr{"If-None-Match": {tag}}},
		{name: "a 301 is never fresh", status: http.StatusMovedPermanently, header: hdr{"If-None-Match": {"*"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			r := httptest.NewRequest(method, "/", nil)
			for k, v := range tc.header {
				r.Header[k] = v
			}
			status, etag := tc.status, tc.etag
			if status == 0 {
				status = http.StatusOK
			}
			if etag == "" {
				etag = tag
			}
			if got := fresh(r, status, etag); got != tc.want {
				t.Errorf("fresh(%s %v, %d, %s) = %v; want %v", method, tc.header, status, etag, got, tc.want)
			}
		})
	}
}

func TestFreshDoesNotAllocate(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header["If-None-Match"] = []string{`"a", "b", W/"2caikvdqo85"`}
	r.Header["Cache-Control"] = []string{"max-age=0"}
	if n := testing.AllocsPerRun(100, func() { _ = fresh(r, 200, `"2caikvdqo85"`) }); n != 0 {
		t.Errorf("fresh allocates %v times; want 0", n)
	}
}
