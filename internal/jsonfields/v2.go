//go:build goexperiment.jsonv2

package jsonfields

// onV2 reports whether encoding/json is implemented on encoding/json/v2
// (the default from Go 1.27, GOEXPERIMENT=jsonv2 before).
const onV2 = true
