package bodyparser

import (
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

// maxFormPairs is Node's querystring maxKeys default.
const maxFormPairs = 1000

func (p *parser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.raw {
		p.serveRaw(w, r)
		return
	}
	var ct string
	if v := r.Header["Content-Type"]; len(v) > 0 { // net/http canonicalizes keys: skip Header.Get's work
		ct = v[0]
	}
	k, label := mediaKind(ct)
	if p.forms != nil {
		if p.forms.multipart != nil && p.serveMultipart(w, r, ct) {
			return
		}
		if p.forms.json {
			k, label = kindJSON, "" // request.json() reads UTF-8 whatever the header says
		}
	}
	var enc *charset.Decoder
	if label != "" {
		var ok bool
		if enc, ok = charset.Lookup(label); !ok {
			p.refuseUnread(w, r, p.invalidBody, false)
			return
		}
	}
	cs := contentCodings(r.Header)
	if cs.bad != "" || cs.tooMany || (cs.n > 0 && !p.inflate) {
		p.refuseCodings(w, r, &cs)
		return
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		attach(r, emptyBody(k))
		p.next.ServeHTTP(w, r)
		return
	}

	// Refuse before reading when the declared length already says too much.
	wireLimit := p.limit
	if cs.n > 0 {
		wireLimit = p.wireCap
	}
	if r.ContentLength > wireLimit {
		p.refuseTooLarge(w, r, p.tooLarge)
		return
	}

	deadline := p.setDeadline(w)
	raw, err := p.read(r, &cs)
	if err != nil {
		p.refuseRead(w, r, err)
		return
	}
	if deadline {
		// r.Body returned EOF: the deadline was the body's alone. net/http
		// lifts it too (at EOF, before a keep-alive wait); this does not
		// rely on that.
		setReadDeadline(w, time.Time{})
	}
	b, err := newBody(raw, k, enc)
	if err != nil {
		p.errs.Write(w, r, p.invalidBody)
		return
	}
	switch k {
	case kindJSON:
		if len(b.text) > 0 && !validJSON(b.text) {
			p.errs.Write(w, r, p.invalidJSON)
			return
		}
		b.codec = p.codecFor(w)
	case kindJSONText: // validated by Decode, if the handler asks for JSON
		b.codec = p.codecFor(w)
	case kindForm:
		b.form = url.Values{}
		whatwg.ParseURLEncoded(string(b.text), maxFormPairs, func(name, value string) {
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

// codecFor returns the codec that decodes the request's JSON: the Config's,
// else the one an enclosing apierror layer recorded on w, else
// encoding/json.
func (p *parser) codecFor(w http.ResponseWriter) jsoncodec.Codec {
	if p.codec != nil {
		return p.codec
	}
	if st := watch.From(w); st != nil && st.Errors.Codec != nil {
		return st.Errors.Codec
	}
	return jsoncodec.Std{}
}

// read reads the body within the limit, to the EOF of r.Body. With
// content codings, the limit applies to the decoded bytes, wireCap to the
// bytes on the wire, and the ratio between them to both; what follows the
// end of a compressed stream is read too, within maxTrailing. The buffer
// grows with the bytes received, whatever Content-Length says, and a body
// that ends before its Content-Length is an error.
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
	if err == nil {
		err = d.finish()
	}
	if err != nil {
		return nil, err
	}
	return b, nil
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
		p.refuseSlow(w, r)
	case err == errTrailingCompressed || err == errTrailingMultipart:
		p.refuseUnread(w, r, err.(*apierror.Error), true)
	default:
		p.refuseUnread(w, r, p.invalidBody, true)
	}
}

// refuseUnread answers e before the body was read to its end. The read
// deadline stays (and is set, if reading had not started), so that
// net/http, which reads what is left of the body (up to 256 KiB) before
// it sends the answer, to keep the connection, gives up at the deadline.
func (p *parser) refuseUnread(w http.ResponseWriter, r *http.Request, e *apierror.Error, started bool) {
	if !started && r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		p.setDeadline(w)
	}
	p.errs.Write(w, r, e)
}

// setDeadline sets the body read deadline, and reports whether it did: not
// when the route has none, nor when w cannot set deadlines (then the
// server's own timeouts are all there is).
func (p *parser) setDeadline(w http.ResponseWriter) bool {
	if p.timeout <= 0 {
		return false
	}
	return setReadDeadline(w, time.Now().Add(p.timeout))
}

// refuseTooLarge answers 413. On HTTP/1 it also makes sure the connection
// is closed after it, so that a client still uploading is cut off; HTTP/2
// and later reset the one stream when the handler returns, and a Connection
// header there would close the connection for every other stream on it
// (Go's server answers it with GOAWAY).
func (p *parser) refuseTooLarge(w http.ResponseWriter, r *http.Request, e *apierror.Error) {
	if r.ProtoMajor < 2 {
		w.Header().Set("Connection", "close")
		signalTooLarge(w, r, r.Body)
	}
	p.errs.Write(w, r, e)
}

// refuseSlow answers 408 when the body read deadline has passed. On HTTP/1
// the connection is closed after it: the rest of the body is still on the
// way and cannot be told from a next request.
func (p *parser) refuseSlow(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor < 2 {
		w.Header().Set("Connection", "close")
	}
	p.errs.Write(w, r, p.timedOut)
}

// acceptEncoding tells a client answered 415 for its Content-Encoding what
// would have been accepted (RFC 9110, section 15.5.16).
const acceptEncoding = "gzip, deflate"

// refuseCodings answers 415 for an unsupported coding, too many, or any
// when decompression is off.
func (p *parser) refuseCodings(w http.ResponseWriter, r *http.Request, cs *codings) {
	if !p.inflate {
		w.Header().Set("Accept-Encoding", "identity")
	} else {
		w.Header().Set("Accept-Encoding", acceptEncoding)
	}
	switch {
	case cs.tooMany:
		p.refuseUnread(w, r, p.tooManyCodings, false)
	case cs.bad != "":
		p.refuseUnread(w, r, apierror.New(http.StatusUnsupportedMediaType, "Unsupported Content-Encoding: "+cs.bad), false)
	default:
		p.refuseUnread(w, r, apierror.New(http.StatusUnsupportedMediaType, "Unsupported Content-Encoding: "+cs.c[0].String()), false)
	}
}

// serveRaw passes the stream on untouched, bounded only by a SizeLimit or
// a ReadTimeout set in the Config.
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
	if r.ContentLength != 0 && p.setDeadline(w) {
		b := &slowBody{ReadCloser: r.Body, w: w, http1: r.ProtoMajor < 2, timedOut: p.timedOut}
		r.Body = b
		p.next.ServeHTTP(w, r)
		if b.eof {
			setReadDeadline(w, time.Time{})
		}
		// Otherwise the deadline stays: it bounds net/http's reading of
		// what the handler left of the body.
		return
	}
	p.next.ServeHTTP(w, r)
}

// slowBody is a Raw-mode body under a read deadline. A read past the
// deadline fails with an *apierror.Error of status 408 (wrapping the
// os.ErrDeadlineExceeded) that [apierror.Write] answers as the parser
// would, and on HTTP/1 marks the answer Connection: close.
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
