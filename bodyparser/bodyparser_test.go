package bodyparser_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

// seen is what a handler behind the parser saw.
type seen struct {
	called  bool
	value   any
	defined bool
	text    string
	raw     []byte
	reread  []byte // r.Body read again by the handler
	form    url.Values
	formKey string // r.FormValue("a")
}

type request struct {
	method  string
	ct      string // "-" = no Content-Type header
	body    string
	chunked bool // hide the length, as a chunked upload does
	header  map[string]string
}

func (rq request) build() *http.Request {
	method := rq.method
	if method == "" {
		method = "POST"
	}
	var body io.Reader = strings.NewReader(rq.body)
	if rq.chunked {
		body = struct{ io.Reader }{body}
	}
	r := httptest.NewRequest(method, "/api/echo?q=1", body)
	if rq.chunked {
		r.ContentLength = -1
	}
	if rq.ct != "-" {
		r.Header.Set("Content-Type", rq.ct)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	return r
}

func serve(t *testing.T, cfg bodyparser.Config, r *http.Request) (*httptest.ResponseRecorder, *seen) {
	t.Helper()
	s := &seen{}
	h := bodyparser.New(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.called = true
		s.value, s.defined = bodyparser.Value(r)
		s.text = bodyparser.Text(r)
		s.raw = bodyparser.Bytes(r)
		s.form = bodyparser.Form(r)
		var err error
		if s.reread, err = io.ReadAll(r.Body); err != nil {
			t.Errorf("reading r.Body again: %v", err)
		}
		s.formKey = r.FormValue("a")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, s
}

func TestBodiesAreParsedByContentTypeAsNextDoes(t *testing.T) {
	t.Parallel()
	obj := map[string]any{"a": 1.0, "b": []any{"x", nil, true}}
	cases := []struct {
		name string
		req  request
		want any
	}{
		{"json object", request{ct: "application/json", body: `{"a":1,"b":["x",null,true]}`}, obj},
		{"json with charset", request{ct: "application/json; charset=utf-8", body: `{"a":1,"b":["x",null,true]}`}, obj},
		{"ld+json", request{ct: "application/ld+json", body: `{"a":1,"b":["x",null,true]}`}, obj},
		{"json type is case-insensitive", request{ct: "Application/JSON", body: `[1]`}, []any{1.0}},
		{"json number at top level", request{ct: "application/json", body: `42`}, 42.0},
		{"json string at top level", request{ct: "application/json", body: `"s"`}, "s"},
		{"json null at top level", request{ct: "application/json", body: `null`}, nil},
		{"json true at top level", request{ct: "application/json", body: `true`}, true},
		{"json array", request{ct: "application/json", body: `[1,"two",null]`}, []any{1.0, "two", nil}},
		{"json with surrounding whitespace", request{ct: "application/json", body: " \n{\"a\":1,\"b\":[\"x\",null,true]}\t "}, obj},
		{"empty json is an empty object", request{ct: "application/json", body: ``}, map[string]any{}},
		{"utf-8 BOM before json is skipped", request{ct: "application/json", body: "\uFEFF{\"a\":1,\"b\":[\"x\",null,true]}"}, obj},
		{"json number beyond float64 is infinite", request{ct: "application/json", body: `[1e400]`}, nil},
		{"form", request{ct: "application/x-www-form-urlencoded", body: "a=1&a=2&b=+x+&c=%ZZ&e&a%5B%5D=1&d[]=2"},
			map[string]any{"a": []string{"1", "2"}, "b": " x ", "c": "%ZZ", "e": "", "a[]": "1", "d[]": "2"}},
		{"form with charset", request{ct: "application/x-www-form-urlencoded; charset=latin1", body: "a=caf\xe9"}, map[string]any{"a": "café"}},
		{"empty form is an empty object", request{ct: "application/x-www-form-urlencoded", body: ""}, map[string]any{}},
		{"text/plain", request{ct: "text/plain", body: "hello"}, "hello"},
		{"text/json is text", request{ct: "text/json", body: `{"a":1}`}, `{"a":1}`},
		{"vnd.api+json is text", request{ct: "application/vnd.api+json", body: `{"a":1}`}, `{"a":1}`},
		{"problem+json is text", request{ct: "application/problem+json", body: `{"a":1}`}, `{"a":1}`},
		{"xml is text", request{ct: "application/xml", body: `<a/>`}, `<a/>`},
		{"octet-stream is text", request{ct: "application/octet-stream", body: "bin\xffary"}, "bin\ufffdary"},
		{"multipart is its raw text", request{ct: "multipart/form-data; boundary=x", body: "--x\r\n\r\nv\r\n--x--"}, "--x\r\n\r\nv\r\n--x--"},
		{"no content type is text", request{ct: "-", body: "hello"}, "hello"},
		{"empty content type is text", request{ct: "", body: "hello"}, "hello"},
		{"charset without value is text", request{ct: "application/json; charset", body: `{not json`}, `{not json`},
		{"bare json is text", request{ct: "json", body: `{not json`}, `{not json`},
		{"trailing semicolon is text", request{ct: "application/json;", body: `{not json`}, `{not json`},
		{"no body is the empty string", request{method: "GET", ct: "-"}, ""},
		{"no body with text type is the empty string", request{ct: "text/plain"}, ""},
		{"GET bodies are parsed", request{method: "GET", ct: "application/json", body: `{"a":1,"b":["x",null,true]}`}, obj},
		{"DELETE bodies are parsed", request{method: "DELETE", ct: "application/json", body: `[true]`}, []any{true}},
		{"HEAD bodies are parsed", request{method: "HEAD", ct: "text/plain", body: `x`}, "x"},
		{"chunked json", request{ct: "application/json", body: `{"a":1,"b":["x",null,true]}`, chunked: true}, obj},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, s := serve(t, bodyparser.Config{}, tc.req.build())
			if !s.called {
				t.Fatalf("handler not called: %d %s", rec.Code, rec.Body)
			}
			if !s.defined {
				t.Errorf("Value reported undefined")
			}
			if tc.name == "json number beyond float64 is infinite" {
				if a, ok := s.value.([]any); !ok || len(a) != 1 || a[0].(float64) < 1e308 {
					t.Errorf("value = %#v, want [+Inf]", s.value)
				}
				return
			}
			if !reflect.DeepEqual(s.value, tc.want) {
				t.Errorf("value = %#v, want %#v", s.value, tc.want)
			}
			if string(s.reread) != tc.req.body {
				t.Errorf("r.Body read again = %q, want the bytes sent", s.reread)
			}
			if string(s.raw) != tc.req.body {
				t.Errorf("Raw = %q, want the bytes sent", s.raw)
			}
		})
	}
}

func TestBadBodiesGetNextsStatusAndMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cfg    bodyparser.Config
		req    request
		status int
		msg    string
	}{
		{"whitespace-only json", bodyparser.Config{}, request{ct: "application/json", body: "  "}, 400, "Invalid JSON"},
		{"invalid json", bodyparser.Config{}, request{ct: "application/json", body: `{"a":}`}, 400, "Invalid JSON"},
		{"two json values", bodyparser.Config{}, request{ct: "application/json", body: `{} {}`}, 400, "Invalid JSON"},
		{"trailing comma", bodyparser.Config{}, request{ct: "application/json", body: `[1,]`}, 400, "Invalid JSON"},
		{"NaN is not json", bodyparser.Config{}, request{ct: "application/json", body: `NaN`}, 400, "Invalid JSON"},
		{"truncated json", bodyparser.Config{}, request{ct: "application/ld+json", body: `{"a":`, chunked: true}, 400, "Invalid JSON"},
		{"unknown charset", bodyparser.Config{}, request{ct: "text/plain; charset=klingon", body: "x"}, 400, "Invalid body"},
		{"unknown charset on an empty body", bodyparser.Config{}, request{ct: "application/json; charset=nope"}, 400, "Invalid body"},
		{"unsupported content encoding", bodyparser.Config{}, request{ct: "text/plain", body: "x", header: map[string]string{"Content-Encoding": "br"}}, 415, "Unsupported Content-Encoding: br"},
		{"three codings", bodyparser.Config{}, request{ct: "text/plain", body: "x", header: map[string]string{"Content-Encoding": "gzip, gzip, deflate"}}, 415, "Content-Encoding lists more than 2 codings"},
		{"8,000 codings", bodyparser.Config{}, request{ct: "text/plain", body: "xx", header: map[string]string{"Content-Encoding": strings.Repeat("deflate,", 8000)}}, 415, "Content-Encoding lists more than 2 codings"},
		{"a long unsupported name is shortened", bodyparser.Config{}, request{ct: "text/plain", body: "x", header: map[string]string{"Content-Encoding": "gzip, " + strings.Repeat("z", 5000)}}, 415, "Unsupported Content-Encoding: " + strings.Repeat("z", 32) + "…"},
		{"deflate shorter than any deflate stream", bodyparser.Config{}, request{ct: "text/plain", body: "x", header: map[string]string{"Content-Encoding": "deflate"}}, 400, "Invalid body"},
		{"corrupt gzip", bodyparser.Config{}, request{ct: "text/plain", body: "not gzip", header: map[string]string{"Content-Encoding": "gzip"}}, 400, "Invalid body"},
		{"message keeps the configured spelling", bodyparser.Config{SizeLimit: "1.5KB"}, request{ct: "text/plain", body: strings.Repeat("x", 1537)}, 413, "Body exceeded 1.5KB limit"},
		{"typed limit prints as given, in bytes", bodyparser.Config{SizeLimit: strconv.FormatInt(1500, 10)}, request{ct: "text/plain", body: strings.Repeat("x", 1501)}, 413, "Body exceeded 1500 limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, s := serve(t, tc.cfg, tc.req.build())
			if s.called {
				t.Errorf("the handler ran; errors must be answered before it")
			}
			want := `{"error":"` + tc.msg + `"}`
			if rec.Code != tc.status || rec.Body.String() != want {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tc.status, want)
			}
			if got := rec.Header().Get("Connection"); (tc.status == 413) != (got == "close") {
				t.Errorf("Connection = %q for a %d", got, tc.status)
			}
		})
	}
}

