package jsondec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/internal/jsonfields"
)

// The types below cover what Decode does itself and what it hands to
// encoding/json; every test compares it with encoding/json on the same
// bytes.

type Order struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	Priority   int         `json:"priority"`
	Paid       bool        `json:"paid"`
	CreatedAt  time.Time   `json:"createdAt"`
	Customer   Customer    `json:"customer"`
	Tags       []string    `json:"tags"`
	Lines      []OrderLine `json:"lines"`
	TotalCents int64       `json:"totalCents"`
	Note       string      `json:"note"`
}

type Customer struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Country string `json:"country"`
}

type OrderLine struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitCents   int64  `json:"unitCents"`
	Taxable     bool   `json:"taxable"`
}

// Upper decodes a string upper-cased: a TextUnmarshaler, left to
// encoding/json.
type Upper string

func (u *Upper) UnmarshalText(b []byte) error {
	if bytes.Contains(b, []byte("!")) {
		return errors.New("no bangs")
	}
	*u = Upper(strings.ToUpper(string(b)))
	return nil
}

// Words splits a string on commas: a TextUnmarshaler of slice kind, which
// null clears. It keeps the bytes it is given, which must then be its own.
type Words [][]byte

func (w *Words) UnmarshalText(b []byte) error {
	*w = bytes.Split(b, []byte(","))
	return nil
}

// Raw records the bytes it was given: an Unmarshaler called by Decode.
type Raw struct{ Got string }

func (r *Raw) UnmarshalJSON(b []byte) error {
	if string(b) == `"fail"` {
		return errors.New("raw: fail")
	}
	r.Got = string(b)
	return nil
}

// ByValue has UnmarshalJSON on its value: its pointer has it too.
type ByValue struct{ N int }

func (ByValue) UnmarshalJSON([]byte) error { return nil }

type Inner struct {
	A int
	B string `json:"b,omitempty"`
}

type Embeds struct {
	Inner
	C int `json:"c"`
}

type Node struct {
	Name     string  `json:"name"`
	Children []*Node `json:"children"`
	Parent   *Node   `json:"-"`
}

type Everything struct {
	B       bool
	I       int
	I8      int8
	I16     int16
	I32     int32
	I64     int64
	U       uint
	U8      uint8
	U16     uint16
	U32     uint32
	U64     uint64
	F32     float32
	F64     float64
	S       string
	Named   Upper
	Words   Words
	Nums    []json.Number
	PS      *string
	PPI     **int
	Any     any
	Anys    []any
	Map     map[string]int
	MapAny  map[string]any
	MapIn   map[string]Inner
	IntKey  map[int]string
	TxtKey  map[Upper]int
	Arr     [3]int
	Slice   []Inner
	PSlice  []*Inner
	Bytes   []byte
	Num     json.Number
	RawMsg  json.RawMessage
	Raw     Raw
	PRaw    *Raw
	ByVal   ByValue
	Time    time.Time
	PTime   *time.Time
	Emb     Embeds
	PEmb    *Embeds
	WithStr WithString
	Iface   fmt.Stringer
	Anon    struct {
		X int `json:"x"`
	}
	Tree       Node
	unexported int
	Dash       int `json:"-"`
	Win        int `json:"win"`
	WIN        int
	Kelvin     int `json:"K"`
}

var _ = Everything{}.unexported // there to be ignored

// WithString has a field with the `,string` option, which makes encoding/json
// decode the struct.
type WithString struct {
	Str int `json:",string"`
	N   int
}

// Everything must be decoded by Decode itself, or the table below would
// only compare encoding/json with itself.
func TestEverythingIsDecodedFieldByField(t *testing.T) {
	c := codecFor(reflect.TypeFor[Everything]())
	if c.mode != modeKind || len(c.fields) < 40 {
		t.Fatalf("Everything: mode %d, %d fields", c.mode, len(c.fields))
	}
}

// diff decodes data into a new T with Decode and with encoding/json, and
// fails if Decode reported success where encoding/json differs. It returns
// Decode's report.
func diff[T any](t testing.TB, data []byte, strict bool) bool {
	t.Helper()
	var fast, std T
	ok := Decode(data, &fast, strict)
	var err error
	if strict {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(&std)
	} else {
		err = json.Unmarshal(data, &std)
	}
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("%T strict=%v %q: Decode succeeded, encoding/json failed: %v", fast, strict, data, err)
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("%T strict=%v %q:\n Decode       %#v\n encoding/json %#v", fast, strict, data, fast, std)
	}
	return true
}

