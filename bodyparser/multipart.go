package bodyparser

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/internal/watch"
)

// MultipartConfig sets the limits of multipart/form-data parsing; every
// field has a default. The whole body is bounded by [Config.SizeLimit].
type MultipartConfig struct {
	// MaxFileSize is the largest file part. Empty means the SizeLimit.
	MaxFileSize string

	// MaxFieldSize is the largest value of a part that is not a file.
	// Empty means "1mb".
	MaxFieldSize string

	// MaxParts is the most parts a body may hold, fields and files
	// together. 0 means 1000.
	MaxParts int

	// MaxPartHeaderSize is the most bytes of headers a part may carry,
	// boundary line padding included, at most 64kb. Empty means "16kb".
	MaxPartHeaderSize string

	// MaxMemory is what a request may hold in memory: fields, names and
	// 256 bytes per part, and files while they fit (then they go to a
	// temporary file in TempDir). Empty means "1mb".
	MaxMemory string

	// TempDir is where files beyond MaxMemory are written, until the
	// handler returns. Empty means os.TempDir().
	TempDir string
}

// partOverhead is what each kept part is charged against MaxMemory for
// its Entry, File and map slots, so that many tiny parts are bounded too.
const partOverhead = 256

// multipartLimits is a compiled MultipartConfig.
type multipartLimits struct {
	file, field, memory int64
	parts, header       int
	tempDir             string
	bufSize             int
	chunk               int // the largest memory chunk

	fileTooLarge, fieldTooLarge, memTooLarge *apierror.Error
	tooManyParts, headerTooLarge             *apierror.Error
}

func (c Config) compileForms(p *parser) error {
	if !c.AlwaysJSON && c.Multipart == nil {
		return nil
	}
	if c.Raw {
		return errors.New("bodyparser: AlwaysJSON and Multipart parse the body, so they cannot be combined with Raw")
	}
	p.alwaysJSON = c.AlwaysJSON
	m := c.Multipart
	if m == nil {
		return nil
	}
	total, err := parseSize("SizeLimit", c.SizeLimit, defaultSizeLimit)
	if err != nil {
		return err
	}
	var file, field, memory, header size.Size
	for _, s := range []struct {
		dst          *size.Size
		name, v, def string
	}{
		{&file, "MaxFileSize", m.MaxFileSize, total.Text},
		{&field, "MaxFieldSize", m.MaxFieldSize, "1mb"}, // busboy's fieldSize, met in formidable and multer
		{&memory, "MaxMemory", m.MaxMemory, "1mb"},
		{&header, "MaxPartHeaderSize", m.MaxPartHeaderSize, "16kb"},
	} {
		if *s.dst, err = parseSize("Multipart."+s.name, s.v, s.def); err != nil {
			return err
		}
	}
	// At most 64kb, so that a part's header block always fits in the buffer.
	if header.Bytes < 64 || header.Bytes > 64<<10 {
		return fmt.Errorf("bodyparser: Multipart.MaxPartHeaderSize %q: must be between 64b and 64kb", header.Text)
	}
	l := &multipartLimits{file: file.Bytes, field: field.Bytes, memory: memory.Bytes,
		parts: m.MaxParts, header: int(header.Bytes), tempDir: m.TempDir}
	if l.parts < 0 {
		return fmt.Errorf("bodyparser: Multipart.MaxParts %d: must not be negative", l.parts)
	}
	if l.parts == 0 {
		l.parts = 1000 // as Node's querystring maxKeys for urlencoded forms
	}
	if l.tempDir != "" {
		if fi, err := os.Stat(l.tempDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("bodyparser: Multipart.TempDir %q: not a directory", l.tempDir)
		}
	}
	// The header block and a boundary line must fit in the buffer with room
	// to spare, so that data moves in large slices.
	l.bufSize = 32<<10 + l.header
	l.chunk = 32 << 10
	for l.chunk < 256<<10 && int64(l.chunk)*2 <= l.memory/32 {
		l.chunk *= 2
	}
	l.fileTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "File exceeded "+file.Text+" limit")
	l.fieldTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Field exceeded "+field.Text+" limit")
	l.memTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Form fields exceeded "+memory.Text+" limit")
	l.headerTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Part header exceeded "+header.Text+" limit")
	l.tooManyParts = apierror.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("Form exceeded %d parts limit", l.parts))
	p.multipart = l
	return nil
}

