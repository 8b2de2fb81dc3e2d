package apierror

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/internal/jsonfields"
)

type jfItem struct {
	N int `json:"n"`
}

type jfBase struct {
	ID int `json:"id"`
}

type jfDoc struct {
	jfBase
	Name  string            `json:"name"`
	Items []jfItem          `json:"items"`
	Grid  [][]int           `json:"grid"`
	Arr   [2]int            `json:"arr"`
	M     map[string]int    `json:"m"`
	MI    map[int]jfItem    `json:"mi"`
	MS    map[string]jfItem `json:"ms"`
	Slash int               `json:"a/b"`
	Tilde int               `json:"a~1b"`
	Dot   int               `json:"a.b"`
	Num   struct {
		X int `json:"x12"`
	} `json:"num"`
}

// The same decoding errors, from whichever encoding/json this test was built
// with, give the same message: Go 1.26's. wantV2 is set only where encoding/json
// v2 (Go 1.27's default) keeps something the old Field lacked or loses
// something it had, which JSONError's comment lists. Run it with
// GOTOOLCHAIN=go1.27.3 and with GOEXPERIMENT=nojsonv2 too.
func TestJSONErrorNamesAFieldTheSameWayOnEveryEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		doc    string
		into   func() any
		want   string
		wantV2 string // when v2's Field cannot be brought back to the old one
		or     string // also right without v2: the old Field changed too
	}{
		{doc: `{"name":1}`, want: `field "name" must be a string, got number`},
		{doc: `{"items":[{"n":1},{"n":"x"}]}`, want: `field "items.n" must be an integer, got string`},
		{doc: `{"items":[{"n":99999999999999999999}]}`, want: `field "items.n" must be an integer, got number 99999999999999999999`},
		{doc: `   {"items":[1]}`, want: `field "items" must be an object, got number`},
		{doc: `{"items":5}`, want: `field "items" must be an array, got number`},
		{doc: `{"grid":[[1],[2,"x"]]}`, want: `field "grid" must be an integer, got string`},
		{doc: `{"arr":[1,"x"]}`, want: `field "arr" must be an integer, got string`},
		{doc: `{"m":{"12":"x"}}`, want: `field "m" must be an integer, got string`},
		{doc: `{"m":{"":"x"}}`, want: `field "m" must be an integer, got string`},
		{doc: `{"mi":{"3":{"n":"x"}}}`, want: `field "mi.n" must be an integer, got string`},
		{doc: `{"a/b":"x"}`, want: `field "a/b" must be an integer, got string`},
		{doc: `{"a~1b":"x"}`, want: `field "a~1b" must be an integer, got string`},
		{doc: `{"a.b":"x"}`, want: `field "a.b" must be an integer, got string`},
		{doc: `{"num":{"x12":"x"}}`, want: `field "num.x12" must be an integer, got string`},
		{doc: `[1]`, want: `value must be an object, got array (at byte 1)`},
		{doc: `"x"`, want: `value must be an object, got string (at byte 3)`},
		{doc: `[{"n":"x"}]`, into: func() any { return new([]jfItem) }, want: `field "n" must be an integer, got string`},
		{doc: `[1,"x"]`, into: func() any { return new([]int) }, want: `value must be an integer, got string (at byte 6)`},
		{doc: `{"k":{"n":"x"}}`, into: func() any { return new(map[string]jfItem) }, want: `field "n" must be an integer, got string`, wantV2: `field "k.n" must be an integer, got string`},

		// Not undone: a map key that is not a number, the spelling of a
		// key matched case-insensitively, an embedded struct's Go name.
		{doc: `{"m":{"k":"x"}}`, want: `field "m" must be an integer, got string`, wantV2: `field "m.k" must be an integer, got string`},
		{doc: `{"ms":{"k":{"n":"x"}}}`, want: `field "ms.n" must be an integer, got string`, wantV2: `field "ms.k.n" must be an integer, got string`},
		{doc: `{"NAME":1}`, want: `field "name" must be a string, got number`, wantV2: `field "NAME" must be a string, got number`},
		// An embedded struct's Go name is in the path from Go 1.24 or so
		// (Go 1.25 and 1.26 have it), not in Go 1.23's nor in v2's.
		{doc: `{"id":"x"}`, want: `field "jfBase.id" must be an integer, got string`, wantV2: `field "id" must be an integer, got string`, or: `field "id" must be an integer, got string`},
		{doc: `{"a":"x"}`, into: func() any { return new(map[string]int) }, want: `value must be an integer, got string (at byte 8)`, wantV2: `field "a" must be an integer, got string`},
	}
	for _, tc := range cases {
		var into any = new(jfDoc)
		if tc.into != nil {
			into = tc.into()
		}
		err := json.Unmarshal([]byte(tc.doc), into)
		var ute *json.UnmarshalTypeError
		if !errors.As(err, &ute) {
			t.Errorf("%s: got %v, want an UnmarshalTypeError", tc.doc, err)
			continue
		}
		want := "Invalid JSON: " + tc.want
		if jsonfields.OnV2 && tc.wantV2 != "" {
			want = "Invalid JSON: " + tc.wantV2
		}
		got := JSONError(err)
		t.Logf("%-40s Field %-12q Offset %2d -> %s", tc.doc, ute.Field, ute.Offset, got.Message)
		if got.Message != want && (jsonfields.OnV2 || tc.or == "" || got.Message != "Invalid JSON: "+tc.or) {
			t.Errorf("%s (Field %q): got %q, want %q", tc.doc, ute.Field, got.Message, want)
		}
	}
}

