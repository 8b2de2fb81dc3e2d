package bodyparser

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
)

// limitBody replaces r.Body as chi's middleware.RequestSize does.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// wrapBody replaces r.Body with a reader of another type, as echo's
// BodyLimit does.
type wrapBody struct{ io.ReadCloser }

func TestAccessorsFindTheBodyAfterAMiddlewareReplacedIt(t *testing.T) {
	t.Parallel()
	type task struct {
		Title string `json:"title"`
	}
	replacers := map[string]func(http.Handler) http.Handler{
		"http.MaxBytesReader": limitBody(1 << 20),
		"a foreign reader type": func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Body = wrapBody{r.Body}
				next.ServeHTTP(w, r)
			})
		},
	}
	tests := []struct {
		name, ct, body, want string
	}{
		{"a JSON body decodes", "application/json", `{"title":"write docs"}`, "decoded write docs; raw 22; text 22"},
		{"an empty JSON body decodes to the zero value", "application/json", "", "decoded ; raw 0; text 0"},
		{"a form is still parsed", "application/x-www-form-urlencoded", "title=a+b", "form a b; raw 9; text 9"},
		{"an empty form is empty", "application/x-www-form-urlencoded", "", "form ; raw 0; text 0"},
		{"text is still read", "text/plain", "hello", "text hello; raw 5; text 5"},
	}
	for rname, replace := range replacers {
		for _, tc := range tests {
			t.Run(rname+"/"+tc.name, func(t *testing.T) {
				var got string
				h := New(Config{})(replace(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
					if _, ok := Value(r); !ok {
						return apierror.BadRequest("no value")
					}
					switch {
					case strings.HasPrefix(tc.ct, "application/json"):
						v, err := Decode[task](r)
						if err != nil {
							return err
						}
						got = "decoded " + v.Title
					case strings.HasPrefix(tc.ct, "application/x-www"):
						got = "form " + Form(r).Get("title")
					default:
						got = "text " + Text(r)
					}
					got += "; raw " + strconv.Itoa(len(Bytes(r))) + "; text " + strconv.Itoa(len(Text(r)))
					// The replaced r.Body still reads the same bytes.
					b, err := io.ReadAll(r.Body)
					if err != nil || string(b) != tc.body {
						t.Errorf("r.Body read %q, %v; want %q", b, err, tc.body)
					}
					return nil
				})))
				req := httptest.NewRequest("POST", "/api/tasks", strings.NewReader(tc.body))
				req.Header.Set("Content-Type", tc.ct)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || got != tc.want {
					t.Errorf("got %d %s, handler saw %q; want 200 and %q", rec.Code, rec.Body, got, tc.want)
				}
			})
		}
	}
}

func TestGetBodyGivesAFreshReaderOverTheSameBytes(t *testing.T) {
	t.Parallel()
	h := New(Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // consume the body
		for range 2 {
			rc, err := r.GetBody()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			if string(b) != `{"a":1}` {
				t.Errorf("GetBody read %q", b)
			}
		}
	}))
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), req)
}

func TestWithoutTheMiddlewareAForeignGetBodyIsNotMistakenForIt(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	closed := false
	req.GetBody = func() (io.ReadCloser, error) {
		return closer{strings.NewReader(`{}`), &closed}, nil
	}
	if _, err := Decode[map[string]any](req); err == nil {
		t.Error("Decode without the middleware succeeded")
	}
	if !closed {
		t.Error("the foreign GetBody's reader was not closed")
	}
}

type closer struct {
	io.Reader
	closed *bool
}

func (c closer) Close() error { *c.closed = true; return nil }

func TestMultipartSurvivesABodyLimitAfterTheParser(t *testing.T) {
	var got string
	h := New(Config{Multipart: &MultipartConfig{}})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, 10) // chi's RequestSize, echo's BodyLimit
			got = Multipart(r).Get("a")
		}))
	body := "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--b--\r\n"
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "value" {
		t.Errorf("Multipart(r).Get(a) = %q after r.Body was replaced; want value", got)
	}
}
