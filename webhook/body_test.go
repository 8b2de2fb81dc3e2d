package webhook_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/webhook"
)

// countingBody counts what the middleware reads of a request body, and
// fails with err (if set) once the bytes run out.
type countingBody struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF && c.err != nil {
		err = c.err
	}
	return n, err
}

func (*countingBody) Close() error { return nil }

// binary returns n bytes of every value, so that a reordered, cut or
// re-encoded body shows.
func binary(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	return b
}

func TestTheHandlerReadsTheVerifiedBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		size    int
		chunked bool
	}{
		{"empty", 0, false}, {"1 byte", 1, false}, {"64 KiB", 64 << 10, false},
		{"64 KiB chunked", 64 << 10, true}, {"the 1mb limit, chunked", 1 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := binary(tc.size)
			var got []byte
			var gotLength int64
			var copied int64
			h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotLength = r.ContentLength
				var buf bytes.Buffer
				copied, _ = io.Copy(&buf, r.Body)
				got = buf.Bytes()
				w.WriteHeader(http.StatusNoContent)
			}))
			orig := &countingBody{r: bytes.NewReader(body)}
			r := httptest.NewRequest("POST", "/", nil)
			r.Body, r.ContentLength = orig, int64(len(body))
			if tc.chunked {
				r.ContentLength = -1
			}
			r.Header.Set("X-Hub-Signature-256", signGitHub(ghSecret, string(body)))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 204 {
				t.Fatalf("got %d %s", w.Code, w.Body)
			}
			if !bytes.Equal(got, body) || copied != int64(len(body)) || gotLength != int64(len(body)) {
				t.Errorf("the handler read %d bytes (equal: %v) with ContentLength %d, want the %d sent", copied, bytes.Equal(got, body), gotLength, len(body))
			}
			if r.Body != io.ReadCloser(orig) || (tc.chunked && r.ContentLength != -1) {
				t.Errorf("r.Body and ContentLength were not restored when the handler returned")
			}
		})
	}
}

func TestABodyOverTheLimitIs413AfterReadingAtMostLimitPlusOneBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		limit     string
		size      int
		chunked   bool
		status    int
		maxRead   int64
		closeConn bool
		msg       string
	}{
		{"exactly the limit", "1kb", 1024, false, 200, 1024, false, ""},
		{"exactly the limit, chunked", "1kb", 1024, true, 200, 1024, false, ""},
		{"a byte over, with a Content-Length: refused unread", "1kb", 1025, false, 413, 0, true, "Body exceeded 1kb limit"},
		{"a byte over, chunked", "1kb", 1025, true, 413, 1025, true, "Body exceeded 1kb limit"},
		{"8 MiB chunked to a 1kb route", "1kb", 8 << 20, true, 413, 1025, true, "Body exceeded 1kb limit"},
		{"the default 1mb, a byte over, chunked", "", 1<<20 + 1, true, 413, 1<<20 + 1, true, "Body exceeded 1mb limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := binary(tc.size)
			h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, SizeLimit: tc.limit})(echo)
			cb := &countingBody{r: bytes.NewReader(body)}
			r := httptest.NewRequest("POST", "/", nil)
			r.Body, r.ContentLength = cb, int64(len(body))
			if tc.chunked {
				r.ContentLength = -1
			}
			r.Header.Set("X-Hub-Signature-256", signGitHub(ghSecret, string(body)))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status || tc.msg != "" && w.Body.String() != `{"error":"`+tc.msg+`"}` {
				t.Errorf("got %d %s, want %d %s", w.Code, w.Body, tc.status, tc.msg)
			}
			if cb.n > tc.maxRead {
				t.Errorf("read %d bytes, want at most %d", cb.n, tc.maxRead)
			}
			if got := w.Header().Get("Connection") == "close"; got != tc.closeConn {
				t.Errorf("Connection: close %v, want %v", got, tc.closeConn)
			}
		})
	}
}

func TestABodyThatCannotBeReadIs400(t *testing.T) {
	t.Parallel()
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}})(echo)
	for _, tc := range []struct {
		name string
		body io.ReadCloser
		n    int64
	}{
		{"cut short", &countingBody{r: strings.NewReader(ghPayload), err: io.ErrUnexpectedEOF}, 100},
		{"a broken connection", &countingBody{r: strings.NewReader("Hel"), err: errors.New("connection reset by peer")}, -1},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Body, r.ContentLength = tc.body, tc.n
		r.Header.Set("X-Hub-Signature-256", ghSignature)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 400 || w.Body.String() != `{"error":"Invalid body"}` {
			t.Errorf("%s: got %d %s, want 400 Invalid body", tc.name, w.Code, w.Body)
		}
	}
}

// A body longer than its Content-Length (a reader that does not stop
// there, in process) is read to its end, bounded by the limit, and
// verified as a whole: the bytes the signature covers are the ones read.
func TestABodyLongerThanAnnouncedIsReadWhole(t *testing.T) {
	t.Parallel()
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, SizeLimit: "1kb"})(echo)
	for _, tc := range []struct {
		name     string
		body     string
		announce int64
		want     int
	}{
		{"one byte more", ghPayload, int64(len(ghPayload) - 1), 200},
		{"many more", ghPayload, 3, 200},
		{"past the limit", strings.Repeat("x", 2000), 10, 413},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(tc.body)), tc.announce
		r.Header.Set("X-Hub-Signature-256", signGitHub(ghSecret, tc.body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want || (tc.want == 200 && w.Body.String() != "handled: "+tc.body) {
			t.Errorf("%s: got %d %.60q, want %d", tc.name, w.Code, w.Body, tc.want)
		}
	}
}
