package bodyparser

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/whatwg"
)

const fuzzBoundary = "XyZ"

// fuzzLimits are small, so that the fuzzer reaches every limit.
func fuzzLimits(t testing.TB) *multipartLimits {
	p := &parser{}
	c := Config{SizeLimit: "64kb", Multipart: &MultipartConfig{
		MaxFileSize: "2kb", MaxFieldSize: "1kb", MaxParts: 50, MaxPartHeaderSize: "256b", MaxMemory: "4kb", TempDir: t.TempDir(),
	}}
	if err := c.compileForms(p); err != nil {
		t.Fatal(err)
	}
	return p.multipart
}

// parseForm runs the parser over body, reading it in pieces of oneByte
// bytes or whole.
func parseForm(l *multipartLimits, body []byte, oneByte bool) (*FormData, *formParser, error) {
	var src io.Reader = bytes.NewReader(body)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	fp := &formParser{src: src, buf: make([]byte, l.bufSize), lim: l, mem: l.memory, form: &FormData{}}
	err := fp.parse(fuzzBoundary)
	return fp.form, fp, err
}

// hostileSeeds are bodies shaped to hurt a parser.
func hostileSeeds() []string {
	d := "--" + fuzzBoundary
	field := d + "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n"
	return []string{
		"",
		d + "--",
		field + d + "--\r\n",
		"preamble\r\n" + field + d + "--\r\nepilogue",
		strings.Repeat(field, 60) + d + "--",                                                 // too many parts
		d + "\r\nX: " + strings.Repeat("h", 300) + "\r\n\r\nv\r\n" + d + "--",                // header too large
		d + "\r\n" + strings.Repeat("X: y\r\n", 100) + "\r\nv\r\n" + d + "--",                // many header lines
		d + "\r\nContent-Disposition: form-data; name=a\r\n\r\n" + strings.Repeat("v", 5000), // unterminated
		d + "\r\nContent-Disposition: form-data; name=f; filename=f\r\n\r\n" + strings.Repeat("f", 3000) + "\r\n" + d + "--",
		d + "\r\nContent-Disposition: form-data; name=a\r\n\r\n" + strings.Repeat("\r\n"+d[:4], 200) + "\r\n" + d + "--",
		d + "\r\nContent-Disposition: form-data; name*=UTF-8''%C3%A9\r\n\r\nv\r\n" + d + "--",
		d + "\n" + "Content-Disposition: form-data; name=a\n\nv\n" + d + "--\n",      // LF only
		d + "\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n" + d + "--", // folded
		d + "\r\nContent-Disposition: form-data; name=\"a\xff\"; filename=\"../x\xfe\"\r\nContent-Type: text/\xff\r\n\r\n\xff\r\n" + d + "--",
		d + "\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: form-data; name=a\r\n\r\na=3D\r\n" + d + "--",
		d + "  \t \r\n\r\n\r\n" + d + "-- ",
		d + "\r\n" + d + "\r\n" + d + "--",
		strings.Repeat(d+"\r\nContent-Disposition: form-data; name=f; filename=f\r\n\r\n"+strings.Repeat("x", 1500)+"\r\n", 4) + d + "--",
	}
}

// checkBounds fails when the form holds more than the memory budget.
func checkBounds(t *testing.T, l *multipartLimits, fd *FormData, fp *formParser) {
	t.Helper()
	if fp.mem < 0 {
		t.Fatalf("memory budget overspent: %d", fp.mem)
	}
	var held int64
	for _, e := range fd.entries {
		held += partOverhead + int64(len(e.Name)+len(e.Value))
		if f := e.File; f != nil {
			held += int64(len(f.Filename) + len(f.ContentType))
			for _, c := range f.data {
				held += int64(cap(c) + chunkOverhead)
			}
			if f.Size > l.file {
				t.Fatalf("file of %d bytes over the limit", f.Size)
			}
		} else if int64(len(e.Value)) > l.field {
			t.Fatalf("field of %d bytes over the limit", len(e.Value))
		}
	}
	if held > l.memory {
		t.Fatalf("form holds %d bytes, over MaxMemory %d", held, l.memory)
	}
	if len(fd.entries) > l.parts {
		t.Fatalf("%d parts", len(fd.entries))
	}
}

// describe prints a form in a form both parsers can be compared in.
func describe(fd *FormData) string {
	var b strings.Builder
	for _, e := range fd.entries {
		if e.File == nil {
			fmt.Fprintf(&b, "field %q=%q\n", e.Name, e.Value)
			continue
		}
		f, _ := e.File.Open()
		data, _ := io.ReadAll(f)
		f.Close()
		fmt.Fprintf(&b, "file %q %q %q %d %q\n", e.Name, e.File.Filename, e.File.ContentType, e.File.Size, data)
	}
	return b.String()
}

