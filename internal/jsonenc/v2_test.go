//go:build goexperiment.jsonv2 && go1.27

package jsonenc

import (
	"encoding/json/jsontext"
	"testing"
)

// Shout has MarshalJSONTo, which encoding/json on v2 calls before
// MarshalJSON and MarshalText.
type Shout string

func (s Shout) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteToken(jsontext.String(string(s) + "!"))
}

func (s Shout) MarshalText() ([]byte, error) { return []byte(s), nil }

type WithShout struct {
	A  Shout
	PA *Shout
	L  []Shout
	M  map[string]Shout
	S  string
}

// On v2 a type with MarshalJSONTo is encoding/json's wherever it is:
// Append declines the value that holds one (as it does for what else it
// does not encode), and the caller encodes it with encoding/json.
func TestAppendLeavesMarshalJSONToToEncodingJSON(t *testing.T) {
	hi := Shout("hi")
	v := WithShout{A: "a", PA: &hi, L: []Shout{"x"}, M: map[string]Shout{"k": "v"}, S: "s"}
	for _, x := range []any{v, &v, hi, []Shout{"x"}, map[string]*Shout{"k": &hi}} {
		if check(t, x) {
			t.Errorf("%T: encoded here, not by encoding/json", x)
		}
	}
	if want, _ := std(v); string(want) != `{"A":"a!","PA":"hi!","L":["x!"],"M":{"k":"v!"},"S":"s"}` {
		t.Errorf("the test's premise: encoding/json wrote %s", want)
	}
}

// v2 writes invalid UTF-8 as the character U+FFFD.
func TestAppendWritesInvalidUTF8AsV2Does(t *testing.T) {
	got, ok := Append(nil, "a\xffb")
	if !ok || string(got) != "\"a\uFFFDb\"" {
		t.Errorf("got %q, %v", got, ok)
	}
}
