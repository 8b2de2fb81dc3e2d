package apierror

import (
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Renderer writes e as the response. It is called only while the response
// has not started; it must send the status from e.Status. [JSON], [Text] and
// [Problem] are the ones provided; write your own for other shapes.
type Renderer func(w http.ResponseWriter, r *http.Request, e *Error)

// JSON renders {"error":"<message>"} (and "code" when e.Code is set) with
// Content-Type application/json; charset=utf-8. Strings are escaped like
// JavaScript's JSON.stringify: no HTML escaping. This is the default.
func JSON(w http.ResponseWriter, r *http.Request, e *Error) {
	b := make([]byte, 0, 32+len(e.Message)+len(e.Code))
	b = append(b, `{"error":`...)
	b = appendJSONString(b, e.message())
	if e.Code != "" {
		b = append(b, `,"code":`...)
		b = appendJSONString(b, e.Code)
	}
	b = append(b, '}')
	send(w, r, e.Status, "application/json; charset=utf-8", b)
}

// Text renders the error exactly as Next.js's sendError does: the status,
// the message as the body, and no Content-Type. (Next also puts the message
// in the reason phrase; net/http always sends the standard reason phrase.)
func Text(w http.ResponseWriter, r *http.Request, e *Error) {
	send(w, r, e.Status, "", []byte(e.message()))
}

// Problem renders an RFC 9457 problem details object with Content-Type
// application/problem+json:
//
//	{"type":"about:blank","title":"Not Found","status":404,"detail":"task 7 not found"}
//
// plus a "code" member when e.Code is set.
func Problem(w http.ResponseWriter, r *http.Request, e *Error) {
	b := make([]byte, 0, 96+len(e.Message)+len(e.Code))
	b = append(b, `{"type":"about:blank","title":`...)
	title := http.StatusText(e.Status)
	if title == "" {
		title = "Status " + strconv.Itoa(e.Status)
	}
	b = appendJSONString(b, title)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, `,"detail":`...)
	b = appendJSONString(b, e.message())
	if e.Code != "" {
		b = append(b, `,"code":`...)
		b = appendJSONString(b, e.Code)
	}
	b = append(b, '}')
	send(w, r, e.Status, "application/problem+json", b)
}

// send replaces whatever entity headers the handler had set for the response
// it meant to send, then writes the error. An empty contentType means none:
// net/http is told not to sniff one.
func send(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h.Del("Content-Encoding")
	h.Del("Etag")
	h.Del("Last-Modified")
	if contentType == "" {
		h["Content-Type"] = nil
	} else {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way JSON.stringify does:
// quotes, backslashes and control characters escaped, nothing else; invalid
// UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
