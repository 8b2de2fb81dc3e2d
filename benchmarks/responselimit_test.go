package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/felixge/httpsnoop"

	"github.com/apiroutes/apiroutes/responselimit"
)

// The response limit benchmarks measure what wrapping the ResponseWriter to
// count the body costs a handler that answers: "bare" is the handler alone,
// "httpsnoop" the same checks written on github.com/felixge/httpsnoop, the
// usual way to watch a response without hiding the writer's optional
// interfaces.

// flushWriter is discardWriter plus http.Flusher, the optional interface
// every net/http ResponseWriter has (HTTP/1 and HTTP/2), so that both
// wrappers build one that keeps it, as in a server. It counts the body
// bytes, so that a benchmark can check that all of them went through.
type flushWriter struct {
	discardWriter
	written int64
}

func (w *flushWriter) Write(p []byte) (int, error) {
	w.written += int64(len(p))
	return w.discardWriter.Write(p)
}

func (w *flushWriter) Flush() { w.WriteHeader(http.StatusOK) }

// responseFixture is fixture for a GET, served into a flushWriter.
type responseFixture struct {
	tmpl *http.Request
	req  *http.Request
	w    *flushWriter
}

func newResponseFixture() *responseFixture {
	return &responseFixture{
		tmpl: httptest.NewRequest(http.MethodGet, "/api/orders", nil),
		req:  new(http.Request),
		w:    &flushWriter{discardWriter: *newDiscardWriter()},
	}
}

// serve sends the request once more through h into w (f.w when nil).
func (f *responseFixture) serve(h http.Handler, w http.ResponseWriter) {
	*f.req = *f.tmpl
	clear(f.w.header)
	f.w.status, f.w.written = 0, 0
	if w == nil {
		w = f.w
	}
	h.ServeHTTP(w, f.req)
}

// check fails unless the last response was the body of n bytes (a 200 with
// its Content-Type), or nothing at all for n = 0.
func (f *responseFixture) check(tb testing.TB, n int) {
	tb.Helper()
	wantStatus, wantType := http.StatusOK, responseType[0]
	if n == 0 {
		wantStatus, wantType = 0, ""
	}
	if f.w.status != wantStatus || f.w.written != int64(n) || f.w.header.Get("Content-Type") != wantType {
		tb.Fatalf("status %d, %d bytes, Content-Type %q; want %d, %d bytes, %q",
			f.w.status, f.w.written, f.w.header.Get("Content-Type"), wantStatus, n, wantType)
	}
}

// responseType is set by assigning this slice, not with Header().Set, which
// allocates a new one on every call: the bare handler then allocates
// nothing, and what the wrappers allocate is all that is counted. Nothing
// modifies it.
var responseType = []string{"application/octet-stream"}

// respond is the handler of the benchmarks: it sets the Content-Type and
// writes the whole body in one Write.
func respond(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = responseType
		w.Write(body)
	})
}

type responseCase struct {
	name string
	body []byte
}

// responseCases are a small API answer and a large one, both under the
// default limit of 4 MiB so that neither warns.
var responseCases = sync.OnceValue(func() []responseCase {
	var cases []responseCase
	for _, c := range []struct {
		name string
		size int
	}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}} {
		cases = append(cases, responseCase{c.name, bytes.Repeat([]byte("0123456789abcdef"), c.size/16)})
	}
	return cases
})

// quietLogger is the Logger of both sides. No benchmark case warns (the
// bodies are under the 4 MiB limit and are written), but if one did,
// slog.Default would print a line per iteration; this one is disabled at
// every level, so a warning would cost only the Enabled check that both
// sides make before building a record. noresponse-guarded measures that
// check on the "resolved without sending a response" path.
var quietLogger = slog.New(slog.DiscardHandler)

