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

// MaxContentCodings is how many content codings (identity aside) a body
// may carry, across all its Content-Encoding lines. Clients send one; a
// second covers a proxy that compresses again. A longer list is answered
// 415 before anything is built: each coding costs a decoder.
const MaxContentCodings = 2

// maxCodingName bounds the unsupported coding name echoed in the 415, so the
// answer does not grow with the header.
const maxCodingName = 32

// codings are a request's content codings, in the order they were applied.
type codings struct {
	n   int
	c   [MaxContentCodings]coding
	bad string // an unsupported name, shortened to maxCodingName
	// tooMany: more than MaxContentCodings codings.
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
			if cs.n == MaxContentCodings {
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

// decoded wraps src in decoders for cs, last applied first decoded. The
// returned function releases pooled decoders. A decoder is built only once
// the bytes in front of it could start a stream of its kind.
func decoded(src io.Reader, cs *codings) (io.Reader, func(), error) {
	var releases [MaxContentCodings]func()
	n := 0
	release := func() {
		for _, f := range releases[:n] {
			f()
		}
	}
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
				release()
				return nil, nil, err
			}
			releases[n] = func() { gzipPool.Put(zr) }
			n++
			src = zr
		case codingDeflate:
			// "deflate" is zlib-wrapped (RFC 9110), but some clients send raw
			// deflate: look at the header to tell. No deflate stream is
			// shorter than 2 bytes.
			br := bufio.NewReaderSize(src, 16)
			head, err := br.Peek(2)
			if err != nil {
				release()
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return nil, nil, err
			}
			if head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
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
