// Package jsondec decodes JSON that has already been validated into Go
// values, with encoding/json's v1 semantics, in one pass.
//
// encoding/json.Unmarshal validates the whole document with its scanner
// before decoding it, then scans it again byte by byte as it decodes.
// bodyparser has already validated the body (it must answer 400 before the
// handler runs, as Next.js does), so both of those scans are spent again on
// bytes known to be good. This package walks the validated bytes once, with
// tight loops instead of a state machine, and stores into the target with
// the rules of encoding/json: field names matched exactly and then
// case-insensitively, duplicate keys decoded again into the same field,
// slices reused and truncated, maps merged, null ignored for non-nillable
// kinds, UnmarshalJSON called with the value's bytes and UnmarshalText with
// a string's, json.Number kept as text, strings with invalid UTF-8 or lone
// surrogates coerced to U+FFFD, numbers parsed by strconv.
//
// It decodes only when it can give exactly encoding/json's result:
//
//   - what it does not reimplement ([]byte as base64, embedded struct
//     fields, the `,string` option, maps with non-string keys, non-empty
//     interfaces) is handed to encoding/json value by value, which decodes
//     a value alone exactly as it does within a document;
//   - types whose meaning depends on where they are (an unnamed struct
//     type that promotes UnmarshalJSON, a defined pointer type to one that
//     has it) send the whole document to encoding/json;
//   - on any error (a type mismatch, an overflow, an error from an
//     UnmarshalJSON, an unknown field when they are refused) it stops and
//     reports false: the caller decodes again with encoding/json into a new
//     value, which gives encoding/json's own error, message and offset, and
//     its partial result. Decoding errors are thus the slow path; an
//     UnmarshalJSON or UnmarshalText method may then run twice.
//
// Where encoding/json is implemented on encoding/json/v2 with v1's options
// (the default from Go 1.27; GOEXPERIMENT=jsonv2 before), its results are
// v1's but for edge cases; this package then gives v2's: null leaves a
// TextUnmarshaler as it is (MergeWithLegacySemantics); a type with
// UnmarshalJSONFrom, which v2 calls first, is handed to encoding/json
// (but json.Number, whose method does what this package does); and so is
// a struct whose tags v2 parses differently (internal/jsonfields). The
// differential tests and fuzz targets run on both (CI tests on Go 1.27).
package jsondec

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/jsonfields"
	"github.com/apiroutes/apiroutes/internal/jsonscan"
)

// Decode decodes data, which must be exactly one valid JSON value with
// optional white space around it, into *v, as json.Unmarshal would; with
// strict, as a json.Decoder with DisallowUnknownFields would. It reports
// false when it did not: then *v may be partly written, and the caller must
// decode again from a new value with encoding/json.
func Decode[T any](data []byte, v *T, strict bool) bool {
	return decodeValue(data, reflect.ValueOf(v).Elem(), strict)
}

// decodeValue is Decode into v, settable.
func decodeValue(data []byte, v reflect.Value, strict bool) bool {
	c := codecFor(v.Type())
	if c.anyWhole {
		return false
	}
	d := decoder{data: data, strict: strict}
	d.i = d.ws(0)
	if !d.value(c, v) {
		return false
	}
	return d.ws(d.i) == len(data)
}

// DecodeAny decodes data, which must be valid JSON, into the value
// json.Unmarshal gives an interface{}: map[string]any, []any, float64,
// string, bool or nil. It reports false for a number beyond float64.
func DecodeAny(data []byte) (any, bool) {
	d := decoder{data: data}
	d.i = d.ws(0)
	v, ok := d.anyValue()
	return v, ok && d.ws(d.i) == len(data)
}

// decoder walks data from i. Every method that reads a value leaves i just
// after it.
type decoder struct {
	data   []byte
	i      int
	strict bool
	// scratch holds an unescaped string until it is copied; escaped
	// tells that the last string read is there.
	scratch []byte
	escaped bool
}

