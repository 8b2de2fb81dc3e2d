package respond

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/watch"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// Header values shared by every response; the three-index slices make an
// append copy them.
var (
	jsonType   = []string{"application/json; charset=utf-8"}[:1:1]
	binaryType = []string{"application/octet-stream"}[:1:1]
	noSniff    = []string{"nosniff"}[:1:1]
)

// Status sends code as the response status, now: it is w.WriteHeader(code)
// with Next's range check. Set headers before calling it; send the body
// afterwards with w.Write, or send none (Status(w, http.StatusNoContent)).
// To answer with a body, pass the status to [JSON], [Send] or [Redirect]
// instead: they set their headers before the status goes out.
//
// A code outside 100–999, or a response that has already started (when w
// comes from an apiroutes layer, which knows), sends nothing and returns an
// [*apierror.Error] 500.
func Status(w http.ResponseWriter, code int) error {
	if err := checkRange(code); err != nil {
		return err
	}
	if err := checkStarted(w); err != nil {
		return err
	}
	w.WriteHeader(code)
	return nil
}

// JSON sends v as JSON with the given status: Next's res.status(status).json(v).
//
// The body is what JSON.stringify gives for most values (no HTML escaping,
// no trailing newline, nil as null, null for NaN and ±Inf held in an
// interface), written by the route's codec: the one an enclosing apierror
// layer names (apierror.Config.Codec), else encoding/json. Content-Type is
// application/json; charset=utf-8, replacing any set before;
// Content-Length and Next's [ETag] are set from the body. A GET or HEAD
// whose If-None-Match matches the ETag is answered 304, for a 2xx status. A
// HEAD request gets the headers without the body; 204 and 304 get neither
// body nor Content-Type.
//
// A value the codec cannot encode and a status outside 200–999 are
// returned as an [*apierror.Error] 500, with nothing written. An error from
// writing the body to w is returned as it is.
func JSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	if err := checkBodyStatus(w, status); err != nil {
		return err
	}
	return sendJSON(w, r, status, v)
}

// Send sends v with the given status the way Next's res.status(status).send(v)
// does, choosing the body and its headers by the type of v, in this order:
//
//   - nil: no body, no Content-Type, no ETag.
//   - status 204 or 304: no body, whatever v is; Content-Type,
//     Content-Length and Transfer-Encoding are removed.
//   - an [io.Reader]: streamed, each chunk flushed as it is read;
//     application/octet-stream unless a Content-Type is set; no ETag, no
//     Content-Length. The reader is not closed.
//   - a string: the text, with no Content-Type unless one is set, and
//     X-Content-Type-Options: nosniff.
//   - a []byte: the bytes, application/octet-stream unless a Content-Type
//     is set, with the ETag Next computes for a Buffer.
//   - anything else, named types such as [json.RawMessage] included: JSON,
//     as [JSON] sends it.
//
// Strings, []byte and JSON get Content-Length and Next's [ETag], and the
// 304 and HEAD answers of [JSON]. Errors are those of [JSON]. An error from
// the reader or from writing to w is returned as it is; with a reader, the
// response has started by then.
func Send(w http.ResponseWriter, r *http.Request, status int, v any) error {
	if err := checkBodyStatus(w, status); err != nil {
		return err
	}
	if v == nil || bodyless(status) {
		noBody(w, status)
		return nil
	}
	switch b := v.(type) {
	case io.Reader:
		return stream(w, status, b)
	case string:
		if !prepare(w, r, status, len(b), feed(newDigest(), b), nil) {
			return nil
		}
		_, err := io.WriteString(w, b)
		return err
	case []byte:
		if !prepare(w, r, status, len(b), bufferDigest(b), binaryType) {
			return nil
		}
		_, err := w.Write(b)
		return err
	}
	return sendJSON(w, r, status, v)
}

