// Package jsonenc encodes Go values as JSON with encoding/json's v1 output,
// byte for byte, as a json.Encoder with SetEscapeHTML(false) writes it
// (without the final newline): what respond sends, and what Next's ETag is
// computed over.
//
// It appends into a caller's buffer with a compiled encoder per type, where
// encoding/json goes through an intermediate buffer and an encoder function
// per value. It encodes only what it can encode exactly: struct fields by
// encoding/json's rules (tag names, "-", omitempty, conflicts), strings
// with its escapes (\b \f \n \r \t, \u00XX, U+2028 and U+2029, invalid
// UTF-8 as \ufffd), floats in its ES6 format, maps sorted by key, nil
// slices and maps as null, MarshalJSON (compacted) and MarshalText with
// encoding/json's addressability rules. It reports false for the rest
// (embedded struct fields, the `,string` and `omitzero` options, []byte as
// base64, json.Number, maps with non-string keys, channels and functions,
// NaN and infinities, errors from MarshalJSON or MarshalText, and nesting
// deeper than encoding/json's cycle check starts at): the caller then
// encodes with encoding/json, which gives its exact output or error.
// MarshalJSON and MarshalText may then run twice.
//
// Where encoding/json is implemented on encoding/json/v2 with v1's options
// (the default from Go 1.27; GOEXPERIMENT=jsonv2 before), its output is
// v1's but for invalid UTF-8 in strings, which v2 writes as the character
// U+FFFD rather than \ufffd; this package does the same there, hands
// types with MarshalJSONTo (which v2 calls first) to encoding/json, and
// structs whose tags v2 parses differently (internal/jsonfields).
package jsonenc

import (
	"bytes"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/jsonfields"
	"github.com/apiroutes/apiroutes/internal/jsonscan"
)

// Append appends v's JSON to dst. It reports false, with dst's contents
// past its length unspecified, when the caller must encode with
// encoding/json instead.
func Append(dst []byte, v any) ([]byte, bool) {
	if v == nil {
		return append(dst, "null"...), true
	}
	rv := reflect.ValueOf(v)
	e := encoder{buf: dst}
	if !e.value(codecFor(rv.Type()), rv) {
		return dst, false
	}
	return e.buf, true
}

// maxDepth is where encoding/json starts looking for pointer cycles; a
// value nested deeper goes to it, so that a cycle is its error.
const maxDepth = 1000

type encoder struct {
	buf   []byte
	depth int
}

// compacts holds the buffers MarshalJSON's output is compacted in.
var compacts = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type mode uint8

const (
	modeKind mode = iota // by the kind alone
	// modeMarshaler: the value's own MarshalJSON.
	modeMarshaler
	// modeAddrMarshaler: MarshalJSON on the pointer, when the value is
	// addressable; otherwise by kind.
	modeAddrMarshaler
	modeText
	modeAddrText
)

type codec struct {
	typ  reflect.Type
	kind reflect.Kind
	mode mode
	// byKind: this package encodes the type by its kind (else
	// encoding/json's business, where the mode does not apply).
	byKind bool
	elem   *codec
	// fields of a struct, in order.
	fields []field
	// bits of a float.
	bits int
}

type field struct {
	index     int
	prefix    string // `"name":`
	omitEmpty bool
	c         *codec
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

var cache sync.Map // reflect.Type → *codec

func codecFor(t reflect.Type) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	building := map[reflect.Type]*codec{}
	c := compile(t, building)
	for bt, bc := range building {
		cache.LoadOrStore(bt, bc)
	}
	actual, _ := cache.LoadOrStore(t, c)
	return actual.(*codec)
}

