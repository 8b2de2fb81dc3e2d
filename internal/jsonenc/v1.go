//go:build !goexperiment.jsonv2

package jsonenc

import "reflect"

// onV2 reports whether encoding/json is implemented on encoding/json/v2:
// here it is the classic v1 implementation.
const onV2 = false

// v2Method reports whether t (or *t) has encoding/json/v2's MarshalJSONTo,
// which does not exist here.
func v2Method(reflect.Type) bool { return false }