// jsonfields.OnV2 must say which encoding/json this is, or jsonField would rewrite
// the old Field (where "~1" and "0" are names) or leave v2's alone.
func TestJSONV2IsTheEncodingJSONThisIsBuiltWith(t *testing.T) {
	t.Parallel()
	var v []int
	var ute *json.UnmarshalTypeError
	if !errors.As(json.Unmarshal([]byte(`[1,"x"]`), &v), &ute) {
		t.Fatal("no UnmarshalTypeError")
	}
	if isV2 := ute.Field == "1"; isV2 != jsonfields.OnV2 {
		t.Errorf("Field of an array element is %q, but jsonfields.OnV2 = %v", ute.Field, jsonfields.OnV2)
	}
}

func TestJSONFieldUndoesOnlyWhatV2Adds(t *testing.T) {
	t.Parallel()
	cases := []struct{ field, v1, v2 string }{
		{"", "", ""},
		{"name", "name", "name"},
		{"inner.n.0", "inner.n.0", "inner.n"},
		{"0.n", "0.n", "n"},
		{"grid.1.12", "grid.1.12", "grid"},
		{"m..x", "m..x", "m.x"},
		{"m.", "m.", "m"},
		{".", ".", ""},
		{"7", "7", ""},
		{"a~1b.a~01b.~0", "a~1b.a~01b.~0", "a/b.a~1b.~"},
		{"a~2b~", "a~2b~", "a~2b~"},
		{"x12.v1", "x12.v1", "x12.v1"},
	}
	for _, tc := range cases {
		if got := jsonField(tc.field, false); got != tc.v1 {
			t.Errorf("jsonField(%q, v1) = %q, want %q", tc.field, got, tc.v1)
		}
		if got := jsonField(tc.field, true); got != tc.v2 {
			t.Errorf("jsonField(%q, v2) = %q, want %q", tc.field, got, tc.v2)
		}
	}
}

// A client picks the field path (a key of 1 MiB, an array nested 100k
// deep): rewriting it is one pass and at most one allocation, none when
// nothing changes.
func TestJSONFieldCostsOnePassAtMostOneAllocation(t *testing.T) {
	long := strings.Repeat("k", 1<<20)
	deep := strings.Repeat("0.", 1<<19) + "n"
	escaped := strings.Repeat("~1", 1<<19)
	for _, tc := range []struct {
		field  string
		allocs float64
		want   int // length of the result
	}{
		{long, 0, 1 << 20},
		{"items." + long, 0, 6 + 1<<20},
		{deep, 1, 1},
		{escaped, 1, 1 << 19},
	} {
		var got string
		allocs := testing.AllocsPerRun(3, func() { got = jsonField(tc.field, true) })
		if allocs > tc.allocs || len(got) != tc.want {
			t.Errorf("jsonField(%d bytes): %v allocations, %d bytes; want at most %v, %d bytes", len(tc.field), allocs, len(got), tc.allocs, tc.want)
		}
	}
}

