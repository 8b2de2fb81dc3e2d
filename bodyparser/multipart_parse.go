package bodyparser

import (
	"bytes"
	"io"
	"mime"
	"os"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/httptoken"
	"github.com/apiroutes/apiroutes/internal/whatwg"
)

// formParser reads a multipart/form-data stream (RFC 7578, RFC 2046) in one
// pass through a fixed buffer, charging every byte it keeps against
// MaxMemory as it arrives, whatever the shape of what a client sends.
type formParser struct {
	src      io.Reader
	buf      []byte
	r, w     int   // buf[r:w] is read and not consumed
	err      error // sticky error of src, io.EOF included
	delim    []byte
	lim      *multipartLimits
	mem      int64 // MaxMemory left
	form     *FormData
	temps    []string // temporary files to remove
	parts    int
	preamble bool // scanning the preamble, where a bad boundary line is text

	// The part being read: its bytes in memory, or its temporary file.
	value [][]byte
	file  *os.File
	size  int64
}

var crlf = []byte("\r\n")

// fill reads more into the buffer after moving the unconsumed bytes to its
// start. Callers consume or fail before the buffer is full.
func (fp *formParser) fill() {
	if fp.err != nil {
		return
	}
	if fp.r > 0 {
		fp.w = copy(fp.buf, fp.buf[fp.r:fp.w])
		fp.r = 0
	}
	for idle := 0; idle < 100; idle++ { // as io.ReadFull and bufio do
		n, err := fp.src.Read(fp.buf[fp.w:])
		fp.w += n
		if err != nil {
			fp.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	fp.err = io.ErrNoProgress
}

// endErr is the error for a stream that ended too early.
func (fp *formParser) endErr() error {
	if fp.err == io.EOF {
		return errBadMultipart
	}
	return fp.err
}

// parse reads the whole body into fp.form.
func (fp *formParser) parse(boundary string) error {
	fp.delim = append(append(make([]byte, 0, 4+len(boundary)), "\r\n--"...), boundary...)
	// Read the stream as if it began with CRLF, so that a boundary on its
	// first line is found as any other: the preamble is a part to discard.
	fp.w = copy(fp.buf, crlf)
	fp.preamble = true
	final, err := fp.scan(nil, false)
	fp.preamble = false
	for err == nil && !final {
		if fp.parts++; fp.parts > fp.lim.parts {
			return fp.lim.tooManyParts
		}
		final, err = fp.part()
	}
	return err
}

// part reads one part, from the rest of its boundary line to the next
// boundary.
func (fp *formParser) part() (final bool, err error) {
	disp, ctype, err := fp.headers()
	if err != nil {
		return false, err
	}
	if strings.Count(disp, ";") > 64 {
		// Browsers send two or three parameters; mime.ParseMediaType would
		// build a map of thousands from a long header.
		return false, errBadMultipart
	}
	dispType, params, perr := mime.ParseMediaType(disp)
	name := params["name"]
	if perr != nil || dispType != "form-data" || name == "" {
		// mime/multipart's ReadForm skips such parts too.
		return fp.scan(nil, true)
	}
	e := Entry{Name: whatwg.ValidUTF8String(name)}
	filename := params["filename"]
	isFile := filename != ""
	filename = baseName(filename)
	if err := fp.charge(partOverhead + int64(len(e.Name)+len(filename)+len(ctype))); err != nil {
		return false, err
	}
	fp.value, fp.file, fp.size = nil, nil, 0
	if !isFile {
		if final, err = fp.scan(fp.fieldData, true); err != nil {
			return false, err
		}
		if e.Value, err = fp.fieldValue(); err != nil {
			return false, err
		}
		if !utf8.ValidString(e.Value) { // repaired into a copy, charged too
			e.Value = whatwg.ValidUTF8String(e.Value)
			if err := fp.charge(int64(len(e.Value))); err != nil {
				return false, err
			}
		}
	} else {
		if final, err = fp.scan(fp.fileData, true); err != nil {
			return false, err
		}
		e.File = &File{Name: e.Name, Filename: whatwg.ValidUTF8String(filename), ContentType: whatwg.ValidUTF8String(ctype), Size: fp.size}
		if fp.file != nil {
			e.File.path = fp.file.Name()
			if err := fp.file.Close(); err != nil {
				return false, apierror.Wrap(err, 500, "")
			}
			fp.file = nil
		} else {
			e.File.data, fp.value = fp.value, nil
		}
	}
	fp.form.entries = append(fp.form.entries, e)
	return final, nil
}

// charge takes n bytes from the memory budget.
func (fp *formParser) charge(n int64) error {
	if fp.mem -= n; fp.mem < 0 {
		return fp.lim.memTooLarge
	}
	return nil
}

// Bytes kept in memory are held in chunks that double from 64 bytes to
// lim.chunk, so that what a part is charged depends only on its length, not
// on how the bytes arrived, and a large part wastes at most one chunk.
const (
	firstChunk    = 64
	chunkOverhead = 32 // the slice header in fp.value
)

// appendValue appends b to fp.value, charging each new chunk, and returns
// how many bytes of b it took: fewer when the budget ran out.
func (fp *formParser) appendValue(b []byte) int {
	took := 0
	for len(b) > 0 {
		n := len(fp.value)
		if n == 0 || len(fp.value[n-1]) == cap(fp.value[n-1]) {
			size := fp.lim.chunk
			if n < 20 && firstChunk<<n < size {
				size = firstChunk << n
			}
			if int64(size+chunkOverhead) > fp.mem {
				return took
			}
			fp.mem -= int64(size + chunkOverhead)
			fp.value = append(fp.value, make([]byte, 0, size))
			n++
		}
		last := fp.value[n-1]
		k := min(cap(last)-len(last), len(b))
		fp.value[n-1] = append(last, b[:k]...)
		b = b[k:]
		took += k
	}
	return took
}

// releaseValue gives fp.value's chunks back to the budget.
func (fp *formParser) releaseValue() {
	for _, c := range fp.value {
		fp.mem += int64(cap(c) + chunkOverhead)
	}
	fp.value = nil
}

func (fp *formParser) fieldData(b []byte) error {
	if fp.size += int64(len(b)); fp.size > fp.lim.field {
		return fp.lim.fieldTooLarge
	}
	if fp.appendValue(b) < len(b) {
		return fp.lim.memTooLarge
	}
	return nil
}

// fieldValue joins the field's chunks into its string, charged in their
// place: one field at most of transient memory is not counted.
func (fp *formParser) fieldValue() (string, error) {
	if len(fp.value) == 1 {
		// The chunk becomes the string without a copy: nothing else holds it.
		c := fp.value[0]
		fp.value = nil
		return unsafe.String(unsafe.SliceData(c), len(c)), nil
	}
	chunks := fp.value
	fp.releaseValue()
	if err := fp.charge(fp.size); err != nil {
		return "", err
	}
	v := bytes.Join(chunks, nil)
	return unsafe.String(unsafe.SliceData(v), len(v)), nil
}

func (fp *formParser) fileData(b []byte) error {
	if fp.size += int64(len(b)); fp.size > fp.lim.file {
		return fp.lim.fileTooLarge
	}
	if fp.file == nil {
		took := fp.appendValue(b)
		if took == len(b) {
			return nil
		}
		b = b[took:]
		// Out of memory budget: the file moves to disk, with what it had.
		f, err := os.CreateTemp(fp.lim.tempDir, "bodyparser-multipart-*")
		if err != nil {
			return apierror.Wrap(err, 500, "")
		}
		fp.file = f
		fp.temps = append(fp.temps, f.Name())
		for _, c := range fp.value {
			if _, err := f.Write(c); err != nil {
				return apierror.Wrap(err, 500, "")
			}
		}
		fp.releaseValue()
	}
	if _, err := fp.file.Write(b); err != nil {
		return apierror.Wrap(err, 500, "")
	}
	return nil
}

// finish reads the epilogue, what follows the close delimiter, to the end
// of the stream: at most maxTrailing bytes, discarded.
func (fp *formParser) finish() error {
	n := fp.w - fp.r
	fp.r = fp.w
	if n > maxTrailing {
		return errTrailingMultipart
	}
	switch fp.err {
	case nil:
		return drain(fp.src, maxTrailing-n, errTrailingMultipart)
	case io.EOF:
		return nil
	}
	return fp.err
}

// baseName is the last element of a file name, never a path (RFC 7578
// §4.2): split at "/" and at "\\" (Windows clients send either), and ""
// for "." and "..".
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// removeTemps closes and removes the temporary files; it may run twice.
func (fp *formParser) removeTemps() {
	if fp.file != nil {
		fp.file.Close()
		fp.file = nil
	}
	for _, name := range fp.temps {
		os.Remove(name)
	}
	fp.temps = nil
}

// scan passes the bytes up to the next boundary to sink (nil: discard) and
// consumes the boundary; final reports the close delimiter, after which
// nothing is read. A boundary is CRLF "--" boundary followed by space, tab,
// CR, LF or "--"; followed by anything else it is data, as in
// mime/multipart.
func (fp *formParser) scan(sink func([]byte) error, bodyStart bool) (final bool, err error) {
	d := fp.delim
	if bodyStart {
		// Step back over the CRLF that ended the headers (headers has not
		// read since): a boundary may follow it at once (an empty body), as
		// mime/multipart allows. It is not data otherwise.
		fp.r -= 2
		for fp.w-fp.r < len(d)+2 && fp.err == nil {
			fp.fill()
		}
		data := fp.buf[fp.r:fp.w]
		if _, ok := delimEnd(data[min(len(d), len(data)):]); !ok || !bytes.HasPrefix(data, d) {
			fp.r += 2
		} // else the loop below finds the boundary at once
	}
	for {
		data := fp.buf[fp.r:fp.w]
		i := bytes.Index(data, d)
		if i < 0 {
			// Keep what could be the start of a boundary.
			if err := fp.pass(sink, max(0, len(data)-(len(d)-1))); err != nil {
				return false, err
			}
			if fp.err != nil {
				return false, fp.endErr()
			}
			fp.fill()
			continue
		}
		rest := data[i+len(d):]
		more := len(rest) < 2 && fp.err == nil // more bytes needed to tell what follows
		final, ok := false, false
		if !more {
			final, ok = delimEnd(rest)
		}
		if final {
			switch closeEnd(rest[2:], fp.err != nil) {
			case 0:
				more = true
			case -1: // "--boundary--" and more on its line
				if !fp.preamble {
					return false, errBadMultipart
				}
				ok = false // preamble text, as in mime/multipart
			}
		}
		if more && i == 0 && fp.r == 0 && fp.w == len(fp.buf) {
			return false, errBadMultipart // a buffer of padding
		}
		if !more && !ok { // not a boundary: data up to and including its first byte
			if err := fp.pass(sink, i+1); err != nil {
				return false, err
			}
			continue
		}
		if err := fp.pass(sink, i); err != nil {
			return false, err
		}
		if more {
			fp.fill()
			continue
		}
		fp.r += len(d)
		if final {
			fp.r += 2
		}
		return final, nil
	}
}

// pass gives the next n bytes to sink (nil: discard) and consumes them.
func (fp *formParser) pass(sink func([]byte) error, n int) error {
	if sink != nil && n > 0 {
		if err := sink(fp.buf[fp.r : fp.r+n]); err != nil {
			return err
		}
	}
	fp.r += n
	return nil
}

// closeEnd tells whether rest, what follows a closing "--boundary--", makes
// it the close delimiter: only spaces and tabs, then CRLF or the end of the
// stream (1); anything else (-1). 0: more bytes are needed.
func closeEnd(rest []byte, eof bool) int {
	rest = bytes.TrimLeft(rest, " \t")
	switch {
	case bytes.HasPrefix(rest, crlf) || len(rest) == 0 && eof:
		return 1
	case !eof && (len(rest) == 0 || len(rest) == 1 && rest[0] == '\r'):
		return 0
	}
	return -1
}

// delimEnd tells what follows a boundary: "--" ends the body (final);
// space, tab, CR or LF, or the end of the stream, make it a boundary line;
// anything else makes it data (ok = false).
func delimEnd(rest []byte) (final, ok bool) {
	switch {
	case len(rest) >= 2 && rest[0] == '-' && rest[1] == '-':
		return true, true
	case len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n':
		return false, true
	}
	return false, false
}

// headers reads the rest of a boundary line (transport padding) and the
// part's header block, keeping Content-Disposition and Content-Type (the
// first of each). All of it counts against MaxPartHeaderSize.
func (fp *formParser) headers() (disp, ctype string, err error) {
	n := 0
	first := true
	var haveDisp, haveType bool
	searched := 0 // bytes of data known to hold no CRLF: a trickled line is searched once
	for {
		data := fp.buf[fp.r:fp.w]
		i := bytes.Index(data[searched:], crlf)
		if i < 0 {
			if n+len(data) > fp.lim.header {
				return "", "", fp.lim.headerTooLarge
			}
			if fp.err != nil {
				return "", "", fp.endErr()
			}
			searched = max(0, len(data)-1) // the last byte may be a CR
			fp.fill()
			continue
		}
		i += searched
		searched = 0
		if n += i + 2; n > fp.lim.header {
			return "", "", fp.lim.headerTooLarge
		}
		line := data[:i]
		fp.r += i + 2
		if bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, '\r') >= 0 {
			return "", "", errBadMultipart
		}
		if first {
			first = false
			if len(bytes.Trim(line, " \t")) != 0 {
				return "", "", errBadMultipart
			}
			continue
		}
		if len(line) == 0 {
			return disp, ctype, nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !httptoken.IsToken(unsafe.String(unsafe.SliceData(line), colon)) {
			return "", "", errBadMultipart // obsolete line folding included
		}
		name := unsafe.String(unsafe.SliceData(line), colon)
		value := bytes.Trim(line[colon+1:], " \t")
		switch {
		case !haveDisp && strings.EqualFold(name, "Content-Disposition"):
			disp, haveDisp = string(value), true
		case !haveType && strings.EqualFold(name, "Content-Type"):
			ctype, haveType = string(value), true
		}
	}
}