// Redirect redirects the client to url with status: Next's
// res.redirect(status, url). Next's res.redirect(url) is
// Redirect(w, r, http.StatusTemporaryRedirect, url).
//
// Location is url as given, except that bytes from 0x80 up are
// percent-encoded, as [http.Redirect] does. The body is the URL with no
// Content-Type unless one was set, and X-Content-Type-Options: nosniff;
// HEAD, 204 and 304 get no body.
//
// An empty url, one that is not a valid header value (a control byte other
// than TAB), or a status outside 200–999 is returned as an
// [*apierror.Error] 500, with nothing written.
func Redirect(w http.ResponseWriter, r *http.Request, status int, url string) error {
	if err := checkBodyStatus(w, status); err != nil {
		return err
	}
	if url == "" {
		// Next's res.redirect(301) without a URL throws "Invalid redirect
		// arguments"; a Location that says nothing is no redirect.
		return internal(fmt.Errorf("respond: Redirect needs a URL"))
	}
	if err := checkHeaderValue(url); err != nil {
		return err
	}
	h := w.Header()
	h["Location"] = []string{hexEscapeNonASCII(url)}
	if bodyless(status) {
		noBody(w, status)
		return nil
	}
	setType(h, nil)
	h["Content-Length"] = []string{strconv.Itoa(len(url))}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		countUnsent(w, len(url))
		return nil
	}
	_, err := io.WriteString(w, url)
	return err
}

// internal is the error every helper returns for a response it refuses to
// send: a 500 whose cause apierror logs and never sends.
func internal(cause error) error {
	return apierror.Wrap(cause, http.StatusInternalServerError, "Internal Server Error")
}

// checkRange is Node's check (Next has none).
func checkRange(code int) error {
	if code < 100 || code > 999 {
		return internal(fmt.Errorf("respond: status %d is outside 100-999", code))
	}
	return nil
}

// checkBodyStatus checks the status of a complete response. net/http sends
// a 1xx as an informational response followed by an implicit 200, so a
// 1xx here is refused rather than sent as something else.
func checkBodyStatus(w http.ResponseWriter, code int) error {
	if err := checkRange(code); err != nil {
		return err
	}
	if code < 200 {
		return internal(fmt.Errorf("respond: status %d is informational and cannot end a response; send it with Status", code))
	}
	return checkStarted(w)
}

var errStarted = errors.New("respond: the response has already started; nothing more can be sent")

func checkStarted(w http.ResponseWriter) error {
	if st := watch.From(w); st != nil && st.Started() {
		return internal(errStarted)
	}
	return nil
}

func bodyless(code int) bool {
	return code == http.StatusNoContent || code == http.StatusNotModified
}

// noBody ends the response with the status alone, without the headers
// that describe a body for 204 and 304, as Next does.
func noBody(w http.ResponseWriter, code int) {
	if bodyless(code) {
		h := w.Header()
		delete(h, "Content-Type")
		delete(h, "Content-Length")
		delete(h, "Transfer-Encoding")
	}
	w.WriteHeader(code)
}

// setType sets the Content-Type of a body to ct unless one is set (a nil
// ct, present but empty, makes net/http neither sniff nor send one). A body
// left without one gets X-Content-Type-Options: nosniff, unless set before:
// a browser would otherwise sniff text that echoes the client's input (a
// redirect to "<script>…") as HTML of this origin.
func setType(h http.Header, ct []string) {
	if cur := h["Content-Type"]; len(cur) > 0 {
		ct = cur
	} else {
		h["Content-Type"] = ct
	}
	if len(ct) > 0 && ct[0] != "" {
		return
	}
	if _, ok := h["X-Content-Type-Options"]; !ok {
		h["X-Content-Type-Options"] = noSniff
	}
}

