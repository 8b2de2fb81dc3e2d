package jsoncodec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
)

// Codec encodes and decodes JSON. See the package documentation for what
// an implementation must do.
type Codec interface {
	// Append appends the JSON encoding of v to dst and returns the
	// extended slice; on error it returns dst unchanged and the error.
	Append(dst []byte, v any) ([]byte, error)
	// Unmarshal decodes data, one JSON value, into v.
	Unmarshal(data []byte, v any) error
	// UnmarshalStrict is Unmarshal that refuses an object key matching no
	// field of the target struct.
	UnmarshalStrict(data []byte, v any) error
}

// Std is the [Codec] of encoding/json, the default everywhere a codec is
// nil. Its Append is json.Encoder's Encode with SetEscapeHTML(false)
// without the trailing newline; its errors are encoding/json's, with
// UnmarshalTypeError.Field in one form on every Go.
type Std struct{}

// appender is an io.Writer that appends to a slice: json.Encoder writes
// each value with one Write, so it lands in the caller's buffer.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

type stdEncoder struct {
	out appender
	enc *json.Encoder
}

var stdEncoders = sync.Pool{New: func() any {
	e := new(stdEncoder)
	e.enc = json.NewEncoder(&e.out)
	e.enc.SetEscapeHTML(false)
	return e
}}

// Append appends v's JSON to dst.
func (Std) Append(dst []byte, v any) ([]byte, error) {
	e := stdEncoders.Get().(*stdEncoder)
	e.out.b = dst
	err := e.enc.Encode(v) // writes only on success
	b := e.out.b
	e.out.b = nil
	stdEncoders.Put(e)
	if err != nil {
		return dst, err
	}
	return b[:len(b)-1], nil // Encode ends each value with a newline
}

// Unmarshal is json.Unmarshal.
func (Std) Unmarshal(data []byte, v any) error {
	return fieldPath(json.Unmarshal(data, v))
}

// UnmarshalStrict is json.Decoder with DisallowUnknownFields, and the
// same errors as Unmarshal: input that ends early is io.ErrUnexpectedEOF
// (the Decoder says io.EOF for an empty input), and anything after the
// value is a syntax error.
func (Std) UnmarshalStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return fieldPath(err)
	}
	if d.More() {
		// Unmarshal's answer to data after the value.
		return fieldPath(json.Unmarshal(data, new(any)))
	}
	return nil
}

// fieldPath gives an UnmarshalTypeError's Field the form encoding/json
// gives it before Go 1.27, whose Field is the value's JSON Pointer with "/"
// as "." ("items.0.n" for "items.n"): segments that are empty or only
// digits (indices, numeric map keys) are dropped and "~1" and "~0"
// unescaped. Another map key stays.
func fieldPath(err error) error {
	var ute *json.UnmarshalTypeError
	if !onV2 || !errors.As(err, &ute) || ute.Field == "" {
		return err
	}
	segs := strings.Split(ute.Field, ".")
	keep := segs[:0]
	for _, s := range segs {
		if strings.Trim(s, "0123456789") == "" {
			continue
		}
		keep = append(keep, strings.NewReplacer("~1", "/", "~0", "~").Replace(s))
	}
	ute.Field = strings.Join(keep, ".")
	return err
}
