package benchmarks

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// BodyParserMultipart reads a multipart/form-data upload: a handler that
// takes the field "title" and reads the file "file" to the end (the small
// form has no file). The baselines are net/http's r.ParseMultipartForm
// ("stdlib", behind http.MaxBytesReader), echo's c.FormFile and gin's
// c.FormFile, each in its own router. All four keep up to 32 MiB in memory
// (the frameworks' default), so that none of them touches the disk: ours is
// configured with MaxMemory 32mb for the comparison (its default, 1mb,
// would write the 10 MiB file to a temporary file).

const multipartMemory = 32 << 20

type multipartCase struct {
	name     string
	fileSize int // 0: fields only
}

var multipartCases = []multipartCase{{"form=fields", 0}, {"form=1MiB-file", 1 << 20}, {"form=10MiB-file", 10 << 20}}

// multipartPayload is a form with a few fields and, if size > 0, a file of
// size bytes.
func multipartPayload(size int) (contentType string, body []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "Quarterly report")
	mw.WriteField("description", "Numbers for Q3, with the charts the board asked for.")
	mw.WriteField("tag", "finance")
	mw.WriteField("tag", "q3")
	mw.WriteField("priority", "2")
	if size > 0 {
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		fw.Write(bytes.Repeat([]byte("%PDF-1.7 binary-ish content 0123456789abcdef\n"), size/45+1)[:size])
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// multipartResult is what a handler read: the title and the file's length.
type multipartResult struct {
	title string
	n     int64
}

func readFile(open func() (multipart.File, error)) int64 {
	f, err := open()
	if err != nil {
		return -1
	}
	defer f.Close()
	n, _ := io.Copy(io.Discard, f)
	return n
}

func multipartWithAPIRoutes(c multipartCase, out *multipartResult) http.Handler {
	return bodyparser.New(bodyparser.Config{SizeLimit: "16mb", Multipart: &bodyparser.MultipartConfig{MaxMemory: "32mb"}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fd := bodyparser.Multipart(r)
		out.title = fd.Get("title")
		if f := fd.File("file"); f != nil {
			out.n = readFile(f.Open)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}

func multipartWithStdlib(c multipartCase, out *multipartResult) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<20)
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer r.MultipartForm.RemoveAll()
		out.title = r.FormValue("title")
		if c.fileSize > 0 {
			_, fh, err := r.FormFile("file")
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			out.n = readFile(fh.Open)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func multipartWithEcho(c multipartCase, out *multipartResult) http.Handler {
	e := echo.New()
	e.POST("/api/orders", func(ec echo.Context) error {
		if c.fileSize > 0 {
			fh, err := ec.FormFile("file")
			if err != nil {
				return err
			}
			out.n = readFile(fh.Open)
		}
		out.title = ec.FormValue("title")
		if f := ec.Request().MultipartForm; f != nil {
			defer f.RemoveAll()
		}
		return ec.NoContent(http.StatusNoContent)
	})
	return e
}

func multipartWithGin(c multipartCase, out *multipartResult) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.POST("/api/orders", func(gc *gin.Context) {
		if c.fileSize > 0 {
			fh, err := gc.FormFile("file")
			if err != nil {
				gc.AbortWithStatus(http.StatusBadRequest)
				return
			}
			out.n = readFile(fh.Open)
		}
		out.title = gc.PostForm("title")
		if f := gc.Request.MultipartForm; f != nil {
			defer f.RemoveAll()
		}
		gc.Status(http.StatusNoContent)
	})
	return g
}

func BenchmarkBodyParserMultipart(b *testing.B) {
	impls := []struct {
		name string
		h    func(multipartCase, *multipartResult) http.Handler
	}{
		{"apiroutes", multipartWithAPIRoutes},
		{"stdlib", multipartWithStdlib},
		{"echo", multipartWithEcho},
		{"gin", multipartWithGin},
	}
	for _, c := range multipartCases {
		ct, payload := multipartPayload(c.fileSize)
		b.Run(c.name, func(b *testing.B) {
			for _, impl := range impls {
				b.Run(impl.name, func(b *testing.B) {
					var out multipartResult
					benchServe(b, newFixture(http.MethodPost, ct, payload, false), impl.h(c, &out), true, http.StatusNoContent)
					if out.title != "Quarterly report" || out.n != int64(c.fileSize) {
						b.Fatalf("read title %q and a file of %d bytes, want %d", out.title, out.n, c.fileSize)
					}
				})
			}
		})
	}
}

// The benchmarks compare like with like only if every side reads the same
// form: check it once, outside the timings.
func TestMultipartBaselinesReadTheSameForm(t *testing.T) {
	for _, c := range multipartCases[:2] {
		ct, payload := multipartPayload(c.fileSize)
		for name, h := range map[string]func(multipartCase, *multipartResult) http.Handler{
			"apiroutes": multipartWithAPIRoutes, "stdlib": multipartWithStdlib, "echo": multipartWithEcho, "gin": multipartWithGin,
		} {
			var out multipartResult
			f := newFixture(http.MethodPost, ct, payload, false)
			f.serve(h(c, &out))
			if f.w.status != http.StatusNoContent || out.title != "Quarterly report" || out.n != int64(c.fileSize) {
				t.Errorf("%s/%s: status %d, title %q, file %d bytes", c.name, name, f.w.status, out.title, out.n)
			}
		}
	}
}
