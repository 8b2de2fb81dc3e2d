package bodyparser_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// part is one part of a test form; a file when filename is set.
type part struct {
	name, filename, contentType, value string
}

// formBody encodes parts with mime/multipart's writer.
func formBody(t testing.TB, boundary string, parts ...part) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if boundary != "" {
		if err := mw.SetBoundary(boundary); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		d := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			d += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", d)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.value)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.String()
}

// formSeen is what a handler saw of a multipart request.
type formSeen struct {
	called bool
	fields map[string][]string
	files  []string // name/filename/type/size/content
	form   string   // r.FormValue("title")
	temps  []string // temporary files that existed during the handler
}

func serveForm(t *testing.T, cfg bodyparser.Config, ct, body string) (*httptest.ResponseRecorder, *formSeen) {
	t.Helper()
	seen := &formSeen{}
	h := bodyparser.New(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.called = true
		fd := bodyparser.Multipart(r)
		if fd == nil {
			fmt.Fprintf(w, "text:%s", bodyparser.Text(r))
			return
		}
		seen.fields = fd.Values()
		seen.form = r.FormValue("title")
		for _, e := range fd.Entries() {
			if e.File == nil {
				continue
			}
			f, err := e.File.Open()
			if err != nil {
				t.Errorf("Open: %v", err)
				continue
			}
			b, _ := io.ReadAll(f)
			f.Close()
			seen.files = append(seen.files, fmt.Sprintf("%s/%s/%s/%d/%s", e.Name, e.File.Filename, e.File.ContentType, e.File.Size, b))
		}
		if cfg.Multipart != nil && cfg.Multipart.TempDir != "" {
			seen.temps, _ = filepath.Glob(filepath.Join(cfg.Multipart.TempDir, "*"))
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	r := httptest.NewRequest("POST", "/api/upload?title=fromquery", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, seen
}

func TestMultipartBodiesAreParsedIntoFieldsAndFiles(t *testing.T) {
	t.Parallel()
	ct, body := formBody(t, "", part{name: "title", value: "write docs"},
		part{name: "tag", value: "a"}, part{name: "avatar", filename: "../../etc/me.png", contentType: "image/png", value: "PNG..."},
		part{name: "tag", value: "b"}, part{name: "bad", value: "\xff"}, part{name: "long", value: strings.Repeat("long field ", 1000)}, part{name: "notes", filename: "n.txt", value: ""})
	rec, seen := serveForm(t, bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}}, ct, body)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	want := map[string][]string{"title": {"write docs"}, "tag": {"a", "b"}, "bad": {"\uFFFD"}, "long": {strings.Repeat("long field ", 1000)}}
	if fmt.Sprint(seen.fields) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", seen.fields, want)
	}
	if seen.form != "write docs" { // r.FormValue: the body before the query, as net/http does
		t.Errorf("r.FormValue = %q", seen.form)
	}
	wantFiles := []string{"avatar/me.png/image/png/6/PNG...", "notes/n.txt//0/"}
	if fmt.Sprint(seen.files) != fmt.Sprint(wantFiles) {
		t.Errorf("files %q, want %q", seen.files, wantFiles)
	}
}

func TestMultipartIsTextUnlessConfigured(t *testing.T) {
	t.Parallel()
	ct, body := formBody(t, "b0undary", part{name: "title", value: "x"})
	rec, _ := serveForm(t, bodyparser.Config{}, ct, body)
	if got := rec.Body.String(); got != "text:"+body {
		t.Errorf("got %q, want the text as Next's pages router reads it", got)
	}
}