func TestLimitsAreInclusiveAndCountedInBytes(t *testing.T) {
	t.Parallel()
	limits := []struct {
		cfg   string
		bytes int
		text  string
	}{
		{"100b", 100, "100b"},
		{"1kb", 1024, "1kb"},
		{"1.5kb", 1536, "1.5kb"},
		{"", 1 << 20, "1mb"},
	}
	for _, l := range limits {
		for _, delta := range []int{-1, 0, 1} {
			for _, chunked := range []bool{false, true} {
				n := l.bytes + delta
				name := string(l.cfg) + "/" + map[int]string{-1: "limit-1", 0: "limit", 1: "limit+1"}[delta] + map[bool]string{false: "/content-length", true: "/chunked"}[chunked]
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					body := strings.Repeat("a", n)
					rec, s := serve(t, bodyparser.Config{SizeLimit: l.cfg}, request{ct: "text/plain", body: body, chunked: chunked}.build())
					if delta <= 0 {
						if rec.Code != 200 || s.text != body {
							t.Errorf("%d bytes: got %d, text of %d bytes", n, rec.Code, len(s.text))
						}
						return
					}
					if rec.Code != 413 || rec.Body.String() != `{"error":"Body exceeded `+l.text+` limit"}` {
						t.Errorf("%d bytes: got %d %s", n, rec.Code, rec.Body)
					}
				})
			}
		}
	}
	t.Run("multibyte text is counted in bytes", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("é", 513) // 513 characters, 1026 bytes
		rec, _ := serve(t, bodyparser.Config{SizeLimit: "1kb"}, request{ct: "text/plain; charset=utf-8", body: body}.build())
		if rec.Code != 413 {
			t.Errorf("513 two-byte characters at 1kb: got %d, want 413", rec.Code)
		}
	})
	t.Run("the limit is on the bytes before charset decoding", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("\xe9", 1024) // 1024 latin1 bytes, 2048 bytes once in UTF-8
		rec, s := serve(t, bodyparser.Config{SizeLimit: "1kb"}, request{ct: "text/plain; charset=latin1", body: body}.build())
		if rec.Code != 200 || s.text != strings.Repeat("é", 1024) {
			t.Errorf("got %d", rec.Code)
		}
	})
}

