package bodyparser

import (
	"errors"
	"net/http"
	"net/url"

	"golang.org/x/text/encoding"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/whatwg"
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
	k, charset := mediaKind(ct)
	if p.forms != nil {
		if p.forms.multipart != nil && p.serveMultipart(w, r, ct) {
			return
		}
		if p.forms.json {
			k, charset = kindJSON, "" // request.json() reads UTF-8 whatever the header says
		}
	}
	var enc encoding.Encoding
	if charset != "" {
		var ok bool
		if enc, ok = lookupCharset(charset); !ok {
			p.errs.Write(w, r, p.invalidBody)
			return
		}
	}
	codings, unsupported, ok := contentCodings(r.Header)
	if !ok {
		p.errs.Write(w, r, apierror.UnsupportedMediaType("Unsupported Content-Encoding: "+unsupported))
		return
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		r.Body = emptyBody(k)
		p.next.ServeHTTP(w, r)
		return
	}

	// Refuse before reading when the declared length already says too much.
	wireLimit := p.limit
	if len(codings) > 0 {
		wireLimit = p.wireCap
	}
	if r.ContentLength > wireLimit {
		p.refuseTooLarge(w, r)
		return
	}

	raw, err := p.read(r, codings)
	if errors.Is(err, errTooLarge) {
		p.refuseTooLarge(w, r)
		return
	}
	if err != nil {
		p.errs.Write(w, r, p.invalidBody)
		return
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
	case kindForm:
		b.form = url.Values{}
		whatwg.ParseURLEncoded(string(b.text), maxFormPairs, func(name, value string) {
			b.form[name] = append(b.form[name], value)
		})
		r.PostForm = b.form
	}
	if len(codings) > 0 {
		// The handler sees the decoded body; it must not decode it again.
		r.Header.Del("Content-Encoding")
		r.ContentLength = int64(len(raw))
	}
	r.Body = b
	p.next.ServeHTTP(w, r)
}

// read reads the body within the limit. With content codings, the limit
// applies to the decoded bytes and wireCap to the bytes on the wire.
func (p *parser) read(r *http.Request, codings []coding) ([]byte, error) {
	if len(codings) == 0 {
		if r.ContentLength > 0 {
			return readExact(r.Body, r.ContentLength)
		}
		return readLimited(r.Body, p.limit)
	}
	src, release, err := decoded(&capReader{r: r.Body, n: p.wireCap}, codings)
	if err != nil {
		return nil, err
	}
	defer release()
	return readLimited(src, p.limit)
}

// refuseTooLarge answers 413 and makes sure the connection is closed after
// it, so that a client still uploading is cut off.
func (p *parser) refuseTooLarge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	signalTooLarge(w, r, r.Body)
	p.errs.Write(w, r, p.tooLarge)
}

// serveRaw passes the stream on untouched, limited only when a SizeLimit
// was set.
func (p *parser) serveRaw(w http.ResponseWriter, r *http.Request) {
	if p.hasLimit && r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > p.limit {
			p.refuseTooLarge(w, r)
			return
		}
		r.Body = http.MaxBytesReader(innermost(w), r.Body, p.limit)
	}
	p.next.ServeHTTP(w, r)
}
