// Package bodyparser gives net/http handlers Next.js's req.body: the request
// body read once, bounded by a size limit, decoded from its charset and
// parsed by its content type, before the handler runs.
//
//	mux.Handle("POST /api/tasks", bodyparser.New(bodyparser.Config{})(apierror.HandlerFunc(createTask)))
//
//	func createTask(w http.ResponseWriter, r *http.Request) error {
//		in, err := bodyparser.Decode[NewTask](r, bodyparser.DisallowUnknownFields)
//		if err != nil {
//			return err // 400 naming the field, 415 for a non-JSON body
//		}
//		...
//	}
//
// # What the middleware does
//
// With the zero [Config] (Next's defaults), every request, whatever its
// method, is read up to 1mb and parsed by the media type of its
// Content-Type, parsed as Next parses it:
//
//   - application/json and application/ld+json: one JSON value of any kind
//     (42, "s", null and arrays too); an empty body counts as {}; anything
//     else, whitespace alone included, is answered 400 "Invalid JSON";
//   - application/x-www-form-urlencoded: a form, as Node's querystring reads
//     it (see [Form]); r.PostForm is filled, so r.FormValue works;
//   - anything else (text/plain, multipart/form-data, application/xml,
//     application/octet-stream, a missing or unparsable Content-Type): the
//     text.
//
// The charset parameter decodes the body to UTF-8 first (iconv-lite's
// names over the WHATWG encodings, so "latin1", "UTF-16LE", "windows-1252",
// "shift_jis" all work); invalid UTF-8 becomes U+FFFD, a leading BOM is
// dropped, and an unknown charset is answered 400 "Invalid body".
//
// A body larger than the limit is answered 413 "Body exceeded 1mb limit",
// with the limit printed as configured, after reading at most limit+1 bytes,
// whether it comes with a Content-Length or chunked; a Content-Length above
// the limit is refused without reading. The connection is then closed, so a
// client still uploading is cut off instead of being read to the end.
// Memory stays bounded by the limit: bytes are read into pooled chunks and a
// body is copied once into a slice of its exact size.
//
// The handler gets r.Body back as a fresh reader over the same bytes, so
// handlers written for plain net/http keep working, and reads the parsed
// body with [Value] (Next's req.body), [Decode] (typed), [Form], [Text] and
// [Raw]. Parsing into Go values happens on first use: the middleware only
// validates, so a handler that calls Decode pays for one decoding, into its
// own type.
//
// [Config.Raw] is Next's bodyParser: false: the body is not touched and
// [Value] reports undefined.
//
// # Differences from Next.js
//
//   - Errors are JSON by default ({"error":"Invalid JSON"}), rendered by
//     package apierror; Config.Errors selects Next's plain text instead.
//   - A size limit outside the grammar ("1m", "1mib", " 1mb") is an error at
//     start-up; Next silently reads it as 1 byte or as no limit.
//   - The raw bytes stay available ([Raw]), so a webhook signature can be
//     checked without turning the parser off.
//   - Content-Encoding gzip and deflate are decoded, with the limit applied
//     to the decoded bytes (a small gzip bomb is a 413 after limit+1 decoded
//     bytes); other encodings are answered 415. Next reads compressed bodies
//     as text. After decoding, the handler sees no Content-Encoding header.
//   - A Content-Length above the limit is refused before reading; Next reads
//     until the limit. The answer is the same.
//   - JSON objects decode into Go maps, whose keys have no order; use
//     [Decode] when order or exact numbers matter.
//
// The accessors find the parsed body through r.Body, or, when a middleware
// between this one and the handler has replaced r.Body (chi's
// middleware.RequestSize, echo's BodyLimit), through r.GetBody, which the
// middleware sets to a fresh reader over the same bytes. They return the
// body accepted here, within SizeLimit; a body limit placed after this
// middleware only bounds reads of r.Body. Put limits in SizeLimit, or
// before this middleware.
package bodyparser
