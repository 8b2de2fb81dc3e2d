package jsondec

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the tests against classic encoding/json only: under
// GOEXPERIMENT=jsonv2 everything goes to encoding/json, which it checks.
func TestMain(m *testing.M) {
	if !enabled {
		var v struct{ A int }
		if Decode([]byte(`{"A":1}`), &v, false) {
			fmt.Println("jsondec: Decode decoded under GOEXPERIMENT=jsonv2")
			os.Exit(1)
		}
		if _, ok := DecodeAny([]byte(`1`)); ok {
			fmt.Println("jsondec: DecodeAny decoded under GOEXPERIMENT=jsonv2")
			os.Exit(1)
		}
		fmt.Println("jsondec: GOEXPERIMENT=jsonv2: every value is left to encoding/json")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