// The other errors JSONError maps read the same on every encoding/json too:
// offsets, syntax errors, unknown fields, trailing data, truncated input,
// base64. wantV2 marks what v2 words differently and cannot be reworded
// without the input (JSONError's comment lists it).
func TestJSONErrorSaysTheSameOnEveryEncodingJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Name string `json:"name"`
		B    []byte `json:"b"`
		Q    int    `json:"q,string"`
	}
	unmarshal := func(s string) error { return json.Unmarshal([]byte(s), new(doc)) }
	strict := func(s string) error {
		d := json.NewDecoder(strings.NewReader(s))
		d.DisallowUnknownFields()
		return d.Decode(new(doc))
	}
	cases := []struct {
		decode       func(string) error
		doc          string
		want, wantV2 string
	}{
		{unmarshal, `[1]`, `value must be an object, got array (at byte 1)`, ""},
		{unmarshal, `  "x"`, `value must be an object, got string (at byte 5)`, ""},
		{strict, `[1]`, `value must be an object, got array (at byte 1)`, ""},
		{unmarshal, `{"name":"a",}`, `invalid character '}' looking for beginning of object key string (at byte 13)`, ""},
		{unmarshal, `{"name" 1}`, `invalid character '1' after object key (at byte 9)`, ""},
		{unmarshal, `[1 2]`, `invalid character '2' after array element (at byte 4)`, ""},
		{unmarshal, `{"name":[1,2]]`, `invalid character ']' after object key:value pair (at byte 14)`, ""},
		{unmarshal, "{\"name\":\n\n  @}", `invalid character '@' looking for beginning of value (at byte 13)`, ""},
		{unmarshal, `{"name":nulx}`, `invalid character 'x' in literal null (expecting 'l') (at byte 12)`, ""},
		{unmarshal, `{"name":"a"} x`, `invalid character 'x' after top-level value (at byte 14)`, ""},
		{unmarshal, `{"name":"a"}}`, `invalid character '}' after top-level value (at byte 13)`, ""},
		{unmarshal, `{"name":`, `unexpected end of JSON input (at byte 8)`, ""},
		{unmarshal, ``, `unexpected end of JSON input (at byte 0)`, ""},
		{unmarshal, "{\"name\":\"a\x01\"}", `invalid character '\x01' in string literal (at byte 11)`, ""},
		{unmarshal, `{"name":"\q"}`, `invalid character 'q' in string escape code (at byte 11)`, ""},
		{unmarshal, `{"name":"\'"}`, `invalid character '\'' in string escape code (at byte 11)`, ""},
		{unmarshal, "{\"name\":\"\\\x01\"}", `invalid character '\x01' in string escape code (at byte 11)`, ""},
		{unmarshal, `{"name":"\u12"}`, `invalid character '"' in \u hexadecimal character escape (at byte 14)`, ""},
		{unmarshal, `"\u12"`, `invalid character '"' in \u hexadecimal character escape (at byte 6)`, ""},
		{unmarshal, `"\u1"`, `invalid character '"' in \u hexadecimal character escape (at byte 5)`, ""},
		{unmarshal, `{"name":"\u00zz"}`, `invalid character 'z' in \u hexadecimal character escape (at byte 14)`, ""},
		{unmarshal, `{"name":"\é"}`, `invalid character 'Ã' in string escape code (at byte 11)`, ""},
		{unmarshal, "{\"name\":\"\\`\"}", "invalid character '`' in string escape code (at byte 11)", ""},
		{unmarshal, `{"name":"\ "}`, `invalid character ' ' in string escape code (at byte 11)`, ""},
		{unmarshal, `{"name":"\u1 34"}`, `invalid character ' ' in \u hexadecimal character escape (at byte 13)`, ""},
		{unmarshal, `{"name":1.x}`, `invalid character 'x' after decimal point in numeric literal (at byte 11)`, `invalid character 'x' in numeric literal (at byte 11)`},
		{unmarshal, `{"name":tru`, `invalid character ' ' in literal true (expecting 'e') (at byte 11)`, `unexpected end of JSON input (at byte 11)`},
		{unmarshal, `1.`, `invalid character ' ' after decimal point in numeric literal (at byte 2)`, `unexpected end of JSON input (at byte 0)`},
		{strict, `{"nmae":"x"}`, `unknown field "nmae"`, ""},
		{strict, `{"b":"", "a\"b":1}`, `unknown field "a\"b"`, ""},
		{strict, `{"name":`, `unexpected end of input`, ""},
		{strict, ``, `unexpected end of input`, ""},
		{unmarshal, `{"b":"QUJD!"}`, `illegal base64 data at byte 4 of a string`, ""},
		{unmarshal, `{"b":5}`, `field "b" must be an array, got number`, ""},
		{unmarshal, `{"q":"1.5"}`, `field "q" must be an integer, got number 1.5`, ""},
		{unmarshal, `{"q":"x"}`, `value must be an integer in a string, got "x"`, `field "q" must be an integer, got number x`},
		{unmarshal, `{"q":1}`, `value must be an integer in a string, got an unquoted value`, `field "q" must be an integer, got number`},
	}
	for _, tc := range cases {
		err := tc.decode(tc.doc)
		want := "Invalid JSON: " + tc.want
		if jsonfields.OnV2 && tc.wantV2 != "" {
			want = "Invalid JSON: " + tc.wantV2
		}
		got := JSONError(err)
		if got == nil {
			t.Errorf("%q: JSONError(%v) = nil, want 400 %q", tc.doc, err, want)
			continue
		}
		t.Logf("%-22q %-70q -> %s", tc.doc, err, got.Message)
		if got.Status != 400 || got.Message != want {
			t.Errorf("%q: got %d %q, want 400 %q", tc.doc, got.Status, got.Message, want)
		}
	}
}

func TestJSONSyntaxLeavesTheOldWordingAlone(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"invalid character '\\x01' in string",
		"invalid escape sequence `\\q` in string",
		"invalid escape sequence `\\u12\"` in string",
	} {
		if got, off := jsonSyntax(s, 9, false); got != s || off != 9 {
			t.Errorf("jsonSyntax(%q, 9, v1) = %q, %d; want it unchanged", s, got, off)
		}
	}
	// Shapes v2 does not produce are left as they are, not misread.
	for _, s := range []string{
		"invalid escape sequence `` in string",
		"invalid escape sequence `x` in string",
		"invalid escape sequence \"\\x in string",
		"invalid escape sequence `\\u12ab` in string",
	} {
		if got, off := jsonSyntax(s, 9, true); got != s || off != 9 {
			t.Errorf("jsonSyntax(%q, 9, v2) = %q, %d; want it unchanged", s, got, off)
		}
	}
}
