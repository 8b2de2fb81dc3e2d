package bodyparser

import (
	"fmt"
	"net/http"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

const defaultSizeLimit = "1mb" // as in Next.js

// Config configures the body parser. The zero value is Next.js's default:
// parse every body of up to 1mb.
type Config struct {
	// SizeLimit is the largest body accepted, in bytes after gzip or deflate
	// decoding, in Next's sizeLimit grammar ("1mb" = 1048576 bytes); anything
	// else fails at start-up. A larger body is answered 413 "Body exceeded
	// <SizeLimit> limit". Empty means "1mb", except in Raw mode: no limit.
	SizeLimit string

	// Raw leaves the body alone, like Next's bodyParser: false: r.Body is
	// the untouched stream and [Value] reports undefined. A SizeLimit then
	// makes reads past it fail with an [*http.MaxBytesError] that
	// [apierror.Write] answers 413.
	Raw bool

	// ReadTimeout bounds how long reading the body may take; past it the
	// request is answered 408 "Body not received within <ReadTimeout>".
	// Keep it shorter than the server's WriteTimeout, or the 408 cannot be
	// written. Zero means 30s, except in Raw mode where it means none (set
	// there, it bounds the handler's reads); negative means none.
	ReadTimeout time.Duration

	// DisableDecompression refuses bodies with a Content-Encoding with 415
	// and Accept-Encoding: identity. By default gzip and deflate bodies are
	// decoded, which Next.js does not do.
	DisableDecompression bool

	// MaxDecompressionRatio bounds how many times its size on the wire a
	// compressed body may decode to, else 413 "Body expands more than <N>
	// times when decompressed". Zero means 200; negative, no ratio.
	MaxDecompressionRatio int

	// AlwaysJSON parses every body as JSON whatever its Content-Type, as the
	// App Router's request.json() does; Decode on an empty body is then a
	// 400 "Invalid JSON: empty body", as request.json() throws on one.
	AlwaysJSON bool

	// Multipart, when set, parses multipart/form-data bodies on the stream
	// into a [FormData] (the App Router's request.formData()) within its
	// limits. Nil reads them as text, as Next's pages router does.
	Multipart *MultipartConfig

	// Errors renders the 400, 413 and 415 answers. Its zero value inherits
	// the renderer of an enclosing apierror layer, else JSON.
	Errors apierror.Config

	// Codec decodes JSON bodies for [Decode] and [Value]. Nil means the
	// codec of the enclosing apierror layer, else encoding/json.
	Codec jsoncodec.Codec
}

// Validate reports whether c is usable, with an error that names the field
// and the value.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// New returns the body parser middleware for c. It panics if c is invalid
// (see [Config.Validate]), so that a bad limit fails at start-up.
func New(c Config) func(http.Handler) http.Handler {
	p, err := c.compile()
	if err != nil {
		panic(err)
	}
	return func(next http.Handler) http.Handler {
		q := *p
		q.next = next
		return &q
	}
}

// parser is a compiled Config.
type parser struct {
	next       http.Handler
	raw        bool
	hasLimit   bool
	limit      int64
	wireCap    int64         // the most compressed bytes read for a limit of decoded bytes
	timeout    time.Duration // 0: none
	inflate    bool
	ratio      int64 // the most decoded bytes per wire byte; 0: no bound
	errs       apierror.Config
	codec      jsoncodec.Codec // nil: the enclosing apierror layer's
	alwaysJSON bool
	multipart  *multipartLimits // nil: multipart bodies are text

	// The answers, built once: apierror.Write does not modify them.
	tooLarge, timedOut, expanded *apierror.Error
}

var (
	errInvalidBody = apierror.BadRequest("Invalid body")
	errInvalidJSON = apierror.BadRequest("Invalid JSON")
)

func (c Config) compile() (*parser, error) {
	p := &parser{raw: c.Raw, inflate: !c.DisableDecompression, errs: c.Errors, codec: c.Codec}
	switch {
	case c.ReadTimeout > 0:
		p.timeout = c.ReadTimeout
	case c.ReadTimeout == 0 && !c.Raw:
		p.timeout = 30 * time.Second // a 1mb body then needs 35 KB/s, which a slow mobile link gives
	}
	switch {
	case c.MaxDecompressionRatio == 0:
		// Apache mod_deflate's DeflateInflateRatioLimit: JSON and forms
		// compress 5 to 20 times, a body that decodes to 200 times is padding.
		p.ratio = 200
	case c.MaxDecompressionRatio > 0:
		p.ratio = int64(c.MaxDecompressionRatio)
	}
	p.expanded = apierror.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("Body expands more than %d times when decompressed", p.ratio))
	if p.timeout > 0 {
		p.timedOut = apierror.New(http.StatusRequestTimeout, "Body not received within "+p.timeout.String())
	}
	if err := c.compileForms(p); err != nil {
		return nil, err
	}
	if c.SizeLimit == "" && c.Raw {
		return p, nil
	}
	s, err := parseSize("SizeLimit", c.SizeLimit, defaultSizeLimit)
	if err != nil {
		return nil, err
	}
	p.hasLimit = true
	p.limit = s.Bytes
	// Deflate never expands data by more than 5 bytes per 64 KiB block plus
	// its headers, so this bounds the wire bytes of any legitimate body, and
	// stops a stream of empty blocks that decodes to nothing from running on.
	p.wireCap = p.limit + p.limit/1024 + 1024
	if p.wireCap < p.limit { // overflow
		p.wireCap = p.limit
	}
	p.tooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Body exceeded "+s.Text+" limit")
	return p, nil
}

// parseSize parses the size setting called field, def when it is empty.
func parseSize(field, v, def string) (size.Size, error) {
	if v == "" {
		v = def
	}
	s, err := size.Parse(v)
	if err != nil {
		return s, fmt.Errorf("bodyparser: %s %w", field, err)
	}
	return s, nil
}
