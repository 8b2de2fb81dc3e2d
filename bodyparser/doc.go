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
// Every error is answered before the handler runs, in the route's error
// format (package apierror). The handler gets r.Body back as a fresh reader
// over the same bytes, so plain net/http handlers keep working, and reads
// the parsed body with [Value] (Next's req.body), [Decode] (typed), [Form],
// [Text], [Bytes] (the bytes as sent, for signatures) or [Multipart].
//
// # Defaults
//
// The zero [Config] is Next's pages router:
//
//   - every method's body is read, up to SizeLimit "1mb": a larger one is
//     answered 413 after limit+1 bytes (or at once from its
//     Content-Length), and on HTTP/1 its connection is closed;
//   - application/json and application/ld+json hold any one JSON value, {}
//     when empty (else 400 "Invalid JSON"); urlencoded forms fill
//     r.PostForm as Node's querystring reads them; everything else is
//     text, multipart/form-data included;
//   - the charset parameter decodes the body to UTF-8 as Next's iconv-lite does;
//   - gzip and deflate bodies are decoded (Next reads them as text),
//     SizeLimit counting the decoded bytes and MaxDecompressionRatio (200)
//     bounding them by the bytes on the wire;
//   - reading may take ReadTimeout (30s), else 408;
//   - errors are JSON ({"error":"Invalid JSON"}); Config.Errors can choose
//     Next's plain text;
//   - JSON is decoded with encoding/json unless Config.Codec, or the
//     enclosing apierror layer's, names another (package jsoncodec).
//
// [Config.Raw] is Next's bodyParser: false. [Config.AlwaysJSON] and
// [Config.Multipart] give a route the App Router's request.json() and
// request.formData(). The full behaviour, and where it differs from Next.js,
// is in the reference:
// https://github.com/apiroutes/apiroutes/blob/main/docs/reference.md#bodyparser
package bodyparser
