package bodyparser_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

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
		{"an empty body still reaches the handler", bodyparser.Config{AlwaysJSON: true}, "text/plain", ``, 200, ""},
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
