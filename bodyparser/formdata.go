package bodyparser

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
)

// FormData is a parsed multipart/form-data body, the App Router's
// request.formData(). A nil *FormData has no entries. Unlike the web's
// FormData, Get and GetAll see fields (parts without a file name) only and
// File and Files see files only, so that each returns one Go type.
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
	Name string // the form field name
	// Filename is the last element of the file name the client sent,
	// after the last "/" or "\\": never a path, nor "." or "..", which
	// give "". Still, do not use it as a path: choose names yourself.
	Filename    string
	ContentType string // the part's Content-Type header as sent; "" without one
	Size        int64

	data chunks // in memory
	path string // or in this temporary file
}

// Open returns a reader over the file's bytes; close it when done. Each
// call returns a new reader positioned at the start.
func (f *File) Open() (multipart.File, error) {
	if f.path != "" {
		return os.Open(f.path)
	}
	return memFile{io.NewSectionReader(&f.data, 0, f.Size)}, nil
}

type memFile struct{ *io.SectionReader }

func (memFile) Close() error { return nil }

// chunks are a file's bytes held in memory.
type chunks [][]byte

func (c chunks) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for _, ch := range c {
		if off >= int64(len(ch)) {
			off -= int64(len(ch))
			continue
		}
		k := copy(p[n:], ch[off:])
		n += k
		off = 0
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}

// Get returns the first value of the field name, or "" when there is none
// (the web's formData.get for a string entry).
func (fd *FormData) Get(name string) string {
	return fd.Values().Get(name)
}

// GetAll returns every value of the field name, in order.
func (fd *FormData) GetAll(name string) []string {
	return fd.Values()[name]
}

// Has reports whether the form has a field or a file called name.
func (fd *FormData) Has(name string) bool {
	for _, e := range fd.Entries() {
		if e.Name == name {
			return true
		}
	}
	return false
}

// File returns the first file called name, or nil.
func (fd *FormData) File(name string) *File {
	for _, e := range fd.Entries() {
		if e.File != nil && e.Name == name {
			return e.File
		}
	}
	return nil
}

// Files returns every file called name, in order.
func (fd *FormData) Files(name string) []*File {
	var fs []*File
	for _, e := range fd.Entries() {
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

// Multipart returns the parsed multipart/form-data body, or nil when the
// request had another content type or [Config.Multipart] was not set.
func Multipart(r *http.Request) *FormData {
	if b := from(r); b != nil {
		return b.multipart
	}
	return nil
}
