package respond

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"unsafe"
)

// JSON.stringify writes NaN and ±Inf as null; encoding/json refuses them.
// bodyparser.Value holds +Inf for a number beyond float64 (1e400), so
// echoing a client's body must not fail. Only when the codec refuses a
// value is a copy of it encoded in which every NaN and ±Inf held in an
// interface is a nil interface, which encoding/json writes null. A float in
// a typed field or element stays an error: encoding/json cannot write it
// otherwise, and Decode refuses such numbers for typed floats.

// nullNonFinite returns a copy of v in which every NaN and ±Inf held in an
// interface is nil, and whether it replaced any. Only the containers on the
// way to a replaced number are copied; v is not changed.
func nullNonFinite(v any) (any, bool) {
	if v == nil {
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if nonFinite(rv) {
		return nil, true // v is an interface too
	}
	n := nuller{onPath: map[pathKey]bool{}}
	nv, changed := n.walk(rv)
	if !changed || n.cycle {
		return v, false
	}
	return nv.Interface(), true
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// pathKey is a pointer, map or slice on the way from the root to the value
// being walked: met again, it is a cycle (which encoding/json reports).
type pathKey struct {
	ptr unsafe.Pointer
	t   reflect.Type
	len int
}

type nuller struct {
	onPath map[pathKey]bool
	cycle  bool
}

// walk returns v, or a copy of it with the non-finite numbers in its
// interfaces replaced and true. It leaves alone what encoding/json does not
// walk: unexported fields, and values with their own MarshalJSON or
// MarshalText (on the value or the pointer: the output is theirs).
func (n *nuller) walk(v reflect.Value) (reflect.Value, bool) {
	t := v.Type()
	if n.cycle || leaf(t.Kind()) || ownMarshaler(t) {
		return v, false
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		if nonFinite(v.Elem()) {
			return reflect.Zero(t), true // a nil interface: null
		}
		e, changed := n.walk(v.Elem())
		if !changed {
			return v, false
		}
		c := reflect.New(t).Elem()
		c.Set(e)
		return c, true
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		defer n.enter(pathKey{v.UnsafePointer(), t, 0})()
		e, changed := n.walk(v.Elem())
		if !changed {
			return v, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p.Convert(t), true
	case reflect.Struct:
		var c reflect.Value
		for i := range t.NumField() {
			if f := t.Field(i); !f.IsExported() || leaf(f.Type.Kind()) {
				continue // encoding/json skips the unexported; reflect cannot copy out of them
			}
			e, changed := n.walk(v.Field(i))
			if !changed {
				continue
			}
			if !c.IsValid() {
				c = reflect.New(t).Elem()
				c.Set(v)
			}
			c.Field(i).Set(e)
		}
		return c, c.IsValid()
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice {
			if v.IsNil() {
				return v, false
			}
			defer n.enter(pathKey{v.UnsafePointer(), t, v.Len()})()
		}
		if leaf(t.Elem().Kind()) {
			return v, false
		}
		var c reflect.Value
		for i := range v.Len() {
			e, changed := n.walk(v.Index(i))
			if !changed {
				continue
			}
			if !c.IsValid() {
				if t.Kind() == reflect.Slice {
					c = reflect.MakeSlice(t, v.Len(), v.Len())
					reflect.Copy(c, v)
				} else {
					c = reflect.New(t).Elem()
					c.Set(v)
				}
			}
			c.Index(i).Set(e)
		}
		return c, c.IsValid()
	case reflect.Map:
		if v.IsNil() || leaf(t.Elem().Kind()) {
			return v, false
		}
		defer n.enter(pathKey{v.UnsafePointer(), t, 0})()
		var keys, vals []reflect.Value
		for it := v.MapRange(); it.Next(); {
			if e, changed := n.walk(it.Value()); changed {
				keys, vals = append(keys, it.Key()), append(vals, e)
			}
		}
		if keys == nil {
			return v, false
		}
		c := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), it.Value())
		}
		for i, k := range keys {
			c.SetMapIndex(k, vals[i])
		}
		return c, true
	}
	return v, false
}

// enter marks k as on the path until the returned function runs, and
// records a cycle when it already was.
func (n *nuller) enter(k pathKey) func() {
	if n.onPath[k] {
		n.cycle = true
		return func() {}
	}
	n.onPath[k] = true
	return func() { delete(n.onPath, k) }
}

// leaf reports the kinds that hold no interface.
func leaf(k reflect.Kind) bool {
	switch k {
	case reflect.Interface, reflect.Pointer, reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		return false
	}
	return true
}

func ownMarshaler(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false // what it holds decides
	}
	p := reflect.PointerTo(t)
	return t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		p.Implements(marshalerType) || p.Implements(textMarshalerType)
}

// nonFinite reports a NaN or ±Inf that encoding/json would encode by kind.
func nonFinite(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		return (math.IsNaN(f) || math.IsInf(f, 0)) && !ownMarshaler(v.Type())
	}
	return false
}
