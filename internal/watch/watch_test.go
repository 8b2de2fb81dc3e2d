package watch

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fake writers with each combination of optional interfaces.
type base struct {
	h    http.Header
	buf  bytes.Buffer
	code int
}

func (b *base) Header() http.Header {
	if b.h == nil {
		b.h = http.Header{}
	}
	return b.h
}
func (b *base) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *base) WriteHeader(code int)        { b.code = code }

type flusher struct{}
type hijacker struct{}
type readerFrom struct{ b *base }
type pusher struct{}

func (flusher) Flush() {}
func (hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, fmt.Errorf("fake")
}
func (r readerFrom) ReadFrom(src io.Reader) (int64, error) { return r.b.buf.ReadFrom(src) }
func (pusher) Push(string, *http.PushOptions) error        { return nil }

func fakeWriter(bits int) http.ResponseWriter {
	b := &base{}
	type (
		F = flusher
		H = hijacker
		R = readerFrom
		P = pusher
	)
	rf := readerFrom{b}
	switch bits {
	case 0:
		return b
	case 1:
		return struct {
			*base
			F
		}{b, F{}}
	case 2:
		return struct {
			*base
			H
		}{b, H{}}
	case 3:
		return struct {
			*base
			F
			H
		}{b, F{}, H{}}
	case 4:
		return struct {
			*base
			R
		}{b, rf}
	case 5:
		return struct {
			*base
			F
			R
		}{b, F{}, rf}
	case 6:
		return struct {
			*base
			H
			R
		}{b, H{}, rf}
	case 7:
		return struct {
			*base
			F
			H
			R
		}{b, F{}, H{}, rf}
	case 8:
		return struct {
			*base
			P
		}{b, P{}}
	case 9:
		return struct {
			*base
			F
			P
		}{b, F{}, P{}}
	case 10:
		return struct {
			*base
			H
			P
		}{b, H{}, P{}}
	case 11:
		return struct {
			*base
			F
			H
			P
		}{b, F{}, H{}, P{}}
	case 12:
		return struct {
			*base
			R
			P
		}{b, rf, P{}}
	case 13:
		return struct {
			*base
			F
			R
			P
		}{b, F{}, rf, P{}}
	case 14:
		return struct {
			*base
			H
			R
			P
		}{b, H{}, rf, P{}}
	default:
		return struct {
			*base
			F
			H
			R
			P
		}{b, F{}, H{}, rf, P{}}
	}
}

func has(w http.ResponseWriter) int {
	bits := 0
	if _, ok := w.(http.Flusher); ok {
		bits |= 1
	}
	if _, ok := w.(http.Hijacker); ok {
		bits |= 2
	}
	if _, ok := w.(io.ReaderFrom); ok {
		bits |= 4
	}
	if _, ok := w.(http.Pusher); ok {
		bits |= 8
	}
	return bits
}

func TestWrapKeepsExactlyTheOptionalInterfacesOfTheWriter(t *testing.T) {
	t.Parallel()
	for bits := 0; bits < 16; bits++ {
		under := fakeWriter(bits)
		if has(under) != bits {
			t.Fatalf("fake %d implements %d", bits, has(under))
		}
		w, st := Wrap(under)
		if got := has(w); got != bits {
			t.Errorf("wrapped %04b: implements %04b", bits, got)
		}
		if _, ok := w.(io.StringWriter); !ok {
			t.Errorf("wrapped %04b: not an io.StringWriter", bits)
		}
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() != under {
			t.Errorf("wrapped %04b: Unwrap does not return the original", bits)
		}
		if From(w) != st || From(under) != nil {
			t.Errorf("wrapped %04b: From does not find the watcher", bits)
		}
	}
}

func TestWrapReusesAnExistingWatcher(t *testing.T) {
	t.Parallel()
	w1, st1 := Wrap(httptest.NewRecorder())
	w2, st2 := Wrap(w1)
	if w1 != w2 || st1 != st2 {
		t.Fatal("a second Wrap made a second wrapper")
	}
}

func TestWriterCountsEveryWayOfWriting(t *testing.T) {
	t.Parallel()
	for _, hooked := range []bool{false, true} {
		under := fakeWriter(15)
		w, st := Wrap(under)
		seen := int64(0)
		if hooked {
			st.OnWrite = func(_ *Writer, n int64) bool { seen += n; return true }
		}
		_, _ = w.Write([]byte("abc"))
		_, _ = io.WriteString(w, "defg")
		n, err := io.Copy(w, strings.NewReader(strings.Repeat("x", 100000)))
		if err != nil || n != 100000 {
			t.Fatalf("io.Copy = %d, %v", n, err)
		}
		_, _ = w.(io.ReaderFrom).ReadFrom(strings.NewReader("12345"))
		if st.Written() != 3+4+100000+5 {
			t.Errorf("hooked=%v: Written = %d", hooked, st.Written())
		}
		if hooked && seen != st.Written() {
			t.Errorf("the hook saw %d bytes of %d", seen, st.Written())
		}
		if !st.HeaderWritten() || st.Status() != 200 {
			t.Errorf("hooked=%v: HeaderWritten=%v Status=%d", hooked, st.HeaderWritten(), st.Status())
		}
	}
}

