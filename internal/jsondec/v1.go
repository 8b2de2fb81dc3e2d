//go:build !goexperiment.jsonv2

package jsondec

// enabled: encoding/json is the classic v1 implementation, whose results
// this package reproduces.
const enabled = true
