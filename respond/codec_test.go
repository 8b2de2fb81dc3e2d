package respond_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/jsoncodec"
	"github.com/apiroutes/apiroutes/respond"
)

// upperCodec is encoding/json that upper-cases what it writes, to see
// which codec wrote a body.
type upperCodec struct{ jsoncodec.Std }

func (c upperCodec) Append(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	b, err := c.Std.Append(dst, v)
	if err != nil {
		return dst, err
	}
	return append(b[:n], bytes.ToUpper(b[n:])...), nil
}

func TestJSONHelpersUseTheCodecOfTheEnclosingApierrorLayer(t *testing.T) {
	t.Parallel()
	v := map[string]string{"a": "b"}
	for name, send := range map[string]func(w http.ResponseWriter, r *http.Request) error{
		"JSON":          func(w http.ResponseWriter, r *http.Request) error { return respond.JSON(w, r, 200, v) },
		"Send":          func(w http.ResponseWriter, r *http.Request) error { return respond.Send(w, r, 200, v) },
		"AppRouterJSON": func(w http.ResponseWriter, r *http.Request) error { return respond.AppRouterJSON(w, r, 200, v) },
	} {
		h := apierror.Config{Codec: upperCodec{}}.Recover(apierror.HandlerFunc(send))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Body.String() != `{"A":"B"}` {
			t.Errorf("%s under a codec: %s", name, rec.Body)
		}
		rec = httptest.NewRecorder()
		_ = send(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Body.String() != `{"a":"b"}` {
			t.Errorf("%s without a layer: %s", name, rec.Body)
		}
	}
}
