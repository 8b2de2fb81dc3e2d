package bodyparser_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

// parsed returns a request whose JSON body the middleware has parsed, as a
// handler receives it.
func parsed(t *testing.T, body string) *http.Request {
	t.Helper()
	var got *http.Request
	h := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request{ct: "application/json", body: body}.build())
	if got == nil {
		t.Fatalf("the middleware answered %d %s", rec.Code, rec.Body)
	}
	return got
}

// stdDecode is what a handler would write with encoding/json alone.
func stdDecode[T any](body string, strict bool) (T, error) {
	var v T
	if strict {
		d := json.NewDecoder(strings.NewReader(body))
		d.DisallowUnknownFields()
		err := d.Decode(&v)
		return v, err
	}
	err := json.Unmarshal([]byte(body), &v)
	return v, err
}

func decode[T any](r *http.Request, strict bool) (T, error) {
	if strict {
		return bodyparser.Decode[T](r, bodyparser.DisallowUnknownFields)
	}
	return bodyparser.Decode[T](r)
}

// sameAsEncodingJSON fails t unless Decode gives encoding/json's value and,
// on an error, a 400 with encoding/json's error as apierror.JSONError words it.
func sameAsEncodingJSON[T any](t *testing.T, body string) {
	t.Helper()
	for _, strict := range []bool{false, true} {
		want, wantErr := stdDecode[T](body, strict)
		got, err := decode[T](parsed(t, body), strict)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("strict=%v: Decode = %#v, encoding/json %#v", strict, got, want)
		}
		if (err == nil) != (wantErr == nil) {
			t.Errorf("strict=%v: Decode's error %v, encoding/json's %v", strict, err, wantErr)
			continue
		}
		if err == nil {
			continue
		}
		var ae *apierror.Error
		if !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("strict=%v: Decode's error %v is not a 400", strict, err)
			continue
		}
		// encoding/json up to Go 1.26 has no error type for a ",string"
		// value of the wrong kind: Decode says so in general terms.
		wantMsg := "Invalid JSON: value does not match the expected type"
		if w := apierror.JSONError(wantErr); w != nil {
			wantMsg = w.Message
		}
		if ae.Message != wantMsg {
			t.Errorf("strict=%v: Decode says %q, encoding/json %v", strict, ae.Message, wantErr)
		}
	}
}

type decBase struct {
	ID    int64  `json:"id"`
	Owner string `json:"owner"`
}

type decEmbedded struct {
	decBase
	Name string `json:"name"`
}

type decStringOpt struct {
	ID    int64   `json:"id,string"`
	Price float64 `json:"price,string"`
	OK    bool    `json:"ok,string"`
}

type decKind interface{ Kind() string }

type decIface struct {
	Data any     `json:"data"`
	Ext  decKind `json:"ext"`
}

type decNode struct {
	ID   int       `json:"id"`
	Kids []decNode `json:"kids"`
}

func TestDecodeGivesEncodingJSONsResultOnEveryTypeShape(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"id":1,"kids":[`, 200) + strings.Repeat(`]}`, 200)
	cases := []struct {
		name string
		run  func(t *testing.T, body string)
		body string
	}{
		{"embedded struct", sameAsEncodingJSON[[]decEmbedded], `[{"id":1,"owner":"a","name":"x"},{}]`},
		{"embedded struct, unknown field", sameAsEncodingJSON[[]decEmbedded], `[{"id":1,"nope":2}]`},
		{"embedded struct, wrong type", sameAsEncodingJSON[[]decEmbedded], `[{"id":"1"}]`},
		{"map with int keys", sameAsEncodingJSON[map[int]decBase], `{"1":{"id":1},"-2":{"owner":"b"}}`},
		{"map with int keys, a key that is no int", sameAsEncodingJSON[map[int]decBase], `{"x":{}}`},
		{"map with int keys, unknown field", sameAsEncodingJSON[map[int]decBase], `{"1":{"nope":1}}`},
		{",string fields", sameAsEncodingJSON[decStringOpt], `{"id":"12","price":"1.5","ok":"true"}`},
		{",string field holding a number", sameAsEncodingJSON[decStringOpt], `{"id":12}`},
		{",string field holding another type", sameAsEncodingJSON[decStringOpt], `{"id":"x"}`},
		{"interfaces", sameAsEncodingJSON[decIface], `{"data":{"a":[1,"b",null]},"ext":null}`},
		{"a non-empty interface given an object", sameAsEncodingJSON[decIface], `{"ext":{}}`},
		{"deep nesting", sameAsEncodingJSON[decNode], deep},
		{"deep nesting, unknown field at the bottom", sameAsEncodingJSON[decNode], strings.Replace(deep, `"kids":[]`, `"kids":[],"x":1`, 1)},
		{"bytes as base64", sameAsEncodingJSON[struct{ B []byte }], `{"B":"aGk="}`},
		{"bytes, bad base64", sameAsEncodingJSON[struct{ B []byte }], `{"B":"!"}`},
		{"json.Number", sameAsEncodingJSON[struct{ N json.Number }], `{"N":1e400}`},
		{"an overflow", sameAsEncodingJSON[struct{ N int8 }], `{"N":300}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, tc.body)
		})
	}
}

// failingUnmarshaler's UnmarshalJSON fails and counts its calls in
// failedUnmarshals: Decode makes its own T, so only a global can count.
// Only TestDecodeCallsAFailingUnmarshalJSONOnce uses it.
type failingUnmarshaler struct{}

var failedUnmarshals int

func (*failingUnmarshaler) UnmarshalJSON([]byte) error {
	failedUnmarshals++
	return errors.New("not this one")
}

func TestDecodeCallsAFailingUnmarshalJSONOnce(t *testing.T) {
	r := parsed(t, `{"v":1}`)
	for _, strict := range []bool{false, true} {
		failedUnmarshals = 0
		if _, err := decode[struct {
			V failingUnmarshaler `json:"v"`
		}](r, strict); err == nil {
			t.Errorf("strict=%v: Decode succeeded", strict)
		}
		if failedUnmarshals != 1 {
			t.Errorf("strict=%v: UnmarshalJSON ran %d times, want once", strict, failedUnmarshals)
		}
	}
}

// TestDecodeAllocatesNoMoreThanEncodingJSONOnHandedBackShapes keeps issue
// 21's hostile body cheap: {"items":[{},...]} into structs with an embedded
// struct, 1.75 M allocations against encoding/json's 56 at 1 MB when Decode
// handed each element to encoding/json alone. Allocations are exact where
// time is not: this is BenchmarkDecode's bound (benchmarks/) as a test.
func TestDecodeAllocatesNoMoreThanEncodingJSONOnHandedBackShapes(t *testing.T) {
	body := `{"items":[` + strings.TrimSuffix(strings.Repeat("{},", 4000), ",") + `]}`
	type items struct {
		Items []decEmbedded `json:"items"`
	}
	r := parsed(t, body)
	for _, strict := range []bool{false, true} {
		std := testing.AllocsPerRun(20, func() {
			if _, err := stdDecode[items](body, strict); err != nil {
				t.Fatal(err)
			}
		})
		ours := testing.AllocsPerRun(20, func() {
			if _, err := decode[items](r, strict); err != nil {
				t.Fatal(err)
			}
		})
		if ours > std*1.5 {
			t.Errorf("strict=%v: Decode made %.0f allocations, encoding/json %.0f", strict, ours, std)
		}
	}
}
