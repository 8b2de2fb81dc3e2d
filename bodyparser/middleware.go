package bodyparser

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/charset"
	"github.com/apiroutes/apiroutes/internal/watch"
	"github.com/apiroutes/apiroutes/internal/whatwg"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

func (p *parser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.raw {
		p.serveRaw(w, r)
		return
	}
	var ct string
	if v := r.Header["Content-Type"]; len(v) > 0 { // net/http canonicalizes keys: skip Header.Get's work
		ct = v[0]
	}
	if p.multipart != nil && p.serveMultipart(w, r, ct) {
		return
	}
	k, label := mediaKind(ct)
	if p.alwaysJSON {
		k, label = kindJSON, "" // request.json() reads UTF-8 whatever the header says
	}
	var enc *charset.Decoder
	if label != "" {
		var ok bool
		if enc, ok = charset.Lookup(label); !ok {
			p.refuseUnread(w, r, errInvalidBody, false)
			return
		}
	}
	cs := contentCodings(r.Header)
	// The first test spares the common request a call.
	if (cs.n > 0 || cs.bad != "" || cs.tooMany || r.ContentLength > p.limit) && p.refusedEarly(w, r, &cs) {
		return
	}
	if noBody(r) {
		if p.alwaysJSON {
			attach(r, emptyNeedJSON)
		} else {
			attach(r, empties[k])
		}
		p.next.ServeHTTP(w, r)
		return
	}
	deadline := p.setDeadline(w, r)
	raw, err := p.read(r, &cs)
	if err != nil {
		p.refuseRead(w, r, err)
		return
	}
	if deadline {
		watch.SetReadDeadline(w, time.Time{}) // r.Body returned EOF: the deadline was the body's alone
	}
	text := bytes.TrimPrefix(enc.Decode(raw), []byte("\uFEFF"))
	b := &body{raw: raw, kind: k, text: whatwg.ValidUTF8(text), needJSON: p.alwaysJSON}
	switch k {
	case kindJSON, kindJSONText: // application/*+json is validated by Decode, if the handler asks for JSON
		if k == kindJSON && len(b.text) > 0 && !validJSON(b.text) {
			p.errs.Write(w, r, errInvalidJSON)
			return
		}
		b.codec = p.codecFor(w)
	case kindForm:
		b.form = url.Values{}
		whatwg.ParseURLEncoded(string(b.text), 1000, func(name, value string) { // Node's querystring maxKeys
			b.form[name] = append(b.form[name], value)
		})
		r.PostForm = b.form
	}
	if cs.n > 0 {
		// The handler sees the decoded body; it must not decode it again.
		r.Header.Del("Content-Encoding")
		r.ContentLength = int64(len(raw))
	}
	attach(r, b)
	p.next.ServeHTTP(w, r)
}

func (p *parser) codecFor(w http.ResponseWriter) jsoncodec.Codec {
	if p.codec != nil {
		return p.codec
	}
	if st := watch.From(w); st != nil && st.Errors.Codec != nil {
		return st.Errors.Codec
	}
	return jsoncodec.Std{}
}

// noBody reports a request without a body to read.
func noBody(r *http.Request) bool {
	return r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody
}

// refusedEarly answers, before reading, codings that will not be decoded
// and a Content-Length above the limit, and reports whether it did.
func (p *parser) refusedEarly(w http.ResponseWriter, r *http.Request, cs *codings) bool {
	wireLimit := p.limit
	if cs.n > 0 {
		wireLimit = p.wireCap
	}
	switch {
	case cs.bad != "" || cs.tooMany || (cs.n > 0 && !p.inflate):
		p.refuseCodings(w, r, cs)
	case !noBody(r) && r.ContentLength > wireLimit:
		p.refuseTooLarge(w, r, p.tooLarge)
	default:
		return false
	}
	return true
}

// read reads the body to the EOF of r.Body, within the limit (for decoded
// bytes) and wireCap and the ratio (for compressed ones).
func (p *parser) read(r *http.Request, cs *codings) ([]byte, error) {
	if cs.n == 0 {
		b, err := readLimited(r.Body, p.limit)
		if err == nil && r.ContentLength > 0 && int64(len(b)) != r.ContentLength {
			return nil, io.ErrUnexpectedEOF
		}
		return b, err
	}
	d, err := decode(&capReader{r: r.Body, n: p.wireCap}, cs, p.ratio)
	defer d.release()
	if err != nil {
		return nil, err
	}
	b, err := readLimited(d, p.limit)
	if err != nil {
		return nil, err
	}
	return b, d.finish()
}

