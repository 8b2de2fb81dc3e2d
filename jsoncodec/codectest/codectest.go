// Package codectest checks a [jsoncodec.Codec] against the contract that
// jsoncodec.Std meets: one table of encodings and decodings, run on
// encoding/json by jsoncodec's tests and on each adapter by its own.
package codectest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/jsoncodec"
)

type item struct {
	N int `json:"n"`
}

type base struct {
	ID int `json:"id"`
}

type doc struct {
	base
	Name   string            `json:"name"`
	Items  []item            `json:"items,omitempty"`
	Opt    *string           `json:"opt"`
	Tags   map[string]string `json:"tags,omitempty"`
	Quoted int               `json:"q,string,omitempty"`
	Data   []byte            `json:"data,omitempty"`
	Raw    json.RawMessage   `json:"raw,omitempty"`
	Skip   int               `json:"-"`
	hidden int
}

type upper string

func (u upper) MarshalJSON() ([]byte, error) {
	return json.Marshal(strings.ToUpper(string(u)))
}

type counted struct{ calls *int }

func (c *counted) UnmarshalJSON(b []byte) error { *c.calls++; return nil }

// Run runs the table on c as subtests of t.
func Run(t *testing.T, c jsoncodec.Codec) {
	t.Run("Append", func(t *testing.T) { testAppend(t, c) })
	t.Run("Unmarshal", func(t *testing.T) { testUnmarshal(t, c) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, c) })
}

func testAppend(t *testing.T, c jsoncodec.Codec) {
	s := "x"
	cases := []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{"<a href='x'>&</a>", `"<a href='x'>&</a>"`},
		{"tab\t nl\n quote\" back\\ ctl\x01 del\x7f é 😀", `"tab\t nl\n quote\" back\\ ctl\u0001 del` + "\x7f" + ` é 😀"`},
		{"bad \xff utf8", `"bad \ufffd utf8"`},
		{map[string]any{"b": 1, "a": []any{true, nil, 1.5, "s"}}, `{"a":[true,null,1.5,"s"],"b":1}`},
		{[]float64{1e21, 1e-7, 0.1, -0, 123456789}, `[1e+21,1e-7,0.1,0,123456789]`},
		{[]int64{math.MaxInt64, math.MinInt64}, `[9223372036854775807,-9223372036854775808]`},
		{[]string(nil), `null`},
		{[]string{}, `[]`},
		{doc{base: base{ID: 7}, Name: "n", Opt: &s, Quoted: 3, Data: []byte("hi"), Raw: json.RawMessage(`{"k":[1]}`), Skip: 1, hidden: 1},
			`{"id":7,"name":"n","opt":"x","q":"3","data":"aGk=","raw":{"k":[1]}}`},
		{doc{Items: []item{{1}}, Tags: map[string]string{"z": "1", "a": "2"}}, `{"id":0,"name":"","items":[{"n":1}],"opt":null,"tags":{"a":"2","z":"1"}}`},
		{upper("hi"), `"HI"`},
		{map[int]string{2: "b", 10: "a"}, `{"10":"a","2":"b"}`},
	}
	for _, tc := range cases {
		got, err := c.Append([]byte("prefix:"), tc.v)
		if err != nil {
			t.Errorf("Append(%#v): %v", tc.v, err)
			continue
		}
		// Go 1.27's encoding/json writes U+FFFD as it is, older ones escape it.
		if g := strings.ReplaceAll(string(got), "\ufffd", `\ufffd`); g != "prefix:"+tc.want {
			t.Errorf("Append(%#v)\n got %s\nwant prefix:%s", tc.v, got, tc.want)
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}, make(chan int)} {
		dst := []byte("keep")
		got, err := c.Append(dst, v)
		if err == nil {
			t.Errorf("Append(%v) = %s, want an error", v, got)
		}
		if string(got) != "keep" {
			t.Errorf("Append(%v) returned %q on error, want dst unchanged", v, got)
		}
	}
}

