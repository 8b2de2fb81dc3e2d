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
	for i, fields := range [][]reflect.StructField{
		{f("A", ""), f("B", `json:"b"`), f("C", `json:"-"`), f("D", `json:"-,"`), f("E", `json:",omitempty"`)},
		{f("A", `json:"x"`), f("B", `json:"x"`), f("C", "")},
		{f("X", ""), f("Y", `json:"X"`)},
		{f("X", ""), f("Y", `json:"X"`), f("Z", `json:"X"`)},
		{f("A", `json:"a\\b"`), f("B", `json:"spaces are fine"`), f("C", `json:"é,string"`)},
	} {
		typ := reflect.StructOf(fields)
		got, ok := Of(typ)
		if !ok && OnV2 && i > 0 {
			continue // names v1 and v2 read apart (TestOfOnV2LeavesWhatV1AndV2ReadApart)
		}
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

// Where encoding/json runs on v2 (Go 1.27 on), Of refuses the structs
// whose tags v1 and v2 read differently, or might; on v1 it lists them.
func TestOfOnV2LeavesWhatV1AndV2ReadApart(t *testing.T) {
	intT := reflect.TypeFor[int]()
	f := func(name, tag string) reflect.StructField {
		sf := reflect.StructField{Name: name, Type: intT, Tag: reflect.StructTag(tag)}
		if name[0] >= 'a' {
			sf.PkgPath = "jsonfields_test"
		}
		return sf
	}
	for _, c := range []struct {
		name   string
		fields []reflect.StructField
		onV2   bool
	}{
		{"plain tags", []reflect.StructField{f("A", ""), f("B", `json:"b,omitempty"`), f("C", `json:"-"`), f("D", `json:",string"`), f("E", `json:"e,omitzero"`), f("F", `json:"f,"`)}, true},
		{"a name v1 refuses", []reflect.StructField{f("A", `json:"a\\b"`)}, false},
		{"a single-quoted name", []reflect.StructField{f("A", `json:"'a,b'"`)}, false},
		{"a name with invalid UTF-8", []reflect.StructField{f("A", "json:\"a\xffb\"")}, false},
		{"a v2 option", []reflect.StructField{f("A", `json:"a,format:RFC3339"`)}, false},
		{"inline", []reflect.StructField{f("A", `json:",inline"`)}, false},
		{"an unknown option", []reflect.StructField{f("A", `json:"a,bogus"`)}, false},
		{"a tag on an unexported field", []reflect.StructField{f("A", ""), f("b", `json:"b"`)}, false},
		{"an unexported field tagged -", []reflect.StructField{f("A", ""), f("b", `json:"-"`)}, true},
		{"two fields of one name", []reflect.StructField{f("A", `json:"x"`), f("B", `json:"x"`)}, true},
		{"names equal but for case", []reflect.StructField{f("Win", ""), f("WIN", "")}, true},
		{"names equal but for the Kelvin sign", []reflect.StructField{f("A", `json:"k"`), f("B", "json:\"\u212a\"")}, true},
	} {
		_, ok := Of(reflect.StructOf(c.fields))
		if want := !OnV2 || c.onV2; ok != want {
			t.Errorf("%s: listed %v, want %v (encoding/json on v2: %v)", c.name, ok, want, OnV2)
		}
	}
}
