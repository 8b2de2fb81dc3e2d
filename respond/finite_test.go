package respond_test

import (
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/apiroutes/apiroutes/respond"
)

// JSON.stringify writes NaN and ±Inf as null, and bodyparser.Value holds
// +Inf for a number like 1e400: echoing it must not be a 500.
func TestNonFiniteNumbersInAnInterfaceAreWrittenNull(t *testing.T) {
	t.Parallel()
	inf, ninf, nan := math.Inf(1), math.Inf(-1), math.NaN()
	type echo struct {
		Method string `json:"method"`
		Body   *any   `json:"body,omitempty"`
	}
	body := any(map[string]any{"a": []any{ninf}})
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"a plain +Inf", inf, `null`},
		{"a plain -Inf", ninf, `null`},
		{"a plain NaN", nan, `null`},
		{"a float32", float32(inf), `null`},
		{"in map[string]any", map[string]any{"b": 1.5, "a": inf, "c": nan}, `{"a":null,"b":1.5,"c":null}`},
		{"in []any", []any{1, ninf, "x", nan}, `[1,null,"x",null]`},
		{"nested", map[string]any{"a": []any{map[string]any{"x": []any{inf}}}}, `{"a":[{"x":[null]}]}`},
		{"in a struct's *any, as an echo sends it", echo{"POST", &body}, `{"method":"POST","body":{"a":[null]}}`},
		{"behind pointers and in typed containers", &struct {
			List []map[string]any
			Arr  [2]any
		}{[]map[string]any{{"k": inf}}, [2]any{nan, 2}}, `{"List":[{"k":null}],"Arr":[null,2]}`},
	}
	for _, tc := range cases {
		for _, helper := range []struct {
			name string
			call func(w http.ResponseWriter, r *http.Request, v any) error
		}{
			{"JSON", func(w http.ResponseWriter, r *http.Request, v any) error { return respond.JSON(w, r, 200, v) }},
			{"Send", func(w http.ResponseWriter, r *http.Request, v any) error { return respond.Send(w, r, 200, v) }},
			{"AppRouterJSON", func(w http.ResponseWriter, r *http.Request, v any) error { return respond.AppRouterJSON(w, r, 200, v) }},
		} {
			t.Run(helper.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				rec, err := request("GET", nil, func(w http.ResponseWriter, r *http.Request) error { return helper.call(w, r, tc.v) })
				if err != nil {
					t.Fatalf("%v; want %s", err, tc.want)
				}
				h := map[string]string{"Content-Length": strconv.Itoa(len(tc.want))}
				if helper.name != "AppRouterJSON" {
					h["Etag"] = respond.ETag([]byte(tc.want))
				}
				want{200, tc.want, h}.check(t, rec)
			})
		}
	}
}

func TestWritingNonFiniteNumbersNullLeavesTheValueAsItWas(t *testing.T) {
	t.Parallel()
	inner := []any{math.Inf(1), 2.0}
	v := map[string]any{"a": inner, "b": "x"}
	rec, err := request("GET", nil, func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, v) })
	if err != nil || rec.Body.String() != `{"a":[null,2],"b":"x"}` {
		t.Fatalf("%q, %v", rec.Body, err)
	}
	if !math.IsInf(inner[0].(float64), 1) || !reflect.DeepEqual(v["a"], inner) || len(v) != 2 {
		t.Errorf("the value changed: %v", v)
	}
}

// Only an interface's numbers become null: a typed float that is not finite
// is the handler's own (Decode refuses 1e400 for a float64), and neither
// encoding/json nor anything short of rewriting it can write it; nor are
// values that marshal themselves touched.
func TestNonFiniteNumbersOutsideAnInterfaceAreStillAnError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"a struct field", struct{ X float64 }{math.Inf(1)}},
		{"a []float64 in an interface", []any{[]float64{math.NaN()}}},
		{"a map[string]float64", map[string]float64{"x": math.NaN()}},
		{"a MarshalJSON that fails on one", []any{nanMarshaler{}}},
	} {
		_, err := request("GET", nil, func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, tc.v) })
		if err == nil {
			t.Errorf("%s: no error; want encoding/json's", tc.name)
		}
	}
}

type nanMarshaler struct{}

func (nanMarshaler) MarshalJSON() ([]byte, error) { return json.Marshal(math.NaN()) }
