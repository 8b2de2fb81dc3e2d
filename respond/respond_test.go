package respond_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/respond"
)

// absent marks a header that must not be in the response.
const absent = "<absent>"

// want is a response: status, exact body, and headers (absent for none).
type want struct {
	status int
	body   string
	header map[string]string
}

func (w want) check(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != w.status {
		t.Errorf("status %d; want %d", rec.Code, w.status)
	}
	if got := rec.Body.String(); got != w.body {
		t.Errorf("body %q; want %q", got, w.body)
	}
	for k, v := range w.header {
		got := rec.Header().Values(k)
		switch {
		case v == absent && len(got) != 0:
			t.Errorf("%s: %q; want none", k, got)
		case v != absent && (len(got) != 1 || got[0] != v):
			t.Errorf("%s: %q; want %q", k, got, v)
		}
	}
}

// request runs h on a request built by the arguments and returns the
// recorded response and h's error.
func request(method string, header map[string]string, h func(w http.ResponseWriter, r *http.Request) error) (*httptest.ResponseRecorder, error) {
	r := httptest.NewRequest(method, "/api/x", nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	err := h(rec, r)
	return rec, err
}

const jsonType = "application/json; charset=utf-8"

type message struct {
	Message string `json:"message"`
}

func TestSendChoosesTheBodyByTypeAsNextDoes(t *testing.T) {
	t.Parallel()
	type header = map[string]string
	cases := []struct {
		name   string
		status int
		before header // response headers set before Send
		v      any
		want   want
	}{
		{name: "nil sends an empty body without type or tag", v: nil,
			want: want{200, "", header{"Content-Type": absent, "Etag": absent, "Content-Length": absent}}},
		{name: "an empty string is an empty body with a length and a tag", v: "",
			want: want{200, "", header{"Content-Type": absent, "Etag": `"78p3gz236i0"`, "Content-Length": "0"}}},
		{name: "a string is text without a Content-Type", v: "hello",
			want: want{200, "hello", header{"Content-Type": absent, "Etag": `"2caikvdqo85"`, "Content-Length": "5"}}},
		{name: "a string keeps a Content-Type set before", before: header{"Content-Type": "text/plain"}, v: "hello",
			want: want{200, "hello", header{"Content-Type": "text/plain", "Etag": `"2caikvdqo85"`}}},
		{name: "a string counts its length in bytes and its tag in UTF-16", v: "héllo 😀",
			want: want{200, "héllo 😀", header{"Etag": `"l3cu71limy8"`, "Content-Length": "11"}}},
		{name: "bytes are octet-stream with the ETag of a Buffer", v: []byte("abc"),
			want: want{200, "abc", header{"Content-Type": "application/octet-stream", "Etag": `"uhvwy6v527z"`, "Content-Length": "3"}}},
		{name: "bytes keep a Content-Type set before", before: header{"Content-Type": "image/png"}, v: []byte("abc"),
			want: want{200, "abc", header{"Content-Type": "image/png", "Etag": `"uhvwy6v527z"`, "Content-Length": "3"}}},
		{name: "nil bytes are an empty Buffer", v: []byte(nil),
			want: want{200, "", header{"Content-Type": "application/octet-stream", "Etag": `"bqr0st14br"`, "Content-Length": "0"}}},
		{name: "a reader is streamed as octet-stream without length or tag", v: strings.NewReader("streamed"),
			want: want{200, "streamed", header{"Content-Type": "application/octet-stream", "Etag": absent, "Content-Length": absent}}},
		{name: "a reader keeps a Content-Type set before", before: header{"Content-Type": "text/event-stream"}, v: strings.NewReader("data: 1\n\n"),
			want: want{200, "data: 1\n\n", header{"Content-Type": "text/event-stream", "Etag": absent}}},
		{name: "a number is JSON", v: 42,
			want: want{200, "42", header{"Content-Type": jsonType, "Etag": `"145yod55ra52"`, "Content-Length": "2"}}},
		{name: "a boolean is JSON", v: true,
			want: want{200, "true", header{"Content-Type": jsonType, "Etag": `"ywwejgvrps4"`, "Content-Length": "4"}}},
		{name: "a map is JSON", v: map[string]int{"a": 1},
			want: want{200, `{"a":1}`, header{"Content-Type": jsonType, "Etag": `"147uiiad94i7"`, "Content-Length": "7"}}},
		{name: "JSON replaces a Content-Type set before", before: header{"Content-Type": "text/plain"}, v: map[string]int{"a": 1},
			want: want{200, `{"a":1}`, header{"Content-Type": jsonType}}},
		{name: "a struct is JSON", v: message{"Hello from Next.js!"},
			want: want{200, `{"message":"Hello from Next.js!"}`, header{"Content-Type": jsonType, "Etag": `"x0q7xhtzoxx"`}}},
		{name: "a nil pointer is null", v: (*message)(nil),
			want: want{200, "null", header{"Content-Type": jsonType, "Etag": `"wm6yxsynvh4"`}}},
		{name: "a json.RawMessage is sent as compact JSON", v: json.RawMessage(`{"a": 1}`),
			want: want{200, `{"a":1}`, header{"Content-Type": jsonType, "Etag": `"147uiiad94i7"`}}},
		{name: "the status is sent as given", status: http.StatusCreated, v: "made",
			want: want{201, "made", header{"Content-Length": "4"}}},
		{name: "an unknown status within range is sent", status: 999, v: "x",
			want: want{999, "x", header{}}},
		{name: "204 drops the body and the headers that describe it", status: 204,
			before: header{"Content-Type": "text/plain", "Content-Length": "9", "Transfer-Encoding": "chunked"}, v: "not sent",
			want: want{204, "", header{"Content-Type": absent, "Content-Length": absent, "Transfer-Encoding": absent, "Etag": absent}}},
		{name: "304 drops a JSON body", status: 304, v: map[string]int{"a": 1},
			want: want{304, "", header{"Content-Type": absent, "Content-Length": absent, "Etag": absent}}},
		{name: "204 does not read a reader", status: 204, v: io.Reader(failingReader{}),
			want: want{204, "", header{"Content-Type": absent}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			rec, err := request(http.MethodGet, nil, func(w http.ResponseWriter, r *http.Request) error {
				for k, v := range tc.before {
					w.Header().Set(k, v)
				}
				return respond.Send(w, r, status, tc.v)
			})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			tc.want.check(t, rec)
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("read") }

func TestJSONWritesWhatJSONStringifyWrites(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		v      any
		body   string
		etag   string
		before string // a Content-Type set before
	}{
		{name: "nil is null", v: nil, body: "null", etag: `"wm6yxsynvh4"`},
		{name: "a string is quoted", v: "hi", body: `"hi"`, etag: `"39ihtnsnom4"`},
		{name: "a map has sorted keys", v: map[string]any{"b": 2, "a": []int{1}}, body: `{"a":[1],"b":2}`},
		{name: "a struct follows its tags", v: message{"Hello from Next.js!"}, body: `{"message":"Hello from Next.js!"}`, etag: `"x0q7xhtzoxx"`},
		{name: "a slice is an array", v: []int{1, 2, 3}, body: `[1,2,3]`},
		{name: "HTML characters are not escaped", v: map[string]string{"html": `<a href="x">&</a>`}, body: `{"html":"<a href=\"x\">&</a>"}`, etag: `"jwby16798ru"`},
		{name: "there is no trailing newline", v: 42, body: "42", etag: `"145yod55ra52"`},
		{name: "a Content-Type set before is replaced", v: map[string]int{"a": 1}, body: `{"a":1}`, etag: `"147uiiad94i7"`, before: "text/plain"},
		{name: "U+2028 and U+2029 are escaped, unlike JSON.stringify", v: "\u2028\u2029", body: `"\u2028\u2029"`},
		{name: "a json.Marshaler is used", v: json.RawMessage(`[ 1 ]`), body: `[1]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := request(http.MethodGet, nil, func(w http.ResponseWriter, r *http.Request) error {
				if tc.before != "" {
					w.Header().Set("Content-Type", tc.before)
				}
				return respond.JSON(w, r, http.StatusOK, tc.v)
			})
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			etag := tc.etag
			if etag == "" {
				etag = respond.ETag([]byte(tc.body))
			}
			want{200, tc.body, map[string]string{
				"Content-Type":   jsonType,
				"Etag":           etag,
				"Content-Length": strconv.Itoa(len(tc.body)),
			}}.check(t, rec)
		})
	}
}

func TestJSONSendsTheStatusGiven(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		want   want
	}{
		{"201 is sent with the body", 201, want{201, `{"a":1}`, map[string]string{"Content-Type": jsonType, "Etag": `"147uiiad94i7"`}}},
		{"404 is sent with the body", 404, want{404, `{"a":1}`, map[string]string{"Content-Type": jsonType}}},
		{"204 drops the body and Content-Type", 204, want{204, "", map[string]string{"Content-Type": absent, "Content-Length": absent, "Etag": absent}}},
		{"304 drops the body and Content-Type", 304, want{304, "", map[string]string{"Content-Type": absent, "Content-Length": absent, "Etag": absent}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := request(http.MethodGet, nil, func(w http.ResponseWriter, r *http.Request) error {
				return respond.JSON(w, r, tc.status, map[string]int{"a": 1})
			})
			if err != nil {
				t.Fatal(err)
			}
			tc.want.check(t, rec)
		})
	}
}

func TestHEADGetsTheHeadersOfGETWithoutTheBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		h    func(w http.ResponseWriter, r *http.Request) error
		want want
	}{
		{"Send of a string", func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "hello") },
			want{200, "", map[string]string{"Etag": `"2caikvdqo85"`, "Content-Length": "5", "Content-Type": absent}}},
		{"Send of bytes", func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, []byte("abc")) },
			want{200, "", map[string]string{"Etag": `"uhvwy6v527z"`, "Content-Length": "3", "Content-Type": "application/octet-stream"}}},
		{"JSON", func(w http.ResponseWriter, r *http.Request) error {
			return respond.JSON(w, r, 200, map[string]int{"a": 1})
		},
			want{200, "", map[string]string{"Etag": `"147uiiad94i7"`, "Content-Length": "7", "Content-Type": jsonType}}},
		{"Redirect", func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/dest")
		},
			want{307, "", map[string]string{"Location": "/dest", "Content-Length": "5"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := request(http.MethodHead, nil, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.check(t, rec)
		})
	}
}

func TestMatchingIfNoneMatchIsAnswered304OnGETAndHEADOnly(t *testing.T) {
	t.Parallel()
	const tag = `"2caikvdqo85"` // the ETag of "hello"
	notModified := want{304, "", map[string]string{"Etag": tag, "Content-Type": absent, "Content-Length": absent}}
	full := want{200, "hello", map[string]string{"Etag": tag, "Content-Length": "5"}}
	cases := []struct {
		name   string
		method string
		header map[string]string
		want   want
	}{
		{"the exact tag", "GET", map[string]string{"If-None-Match": tag}, notModified},
		{"a star", "GET", map[string]string{"If-None-Match": "*"}, notModified},
		{"a list with spaces", "GET", map[string]string{"If-None-Match": `"a" , ` + tag + ` ,"b"`}, notModified},
		{"the weak form of the tag", "GET", map[string]string{"If-None-Match": "W/" + tag}, notModified},
		{"another tag", "GET", map[string]string{"If-None-Match": `"3caikvdqo85"`}, full},
		{"no-cache", "GET", map[string]string{"If-None-Match": tag, "Cache-Control": "no-cache"}, full},
		{"If-Modified-Since present", "GET", map[string]string{"If-None-Match": tag, "If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}, full},
		{"a HEAD with the tag", "HEAD", map[string]string{"If-None-Match": tag}, notModified},
		{"a POST with the tag", "POST", map[string]string{"If-None-Match": tag}, full},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := request(tc.method, tc.header, func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("Content-Type", "text/plain") // dropped by a 304
				return respond.Send(w, r, 200, "hello")
			})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.header = map[string]string{"Content-Type": "text/plain"} // the cases share their maps
			for k, v := range tc.want.header {
				want.header[k] = v
			}
			if tc.method == "HEAD" {
				want.body = ""
			}
			want.check(t, rec)
		})
	}
}

func TestFreshnessOnlyAppliesToSuccessfulResponses(t *testing.T) {
	t.Parallel()
	rec, err := request("GET", map[string]string{"If-None-Match": "*"}, func(w http.ResponseWriter, r *http.Request) error {
		return respond.JSON(w, r, http.StatusNotFound, map[string]string{"error": "no such task"})
	})
	if err != nil {
		t.Fatal(err)
	}
	want{404, `{"error":"no such task"}`, map[string]string{"Content-Type": jsonType}}.check(t, rec)
}

// spy fails the test on any write: helpers that refuse must write nothing.
type spy struct {
	t *testing.T
	h http.Header
}

func (s *spy) Header() http.Header { return s.h }
func (s *spy) WriteHeader(code int) {
	s.t.Errorf("WriteHeader(%d) called by a helper that failed", code)
}
func (s *spy) Write(p []byte) (int, error) {
	s.t.Errorf("Write(%q) called by a helper that failed", p)
	return len(p), nil
}

func TestRefusalsAreInternalServerErrorsWithNothingWritten(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		call  func(w http.ResponseWriter, r *http.Request) error
		cause string
	}{
		{"Status 42", func(w http.ResponseWriter, r *http.Request) error { return respond.Status(w, 42) }, "respond: status 42 is outside 100-999"},
		{"Status 1000", func(w http.ResponseWriter, r *http.Request) error { return respond.Status(w, 1000) }, "respond: status 1000 is outside 100-999"},
		{"Status 0", func(w http.ResponseWriter, r *http.Request) error { return respond.Status(w, 0) }, "respond: status 0 is outside 100-999"},
		{"JSON with status 42", func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 42, "x") }, "respond: status 42 is outside 100-999"},
		{"JSON with status 103", func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 103, "x") }, "respond: status 103 is informational"},
		{"JSON of a float field holding NaN", func(w http.ResponseWriter, r *http.Request) error {
			return respond.JSON(w, r, 200, struct{ X float64 }{math.NaN()})
		}, "respond: encoding struct { X float64 } as JSON: json: unsupported value: NaN"},
		{"JSON of a channel", func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, make(chan int)) }, "respond: encoding chan int as JSON: json: unsupported type"},
		{"JSON of a channel with status 204", func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 204, make(chan int)) }, "unsupported type"},
		{"JSON of a cycle holding NaN", func(w http.ResponseWriter, r *http.Request) error {
			m := map[string]any{"n": math.NaN()}
			m["self"] = m
			return respond.JSON(w, r, 200, m)
		}, "unsupported value"},
		{"JSON of a failing Marshaler", func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, badMarshaler{}) }, "respond: encoding respond_test.badMarshaler as JSON"},
		{"Send with status 1000", func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 1000, "x") }, "respond: status 1000 is outside 100-999"},
		{"Send of a map holding NaN", func(w http.ResponseWriter, r *http.Request) error {
			return respond.Send(w, r, 200, map[string]float64{"x": math.NaN()})
		}, "unsupported value: NaN"},
		{"Redirect with status 42", func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 42, "/x") }, "respond: status 42 is outside 100-999"},
		{"Redirect with status 1000", func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 1000, "/x") }, "respond: status 1000 is outside 100-999"},
		{"Redirect with status 100", func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 100, "/x") }, "respond: status 100 is informational"},
		{"Redirect with no status", func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 0, "/x") }, "respond: status 0 is outside 100-999"},
		{"Redirect to a URL with CRLF", func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/x\r\nSet-Cookie: a=1")
		}, `respond: redirect URL "/x\r\nSet-Cookie: a=1" is not a valid header value: byte 0x0d at offset 2`},
		{"Redirect to a URL with LF", func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/x\n")
		}, "byte 0x0a"},
		{"Redirect to a URL with NUL", func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/\x00")
		}, "byte 0x00"},
		{"Redirect to a URL with DEL", func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/\x7f")
		}, "byte 0x7f"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := &spy{t: t, h: http.Header{}}
			err := tc.call(w, httptest.NewRequest("GET", "/", nil))
			var ae *apierror.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T); want an *apierror.Error", err, err)
			}
			if ae.Status != 500 || ae.Message != "Internal Server Error" {
				t.Errorf("error %d %q; want 500 %q", ae.Status, ae.Message, "Internal Server Error")
			}
			if ae.Err == nil || !strings.Contains(ae.Err.Error(), tc.cause) {
				t.Errorf("cause %v; want one containing %q", ae.Err, tc.cause)
			}
			if len(w.h) != 0 {
				t.Errorf("headers %v were set", w.h)
			}
		})
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("boom") }

func TestRefusalsBecomeACleanInternalServerErrorThroughApierror(t *testing.T) {
	t.Parallel()
	h := apierror.Config{Logger: quietLogger()}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Status(w, 42)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	want{500, `{"error":"Internal Server Error"}`, map[string]string{"Content-Type": jsonType}}.check(t, rec)
}

func TestHelpersRefuseAResponseThatHasStarted(t *testing.T) {
	t.Parallel()
	var got error
	h := apierror.Config{Logger: quietLogger()}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusAccepted)
		got = respond.JSON(w, r, http.StatusOK, "late")
		return nil
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got == nil || !strings.Contains(got.Error(), "already started") {
		t.Errorf("JSON after WriteHeader returned %v; want an error saying the response has started", got)
	}
	want{202, "", map[string]string{"Content-Type": absent}}.check(t, rec)
}

func TestStatusSendsTheCodeNow(t *testing.T) {
	t.Parallel()
	for _, code := range []int{100, 103, 200, 204, 418, 599, 999} {
		rec := httptest.NewRecorder()
		if err := respond.Status(rec, code); err != nil {
			t.Fatalf("Status(%d): %v", code, err)
		}
		if rec.Code != code {
			t.Errorf("Status(%d) sent %d", code, rec.Code)
		}
	}
}

func TestRedirectSendsLocationAndTheURLAsBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		url    string
		status []int
		before string // a Content-Type set before
		want   want
	}{
		{name: "307 is Next's default", url: "/dest?a=1",
			want: want{307, "/dest?a=1", map[string]string{"Location": "/dest?a=1", "Content-Type": absent, "Content-Length": "9", "Etag": absent}}},
		{name: "a given status is used", url: "/x", status: []int{http.StatusMovedPermanently},
			want: want{301, "/x", map[string]string{"Location": "/x"}}},
		{name: "308 is used", url: "https://example.com/", status: []int{308},
			want: want{308, "https://example.com/", map[string]string{"Location": "https://example.com/"}}},
		{name: "a status that is not a redirect is used as given", url: "/x", status: []int{299},
			want: want{299, "/x", map[string]string{"Location": "/x"}}},
		{name: "the URL is not resolved", url: "../up/./x", status: []int{302},
			want: want{302, "../up/./x", map[string]string{"Location": "../up/./x"}}},
		{name: "only non-ASCII bytes are escaped in Location, as http.Redirect does", url: "/日本?q=a b", status: []int{302},
			want: want{302, "/日本?q=a b", map[string]string{"Location": "/%E6%97%A5%E6%9C%AC?q=a b", "Content-Length": "13"}}},
		{name: "a tab is a valid header byte", url: "/a\tb",
			want: want{307, "/a\tb", map[string]string{"Location": "/a\tb"}}},
		{name: "a Content-Type set before is kept", url: "/x", before: "text/plain",
			want: want{307, "/x", map[string]string{"Content-Type": "text/plain"}}},
		{name: "304 has no body", url: "/x", status: []int{304},
			want: want{304, "", map[string]string{"Location": "/x", "Content-Length": absent}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := request("GET", nil, func(w http.ResponseWriter, r *http.Request) error {
				if tc.before != "" {
					w.Header().Set("Content-Type", tc.before)
				}
				status := http.StatusTemporaryRedirect
				if len(tc.status) > 0 {
					status = tc.status[0]
				}
				return respond.Redirect(w, r, status, tc.url)
			})
			if err != nil {
				t.Fatal(err)
			}
			tc.want.check(t, rec)
		})
	}
}

func TestEveryBodyWithoutAContentTypeIsMarkedNosniff(t *testing.T) {
	t.Parallel()
	const nosniff = "nosniff"
	cases := []struct {
		name    string
		method  string
		request map[string]string   // request headers
		before  map[string][]string // response headers set before the helper
		call    func(w http.ResponseWriter, r *http.Request) error
		want    string // X-Content-Type-Options, or absent
	}{
		{name: "Send of a string", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "<b>") }, want: nosniff},
		{name: "Send of an empty string", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "") }, want: nosniff},
		{name: "Send of a string, HEAD", method: "HEAD", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "<b>") }, want: nosniff},
		{name: "Send of a string with an empty Content-Type set", before: map[string][]string{"Content-Type": {""}},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "<b>") }, want: nosniff},
		{name: "Send of a string with a Content-Type set", before: map[string][]string{"Content-Type": {"text/plain"}},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "<b>") }, want: absent},
		{name: "a value set before is kept", before: map[string][]string{"X-Content-Type-Options": {"nosniff, custom"}},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "<b>") }, want: "nosniff, custom"},
		{name: "Send of bytes with an empty Content-Type set", before: map[string][]string{"Content-Type": {""}},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, []byte("<b>")) }, want: nosniff},
		{name: "Send of bytes", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, []byte("<b>")) }, want: absent},
		{name: "Send of a stream", call: func(w http.ResponseWriter, r *http.Request) error {
			return respond.Send(w, r, 200, strings.NewReader("<b>"))
		}, want: absent},
		{name: "Send of a stream with an empty Content-Type set", before: map[string][]string{"Content-Type": {""}},
			call: func(w http.ResponseWriter, r *http.Request) error {
				return respond.Send(w, r, 200, strings.NewReader("<b>"))
			}, want: nosniff},
		{name: "Send of nil", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, nil) }, want: absent},
		{name: "Send with 204", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 204, "<b>") }, want: absent},
		{name: "Send answered 304", request: map[string]string{"If-None-Match": `"2caikvdqo85"`},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, "hello") }, want: absent},
		{name: "JSON", call: func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, "<b>") }, want: absent},
		{name: "Redirect", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 302, "/x") }, want: nosniff},
		{name: "Redirect with status 200 and markup", call: func(w http.ResponseWriter, r *http.Request) error {
			return respond.Redirect(w, r, 200, "<script>alert(1)</script>")
		}, want: nosniff},
		{name: "Redirect with a Content-Type set", before: map[string][]string{"Content-Type": {"text/plain"}},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 302, "/x") }, want: absent},
		{name: "Redirect with 304", call: func(w http.ResponseWriter, r *http.Request) error { return respond.Redirect(w, r, 304, "/x") }, want: absent},
		{name: "AppRouterJSON", call: func(w http.ResponseWriter, r *http.Request) error { return respond.AppRouterJSON(w, r, 200, "<b>") }, want: absent},
		{name: "AppRouterJSON with an empty Content-Type set", before: map[string][]string{"Content-Type": {""}},
			call: func(w http.ResponseWriter, r *http.Request) error { return respond.AppRouterJSON(w, r, 200, "<b>") }, want: nosniff},
		{name: "AppRouterRedirect", call: func(w http.ResponseWriter, r *http.Request) error { return respond.AppRouterRedirect(w, r, 307, "/x") }, want: absent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = "GET"
			}
			rec, err := request(method, tc.request, func(w http.ResponseWriter, r *http.Request) error {
				for k, v := range tc.before {
					w.Header()[k] = v
				}
				return tc.call(w, r)
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.request != nil && rec.Code != http.StatusNotModified {
				t.Fatalf("status %d; want 304", rec.Code)
			}
			got := rec.Header()["X-Content-Type-Options"]
			switch {
			case tc.want == absent && len(got) != 0:
				t.Errorf("X-Content-Type-Options %q; want none", got)
			case tc.want != absent && (len(got) != 1 || got[0] != tc.want):
				t.Errorf("X-Content-Type-Options %q (Content-Type %q); want %q", got, rec.Header()["Content-Type"], tc.want)
			}
		})
	}
}

func TestStreamErrorsAreReturnedAsTheyAre(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	err := respond.Send(rec, httptest.NewRequest("GET", "/", nil), 200, io.MultiReader(strings.NewReader("part"), failingReader{}))
	if err == nil || err.Error() != "read" {
		t.Errorf("Send of a failing reader returned %v; want its error", err)
	}
	if rec.Body.String() != "part" || !rec.Flushed {
		t.Errorf("body %q, flushed %v; want the part read before the error, flushed", rec.Body.String(), rec.Flushed)
	}
}

func TestHelpersAllocateLittle(t *testing.T) {
	if respond.RaceEnabled {
		t.Skip("the race detector drops pooled encoders at random") // CI's floor step runs it
	}
	w := &nopWriter{h: http.Header{}}
	r := httptest.NewRequest("GET", "/", nil)
	v := message{"Hello from Next.js!"}
	var bytesBody any = []byte("hello")
	cases := []struct {
		name string
		max  float64
		call func()
	}{
		// The tag and the length share a string, and both header slices an
		// array; the pooled encoder and buffer cost nothing.
		{"JSON of a struct", 3, func() { _ = respond.JSON(w, r, 200, &v) }},
		{"Send of a string", 2, func() { _ = respond.Send(w, r, 200, "hello") }},
		{"Send of bytes", 2, func() { _ = respond.Send(w, r, 200, bytesBody) }},
	}
	for _, tc := range cases {
		if n := testing.AllocsPerRun(200, tc.call); n > tc.max {
			t.Errorf("%s allocates %v times; want at most %v", tc.name, n, tc.max)
		}
	}
}

// nopWriter is a ResponseWriter that discards everything, for benchmarks.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header               { return w.h }
func (w *nopWriter) WriteHeader(int)                   {}
func (w *nopWriter) Write(p []byte) (int, error)       { return len(p), nil }
func (w *nopWriter) WriteString(s string) (int, error) { return len(s), nil }

type task struct {
	ID    int      `json:"id"`
	Title string   `json:"title"`
	Done  bool     `json:"done"`
	Tags  []string `json:"tags"`
	Owner struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"owner"`
}

func benchTasks(n int) []task {
	ts := make([]task, n)
	for i := range ts {
		ts[i].ID = 1000 + i
		ts[i].Title = "Write the documentation for the respond package"
		ts[i].Done = i%2 == 0
		ts[i].Tags = []string{"docs", "go", "next.js"}
		ts[i].Owner.Name = "Ada Lovelace"
		ts[i].Owner.Email = "ada@example.com"
	}
	return ts
}

func BenchmarkJSON(b *testing.B) {
	r := httptest.NewRequest("GET", "/api/tasks", nil)
	for _, size := range []struct {
		name string
		n    int
	}{{"tasks=1", 1}, {"tasks=10", 10}, {"tasks=100", 100}} {
		v := benchTasks(size.n)
		body, _ := json.Marshal(v)
		b.Run(size.name+"/apiroutes", func(b *testing.B) {
			w := &nopWriter{h: http.Header{}}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := respond.JSON(w, r, http.StatusOK, v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/stdlib", func(b *testing.B) {
			w := &nopWriter{h: http.Header{}}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := json.NewEncoder(w).Encode(v); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The floor for anything that sends Next's ETag: the encoder plus
		// one pass of the hash over the body.
		b.Run(size.name+"/stdlib+etag", func(b *testing.B) {
			w := &nopWriter{h: http.Header{}}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := json.NewEncoder(w).Encode(v); err != nil {
					b.Fatal(err)
				}
				_ = respond.ETag(body)
			}
		})
	}
}

// BenchmarkSend measures the bodies sent without a JSON encoder: text,
// bytes, and a redirect's URL. The header map is kept, as a server's
// would be cleared and refilled.
func BenchmarkSend(b *testing.B) {
	r := httptest.NewRequest("GET", "/api/x", nil)
	var bytesBody any = []byte("hello")
	for _, c := range []struct {
		name string
		call func(w http.ResponseWriter) error
	}{
		{"string", func(w http.ResponseWriter) error { return respond.Send(w, r, http.StatusOK, "hello") }},
		{"bytes", func(w http.ResponseWriter) error { return respond.Send(w, r, http.StatusOK, bytesBody) }},
		{"redirect", func(w http.ResponseWriter) error { return respond.Redirect(w, r, http.StatusFound, "/login") }},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := &nopWriter{h: http.Header{}}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				clear(w.h)
				if err := c.call(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestRedirectWithoutAURLIsAnError(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	err := respond.Redirect(rec, httptest.NewRequest("GET", "/", nil), http.StatusMovedPermanently, "")
	if err == nil || !strings.Contains(errors.Unwrap(err).Error(), "needs a URL") {
		t.Fatalf("err = %v", err)
	}
	if rec.Header().Get("Location") != "" || rec.Body.Len() != 0 {
		t.Errorf("something was written: %v %q", rec.Header(), rec.Body)
	}
}