func compile(t reflect.Type, building map[reflect.Type]*codec) *codec {
	if c, ok := building[t]; ok {
		return c
	}
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	c := &codec{typ: t, kind: t.Kind()}
	building[t] = c
	pt := reflect.PointerTo(t)
	// encoding/json's newTypeEncoder, in its order.
	switch {
	case jsonfields.HasV2Method(t, "MarshalJSONTo", "Encoder"):
		c.mode = modeKind // and not byKind: encoding/json's
	case t.Kind() != reflect.Pointer && pt.Implements(marshalerType) && !t.Implements(marshalerType):
		c.mode = modeAddrMarshaler
		c.fill(building)
	case t.Implements(marshalerType):
		c.mode = modeMarshaler
	case t.Kind() != reflect.Pointer && pt.Implements(textMarshalerType) && !t.Implements(textMarshalerType):
		c.mode = modeAddrText
		c.fill(building)
	case t.Implements(textMarshalerType):
		c.mode = modeText
	default:
		c.mode = modeKind
		c.fill(building)
	}
	return c
}

// fill sets c up to encode by kind, if this package can.
func (c *codec) fill(building map[reflect.Type]*codec) {
	t := c.typ
	ok := true
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	case reflect.Float32, reflect.Float64:
		c.bits = t.Bits()
	case reflect.String:
		ok = t != numberType
	case reflect.Interface:
	case reflect.Pointer, reflect.Array:
		c.elem = compile(t.Elem(), building)
	case reflect.Slice:
		et := t.Elem()
		pet := reflect.PointerTo(et)
		// encoding/json's []byte rule: base64 unless the element marshals
		// itself.
		ok = !(et.Kind() == reflect.Uint8 && !pet.Implements(marshalerType) && !pet.Implements(textMarshalerType))
		if ok {
			c.elem = compile(et, building)
		}
	case reflect.Map:
		ok = t.Key().Kind() == reflect.String
		if ok {
			c.elem = compile(t.Elem(), building)
		}
	case reflect.Struct:
		ok = c.structFields(building)
	default:
		ok = false
	}
	c.byKind = ok
}

// structFields lists the fields encoding/json writes (internal/jsonfields
// has its rules), or reports false for what is left to it: embedded fields,
// the `,string` and `omitzero` options.
func (c *codec) structFields(building map[reflect.Type]*codec) bool {
	fields, ok := jsonfields.Of(c.typ)
	if !ok {
		return false
	}
	for _, f := range fields {
		if f.String || f.OmitZero {
			return false
		}
		c.fields = append(c.fields, field{index: f.Index, prefix: `"` + f.Name + `":`, omitEmpty: f.OmitEmpty})
	}
	for i := range c.fields {
		c.fields[i].c = compile(c.typ.Field(c.fields[i].index).Type, building)
	}
	return true
}

// value appends v, whose codec is c.
func (e *encoder) value(c *codec, v reflect.Value) bool {
	switch c.mode {
	case modeMarshaler:
		if v.Kind() == reflect.Pointer && v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return true
		}
		if k := v.Kind(); k != reflect.Interface && k != reflect.Pointer && v.CanAddr() {
			// The same method, without boxing the value (encoding/json
			// takes the address too).
			return e.marshaler(v.Addr().Interface().(json.Marshaler))
		}
		m, ok := v.Interface().(json.Marshaler)
		if !ok { // a nil interface
			e.buf = append(e.buf, "null"...)
			return true
		}
		return e.marshaler(m)
	case modeAddrMarshaler:
		if v.CanAddr() {
			return e.marshaler(v.Addr().Interface().(json.Marshaler))
		}
	case modeText:
		if v.Kind() == reflect.Pointer && v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return true
		}
		m, ok := v.Interface().(encoding.TextMarshaler)
		if !ok {
			e.buf = append(e.buf, "null"...)
			return true
		}
		return e.text(m)
	case modeAddrText:
		if v.CanAddr() {
			return e.text(v.Addr().Interface().(encoding.TextMarshaler))
		}
	}
	if !c.byKind {
		return false
	}
	switch c.kind {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float(), c.bits)
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return true
		}
		ev := v.Elem()
		return e.value(codecFor(ev.Type()), ev)
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return true
		}
		return e.nested(c.elem, v.Elem())
	case reflect.Struct:
		return e.structValue(c, v)
	case reflect.Map:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return true
		}
		return e.mapValue(c, v)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return true
		}
		e.depth++
		ok := e.array(c, v)
		e.depth--
		return ok
	case reflect.Array:
		return e.array(c, v)
	default:
		return false
	}
	return true
}