// refuseRead answers a body that could not be read: 413 past the limit or
// the decompression ratio, 408 past the deadline, 400 otherwise.
func (p *parser) refuseRead(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errTooLarge):
		p.refuseTooLarge(w, r, p.tooLarge)
	case errors.Is(err, errExpanded):
		p.refuseTooLarge(w, r, p.expanded)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The rest of the body may still be on its way, and on HTTP/1 it
		// cannot be told from a next request.
		if r.ProtoMajor < 2 {
			w.Header().Set("Connection", "close")
		}
		p.errs.Write(w, r, p.timedOut)
	case err == errTrailingCompressed || err == errTrailingMultipart:
		p.refuseUnread(w, r, err.(*apierror.Error), true)
	default:
		p.refuseUnread(w, r, errInvalidBody, true)
	}
}

// refuseUnread answers e before the body was read to its end. The read
// deadline stays (set, if reading had not started), so that net/http, which
// reads up to 256 KiB of what is left to keep the connection, gives up.
func (p *parser) refuseUnread(w http.ResponseWriter, r *http.Request, e *apierror.Error, started bool) {
	if !started && !noBody(r) {
		p.setDeadline(w, r)
	}
	p.errs.Write(w, r, e)
}

// setDeadline sets the body read deadline, reporting whether it could (see
// watch.SetBodyDeadline).
func (p *parser) setDeadline(w http.ResponseWriter, r *http.Request) bool {
	return p.timeout > 0 && watch.SetBodyDeadline(w, r, p.timeout)
}

// refuseTooLarge answers 413. On HTTP/1 the connection is closed after it,
// so that a client still uploading is cut off; HTTP/2 resets the one
// stream, and a Connection header there would close the connection for
// every other stream on it (Go's server answers it with GOAWAY).
func (p *parser) refuseTooLarge(w http.ResponseWriter, r *http.Request, e *apierror.Error) {
	if r.ProtoMajor < 2 {
		w.Header().Set("Connection", "close")
		signalTooLarge(w, r, r.Body)
	}
	p.errs.Write(w, r, e)
}

// refuseCodings answers 415 for an unsupported coding, too many, or any
// when decompression is off, saying what would have been accepted (RFC
// 9110, section 15.5.16).
func (p *parser) refuseCodings(w http.ResponseWriter, r *http.Request, cs *codings) {
	accept := "gzip, deflate"
	if !p.inflate {
		accept = "identity"
	}
	w.Header().Set("Accept-Encoding", accept)
	e := errTooManyCodings
	if !cs.tooMany {
		name := cs.bad
		if name == "" {
			name = cs.c[0]
		}
		e = apierror.New(http.StatusUnsupportedMediaType, "Unsupported Content-Encoding: "+name)
	}
	p.refuseUnread(w, r, e, false)
}

// serveRaw passes the stream on, bounded only by a SizeLimit or ReadTimeout.
func (p *parser) serveRaw(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		p.next.ServeHTTP(w, r)
		return
	}
	if p.hasLimit {
		if r.ContentLength > p.limit {
			p.refuseTooLarge(w, r, p.tooLarge)
			return
		}
		r.Body = http.MaxBytesReader(innermost(w), r.Body, p.limit)
	}
	var sb *slowBody
	if r.ContentLength != 0 && p.setDeadline(w, r) {
		sb = &slowBody{ReadCloser: r.Body, w: w, http1: r.ProtoMajor < 2, timedOut: p.timedOut}
		r.Body = sb
	}
	p.next.ServeHTTP(w, r)
	if sb != nil && sb.eof {
		// Else the deadline stays, to bound net/http's reading of what is left.
		watch.SetReadDeadline(w, time.Time{})
	}
}

// slowBody is a Raw-mode body under a read deadline: a read past it fails
// with a 408 *apierror.Error wrapping os.ErrDeadlineExceeded, and on HTTP/1
// marks the answer Connection: close.
type slowBody struct {
	io.ReadCloser
	w        http.ResponseWriter
	http1    bool
	eof      bool
	timedOut *apierror.Error
}

func (b *slowBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	} else if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if b.http1 {
			b.w.Header().Set("Connection", "close")
		}
		err = apierror.Wrap(err, b.timedOut.Status, b.timedOut.Message)
	}
	return n, err
}