func TestCharsetsAreDecodedToUTF8(t *testing.T) {
	t.Parallel()
	utf16le := func(s string) string {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	cases := []struct {
		name, ct, body, want string
	}{
		{"latin1", "text/plain; charset=latin1", "caf\xe9", "café"},
		{"iso-8859-1 is latin1 proper, not windows-1252", "text/plain; charset=ISO-8859-1", "\x80", "\u0080"},
		{"windows-1252", "text/plain; charset=windows-1252", "\x80", "€"},
		{"cp1252 by its iconv name", "text/plain; charset=win1252", "\x80", "€"},
		{"quoted charset", `text/plain; charset="UTF-8"`, "héllo", "héllo"},
		{"charset names ignore case and punctuation", "text/plain; charset=Utf_8", "héllo", "héllo"},
		{"utf-16le", "text/plain; charset=utf-16le", utf16le("hé"), "hé"},
		{"utf-16le json", "application/json; charset=UTF-16LE", utf16le(`{"k":"é"}`), `{"k":"é"}`},
		{"utf-16le BOM is dropped", "text/plain; charset=utf-16le", "\xff\xfe" + utf16le("x"), "x"},
		{"shift_jis", "text/plain; charset=shift_jis", "\x93\xfa\x96\x7b", "日本"},
		{"invalid utf-8 becomes U+FFFD", "text/plain", "a\xe2\x82b\xff", "a\ufffdb\ufffd"},
		{"utf-8 BOM is dropped from text", "text/plain", "\uFEFFhi", "hi"},
		{"charset parameter name is case-insensitive", "text/plain; CHARSET=latin1", "\xe9", "é"},
		{"the last charset wins", "text/plain; charset=utf-8; charset=latin1", "\xe9", "é"},
		// What iconv-lite (Next's decoder) does where WHATWG differs.
		{"a numeric code page name", "text/plain; charset=1251", "\xcf\xf0\xe8", "При"},
		{"koi8-r by its code page number", "text/plain; charset=20866", "\xf0\xd2\xc9", "При"},
		{"a cp name of an ISO table", "text/plain; charset=cp28595", "\xbf\xe0\xd8", "При"},
		{"turkish is iso-8859-9", "text/plain; charset=turkish", "\xdd", "İ"},
		{"cp950 is big5", "text/plain; charset=cp950", "\xa4\xa4", "中"},
		{"a year after a colon is ignored", `text/plain; charset="ISO-8859-1:1987"`, "\xe9", "é"},
		{"utf-16 drops a trailing odd byte", "text/plain; charset=utf-16le", utf16le("ab") + "c", "ab"},
		{"BOM-less utf-16 that is big-endian is detected", "text/plain; charset=utf-16", "\x00h\x00i", "hi"},
		{"BOM-less utf-16 defaults to little-endian", "text/plain; charset=utf-16", utf16le("hi"), "hi"},
		{"Shift_JIS's user-defined area is the Private Use Area", "text/plain; charset=shift_jis", "\xf0\x40", "\ue000"},
		{"ascii is 7-bit", "text/plain; charset=us-ascii", "a\x80", "a\ufffd"},
		{"iso-8859-2 keeps the C1 controls", "text/plain; charset=iso-8859-2", "\x85", "\u0085"},
		{"base64 spells the bytes, as Node's Buffer does", "text/plain; charset=base64", "hi", "aGk="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, s := serve(t, bodyparser.Config{}, request{ct: tc.ct, body: tc.body}.build())
			if rec.Code != 200 || s.text != tc.want {
				t.Errorf("got %d %q, want %q", rec.Code, s.text, tc.want)
			}
			if string(s.raw) != tc.body {
				t.Errorf("Raw = %q, want the bytes as sent", s.raw)
			}
		})
	}
}

func TestFormsFillPostFormForExistingHandlers(t *testing.T) {
	t.Parallel()
	r := request{ct: "application/x-www-form-urlencoded", body: "a=1&a=2&b=x+y"}.build()
	rec, s := serve(t, bodyparser.Config{}, r)
	if rec.Code != 200 || s.formKey != "1" {
		t.Fatalf("r.FormValue(\"a\") = %q", s.formKey)
	}
	want := url.Values{"a": {"1", "2"}, "b": {"x y"}}
	if !reflect.DeepEqual(s.form, want) || !reflect.DeepEqual(r.PostForm, want) {
		t.Errorf("Form = %v, PostForm = %v, want %v", s.form, r.PostForm, want)
	}
	if r.Form.Get("q") != "1" {
		t.Errorf("r.Form lost the query string: %v", r.Form)
	}
}