func TestFormDataAccessorsFollowTheWebsFormData(t *testing.T) {
	t.Parallel()
	ct, body := formBody(t, "", part{name: "a", value: "1"}, part{name: "f", filename: "x.bin", value: "xx"},
		part{name: "a", value: "2"}, part{name: "f", filename: "y.bin", value: "yyy"})
	h := bodyparser.New(bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fd := bodyparser.Multipart(r)
		fmt.Fprintln(w, fd.Get("a"), fd.GetAll("a"), fd.Get("missing") == "", fd.Has("f"), fd.Has("g"))
		fmt.Fprintln(w, fd.File("f").Filename, len(fd.Files("f")), fd.File("a") == nil, fd.Files("f")[1].Size)
		var nilForm *bodyparser.FormData
		fmt.Fprintln(w, nilForm.Get("a"), nilForm.File("a") == nil, nilForm.Has("a"), len(nilForm.Entries()))
	}))
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	want := "1 [1 2] true true false\nx.bin 2 true 3\n true false 0\n"
	if rec.Body.String() != want {
		t.Errorf("got %q, want %q", rec.Body.String(), want)
	}
}

func TestBadMultipartBodiesGetClearAnswersBeforeTheHandler(t *testing.T) {
	t.Parallel()
	const b = "XyZ"
	ok := func(parts ...part) string { _, s := formBody(t, b, parts...); return s }
	small := &bodyparser.MultipartConfig{MaxFileSize: "10b", MaxFieldSize: "8b", MaxParts: 3, MaxPartHeaderSize: "100b"}
	tests := []struct {
		name   string
		cfg    bodyparser.Config
		ct     string
		body   string
		status int
		msg    string
	}{
		{"a missing boundary", bodyparser.Config{}, "multipart/form-data", ok(), 400, "Invalid multipart boundary"},
		{"a boundary over 70 characters", bodyparser.Config{}, "multipart/form-data; boundary=" + strings.Repeat("b", 71), ok(), 400, "Invalid multipart boundary"},
		{"a body without any boundary", bodyparser.Config{}, "", "just text", 400, "Invalid multipart body"},
		{"an unterminated last part", bodyparser.Config{}, "", "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue", 400, "Invalid multipart body"},
		{"a body that stops in the headers", bodyparser.Config{}, "", "--XyZ\r\nContent-Disposition: form-", 400, "Invalid multipart body"},
		{"a header line without a colon", bodyparser.Config{}, "", "--XyZ\r\nnonsense\r\n\r\nv\r\n--XyZ--", 400, "Invalid multipart body"},
		{"a folded header line", bodyparser.Config{}, "", "--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--XyZ--", 400, "Invalid multipart body"},
		{"a Content-Disposition of 65 parameters", bodyparser.Config{}, "", "--XyZ\r\nContent-Disposition: form-data; name=a" + strings.Repeat("; x=y", 64) + "\r\n\r\nv\r\n--XyZ--", 400, "Invalid multipart body"},
		{"garbage after the closing boundary", bodyparser.Config{}, "", "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ--junk", 400, "Invalid multipart body"},
		{"garbage after a boundary", bodyparser.Config{}, "", "--XyZ junk\r\n\r\nv\r\n--XyZ--", 400, "Invalid multipart body"},
		{"a file over MaxFileSize", bodyparser.Config{Multipart: small}, "", ok(part{name: "f", filename: "f", value: "12345678901"}), 413, "File exceeded 10b limit"},
		{"a field over MaxFieldSize", bodyparser.Config{Multipart: small}, "", ok(part{name: "f", value: "123456789"}), 413, "Field exceeded 8b limit"},
		{"too many parts", bodyparser.Config{Multipart: small}, "", ok(part{name: "a"}, part{name: "b"}, part{name: "c"}, part{name: "d"}), 413, "Form exceeded 3 parts limit"},
		{"unnamed parts count as parts", bodyparser.Config{Multipart: small}, "", strings.Repeat("--XyZ\r\n\r\nv\r\n", 4) + "--XyZ--", 413, "Form exceeded 3 parts limit"},
		{"a part header over MaxPartHeaderSize", bodyparser.Config{Multipart: small}, "", "--XyZ\r\nX-Pad: " + strings.Repeat("p", 100) + "\r\n\r\nv\r\n--XyZ--", 413, "Part header exceeded 100b limit"},
		{"an endless part header", bodyparser.Config{Multipart: small}, "", "--XyZ\r\nX-Pad: " + strings.Repeat("p", 1000), 413, "Part header exceeded 100b limit"},
		{"a body over SizeLimit", bodyparser.Config{SizeLimit: "100b"}, "", ok(part{name: "f", filename: "f", value: strings.Repeat("x", 101)}), 413, "Body exceeded 100b limit"},
		{"fields over MaxMemory", bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxMemory: "1kb"}}, "", ok(part{name: "a", value: strings.Repeat("x", 600)}, part{name: "b", value: strings.Repeat("x", 600)}), 413, "Form fields exceeded 1kb limit"},
		{"many empty fields over MaxMemory", bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxMemory: "1kb"}}, "", ok(part{name: "a"}, part{name: "a"}, part{name: "a"}, part{name: "a"}), 413, "Form fields exceeded 1kb limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.cfg.Multipart == nil {
				tt.cfg.Multipart = &bodyparser.MultipartConfig{}
			}
			if tt.ct == "" {
				tt.ct = "multipart/form-data; boundary=" + b
			}
			rec, seen := serveForm(t, tt.cfg, tt.ct, tt.body)
			if seen.called {
				t.Error("the handler ran")
			}
			var got struct{ Error string }
			json.Unmarshal(rec.Body.Bytes(), &got)
			if rec.Code != tt.status || got.Error != tt.msg {
				t.Errorf("got %d %s, want %d %q", rec.Code, rec.Body, tt.status, tt.msg)
			}
			if tt.status == 413 && rec.Header().Get("Connection") != "close" {
				t.Error("a 413 must close the connection")
			}
		})
	}
}

