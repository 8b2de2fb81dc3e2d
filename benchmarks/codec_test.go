package benchmarks

import (
	"net/http"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/jsoncodec"
	"github.com/apiroutes/apiroutes/jsoncodec/gojson"
	apirespond "github.com/apiroutes/apiroutes/respond"
	"github.com/bytedance/sonic"
)

// BenchmarkCodec measures what a JSON codec buys (issue 22, item 1):
// respond.JSON, bodyparser.Decode and bodyparser.Value with encoding/json
// (std), the goccy/go-json adapter (gojson) and bytedance/sonic (sonic,
// measured here only: see sonicCodec), side by side. The codec is the
// route's: set on an apierror.Recover around the handler, as compose does.
//
//	go test -run '^$' -bench BenchmarkCodec -benchmem -count=6 . | benchstat -col /codec -
func BenchmarkCodec(b *testing.B) {
	codecs := []struct {
		name  string
		codec jsoncodec.Codec
	}{{"std", jsoncodec.Std{}}, {"gojson", gojson.Codec{}}, {"sonic", sonicCodec{}}}

	for _, c := range respondCases() {
		for _, cc := range codecs {
			b.Run("op=respond/size="+c.name+"/codec="+cc.name, func(b *testing.B) {
				h := apierror.Config{Codec: cc.codec}.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if err := apirespond.JSON(w, r, http.StatusOK, c.value); err != nil {
						b.Fatal(err)
					}
				}))
				f := newResponseFixture()
				b.ReportAllocs()
				for b.Loop() {
					f.serve(h, nil)
				}
				if f.w.written != int64(len(c.body)) {
					b.Fatalf("%d bytes, want %d", f.w.written, len(c.body))
				}
			})
		}
	}

	payloads := decodePayloads()
	for _, sz := range decodeSizes {
		payload := payloads["plain/"+sz.name]
		for _, mode := range []string{"loose", "strict"} {
			for _, cc := range codecs {
				b.Run("op=decode/mode="+mode+"/size="+sz.name+"/codec="+cc.name, func(b *testing.B) {
					r := parsedRequestWith(b, payload, cc.codec)
					want, _ := stdlibDecode[plainBody](payload, mode == "strict")
					if got, err := apiroutesDecode[plainBody](r, mode == "strict"); err != nil || len(got.Items) != len(want.Items) {
						b.Fatalf("%v: %d items, want %d", err, len(got.Items), len(want.Items))
					}
					b.SetBytes(int64(len(payload)))
					b.ReportAllocs()
					for b.Loop() {
						_, _ = apiroutesDecode[plainBody](r, mode == "strict")
					}
				})
			}
		}
		// Value is computed once per request: each iteration is a request
		// through the middleware (read and validation, the same for every
		// codec) and one Value.
		for _, cc := range codecs {
			b.Run("op=value/size="+sz.name+"/codec="+cc.name, func(b *testing.B) {
				h := bodyparser.New(bodyparser.Config{SizeLimit: "2mb", Codec: cc.codec})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if v, ok := bodyparser.Value(r); !ok || v == nil {
						b.Fatal("no value")
					}
				}))
				f := newFixture(http.MethodPost, "application/json", payload, false)
				b.SetBytes(int64(len(payload)))
				b.ReportAllocs()
				for b.Loop() {
					f.serve(h)
				}
			})
		}
	}
}

func parsedRequestWith(tb testing.TB, payload []byte, c jsoncodec.Codec) *http.Request {
	tb.Helper()
	var parsed *http.Request
	h := bodyparser.New(bodyparser.Config{SizeLimit: "2mb", Codec: c})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parsed = r
	}))
	f := newFixture(http.MethodPost, "application/json", payload, false)
	f.serve(h)
	if parsed == nil {
		tb.Fatalf("the middleware answered %d instead of calling the handler", f.w.status)
	}
	return parsed
}

// sonicCodec is bytedance/sonic configured like encoding/json without HTML
// escaping, for this comparison only: its errors are not translated into
// encoding/json's, so it is no adapter (see benchmarks/README.md).
type sonicCodec struct{}

var (
	sonicAPI = sonic.Config{
		SortMapKeys: true, CompactMarshaler: true, CopyString: true, ValidateString: true,
	}.Froze()
	sonicStrict = sonic.Config{
		SortMapKeys: true, CompactMarshaler: true, CopyString: true, ValidateString: true, DisallowUnknownFields: true,
	}.Froze()
)

func (sonicCodec) Append(dst []byte, v any) ([]byte, error) {
	b, err := sonicAPI.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

func (sonicCodec) Unmarshal(data []byte, v any) error       { return sonicAPI.Unmarshal(data, v) }
func (sonicCodec) UnmarshalStrict(data []byte, v any) error { return sonicStrict.Unmarshal(data, v) }
