package benchmarks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// BenchmarkDecode measures bodyparser.Decode alone, on a request the
// middleware has already parsed (its read and validation are not timed),
// against encoding/json decoding the same bytes into the same type:
// json.Unmarshal for mode=loose, a json.Decoder over a bytes.Reader with
// DisallowUnknownFields for mode=strict (Decode's DisallowUnknownFields).
// Issue 21 (item 2): Decode within 1.5× of encoding/json's time and
// allocations on every row, whatever type shape the handler decodes into.
//
// Every body is {"items":...} with as many items as fit in the size. The
// shapes are the ones a decoder of its own is tempted to hand back to
// encoding/json value by value: embedded structs, maps with int keys,
// `,string` fields and interfaces, next to plain structs and deep nesting.
// embeddedEmpty is issue 21's body: {"items":[{},{},...]} into a slice of
// structs with an embedded struct.

type plainAddress struct {
	Street  string `json:"street"`
	City    string `json:"city"`
	Country string `json:"country"`
}

type plainItem struct {
	ID      int64        `json:"id"`
	Name    string       `json:"name"`
	Email   string       `json:"email"`
	Score   float64      `json:"score"`
	Active  bool         `json:"active"`
	Tags    []string     `json:"tags"`
	Address plainAddress `json:"address"`
}

type plainBody struct {
	Items []plainItem `json:"items"`
}

type embeddedBase struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	Owner   string `json:"owner"`
}

type embeddedItem struct {
	embeddedBase
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

type embeddedBody struct {
	Items []embeddedItem `json:"items"`
}

type mapIntValue struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type mapIntBody struct {
	Items map[int]mapIntValue `json:"items"`
}

type stringOptItem struct {
	ID      int64   `json:"id,string"`
	Price   float64 `json:"price,string"`
	InStock bool    `json:"inStock,string"`
	Name    string  `json:"name"`
}

type stringOptBody struct {
	Items []stringOptItem `json:"items"`
}

// extension is a non-empty interface: encoding/json can only store null in
// a nil one, which the bodies send.
type extension interface{ Kind() string }

type ifaceItem struct {
	ID   int64     `json:"id"`
	Data any       `json:"data"`
	Ext  extension `json:"ext"`
}

type ifaceBody struct {
	Items []ifaceItem `json:"items"`
}

type deepNode struct {
	ID   int        `json:"id"`
	Kids []deepNode `json:"kids"`
}

type deepBody struct {
	Items []deepNode `json:"items"`
}

// deepDepth is how deeply each item of the deep shape nests: 20 objects,
// each in an array, so 41 levels below the body's own object.
const deepDepth = 20

func plainItems(n int) []byte {
	b := plainBody{Items: make([]plainItem, n)}
	for i := range b.Items {
		b.Items[i] = plainItem{
			ID: int64(100000 + i), Name: "Zoë Lefèvre", Email: fmt.Sprintf("user%d@example.com", i),
			Score: float64(i%1000) / 7, Active: i%2 == 0, Tags: []string{"web", "gift"},
			Address: plainAddress{Street: "12 rue de la Paix", City: "Paris", Country: "FR"},
		}
	}
	return marshal(b)
}

func embeddedItems(n int) []byte {
	b := embeddedBody{Items: make([]embeddedItem, n)}
	for i := range b.Items {
		b.Items[i] = embeddedItem{embeddedBase{ID: int64(i), Version: 1 + i%4, Owner: "team-a"}, fmt.Sprintf("item %d", i), i%2 == 0}
	}
	return marshal(b)
}

func emptyObjects(n int) []byte {
	return []byte(`{"items":[` + strings.TrimSuffix(strings.Repeat("{},", n), ",") + `]}`)
}

func mapIntItems(n int) []byte {
	b := mapIntBody{Items: make(map[int]mapIntValue, n)}
	for i := range n {
		b.Items[i] = mapIntValue{SKU: fmt.Sprintf("SKU-%06d", i), Quantity: 1 + i%5}
	}
	return marshal(b)
}

func stringOptItems(n int) []byte {
	b := stringOptBody{Items: make([]stringOptItem, n)}
	for i := range b.Items {
		b.Items[i] = stringOptItem{ID: int64(1000 + i), Price: 19.99 + float64(i%100), InStock: i%3 != 0, Name: "Burr grinder"}
	}
	return marshal(b)
}

func ifaceItems(n int) []byte {
	b := ifaceBody{Items: make([]ifaceItem, n)}
	for i := range b.Items {
		b.Items[i] = ifaceItem{ID: int64(i), Data: map[string]any{"kind": "note", "n": i, "flags": []any{true, "x", nil}}}
	}
	return marshal(b)
}

func deepItems(n int) []byte {
	b := deepBody{Items: make([]deepNode, n)}
	for i := range b.Items {
		node := deepNode{ID: deepDepth - 1, Kids: []deepNode{}}
		for d := deepDepth - 2; d >= 0; d-- {
			node = deepNode{ID: d, Kids: []deepNode{node}}
		}
		b.Items[i] = node
	}
	return marshal(b)
}

// bodyOfSize returns the body with the most items that fits in size bytes.
// It searches around the count that one item's length predicts, so that a
// 1 MiB body is built a dozen times, not forty.
func bodyOfSize(build func(n int) []byte, size int) []byte {
	one, many := len(build(1)), len(build(65))
	est := 1 + (size-one)*64/(many-one)
	lo, hi := max(1, est*9/10), est*11/10+1
	if len(build(lo)) > size {
		lo = 1
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(build(mid)) <= size {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return build(lo)
}

// decodeShape is one shape of BenchmarkDecode: the body's bytes at each
// size, and the benchmarks and the check of one decode target type.
type decodeShape struct {
	name  string
	build func(n int) []byte
	// bench runs stdlib and apiroutes on r, whose parsed body is payload.
	bench func(b *testing.B, r *http.Request, payload []byte, strict bool)
	// check decodes r with both sides once and says how they differ.
	check func(r *http.Request, payload []byte, strict bool) error
}

func shape[T any](name string, build func(n int) []byte) decodeShape {
	return decodeShape{
		name:  name,
		build: build,
		bench: func(b *testing.B, r *http.Request, payload []byte, strict bool) {
			benchDecode[T](b, r, payload, strict)
		},
		check: func(r *http.Request, payload []byte, strict bool) error {
			return sameDecode[T](r, payload, strict)
		},
	}
}

var decodeShapes = []decodeShape{
	shape[plainBody]("plain", plainItems),
	shape[embeddedBody]("embedded", embeddedItems),
	shape[embeddedBody]("embeddedEmpty", emptyObjects),
	shape[mapIntBody]("mapInt", mapIntItems),
	shape[stringOptBody]("stringOpt", stringOptItems),
	shape[ifaceBody]("iface", ifaceItems),
	shape[deepBody]("deep", deepItems),
}

var decodeSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}}

// decodePayloads holds each shape's bodies, by shape and size name, built
// once for the test and the benchmarks.
var decodePayloads = sync.OnceValue(func() map[string][]byte {
	m := make(map[string][]byte)
	for _, s := range decodeShapes {
		for _, sz := range decodeSizes {
			m[s.name+"/"+sz.name] = bodyOfSize(s.build, sz.size)
		}
	}
	return m
})

// parsedRequest returns a request the bodyparser middleware has parsed, as
// the handler received it: Decode then only decodes.
func parsedRequest(tb testing.TB, payload []byte) *http.Request {
	tb.Helper()
	var parsed *http.Request
	h := bodyparser.New(bodyparser.Config{SizeLimit: "2mb"})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parsed = r
	}))
	f := newFixture(http.MethodPost, "application/json", payload, false)
	f.serve(h)
	if parsed == nil {
		tb.Fatalf("the middleware answered %d instead of calling the handler", f.w.status)
	}
	return parsed
}

