package bodyparser_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

// TestAlwaysJSONRefusesAnEmptyBodyAsRequestJSONDoes: request.json() throws
// on an empty body, so Decode on an AlwaysJSON route answers 400, while a
// GET on the same route, which reads no body, still reaches the handler.
func TestAlwaysJSONRefusesAnEmptyBodyAsRequestJSONDoes(t *testing.T) {
	t.Parallel()
	type task struct {
		Title string `json:"title"`
	}
	h := bodyparser.New(bodyparser.Config{AlwaysJSON: true})(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if r.Method == http.MethodGet {
			_, err := io.WriteString(w, "list")
			return err
		}
		t, err := bodyparser.Decode[task](r)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, "created "+t.Title)
		return err
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		method, body string
		status       int
		want         string
	}{
		{"POST", ``, 400, `{"error":"Invalid JSON: empty body"}`},
		{"POST", `{"title":"x"}`, 200, "created x"},
		{"GET", ``, 200, "list"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL, strings.NewReader(tc.body))
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || string(b) != tc.want {
			t.Errorf("%s %q → %d %s, want %d %s", tc.method, tc.body, res.StatusCode, b, tc.status, tc.want)
		}
	}
}

func TestAlwaysJSONParsesEveryContentTypeAsRequestJSONDoes(t *testing.T) {
	t.Parallel()
	type in struct {
		Title string `json:"title"`
	}
	tests := []struct {
		name   string
		cfg    bodyparser.Config
		ct     string
		body   string
		status int
		want   string // what Decode gave, or its error
	}{
		{"fetch's string body (text/plain)", bodyparser.Config{AlwaysJSON: true}, "text/plain;charset=UTF-8", `{"title":"é"}`, 200, "é"},
		{"no Content-Type", bodyparser.Config{AlwaysJSON: true}, "", `{"title":"x"}`, 200, "x"},
		{"a urlencoded header on a JSON body", bodyparser.Config{AlwaysJSON: true}, "application/x-www-form-urlencoded", `{"title":"x"}`, 200, "x"},
		{"the charset is ignored: UTF-8 always", bodyparser.Config{AlwaysJSON: true}, "application/json; charset=latin1", "{\"title\":\"\xc3\xa9\"}", 200, "é"},
		{"an unknown charset is not an error", bodyparser.Config{AlwaysJSON: true}, "text/plain; charset=klingon", `{"title":"x"}`, 200, "x"},
		{"a BOM is dropped", bodyparser.Config{AlwaysJSON: true}, "text/plain", "\uFEFF{\"title\":\"x\"}", 200, "x"},
		{"invalid JSON is refused before the handler", bodyparser.Config{AlwaysJSON: true}, "text/plain", `title=x`, 400, `{"error":"Invalid JSON"}`},
		{"an empty body reaches the handler, whose Decode fails", bodyparser.Config{AlwaysJSON: true}, "text/plain", ``, 200, "Invalid JSON: empty body"},
		{"a BOM alone is an empty body", bodyparser.Config{AlwaysJSON: true}, "application/json", "\uFEFF", 200, "Invalid JSON: empty body"},
		{"without AlwaysJSON, an empty JSON body is the zero value (the pages router)", bodyparser.Config{}, "application/json", ``, 200, ""},
		{"multipart stays a form when Multipart is set", bodyparser.Config{AlwaysJSON: true, Multipart: &bodyparser.MultipartConfig{}}, "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=title\r\n\r\nform\r\n--B--", 200, "form"},
		{"without AlwaysJSON, text/plain is not JSON (the pages router)", bodyparser.Config{}, "text/plain;charset=UTF-8", `{"title":"x"}`, 200, "Content-Type must be application/json or application/*+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := bodyparser.New(tt.cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if fd := bodyparser.Multipart(r); fd != nil {
					w.Write([]byte(fd.Get("title")))
					return
				}
				v, err := bodyparser.Decode[in](r)
				if err != nil {
					w.Write([]byte(err.Error()))
					return
				}
				w.Write([]byte(v.Title))
			}))
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got := strings.TrimSpace(rec.Body.String()); rec.Code != tt.status || got != tt.want {
				t.Errorf("got %d %q, want %d %q", rec.Code, got, tt.status, tt.want)
			}
		})
	}
}
