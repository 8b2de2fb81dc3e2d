// Package reqid carries a request's id in its context. Package requestid
// puts it there; apierror, responselimit, cors and route read it for their
// log lines and problem bodies, without importing requestid.
package reqid

import (
	"context"
	"log/slog"
)

// Key is the log attribute that carries the id.
const Key = "request_id"

type key struct{}

// idContext is a context carrying an id. It is one allocation where
// context.WithValue is two (the node, and the string boxed in an any), and
// it holds the response header's value slice as well: a third saved.
type idContext struct {
	context.Context
	id     string
	header [1]string // a copy: changing the header in place leaves id alone
}

// Value returns the node itself for the id's key, so that reading the id
// boxes nothing, and asks the parent for any other key.
func (c *idContext) Value(k any) any {
	if k == (key{}) {
		return c
	}
	return c.Context.Value(k)
}

// With returns a context that carries id, derived from parent, and
// []string{id} for the response header, both in one allocation.
func With(parent context.Context, id string) (context.Context, []string) {
	c := &idContext{Context: parent, id: id, header: [1]string{id}}
	return c, c.header[:]
}

// From returns the id ctx carries, or "" when it carries none.
func From(ctx context.Context) string {
	if c, ok := ctx.Value(key{}).(*idContext); ok {
		return c.id
	}
	return ""
}

// AppendAttr appends the id's attribute to attrs when ctx carries an id,
// and returns attrs unchanged otherwise.
func AppendAttr(ctx context.Context, attrs []slog.Attr) []slog.Attr {
	if id := From(ctx); id != "" {
		return append(attrs, slog.String(Key, id))
	}
	return attrs
}

// Instance returns id as the "instance" of an RFC 9457 problem body: a
// relative URI reference of one path segment, the id itself when it holds
// only RFC 3986 unreserved characters, sub-delims and "@" (UUIDs, ULIDs,
// hex, base32 and base64url ids do). Any other byte is percent-encoded, so
// that no id can make the reference an absolute URI (":"), a network path
// ("//host"), a query, a fragment, or a dot segment ("." or "..").
func Instance(id string) string {
	n := 0
	for i := 0; i < len(id); i++ {
		if !segmentSafe(id[i]) {
			n++
		}
	}
	dots := id == "." || id == ".."
	if n == 0 && !dots {
		return id
	}
	if dots {
		n = len(id)
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(id)+2*n)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if segmentSafe(c) && !dots {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

// segmentSafe reports whether c stands for itself in a path segment of a
// relative reference (RFC 3986 segment-nz-nc: unreserved, sub-delims, "@").
func segmentSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', // unreserved
		'!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', // sub-delims
		'@':
		return true
	}
	return false
}
