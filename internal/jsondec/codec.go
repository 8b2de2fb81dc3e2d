package jsondec

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/jsonfields"
)

// mode says how a codec decodes a value.
type mode uint8

const (
	// modeKind decodes by the type's kind, in this package.
	modeKind mode = iota
	// modeUnmarshaler calls the type's UnmarshalJSON (through a pointer)
	// with the value's bytes, as encoding/json does.
	modeUnmarshaler
	// modeText calls the type's UnmarshalText (through a pointer) with a
	// string's contents, as encoding/json does; other values but null
	// are its errors.
	modeText
	// modeStd hands the value's bytes to encoding/json: the exact
	// behaviour for what this package does not reimplement ([]byte as
	// base64, embedded structs, `,string` fields, non-string map keys,
	// non-empty interfaces).
	modeStd
)

// codec is the compiled decoder of one type.
type codec struct {
	typ  reflect.Type
	kind reflect.Kind
	mode mode

	elem   *codec  // pointer, slice, array, map value
	fields []field // struct, in field order
	// byName and byFold index fields by name and by folded name (the
	// first field of each), as encoding/json does, for structs with more
	// fields than a scan of them all per key can afford.
	byName, byFold map[string]*field
	// emptyIface marks interface{} (any), decoded without reflection.
	emptyIface bool
	// whole marks a type this package cannot decode even by handing its
	// value to encoding/json; anyWhole marks a type that contains one
	// somewhere, whose documents go to encoding/json whole.
	whole, anyWhole bool
	// noFields marks a modeStd type in which encoding/json decodes no
	// struct (a TextUnmarshaler, json.Number, []byte, a chan, a func...):
	// DisallowUnknownFields cannot change its result, so it is handed to
	// json.Unmarshal, not to a json.Decoder, in strict mode too.
	noFields bool
	// number marks json.Number: a number literal's text, or a string
	// holding a valid one.
	number bool
}

// field is one struct field that encoding/json decodes.
type field struct {
	name      string
	nameBytes []byte
	index     int // in the struct
	pos       int // in codec.fields
	c         *codec
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType          = reflect.TypeFor[json.Number]()
)

// cache holds the codec of every type decoded so far.
var cache sync.Map // reflect.Type → *codec

// codecFor returns t's codec, compiling it (and the codecs of the types it
// contains) on first use.
func codecFor(t reflect.Type) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	building := map[reflect.Type]*codec{}
	c := compile(t, building)
	for _, bc := range building {
		bc.anyWhole = reaches(bc, map[*codec]bool{})
	}
	for bt, bc := range building {
		cache.LoadOrStore(bt, bc)
	}
	actual, _ := cache.LoadOrStore(t, c)
	return actual.(*codec)
}

// compile builds t's codec. building holds the codecs under construction,
// so that recursive types (a Node with []Node children) terminate.
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
	switch {
	case jsonfields.HasV2Method(t, "UnmarshalJSONFrom", "Decoder") && t != numberType:
		// json.Number has UnmarshalJSONFrom on v2, which with v1's
		// options does what this package does for it.
		c.mode = modeStd
	case t.Name() == "" && (pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType)):
		// An unnamed struct type that embeds one with pointer methods:
		// encoding/json calls them at the root and behind a pointer but
		// not in a field or an element, so neither this package nor
		// encoding/json on the value alone can stand in; documents that
		// contain one go to encoding/json whole.
		c.mode, c.whole = modeStd, true
	case t.Kind() == reflect.Pointer && t.Name() != "" && t.Elem().Kind() != reflect.Pointer &&
		(reflect.PointerTo(t.Elem()).Implements(unmarshalerType) || reflect.PointerTo(t.Elem()).Implements(textUnmarshalerType)):
		// A defined pointer type (type P *T) has no methods: encoding/json
		// looks for them on each pointer it walks through, finds none on
		// P, and decodes the T behind it by its kind, ignoring *T's
		// methods, which this package (and encoding/json given the T
		// alone) would call. Documents that contain one go to
		// encoding/json whole.
		c.mode, c.whole = modeStd, true
	case pt.Implements(unmarshalerType):
		c.mode = modeUnmarshaler
	case pt.Implements(textUnmarshalerType):
		c.mode = modeText
	default:
		c.mode = kindMode(c, t, building)
	}
	return c
}

// reaches reports whether c or a codec it contains is whole.
func reaches(c *codec, seen map[*codec]bool) bool {
	if seen[c] {
		return false
	}
	seen[c] = true
	if c.whole {
		return true
	}
	if c.elem != nil && reaches(c.elem, seen) {
		return true
	}
	for _, f := range c.fields {
		if reaches(f.c, seen) {
			return true
		}
	}
	return false
}

// kindMode fills c by t's kind and returns modeKind, or modeStd for what
// this package leaves to encoding/json.
func kindMode(c *codec, t reflect.Type, building map[reflect.Type]*codec) mode {
	switch t.Kind() {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return modeKind
	case reflect.String:
		c.number = t == numberType
		return modeKind
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return modeStd
		}
		c.emptyIface = true
		return modeKind
	case reflect.Pointer:
		c.elem = compile(t.Elem(), building)
		return modeKind
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			c.noFields = true
			return modeStd // base64
		}
		c.elem = compile(t.Elem(), building)
		return modeKind
	case reflect.Array:
		c.elem = compile(t.Elem(), building)
		return modeKind
	case reflect.Map:
		k := t.Key()
		if k.Kind() != reflect.String || reflect.PointerTo(k).Implements(textUnmarshalerType) {
			return modeStd
		}
		c.elem = compile(t.Elem(), building)
		return modeKind
	case reflect.Struct:
		return structMode(c, t, building)
	}
	// Channels, functions, complex numbers, unsafe pointers: encoding/json
	// refuses them with its own errors.
	c.noFields = true
	return modeStd
}

// structMode lists the fields encoding/json decodes (internal/jsonfields
// has its rules). Embedded fields and the `,string` option are left to
// encoding/json.
func structMode(c *codec, t reflect.Type, building map[reflect.Type]*codec) mode {
	fields, ok := jsonfields.Of(t)
	if !ok {
		return modeStd
	}
	for _, f := range fields {
		if f.String {
			return modeStd
		}
		c.fields = append(c.fields, field{name: f.Name, nameBytes: []byte(f.Name), index: f.Index})
	}
	for i := range c.fields {
		c.fields[i].pos = i
		c.fields[i].c = compile(t.Field(c.fields[i].index).Type, building)
	}
	if len(c.fields) > scanFields {
		c.byName = make(map[string]*field, len(c.fields))
		c.byFold = make(map[string]*field, len(c.fields))
		for i := range c.fields {
			f := &c.fields[i]
			c.byName[f.name] = f
			folded := string(foldName(f.nameBytes))
			if _, ok := c.byFold[folded]; !ok {
				c.byFold[folded] = f
			}
		}
	}
	return modeKind
}

// scanFields is the number of fields up to which a key is looked up by
// comparing it with each; beyond, by the maps, whose cost does not grow
// with the number of fields.
const scanFields = 16

// foldName is encoding/json's: the name with each rune replaced by the
// smallest rune of its simple case-folding orbit (ASCII upper case).
func foldName(in []byte) []byte {
	var arr [32]byte
	out := arr[:0]
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}
