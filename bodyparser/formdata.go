package bodyparser

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
)

// FormData is a parsed multipart/form-data body, the App Router's
// request.formData(): its parts in the order they came, fields (parts
// without a file name) and files apart. A nil *FormData has no entries.
//
// Unlike the web's FormData, Get and GetAll see fields only and File and
// Files see files only, so that each returns one Go type.
type FormData struct {
	entries []Entry
	vals    url.Values
}

// Entry is one part of a form: a field (File is nil) or a file.
type Entry struct {
	Name  string
	Value string // a field's value; "" for a file
	File  *File
}

// File is a file part. Its bytes are in memory or, beyond
// [MultipartConfig.MaxMemory], in a temporary file that is removed when the
// handler returns: read it before then.
type File struct {
	// Name is the form field name.
	Name string
	// Filename is the last element of the file name the client sent,
	// after the last "/" or "\\": never a path, nor "." or "..", which
	// give "". Still, do not use it as a path: choose names yourself.
	Filename string
	// ContentType is the part's Content-Type header as sent; "" without one.
	ContentType string
	// Size is the file's length in bytes.
	Size int64

	data [][]byte // in memory, in chunks
	path string   // or in this temporary file
}

// Open returns a reader over the file's bytes; close it when done. Each
// call returns a new reader positioned at the start.
func (f *File) Open() (multipart.File, error) {
	if f.path != "" {
		return os.Open(f.path)
	}
	return &chunkReader{chunks: f.data, size: f.Size}, nil
}

// chunkReader reads a file held in memory in chunks.
type chunkReader struct {
	chunks [][]byte
	size   int64
	off    int64
}

func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("bodyparser: negative offset")
	}
	n := 0
	for _, ch := range c.chunks {
		if len(p) == 0 {
			break
		}
		if off >= int64(len(ch)) {
			off -= int64(len(ch))
			continue
		}
		k := copy(p, ch[off:])
		n += k
		p = p[k:]
		off = 0
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.off >= c.size {
		return 0, io.EOF
	}
	n, _ := c.ReadAt(p, c.off)
	c.off += int64(n)
	return n, nil
}

func (c *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += c.off
	case io.SeekEnd:
		offset += c.size
	}
	if offset < 0 {
		return 0, errors.New("bodyparser: negative position")
	}
	c.off = offset
	return offset, nil
}

func (*chunkReader) Close() error { return nil }

// Get returns the first value of the field name, or "" when there is none
// (the web's formData.get for a string entry).
func (fd *FormData) Get(name string) string {
	if fd == nil {
		return ""
	}
	return fd.values().Get(name)
}

// GetAll returns every value of the field name, in order.
func (fd *FormData) GetAll(name string) []string {
	if fd == nil {
		return nil
	}
	return fd.values()[name]
}

// Has reports whether the form has a field or a file called name.
func (fd *FormData) Has(name string) bool {
	if fd == nil {
		return false
	}
	for _, e := range fd.entries {
		if e.Name == name {
			return true
		}
	}
	return false
}

// File returns the first file called name, or nil.
func (fd *FormData) File(name string) *File {
	if fd == nil {
		return nil
	}
	for _, e := range fd.entries {
		if e.File != nil && e.Name == name {
			return e.File
		}
	}
	return nil
}

// Files returns every file called name, in order.
func (fd *FormData) Files(name string) []*File {
	if fd == nil {
		return nil
	}
	var fs []*File
	for _, e := range fd.entries {
		if e.File != nil && e.Name == name {
			fs = append(fs, e.File)
		}
	}
	return fs
}

// Entries returns the parts in the order they came. The slice is shared:
// do not modify it.
func (fd *FormData) Entries() []Entry {
	if fd == nil {
		return nil
	}
	return fd.entries
}

// Values returns the fields (not the files); it is also r.PostForm, so
// r.FormValue works. Do not modify it.
func (fd *FormData) Values() url.Values {
	if fd == nil {
		return nil
	}
	return fd.values()
}

func (fd *FormData) values() url.Values {
	if fd.vals == nil {
		fd.vals = url.Values{}
		for _, e := range fd.entries {
			if e.File == nil {
				fd.vals[e.Name] = append(fd.vals[e.Name], e.Value)
			}
		}
	}
	return fd.vals
}

// formBody replaces r.Body of a multipart request: the stream was read, so
// it is empty, and [Multipart] finds the form through it.
type formBody struct{ form *FormData }

func (*formBody) Read([]byte) (int, error) { return 0, io.EOF }
func (*formBody) Close() error             { return nil }

// Multipart returns the parsed multipart/form-data body, or nil when the
// request had another content type or [Config.Multipart] was not set.
func Multipart(r *http.Request) *FormData {
	if b, ok := r.Body.(*formBody); ok {
		return b.form
	}
	if r.GetBody != nil { // r.Body replaced by a later middleware
		if rc, err := r.GetBody(); err == nil {
			if b, ok := rc.(*formBody); ok {
				return b.form
			}
			_ = rc.Close()
		}
	}
	return nil
}
