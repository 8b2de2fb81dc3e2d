package apierror

import (
	"net/http"
	"strconv"

	"github.com/apiroutes/apiroutes/internal/reqid"
	"github.com/apiroutes/apiroutes/internal/watch"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// Renderer writes e as the response. It is called only while the response
// has not started; it must send the status from e.Status. [RenderJSON],
// [RenderText], [RenderEmpty] and [RenderProblem] are the ones provided;
// write your own for other shapes.
type Renderer func(w http.ResponseWriter, r *http.Request, e *Error)

// RenderJSON renders {"error":"<message>"} (and "code" when e.Code is set) with
// Content-Type application/json; charset=utf-8, encoded by the route's
// codec (see [Config].Codec): like JSON.stringify, no HTML escaping. This
// is the default.
func RenderJSON(w http.ResponseWriter, r *http.Request, e *Error) {
	body := struct {
		Error string `json:"error"`
		Code  string `json:"code,omitempty"`
	}{e.message(), e.Code}
	sendJSON(w, r, e.Status, "application/json; charset=utf-8", &body, 0)
}

// RenderText renders the error exactly as Next.js's sendError does: the status,
// the message as the body, and no Content-Type. (Next also puts the message
// in the reason phrase; net/http always sends the standard reason phrase.)
func RenderText(w http.ResponseWriter, r *http.Request, e *Error) {
	send(w, r, e.Status, "", []byte(e.message()))
}

// RenderEmpty renders the status alone, with no body and no Content-Type,
// as Next.js's App Router answers a route handler's 404, 405 and 500
// (new Response(null, { status })). The message is not sent; a 5xx cause
// is still logged.
func RenderEmpty(w http.ResponseWriter, r *http.Request, e *Error) {
	send(w, r, e.Status, "", nil)
}

// RenderProblem renders an RFC 9457 problem details object with Content-Type
// application/problem+json:
//
//	{"type":"about:blank","title":"Not Found","status":404,"detail":"task 7 not found"}
//
// plus an "instance" member when the request has an id (package requestid:
// the id as a URI reference) and a "code" member when e.Code is set.
func RenderProblem(w http.ResponseWriter, r *http.Request, e *Error) {
	title := http.StatusText(e.Status)
	if title == "" {
		title = "Status " + strconv.Itoa(e.Status)
	}
	var instance string
	if id := reqid.From(r.Context()); id != "" {
		instance = reqid.Instance(id)
	}
	body := struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Status   int    `json:"status"`
		Detail   string `json:"detail"`
		Instance string `json:"instance,omitempty"`
		Code     string `json:"code,omitempty"`
	}{"about:blank", title, e.Status, e.message(), instance, e.Code}
	sendJSON(w, r, e.Status, "application/problem+json", &body, len(instance))
}

// sendJSON sends body encoded by the codec recorded on w, else by
// encoding/json, into a buffer of 128 bytes plus extra (the length of a
// member the common bodies do not have). A codec that fails on these
// strings is broken: the error goes out as text rather than not at all.
func sendJSON(w http.ResponseWriter, r *http.Request, status int, contentType string, body any, extra int) {
	var c jsoncodec.Codec = jsoncodec.Std{}
	if st := watch.From(w); st != nil && st.Errors.Codec != nil {
		c = st.Errors.Codec
	}
	b, err := c.Append(make([]byte, 0, 128+extra), body)
	if err != nil {
		send(w, r, status, "", []byte(http.StatusText(status)))
		return
	}
	send(w, r, status, contentType, b)
}

// send drops the entity headers the handler had set for the response it
// meant to send, then writes the error. An empty contentType means none,
// and none sniffed.
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
