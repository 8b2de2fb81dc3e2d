//go:build !goexperiment.jsonv2

package jsoncodec

// onV2 reports whether encoding/json is built on encoding/json/v2, as it is
// from Go 1.27 unless GOEXPERIMENT=nojsonv2 (and with GOEXPERIMENT=jsonv2
// before).
const onV2 = false
