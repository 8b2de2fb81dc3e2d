package bodyparser_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// namingCodec is encoding/json whose decoded strings say which codec
// decoded them.
type namingCodec struct {
	jsoncodec.Std
	name string
}

func (c namingCodec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*struct{ S string }); ok {
		p.S = c.name
		return nil
	}
	if p, ok := v.(*any); ok {
		*p = c.name
		return nil
	}
	return c.Std.Unmarshal(data, v)
}

func TestDecodeAndValueUseTheConfigsCodecElseTheEnclosingLayers(t *testing.T) {
	t.Parallel()
	var got, gotValue string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := bodyparser.Decode[struct{ S string }](r)
		if err != nil {
			t.Error(err)
		}
		got = v.S
		a, _ := bodyparser.Value(r)
		gotValue, _ = a.(string)
	})
	for _, tc := range []struct {
		name string
		h    http.Handler
		want string
	}{
		{"no codec", bodyparser.New(bodyparser.Config{})(handler), "std"},
		{"the Config's", bodyparser.New(bodyparser.Config{Codec: namingCodec{name: "body"}})(handler), "body"},
		{"the enclosing layer's", apierror.Config{Codec: namingCodec{name: "chain"}}.Recover(bodyparser.New(bodyparser.Config{})(handler)), "chain"},
		{"the Config's over the layer's", apierror.Config{Codec: namingCodec{name: "chain"}}.Recover(
			bodyparser.New(bodyparser.Config{Codec: namingCodec{name: "body"}})(handler)), "body"},
	} {
		got, gotValue = "", ""
		rec := httptest.NewRecorder()
		tc.h.ServeHTTP(rec, request{ct: "application/json", body: `{"S":"std"}`}.build())
		if tc.want == "std" {
			if got != "std" {
				t.Errorf("%s: Decode gave %q", tc.name, got)
			}
			continue
		}
		if got != tc.want || gotValue != tc.want {
			t.Errorf("%s: Decode gave %q, Value %q, want %q", tc.name, got, gotValue, tc.want)
		}
	}
}