func stdlibDecode[T any](payload []byte, strict bool) (T, error) {
	var v T
	if strict {
		d := json.NewDecoder(bytes.NewReader(payload))
		d.DisallowUnknownFields()
		err := d.Decode(&v)
		return v, err
	}
	err := json.Unmarshal(payload, &v)
	return v, err
}

func apiroutesDecode[T any](r *http.Request, strict bool) (T, error) {
	if strict {
		return bodyparser.Decode[T](r, bodyparser.DisallowUnknownFields)
	}
	return bodyparser.Decode[T](r)
}

// sameDecode reports an error unless both sides decode r's body without an
// error and to the same value.
func sameDecode[T any](r *http.Request, payload []byte, strict bool) error {
	want, err := stdlibDecode[T](payload, strict)
	if err != nil {
		return fmt.Errorf("stdlib: %v", err)
	}
	got, err := apiroutesDecode[T](r, strict)
	if err != nil {
		return fmt.Errorf("apiroutes: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("apiroutes decoded another value than stdlib")
	}
	return nil
}

func benchDecode[T any](b *testing.B, r *http.Request, payload []byte, strict bool) {
	// Checked once, outside the timed loops: both sides decode the value.
	if err := sameDecode[T](r, payload, strict); err != nil {
		b.Fatal(err)
	}
	var sink T
	var err error
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			sink, err = stdlibDecode[T](payload, strict)
		}
		if err != nil {
			b.Fatal(err)
		}
	})
	b.Run("apiroutes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			sink, err = apiroutesDecode[T](r, strict)
		}
		if err != nil {
			b.Fatal(err)
		}
	})
	_ = sink
}

func BenchmarkDecode(b *testing.B) {
	payloads := decodePayloads()
	for _, s := range decodeShapes {
		for _, mode := range []string{"strict", "loose"} {
			for _, sz := range decodeSizes {
				payload := payloads[s.name+"/"+sz.name]
				b.Run("shape="+s.name+"/mode="+mode+"/size="+sz.name, func(b *testing.B) {
					s.bench(b, parsedRequest(b, payload), payload, mode == "strict")
				})
			}
		}
	}
}

// TestDecodeBenchmarksDecodeTheSameValue keeps BenchmarkDecode fair between
// benchmark runs: for every shape, mode and size, Decode and encoding/json
// decode the body without an error and to the same value, and each body
// fills its size to within one item.
func TestDecodeBenchmarksDecodeTheSameValue(t *testing.T) {
	payloads := decodePayloads()
	for _, s := range decodeShapes {
		for _, sz := range decodeSizes {
			payload := payloads[s.name+"/"+sz.name]
			if len(payload) > sz.size || len(payload) < sz.size*3/5 {
				t.Errorf("%s/%s: the body is %d bytes", s.name, sz.name, len(payload))
			}
			for _, strict := range []bool{true, false} {
				if err := s.check(parsedRequest(t, payload), payload, strict); err != nil {
					t.Errorf("%s/%s strict=%v: %v", s.name, sz.name, strict, err)
				}
			}
		}
	}
}
