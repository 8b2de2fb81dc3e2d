package bodyparser

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
)

var errTooLarge = errors.New("bodyparser: body exceeds the limit")

// coding is one supported Content-Encoding.
type coding uint8

const (
	codingGzip coding = iota + 1
	codingDeflate
)

func (c coding) String() string {
	if c == codingGzip {
		return "gzip"
	}
	return "deflate"
}

// maxContentCodings is how many content codings (identity aside) a body
// may carry, across all its Content-Encoding lines. Clients send one; a
// second covers a proxy that compresses again. A longer list is answered
// 415 before anything is built: each coding costs a decoder.
const maxContentCodings = 2

// maxCodingName bounds the unsupported coding name echoed in the 415, so the
// answer does not grow with the header.
const maxCodingName = 32

// codings are a request's content codings, in the order they were applied.
type codings struct {
	n   int
	c   [maxContentCodings]coding
	bad string // an unsupported name, shortened to maxCodingName
	// tooMany: more than maxContentCodings codings.
	tooMany bool
}

// contentCodings reads the codings of the request without identity. It
// allocates nothing: the header is walked in place, and the walk stops at
// the first coding it cannot use.
func contentCodings(h http.Header) (cs codings) {
	for _, v := range h["Content-Encoding"] {
		for len(v) > 0 {
			name := v
			if i := strings.IndexByte(v, ','); i >= 0 {
				name, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			name = strings.TrimSpace(name)
			var c coding
			switch {
			case name == "" || strings.EqualFold(name, "identity"):
				continue
			case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
				c = codingGzip
			case strings.EqualFold(name, "deflate"):
				c = codingDeflate
			default:
				if len(name) > maxCodingName {
					name = name[:maxCodingName] + "…"
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
// a multipart body's close delimiter (its epilogue, which RFC 2046 says to
// ignore): they are read and discarded, so that the body is read to its
// end under the read deadline. More is a 400. Gzip needs no such bound:
// its reader reads to the end itself, and refuses what is not a member.
const maxTrailing = 1 << 10

var (
	errTrailingCompressed = apierror.BadRequest("Invalid body: data after the end of the compressed body")
	errTrailingMultipart  = apierror.BadRequest("Invalid multipart body: data after the closing boundary")
)

// drain reads src to its end, discarding at most max bytes; more is
// tooMuch.
func drain(src io.Reader, max int, tooMuch error) error {
	var buf [512]byte
	for n := 0; ; {
		m, err := src.Read(buf[:])
		if n += m; n > max {
			return tooMuch
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// errExpanded: the decoded bytes passed the ratio to the wire bytes.
var errExpanded = errors.New("bodyparser: body expands beyond the ratio")

// decoding is a chain of content decoders over the bytes of the wire. Its
// Read returns the decoded bytes, and fails with errExpanded once they
// pass ratio times the bytes read from the wire (0: no ratio).
type decoding struct {
	wire    *capReader // the bytes on the wire, as read so far
	out     io.Reader  // the decoded bytes
	ratio   int64
	decoded int64
	// ends are the inputs of the decoders that stop at the end of their
	// stream (deflate), wire side first: what follows that end is read by
	// finish.
	ends     [maxContentCodings]io.Reader
	nEnds    int
	releases [maxContentCodings]func()
	nRel     int
}

func (d *decoding) Read(p []byte) (int, error) {
	n, err := d.out.Read(p)
	d.decoded += int64(n)
	if d.ratio > 0 && d.decoded/d.ratio > d.wire.read {
		return n, errExpanded
	}
	return n, err
}

// release returns pooled decoders.
func (d *decoding) release() {
	for _, f := range d.releases[:d.nRel] {
		f()
	}
}

// finish reads what is left after the decoded bytes ended, output side
// first, then the wire to its end, so that the body is read to EOF while
// the read deadline holds. Each stream may be followed by maxTrailing
// bytes at most.
func (d *decoding) finish() error {
	for i := d.nEnds - 1; i >= 0; i-- {
		if err := drain(d.ends[i], maxTrailing, errTrailingCompressed); err != nil {
			return err
		}
	}
	return drain(d.wire, maxTrailing, errTrailingCompressed)
}

// decode wraps wire in decoders for cs, last applied first decoded. A
// decoder is built only once the bytes in front of it could start a stream
// of its kind. Call release when done, error or not.
func decode(wire *capReader, cs *codings, ratio int64) (*decoding, error) {
	d := &decoding{wire: wire, ratio: ratio}
	src := io.Reader(wire)
	for i := cs.n - 1; i >= 0; i-- {
		switch cs.c[i] {
		case codingGzip:
			// gzip.Reader reads and checks its 10-byte header before it
			// builds its inflater.
			zr, _ := gzipPool.Get().(*gzip.Reader)
			var err error
			if zr == nil {
				zr, err = gzip.NewReader(src)
			} else {
				err = zr.Reset(src)
			}
			if err != nil {
				if zr != nil {
					gzipPool.Put(zr)
				}
				return d, err
			}
			d.releases[d.nRel] = func() { gzipPool.Put(zr) }
			d.nRel++
			src = zr
		case codingDeflate:
			// "deflate" is zlib-wrapped (RFC 9110), but some clients send raw
			// deflate: look at the header to tell. No deflate stream is
			// shorter than 2 bytes.
			br := bufio.NewReaderSize(src, 16)
			head, err := br.Peek(2)
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
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
			d.ends[d.nEnds] = br
			d.nEnds++
		}
	}
	d.out = src
	return d, nil
}

// Bodies are read into pooled chunks: a small first one, so that a
// connection that announced a body and sent nothing holds 1 KiB, then
// chunks of 32 KiB as bytes arrive.
const (
	firstChunkSize = 1 << 10
	chunkSize      = 32 << 10
)

var (
	firstChunkPool = sync.Pool{New: func() any { b := make([]byte, firstChunkSize); return &b }}
	chunkPool      = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}
)

// readLimited reads src to its end, or fails with errTooLarge after reading
// limit+1 bytes: never more. It reads into pooled chunks, so memory follows
// the bytes received (never a length the client announced), an oversized
// body costs no heap once the pools are warm, and a body it keeps is
// allocated exactly once. The byte past the limit is read into a one-byte
// buffer of its own, so a limit needs no extra chunk for it.
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

// setReadDeadline sets the connection's (or HTTP/2 stream's) read deadline
// as [http.ResponseController.SetReadDeadline] does, following Unwrap
// through wrappers, and reports whether it could. It does by hand what
// ResponseController does, because that one builds an error with
// fmt.Errorf for every writer that cannot (recorders, opaque wrappers).
func setReadDeadline(w http.ResponseWriter, t time.Time) bool {
	for {
		switch x := w.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			return x.SetReadDeadline(t) == nil
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return false
		}
	}
}

// innermost follows Unwrap to the writer net/http created, so that
// signalTooLarge reaches it through any wrappers.
func innermost(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// signalWait bounds how long refusing a body may wait for the one byte that
// tells net/http the body was too large: a client that has stopped sending
// still gets its 413 at once, and its connection is closed all the same
// because of the Connection: close header.
const signalWait = 20 * time.Millisecond

// signalTooLarge tells net/http that the request body was refused for its
// size, so that it closes the connection after the answer with a graceful
// half-close (the client gets the 413 instead of a reset) and does not read
// the rest of the upload. The only way in is http.MaxBytesReader's unexported
// hook, reached by one byte read past a zero limit. That read gets a short
// deadline, and is skipped where deadlines cannot be set (it could block)
// and for a request that expects 100-continue (reading would invite the
// upload).
func signalTooLarge(w http.ResponseWriter, r *http.Request, body io.ReadCloser) {
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	if !setReadDeadline(w, time.Now().Add(signalWait)) {
		return
	}
	var one [1]byte
	_, _ = http.MaxBytesReader(innermost(w), body, 0).Read(one[:])
}
