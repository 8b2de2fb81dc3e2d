//go:build goexperiment.jsonv2

package jsondec

// enabled is false under GOEXPERIMENT=jsonv2: encoding/json is then
// implemented on encoding/json/v2, whose results differ from v1's in edge
// cases (field name conflicts, promoted methods, escapes), so everything is
// left to it.
const enabled = false