func TestMultipartEdgesOfTheGrammarAreAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       string
	}{
		{"a preamble and an epilogue", "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ--\r\nepilogue", "map[a:[v]]"},
		{"transport padding after boundaries", "--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ--  \r\n", "map[a:[v]]"},
		{"a boundary-like line inside data", "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZW\r\n--XyZ-x\r\n--XyZ--", "map[a:[v\r\n--XyZW\r\n--XyZ-x]]"},
		{"only the closing boundary", "--XyZ--", "map[]"},
		{"a closing-boundary-like line in the preamble", "--XyZ--0\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ--", "map[a:[v]]"},
		{"header names in any case, first one wins", "--XyZ\r\ncontent-disposition: form-data; name=a\r\nCONTENT-DISPOSITION: form-data; name=b\r\n\r\nv\r\n--XyZ--", "map[a:[v]]"},
		{"a part without a name is skipped", "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XyZ\r\n\r\nw\r\n--XyZ--", "map[]"},
		{"RFC 2231 names", "--XyZ\r\nContent-Disposition: form-data; name*=UTF-8''%C3%A9t%C3%A9\r\n\r\nv\r\n--XyZ--", "map[été:[v]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, seen := serveForm(t, bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}}, "multipart/form-data; boundary=XyZ", tt.body)
			if rec.Code != http.StatusNoContent || fmt.Sprint(seen.fields) != tt.want {
				t.Errorf("got %d %s %v, want %s", rec.Code, rec.Body, seen.fields, tt.want)
			}
		})
	}
}

func TestLargeFilesGoToTemporaryFilesThatAreRemovedAfterTheHandler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Repeat("0123456789abcdef", 8<<10) // 128 KiB
	ct, body := formBody(t, "", part{name: "small", filename: "s", value: "tiny"}, part{name: "big", filename: "b", value: big},
		part{name: "big", filename: "c", value: big})
	cfg := bodyparser.Config{SizeLimit: "1mb", Multipart: &bodyparser.MultipartConfig{MaxMemory: "64kb", TempDir: dir}}
	rec, seen := serveForm(t, cfg, ct, body)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	if len(seen.temps) != 2 {
		t.Errorf("%d temporary files during the handler, want 2", len(seen.temps))
	}
	if len(seen.files) != 3 || seen.files[1] != "big/b//131072/"+big || seen.files[2] != "big/c//131072/"+big {
		t.Error("the files read back differ from what was sent")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d temporary files left after the handler", len(left))
	}
}

