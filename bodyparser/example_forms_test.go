package bodyparser_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

// The App Router's request.json(): fetch("/api/tasks", {method: "POST",
// body: JSON.stringify(task)}) sends text/plain;charset=UTF-8, which
// AlwaysJSON parses as JSON all the same.
func ExampleConfig_alwaysJSON() {
	type NewTask struct {
		Title string `json:"title"`
	}
	create := bodyparser.New(bodyparser.Config{AlwaysJSON: true})(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		in, err := bodyparser.Decode[NewTask](r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "created %q", in.Title)
		return err
	}))
	post(create, "text/plain;charset=UTF-8", `{"title":"write docs"}`)
	post(create, "text/plain;charset=UTF-8", `title=write docs`)
	// Output:
	// 200 created "write docs"
	// 400 {"error":"Invalid JSON"}
}

// The App Router's request.formData(): fields and files of a
// multipart/form-data upload, parsed on the stream within limits.
func ExampleMultipart() {
	upload := bodyparser.New(bodyparser.Config{
		SizeLimit: "10mb",
		Multipart: &bodyparser.MultipartConfig{MaxFileSize: "5mb"},
	})(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		form := bodyparser.Multipart(r)
		if form == nil {
			return apierror.New(http.StatusUnsupportedMediaType, "send multipart/form-data")
		}
		file := form.File("avatar")
		if file == nil {
			return apierror.BadRequest("avatar is required")
		}
		f, err := file.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := io.Copy(io.Discard, f) // store it somewhere real
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s uploaded %s (%s, %d bytes)", form.Get("user"), file.Filename, file.ContentType, n)
		return err
	}))

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("user", "ada")
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	fw.Write([]byte("\x89PNG fake image"))
	mw.Close()
	post(upload, mw.FormDataContentType(), body.String())

	post(upload, mw.FormDataContentType(), strings.TrimSuffix(body.String(), "--\r\n")) // cut short
	// Output:
	// 200 ada uploaded me.png (application/octet-stream, 15 bytes)
	// 400 {"error":"Invalid multipart body"}
}

// Example_multipartLimits shows the answers to bodies over the limits.
func Example_multipartLimits() {
	h := bodyparser.New(bodyparser.Config{
		Multipart: &bodyparser.MultipartConfig{MaxFileSize: "4b", MaxParts: 2},
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	send := func(body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	file := "--B\r\nContent-Disposition: form-data; name=f; filename=a.txt\r\n\r\n12345\r\n--B--"
	send(file)
	send(strings.Repeat("--B\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n", 3) + "--B--")
	// Output:
	// 413 {"error":"File exceeded 4b limit"}
	// 413 {"error":"Form exceeded 2 parts limit"}
}