// describeStd prints what mime/multipart's reader gives, part by part, with
// our UTF-8 repair applied, or ok = false when it fails.
func describeStd(body []byte) (string, bool) {
	mr := multipart.NewReader(bytes.NewReader(body), fuzzBoundary)
	var b strings.Builder
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return b.String(), true
		}
		if err != nil {
			return "", false
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return "", false
		}
		name := p.FormName()
		if name == "" {
			continue
		}
		u := whatwg.ValidUTF8String
		if p.FileName() == "" {
			fmt.Fprintf(&b, "field %q=%q\n", u(name), u(string(data)))
		} else {
			// mime/multipart's FileName is filepath.Base of the parameter;
			// ours is never a path nor a dot segment.
			_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			fmt.Fprintf(&b, "file %q %q %q %d %q\n", u(name), u(baseName(params["filename"])), u(p.Header.Get("Content-Type")), len(data), data)
		}
	}
}

// FuzzMultipart feeds any bytes to the parser: it must not panic, must
// keep within its limits, must give the same form whether the bytes come
// whole or one at a time, and must agree with mime/multipart on every body
// both accept.
func FuzzMultipart(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	l := fuzzLimits(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fd, fp, err := parseForm(l, body, false)
		defer fp.removeTemps()
		var e *apierror.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("not an apierror: %v", err)
		}
		if err != nil && e.Status != 400 && e.Status != 413 {
			t.Fatalf("status %d", e.Status)
		}
		fd1, fp1, err1 := parseForm(l, body, true)
		defer fp1.removeTemps()
		var e1 *apierror.Error
		if (err == nil) != (err1 == nil) || (err != nil && (!errors.As(err1, &e1) || e1.Status != e.Status)) {
			t.Fatalf("whole: %v; byte by byte: %v", err, err1)
		}
		if err != nil {
			return
		}
		checkBounds(t, l, fd, fp)
		got := describe(fd)
		if got1 := describe(fd1); got1 != got {
			t.Fatalf("whole:\n%s\nbyte by byte:\n%s", got, got1)
		}
		if bytes.Contains(bytes.ToLower(body), []byte("content-transfer-encoding")) {
			return // mime/multipart decodes quoted-printable; browsers never send it
		}
		if bareLF(body) {
			return // mime/multipart also reads LF-only bodies, differently
		}
		if want, ok := describeStd(body); ok && want != got {
			t.Fatalf("ours:\n%s\nmime/multipart:\n%s", got, want)
		}
	})
}

// FuzzMultipartAgreesOnWrittenForms builds valid forms with mime/multipart's
// writer: the parser must accept every one that fits the limits, as
// mime/multipart reads it.
func FuzzMultipartAgreesOnWrittenForms(f *testing.F) {
	f.Add("title", "", "", "write docs", uint8(1))
	f.Add("avatar", "me.png", "image/png", "\x89PNG\r\n--XyZ\r\n", uint8(2))
	f.Add("a\"b", "dir/x\\y.txt", "text/plain; charset=utf-8", "\r\n--XyZ--\r\n", uint8(3))
	f.Add("é", "ü.txt", "", strings.Repeat("z", 900), uint8(1))
	f.Add("long", "", "", strings.Repeat("field ", 150), uint8(2))
	l := fuzzLimits(f)
	f.Fuzz(func(t *testing.T, name, filename, ctype, value string, n uint8) {
		if strings.ContainsAny(name+filename+ctype, "\r\n") {
			return // the writer would break its own headers
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.SetBoundary(fuzzBoundary)
		for i := 0; i < int(n%8); i++ {
			h := textproto.MIMEHeader{}
			d := `form-data; name="` + escapeQuotes(name) + `"`
			if filename != "" {
				d += `; filename="` + escapeQuotes(filename) + `"`
			}
			h.Set("Content-Disposition", d)
			if ctype != "" {
				h.Set("Content-Type", ctype)
			}
			w, _ := mw.CreatePart(h)
			io.WriteString(w, value)
		}
		mw.Close()
		body := buf.Bytes()
		want, ok := describeStd(body)
		if !ok {
			return
		}
		fd, fp, err := parseForm(l, body, false)
		defer fp.removeTemps()
		if err != nil {
			var e *apierror.Error
			if errors.As(err, &e) && e.Status == 413 {
				return // over a limit: fine
			}
			t.Fatalf("refused a form mime/multipart reads: %v\n%q", err, body)
		}
		if got := describe(fd); got != want {
			t.Fatalf("ours:\n%s\nmime/multipart:\n%s", got, want)
		}
	})
}

// bareLF reports an LF not preceded by CR.
func bareLF(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}

func escapeQuotes(s string) string {
	return strings.NewReplacer("\\", "\\\\", `"`, "\\\"").Replace(s)
}

func TestHostileSeedsLeaveNoTemporaryFiles(t *testing.T) {
	l := fuzzLimits(t)
	for _, s := range hostileSeeds() {
		_, fp, _ := parseForm(l, []byte(s), false)
		fp.removeTemps()
	}
	if left, _ := os.ReadDir(l.tempDir); len(left) != 0 {
		t.Errorf("%d temporary files left", len(left))
	}
}
