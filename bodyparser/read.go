package bodyparser

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/watch"
)

var errTooLarge = errors.New("bodyparser: body exceeds the limit")

// maxContentCodings is how many content codings (identity aside) a body
// may carry: clients send one, a second covers a proxy that compresses
// again. A longer list is answered 415, since each coding costs a decoder.
const maxContentCodings = 2

var errTooManyCodings = apierror.New(http.StatusUnsupportedMediaType,
	fmt.Sprintf("Content-Encoding lists more than %d codings", maxContentCodings))

// codings are a request's content codings, in the order they were applied.
type codings struct {
	n       int
	c       [maxContentCodings]string // "gzip" or "deflate"
	bad     string                    // an unsupported name, shortened so the 415 does not grow with the header
	tooMany bool                      // more than maxContentCodings
}

// contentCodings reads the codings of the request without identity,
// walking the header in place and stopping at the first it cannot use.
func contentCodings(h http.Header) (cs codings) {
	for _, v := range h["Content-Encoding"] {
		for v != "" {
			var name string
			name, v, _ = strings.Cut(v, ",")
			name = strings.TrimSpace(name)
			var c string
			switch {
			case name == "" || strings.EqualFold(name, "identity"):
				continue
			case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
				c = "gzip"
			case strings.EqualFold(name, "deflate"):
				c = "deflate"
			default:
				if len(name) > 32 {
					name = name[:32] + "…"
				}
				cs.bad = name
				return cs
			}
			if cs.n == maxContentCodings {
				cs.tooMany = true
				return cs
			}
			cs.c[cs.n] = c
			cs.n++
		}
	}
	return cs
}

// capReader fails with errTooLarge once more than n bytes have been read.
type capReader struct {
	r    io.Reader
	n    int64 // bytes still allowed
	read int64 // bytes read
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	c.read += int64(n)
	if c.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

var gzipPool sync.Pool // *gzip.Reader

// maxTrailing is how many bytes may follow the end of a deflate stream or
// a multipart close delimiter: they are discarded, so that the body is read
// to its end under the deadline (the gzip reader reads to the end itself).
const maxTrailing = 1 << 10

var (
	errTrailingCompressed = apierror.BadRequest("Invalid body: data after the end of the compressed body")
	errTrailingMultipart  = apierror.BadRequest("Invalid multipart body: data after the closing boundary")
)

// drain reads src to its end, discarding at most max bytes; more is tooMuch.
func drain(src io.Reader, max int, tooMuch error) error {
	n, err := io.Copy(io.Discard, io.LimitReader(src, int64(max)+1))
	if n > int64(max) {
		return tooMuch
	}
	return err
}

var errExpanded = errors.New("bodyparser: body expands beyond the ratio")

// decoding is a chain of content decoders over the bytes of the wire. Its
// Read returns the decoded bytes, and fails with errExpanded once they
// pass ratio times the bytes read from the wire (0: no ratio).
type decoding struct {
	wire    *capReader
	out     io.Reader
	ratio   int64
	decoded int64
	// By position in codings, output side first: the inputs of deflate
	// decoders, which stop at the end of their stream (finish reads what
	// follows), and the pooled gzip readers.
	ends [maxContentCodings]io.Reader
	gz   [maxContentCodings]*gzip.Reader
}

func (d *decoding) Read(p []byte) (int, error) {
	n, err := d.out.Read(p)
	d.decoded += int64(n)
	if d.ratio > 0 && d.decoded/d.ratio > d.wire.read {
		return n, errExpanded
	}
	return n, err
}

func (d *decoding) release() {
	for _, zr := range d.gz {
		if zr != nil {
			gzipPool.Put(zr)
		}
	}
}

// finish reads what is left after the decoded bytes ended, so that the
// body is read to EOF while the read deadline holds.
func (d *decoding) finish() error {
	for _, end := range d.ends {
		if end != nil {
			if err := drain(end, maxTrailing, errTrailingCompressed); err != nil {
				return err
			}
		}
	}
	return drain(d.wire, maxTrailing, errTrailingCompressed)
}

// decode wraps wire in decoders for cs, last applied first decoded. Call
// release when done, error or not.
func decode(wire *capReader, cs *codings, ratio int64) (*decoding, error) {
	d := &decoding{wire: wire, ratio: ratio}
	src := io.Reader(wire)
	for i := cs.n - 1; i >= 0; i-- {
		switch cs.c[i] {
		case "gzip":
			zr, _ := gzipPool.Get().(*gzip.Reader)
			if zr == nil {
				zr = new(gzip.Reader)
			}
			d.gz[i] = zr
			if err := zr.Reset(src); err != nil {
				return d, err
			}
			src = zr
		case "deflate":
			// "deflate" is zlib-wrapped (RFC 9110), but some clients send raw
			// deflate: look at the header to tell. No deflate stream is
			// shorter than 2 bytes.
			br := bufio.NewReaderSize(src, 16)
			head, err := br.Peek(2)
			if err != nil {
				return d, err
			}
			if head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
				zr, err := zlib.NewReader(br)
				if err != nil {
					return d, err
				}
				src = zr
			} else {
				src = flate.NewReader(br)
			}
			d.ends[i] = br
		}
	}
	d.out = src
	return d, nil
}

