package jsonenc

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the tests against classic encoding/json only: under
// GOEXPERIMENT=jsonv2 everything goes to encoding/json, which it checks.
func TestMain(m *testing.M) {
	if !enabled {
		if _, ok := Append(nil, 1); ok {
			fmt.Println("jsonenc: Append encoded under GOEXPERIMENT=jsonv2")
			os.Exit(1)
		}
		fmt.Println("jsonenc: GOEXPERIMENT=jsonv2: every value is left to encoding/json")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