// nested encodes v one pointer deeper.
func (e *encoder) nested(c *codec, v reflect.Value) bool {
	e.depth++
	if e.depth > maxDepth {
		return false
	}
	ok := e.value(c, v)
	e.depth--
	return ok
}

func (e *encoder) structValue(c *codec, v reflect.Value) bool {
	next := byte('{')
	for i := range c.fields {
		f := &c.fields[i]
		fv := v.Field(f.index)
		if f.omitEmpty && isEmptyValue(fv) {
			continue
		}
		e.buf = append(e.buf, next)
		next = ','
		e.buf = append(e.buf, f.prefix...)
		if !e.value(f.c, fv) {
			return false
		}
	}
	if next == '{' {
		e.buf = append(e.buf, "{}"...)
	} else {
		e.buf = append(e.buf, '}')
	}
	return true
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func (e *encoder) array(c *codec, v reflect.Value) bool {
	if e.depth > maxDepth {
		return false
	}
	e.buf = append(e.buf, '[')
	n := v.Len()
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !e.value(c.elem, v.Index(i)) {
			return false
		}
	}
	e.buf = append(e.buf, ']')
	return true
}

func (e *encoder) mapValue(c *codec, v reflect.Value) bool {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return false
	}
	type kv struct {
		k string
		v reflect.Value
	}
	kvs := make([]kv, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		kvs = append(kvs, kv{it.Key().String(), it.Value()})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	e.buf = append(e.buf, '{')
	for i, p := range kvs {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, p.k)
		e.buf = append(e.buf, ':')
		if !e.value(c.elem, p.v) {
			return false
		}
	}
	e.buf = append(e.buf, '}')
	return true
}

// marshaler appends m's JSON compacted, as encoding/json does.
func (e *encoder) marshaler(m json.Marshaler) bool {
	switch t := m.(type) {
	case *time.Time:
		return e.time(t)
	case time.Time:
		return e.time(&t)
	}
	b, err := m.MarshalJSON()
	if err != nil {
		return false
	}
	c := compacts.Get().(*bytes.Buffer)
	c.Reset()
	ok := json.Compact(c, b) == nil
	if ok {
		e.buf = append(e.buf, c.Bytes()...)
	}
	if c.Cap() <= 64<<10 {
		compacts.Put(c)
	}
	return ok
}

// time appends what t.MarshalJSON returns, without its allocation: the
// same RFC 3339 formatting (AppendFormat's own path for RFC3339Nano) and
// the same refusals, which are left to encoding/json's error.
func (e *encoder) time(t *time.Time) bool {
	n0 := len(e.buf)
	b := append(e.buf, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	switch {
	case b[n0+1+len("9999")] != '-': // a year outside [0,9999]
		return false
	case b[len(b)-1] != 'Z':
		c := b[len(b)-len("Z07:00")]
		if '0' <= c && c <= '9' || 10*(b[len(b)-5]-'0')+(b[len(b)-4]-'0') >= 24 { // an offset of 24 hours or more
			return false
		}
	}
	e.buf = append(b, '"')
	return true
}

func (e *encoder) text(m encoding.TextMarshaler) bool {
	b, err := m.MarshalText()
	if err != nil {
		return false
	}
	e.buf = appendString(e.buf, b)
	return true
}

// float appends f as encoding/json does: like ES6's Number to string.
func (e *encoder) float(f float64, bits int) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		// e-09 → e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.buf = b
	return true
}

// safe marks the ASCII bytes a string keeps as they are.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hex = "0123456789abcdef"

// appendString is encoding/json's appendString without HTML escaping.
func appendString[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i = jsonscan.PlainRun(s, i); i == len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		r, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			if jsonfields.OnV2 {
				dst = append(dst, "\uFFFD"...) // v2 writes the character
			} else {
				dst = append(dst, `\ufffd`...)
			}
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
