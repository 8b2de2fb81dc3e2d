package jsondec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/internal/jsonfields"
)

// A defined pointer type has no methods, whatever its element has:
// encoding/json's indirect looks for UnmarshalJSON and UnmarshalText on
// each pointer it walks through, finds none on PRaw, steps to the Raw
// behind it and, Raw not being a pointer, decodes it by its kind. So a
// Raw (or Upper, or time.Time) behind a named pointer type is decoded as
// a plain struct (or string), its methods ignored; Decode must not call
// them.
type (
	PRaw     *Raw
	PUpper   *Upper
	PByValue *ByValue
	PPRaw    *PRaw // two named pointers: the methods are still never seen
	PRawPtr  **Raw // an unnamed *Raw behind it: its methods are seen again
)

type NamedPointers struct {
	R   PRaw
	U   PUpper
	V   PByValue
	PP  PPRaw
	RP  PRawPtr
	L   []PRaw
	M   map[string]PUpper
	Arr [1]PRaw
}

func TestReviewNamedPointerTypesHideTheElementsMethods(t *testing.T) {
	for _, tt := range []struct {
		name string
		data string
		run  func(testing.TB, []byte, bool) bool
	}{
		{"a named pointer to an Unmarshaler", `{"R":{"Got":"y"}}`, diff[NamedPointers]},
		{"a named pointer to a TextUnmarshaler", `{"U":"abc"}`, diff[NamedPointers]},
		{"a named pointer to a value-receiver Unmarshaler", `{"V":{"N":3}}`, diff[NamedPointers]},
		{"two named pointers", `{"PP":{"Got":"y"}}`, diff[NamedPointers]},
		{"a named pointer to an unnamed pointer", `{"RP":[1]}`, diff[NamedPointers]},
		{"in a slice", `{"L":[{"Got":"y"},null]}`, diff[NamedPointers]},
		{"in a map", `{"M":{"k":"abc"}}`, diff[NamedPointers]},
		{"in an array", `{"Arr":[{"Got":"y"}]}`, diff[NamedPointers]},
		{"null", `{"R":null,"U":null,"L":[null],"M":{"k":null}}`, diff[NamedPointers]},
		{"at the root", `{"Got":"y"}`, diff[PRaw]},
		{"a TextUnmarshaler at the root", `"abc"`, diff[PUpper]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.data)) {
				t.Fatalf("the test's JSON is invalid: %q", tt.data)
			}
			for _, strict := range []bool{false, true} {
				tt.run(t, []byte(tt.data), strict)
			}
		})
	}
	// The premise, on v1: encoding/json ignores Raw's method behind PRaw
	// (v2 calls it; either way the document is left to it).
	var v NamedPointers
	if err := json.Unmarshal([]byte(`{"R":{"Got":"y"},"U":"abc"}`), &v); !jsonfields.OnV2 && (err != nil || v.R.Got != "y" || *v.U != "abc") {
		t.Fatalf("encoding/json: %v %+v (the test's premise changed)", err, v)
	}
}

// wideStruct has n int fields, Field0000 to Field<n-1>.
func wideStruct(n int) reflect.Type {
	var fs []reflect.StructField
	for i := 0; i < n; i++ {
		fs = append(fs, reflect.StructField{Name: fmt.Sprintf("Field%04d", i), Type: reflect.TypeFor[int]()})
	}
	return reflect.StructOf(fs)
}

// wideBody is an object of about size bytes whose keys all name the last
// of n fields, in upper case: each is matched only case-insensitively.
func wideBody(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString("{")
	for b.Len() < size {
		fmt.Fprintf(&b, `"FIELD%04d":1,"Field9999x":2,`, n-1)
	}
	b.WriteString(`"z":1}`)
	return b.Bytes()
}

// Looking a key up must not cost in proportion to the number of fields:
// encoding/json uses two maps, so a body of many keys into a struct of many
// fields is linear in the body alone. With a scan of every field per key,
// 1 MB into a struct of 1000 fields took 700 ms against encoding/json's
// 12 ms.
// (Timed by BenchmarkReviewWideStruct, beside encoding/json.)
func TestReviewKeyLookupDoesNotScanEveryField(t *testing.T) {
	typ := wideStruct(1000)
	if c := codecFor(typ); c.byName == nil || c.byFold == nil {
		t.Fatal("a struct of 1000 fields is looked up field by field")
	}
	data := wideBody(1000, 64<<10)
	fast, std := reflect.New(typ), reflect.New(typ)
	if !decodeValue(data, fast.Elem(), false) {
		t.Fatal("Decode declined")
	}
	if err := json.Unmarshal(data, std.Interface()); err != nil || !reflect.DeepEqual(fast.Interface(), std.Interface()) {
		t.Fatalf("Decode differs from encoding/json (%v)", err)
	}
}

func BenchmarkReviewWideStruct(b *testing.B) {
	for _, n := range []int{8, 16, 32, 100, 1000} {
		typ := wideStruct(n)
		data := wideBody(n, 64<<10)
		b.Run(fmt.Sprint(n)+"/jsondec", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				decodeValue(data, reflect.New(typ).Elem(), false)
			}
		})
		b.Run(fmt.Sprint(n)+"/stdlib", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				_ = json.Unmarshal(data, reflect.New(typ).Interface())
			}
		})
	}
}

