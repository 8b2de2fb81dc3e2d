package bodyparser

import (
	"fmt"
	"net/http"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/size"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// defaultSizeLimit is the limit when Config.SizeLimit is empty, as in Next.js.
const defaultSizeLimit = "1mb"

// defaultReadTimeout is how long reading a body may take when
// Config.ReadTimeout is zero: a 1mb body within it needs 35 KB/s, which a
// slow mobile link still gives.
const defaultReadTimeout = 30 * time.Second

// defaultMaxDecompressionRatio is the ratio when
// Config.MaxDecompressionRatio is zero: Apache mod_deflate's
// DeflateInflateRatioLimit. JSON and forms compress 5 to 20 times; a
// body that decodes to more than 200 times its size is padding.
const defaultMaxDecompressionRatio = 200

// Config configures the body parser. The zero value is Next.js's default:
// parse every body of up to 1mb.
type Config struct {
	// SizeLimit is the largest body accepted, counted in bytes as received
	// (before charset decoding; after gzip or deflate decoding), in the
	// grammar of Next's sizeLimit: a number with an optional binary unit b,
	// kb, mb, gb, tb or pb, case-insensitive ("1mb" = 1048576 bytes,
	// "1.5kb" = 1536); a bare number counts bytes, so a typed count is
	// strconv.FormatInt(n, 10). Anything else fails at start-up. A larger
	// body is answered 413 "Body exceeded <SizeLimit> limit", with SizeLimit
	// printed as written here. Empty means "1mb", except in Raw
	// mode where it means no limit.
	SizeLimit string

	// Raw leaves the body alone, like Next's bodyParser: false: r.Body is the
	// untouched stream, [Value] reports undefined, and there is no limit
	// unless SizeLimit is set, nor a read deadline unless ReadTimeout is.
	// With a SizeLimit, a Content-Length above it is answered 413 before the
	// handler runs, and reads past it fail with an [*http.MaxBytesError]
	// that [apierror.Write] answers with 413.
	Raw bool

	// ReadTimeout bounds how long reading the body may take, counted from
	// when the middleware starts reading it (after the headers). Past it
	// the request is answered 408 "Body not received within <ReadTimeout>"
	// and, on HTTP/1, the connection is closed. It is set on the connection
	// as [http.ResponseController.SetReadDeadline] sets it, through the
	// writer's Unwrap chain; it takes the place of the server's ReadTimeout
	// while the body is read, so an upload route can allow more time than
	// the server's default and a JSON route less. A writer that cannot set
	// deadlines (httptest.ResponseRecorder, a wrapper without Unwrap) reads
	// without one, under the server's own timeouts. Once the body is read,
	// the deadline is cleared, so it never reaches the next request on the
	// connection. Keep it shorter than the server's WriteTimeout, which also
	// counts from the end of the headers: past that, the 408 cannot be
	// written, and the client sees its connection close without an answer.
	//
	// Zero means 30s, except in Raw mode where it means none:
	// there the handler reads the stream, for as long as it likes. Set in
	// Raw mode, the deadline covers the handler's reads, which fail past it
	// with an error that [apierror.Write] answers 408. A negative value
	// means no deadline.
	ReadTimeout time.Duration

	// DisableDecompression refuses bodies with a Content-Encoding (gzip,
	// deflate) with 415 and Accept-Encoding: identity, as for codings that
	// are never supported: for routes that check the bytes as sent, or that
	// should not inflate anything. By default gzip and deflate bodies are
	// decoded, an extension over Next.js, which does not decode them.
	DisableDecompression bool

	// MaxDecompressionRatio bounds how many times its size on the wire a
	// compressed body may decode to, so that what a client makes the server
	// inflate is bounded by what it sends: past it the request is answered
	// 413 "Body expands more than <N> times when decompressed". Zero means
	// 200; negative, no ratio (SizeLimit still
	// bounds the decoded bytes).
	MaxDecompressionRatio int

	// AlwaysJSON parses every body as JSON whatever its Content-Type, as the
	// App Router's request.json() does (see "request.json() and
	// request.formData()" in the package documentation).
	AlwaysJSON bool

	// Multipart, when set, parses multipart/form-data bodies on the stream
	// into a [FormData] (the App Router's request.formData()) within its
	// limits. Nil reads them as text, as Next's pages router does.
	Multipart *MultipartConfig

	// Errors renders the 400, 413 and 415 answers. Its zero value inherits
	// the renderer of an enclosing apierror layer, else JSON.
	Errors apierror.Config

	// Codec decodes JSON bodies for [Decode] and [Value]. Nil means the
	// codec of the enclosing apierror layer (apierror.Config.Codec, which
	// compose sets for a whole chain), else encoding/json.
	Codec jsoncodec.Codec
}

// Validate reports whether c is usable, with an error that names the field
// and the value.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// New returns the body parser middleware for c. It panics if c is invalid
// (see [Config.Validate]), so that a bad limit fails at start-up, never at
// request time.
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
	next     http.Handler
	raw      bool
	hasLimit bool
	limit    int64
	wireCap  int64         // the most compressed bytes read for a limit of decoded bytes
	timeout  time.Duration // 0: none
	inflate  bool          // decode gzip and deflate bodies
	ratio    int64         // the most decoded bytes per wire byte; 0: no bound
	errs     apierror.Config
	codec    jsoncodec.Codec // nil: the enclosing apierror layer's
	forms    *forms          // AlwaysJSON and Multipart; nil when neither is set

	// The answers, built once: apierror.Write does not modify them.
	tooLarge    *apierror.Error
	invalidBody *apierror.Error
	invalidJSON *apierror.Error
	timedOut    *apierror.Error
	expanded    *apierror.Error

	tooManyCodings *apierror.Error
}

func (c Config) compile() (*parser, error) {
	p := &parser{
		raw:         c.Raw,
		inflate:     !c.DisableDecompression,
		errs:        c.Errors,
		codec:       c.Codec,
		invalidBody: apierror.BadRequest("Invalid body"),
		invalidJSON: apierror.BadRequest("Invalid JSON"),
		tooManyCodings: apierror.New(http.StatusUnsupportedMediaType, fmt.Sprintf(
			"Content-Encoding lists more than %d codings", maxContentCodings)),
	}
	switch {
	case c.ReadTimeout > 0:
		p.timeout = c.ReadTimeout
	case c.ReadTimeout == 0 && !c.Raw:
		p.timeout = defaultReadTimeout
	}
	switch {
	case c.MaxDecompressionRatio == 0:
		p.ratio = defaultMaxDecompressionRatio
	case c.MaxDecompressionRatio > 0:
		p.ratio = int64(c.MaxDecompressionRatio)
	}
	if p.ratio > 0 {
		p.expanded = apierror.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("Body expands more than %d times when decompressed", p.ratio))
	}
	if p.timeout > 0 {
		p.timedOut = apierror.New(http.StatusRequestTimeout, "Body not received within "+p.timeout.String())
	}
	if err := c.compileForms(p); err != nil {
		return nil, err
	}
	text := c.SizeLimit
	if text == "" {
		if c.Raw {
			return p, nil
		}
		text = defaultSizeLimit
	}
	s, err := size.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("bodyparser: SizeLimit %w", err)
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
