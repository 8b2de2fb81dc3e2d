//go:build goexperiment.jsonv2 && go1.27

package jsondec

import (
	"encoding/json/jsontext"
	"reflect"
	"testing"
)

// Tally has UnmarshalJSONFrom, which encoding/json on v2 calls before
// anything else: it counts the values it reads instead of storing them.
type Tally struct{ N int }

func (t *Tally) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	t.N += len(v)
	return err
}

type WithTally struct {
	T  Tally
	PT *Tally
	L  []Tally
	S  string
}

// On v2 a type with UnmarshalJSONFrom is encoding/json's, in a field, behind
// a pointer, in a slice and at the root; the rest of the document is still
// decoded here.
func TestDecodeLeavesUnmarshalJSONFromToEncodingJSON(t *testing.T) {
	for _, data := range []string{`{"T":{"a":1},"PT":[1,2],"L":["x",null],"S":"s"}`, `{"T":null,"PT":null}`} {
		if !diff[WithTally](t, []byte(data), false) || !diff[WithTally](t, []byte(data), true) {
			t.Errorf("%s: declined", data)
		}
	}
	if !diff[Tally](t, []byte(`{"a":[1,2,3]}`), false) {
		t.Error("a Tally at the root: declined")
	}
	if c := codecFor(reflect.TypeFor[WithTally]()); c.mode != modeKind || c.fields[0].c.mode != modeStd {
		t.Errorf("WithTally: mode %d, its Tally's %d; want by kind, and encoding/json's", c.mode, c.fields[0].c.mode)
	}
	var v WithTally
	if !Decode([]byte(`{"T":"abcd","S":"s"}`), &v, false) || v.T.N != len(`"abcd"`) || v.S != "s" {
		t.Errorf("got %+v: UnmarshalJSONFrom was not called", v)
	}
}