// fastPath is what the table below expects of Decode.
type fastPath int

const (
	fast     fastPath = iota // Decode decodes it, identically
	fallback                 // Decode declines (encoding/json fails, or the type is its)
)

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	order := `{"id":"ord_01HZX3K9Q2V7","status":"pending","priority":2,"paid":true,"createdAt":"2025-03-14T09:26:53Z",` +
		`"customer":{"id":48213,"name":"Zoë Lefèvre","email":"zoe.lefevre@example.com","country":"FR"},"tags":["web","gift","express"],` +
		`"lines":[{"sku":"SKU-000000","description":"Espresso beans, 1kg","quantity":1,"unitCents":199,"taxable":false}],` +
		`"totalCents":199,"note":"Leave it at the door, \"please\" — thanks!"}`
	tests := []struct {
		name string
		data string
		run  func(testing.TB, []byte, bool) bool
		want fastPath
	}{
		{"an order", order, diff[Order], fast},
		{"an order with white space everywhere", " \n{ \"id\" : \"x\" ,\t\"lines\" : [ { \"sku\" : \"a\" } , { } ] }\r\n", diff[Order], fast},
		{"keys matched case-insensitively", `{"ID":"a","STATUS":"b","Customer":{"NAME":"n"}}`, diff[Order], fast},
		{"an escaped key", `{"\u0069d":"escaped","st\u0061tus":"s"}`, diff[Order], fast},
		{"unknown keys skipped", `{"zzz":{"a":[1,2,{"b":"\"}"}]},"id":"x","y":[[]],"n":null,"t":true,"f":-1.5e3}`, diff[Order], fast},
		{"a duplicate key decoded again", `{"id":"a","id":"b","customer":{"id":1},"customer":{"name":"n"}}`, diff[Order], fast},
		{"a duplicate list reuses elements", `{"lines":[{"sku":"a","quantity":2},{"sku":"b"}],"lines":[{"description":"d"}]}`, diff[Order], fast},
		{"an empty list is empty, not nil", `{"tags":[],"lines":[]}`, diff[Order], fast},
		{"null leaves values and clears slices", `{"id":null,"priority":null,"tags":null,"customer":null,"createdAt":null}`, diff[Order], fast},
		{"a wrong type is encoding/json's error", `{"priority":"high"}`, diff[Order], fallback},
		{"an integer with a fraction is an error", `{"priority":1.0}`, diff[Order], fallback},
		{"an integer with an exponent is an error", `{"priority":1e2}`, diff[Order], fallback},
		{"a bad time is UnmarshalJSON's error", `{"createdAt":"yesterday"}`, diff[Order], fallback},
		{"an array for an object", `[1,2]`, diff[Order], fallback},
		{"a string for an object", `"order"`, diff[Order], fallback},
		{"null for the whole struct", `null`, diff[Order], fast},
		{"escapes and unicode", `{"note":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\ud83d\ude00 é€😀"}`, diff[Order], fast},
		{"a lone surrogate becomes U+FFFD", `{"note":"x\ud800y\udc00z\ud800\u0041"}`, diff[Order], fast},
		{"invalid UTF-8 becomes U+FFFD", "{\"note\":\"a\xffb\xc3\x28c\xed\xa0\x80\",\"id\":\"\xe2\x82\"}", diff[Order], fast},
		{"invalid UTF-8 in a key", "{\"n\xffote\":\"a\"}", diff[Order], fast},
		{"control characters escaped", `{"note":"\u0000\u001f"}`, diff[Order], fast},

		{"any: an object", `{"a":[1,"x",true,false,null,{"b":-0.5e-3}],"c":{},"d":[],"a":2}`, diff[any], fast},
		{"any: a number", `12345678901234567890`, diff[any], fast},
		{"any: a number beyond float64", `1e400`, diff[any], fallback},
		{"any: a string", `"s\u00e9"`, diff[any], fast},
		{"any: null", ` null `, diff[any], fast},
		{"map[string]any: keys with escapes", `{"a\nb":1,"\u00e9":{"x":"y"}}`, diff[map[string]any], fast},
		{"[]any", `[1,[2,[3]],{"k":[]}]`, diff[[]any], fast},
		{"a map merges into itself on a duplicate key", `{"Map":{"a":1,"b":2},"Map":{"a":3}}`, diff[Everything], fast},

		{"every kind at its limits", `{"B":true,"I":-9223372036854775808,"I8":-128,"I16":32767,"I32":-2147483648,"I64":9223372036854775807,` +
			`"U":18446744073709551615,"U8":255,"U16":65535,"U32":4294967295,"U64":18446744073709551615,` +
			`"F32":3.4028234663852886e38,"F64":1.7976931348623157e308,"S":"s"}`, diff[Everything], fast},
		{"int8 overflow", `{"I8":128}`, diff[Everything], fallback},
		{"int64 overflow", `{"I64":9223372036854775808}`, diff[Everything], fallback},
		{"uint negative", `{"U":-1}`, diff[Everything], fallback},
		{"float32 overflow", `{"F32":3.5e38}`, diff[Everything], fallback},
		{"a float in an int", `{"I":1.5}`, diff[Everything], fallback},
		{"-0 in an int and a float", `{"I":-0,"F64":-0}`, diff[Everything], fast},
		{"long integers", `{"I64":-9223372036854775807,"I":100000000000000000,"I32":-0}`, diff[Everything], fast},
		{"19 digits", `{"I64":1234567890123456789,"U64":12345678901234567890}`, diff[Everything], fast},
		{"pointers allocated and cleared", `{"PS":"s","PPI":7,"PRaw":{"x":1},"PTime":"2025-01-02T03:04:05Z","PEmb":{"A":1}}`, diff[Everything], fast},
		{"null pointers", `{"PS":null,"PPI":null,"PRaw":null,"PTime":null,"PEmb":null}`, diff[Everything], fast},
		{"a pointer set then cleared", `{"PS":"s","PS":null}`, diff[Everything], fast},
		{"a pointer reused", `{"PPI":1,"PPI":2}`, diff[Everything], fast},
		{"any fields", `{"Any":{"a":[1]},"Anys":[1,"2",null],"MapAny":{"k":[true]},"Any":[1],"Any":null}`, diff[Everything], fast},
		{"maps of structs replace values", `{"MapIn":{"x":{"A":1,"b":"s"},"x":{"A":2}}}`, diff[Everything], fast},
		{"a map key that is a number goes to encoding/json", `{"IntKey":{"1":"a","-2":"b"}}`, diff[Everything], fast},
		{"a bad number map key", `{"IntKey":{"x":"a"}}`, diff[Everything], fallback},
		{"a TextUnmarshaler map key", `{"TxtKey":{"a":1,"b":2}}`, diff[Everything], fast},
		{"an array: short, long", `{"Arr":[1],"Arr":[1,2,3,4,5]}`, diff[Everything], fast},
		{"an array: short after long", `{"Arr":[1,2,3],"Arr":[9]}`, diff[Everything], fast},
		{"an empty array", `{"Arr":[1,2,3],"Arr":[]}`, diff[Everything], fast},
		{"a slice truncated on a duplicate key", `{"Slice":[{"A":1},{"A":2},{"A":3}],"Slice":[{"b":"x"}]}`, diff[Everything], fast},
		{"a slice of pointers", `{"PSlice":[{"A":1},null,{"b":"x"}]}`, diff[Everything], fast},
		{"bytes as base64", `{"Bytes":"aGVsbG8="}`, diff[Everything], fast},
		{"bad base64", `{"Bytes":"!!"}`, diff[Everything], fallback},
		{"a json.Number", `{"Num":12.5e3}`, diff[Everything], fast},
		{"a json.Number from a string", `{"Num":"12"}`, diff[Everything], fast},
		{"a bad json.Number", `{"Num":"x"}`, diff[Everything], fallback},
		{"a RawMessage keeps its bytes", `{"RawMsg": {"a" : [1, 2]} }`, diff[Everything], fast},
		{"an Unmarshaler gets its bytes", `{"Raw": [ 1 , {"x":"y"} ] ,"Raw":"s"}`, diff[Everything], fast},
		{"an Unmarshaler gets null", `{"Raw":null}`, diff[Everything], fast},
		{"an Unmarshaler's error", `{"Raw":"fail"}`, diff[Everything], fallback},
		{"an Unmarshaler on the value", `{"ByVal":{"N":3}}`, diff[Everything], fast},
		{"a TextUnmarshaler", `{"Named":"abc"}`, diff[Everything], fast},
		{"a TextUnmarshaler's error", `{"Named":"a!"}`, diff[Everything], fallback},
		{"a TextUnmarshaler given a number", `{"Named":1}`, diff[Everything], fallback},
		{"a TextUnmarshaler given null", `{"Named":null}`, diff[Everything], fast},
		{"a TextUnmarshaler of slice kind, then null", `{"Words":"a,b","Words":null}`, diff[Everything], fast},
		{"a TextUnmarshaler given escapes keeps its own bytes", `{"Words":"a\u0041,b\n","Named":"x\ty","S":"over\\u0077rites the scratch"}`, diff[Everything], fast},
		{"a TextUnmarshaler given an object", `{"Words":{}}`, diff[Everything], fallback},
		{"json.Numbers", `{"Nums":[0,-1.5e+3,"2","-0.0E1",null]}`, diff[Everything], fast},
		{"json.Number strings that are not numbers", `{"Nums":["01"]}`, diff[Everything], fallback},
		{"json.Number: a dot without digits", `{"Nums":["1."]}`, diff[Everything], fallback},
		{"json.Number: a plus", `{"Nums":["+1"]}`, diff[Everything], fallback},
		{"json.Number: empty", `{"Nums":[""]}`, diff[Everything], fallback},
		{"json.Number: a bool", `{"Nums":[true]}`, diff[Everything], fallback},
		{"embedded fields", `{"Emb":{"A":1,"b":"x","c":2,"Inner":{"A":5}}}`, diff[Everything], fast},
		{"the string option", `{"WithStr":{"Str":"12","N":3}}`, diff[Everything], fast},
		{"the string option refused", `{"WithStr":{"Str":12}}`, diff[Everything], fallback},
		{"a non-empty interface", `{"Iface":null}`, diff[Everything], fast},
		{"a non-empty interface given an object", `{"Iface":{}}`, diff[Everything], fallback},
		{"an anonymous struct field", `{"Anon":{"X":1}}`, diff[Everything], fast},
		{"a recursive type", `{"Tree":{"name":"a","children":[{"name":"b","children":[{"name":"c"}]},null]}}`, diff[Everything], fast},
		{"unexported and dashed fields are unknown", `{"unexported":1,"Dash":2,"-":3}`, diff[Everything], fast},
		{"a tagged name beats a field name only by exact match", `{"win":1,"WIN":2,"Win":3}`, diff[Everything], fast},
		{"case folding is Unicode's", `{"\u212a":1}`, diff[Everything], fast},
		{"a wrong kind deep inside", `{"Slice":[{"A":"x"}]}`, diff[Everything], fallback},

		{"strict: known fields", order, diffStrict[Order], fast},
		{"strict: an unknown field", `{"id":"x","nope":1}`, diffStrict[Order], fallback},
		{"strict: an unknown field in an embedded struct", `{"Emb":{"nope":1}}`, diffStrict[Everything], fallback},
		{"strict: map keys are not fields", `{"Map":{"nope":1}}`, diffStrict[Everything], fast},

		{"a root pointer", `{"id":"x"}`, diff[*Order], fast},
		{"a root null pointer", `null`, diff[*Order], fast},
		{"a root Unmarshaler", `[1, 2]`, diff[Raw], fast},
		{"a root TextUnmarshaler", `"x"`, diff[Upper], fast},
		{"a root slice", `[{"id":"a"},{"id":"b"}]`, diff[[]Order], fast},
		{"a root array of pointers", `[1,null,3]`, diff[[2]*int], fast},
		{"a root string", `"x"`, diff[string], fast},
		{"a root number", `-12`, diff[int], fast},
		{"a root float", `-1.25e-2`, diff[float64], fast},
		{"a root bool", `true`, diff[bool], fast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.data)) {
				t.Fatalf("the test's JSON is invalid: %q", tt.data)
			}
			got := tt.run(t, []byte(tt.data), false)
			if got != (tt.want == fast) {
				t.Errorf("Decode reported %v, want %v", got, tt.want == fast)
			}
		})
	}
}

