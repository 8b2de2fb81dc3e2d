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
//     text. multipart/form-data is parsed into a form only when
//     [Config.Multipart] is set (see below).
//
// The charset parameter decodes the body to UTF-8 first, exactly as Next
// does: with iconv-lite's own labels and tables (every one of its 405
// labels, "latin1", "UTF-16LE", "windows-1252", "1251", "cp950" and
// "shift_jis" among them; see internal/charset for where that differs from
// the WHATWG tables browsers use); invalid UTF-8 becomes U+FFFD, a leading
// BOM is dropped, and an unknown charset is answered 400 "Invalid body".
// Deliberate difference: UTF-7, which Next decodes, is refused as unknown
// (it spells markup in plain letters and has been used to smuggle it).
//
// A body larger than the limit is answered 413 "Body exceeded 1mb limit",
// with the limit printed as configured, after reading at most limit+1 bytes,
// whether it comes with a Content-Length or chunked; a Content-Length above
// the limit is refused without reading. The connection is then closed, so a
// client still uploading is cut off instead of being read to the end.
// Memory stays bounded by the limit and follows the bytes actually
// received, never a length the client announces: bytes are read into pooled
// chunks (1 KiB, then 32 KiB at a time) and a body is copied once into a
// slice of its exact size. A body shorter than its Content-Length is
// answered 400 "Invalid body". On HTTP/1 a refused upload's connection is
// closed (Connection: close); on HTTP/2 only its stream is reset, so the
// requests multiplexed beside it are not disturbed.
//
// # Slow bodies
//
// Reading a body may take at most [Config.ReadTimeout], 30s by default
// ([DefaultReadTimeout]), counted from when the middleware starts reading.
// Past it the request is answered 408 "Body not received within 30s" and,
// on HTTP/1, the connection is closed: the rest of the body may still be on
// its way. The deadline is set on the connection (or the HTTP/2 stream)
// as [http.ResponseController.SetReadDeadline] sets it, following Unwrap
// through foreign wrappers, and replaces the server's ReadTimeout while the
// body is read: an upload route can allow minutes while a JSON route allows
// seconds, with one http.Server. It is cleared once r.Body has returned
// EOF (what follows a compressed stream or a multipart close delimiter is
// read too: up to 1 KiB, discarded; more is a 400), so it never reaches the
// next request on a kept-alive connection; after a body that failed to
// read, or an answer given before reading (a 415, an unknown charset), it
// stays in place to bound net/http's reading of what remains of it. A writer that cannot set deadlines
// (httptest.ResponseRecorder, a wrapper without Unwrap) reads without one:
// the server's own timeouts are then all there is, and their expiry is
// answered 408 too.
//
// In Raw mode there is no deadline unless ReadTimeout is set: the handler
// reads the stream for as long as it likes (set the server's timeouts, or
// ReadTimeout, for such routes). With ReadTimeout set, the deadline covers
// the handler's reads of r.Body, which fail past it with an
// [*apierror.Error] of status 408 (wrapping [os.ErrDeadlineExceeded]) that
// [apierror.Write] answers like the parser would.
//
// The handler gets r.Body back as a fresh reader over the same bytes, so
// handlers written for plain net/http keep working, and reads the parsed
// body with [Value] (Next's req.body), [Decode] (typed), [Form], [Text] and
// [Bytes]. Parsing into Go values happens on first use: the middleware only
// validates, so a handler that calls Decode pays for one decoding, into its
// own type.
//
// Decode and [Value] decode the validated body with the route's JSON codec
// ([Config].Codec, else the enclosing apierror layer's, else
// encoding/json; see package jsoncodec): their results and errors are the
// codec's, and the 400 messages name the field or offset the same way
// with every codec.
//
// [Config.Raw] is Next's bodyParser: false: the body is not touched and
// [Value] reports undefined (with a SizeLimit or a ReadTimeout, r.Body is
// wrapped to enforce them).
//
// # request.json() and request.formData()
//
// The App Router's route handlers read bodies with request.json() and
// request.formData() instead of req.body. Two options give a route those
// semantics; by default the middleware stays Next's pages router.
//
// [Config.AlwaysJSON] parses every body as JSON whatever its Content-Type,
// as request.json() does: fetch with a string body sends
// text/plain;charset=UTF-8, which Decode would otherwise answer 415. The
// body is read as UTF-8 (a leading BOM dropped, invalid sequences U+FFFD)
// and the charset parameter is ignored, as in request.json(). Invalid JSON
// is answered 400 "Invalid JSON" before the handler runs. Unlike
// request.json(), which throws on an empty body, an empty body reaches the
// handler (a GET on the same route) and Decode gives the zero value. With
// Config.Multipart also set, multipart/form-data bodies are still forms.
//
// [Config.Multipart] parses multipart/form-data (RFC 7578) on the stream,
// in one pass through a fixed buffer, into a [FormData] that the handler
// gets with [Multipart]: fields with Get and GetAll (also in r.PostForm, so
// r.FormValue works), files with their field name, file name, content type,
// size and Open. r.Body is then empty, and r.MultipartForm stays nil: use
// [Multipart] rather than r.FormFile. (request.formData() also reads
// urlencoded bodies; those stay [Form]'s, as without the option.) Its
// limits ([MultipartConfig]):
//
//   - the whole body within SizeLimit: 413 "Body exceeded 1mb limit";
//   - each file within MaxFileSize (default: SizeLimit): 413 "File exceeded
//     <MaxFileSize> limit";
//   - each field within MaxFieldSize (default 1mb): 413 "Field exceeded
//     <MaxFieldSize> limit";
//   - at most MaxParts parts (default 1000), named or not: 413 "Form
//     exceeded 1000 parts limit";
//   - at most MaxPartHeaderSize bytes of headers per part (default 16kb, at
//     most 64kb), transport padding included: 413 "Part header exceeded
//     16kb limit";
//   - MaxMemory (default 1mb) held in memory: field values, the names, file
//     names and content types, 256 bytes per part, and files while they
//     fit. A file that does not fit goes to a temporary file in TempDir;
//     fields that do not fit are answered 413 "Form fields exceeded 1mb
//     limit". Temporary files are removed when the handler returns, or
//     panics, and at once when the body is refused. Disk use is bounded by
//     SizeLimit; a temporary file that cannot be written is a 500, its
//     cause logged.
//
// A Content-Type without a usable boundary (missing, empty, over 70
// characters) is answered 400 "Invalid multipart boundary"; a body that is
// not multipart (no boundary line, a header line without a colon or folded,
// a Content-Disposition of more than 64 parameters, garbage after a
// boundary, an end before the closing boundary) 400 "Invalid multipart
// body". Like the other errors, these are answered before the handler
// runs, and a 413 closes the connection. A request without a body gets an
// empty form.
//
// Whatever a client sends, a request holds at most MaxMemory, plus the read
// buffer (32 KiB + MaxPartHeaderSize, pooled), the parsing of one part's
// Content-Disposition (at most 64 parameters within MaxPartHeaderSize,
// transient) and, while a field of several chunks is joined, one copy of
// it (at most MaxFieldSize, transient). Memory is charged in chunks that
// double from 64 bytes to MaxMemory/32 (32 KiB to 256 KiB), so what a part
// costs depends on its length, not on how its bytes arrive.
//
// Field names and values, file names and content types are valid UTF-8
// (invalid sequences become U+FFFD, as the web's FormData). A part whose
// Content-Disposition is not form-data with a name is skipped, as in
// mime/multipart; the preamble and up to 1 KiB of epilogue are ignored;
// Content-Transfer-Encoding is ignored, as browsers never send it.
//
// Deliberate differences from request.formData(): a part with an empty
// filename="" is a field (as in mime/multipart), File.Filename has no
// directory (RFC 7578 §4.2) and is never "." or "..", File.ContentType is "" when
// the part has none, and parts must end their lines with CRLF.
//
// # Differences from Next.js
//
//   - Errors are JSON by default ({"error":"Invalid JSON"}), rendered by
//     package apierror; Config.Errors selects Next's plain text instead.
//   - A size limit outside the grammar ("1m", "1mib", " 1mb") is an error at
//     start-up; Next silently reads it as 1 byte or as no limit.
//   - The raw bytes stay available ([Bytes]), so a webhook signature can be
//     checked without turning the parser off.
//   - Content-Encoding gzip and deflate are decoded, with the limit applied
//     to the decoded bytes (a small gzip bomb is a 413 after limit+1 decoded
//     bytes); other encodings are answered 415. At most [MaxContentCodings]
//     (2) codings are decoded, counted across all Content-Encoding lines; a
//     longer list is answered 415 "Content-Encoding lists more than 2
//     codings" before anything is read. Both 415s carry Accept-Encoding:
//     gzip, deflate. Next reads compressed bodies as text. After decoding,
//     the handler sees no Content-Encoding header. A body may decode to at
//     most [Config.MaxDecompressionRatio] (200) times its bytes on the wire,
//     else 413; [Config.DisableDecompression] refuses every coding with 415
//     and Accept-Encoding: identity.
//   - Slow bodies are cut off at Config.ReadTimeout with a 408; Next has no
//     limit of its own beyond Node's server timeouts (requestTimeout, 300s
//     by default, for the whole request).
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
//
// # Names
//
// "Raw" means one thing across the module: Next's bodyParser: false
// ([Config.Raw], compose.Config.Body.Raw), the stream left untouched. The accessor for
// the parsed body's bytes is [Bytes], beside [Text], [Form] and [Value];
// it returns nil in Raw mode, where there is nothing parsed. Sizes are
// plain strings in Next's grammar, here and in responselimit, with no size
// type to import: a typed count is strconv.FormatInt(n, 10), since a bare
// number counts bytes (as a number does in Next's config).
package bodyparser
