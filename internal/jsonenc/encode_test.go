package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Everything must be encoded by Append itself, or FuzzAppend would only
// compare encoding/json with itself.
func TestEverythingIsEncodedFieldByField(t *testing.T) {
	c := codecFor(reflect.TypeFor[Everything]())
	if c.mode != modeKind || !c.byKind || len(c.fields) < 30 {
		t.Fatalf("Everything: mode %d, by kind %v, %d fields", c.mode, c.byKind, len(c.fields))
	}
	if !check(t, Everything{}) {
		t.Error("Append declined Everything")
	}
}

// std is what respond used before: a json.Encoder without HTML escaping,
// its newline removed.
func std(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// check encodes v with Append and with encoding/json and fails if Append
// reported success with other bytes, or where encoding/json fails. It
// returns Append's report.
func check(t testing.TB, v any) bool {
	t.Helper()
	got, ok := Append([]byte("prefix"), v)
	want, err := std(v)
	if !ok {
		if string(got) != "prefix" {
			t.Fatalf("%T: Append declined but changed dst to %q", v, got)
		}
		return false
	}
	if err != nil {
		t.Fatalf("%T: Append gave %q, encoding/json failed: %v", v, got, err)
	}
	if string(got) != "prefix"+string(want) {
		t.Fatalf("%T:\n Append        %s\n encoding/json %s", v, got[len("prefix"):], want)
	}
	return true
}

type Customer struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Country string `json:"country"`
}

type Order struct {
	ID        string         `json:"id"`
	Priority  int            `json:"priority"`
	Paid      bool           `json:"paid"`
	CreatedAt time.Time      `json:"createdAt"`
	Customer  Customer       `json:"customer"`
	Tags      []string       `json:"tags"`
	Lines     []Line         `json:"lines,omitempty"`
	Meta      map[string]any `json:"meta,omitempty"`
	Note      *string        `json:"note"`
}

type Line struct {
	SKU   string  `json:"sku"`
	Qty   uint16  `json:"qty"`
	Price float64 `json:"price"`
}

// PtrMarshal marshals itself through its pointer only: encoding/json calls
// it when the value is addressable, and encodes the struct otherwise.
type PtrMarshal struct{ N int }

func (p *PtrMarshal) MarshalJSON() ([]byte, error) {
	return []byte(`{ "ptr" : [ 1 , 2 ] }`), nil
}

// ValMarshal marshals itself on its value.
type ValMarshal struct{ N int }

func (v ValMarshal) MarshalJSON() ([]byte, error) {
	if v.N < 0 {
		return nil, errors.New("negative")
	}
	if v.N == 99 {
		return []byte(`{bad`), nil
	}
	return []byte(`"val"`), nil
}

type PtrText struct{ S string }

func (p *PtrText) MarshalText() ([]byte, error) { return []byte("text:" + p.S), nil }

type ValText string

func (v ValText) MarshalText() ([]byte, error) {
	if v == "fail" {
		return nil, errors.New("fail")
	}
	return []byte(strings.ToUpper(string(v))), nil
}

type MyString string
type MyMap map[MyString]int

type Embeds struct {
	Customer
	X int
}

type Everything struct {
	B         bool
	I         int
	I8        int8
	U64       uint64
	F32       float32
	F64       float64
	S         string
	My        MyString
	PS        *string
	PPI       **int
	Any       any
	Anys      []any
	Map       map[string]int
	MyMap     MyMap
	Arr       [3]int
	ByteArr   [2]byte
	Slice     []Line
	NilSlice  []int
	PSlice    []*Line
	Raw       json.RawMessage
	PtrM      PtrMarshal
	PPtrM     *PtrMarshal
	ValM      ValMarshal
	PValM     *ValMarshal
	PtrT      PtrText
	ValT      ValText
	IP        net.IP
	Time      time.Time
	PTime     *time.Time
	Marshaler json.Marshaler
	Anon      struct {
		X int `json:"x,omitempty"`
	}
	Omit struct {
		S   string         `json:"s,omitempty"`
		I   int            `json:"i,omitempty"`
		F   float64        `json:"f,omitempty"`
		B   bool           `json:"b,omitempty"`
		P   *int           `json:"p,omitempty"`
		M   map[string]int `json:"m,omitempty"`
		Sl  []int          `json:"sl,omitempty"`
		A   [0]int         `json:"a,omitempty"`
		Any any            `json:"any,omitempty"`
		St  struct{}       `json:"st,omitempty"`
	}
	Dash int `json:"-"`
	WIN  int `json:"win"`
	Win  int
}