func diffStrict[T any](t testing.TB, data []byte, _ bool) bool { return diff[T](t, data, true) }

// Two fields of one name are both dropped unless exactly one is tagged with
// it. vet refuses such a struct in source, so the types are built here.
func TestDecodeDropsFieldsOfOneNameAsEncodingJSONDoes(t *testing.T) {
	intT := reflect.TypeFor[int]()
	f := func(name, tag string) reflect.StructField {
		return reflect.StructField{Name: name, Type: intT, Tag: reflect.StructTag(tag)}
	}
	for _, tt := range []struct {
		name   string
		fields []reflect.StructField
	}{
		{"two tagged", []reflect.StructField{f("A", `json:"dup"`), f("B", `json:"dup"`), f("C", "")}},
		{"one tagged, one named", []reflect.StructField{f("Dup", ""), f("B", `json:"Dup"`)}},
		{"two named the same by tags, one by name", []reflect.StructField{f("Dup", ""), f("B", `json:"Dup"`), f("C", `json:"Dup"`)}},
		{"one tagged twice untagged", []reflect.StructField{f("X", `json:"y"`), f("Y", `json:"Y"`)}},
		{"a field named - and one with an invalid tag name", []reflect.StructField{f("A", `json:"-,"`), f("B", `json:"a\\b"`)}},
	} {
		typ := reflect.StructOf(tt.fields)
		for _, data := range []string{`{"dup":1,"A":2,"B":3,"C":4}`, `{"Dup":1,"dup":2,"B":3}`, `{"y":1,"Y":2,"X":3}`, `{"-":1,"B":2,"a\\b":3}`} {
			fast, std := reflect.New(typ), reflect.New(typ)
			ok := decodeValue([]byte(data), fast.Elem(), false)
			if err := json.Unmarshal([]byte(data), std.Interface()); err != nil || !ok {
				t.Fatalf("%s %s: ok=%v, encoding/json: %v", tt.name, data, ok, err)
			}
			if !reflect.DeepEqual(fast.Interface(), std.Interface()) {
				t.Errorf("%s %s: Decode %+v, encoding/json %+v", tt.name, data, fast.Elem(), std.Elem())
			}
		}
	}
}

