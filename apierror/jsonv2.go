//go:build goexperiment.jsonv2

package apierror

// jsonV2 reports whether encoding/json is built on encoding/json/v2 (the
// default from Go 1.27, GOEXPERIMENT=jsonv2 before), whose
// UnmarshalTypeError.Field is a JSON Pointer in disguise (see jsonField).
const jsonV2 = true
