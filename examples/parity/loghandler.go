package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// lineHandler is a slog.Handler that writes one line per record, so that the
// server's log can be compared with the console of a Next.js server:
//
//   - below Error (the response-size and unresolved-response warnings), the
//     line is the message alone, exactly the text Next's console.warn prints;
//     the attributes (method, path, bytes, limit) repeat what the message
//     says and are left out;
//   - at Error and above (a handler's error, a panic), the message is
//     followed by the attributes as key=value, quoted when needed, because
//     the cause ("error=boom") is the point of the line. A value with line
//     breaks, such as a panic's stack, is quoted onto the same line.
//
// Records below Info are dropped. It is safe for concurrent use.
type lineHandler struct {
	mu     *sync.Mutex
	out    io.Writer
	attrs  []slog.Attr // from WithAttrs, keys already prefixed by their groups
	prefix string      // the open groups, "a.b."
}

func newLineHandler(out io.Writer) *lineHandler {
	return &lineHandler{mu: new(sync.Mutex), out: out}
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(oneLine(r.Message))
	if r.Level >= slog.LevelError {
		for _, a := range h.attrs {
			appendAttr(&b, "", a)
		}
		r.Attrs(func(a slog.Attr) bool {
			appendAttr(&b, h.prefix, a)
			return true
		})
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.out, b.String())
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		c.attrs = append(c.attrs, slog.Attr{Key: h.prefix + a.Key, Value: a.Value})
	}
	return &c
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}

// appendAttr writes " key=value", flattening groups into dotted keys.
func appendAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range v.Group() {
			appendAttr(b, prefix, g)
		}
		return
	}
	if a.Equal(slog.Attr{}) {
		return
	}
	b.WriteByte(' ')
	b.WriteString(quoteIfNeeded(prefix + a.Key))
	b.WriteByte('=')
	b.WriteString(quoteIfNeeded(v.String()))
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.IndexFunc(s, func(r rune) bool {
		return r == '=' || r == '"' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// oneLine keeps a message on its line: a line break inside it is written as
// \n (Next's two warnings have none).
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