func TestContentEncodingsAreDecodedWithinTheLimit(t *testing.T) {
	t.Parallel()
	payload := `{"a":1,"b":["x",null,true]}`
	compress := map[string]func(io.Writer) io.WriteCloser{
		"gzip":           func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"x-gzip":         func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate":        func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		"deflate (raw)":  func(w io.Writer) io.WriteCloser { fw, _ := flate.NewWriter(w, 5); return fw },
		"gzip, identity": func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
	}
	for name, newWriter := range compress {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			zw := newWriter(&buf)
			_, _ = io.WriteString(zw, payload)
			_ = zw.Close()
			header := strings.TrimSuffix(name, " (raw)")
			r := request{ct: "application/json", body: buf.String(), header: map[string]string{"Content-Encoding": header}}.build()
			rec, s := serve(t, bodyparser.Config{}, r)
			if rec.Code != 200 || string(s.raw) != payload || string(s.reread) != payload {
				t.Fatalf("got %d, raw %q", rec.Code, s.raw)
			}
			if r.Header.Get("Content-Encoding") != "" || r.ContentLength != int64(len(payload)) {
				t.Errorf("the handler still sees Content-Encoding %q, length %d", r.Header.Get("Content-Encoding"), r.ContentLength)
			}
		})
	}
	t.Run("the limit applies to decoded bytes", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(make([]byte, 1025))
		_ = zw.Close()
		rec, _ := serve(t, bodyparser.Config{SizeLimit: "1kb"}, request{ct: "text/plain", body: buf.String(), header: map[string]string{"Content-Encoding": "gzip"}}.build())
		if rec.Code != 413 {
			t.Errorf("1025 decoded bytes (%d on the wire) at 1kb: got %d", buf.Len(), rec.Code)
		}
	})
}

func TestRawModeLeavesTheStreamAlone(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("r", 5<<20)
	var got []byte
	var defined bool
	h := bodyparser.New(bodyparser.Config{Raw: true})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, defined = bodyparser.Value(r)
		got, _ = io.ReadAll(r.Body)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request{ct: "application/json", body: big}.build())
	if rec.Code != 200 || len(got) != len(big) || defined {
		t.Errorf("5 MiB raw: got %d, read %d bytes, defined=%v", rec.Code, len(got), defined)
	}

	t.Run("with an explicit limit", func(t *testing.T) {
		t.Parallel()
		limited := bodyparser.New(bodyparser.Config{Raw: true, SizeLimit: "1kb"})(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			_, err := io.ReadAll(r.Body)
			return err
		}))
		for _, chunked := range []bool{false, true} {
			rec := httptest.NewRecorder()
			limited.ServeHTTP(rec, request{ct: "text/plain", body: strings.Repeat("x", 1025), chunked: chunked}.build())
			if rec.Code != 413 || rec.Body.String() != `{"error":"Body exceeded 1kb limit"}` {
				t.Errorf("chunked=%v: got %d %s", chunked, rec.Code, rec.Body)
			}
			rec = httptest.NewRecorder()
			limited.ServeHTTP(rec, request{ct: "text/plain", body: strings.Repeat("x", 1024), chunked: chunked}.build())
			if rec.Code != 200 {
				t.Errorf("chunked=%v: 1024 bytes got %d", chunked, rec.Code)
			}
		}
	})
}

func TestValueTellsUndefinedFromNullAndEmpty(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/", strings.NewReader("null"))
	if v, ok := bodyparser.Value(r); ok || v != nil {
		t.Errorf("without the middleware: %v, %v; want undefined", v, ok)
	}
	_, s := serve(t, bodyparser.Config{}, request{ct: "application/json", body: "null"}.build())
	if s.value != nil || !s.defined {
		t.Errorf("json null: %v, %v", s.value, s.defined)
	}
	_, s = serve(t, bodyparser.Config{}, request{ct: "-"}.build())
	if s.value != "" || !s.defined {
		t.Errorf("no body: %#v, %v", s.value, s.defined)
	}
}

type task struct {
	Title string   `json:"title"`
	Done  bool     `json:"done"`
	Tags  []string `json:"tags"`
	Meta  struct {
		Priority int `json:"priority"`
	} `json:"meta"`
}

