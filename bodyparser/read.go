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
)

var errTooLarge = errors.New("bodyparser: body exceeds the limit")

// coding is one supported Content-Encoding.
type coding uint8

const (
	codingGzip coding = iota + 1
	codingDeflate
)

// contentCodings returns the codings of the request, in the order they were
// applied, without identity. ok is false, with the offending name, when one
// is not supported.
func contentCodings(h http.Header) (codings []coding, unsupported string, ok bool) {
	values := h["Content-Encoding"]
	if len(values) == 0 {
		return nil, "", true
	}
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			switch strings.ToLower(name) {
			case "", "identity":
			case "gzip", "x-gzip":
				codings = append(codings, codingGzip)
			case "deflate":
				codings = append(codings, codingDeflate)
			default:
				return nil, name, false
			}
		}
	}
	return codings, "", true
}

// capReader fails with errTooLarge once more than n bytes have been read.
type capReader struct {
	r io.Reader
	n int64 // bytes still allowed
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
	if c.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

var gzipPool sync.Pool // *gzip.Reader

// decoded wraps src in decoders for codings, last applied first decoded.
// The returned function releases pooled decoders.
func decoded(src io.Reader, codings []coding) (io.Reader, func(), error) {
	var releases []func()
	release := func() {
		for _, f := range releases {
			f()
		}
	}
	for i := len(codings) - 1; i >= 0; i-- {
		switch codings[i] {
		case codingGzip:
			zr, _ := gzipPool.Get().(*gzip.Reader)
			var err error
			if zr == nil {
				zr, err = gzip.NewReader(src)
			} else {
				err = zr.Reset(src)
			}
			if err != nil {
				release()
				return nil, nil, err
			}
			releases = append(releases, func() { gzipPool.Put(zr) })
			src = zr
		case codingDeflate:
			// "deflate" is zlib-wrapped (RFC 9110), but some clients send raw
			// deflate: look at the header to tell.
			br := bufio.NewReaderSize(src, 16)
			head, _ := br.Peek(2)
			if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
				zr, err := zlib.NewReader(br)
				if err != nil {
					release()
					return nil, nil, err
				}
				src = zr
			} else {
				src = flate.NewReader(br)
			}
		}
	}
	return src, release, nil
}

const chunkSize = 32 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// readExact reads a body whose length n is known and within the limit.
func readExact(src io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(src, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// readLimited reads src to its end, or fails with errTooLarge after reading
// limit+1 bytes: never more. It reads into pooled chunks, so an oversized
// body costs no heap once the pool is warm, and allocates exactly once for
// a body it keeps. The byte past the limit is read into a one-byte buffer
// of its own, so a 1mb limit needs exactly 32 chunks, not a 33rd for it.
func readLimited(src io.Reader, limit int64) ([]byte, error) {
	var stack [8]*[]byte
	chunks := stack[:0]
	defer func() {
		for _, c := range chunks {
			chunkPool.Put(c)
		}
	}()
	var total int64
	last := 0 // bytes used in the last chunk
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
			if len(chunks) == 0 || last == chunkSize {
				chunks = append(chunks, chunkPool.Get().(*[]byte))
				last = 0
			}
			c := *chunks[len(chunks)-1]
			room := int64(chunkSize - last)
			if remaining := limit - total; remaining < room {
				room = remaining
			}
			n, err = src.Read(c[last : last+int(room)])
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
	for _, c := range chunks {
		out = append(out, (*c)[:min(int64(chunkSize), total-int64(len(out)))]...)
	}
	return out, nil
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
	if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(signalWait)); err != nil {
		return
	}
	var one [1]byte
	_, _ = http.MaxBytesReader(innermost(w), body, 0).Read(one[:])
}
