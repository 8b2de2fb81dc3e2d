package bodyparser

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/size"
)

// MultipartConfig sets the limits of multipart/form-data parsing. Its zero
// value is usable: every field has a default, given below. The whole body
// is bounded by [Config.SizeLimit] as any other body.
type MultipartConfig struct {
	// MaxFileSize is the largest file part. Empty means the SizeLimit.
	MaxFileSize string

	// MaxFieldSize is the largest value of a part that is not a file.
	// Empty means "1mb".
	MaxFieldSize string

	// MaxParts is the most parts a body may hold, fields and files
	// together. 0 means 1000.
	MaxParts int

	// MaxPartHeaderSize is the most bytes of headers a part may carry
	// (from the end of its boundary line to its blank line), at most 64kb.
	// Empty means "16kb".
	MaxPartHeaderSize string

	// MaxMemory is what a request may hold in memory: field values, the
	// names, file names and content types of all parts, 256 bytes of
	// bookkeeping per part, and files as long as they fit. A file that
	// does not fit goes to a temporary file in TempDir; fields that do not
	// fit are answered 413. Empty means "1mb".
	MaxMemory string

	// TempDir is where files beyond MaxMemory are written; they are
	// removed when the handler returns, panics included. Empty means
	// os.TempDir().
	TempDir string
}

// The defaults of [MultipartConfig].
const (
	defaultMaxFieldSize      = "1mb" // busboy's fieldSize, which Next.js users meet in formidable and multer
	defaultMaxParts          = 1000  // as Node's querystring maxKeys for urlencoded forms
	defaultMaxPartHeaderSize = "16kb"
	defaultMaxMemory         = "1mb"
)

// partOverhead is what each kept part is charged against MaxMemory for
// its Entry, File and map slots, so that many tiny parts are bounded too.
const partOverhead = 256

// maxPartHeaderCap bounds MaxPartHeaderSize so that a part's header block
// always fits in the read buffer.
const maxPartHeaderCap = 64 << 10

// forms is the compiled AlwaysJSON and Multipart configuration.
type forms struct {
	json      bool
	multipart *multipartLimits
}

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
	p.forms = &forms{json: c.AlwaysJSON}
	if c.Multipart == nil {
		return nil
	}
	total := c.SizeLimit
	if total == "" {
		total = defaultSizeLimit
	}
	if _, err := size.Parse(total); err != nil {
		return fmt.Errorf("bodyparser: SizeLimit %w", err) // as compile says it
	}
	m := c.Multipart
	l := &multipartLimits{parts: m.MaxParts, tempDir: m.TempDir}
	sizes := []struct {
		name  string
		value string
		def   string
		dst   *int64
		text  *string
	}{
		{"MaxFileSize", m.MaxFileSize, total, &l.file, nil},
		{"MaxFieldSize", m.MaxFieldSize, defaultMaxFieldSize, &l.field, nil},
		{"MaxMemory", m.MaxMemory, defaultMaxMemory, &l.memory, nil},
		{"MaxPartHeaderSize", m.MaxPartHeaderSize, defaultMaxPartHeaderSize, nil, nil},
	}
	texts := make([]string, len(sizes))
	var header int64
	for i, s := range sizes {
		v := s.value
		if v == "" {
			v = s.def
		}
		parsed, err := size.Parse(v)
		if err != nil {
			return fmt.Errorf("bodyparser: Multipart.%s %w", s.name, err)
		}
		texts[i] = parsed.Text
		if s.dst != nil {
			*s.dst = parsed.Bytes
		} else {
			header = parsed.Bytes
		}
	}
	if header < 64 || header > maxPartHeaderCap {
		return fmt.Errorf("bodyparser: Multipart.MaxPartHeaderSize %q: must be between 64b and 64kb", texts[3])
	}
	l.header = int(header)
	if l.parts < 0 {
		return fmt.Errorf("bodyparser: Multipart.MaxParts %d: must not be negative", l.parts)
	}
	if l.parts == 0 {
		l.parts = defaultMaxParts
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
	l.fileTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "File exceeded "+texts[0]+" limit")
	l.fieldTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Field exceeded "+texts[1]+" limit")
	l.memTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Form fields exceeded "+texts[2]+" limit")
	l.headerTooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Part header exceeded "+texts[3]+" limit")
	l.tooManyParts = apierror.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("Form exceeded %d parts limit", l.parts))
	p.forms.multipart = l
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
	if len(b) == 0 || len(b) > 70 { // RFC 2046: 1 to 70 characters
		return "", true
	}
	for i := 0; i < len(b); i++ {
		if b[i] < 0x20 || b[i] == 0x7f {
			return "", true
		}
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
	if cs.bad != "" || cs.tooMany || (cs.n > 0 && !p.inflate) {
		p.refuseCodings(w, r, &cs)
		return true
	}
	l := p.forms.multipart
	fd := &FormData{}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		p.serveForm(w, r, fd)
		return true
	}
	wireLimit := p.limit
	if cs.n > 0 {
		wireLimit = p.wireCap
	}
	if r.ContentLength > wireLimit {
		p.refuseTooLarge(w, r, p.tooLarge)
		return true
	}

	deadline := p.setDeadline(w)
	var src = &capReader{r: r.Body, n: p.limit}
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
		setReadDeadline(w, time.Time{}) // r.Body returned EOF: the deadline was the body's alone
	}
	p.serveForm(w, r, fd)
	return true
}

// serveForm serves the handler with a parsed form.
func (p *parser) serveForm(w http.ResponseWriter, r *http.Request, fd *FormData) {
	r.PostForm = fd.values()
	fb := &formBody{form: fd}
	r.Body = fb
	// As attach does for other bodies: a body-limit middleware placed after
	// the parser may replace r.Body, and Multipart still finds the form.
	r.GetBody = func() (io.ReadCloser, error) { return fb, nil }
	p.next.ServeHTTP(w, r)
}
