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
// format (package apierror): 400 "Invalid JSON" or "Invalid body", 413
// "Body exceeded 1mb limit", 408 "Body not received within 30s", 415 for a
// Content-Encoding it does not decode. The handler gets r.Body back as a
// fresh reader over the same bytes, so plain net/http handlers keep
// working, and reads the parsed body with [Value] (Next's req.body),
// [Decode] (typed), [Form], [Text], [Bytes] (the bytes as sent, for
// signatures) or [Multipart]. The accessors find the body through r.GetBody
// when a later middleware has replaced r.Body.
//
// # Defaults
//
// The zero [Config] is Next's pages router:
//
//   - every method's body is read, up to SizeLimit "1mb",
//     counted on the wire: a larger one is refused
//     after limit+1 bytes (or at once from its Content-Length), and on
//     HTTP/1 its connection is closed;
//   - application/json and application/ld+json hold any one JSON value, {}
//     when empty; urlencoded forms fill r.PostForm as Node's querystring
//     reads them; everything else is text, multipart/form-data included;
//   - the charset parameter decodes the body to UTF-8 as Next's iconv-lite
//     does;
//   - gzip and deflate bodies are decoded, SizeLimit counting the decoded
//     bytes and MaxDecompressionRatio (200)
//     bounding them by the bytes on the
//     wire;
//   - reading may take ReadTimeout (30s), until
//     r.Body has returned EOF; keep it shorter than the server's
//     WriteTimeout, or the 408 cannot be written;
//   - JSON is decoded with encoding/json unless Config.Codec, or the
//     enclosing apierror layer's, names another (package jsoncodec).
//
// [Config.Raw] is Next's bodyParser: false: the stream is left alone, with
// no limit nor deadline unless the Config sets one. [Config.AlwaysJSON]
// and [Config.Multipart] give a route the App Router's request.json() and
// request.formData(); [MultipartConfig] lists the form's limits.
//
// # Differences from Next.js
//
//   - Errors are JSON ({"error":"Invalid JSON"}) unless Config.Errors
//     chooses Next's plain text.
//   - A size outside Next's grammar ("1m", "1mib") fails at start-up; Next
//     reads it as 1 byte or as no limit.
//   - The raw bytes stay available ([Bytes]), so a webhook signature can be
//     checked without turning the parser off.
//   - Compressed bodies are decoded (Next reads them as text), slow bodies
//     get a 408, and a Content-Length above the limit is refused before
//     reading.
//
// "Raw" means one thing across the module: bodyParser: false, the stream
// untouched; the parsed body's bytes are [Bytes]. Sizes are plain strings
// in Next's grammar, here and in responselimit: a typed count is
// strconv.FormatInt(n, 10), since a bare number counts bytes.
//
// The full behaviour (content types, charsets, multipart parsing, deadlines,
// what a hostile client can make a request hold) is in the reference:
// https://github.com/apiroutes/apiroutes/blob/main/docs/reference.md#bodyparser
package bodyparser