func TestAppendMatchesEncodingJSON(t *testing.T) {
	note := "leave at the door"
	n := 7
	pn := &n
	order := Order{
		ID: "ord_1", Priority: 2, Paid: true, CreatedAt: time.Date(2025, 3, 14, 9, 26, 53, 120, time.FixedZone("X", 3600)),
		Customer: Customer{ID: 48213, Name: "Zoë \"Z\" Lefèvre", Country: "FR"}, Tags: []string{"a", "b"},
		Lines: []Line{{"SKU-1", 3, 19.99}, {"SKU-2", 1, 1e21}}, Meta: map[string]any{"z": 1, "a": []any{true, nil, "x"}, "é": map[string]any{}},
		Note: &note,
	}
	tests := []struct {
		name string
		v    any
		fast bool
	}{
		{"an order", order, true},
		{"a pointer to an order", &order, true},
		{"an empty order", Order{}, true},
		{"nil", nil, true},
		{"a nil pointer", (*Order)(nil), true},
		{"strings that need escapes", []string{"\"\\/\b\f\n\r\t\x00\x1f\x7f", "<>&", "\u2028\u2029", "a\xffb\xc3(", "é€😀", ""}, true},
		{"floats at the format's edges", []float64{0, math.Copysign(0, -1), 1e-6, 9.99e-7, 1e20, 1e21, 123456789.125, -1.5e-10, math.MaxFloat64, math.SmallestNonzeroFloat64}, true},
		{"float32s", []float32{0.1, 1e-6, 9.99e-7, 1e21, 3.4e38, 16777216}, true},
		{"NaN", math.NaN(), false},
		{"an infinity in a struct", Line{Price: math.Inf(1)}, false},
		{"integers at their limits", []any{int64(math.MinInt64), uint64(math.MaxUint64), int8(-128), uint8(255)}, true},
		{"a map sorted by key", map[string]int{"b": 1, "a": 2, "": 3, "é": 4, "B": 5}, true},
		{"a nil map", map[string]int(nil), true},
		{"a map with named keys", MyMap{"y": 1, "x": 2}, true},
		{"a map with int keys", map[int]string{2: "b", 10: "a"}, false},
		{"any holding everything", map[string]any{"n": nil, "f": 1.5, "s": "x", "b": false, "l": []any{1, "2"}, "m": map[string]any{"k": []int{}}}, true},
		{"bytes", []byte("hello"), false},
		{"a byte array", [3]byte{1, 2, 3}, true},
		{"a value with a pointer MarshalJSON, not addressable", PtrMarshal{N: 1}, true},
		{"a pointer MarshalJSON, addressable", &PtrMarshal{N: 1}, true},
		{"in a slice, addressable", []PtrMarshal{{1}, {2}}, true},
		{"in a map, not addressable", map[string]PtrMarshal{"a": {1}}, true},
		{"in an array value, not addressable", [1]PtrMarshal{{1}}, true},
		{"in an array behind a pointer, addressable", &[1]PtrMarshal{{1}}, true},
		{"a value MarshalJSON", ValMarshal{}, true},
		{"a value MarshalJSON's error", ValMarshal{N: -1}, false},
		{"a value MarshalJSON's invalid output", []ValMarshal{{N: 99}}, false},
		{"a nil pointer to a value MarshalJSON", []*ValMarshal{nil, {}}, true},
		{"a pointer MarshalText", &PtrText{S: "x"}, true},
		{"a pointer MarshalText, not addressable", PtrText{S: "x"}, true},
		{"a value MarshalText", []ValText{"a", "b"}, true},
		{"a MarshalText error", ValText("fail"), false},
		{"net.IP", net.IP{127, 0, 0, 1}, true},
		{"time", []time.Time{{}, time.Unix(1e9, 5).UTC()}, true},
		{"a time out of range", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"a time before year 0", []time.Time{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"times in every zone shape", []*time.Time{
			ptr(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60)))),
			ptr(time.Date(0, 1, 1, 0, 0, 0, 1, time.FixedZone("", 23*3600+59*60+59))),
			ptr(time.Date(2024, 2, 29, 12, 0, 0, 100, time.FixedZone("", 90))),
			ptr(time.Date(2024, 2, 29, 12, 0, 0, 0, time.Local)),
			nil,
		}, true},
		{"a zone of 24 hours", []time.Time{time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))}, false},
		{"a zone of -25 hours", map[string]time.Time{"t": time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", -25*3600))}, false},
		{"a RawMessage", json.RawMessage(` { "a" : 1 } `), true},
		{"a json.Number", json.Number("12"), false},
		{"embedded fields", Embeds{X: 1}, false},
		{"the string option", struct {
			N int `json:",string"`
		}{1}, false},
		{"the omitzero option", struct {
			N int `json:",omitzero"`
		}{1}, false},
		{"a struct of omitempty fields", Everything{}.Omit, true},
		{"an anonymous struct", struct {
			A int `json:"a"`
			B any
		}{1, []int{}}, true},
		{"an empty struct", struct{}{}, true},
		{"a channel", make(chan int), false},
		{"a pointer to a pointer", &pn, true},
		{"a nil json.Marshaler", struct{ M json.Marshaler }{}, true},
		{"a json.Marshaler holding a value", struct{ M json.Marshaler }{ValMarshal{}}, true},
		{"Everything with no embedded fields", struct {
			A, B int
			C    []Everything `json:"c,omitempty"`
		}{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, tt.v); got != tt.fast {
				t.Errorf("Append reported %v, want %v", got, tt.fast)
			}
		})
	}
}