// prepare sends the headers of a complete body of length bytes, or a 304
// when the request is fresh. It reports whether the caller should write
// the body (not for a 304 nor a HEAD).
func prepare(w http.ResponseWriter, r *http.Request, status, length int, d digest, ct []string) bool {
	h := w.Header()
	// One string holds the tag and the length (`"2caikvdqo85"5`) and one
	// array backs both header slices: two allocations for four values.
	var buf [maxTagLen + 20]byte
	b := d.appendTag(buf[:0])
	n := len(b)
	b = strconv.AppendInt(b, int64(length), 10)
	s := string(b)
	vals := make([]string, 2)
	vals[0], vals[1] = s[:n], s[n:]
	h["Etag"] = vals[0:1:1]
	if fresh(r, status, vals[0]) {
		noBody(w, http.StatusNotModified)
		return false
	}
	setType(h, ct)
	h["Content-Length"] = vals[1:2:2]
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		countUnsent(w, length)
		return false
	}
	return true
}

// countUnsent counts a HEAD body that is not written, as Next counts it
// against the response limit.
func countUnsent(w http.ResponseWriter, n int) {
	if st := watch.From(w); st != nil {
		st.CountUnsent(int64(n))
	}
}

// sendJSON sends v as [JSON] does, once the status is checked.
func sendJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	e := encoders.Get().(*encoder)
	defer e.release()
	// res.json stringifies before send looks at the status, so an
	// unencodable value fails even for a 204.
	body, err := e.encode(w, v)
	if err != nil {
		return err
	}
	if bodyless(status) {
		noBody(w, status)
		return nil
	}
	w.Header()["Content-Type"] = jsonType // replacing any set before; a 304 drops it
	if !prepare(w, r, status, len(body), feed(newDigest(), body), jsonType) {
		return nil
	}
	_, err = w.Write(body)
	return err
}

// encoder holds a pooled buffer that a codec appends to.
type encoder struct{ out []byte }

var encoders = sync.Pool{New: func() any { return new(encoder) }}

// maxPooledBuffer keeps a buffer that grew past it out of the pool: 4 MiB,
// the size from which Next warns that a response is too large.
const maxPooledBuffer = 4 << 20

// encode returns v's JSON by the route's codec (the one recorded on w by
// an apierror layer, else encoding/json), valid until the encoder is
// released, or the 500 to return.
func (e *encoder) encode(w http.ResponseWriter, v any) ([]byte, error) {
	var c jsoncodec.Codec = jsoncodec.Std{}
	if st := watch.From(w); st != nil && st.Errors.Codec != nil {
		c = st.Errors.Codec
	}
	b, err := c.Append(e.out[:0], v)
	if err != nil {
		// Only on the codec's refusal, look for the NaN and ±Inf that
		// JSON.stringify writes null (finite.go).
		retry := err
		if nv, ok := nullNonFinite(v); ok {
			b, retry = c.Append(e.out[:0], nv)
		}
		if retry != nil {
			return nil, internal(fmt.Errorf("respond: encoding %T as JSON: %w", v, err))
		}
	}
	e.out = b
	return b, nil
}

func (e *encoder) release() {
	if cap(e.out) > maxPooledBuffer {
		e.out = nil
	}
	encoders.Put(e)
}

// chunkSize is the read size of a streamed body, as io.Copy's.
const chunkSize = 32 << 10

var chunks = sync.Pool{New: func() any { return new([chunkSize]byte) }}

// stream sends rd as the body, flushing each chunk so that a slow producer
// reaches the client as it goes, as Node's pipe does.
func stream(w http.ResponseWriter, status int, rd io.Reader) error {
	setType(w.Header(), binaryType)
	w.WriteHeader(status)
	fw := flushWriter{w: w, rc: http.NewResponseController(w)}
	buf := chunks.Get().(*[chunkSize]byte)
	_, err := io.CopyBuffer(fw, rd, buf[:])
	chunks.Put(buf)
	return err
}

// flushWriter flushes after every write. It has no ReadFrom, so io.Copy
// hands it one chunk at a time.
type flushWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	if err := f.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return n, err
	}
	return n, nil
}