func decodeWith(t *testing.T, ct, body string, opts ...bodyparser.DecodeOption) (task, error) {
	t.Helper()
	var got task
	var err error
	h := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err = bodyparser.Decode[task](r, opts...)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request{ct: ct, body: body}.build())
	if rec.Code != 200 {
		t.Fatalf("the middleware answered %d %s", rec.Code, rec.Body)
	}
	return got, err
}

func TestDecodeFillsATypedValueAndNamesWhatIsWrong(t *testing.T) {
	t.Parallel()
	got, err := decodeWith(t, "application/json", `{"title":"write docs","done":true,"tags":["a"],"meta":{"priority":2}}`)
	if err != nil || got.Title != "write docs" || !got.Done || got.Tags[0] != "a" || got.Meta.Priority != 2 {
		t.Errorf("Decode = %+v, %v", got, err)
	}
	cases := []struct {
		name, ct, body string
		opts           []bodyparser.DecodeOption
		status         int
		msg            string
	}{
		{"wrong type names the field", "application/json", `{"meta":{"priority":"high"}}`, nil, 400, `Invalid JSON: field "meta.priority" must be an integer, got string`},
		{"an array element names the array, on every Go", "application/json", `{"tags":["a",2]}`, nil, 400, `Invalid JSON: field "tags" must be a string, got number`},
		{"wrong top-level type", "application/json", `[1]`, nil, 400, `Invalid JSON: value must be an object, got array (at byte 1)`},
		{"unknown field is refused when asked", "application/json", `{"titel":"x"}`, []bodyparser.DecodeOption{bodyparser.DisallowUnknownFields}, 400, `Invalid JSON: unknown field "titel"`},
		{"not json", "text/plain", `{"title":"x"}`, nil, 415, "Content-Type must be application/json or application/*+json"},
		{"a form is not json", "application/x-www-form-urlencoded", `title=x`, nil, 415, "Content-Type must be application/json or application/*+json"},
	}
	for _, tc := range cases {
		_, err := decodeWith(t, tc.ct, tc.body, tc.opts...)
		var ae *apierror.Error
		if !errors.As(err, &ae) || ae.Status != tc.status || ae.Message != tc.msg {
			t.Errorf("%s: err = %v, want %d %q", tc.name, err, tc.status, tc.msg)
		}
	}
	if _, err := decodeWith(t, "application/json", `{"titel":"x"}`); err != nil {
		t.Errorf("unknown fields are ignored by default: %v", err)
	}
	if got, err := decodeWith(t, "application/json", ``); err != nil || got.Title != "" {
		t.Errorf("empty body: %+v, %v; want the zero value", got, err)
	}
	if got, err := decodeWith(t, "-", ``); err != nil || got.Title != "" {
		t.Errorf("no body at all: %+v, %v; want the zero value", got, err)
	}
}

func TestDecodeWithoutTheMiddlewareIsAServerError(t *testing.T) {
	t.Parallel()
	_, err := bodyparser.Decode[task](httptest.NewRequest("POST", "/", strings.NewReader(`{}`)))
	var ae *apierror.Error
	if !errors.As(err, &ae) || ae.Status != 500 || !strings.Contains(err.Error(), "needs the bodyparser middleware") {
		t.Errorf("err = %v", err)
	}
}

