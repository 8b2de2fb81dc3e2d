// Package gojson is a [jsoncodec.Codec] backed by github.com/goccy/go-json,
// in a module of its own so that apiroutes' users who do not choose it
// never download it:
//
//	api := compose.Config{Errors: apierror.Config{Codec: gojson.Codec{}}}
//
// It meets jsoncodec's contract (package codectest runs on it): it encodes
// without HTML escaping and without a trailing newline, and gives go-json's
// errors as encoding/json's types, so that apiroutes' 400 messages are the
// same as with encoding/json.
package gojson

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/apiroutes/apiroutes/jsoncodec"
	json "github.com/goccy/go-json"
)

// Codec is go-json behind jsoncodec's interface. Its zero value is ready.
type Codec struct{}

var _ jsoncodec.Codec = Codec{}

// appender is an io.Writer that appends to a slice: go-json's Encoder
// writes each value with one Write from its pooled buffer, so the value
// lands in the caller's buffer without a copy of its own.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

type encoder struct {
	out appender
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := new(encoder)
	e.enc = json.NewEncoder(&e.out)
	e.enc.SetEscapeHTML(false)
	return e
}}

// Append appends v's JSON to dst.
func (Codec) Append(dst []byte, v any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	e.out.b = dst
	err := e.enc.Encode(v) // writes only on success
	b := e.out.b
	e.out.b = nil
	encoders.Put(e)
	if err != nil {
		return dst, translate(err)
	}
	return b[:len(b)-1], nil // Encode ends each value with a newline
}

// Unmarshal decodes data into v.
func (Codec) Unmarshal(data []byte, v any) error {
	return translate(json.Unmarshal(data, v))
}

// UnmarshalStrict decodes data into v, refusing unknown fields.
func (Codec) UnmarshalStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return translate(err)
	}
	if d.More() {
		return translate(json.Unmarshal(data, new(any))) // data after the value
	}
	return nil
}

// translate gives go-json's decoding errors as encoding/json's, with Field
// in encoding/json's form: JSON names joined by dots, without indices.
func translate(err error) error {
	var se *json.SyntaxError
	var ute *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return &syntaxError{&stdjson.SyntaxError{Offset: se.Offset}, se.Error()}
	case errors.As(err, &ute):
		return &stdjson.UnmarshalTypeError{Value: ute.Value, Type: ute.Type, Offset: ute.Offset, Struct: ute.Struct, Field: fieldPath(ute.Field)}
	}
	return err
}

func fieldPath(f string) string {
	if f == "" {
		return f
	}
	segs := strings.Split(f, ".")
	keep := segs[:0]
	for _, s := range segs {
		if strings.Trim(s, "0123456789") != "" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, ".")
}

// syntaxError is a *json.SyntaxError (for errors.As) with go-json's text:
// the standard type's message field is unexported.
type syntaxError struct {
	se   *stdjson.SyntaxError
	text string
}

func (e *syntaxError) Error() string { return e.text }
func (e *syntaxError) Unwrap() error { return e.se }