func (d *decoder) ws(i int) int {
	for i < len(d.data) {
		switch d.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value decodes the value at i (white space skipped) into v, settable.
func (d *decoder) value(c *codec, v reflect.Value) bool {
	if d.i >= len(d.data) {
		return false
	}
	switch c.mode {
	case modeUnmarshaler:
		start := d.i
		if !d.skip() {
			return false
		}
		u, ok := v.Addr().Interface().(json.Unmarshaler)
		return ok && u.UnmarshalJSON(d.data[start:d.i]) == nil
	case modeText:
		switch d.data[d.i] {
		case 'n':
			d.i += 4
			if jsonfields.OnV2 {
				// v2 with v1's options (MergeWithLegacySemantics) leaves a
				// TextUnmarshaler alone on null, whatever its kind.
				return true
			}
			switch c.kind {
			case reflect.Interface, reflect.Map, reflect.Slice:
				v.SetZero()
			}
			return true
		case '"':
			s, ok := d.str()
			if !ok {
				return false
			}
			if d.escaped {
				s = bytes.Clone(s) // not d.scratch, which the next string overwrites
			}
			u, ok := v.Addr().Interface().(encoding.TextUnmarshaler)
			return ok && u.UnmarshalText(s) == nil
		}
		return false // encoding/json's error
	case modeStd:
		return d.std(v, d.strict && !c.noFields)
	}
	switch d.data[d.i] {
	case 'n':
		d.i += 4
		switch c.kind {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
			if c.kind == reflect.Interface && !v.IsNil() && v.Elem().Kind() == reflect.Pointer && !v.Elem().IsNil() && v.Elem().Elem().Kind() == reflect.Pointer {
				d.i -= 4
				return d.std(v, d.strict)
			}
			v.SetZero()
		}
		return true
	}
	// Behind a pointer, and into an interface, whatever the value is.
	switch c.kind {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(c.typ.Elem()))
		}
		return d.value(c.elem, v.Elem())
	case reflect.Interface:
		if !v.IsNil() {
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				return d.std(v, d.strict)
			}
		}
		x, ok := d.anyValue()
		if ok {
			v.Set(reflect.ValueOf(x))
		}
		return ok
	}
	switch ch := d.data[d.i]; ch {
	case '{':
		if c.kind == reflect.Struct {
			return d.structObject(c, v)
		}
		return c.kind == reflect.Map && d.mapObject(c, v)
	case '[':
		return (c.kind == reflect.Slice || c.kind == reflect.Array) && d.array(c, v)
	case 't', 'f':
		if ch == 't' {
			d.i += 4
		} else {
			d.i += 5
		}
		if v.Kind() != reflect.Bool {
			return false
		}
		v.SetBool(ch == 't')
		return true
	case '"':
		s, ok := d.str()
		if !ok || v.Kind() != reflect.String || c.number && !validNumber(s) {
			return false
		}
		v.SetString(string(s))
		return true
	}
	if c.number {
		start := d.i
		d.i = d.numEnd(start)
		v.SetString(string(d.data[start:d.i]))
		return true
	}
	return d.number(v)
}

// validNumber reports whether s is a JSON number, as json.Number requires
// of a string.
func validNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	return i == len(s)
}

// std hands the value at i to encoding/json, with v's address as the
// target, to a json.Decoder with DisallowUnknownFields when strict.
func (d *decoder) std(v reflect.Value, strict bool) bool {
	start := d.i
	if !d.skip() {
		return false
	}
	p := v.Addr().Interface()
	if strict {
		dec := json.NewDecoder(bytes.NewReader(d.data[start:d.i]))
		dec.DisallowUnknownFields()
		return dec.Decode(p) == nil
	}
	return json.Unmarshal(d.data[start:d.i], p) == nil
}

