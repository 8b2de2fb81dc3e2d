// Package watch is the project's only http.ResponseWriter wrapper.
//
// Every package that needs to know what happened to a response (whether it
// started, its status, how many bytes went out) shares one [Writer] per
// request: the first layer wraps with [Wrap], inner layers call [Wrap] or
// [From] and get the same Writer back, also through foreign wrappers. The
// value handed to handlers implements exactly the optional interfaces the
// underlying writer does ([http.Flusher], [http.Hijacker], [io.ReaderFrom],
// [http.Pusher]), always [io.StringWriter], and Unwrap so that
// [http.NewResponseController] reaches the rest (deadlines, full duplex).
package watch

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/apiroutes/apiroutes/jsoncodec"
)

// Writer records what a handler did to its response.
type Writer struct {
	rw          http.ResponseWriter
	root        *Writer // set on a link: the watcher that holds the state
	status      int
	written     int64
	wroteHeader bool
	hijacked    bool
	sealed      bool

	// Errors is the error configuration in force for this response, set by
	// apierror layers for the layers inside them.
	Errors ErrorConfig

	// OnWrite, when set, is called before each body write with the number of
	// bytes about to be written and the total written so far. Returning false
	// refuses the write: it fails with ErrRefused and nothing reaches the
	// underlying writer. responselimit sets it.
	OnWrite func(w *Writer, n int64) bool

	outer *headerMark // the header at the last Wrap; see ResetHeader
}

// ErrorConfig is what apierror records on a response. Renderer holds an
// apierror.Renderer; it is typed any so that internal/watch does not import
// apierror. Codec is the JSON codec of the route, which respond and
// bodyparser use when their own is nil. Setting the fields never allocates.
type ErrorConfig struct {
	Renderer any
	Logger   *slog.Logger
	Codec    jsoncodec.Codec
}

// ErrRefused is returned by writes that an OnWrite hook refused, and by
// every write after [Writer.Seal]. Its status is 500: the server could not
// produce an acceptable response. apierror sends nothing for it, because
// whoever refused the write has answered already.
var ErrRefused error = errRefused{}

type errRefused struct{}

func (errRefused) Error() string   { return "response refused: it reached the response size limit" }
func (errRefused) StatusCode() int { return http.StatusInternalServerError }

// holder is implemented by every variant.
type holder interface{ watcher() *Writer }

// maxUnwrap bounds the walk down a chain of foreign wrappers: a cyclic
// chain (a wrapper that unwraps to itself) or an absurdly deep one ends the
// search instead of hanging the request.
const maxUnwrap = 32

// unwrapper is the method http.ResponseController follows.
type unwrapper interface{ Unwrap() http.ResponseWriter }

