//go:build goexperiment.jsonv2

package jsonenc

import "reflect"

// onV2 reports whether encoding/json is implemented on encoding/json/v2,
// as it is by default from Go 1.27 (GOEXPERIMENT=jsonv2 before, and
// GOEXPERIMENT=nojsonv2 turns it off). Its v1 API then keeps v1's results
// in all but a few edge cases, which this package follows where it
// decides (see onV2's uses) and leaves to encoding/json where it cannot.
const onV2 = true

// v2Method reports whether t, or *t, has encoding/json/v2's MarshalJSONTo
// (func(*jsontext.Encoder) error), which encoding/json calls before any other
// method: such values are left to it. The method is looked up by name and
// signature, not through the interface, which a module whose go.mod says
// go 1.23 may not name.
func v2Method(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false // the dynamic value's type decides
	}
	m, ok := t.MethodByName("MarshalJSONTo")
	if !ok {
		m, ok = reflect.PointerTo(t).MethodByName("MarshalJSONTo")
	}
	if !ok {
		return false
	}
	ft := m.Type // with the receiver
	return ft.NumIn() == 2 && ft.NumOut() == 1 &&
		ft.In(1).Kind() == reflect.Pointer && ft.In(1).Elem().PkgPath() == "encoding/json/jsontext" &&
		ft.In(1).Elem().Name() == "Encoder" && ft.Out(0) == reflect.TypeFor[error]()
}