func TestErrorsUseTheConfiguredRenderer(t *testing.T) {
	t.Parallel()
	rec, _ := serve(t, bodyparser.Config{Errors: apierror.Config{Renderer: apierror.RenderText}}, request{ct: "application/json", body: "{"}.build())
	if rec.Code != 400 || rec.Body.String() != "Invalid JSON" || rec.Header().Get("Content-Type") != "" {
		t.Errorf("got %d %q %q", rec.Code, rec.Body, rec.Header().Get("Content-Type"))
	}
	// An enclosing apierror layer's renderer is inherited.
	h := apierror.Config{Renderer: apierror.RenderProblem}.Recover(bodyparser.New(bodyparser.Config{})(http.NotFoundHandler()))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, request{ct: "application/json", body: "{"}.build())
	if rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("inherited renderer not used: %q %s", rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestInvalidConfigFailsAtStartUp(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"1mib":  `bodyparser: SizeLimit "1mib": unknown unit "mib"; use b, kb, mb, gb, tb or pb`,
		"1m":    `bodyparser: SizeLimit "1m": unknown unit "m"`,
		" 1mb":  `bodyparser: SizeLimit " 1mb": leading or trailing space`,
		"-1mb":  `bodyparser: SizeLimit "-1mb": negative size`,
		"1,5mb": `bodyparser: SizeLimit "1,5mb": not a size`,
	}
	for limit, want := range cases {
		err := bodyparser.Config{SizeLimit: limit}.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Validate(%q) = %v, want prefix %q", limit, err, want)
		}
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(v.(error).Error(), want) {
					t.Errorf("New(%q) panicked with %v", limit, v)
				}
			}()
			bodyparser.New(bodyparser.Config{SizeLimit: limit})
		}()
	}
	for _, ok := range []string{"", "0", "1mb", "1 MB", "1.5kb", "100", strconv.FormatInt(7, 10)} {
		if err := (bodyparser.Config{SizeLimit: ok}).Validate(); err != nil {
			t.Errorf("Validate(%q) = %v", ok, err)
		}
	}
}

func TestContentEncodingListsAreCountedAcrossLines(t *testing.T) {
	t.Parallel()
	gz := func(n int) string {
		b := []byte(`{"a":1}`)
		for range n {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(b)
			_ = zw.Close()
			b = buf.Bytes()
		}
		return string(b)
	}
	cases := []struct {
		name   string
		lines  []string
		body   string
		status int
	}{
		{"one coding", []string{"gzip"}, gz(1), 200},
		{"two codings in one line", []string{"gzip, gzip"}, gz(2), 200},
		{"two codings in two lines", []string{"gzip", "gzip"}, gz(2), 200},
		{"identity and empty entries are free", []string{"identity, gzip,, identity", strings.Repeat("identity,", 1000)}, gz(1), 200},
		{"three codings in one line", []string{"gzip, gzip, gzip"}, gz(3), 415},
		{"three codings in three lines", []string{"gzip", "gzip", "gzip"}, gz(3), 415},
		{"3,000 lines", strings.Split(strings.Repeat("gzip\n", 3000), "\n"), gz(1), 415},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := request{ct: "application/json", body: tc.body}.build()
			r.Header["Content-Encoding"] = tc.lines
			rec, s := serve(t, bodyparser.Config{}, r)
			if rec.Code != tc.status || s.called != (tc.status == 200) {
				t.Fatalf("got %d %s (handler ran: %v), want %d", rec.Code, rec.Body, s.called, tc.status)
			}
			if tc.status == 415 && rec.Header().Get("Accept-Encoding") != "gzip, deflate" {
				t.Errorf("the 415 says Accept-Encoding %q, want what would have been accepted", rec.Header().Get("Accept-Encoding"))
			}
			if tc.status == 200 && string(s.raw) != `{"a":1}` {
				t.Errorf("decoded %q", s.raw)
			}
		})
	}
}

func TestRefusingLongHeadersCostsNothingInProportionToThem(t *testing.T) {
	h := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	cases := []struct {
		name, ct, ce string
		status       int
	}{
		{"8,000 codings", "application/json", strings.Repeat("deflate,", 8000), 415},
		{"a 64 KiB unsupported coding", "application/json", strings.Repeat("z", 64<<10), 415},
		{"a 64 KiB charset", "application/json; charset=" + strings.Repeat("U", 64<<10), "", 400},
	}
	for _, tc := range cases {
		r := request{ct: tc.ct, body: "{}", header: map[string]string{"Content-Encoding": tc.ce}}.build()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r) // warm up
		if rec.Code != tc.status {
			t.Fatalf("%s: got %d %s, want %d", tc.name, rec.Code, rec.Body, tc.status)
		}
		const runs = 50
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
		}
		runtime.ReadMemStats(&after)
		// The recorder and the answer: a few KiB, whatever the header.
		if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 8<<10 {
			t.Errorf("%s: %d bytes allocated to refuse it", tc.name, per)
		}
	}
}

func TestBodylessRequestsDoNotAllocate(t *testing.T) {
	h := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest("GET", "/api/x", nil)
	w := httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("a bodyless GET allocates %v times", n)
	}
}