// From returns the Writer behind w, or nil when there is none. Like
// [http.ResponseController] it follows Unwrap through foreign wrappers (chi's
// middleware.Logger, httpsnoop...), so that a foreign layer between two of
// ours does not split the request's state.
func From(w http.ResponseWriter) *Writer {
	for i := 0; i < maxUnwrap && w != nil; i++ {
		switch t := w.(type) {
		case holder:
			return t.watcher()
		case unwrapper:
			w = t.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// Wrap returns a response writer that records into a Writer, and that Writer.
// If w already is a watcher, Wrap returns w itself and its Writer: there is
// never more than one Writer per request. Wrapping costs one allocation: the
// variants are single-pointer structs, which an interface holds as they are.
//
// If w is a foreign wrapper around a watcher, Wrap returns that watcher's
// Writer and a link, one more allocation: a Writer around w that keeps no
// state of its own. The handler's bytes reach the root through the foreign
// wrapper, so they are counted (and checked by OnWrite) once, where they
// leave; the link only records that the response has started when the
// handler writes, sets a status, flushes or hijacks, because a foreign
// wrapper may hold those back (gin sends the header only when the handler
// returns).
//
// Either way it records the header as it stands, for [Writer.ResetHeader].
func Wrap(w http.ResponseWriter) (http.ResponseWriter, *Writer) {
	if h, ok := w.(holder); ok {
		st := h.watcher()
		st.markHeader()
		return w, st
	}
	if _, ok := w.(unwrapper); ok {
		if root := From(w); root != nil {
			root.markHeader()
			l := &Writer{rw: w, root: root}
			return l.variant(), root
		}
	}
	ww := &Writer{rw: w, status: http.StatusOK}
	ww.markHeader()
	return ww.variant(), ww
}

// Status returns the status sent, or 200 when none was set explicitly.
func (w *Writer) Status() int { return w.status }

// Written returns the number of body bytes the handler wrote, including
// bytes net/http discards for HEAD requests.
func (w *Writer) Written() int64 { return w.written }

// HeaderWritten reports whether the response header has been sent (a final
// status, any body byte, or a flush).
func (w *Writer) HeaderWritten() bool { return w.wroteHeader }

// Hijacked reports whether the connection was hijacked.
func (w *Writer) Hijacked() bool { return w.hijacked }

// Started reports whether the response can no longer be replaced: the header
// was sent or the connection hijacked.
func (w *Writer) Started() bool { return w.wroteHeader || w.hijacked }

// Seal ends the response as far as the handler is concerned: later writes
// fail with ErrRefused and WriteHeader does nothing.
func (w *Writer) Seal() { w.sealed = true }

// CountUnsent adds n body bytes that a helper chose not to write, such as
// the body of a HEAD response, to [Writer.Written]: Next counts them when it
// checks the response limit. OnWrite is not consulted: nothing is written.
func (w *Writer) CountUnsent(n int64) { w.written += n }

func (w *Writer) watcher() *Writer {
	if w.root != nil {
		return w.root
	}
	return w
}

// started records that the handler has started the response; on a link's
// root, even if the foreign wrapper below the link holds it back.
func (w *Writer) started(code int) {
	r := w.watcher()
	if !r.wroteHeader {
		r.status = code
		r.wroteHeader = true
	}
}

// Header returns the underlying header map.
func (w *Writer) Header() http.Header { return w.rw.Header() }

// WriteHeader records the status and passes it on. Informational statuses
// (1xx other than 101) may be sent several times and do not start the
// response.
func (w *Writer) WriteHeader(code int) {
	if w.sealed || w.root != nil && w.root.sealed {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.rw.WriteHeader(code)
		return
	}
	if w.root != nil {
		w.rw.WriteHeader(code)
		w.started(code)
		return
	}
	w.started(code)
	w.rw.WriteHeader(code)
}

// Write counts p and passes it on.
func (w *Writer) Write(p []byte) (int, error) {
	if !w.admit(len(p)) {
		return 0, ErrRefused
	}
	n, err := w.rw.Write(p)
	w.wrote(int64(n), err)
	return n, err
}

// WriteString is Write without copying s when the underlying writer is an
// [io.StringWriter].
func (w *Writer) WriteString(s string) (int, error) {
	if !w.admit(len(s)) {
		return 0, ErrRefused
	}
	n, err := io.WriteString(w.rw, s)
	w.wrote(int64(n), err)
	return n, err
}

// admit reports whether a body write of n bytes may go ahead. A link only
// checks the seal: its bytes reach the root's hook through the foreign
// wrapper.
func (w *Writer) admit(n int) bool {
	if w.root != nil {
		return !w.root.sealed
	}
	if w.sealed || w.OnWrite != nil && !w.OnWrite(w, int64(n)) {
		return false
	}
	w.wroteHeader = true
	return true
}

// wrote records a write of n bytes. On a link, a write that went out, or
// was taken, starts the response.
func (w *Writer) wrote(n int64, err error) {
	if w.root == nil {
		w.written += n
	} else if err == nil || n > 0 {
		w.started(http.StatusOK)
	}
}

// Unwrap returns the underlying writer, for [http.NewResponseController].
func (w *Writer) Unwrap() http.ResponseWriter { return w.rw }

// flush flushes with FlushError, when withError is set and the underlying
// writer has it, or else with Flush.
func (w *Writer) flush(withError bool) error {
	if w.root == nil {
		w.wroteHeader = true
	}
	var err error
	if fe, ok := w.rw.(interface{ FlushError() error }); ok && withError {
		err = fe.FlushError()
	} else {
		w.rw.(http.Flusher).Flush()
	}
	if w.root != nil {
		w.started(http.StatusOK)
	}
	return err
}

func (w *Writer) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := w.rw.(http.Hijacker).Hijack()
	if err == nil {
		w.watcher().hijacked = true
	}
	return c, rw, err
}

// readFrom counts what src delivers. With a write hook the bytes go through
// Write so that the hook sees every chunk; otherwise the underlying ReadFrom
// keeps its sendfile fast path.
func (w *Writer) readFrom(src io.Reader) (int64, error) {
	if w.root == nil && (w.OnWrite != nil || w.sealed) {
		return io.Copy(writerOnly{w}, src)
	}
	if !w.admit(0) {
		return 0, ErrRefused
	}
	n, err := w.rw.(io.ReaderFrom).ReadFrom(src)
	w.wrote(n, err)
	return n, err
}

// writerOnly hides ReadFrom so that io.Copy does not recurse.
type writerOnly struct{ io.Writer }

func (w *Writer) push(target string, opts *http.PushOptions) error {
	return w.rw.(http.Pusher).Push(target, opts)
}

// SetBodyDeadline sets the read deadline of r's body to d from now, unless
// the server's own ReadTimeout is no longer than d: a layer never gives a
// client more time than the operator did. It reports whether it set one.
func SetBodyDeadline(w http.ResponseWriter, r *http.Request, d time.Duration) bool {
	if srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server); srv != nil && srv.ReadTimeout > 0 && srv.ReadTimeout <= d {
		return false
	}
	return SetReadDeadline(w, time.Now().Add(d))
}

// SetReadDeadline does what [http.ResponseController.SetReadDeadline] does,
// without building an error with fmt.Errorf for every writer that cannot:
// it reports whether a writer along w's Unwrap chain set the deadline.
func SetReadDeadline(w http.ResponseWriter, t time.Time) bool {
	for {
		switch x := w.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			return x.SetReadDeadline(t) == nil
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return false
		}
	}
}