func TestTemporaryFilesAreRemovedWhenTheHandlerPanicsOrTheBodyIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Repeat("x", 100<<10)
	cfg := bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxMemory: "16kb", MaxParts: 2, TempDir: dir}}
	h := bodyparser.New(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bodyparser.Multipart(r).File("f") == nil {
			t.Error("no file")
		}
		panic("handler bug")
	}))
	ct, body := formBody(t, "", part{name: "f", filename: "f", value: big})
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	func() {
		defer func() { recover() }()
		h.ServeHTTP(httptest.NewRecorder(), r)
	}()
	// A refused body: the third part is one too many, after a file on disk.
	ct, body = formBody(t, "", part{name: "f", filename: "f", value: big}, part{name: "g", value: "1"}, part{name: "h", value: "2"})
	rec, _ := serveForm(t, cfg, ct, body)
	if rec.Code != 413 {
		t.Errorf("status %d", rec.Code)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d temporary files left", len(left))
	}
}

func TestMultipartBodiesMayBeCompressed(t *testing.T) {
	t.Parallel()
	ct, body := formBody(t, "", part{name: "title", value: "zipped"})
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	io.WriteString(zw, body)
	zw.Close()
	var got string
	h := bodyparser.New(bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = bodyparser.Multipart(r).Get("title")
	}))
	r := httptest.NewRequest("POST", "/", &z)
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Content-Encoding", "gzip")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "zipped" {
		t.Errorf("got %q", got)
	}
}

func TestOtherAccessorsSeeAMultipartBodyAsNotJSON(t *testing.T) {
	t.Parallel()
	ct, body := formBody(t, "", part{name: "title", value: "x"})
	var status int
	var empty bool
	h := bodyparser.New(bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := bodyparser.Decode[map[string]any](r)
		status = err.(interface{ StatusCode() int }).StatusCode()
		b, _ := io.ReadAll(r.Body)
		empty = len(b) == 0
	}))
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if status != 415 || !empty {
		t.Errorf("Decode status %d, r.Body empty %v; want 415 and an empty r.Body", status, empty)
	}
}

func TestInvalidMultipartConfigFailsAtStartUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  bodyparser.Config
		want string
	}{
		{"Raw with Multipart", bodyparser.Config{Raw: true, Multipart: &bodyparser.MultipartConfig{}}, "cannot be combined with Raw"},
		{"Raw with AlwaysJSON", bodyparser.Config{Raw: true, AlwaysJSON: true}, "cannot be combined with Raw"},
		{"a bad SizeLimit is named as such", bodyparser.Config{SizeLimit: "1m", Multipart: &bodyparser.MultipartConfig{}}, "SizeLimit \"1m\""},
		{"a bad MaxFileSize", bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxFileSize: "1mib"}}, "Multipart.MaxFileSize"},
		{"a huge MaxPartHeaderSize", bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxPartHeaderSize: "1mb"}}, "between 64b and 64kb"},
		{"negative MaxParts", bodyparser.Config{Multipart: &bodyparser.MultipartConfig{MaxParts: -1}}, "must not be negative"},
		{"a missing TempDir", bodyparser.Config{Multipart: &bodyparser.MultipartConfig{TempDir: "/nonexistent/dir"}}, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "bodyparser: ") {
				t.Errorf("Validate() = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestABodylessMultipartRequestGetsAnEmptyForm(t *testing.T) {
	t.Parallel()
	var fd *bodyparser.FormData
	h := bodyparser.New(bodyparser.Config{Multipart: &bodyparser.MultipartConfig{}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fd = bodyparser.Multipart(r)
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if fd == nil || len(fd.Entries()) != 0 || fd.Values() == nil {
		t.Errorf("got %+v, want an empty form", fd)
	}
}