// number decodes the number at i into v, a number kind.
func (d *decoder) number(v reflect.Value) bool {
	start := d.i
	d.i = d.numEnd(start)
	lit := d.data[start:d.i]
	if len(lit) == 0 {
		return false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := parseInt(lit)
		if !ok || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(string(lit), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
		return true
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(string(lit), v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			return false
		}
		v.SetFloat(f)
		return true
	}
	return false
}

// parseInt is strconv.ParseInt(s, 10, 64) for the literals JSON has: a
// fast path for up to 18 digits, strconv for the rest (and its errors for
// fractions and exponents).
func parseInt(s []byte) (int64, bool) {
	neg := s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		n, err := strconv.ParseInt(string(s), 10, 64)
		return n, err == nil
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false // a fraction or an exponent: encoding/json refuses it for an integer
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func (d *decoder) numEnd(i int) int {
	for i < len(d.data) {
		switch d.data[i] {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-', '+', '.', 'e', 'E':
			i++
		default:
			return i
		}
	}
	return i
}

// members calls member for each key of the object at i, with i at the
// key's value; member must leave i after the value.
func (d *decoder) members(member func(key []byte) bool) bool {
	d.i = d.ws(d.i + 1)
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.str()
		if !ok {
			return false
		}
		d.i = d.ws(d.i)
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return false
		}
		d.i = d.ws(d.i + 1)
		if !member(key) {
			return false
		}
		d.i = d.ws(d.i)
		if d.i >= len(d.data) {
			return false
		}
		switch d.data[d.i] {
		case ',':
			d.i = d.ws(d.i + 1)
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

func (d *decoder) structObject(c *codec, v reflect.Value) bool {
	d.i = d.ws(d.i + 1)
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return true
	}
	next := 0 // keys tend to come in field order: try the next field first
	for {
		key, ok := d.str()
		if !ok {
			return false
		}
		var f *field
		if next < len(c.fields) && string(key) == c.fields[next].name {
			f = &c.fields[next]
		} else {
			f = c.lookup(key)
		}
		if f != nil {
			next = f.pos + 1
		}
		d.i = d.ws(d.i)
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return false
		}
		d.i = d.ws(d.i + 1)
		if f != nil {
			if !d.value(f.c, v.Field(f.index)) {
				return false
			}
		} else if d.strict || !d.skip() {
			return false
		}
		d.i = d.ws(d.i)
		if d.i >= len(d.data) {
			return false
		}
		switch d.data[d.i] {
		case ',':
			d.i = d.ws(d.i + 1)
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// lookup finds the field a key decodes into: the exact name, else the
// first field whose name matches it case-insensitively (bytes.EqualFold,
// which is what encoding/json's folded index amounts to); for a struct of
// many fields, encoding/json's two indexes themselves.
func (c *codec) lookup(key []byte) *field {
	if c.byName != nil {
		if f := c.byName[string(key)]; f != nil {
			return f
		}
		return c.byFold[string(foldName(key))]
	}
	for i := range c.fields {
		if string(key) == c.fields[i].name {
			return &c.fields[i]
		}
	}
	for i := range c.fields {
		if bytes.EqualFold(key, c.fields[i].nameBytes) {
			return &c.fields[i]
		}
	}
	return nil
}

func (d *decoder) mapObject(c *codec, v reflect.Value) bool {
	if v.IsNil() {
		v.Set(reflect.MakeMap(c.typ))
	}
	kt, et := c.typ.Key(), c.typ.Elem()
	var elem reflect.Value
	return d.members(func(key []byte) bool {
		if !elem.IsValid() {
			elem = reflect.New(et).Elem()
		} else {
			elem.SetZero()
		}
		k := reflect.New(kt).Elem()
		k.SetString(string(key))
		if !d.value(c.elem, elem) {
			return false
		}
		v.SetMapIndex(k, elem)
		return true
	})
}

// array decodes the array at i into v, a slice or an array, with
// encoding/json's reuse of a slice's elements and backing array.
func (d *decoder) array(c *codec, v reflect.Value) bool {
	slice := c.kind == reflect.Slice
	i := 0
	d.i = d.ws(d.i + 1)
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
	} else {
		for {
			if slice {
				if i >= v.Cap() {
					v.Grow(1)
				}
				if i >= v.Len() {
					v.SetLen(i + 1)
				}
			}
			if i < v.Len() {
				if !d.value(c.elem, v.Index(i)) {
					return false
				}
			} else if !d.skip() {
				return false
			}
			i++
			d.i = d.ws(d.i)
			if d.i >= len(d.data) {
				return false
			}
			if d.data[d.i] == ']' {
				d.i++
				break
			}
			if d.data[d.i] != ',' {
				return false
			}
			d.i = d.ws(d.i + 1)
		}
	}
	if i < v.Len() {
		if slice {
			v.SetLen(i)
		} else {
			for ; i < v.Len(); i++ {
				v.Index(i).SetZero()
			}
		}
	}
	if i == 0 && slice {
		v.Set(reflect.MakeSlice(c.typ, 0, 0))
	}
	return true
}

// anyValue decodes the value at i as encoding/json decodes into an empty
// interface.
func (d *decoder) anyValue() (any, bool) {
	if d.i >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.i]; c {
	case '{':
		m, ok := d.anyObject()
		return m, ok
	case '[':
		a, ok := d.anyArray()
		return a, ok
	case '"':
		s, ok := d.str()
		return string(s), ok
	case 't':
		d.i += 4
		return true, true
	case 'f':
		d.i += 5
		return false, true
	case 'n':
		d.i += 4
		return nil, true
	}
	start := d.i
	d.i = d.numEnd(start)
	f, err := strconv.ParseFloat(string(d.data[start:d.i]), 64)
	return f, err == nil
}

func (d *decoder) anyObject() (map[string]any, bool) {
	m := make(map[string]any)
	ok := d.members(func(key []byte) bool {
		k := string(key) // before the value overwrites d.scratch
		x, ok := d.anyValue()
		m[k] = x
		return ok
	})
	return m, ok
}

func (d *decoder) anyArray() ([]any, bool) {
	a := make([]any, 0)
	d.i = d.ws(d.i + 1)
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		x, ok := d.anyValue()
		if !ok {
			return nil, false
		}
		a = append(a, x)
		d.i = d.ws(d.i)
		if d.i >= len(d.data) {
			return nil, false
		}
		switch d.data[d.i] {
		case ',':
			d.i = d.ws(d.i + 1)
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads the string at i and returns its contents, unescaped as
// encoding/json unescapes them. The bytes are data's own when the string
// needs no change, else d.scratch's: valid until the next call.
func (d *decoder) str() ([]byte, bool) {
	b := d.data
	if d.i >= len(b) || b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	i := start
	for {
		if i = jsonscan.PlainRun(b, i); i >= len(b) {
			return nil, false
		}
		c := b[i]
		if c == '"' {
			d.i = i + 1
			d.escaped = false
			return b[start:i], true
		}
		if c < utf8.RuneSelf {
			break // an escape (or a control character, which validation refused)
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return d.unescape(start, i)
}

// unescape finishes a string that needs rewriting, from i, having copied
// nothing yet of b[start:i].
func (d *decoder) unescape(start, i int) ([]byte, bool) {
	b := d.data
	out := append(d.scratch[:0], b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.scratch = out
			d.escaped = true
			return out, true
		case c == '\\':
			if i+1 >= len(b) {
				return nil, false
			}
			switch b[i+1] {
			case '"', '\\', '/', '\'':
				out = append(out, b[i+1])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := getu4(b[i:])
				if r < 0 {
					return nil, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r2 := getu4(b[i:]); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				return nil, false
			}
			i += 2
		case c < ' ':
			return nil, false
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	return nil, false
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// skip moves i past the value at i.
func (d *decoder) skip() bool {
	b := d.data
	if d.i >= len(b) {
		return false
	}
	switch b[d.i] {
	case '"':
		return d.skipStr()
	case 't', 'n':
		d.i += 4
		return d.i <= len(b)
	case 'f':
		d.i += 5
		return d.i <= len(b)
	case '{', '[':
		depth := 0
		for d.i < len(b) {
			switch b[d.i] {
			case '"':
				if !d.skipStr() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					d.i++
					return true
				}
			}
			d.i++
		}
		return false
	}
	end := d.numEnd(d.i)
	if end == d.i {
		return false
	}
	d.i = end
	return true
}

func (d *decoder) skipStr() bool {
	b := d.data
	i := d.i + 1
	for i < len(b) {
		switch b[i] {
		case '"':
			d.i = i + 1
			return true
		case '\\':
			i += 2
		default:
			i++
		}
	}
	return false
}