// AnonEmbeds is an unnamed struct type that embeds an Unmarshaler: in a
// field encoding/json ignores the promoted method, at a root it calls it.
type AnonEmbeds struct {
	F struct {
		Raw
	}
}

func TestDecodeLeavesPromotedMethodsOfUnnamedTypesToEncodingJSON(t *testing.T) {
	data := []byte(`{"F":{"Got":"x"}}`)
	if diff[AnonEmbeds](t, data, false) {
		t.Fatal("Decode decoded a type whose meaning depends on where it is")
	}
	// The premise, on v1: encoding/json ignores the promoted method in a
	// field (v2 calls it; either way the document is left to it).
	var v AnonEmbeds
	if err := json.Unmarshal(data, &v); !jsonfields.OnV2 && (err != nil || v.F.Got != "x") {
		t.Fatalf("encoding/json: %v %+v (the test's premise changed)", err, v)
	}
}

func TestDecodeAnyMatchesEncodingJSON(t *testing.T) {
	for _, data := range []string{`{"a":[1,{"b":null}],"a\u0000":"é"}`, `[]`, `"x"`, `1.5`, `true`, `null`, `{"k":"\ud800"}`} {
		got, ok := DecodeAny([]byte(data))
		var want any
		if err := json.Unmarshal([]byte(data), &want); err != nil || !ok {
			t.Fatalf("%s: ok=%v, encoding/json: %v", data, ok, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", data, got, want)
		}
	}
	if _, ok := DecodeAny([]byte(`[1e999]`)); ok {
		t.Error("a number beyond float64 decoded")
	}
}

func TestDecodeDoesNotAllocateForTheCodecAfterTheFirstCall(t *testing.T) {
	data := []byte(`{"customer":{"id":1,"country":"FR"},"priority":3,"paid":true}`)
	var o Order
	Decode(data, &o, false)
	allocs := testing.AllocsPerRun(100, func() {
		o = Order{}
		if !Decode(data, &o, false) {
			t.Fatal("Decode declined")
		}
	})
	if allocs > 1 { // the country string
		t.Errorf("Decode allocated %v times, want 1", allocs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","lines":[{"sku":"x","quantity":3}],"customer":{"name":"n"},"tags":["a"]}`,
		`{"I":1,"S":"x","Any":{"a":[1,null]},"Map":{"a":1},"Arr":[1,2,3,4],"PPI":3,"Raw":[1],"Named":"x","Emb":{"A":1}}`,
		`{"Slice":[{"A":1},{"A":2}],"Slice":[{"b":"x"}],"Tree":{"children":[{"name":"x"}]}}`,
		`[1,"a",{"b":[true,false,null]}]`,
		"{\"note\":\"\\ud800\\udc00\xff\"}",
		`{"ID":1,"id":"x","Id":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		for _, strict := range []bool{false, true} {
			diff[Order](t, data, strict)
			diff[Everything](t, data, strict)
			diff[any](t, data, strict)
			diff[map[string]any](t, data, strict)
			diff[[]Inner](t, data, strict)
			diff[*[2]float32](t, data, strict)
		}
		got, ok := DecodeAny(data)
		var want any
		err := json.Unmarshal(data, &want)
		if ok != (err == nil) || ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeAny(%q) = %#v, %v; encoding/json %#v, %v", data, got, ok, want, err)
		}
	})
}
