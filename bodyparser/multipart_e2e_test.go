package bodyparser_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// foreignWriter is a response wrapper from another library, between the
// middleware and the server: it must not hide the connection.
type foreignWriter struct{ http.ResponseWriter }

func (w foreignWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func TestMultipartUploadsWorkOnTheWireOverHTTP1AndHTTP2(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			parsed := bodyparser.New(bodyparser.Config{SizeLimit: "4mb", Multipart: &bodyparser.MultipartConfig{MaxFileSize: "2mb", MaxMemory: "64kb", TempDir: dir}})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fd := bodyparser.Multipart(r)
					f := fd.File("file")
					if f == nil {
						http.Error(w, "no file", 400)
						return
					}
					rd, err := f.Open()
					if err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					defer rd.Close()
					io.WriteString(w, fd.Get("title")+":")
					io.Copy(w, rd)
				}))
			s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				parsed.ServeHTTP(foreignWriter{w}, r)
			}))
			s.EnableHTTP2 = h2
			if h2 {
				s.StartTLS()
			} else {
				s.Start()
			}
			defer s.Close()

			upload := func(size int) (int, string, error) {
				pr, pw := io.Pipe()
				mw := multipart.NewWriter(pw)
				go func() {
					mw.WriteField("title", "report")
					fw, _ := mw.CreateFormFile("file", "r.bin")
					_, err := io.Copy(fw, io.LimitReader(repeatReader('z'), int64(size)))
					if err == nil {
						err = mw.Close()
					}
					pw.CloseWithError(err)
				}()
				req, _ := http.NewRequest("POST", s.URL, pr) // chunked: no Content-Length to refuse early
				req.Header.Set("Content-Type", mw.FormDataContentType())
				resp, err := s.Client().Do(req)
				if err != nil {
					return 0, "", err
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b), nil
			}

			status, body, err := upload(1 << 20) // on disk: over MaxMemory
			if err != nil || status != 200 || body != "report:"+strings.Repeat("z", 1<<20) {
				t.Errorf("a 1 MiB upload: %d, %d bytes, %v", status, len(body), err)
			}
			status, body, err = upload(3 << 20) // over MaxFileSize
			if err != nil || status != 413 || !strings.Contains(body, "File exceeded 2mb limit") {
				t.Errorf("a 3 MiB upload: %d %q %v; want 413 and the message, not a reset", status, body, err)
			}
			status, _, err = upload(10)
			if err != nil || status != 200 {
				t.Errorf("the next upload: %d %v", status, err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("%d temporary files left", len(left))
			}
		})
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	copy(p, bytes.Repeat([]byte{byte(r)}, len(p)))
	return len(p), nil
}
