package watch

import (
	"maps"
	"net/http"
)

// markCap is how many header fields a mark holds inline; a header with more
// (rare: rs/cors sets at most four) is copied. The mark itself is only
// allocated when the outer layers have set headers.
const markCap = 6

type headerMark struct {
	n    int
	keys [markCap]string
	vals [markCap][]string
	more http.Header // every field, when there are more than markCap
}

// markHeader records the header as the layers outside the current one left
// it: the field names and their value slices, without copying.
func (w *Writer) markHeader() {
	h := w.rw.Header()
	m := w.outer
	if m == nil {
		if len(h) == 0 {
			return
		}
		m = new(headerMark)
		w.outer = m
	}
	m.n, m.more = 0, nil
	if len(h) > markCap {
		m.more = maps.Clone(h)
		return
	}
	for k, v := range h {
		m.keys[m.n], m.vals[m.n] = k, v
		m.n++
	}
}

func (m *headerMark) has(k string) bool {
	if m == nil {
		return false
	}
	if m.more != nil {
		_, ok := m.more[k]
		return ok
	}
	for i := range m.n {
		if m.keys[i] == k {
			return true
		}
	}
	return false
}

// ResetHeader puts the response header back as it was when the innermost
// layer of this module wrapped the response, that is as the outer layers
// set it. Call it before writing an error answer in place of the handler's
// response: the answer must not carry the handler's Set-Cookie or
// Cache-Control, but must keep the outer layers' CORS and Vary headers, or
// browsers cannot read it. Values changed in place (h["Vary"][0] = ...)
// rather than set or added are not restored.
func (w *Writer) ResetHeader() {
	h := w.rw.Header()
	m := w.outer
	for k := range h {
		if !m.has(k) {
			delete(h, k)
		}
	}
	if m == nil {
		return
	}
	if m.more != nil {
		for k, v := range m.more {
			h[k] = v
		}
		return
	}
	for i := range m.n {
		h[m.keys[i]] = m.vals[i]
	}
}
