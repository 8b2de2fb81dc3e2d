package jsonfields

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The names Of lists are the keys encoding/json writes, in its order, for
// structs with tags of every kind and fields of one name.
func TestOfListsTheKeysEncodingJSONWrites(t *testing.T) {
	intT := reflect.TypeFor[int]()
	f := func(name, tag string) reflect.StructField {
		return reflect.StructField{Name: name, Type: intT, Tag: reflect.StructTag(tag)}
	}
	for _, fields := range [][]reflect.StructField{
		{f("A", ""), f("B", `json:"b"`), f("C", `json:"-"`), f("D", `json:"-,"`), f("E", `json:",omitempty"`)},
		{f("A", `json:"x"`), f("B", `json:"x"`), f("C", "")},
		{f("X", ""), f("Y", `json:"X"`)},
		{f("X", ""), f("Y", `json:"X"`), f("Z", `json:"X"`)},
		{f("A", `json:"a\\b"`), f("B", `json:"spaces are fine"`), f("C", `json:"é,string"`)},
	} {
		typ := reflect.StructOf(fields)
		got, ok := Of(typ)
		if !ok {
			t.Fatalf("%v: refused", typ)
		}
		b, err := json.Marshal(reflect.New(typ).Elem().Interface())
		if err != nil {
			t.Fatal(err)
		}
		// The keys encoding/json wrote, in order.
		dec := json.NewDecoder(bytes.NewReader(b))
		var want []string
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			want = append(want, k.(string))
			var skip any
			dec.Decode(&skip)
		}
		var names []string
		for _, g := range got {
			if !g.OmitEmpty && !g.OmitZero {
				names = append(names, g.Name)
			}
		}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("%v: Of gives %q, encoding/json writes %q", typ, names, want)
		}
	}
}

func TestOfRefusesEmbeddedFields(t *testing.T) {
	type Inner struct{ A int }
	type Outer struct {
		Inner
		B int
	}
	if _, ok := Of(reflect.TypeFor[Outer]()); ok {
		t.Error("a struct with an embedded field was listed")
	}
}