// A cycle is encoding/json's error: Append declines once deep enough.
func TestAppendLeavesCyclesToEncodingJSON(t *testing.T) {
	type node struct {
		Next *node
	}
	n := &node{}
	n.Next = n
	if check(t, n) {
		t.Fatal("Append encoded a cycle")
	}
	m := map[string]any{}
	m["m"] = m
	if check(t, m) {
		t.Fatal("Append encoded a map cycle")
	}
	// Deep but finite: encoding/json encodes it, and so may Append.
	deep := &node{}
	for range 1500 {
		deep = &node{Next: deep}
	}
	check(t, deep)
}

func TestAppendDoesNotAllocateForAStruct(t *testing.T) {
	v := Line{"SKU", 3, 1.5}
	buf := make([]byte, 0, 256)
	Append(buf, v)
	if n := testing.AllocsPerRun(100, func() { Append(buf[:0], &v) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

func FuzzAppend(f *testing.F) {
	f.Add([]byte(`{"a":[1,"x\u2028",{"b":null}],"c":1e21,"d":-0,"e":"\ud800"}`), "s\xff\x00<>", 1.5, int64(-3))
	f.Fuzz(func(t *testing.T, data []byte, s string, fl float64, n int64) {
		var v any
		if json.Unmarshal(data, &v) == nil {
			check(t, v)
		}
		check(t, s)
		check(t, map[string]string{s: s, "k": s})
		check(t, fl)
		check(t, float32(fl))
		check(t, []any{n, uint64(n), fl, s})
		check(t, Line{SKU: s, Qty: uint16(n), Price: fl})
		check(t, Everything{S: s, F64: fl, I: int(n), Any: v})
		check(t, []time.Time{time.Unix(n, int64(fl)).In(time.FixedZone("", int(n%(30*3600))))})
	})
}

func ptr[T any](v T) *T { return &v }