// The case-insensitive match must agree with encoding/json's folded index
// for keys and names beyond ASCII, on the scan and on the map.
func TestReviewFoldingOnWideStructs(t *testing.T) {
	names := []string{"k", "K", "ſ", "S", "ü", "Ü", "ß", "ẞ", "Σ", "ς", "σ", "İ", "ı", "i", "I", "ǅ", "Ǆ", "ǆ", "Ω", "Ω", "µ", "Μ", "μ"}
	keys := append([]string{"\u212a", "s", "s\u017f", "SS", "ss", "\u00df", "\u1e9e", "\u03c3", "\u0130", "\u0131"}, names...)
	for _, tc := range []struct {
		pad   int
		names []string
	}{{0, names[:8]}, {0, names[8:16]}, {0, names[16:]}, {40, names}} { // scanned, scanned, scanned, mapped
		pad := tc.pad
		var fs []reflect.StructField
		for i := 0; i < pad; i++ {
			fs = append(fs, reflect.StructField{Name: fmt.Sprintf("Pad%02d", i), Type: reflect.TypeFor[int]()})
		}
		for i, n := range tc.names {
			fs = append(fs, reflect.StructField{Name: fmt.Sprintf("F%02d", i), Type: reflect.TypeFor[int](), Tag: reflect.StructTag(fmt.Sprintf(`json:%q`, n))})
		}
		typ := reflect.StructOf(fs)
		for _, k := range keys {
			for _, key := range []string{k, k + k, "x" + k} {
				data := []byte(fmt.Sprintf(`{%q:7}`, key))
				fast, std := reflect.New(typ), reflect.New(typ)
				ok := decodeValue(data, fast.Elem(), false)
				if err := json.Unmarshal(data, std.Interface()); err != nil || !ok {
					t.Fatalf("%s: ok=%v, encoding/json: %v", data, ok, err)
				}
				if !reflect.DeepEqual(fast.Interface(), std.Interface()) {
					t.Errorf("pad %d %s: Decode %+v, encoding/json %+v", pad, data, fast.Elem(), std.Elem())
				}
			}
		}
	}
}

// Wide has more fields than are scanned: its keys are looked up in maps.
type Wide struct {
	A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q int
	Kelvin                                            int    `json:"K"`
	LongS                                             int    `json:"ſ"`
	Sigma                                             string `json:"Σ"`
	Dup                                               int    `json:"dup"`
	Raw                                               Raw
	Inner                                             *Wide
}

func FuzzReview(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"K":2,"k":3,"\u212a":4,"S":5,"s":6,"σ":"x","ς":"y","dup":7,"DUP":8,"raw":{"Got":"g"},"inner":{"q":1}}`,
		`{"R":{"Got":"y"},"U":"abc","V":{"N":3},"PP":{"Got":"y"},"RP":[1],"L":[{"Got":"y"},null],"M":{"k":"abc"},"Arr":[{}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		for _, strict := range []bool{false, true} {
			diff[Wide](t, data, strict)
			diff[NamedPointers](t, data, strict)
			diff[PRaw](t, data, strict)
		}
	})
}

type NumberList struct {
	N []json.Number
}

// A value handed to encoding/json costs a json.Decoder in strict mode (a
// bytes.Reader and a buffer of at least 512 bytes for each value): 1 MB of
// numbers into []json.Number took 1.4 s against encoding/json's 110 ms,
// 13x. A json.Number, a TextUnmarshaler or a []byte holds no struct whose
// fields could be unknown: json.Unmarshal gives the same result for them.
// Counted in allocations, which a json.Decoder per value multiplies; timed
// by BenchmarkReviewStrictNumbers.
func TestReviewStrictHandOffIsNotADecoderPerValue(t *testing.T) {
	data := []byte(`{"N":[` + strings.Repeat("1,", 1000) + `1]}`)
	fast := testing.AllocsPerRun(5, func() {
		var v NumberList
		if !Decode(data, &v, true) {
			t.Fatal("Decode declined")
		}
	})
	std := testing.AllocsPerRun(5, func() {
		var v NumberList
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	})
	if fast > 3*std {
		t.Errorf("Decode made %v allocations for 1001 numbers, encoding/json %v", fast, std)
	}
}

func BenchmarkReviewStrictNumbers(b *testing.B) {
	data := []byte(`{"N":[` + strings.Repeat("1,", 50000) + `1]}`)
	b.Run("jsondec", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for range b.N {
			var v NumberList
			Decode(data, &v, true)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for range b.N {
			var v NumberList
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			_ = dec.Decode(&v)
		}
	})
}

// Strictness still reaches the structs inside what is handed over.
func TestReviewStrictReachesHandedOverStructs(t *testing.T) {
	for _, data := range []string{`{"Emb":{"nope":1}}`, `{"IntKey":{"1":"a"}}`, `{"Num":"1","Named":"x","Bytes":"aGk=","WithStr":{"Str":"1"}}`} {
		diff[Everything](t, []byte(data), true)
	}
	if diff[Everything](t, []byte(`{"Emb":{"nope":1}}`), true) {
		t.Error("an unknown field in an embedded struct was accepted")
	}
}