func testUnmarshal(t *testing.T, c jsoncodec.Codec) {
	var d doc
	in := `{"id":1,"NAME":"n","items":[{"n":2}],"opt":"o","tags":{"k":"v"},"q":"5","data":"aGk=","raw":[1, 2],"extra":{"a":[1]}}`
	if err := c.Unmarshal([]byte(in), &d); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if d.ID != 1 || d.Name != "n" || len(d.Items) != 1 || d.Items[0].N != 2 || d.Opt == nil || *d.Opt != "o" ||
		d.Tags["k"] != "v" || d.Quoted != 5 || string(d.Data) != "hi" || string(d.Raw) != "[1, 2]" {
		t.Errorf("Unmarshal(%s) = %+v", in, d)
	}
	var a any
	if err := c.Unmarshal([]byte(` {"a":[1,"x",null,true,{}],"b":-2.5e3} `), &a); err != nil {
		t.Fatalf("Unmarshal into any: %v", err)
	}
	want := map[string]any{"a": []any{1.0, "x", nil, true, map[string]any{}}, "b": -2500.0}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Unmarshal into any = %#v, want %#v", a, want)
	}
	calls := 0
	cv := struct{ C counted }{counted{&calls}}
	if err := c.Unmarshal([]byte(`{"C":{"x":1}}`), &cv); err != nil || calls != 1 {
		t.Errorf("UnmarshalJSON called %d times (err %v), want once", calls, err)
	}
	var strict doc
	if err := c.UnmarshalStrict([]byte(`{"id":3,"name":"s"}`), &strict); err != nil || strict.ID != 3 || strict.Name != "s" {
		t.Errorf("UnmarshalStrict = %+v, %v", strict, err)
	}
}

// testErrors checks that failures come as encoding/json's types with the
// fields apierror.JSONError reads.
func testErrors(t *testing.T, c jsoncodec.Codec) {
	types := []struct {
		in          string
		into        func() any
		field, val  string
		kind        reflect.Kind
		offsetAtTop int64 // when field is ""
	}{
		{`{"name":1}`, func() any { return new(doc) }, "name", "number", reflect.String, 0},
		{`{"items":[{"n":1},{"n":"x"}]}`, func() any { return new(doc) }, "items.n", "string", reflect.Int, 0},
		{`{"items":[{"n":99999999999999999999}]}`, func() any { return new(doc) }, "items.n", "number 99999999999999999999", reflect.Int, 0},
		{`{"items":5}`, func() any { return new(doc) }, "items", "number", reflect.Slice, 0},
		{`{"tags":{"12":1}}`, func() any { return new(doc) }, "tags", "number", reflect.String, 0},
		{`[1]`, func() any { return new(doc) }, "", "array", reflect.Struct, 1},
		{`[1,"x"]`, func() any { return new([]int) }, "", "string", reflect.Int, 6},
	}
	for _, tc := range types {
		err := c.Unmarshal([]byte(tc.in), tc.into())
		var ute *json.UnmarshalTypeError
		if !errors.As(err, &ute) {
			t.Errorf("Unmarshal(%s) = %v (%T), want a *json.UnmarshalTypeError", tc.in, err, err)
			continue
		}
		if ute.Field != tc.field || ute.Value != tc.val || ute.Type == nil || ute.Type.Kind() != tc.kind {
			t.Errorf("Unmarshal(%s): Field %q Value %q Type %v, want %q %q %v", tc.in, ute.Field, ute.Value, ute.Type, tc.field, tc.val, tc.kind)
		}
		if tc.field == "" && ute.Offset != tc.offsetAtTop {
			t.Errorf("Unmarshal(%s): Offset %d, want %d", tc.in, ute.Offset, tc.offsetAtTop)
		}
	}
	syntax := []struct {
		in  string
		off int64
	}{{`{"a":}`, 6}, {`[1,,2]`, 4}, {`{"a" 1}`, 6}, {`[1] x`, 5}}
	for _, tc := range syntax {
		for name, f := range map[string]func([]byte, any) error{"Unmarshal": c.Unmarshal, "UnmarshalStrict": c.UnmarshalStrict} {
			err := f([]byte(tc.in), new(any))
			var se *json.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%s(%s) = %v (%T), want a *json.SyntaxError", name, tc.in, err, err)
			} else if se.Offset != tc.off {
				t.Errorf("%s(%s): Offset %d, want %d", name, tc.in, se.Offset, tc.off)
			}
		}
	}
	err := c.UnmarshalStrict([]byte(`{"id":1,"nmae":"x"}`), new(doc))
	if err == nil || err.Error() != `json: unknown field "nmae"` {
		t.Errorf("UnmarshalStrict with an unknown field = %v, want json: unknown field \"nmae\"", err)
	}
	for _, in := range []string{``, `{"name":`} {
		if err := c.UnmarshalStrict([]byte(in), new(doc)); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("UnmarshalStrict(%q) = %v, want io.ErrUnexpectedEOF", in, err)
		}
	}
	var big any
	if err := c.Unmarshal([]byte(`[1e400]`), &big); err == nil {
		t.Errorf("Unmarshal([1e400]) into any = %v, want an error (bodyparser.Value makes it +Inf)", big)
	}
	if err := c.Unmarshal(bytes.Repeat([]byte("["), 20000), new(any)); err == nil {
		t.Error("Unmarshal of 20000 open brackets succeeded")
	}
}
