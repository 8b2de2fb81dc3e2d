// Package jsoncodec is the seam through which apiroutes reads and writes
// JSON: bodyparser's Decode and Value, respond's JSON helpers and
// apierror's JSON and problem+json bodies all go through a [Codec].
//
// encoding/json ([Std]) is the default. Another codec is chosen in
// configuration, never globally: set apierror.Config.Codec on the
// outermost apierror layer (compose.Config's Errors, or the Config of an
// apierror.Recover wrapping a server) and every layer inside it uses that
// codec for the request. Adapters for fast codecs are modules of their
// own, so that their dependencies never reach this module:
//
//	import "github.com/apiroutes/apiroutes/jsoncodec/gojson" // goccy/go-json
//
//	api := compose.Config{Errors: apierror.Config{Codec: gojson.Codec{}}}
//
// # The contract
//
// A Codec is safe for concurrent use, and must give what [Std] gives, as
// package codectest checks (an adapter's tests run codectest.Run):
//
//   - Append writes what JSON.stringify writes: no HTML escaping of <, >
//     and &, no trailing newline, invalid UTF-8 as U+FFFD, struct tags as
//     encoding/json reads them, and an error for what encoding/json
//     refuses (NaN and ±Inf in a float, a channel, a cycle).
//   - Unmarshal and UnmarshalStrict decode as encoding/json does, and
//     fail with encoding/json's error types, so that the 400 messages of
//     apierror.JSONError are the same whatever the codec: a
//     [*json.SyntaxError] with the byte offset, a [*json.UnmarshalTypeError]
//     with Value, Type, Offset and Field (the JSON names of the fields on
//     the way, joined by dots, without array indices nor map keys, as
//     encoding/json gives it before Go 1.27), an error whose text is
//     `json: unknown field "<name>"` for UnmarshalStrict's refusal, and
//     [io.ErrUnexpectedEOF] for input that ends early.
//
// Append lets respond encode into a pooled buffer; strict decoding is a
// method because not every codec has a decoder type with an option for it.
package jsoncodec