// Bodies are read into pooled chunks: a first one of 1 KiB (what a client
// that announced a body and sent nothing makes us hold), then 32 KiB ones.
const (
	firstChunkSize = 1 << 10
	chunkSize      = 32 << 10
)

var (
	firstChunkPool = sync.Pool{New: func() any { b := make([]byte, firstChunkSize); return &b }}
	chunkPool      = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}
)

// readLimited reads src to its end, or fails with errTooLarge after reading
// limit+1 bytes: never more. A body it keeps is allocated exactly once; the
// byte past the limit is read apart, so that it needs no extra chunk.
func readLimited(src io.Reader, limit int64) ([]byte, error) {
	first := firstChunkPool.Get().(*[]byte)
	var stack [8]*[]byte
	chunks := stack[:0] // after the first: 32 of them for 1mb
	defer func() {
		firstChunkPool.Put(first)
		for _, c := range chunks {
			chunkPool.Put(c)
		}
	}()
	cur := *first
	var total int64
	last := 0 // bytes used in cur
	for idle := 0; ; {
		var n int
		var err error
		if total == limit {
			var probe [1]byte // is there anything past the limit?
			n, err = src.Read(probe[:])
			if n > 0 {
				return nil, errTooLarge
			}
		} else {
			if last == len(cur) {
				c := chunkPool.Get().(*[]byte)
				chunks = append(chunks, c)
				cur, last = *c, 0
			}
			room := int64(len(cur) - last)
			if remaining := limit - total; remaining < room {
				room = remaining
			}
			n, err = src.Read(cur[last : last+int(room)])
			last += n
			total += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			if idle++; idle >= 100 { // as io.ReadFull and bufio do
				return nil, io.ErrNoProgress
			}
		} else {
			idle = 0
		}
	}
	if total == 0 {
		return nil, nil
	}
	out := make([]byte, 0, total)
	out = append(out, (*first)[:min(firstChunkSize, total)]...)
	for _, c := range chunks {
		out = append(out, (*c)[:min(chunkSize, total-int64(len(out)))]...)
	}
	return out, nil
}

// innermost follows Unwrap to the writer net/http created.
func innermost(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// signalTooLarge tells net/http that the body was refused for its size, so
// that it closes the connection after the answer with a graceful half-close
// (the client gets the 413, not a reset) and does not read the rest of the
// upload. The only way in is http.MaxBytesReader's unexported hook, reached
// by one byte read past a zero limit: a read of 20ms at most, skipped where
// it could block or would invite a 100-continue upload.
func signalTooLarge(w http.ResponseWriter, r *http.Request, body io.ReadCloser) {
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") ||
		!watch.SetReadDeadline(w, time.Now().Add(20*time.Millisecond)) {
		return
	}
	var one [1]byte
	_, _ = http.MaxBytesReader(innermost(w), body, 0).Read(one[:])
}
