//go:build goexperiment.jsonv2

package jsonfields

// OnV2 reports whether encoding/json is implemented on encoding/json/v2
// (for jsondec, jsonenc and apierror's messages),
// as it is by default from Go 1.27 (GOEXPERIMENT=jsonv2 before, and
// GOEXPERIMENT=nojsonv2 turns it off). Its v1 API then keeps v1's results
// in all but a few edge cases, which jsondec and jsonenc follow where they
// decide and leave to encoding/json where they cannot.
const OnV2 = true
