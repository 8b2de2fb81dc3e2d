package webhook

import (
	"errors"
	"io"
	"math"
)

var errTooLarge = errors.New("webhook: body exceeds SizeLimit")

// firstRead is the most a Content-Length makes read allocate before the
// bytes arrive: a client that announces 25 MB and sends nothing makes the
// server hold 64 KiB, not 25 MB.
const firstRead = 64 << 10

// read reads src to its end into s's buffer, or fails with errTooLarge
// after reading limit+1 bytes: never more. The buffer grows with what
// arrives, up to a known length (at most limit); EOF after it is seen
// through a one-byte read on the stack.
func (s *state) read(src io.Reader, length, limit int64) ([]byte, error) {
	stop := limit + 1 // the most bytes read
	if stop < 0 {
		stop = math.MaxInt64
	}
	grow := stop // the most the buffer needs
	if length >= 0 && length <= limit {
		grow = max(length, 1)
	}
	buf := s.buf[:0]
	if src == nil {
		return buf, nil
	}
	for idle := 0; ; {
		if len(buf) == cap(buf) && int64(len(buf)) == length {
			// Every announced byte is in: see EOF without growing the
			// buffer (a body the size of a power of two would double it).
			var one [1]byte
			n, err := src.Read(one[:])
			if n == 0 && err == io.EOF {
				return buf, nil
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			buf = append(buf, one[:n]...) // longer than announced: read on
			s.buf = buf
			if int64(len(buf)) > limit {
				return nil, errTooLarge
			}
			if err == io.EOF {
				return buf, nil
			}
			continue
		}
		if len(buf) == cap(buf) {
			c := int64(max(2*cap(buf), 4<<10))
			if length > 0 {
				c = max(c, min(length, firstRead))
			}
			c = min(c, grow)
			if c <= int64(len(buf)) { // a body longer than its Content-Length
				c = min(int64(len(buf))+4<<10, stop)
			}
			buf = append(make([]byte, 0, c), buf...)
		}
		end := min(int64(cap(buf)), stop)
		n, err := src.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		s.buf = buf
		if int64(len(buf)) > limit {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if n > 0 {
			idle = 0
		} else if idle++; idle >= 100 { // as io.ReadFull and bufio do
			return nil, io.ErrNoProgress
		}
	}
}