var (
	errBadBoundary  = apierror.BadRequest("Invalid multipart boundary")
	errBadMultipart = apierror.BadRequest("Invalid multipart body")
)

// multipartBoundary reports whether ct is multipart/form-data and returns
// its boundary parameter, "" when it is missing or invalid.
func multipartBoundary(ct string) (boundary string, ok bool) {
	const mt = "multipart/form-data"
	t := strings.TrimLeft(ct, " \t")
	if len(t) < len(mt) || !strings.EqualFold(t[:len(mt)], mt) {
		return "", false
	}
	if rest := t[len(mt):]; rest != "" && rest[0] != ';' && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // multipart/form-datax
	}
	_, params, err := mime.ParseMediaType(t)
	if err != nil {
		return "", true
	}
	b := params["boundary"]
	if len(b) == 0 || len(b) > 70 || // RFC 2046: 1 to 70 characters
		strings.ContainsFunc(b, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return "", true
	}
	return b, true
}

var formBufPool sync.Pool // *[]byte of some bufSize

// serveMultipart parses a multipart/form-data body and serves the handler
// with it, reporting false when ct is not multipart/form-data.
func (p *parser) serveMultipart(w http.ResponseWriter, r *http.Request, ct string) bool {
	boundary, ok := multipartBoundary(ct)
	if !ok {
		return false
	}
	if boundary == "" {
		p.refuseUnread(w, r, errBadBoundary, false)
		return true
	}
	cs := contentCodings(r.Header)
	if p.refusedEarly(w, r, &cs) {
		return true
	}
	fd := &FormData{}
	if noBody(r) {
		p.serveForm(w, r, fd)
		return true
	}
	deadline := p.setDeadline(w, r)
	src := &capReader{r: r.Body, n: p.limit}
	var d *decoding
	if cs.n > 0 {
		var err error
		d, err = decode(&capReader{r: r.Body, n: p.wireCap}, &cs, p.ratio)
		defer d.release()
		if err != nil {
			p.refuseRead(w, r, err)
			return true
		}
		src.r = d
	}
	l := p.multipart
	bp, _ := formBufPool.Get().(*[]byte)
	if bp == nil || len(*bp) != l.bufSize {
		b := make([]byte, l.bufSize)
		bp = &b
	}
	fp := &formParser{src: src, buf: *bp, lim: l, mem: l.memory, form: fd}
	err := fp.parse(boundary)
	if err == nil {
		err = fp.finish()
	}
	formBufPool.Put(bp)
	if err == nil && d != nil {
		err = d.finish()
	}
	defer fp.removeTemps() // after the handler, panics included
	if err != nil {
		fp.removeTemps()
		var e *apierror.Error
		switch {
		case errors.Is(err, errTooLarge), errors.Is(err, errExpanded),
			errors.Is(err, os.ErrDeadlineExceeded), err == errTrailingMultipart:
			p.refuseRead(w, r, err)
		case errors.As(err, &e) && e.Status == http.StatusRequestEntityTooLarge:
			p.refuseTooLarge(w, r, e)
		case errors.As(err, &e):
			p.refuseUnread(w, r, e, true)
		default:
			p.refuseUnread(w, r, errBadMultipart, true)
		}
		return true
	}
	if deadline {
		watch.SetReadDeadline(w, time.Time{}) // r.Body returned EOF: the deadline was the body's alone
	}
	p.serveForm(w, r, fd)
	return true
}

// serveForm serves the handler with a parsed form.
func (p *parser) serveForm(w http.ResponseWriter, r *http.Request, fd *FormData) {
	r.PostForm = fd.Values()
	attach(r, &body{multipart: fd})
	p.next.ServeHTTP(w, r)
}