// snoopLimit is responselimit's default behaviour written on httpsnoop the
// way its own CaptureMetrics counts bytes: hooks on Write, WriteString and
// ReadFrom add up what went through, and WriteHeader, Flush and Hijack
// record whether the response started. After the handler it makes the same
// checks as responselimit: a warning from limit bytes, another when nothing
// was sent, none when the connection was hijacked.
func snoopLimit(limit int64, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// What the hooks record, in one struct: one heap object that
			// every hook shares.
			var st struct {
				written           int64
				started, hijacked bool
			}
			hooks := httpsnoop.Hooks{
				WriteHeader: func(next httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc {
					return func(code int) {
						next(code)
						// 1xx other than 101 may come before the response.
						if code < 100 || code > 199 || code == http.StatusSwitchingProtocols {
							st.started = true
						}
					}
				},
				Write: func(next httpsnoop.WriteFunc) httpsnoop.WriteFunc {
					return func(p []byte) (int, error) {
						n, err := next(p)
						st.written += int64(n)
						st.started = true
						return n, err
					}
				},
				WriteString: func(next httpsnoop.WriteStringFunc) httpsnoop.WriteStringFunc {
					return func(s string) (int, error) {
						n, err := next(s)
						st.written += int64(n)
						st.started = true
						return n, err
					}
				},
				ReadFrom: func(next httpsnoop.ReadFromFunc) httpsnoop.ReadFromFunc {
					return func(src io.Reader) (int64, error) {
						n, err := next(src)
						st.written += n
						st.started = true
						return n, err
					}
				},
				Flush: func(next httpsnoop.FlushFunc) httpsnoop.FlushFunc {
					return func() {
						next()
						st.started = true
					}
				},
				Hijack: func(next httpsnoop.HijackFunc) httpsnoop.HijackFunc {
					return func() (net.Conn, *bufio.ReadWriter, error) {
						c, rw, err := next()
						st.hijacked = st.hijacked || err == nil
						return c, rw, err
					}
				},
			}
			next.ServeHTTP(httpsnoop.Wrap(w, hooks), r)
			if st.hijacked || !logger.Enabled(r.Context(), slog.LevelWarn) {
				return
			}
			if st.written >= limit {
				logger.LogAttrs(r.Context(), slog.LevelWarn, "API response for "+r.RequestURI+" exceeds the response limit",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.Int64("bytes", st.written), slog.Int64("limit", limit))
			}
			if !st.started {
				logger.LogAttrs(r.Context(), slog.LevelWarn, "API resolved without sending a response for "+r.RequestURI,
					slog.String("method", r.Method), slog.String("path", r.URL.Path))
			}
		})
	}
}

// defaultLimit is responselimit's default ("4mb"), for snoopLimit.
const defaultLimit = 4 << 20

func BenchmarkResponseLimit(b *testing.B) {
	bench := func(b *testing.B, h http.Handler, n int) {
		f := newResponseFixture()
		b.ReportAllocs()
		// No SetBytes: the writer drops the body without reading it, so a
		// throughput would only be the size over the time of one call.
		for b.Loop() {
			f.serve(h, nil)
		}
		f.check(b, n)
	}
	for _, c := range responseCases() {
		b.Run("size="+c.name, func(b *testing.B) {
			h := respond(c.body)
			b.Run("bare", func(b *testing.B) {
				bench(b, h, len(c.body))
			})
			b.Run("apiroutes", func(b *testing.B) {
				bench(b, responselimit.New(responselimit.Config{Logger: quietLogger})(h), len(c.body))
			})
			b.Run("httpsnoop", func(b *testing.B) {
				bench(b, snoopLimit(defaultLimit, quietLogger)(h), len(c.body))
			})
		})
	}
	// A handler that answers nothing: the middleware's warning is disabled
	// at the logger, which must cost no allocation.
	b.Run("noresponse-guarded", func(b *testing.B) {
		b.Run("apiroutes", func(b *testing.B) {
			bench(b, responselimit.New(responselimit.Config{Logger: quietLogger})(nothing), 0)
		})
	})
}

// netHTTPWriter is flushWriter plus io.ReaderFrom and io.StringWriter, as
// net/http's HTTP/1 writer has, for the io.Copy and io.WriteString paths of
// TestResponseLimitBaselinesCountTheSameBytes.
type netHTTPWriter struct{ *flushWriter }

func (w netHTTPWriter) ReadFrom(src io.Reader) (int64, error) {
	n, err := io.Copy(io.Discard, src)
	w.written += n
	w.WriteHeader(http.StatusOK)
	return n, err
}

func (w netHTTPWriter) WriteString(s string) (int, error) {
	w.written += int64(len(s))
	w.WriteHeader(http.StatusOK)
	return len(s), nil
}

