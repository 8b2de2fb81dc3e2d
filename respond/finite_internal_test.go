package respond

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
)

// The encoding/json built on v2 (Go 1.27, or GOEXPERIMENT=jsonv2) reports
// NaN and ±Inf with Str alone; v1 sets Value too.
func TestNonFiniteErrorKnowsBothEncodingJSONs(t *testing.T) {
	_, v1 := json.Marshal(math.Inf(-1))
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{v1, true},
		{&json.UnsupportedValueError{Str: "NaN"}, true},
		{&json.UnsupportedValueError{Str: "+Inf"}, true},
		{fmt.Errorf("respond: %w", &json.UnsupportedValueError{Str: "-Inf"}), true},
		{&json.UnsupportedValueError{Str: "encountered a cycle via map[string]interface {}"}, false},
		{&json.UnsupportedTypeError{}, false},
	} {
		if got := nonFiniteError(tc.err); got != tc.want {
			t.Errorf("nonFiniteError(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}
