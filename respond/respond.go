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

// Header values shared by every response. They are set, never modified in
// place; the three-index slices make an append copy them.
var (
	jsonType   = []string{"application/json; charset=utf-8"}[:1:1]
	binaryType = []string{"application/octet-stream"}[:1:1]
	noSniff    = []string{"nosniff"}[:1:1]
)

// Status sends code as the response status, now: it is w.WriteHeader(code)
// with Next's range check. Set headers before calling it; send the body
// afterwards with w.Write, or send none (Status(w, http.StatusNoContent)).
// A 1xx code is an informational response (103 Early Hints) and may be
// followed by the real one.
//
// To answer with a body, pass the status to [JSON], [Send] or [Redirect]
// instead: they must set Content-Type, Content-Length and ETag before the
// status goes out.
//
// A code outside 100–999 sends nothing and returns an [*apierror.Error]
// 500 whose cause names the code, as does a response that has already
// started (when w comes from an apiroutes layer, which knows).
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
// The body is what JSON.stringify would give for most values: no HTML
// escaping of <, > and &, no trailing newline, nil as null, and null for
// NaN and ±Inf held in an interface (any, []any, map[string]any: what
// bodyparser.Value returns, with +Inf for 1e400). Content-Type is
// set to application/json; charset=utf-8, replacing any set before;
// Content-Length and Next's [ETag] are set from the body. A GET or HEAD
// whose If-None-Match matches the ETag is answered 304 Not Modified, for a
// 2xx status. A HEAD request gets the headers without the body. Status 204
// and 304 send no body and no Content-Type.
//
// The body is written by the route's JSON codec: the one an enclosing
// apierror layer names (apierror.Config.Codec), else encoding/json.
//
// A value the codec cannot encode (a channel, NaN in a float64 field, a
// cycle, a failing MarshalJSON) and a status outside 200–999 are returned as an
// [*apierror.Error] 500, with nothing written. An error from writing the
// body to w is returned as it is.
func JSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	if err := checkBodyStatus(w, status); err != nil {
		return err
	}
	// res.json stringifies before send looks at the status, so an
	// unencodable value fails even for a 204.
	e := encoders.Get().(*encoder)
	body, err := e.encode(w, v)
	if err != nil {
		encoders.Put(e)
		return internal(fmt.Errorf("respond: encoding %T as JSON: %w", v, err))
	}
	if bodyless(status) {
		encoders.Put(e)
		noBody(w, status)
		return nil
	}
	err = sendJSON(w, r, status, body)
	e.release()
	return err
}

// Send sends v with the given status the way Next's res.status(status).send(v)
// does, choosing the body and its headers by the type of v, in this order:
//
//   - nil: no body, no Content-Type, no ETag.
//   - status 204 or 304: no body, whatever v is; Content-Type,
//     Content-Length and Transfer-Encoding are removed.
//   - an [io.Reader] (a *bytes.Buffer and a *strings.Reader are readers
//     too): streamed, each chunk flushed as it is read;
//     Content-Type application/octet-stream unless one is set; no ETag and
//     no Content-Length (chunked). HEAD requests read the stream too, and
//     net/http discards it. The reader is not closed.
//   - a string: the text, with no Content-Type added (and none sniffed by
//     net/http) but X-Content-Type-Options: nosniff, so that no browser
//     sniffs one either: set a Content-Type first to have one.
//   - a []byte: the bytes, application/octet-stream unless a Content-Type
//     is set. Its ETag is Next's for a Buffer, computed over
//     {"type":"Buffer","data":[…]}, which is what Next hashes.
//   - anything else (bool, numbers, maps, slices, structs, pointers,
//     [json.RawMessage]…): JSON, as [JSON] encodes it; Content-Type becomes
//     application/json; charset=utf-8, replacing any set before.
//
// Strings, []byte and JSON get Content-Length and Next's [ETag], and a GET
// or HEAD whose If-None-Match matches is answered 304 Not Modified, for a
// 2xx status. A HEAD request gets the headers without the body. Only the
// exact types string and []byte are text and bytes; named types such as
// json.RawMessage are values.
//
// Errors are those of [JSON]. An error from the reader or from writing to
// w is returned as it is; with a reader, the response has started by then.
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
		d := newDigest()
		d.h, d.units = feed(d.h, d.units, b)
		if !prepare(w, r, status, len(b), d, typeUnlessSetNoSniff) {
			return nil
		}
		_, err := io.WriteString(w, b)
		return err
	case []byte:
		if !prepare(w, r, status, len(b), bufferDigest(b), typeUnlessSetBinary) {
			return nil
		}
		_, err := w.Write(b)
		return err
	}
	e := encoders.Get().(*encoder)
	body, err := e.encode(w, v)
	if err != nil {
		encoders.Put(e)
		return internal(fmt.Errorf("respond: encoding %T as JSON: %w", v, err))
	}
	err = sendJSON(w, r, status, body)
	e.release()
	return err
}