// recorder is a slog.Handler that keeps the records.
type recorder struct{ records []slog.Record }

func (*recorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *recorder) Handle(_ context.Context, r slog.Record) error {
	h.records = append(h.records, r)
	return nil
}
func (h *recorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recorder) WithGroup(string) slog.Handler      { return h }

// warnings sums up the records: "bytes=N" for a size warning, "unresolved"
// for the other one.
func (h *recorder) warnings() string {
	var out []string
	for _, r := range h.records {
		w := "unresolved"
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "bytes" {
				w = "bytes=" + strconv.FormatInt(a.Value.Int64(), 10)
			}
			return true
		})
		out = append(out, w)
	}
	return strings.Join(out, ", ")
}

// TestResponseLimitBaselinesCountTheSameBytes makes the comparison fair:
// with the limit at the body's size both sides warn with that size, one
// byte above it neither warns, whether the body goes out with Write,
// WriteString or ReadFrom; and both warn when the handler sends nothing.
func TestResponseLimitBaselinesCountTheSameBytes(t *testing.T) {
	sides := []struct {
		name string
		mw   func(limit int64, logger *slog.Logger) func(http.Handler) http.Handler
	}{
		{"apiroutes", func(limit int64, logger *slog.Logger) func(http.Handler) http.Handler {
			return responselimit.New(responselimit.Config{Limit: strconv.FormatInt(limit, 10), Logger: logger})
		}},
		{"httpsnoop", snoopLimit},
	}
	for _, c := range responseCases() {
		n, text := int64(len(c.body)), string(c.body)
		paths := []struct {
			name    string
			handler http.Handler
			writer  func(*flushWriter) http.ResponseWriter
		}{
			{"Write", respond(c.body), func(w *flushWriter) http.ResponseWriter { return w }},
			{"ReadFrom", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = responseType
				// Hide bytes.Reader's WriteTo so that io.Copy calls ReadFrom.
				if _, err := io.Copy(w, struct{ io.Reader }{bytes.NewReader(c.body)}); err != nil {
					t.Error(err)
				}
			}), func(w *flushWriter) http.ResponseWriter { return netHTTPWriter{w} }},
			{"WriteString", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = responseType
				if _, err := io.WriteString(w, text); err != nil {
					t.Error(err)
				}
			}), func(w *flushWriter) http.ResponseWriter { return netHTTPWriter{w} }},
		}
		for _, p := range paths {
			for _, limit := range []int64{n, n + 1} {
				want := ""
				if limit == n {
					want = "bytes=" + strconv.FormatInt(n, 10)
				}
				for _, s := range sides {
					t.Run("size="+c.name+"/"+p.name+"/limit="+strconv.FormatInt(limit, 10)+"/"+s.name, func(t *testing.T) {
						rec := new(recorder)
						f := newResponseFixture()
						f.serve(s.mw(limit, slog.New(rec))(p.handler), p.writer(f.w))
						f.check(t, len(c.body))
						if got := rec.warnings(); got != want {
							t.Errorf("warnings %q, want %q", got, want)
						}
					})
				}
			}
		}
	}
	for _, s := range sides {
		t.Run("noresponse/"+s.name, func(t *testing.T) {
			rec := new(recorder)
			f := newResponseFixture()
			f.serve(s.mw(defaultLimit, slog.New(rec))(nothing), nil)
			f.check(t, 0)
			if got := rec.warnings(); got != "unresolved" {
				t.Errorf("warnings %q, want %q", got, "unresolved")
			}
		})
	}
}

// TestResponseLimitAllocatesOnce holds the allocation target of
// BenchmarkResponseLimit between benchmark runs: the wrapper is the one
// allocation of a request, whether the handler answers or not.
func TestResponseLimitAllocatesOnce(t *testing.T) {
	mw := responselimit.New(responselimit.Config{Logger: quietLogger})
	for name, h := range map[string]http.Handler{"1KiB": respond(responseCases()[0].body), "noresponse": nothing} {
		f := newResponseFixture()
		h := mw(h)
		if n := testing.AllocsPerRun(100, func() { f.serve(h, nil) }); n != 1 {
			t.Errorf("%s: %v allocations per request, want 1", name, n)
		}
	}
}