func TestRefusedWritesDoNotReachTheWriter(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	w, st := Wrap(rec)
	st.OnWrite = func(st *Writer, n int64) bool { return st.Written()+n <= 4 }
	if _, err := io.WriteString(w, "abcd"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("e")); err != ErrRefused {
		t.Fatalf("Write past the hook's limit: err = %v", err)
	}
	if rec.Body.String() != "abcd" || st.Written() != 4 {
		t.Errorf("body %q, Written %d", rec.Body, st.Written())
	}
}

func TestStatusIsTheFirstFinalStatus(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	w, st := Wrap(rec)
	w.WriteHeader(http.StatusEarlyHints)
	if st.Started() {
		t.Fatal("a 103 started the response")
	}
	w.WriteHeader(http.StatusCreated)
	w.WriteHeader(http.StatusTeapot) // superfluous: net/http ignores it too
	if st.Status() != http.StatusCreated || !st.Started() {
		t.Errorf("Status = %d, Started = %v", st.Status(), st.Started())
	}
}

func TestResponseControllerReachesTheConnectionThroughTheWatcher(t *testing.T) {
	t.Parallel()
	errs := make(chan error, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww, st := Wrap(w)
		rc := http.NewResponseController(ww)
		errs <- rc.SetWriteDeadline(time.Now().Add(time.Minute))
		errs <- rc.SetReadDeadline(time.Now().Add(time.Minute))
		_, _ = io.WriteString(ww, "data: 1\n\n")
		errs <- rc.Flush()
		if !st.HeaderWritten() {
			errs <- fmt.Errorf("flush did not mark the header as written")
		} else {
			errs <- nil
		}
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestHijackThroughTheWatcher(t *testing.T) {
	t.Parallel()
	hijacked := make(chan bool, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww, st := Wrap(w)
		conn, buf, err := ww.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = buf.Flush()
		hijacked <- st.Hijacked() && st.Started()
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "hijacked" || !<-hijacked {
		t.Errorf("body %q", body)
	}
}

func TestHEADBytesAreCounted(t *testing.T) {
	t.Parallel()
	written := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww, st := Wrap(w)
		_, _ = io.WriteString(ww, "hello")
		written <- st.Written()
	}))
	defer srv.Close()
	res, err := http.Head(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if n := <-written; n != 5 {
		t.Errorf("HEAD counted %d bytes, want 5 (what the handler wrote)", n)
	}
}

func TestWrapAllocatesOnce(t *testing.T) {
	rec := httptest.NewRecorder()
	allocs := testing.AllocsPerRun(100, func() {
		w, _ := Wrap(rec)
		_, _ = Wrap(w)
	})
	if allocs > 1 {
		t.Errorf("Wrap allocates %v times per request, want at most 1", allocs)
	}
}

func BenchmarkWrap(b *testing.B) {
	rec := httptest.NewRecorder()
	b.ReportAllocs()
	for range b.N {
		w, _ := Wrap(rec)
		_, _ = Wrap(w)
	}
}

// foreign is a wrapper from another package: it forwards everything and
// keeps its own count, as chi's middleware.WrapResponseWriter or httpsnoop do.
type foreign struct {
	http.ResponseWriter
	n      int
	status int
}

func (f *foreign) Write(p []byte) (int, error) {
	n, err := f.ResponseWriter.Write(p)
	f.n += n
	return n, err
}
func (f *foreign) WriteHeader(code int) {
	if f.status == 0 {
		f.status = code
	}
	f.ResponseWriter.WriteHeader(code)
}
func (f *foreign) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// looping unwraps to itself forever.
type looping struct{ http.ResponseWriter }

func (l *looping) Unwrap() http.ResponseWriter { return l }

func TestWrapUnderAForeignWrapperReusesTheOuterWatcher(t *testing.T) {
	rec := httptest.NewRecorder()
	outer, st := Wrap(rec)
	f := &foreign{ResponseWriter: outer}
	inner, st2 := Wrap(f)
	if st2 != st {
		t.Fatal("Wrap under a foreign wrapper made a second watcher")
	}
	if again, st3 := Wrap(inner); again != inner || st3 != st {
		t.Error("a second layer under the same foreign wrapper did not reuse the link")
	}
	inner.WriteHeader(http.StatusTeapot)
	_, _ = io.WriteString(inner, "hello")
	_, _ = inner.Write([]byte(", world"))
	_, _ = io.Copy(inner, strings.NewReader("!"))
	if st.Written() != 13 || f.n != 13 || rec.Body.String() != "hello, world!" {
		t.Errorf("counted %d bytes in the watcher and %d in the foreign wrapper, sent %q; want 13, 13 and each byte once",
			st.Written(), f.n, rec.Body)
	}
	if !st.Started() || st.Status() != http.StatusTeapot || f.status != http.StatusTeapot {
		t.Errorf("started=%v status=%d foreign status=%d, want the outer watcher and the wrapper to see the 418",
			st.Started(), st.Status(), f.status)
	}
	if From(inner) != st || From(f) != st {
		t.Error("From does not find the outer watcher through the foreign wrapper")
	}
}

// holding is a foreign wrapper that holds the status back until the first
// body byte or the end of the handler, as gin's responseWriter does.
type holding struct {
	http.ResponseWriter
	status int
}

func (h *holding) WriteHeader(code int) { h.status = code }
func (h *holding) Write(p []byte) (int, error) {
	h.finish()
	return h.ResponseWriter.Write(p)
}
func (h *holding) finish() {
	if h.status != 0 {
		h.ResponseWriter.WriteHeader(h.status)
		h.status = 0
	}
}
func (h *holding) Unwrap() http.ResponseWriter { return h.ResponseWriter }

func TestAResponseHeldBackByAForeignWrapperHasStarted(t *testing.T) {
	rec := httptest.NewRecorder()
	outer, st := Wrap(rec)
	hw := &holding{ResponseWriter: outer}
	inner, _ := Wrap(hw)
	inner.WriteHeader(http.StatusNoContent)
	if !st.Started() || st.Status() != http.StatusNoContent {
		t.Errorf("after the handler's 204: started=%v status=%d, want true and 204", st.Started(), st.Status())
	}
	hw.finish() // the foreign layer sends the header when the handler returns
	if rec.Code != http.StatusNoContent || st.Status() != http.StatusNoContent || st.Written() != 0 {
		t.Errorf("sent %d; watcher status %d, %d bytes", rec.Code, st.Status(), st.Written())
	}
}

func TestALinkRespectsTheRootsSealAndHooks(t *testing.T) {
	rec := httptest.NewRecorder()
	outer, st := Wrap(rec)
	inner, _ := Wrap(&foreign{ResponseWriter: outer})
	var seen int64
	st.OnWrite = func(w *Writer, n int64) bool { seen += n; return w.Written()+n <= 4 }
	if _, err := io.WriteString(inner, "abcd"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(inner, "e"); err != ErrRefused {
		t.Errorf("the root's hook did not refuse the write through the link: %v", err)
	}
	st.Seal()
	if _, err := inner.Write([]byte("f")); err != ErrRefused {
		t.Errorf("a write through the link after Seal: %v", err)
	}
	inner.WriteHeader(http.StatusTeapot)
	if seen != 5 || rec.Body.String() != "abcd" || st.Status() != http.StatusOK {
		t.Errorf("hook saw %d bytes (want 5, each once), sent %q, status %d", seen, rec.Body, st.Status())
	}
}

func TestFromFollowsSeveralForeignWrappers(t *testing.T) {
	_, st := Wrap(httptest.NewRecorder())
	var w http.ResponseWriter = st.variant()
	for range maxUnwrap - 1 {
		w = &foreign{ResponseWriter: w}
	}
	if From(w) != st {
		t.Errorf("From did not find the watcher under %d wrappers", maxUnwrap-1)
	}
}

// unwrapsToNil is a wrapper whose Unwrap returns nil, though it works.
type unwrapsToNil struct{ http.ResponseWriter }

func (unwrapsToNil) Unwrap() http.ResponseWriter { return nil }

func TestFromGivesUpOnCyclicOrEndlessChains(t *testing.T) {
	rec := httptest.NewRecorder()
	tests := []struct {
		name string
		w    http.ResponseWriter
	}{
		{"a wrapper that unwraps to itself", &looping{rec}},
		{"a wrapper that unwraps to nil", unwrapsToNil{rec}},
		{"a chain deeper than the bound", func() http.ResponseWriter {
			_, st := Wrap(rec)
			var w http.ResponseWriter = st.variant()
			for range maxUnwrap + 1 {
				w = &foreign{ResponseWriter: w}
			}
			return w
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if st := From(tc.w); st != nil {
				t.Errorf("From found %p, want nil", st)
			}
			w, st := Wrap(tc.w)
			if st == nil || From(w) != st {
				t.Error("Wrap did not make a watcher of its own")
			}
		})
	}
}

func TestWrapUnderAForeignWrapperAllocatesOnlyTheLink(t *testing.T) {
	outer, _ := Wrap(httptest.NewRecorder())
	f := &foreign{ResponseWriter: outer}
	allocs := testing.AllocsPerRun(100, func() {
		w, _ := Wrap(f)
		_, _ = Wrap(w)
	})
	if allocs > 1 {
		t.Errorf("Wrap under a foreign wrapper allocates %v times, want 1 (the link)", allocs)
	}
}

func BenchmarkWrapUnderAForeignWrapper(b *testing.B) {
	outer, _ := Wrap(httptest.NewRecorder())
	f := &foreign{ResponseWriter: outer}
	b.ReportAllocs()
	for range b.N {
		w, _ := Wrap(f)
		_, _ = Wrap(w)
	}
}