// Redirect redirects the client to url with status: Next's
// res.redirect(status, url). Next's res.redirect(url) is
// Redirect(w, r, http.StatusTemporaryRedirect, url). The status comes
// first, as in [JSON] and [Send] and in Next, and is not optional, so a
// misplaced or missing argument is a compile error, not a 500.
//
// Location is url as given, neither resolved nor cleaned, except that
// bytes from 0x80 up are percent-encoded, as [http.Redirect] does: a header
// carries ASCII (Node refuses the rest, and Next answers 500 for /日本).
// The body is the URL text with no Content-Type, unless one was set, and
// X-Content-Type-Options: nosniff, so that a URL holding markup is never
// rendered as HTML, whatever the status; HEAD, 204 and 304 get no body.
//
// A url that is not a valid header value (a byte below 0x20 other than
// TAB, or 0x7F: CR and LF would split the header), an empty url, or a
// status outside 200–999 is returned as an [*apierror.Error] 500, with
// nothing written.
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
	setType(h, typeUnlessSetNoSniff)
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
// send: a 500 whose cause is logged by apierror and never sent.
func internal(cause error) error {
	return apierror.Wrap(cause, http.StatusInternalServerError, "Internal Server Error")
}

// checkRange is Node's check (Next has none): a status line needs three
// digits.
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

// checkStarted refuses to touch a response whose header is out, when w
// comes from an apiroutes layer that knows.
func checkStarted(w http.ResponseWriter) error {
	if st := watch.From(w); st != nil && st.Started() {
		return internal(errStarted)
	}
	return nil
}

// bodyless reports the statuses for which Next drops the body.
func bodyless(code int) bool {
	return code == http.StatusNoContent || code == http.StatusNotModified
}

// noBody ends the response with the status alone. For 204 and 304 it
// removes the headers that describe a body, as Next does.
func noBody(w http.ResponseWriter, code int) {
	if bodyless(code) {
		h := w.Header()
		delete(h, "Content-Type")
		delete(h, "Content-Length")
		delete(h, "Transfer-Encoding")
	}
	w.WriteHeader(code)
}

// typePolicy is how a body sets Content-Type.
type typePolicy uint8

const (
	typeJSON             typePolicy = iota // always JSON, replacing any set before
	typeUnlessSetBinary                    // application/octet-stream unless set
	typeUnlessSetNoSniff                   // none unless set, and net/http must not sniff one
)

// setType sets the Content-Type of a body by p, and marks a body that is
// left without one nosniff.
func setType(h http.Header, p typePolicy) {
	switch p {
	case typeJSON:
		h["Content-Type"] = jsonType
		return
	case typeUnlessSetBinary:
		if len(h["Content-Type"]) == 0 {
			h["Content-Type"] = binaryType
		}
	case typeUnlessSetNoSniff:
		if _, ok := h["Content-Type"]; !ok {
			h["Content-Type"] = nil // present but empty: net/http neither sniffs nor sends one
		}
	}
	forbidSniffing(h)
}

// forbidSniffing sends X-Content-Type-Options: nosniff with a body that
// has no Content-Type, or an empty one. A browser would otherwise guess
// the type from the bytes, and a URL or text that echoes the client's
// input (a redirect to "<script>…" with status 200) would run as HTML of
// this origin. A value set before is kept.
func forbidSniffing(h http.Header) {
	if ct := h["Content-Type"]; len(ct) > 0 && ct[0] != "" {
		return
	}
	if _, ok := h["X-Content-Type-Options"]; !ok {
		h["X-Content-Type-Options"] = noSniff
	}
}

// prepare sends the headers of a complete body of length bytes whose ETag
// state is d, or a 304 when the request is fresh. It reports whether the
// caller should write the body (not for a 304 nor a HEAD).
func prepare(w http.ResponseWriter, r *http.Request, status, length int, d digest, p typePolicy) bool {
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
	setType(h, p)
	h["Content-Length"] = vals[1:2:2]
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		countUnsent(w, length)
		return false
	}
	return true
}

// countUnsent tells the response watcher, when there is one, about a HEAD
// body that is not written: Next counts it against the response limit.
func countUnsent(w http.ResponseWriter, n int) {
	if st := watch.From(w); st != nil {
		st.CountUnsent(int64(n))
	}
}

func sendJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) error {
	d := newDigest()
	d.h, d.units = feed(d.h, d.units, body)
	if !prepare(w, r, status, len(body), d, typeJSON) {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// encoder holds a buffer that a codec appends to, pooled so that a
// response costs no buffer growth.
type encoder struct{ out []byte }

var encoders = sync.Pool{New: func() any { return new(encoder) }}

// maxPooledBuffer keeps a buffer that grew past it out of the pool: 4 MiB,
// the size past which Next warns that a response is too large. Below it a
// large response reuses a buffer instead of growing a new one each time;
// the pool lets go of its buffers within two garbage collections.
const maxPooledBuffer = 4 << 20

// encode returns v's JSON by the route's codec (the one recorded on w by
// an apierror layer, else encoding/json), valid until the encoder is
// released, with NaN and ±Inf held in interfaces as null.
func (e *encoder) encode(w http.ResponseWriter, v any) ([]byte, error) {
	var c jsoncodec.Codec = jsoncodec.Std{}
	if st := watch.From(w); st != nil && st.Errors.Codec != nil {
		c = st.Errors.Codec
	}
	b, err := c.Append(e.out[:0], v)
	if err != nil {
		// Only now, on the codec's refusal, look for the NaN and ±Inf
		// that JSON.stringify writes null (finite.go).
		if nv, ok := nullNonFinite(v); ok {
			if b, err2 := c.Append(e.out[:0], nv); err2 == nil {
				e.out = b
				return b, nil
			}
		}
		return nil, err
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
	setType(w.Header(), typeUnlessSetBinary)
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
