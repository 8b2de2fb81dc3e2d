//go:build !goexperiment.jsonv2

package jsonfields

// OnV2 reports whether encoding/json is implemented on encoding/json/v2
// (for jsondec, jsonenc and apierror's messages):
// here it is the classic v1 implementation.
const OnV2 = false
