package jsoncodec_test

import (
	"testing"

	"github.com/apiroutes/apiroutes/jsoncodec"
	"github.com/apiroutes/apiroutes/jsoncodec/codectest"
)

func TestStdMeetsTheContract(t *testing.T) {
	t.Parallel()
	codectest.Run(t, jsoncodec.Std{})
}

func TestStdAppendDoesNotAllocateForAStruct(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	v := struct {
		A int    `json:"a"`
		B string `json:"b"`
	}{1, "x"}
	buf := make([]byte, 0, 64)
	jsoncodec.Std{}.Append(buf, &v) // warm the pool and encoding/json's cache
	if n := testing.AllocsPerRun(100, func() { _, _ = jsoncodec.Std{}.Append(buf, &v) }); n != 0 {
		t.Errorf("Append allocates %v times", n)
	}
}
