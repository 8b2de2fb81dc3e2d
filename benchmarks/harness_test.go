package benchmarks

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is the cheapest ResponseWriter that still tells a benchmark
// what happened: it keeps the first status and the header map (reused
// between requests) and drops the body.
type discardWriter struct {
	header http.Header
	status int
}

func newDiscardWriter() *discardWriter { return &discardWriter{header: make(http.Header)} }

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// fixture serves the same request again and again without allocating: the
// request is a copy of a template into storage made once, and the body a
// bytes.Reader rewound over a payload built once. Only the handler's own
// work is left in the loop.
type fixture struct {
	tmpl    *http.Request
	payload []byte
	rd      *bytes.Reader
	body    io.ReadCloser
	req     *http.Request
	w       *discardWriter
}

// newFixture returns a fixture for a request with the payload as its body,
// sent with a Content-Length, or chunked (ContentLength -1); a nil payload
// is no body at all (http.NoBody, ContentLength 0).
func newFixture(method, contentType string, payload []byte, chunked bool) *fixture {
	tmpl := httptest.NewRequest(method, "/api/orders", nil)
	if contentType != "" {
		tmpl.Header.Set("Content-Type", contentType)
	}
	f := &fixture{tmpl: tmpl, payload: payload, req: new(http.Request), w: newDiscardWriter()}
	switch {
	case payload == nil:
		tmpl.Body, tmpl.ContentLength = http.NoBody, 0
		f.body = http.NoBody
	default:
		f.rd = bytes.NewReader(payload)
		f.body = io.NopCloser(f.rd)
		tmpl.ContentLength = int64(len(payload))
		if chunked {
			tmpl.ContentLength = -1
			tmpl.TransferEncoding = []string{"chunked"}
		}
	}
	return f
}

// serve sends the request once more through h.
func (f *fixture) serve(h http.Handler) {
	if f.rd != nil {
		f.rd.Reset(f.payload)
	}
	*f.req = *f.tmpl
	f.req.Body = f.body
	clear(f.w.header)
	f.w.status = 0
	h.ServeHTTP(f.w, f.req)
}

// benchServe measures h serving f's request. setBytes reports throughput in
// payload bytes. The handler must leave the status at wantStatus (0: it
// wrote nothing), which proves every iteration took the path being
// measured, not an error path.
func benchServe(b *testing.B, f *fixture, h http.Handler, setBytes bool, wantStatus int) {
	b.ReportAllocs()
	if setBytes {
		b.SetBytes(int64(len(f.payload)))
	}
	for b.Loop() {
		f.serve(h)
	}
	if f.w.status != wantStatus {
		b.Fatalf("status %d, want %d", f.w.status, wantStatus)
	}
}
