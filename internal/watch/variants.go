package watch

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// variant returns w as a value implementing exactly the optional interfaces
// of the underlying writer. Each variant embeds the one without its last
// interface, and all are a single pointer, so that an interface holds them
// without allocating.
func (w *Writer) variant() http.ResponseWriter {
	bits := 0
	if _, ok := w.rw.(http.Flusher); ok {
		bits |= 1
	}
	if _, ok := w.rw.(http.Hijacker); ok {
		bits |= 2
	}
	if _, ok := w.rw.(io.ReaderFrom); ok {
		bits |= 4
	}
	if _, ok := w.rw.(http.Pusher); ok {
		bits |= 8
	}
	switch bits {
	case 1:
		return rwF{rw{w}}
	case 2:
		return rwH{rw{w}}
	case 3:
		return rwFH{rwF{rw{w}}}
	case 4:
		return rwR{rw{w}}
	case 5:
		return rwFR{rwF{rw{w}}}
	case 6:
		return rwHR{rwH{rw{w}}}
	case 7:
		return rwFHR{rwFH{rwF{rw{w}}}}
	case 8:
		return rwP{rw{w}}
	case 9:
		return rwFP{rwF{rw{w}}}
	case 10:
		return rwHP{rwH{rw{w}}}
	case 11:
		return rwFHP{rwFH{rwF{rw{w}}}}
	case 12:
		return rwRP{rwR{rw{w}}}
	case 13:
		return rwFRP{rwFR{rwF{rw{w}}}}
	case 14:
		return rwHRP{rwHR{rwH{rw{w}}}}
	case 15:
		return rwFHRP{rwFHR{rwFH{rwF{rw{w}}}}}
	}
	return rw{w}
}

type rw struct{ *Writer }

type rwF struct{ rw }

func (w rwF) Flush()            { _ = w.flush(false) }
func (w rwF) FlushError() error { return w.flush(true) }

type rwH struct{ rw }

func (w rwH) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }

type rwFH struct{ rwF }

func (w rwFH) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }

type rwR struct{ rw }

func (w rwR) ReadFrom(src io.Reader) (int64, error) { return w.readFrom(src) }

type rwFR struct{ rwF }

func (w rwFR) ReadFrom(src io.Reader) (int64, error) { return w.readFrom(src) }

type rwHR struct{ rwH }

func (w rwHR) ReadFrom(src io.Reader) (int64, error) { return w.readFrom(src) }

type rwFHR struct{ rwFH }

func (w rwFHR) ReadFrom(src io.Reader) (int64, error) { return w.readFrom(src) }

type rwP struct{ rw }

func (w rwP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwFP struct{ rwF }

func (w rwFP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwHP struct{ rwH }

func (w rwHP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwFHP struct{ rwFH }

func (w rwFHP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwRP struct{ rwR }

func (w rwRP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwFRP struct{ rwFR }

func (w rwFRP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwHRP struct{ rwHR }

func (w rwHRP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }

type rwFHRP struct{ rwFHR }

func (w rwFHRP) Push(target string, opts *http.PushOptions) error { return w.push(target, opts) }
