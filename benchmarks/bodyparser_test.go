package benchmarks

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// The baseline of each body parser benchmark is what a careful handler does
// with net/http alone: bound the body with http.MaxBytesReader, then read
// it with encoding/json, ParseForm or io.ReadAll.

// Order is a realistic API payload: strings, numbers, a bool, a time, a
// nested object and a list of small objects, whose length sets the size.
type Order struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	Priority   int         `json:"priority"`
	Paid       bool        `json:"paid"`
	CreatedAt  time.Time   `json:"createdAt"`
	Customer   Customer    `json:"customer"`
	Tags       []string    `json:"tags"`
	Lines      []OrderLine `json:"lines"`
	TotalCents int64       `json:"totalCents"`
	Note       string      `json:"note"`
}

type Customer struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Country string `json:"country"`
}

type OrderLine struct {
	SKU         string `json:"sku"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitCents   int64  `json:"unitCents"`
	Taxable     bool   `json:"taxable"`
}

var products = []string{"Espresso beans, 1kg", "Ceramic pour-over dripper", "Paper filters (100)", "Burr grinder", "Milk frother", "Gooseneck kettle"}

func newOrder(lines int) Order {
	o := Order{
		ID:        "ord_01HZX3K9Q2V7",
		Status:    "pending",
		Priority:  2,
		Paid:      true,
		CreatedAt: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
		Customer:  Customer{ID: 48213, Name: "Zoë Lefèvre", Email: "zoe.lefevre@example.com", Country: "FR"},
		Tags:      []string{"web", "gift", "express"},
		Note:      "Leave it at the door, \"please\" — thanks!",
	}
	for i := range lines {
		l := OrderLine{
			SKU:         fmt.Sprintf("SKU-%06d", i),
			Description: products[i%len(products)],
			Quantity:    1 + i%5,
			UnitCents:   199 + int64(i*7919%50000),
			Taxable:     i%3 != 0,
		}
		o.Lines = append(o.Lines, l)
		o.TotalCents += int64(l.Quantity) * l.UnitCents
	}
	return o
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// orderOfSize returns the order with the most lines whose encoding fits in
// size bytes, and that encoding.
func orderOfSize(size int) (Order, []byte) {
	lo, hi := 0, size/64 // lines; each one adds over 64 bytes
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(marshal(newOrder(mid))) <= size {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	o := newOrder(lo)
	return o, marshal(o)
}

type jsonCase struct {
	name    string
	value   Order
	payload []byte
	// The limits of both sides: the default 1mb, or 2mb when the body
	// would not fit in it.
	sizeLimit bodyparser.Size
	maxBytes  int64
}

var jsonCases = sync.OnceValue(func() []jsonCase {
	var cases []jsonCase
	for _, c := range []struct {
		name string
		size int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}} {
		v, p := orderOfSize(c.size)
		jc := jsonCase{name: c.name, value: v, payload: p, maxBytes: 1 << 20}
		if c.size >= 1<<20 {
			jc.sizeLimit, jc.maxBytes = "2mb", 2<<20
		}
		cases = append(cases, jc)
	}
	return cases
})

func (c jsonCase) fixture() *fixture {
	return newFixture(http.MethodPost, "application/json", c.payload, false)
}

func decodeWithAPIRoutes(tb testing.TB, limit bodyparser.Size, out *Order) http.Handler {
	return bodyparser.New(bodyparser.Config{SizeLimit: limit})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := bodyparser.Decode[Order](r)
		if err != nil {
			tb.Fatalf("apiroutes: %v", err)
		}
		*out = v
	}))
}

func decodeWithStdlib(tb testing.TB, maxBytes int64, out *Order) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v Order
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes)).Decode(&v); err != nil {
			tb.Fatalf("stdlib: %v", err)
		}
		*out = v
	})
}

func BenchmarkBodyParserJSON(b *testing.B) {
	for _, c := range jsonCases() {
		b.Run("size="+c.name, func(b *testing.B) {
			var out Order
			b.Run("apiroutes", func(b *testing.B) {
				benchServe(b, c.fixture(), decodeWithAPIRoutes(b, c.sizeLimit, &out), true, 0)
			})
			b.Run("stdlib", func(b *testing.B) {
				benchServe(b, c.fixture(), decodeWithStdlib(b, c.maxBytes, &out), true, 0)
			})
		})
	}
}

// formPayload is a urlencoded body of about 1 KiB in 30 fields, with the
// escapes a browser sends ("+" for a space, %XX for the rest).
var formPayload = sync.OnceValue(func() []byte {
	var b strings.Builder
	for i := range 30 {
		if i > 0 {
			b.WriteByte('&')
		}
		fmt.Fprintf(&b, "field%d=%s", i, url.QueryEscape(fmt.Sprintf("item %02d: café x%d", i, i*37)))
	}
	return []byte(b.String())
})

const formField, formWant = "field7", "item 07: café x259"

func formWithAPIRoutes(out *string) http.Handler {
	return bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*out = bodyparser.Form(r).Get(formField)
	}))
}

func formWithStdlib(tb testing.TB, out *string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			tb.Fatalf("stdlib: %v", err)
		}
		*out = r.PostForm.Get(formField)
	})
}

func BenchmarkBodyParserForm(b *testing.B) {
	fixture := func() *fixture {
		return newFixture(http.MethodPost, "application/x-www-form-urlencoded", formPayload(), false)
	}
	var out string
	b.Run("apiroutes", func(b *testing.B) {
		benchServe(b, fixture(), formWithAPIRoutes(&out), true, 0)
	})
	b.Run("stdlib", func(b *testing.B) {
		benchServe(b, fixture(), formWithStdlib(b, &out), true, 0)
	})
	if out != formWant {
		b.Fatalf("%s = %q, want %q", formField, out, formWant)
	}
}

// textPayload is 1 KiB of plain ASCII text.
var textPayload = sync.OnceValue(func() []byte {
	s := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 1<<10/57+1)
	return []byte(s[:1<<10])
})

func textWithAPIRoutes(out *string) http.Handler {
	return bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*out = bodyparser.Text(r)
	}))
}

func textWithStdlib(tb testing.TB, out *string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			tb.Fatalf("stdlib: %v", err)
		}
		*out = string(b)
	})
}

func BenchmarkBodyParserText(b *testing.B) {
	fixture := func() *fixture { return newFixture(http.MethodPost, "text/plain", textPayload(), false) }
	var out string
	b.Run("apiroutes", func(b *testing.B) {
		benchServe(b, fixture(), textWithAPIRoutes(&out), true, 0)
	})
	b.Run("stdlib", func(b *testing.B) {
		benchServe(b, fixture(), textWithStdlib(b, &out), true, 0)
	})
	if out != string(textPayload()) {
		b.Fatalf("text is %d bytes, want the %d sent", len(out), len(textPayload()))
	}
}

// BenchmarkBodyParserTooLarge is the adversarial case: a 2 MiB chunked body
// (no Content-Length to refuse it early) against the 1mb limit. Both sides
// read limit+1 bytes and answer 413.
func BenchmarkBodyParserTooLarge(b *testing.B) {
	payload := make([]byte, 2<<20)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	fixture := func() *fixture { return newFixture(http.MethodPost, "application/json", payload, true) }
	b.Run("apiroutes", func(b *testing.B) {
		h := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.Fatal("apiroutes: the handler ran for an oversized body")
		}))
		benchServe(b, fixture(), h, false, http.StatusRequestEntityTooLarge)
	})
	b.Run("stdlib", func(b *testing.B) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20)); err == nil {
				b.Fatal("stdlib: read an oversized body")
			}
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		})
		benchServe(b, fixture(), h, false, http.StatusRequestEntityTooLarge)
	})
}

// nothing is a handler that writes nothing, so that BodyParserEmptyGET
// measures the middleware alone.
var nothing = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// BenchmarkBodyParserEmptyGET is the price every bodyless request pays for
// the middleware: it should be a few header lookups and no allocation.
func BenchmarkBodyParserEmptyGET(b *testing.B) {
	fixture := func() *fixture { return newFixture(http.MethodGet, "", nil, false) }
	b.Run("bare", func(b *testing.B) {
		benchServe(b, fixture(), nothing, false, 0)
	})
	b.Run("apiroutes", func(b *testing.B) {
		benchServe(b, fixture(), bodyparser.New(bodyparser.Config{})(nothing), false, 0)
	})
}

// TestBodyParserBenchmarksDecodeTheSameValue makes the comparison fair: for
// every payload, ours and the baseline produce the same value, the one that
// was sent.
func TestBodyParserBenchmarksDecodeTheSameValue(t *testing.T) {
	for _, c := range jsonCases() {
		t.Run("json/size="+c.name, func(t *testing.T) {
			t.Logf("%d bytes, %d lines", len(c.payload), len(c.value.Lines))
			var ours, base Order
			c.fixture().serve(decodeWithAPIRoutes(t, c.sizeLimit, &ours))
			c.fixture().serve(decodeWithStdlib(t, c.maxBytes, &base))
			if !reflect.DeepEqual(ours, base) {
				t.Errorf("apiroutes and stdlib decoded different values")
			}
			if !reflect.DeepEqual(ours, c.value) {
				t.Errorf("apiroutes did not decode the value sent")
			}
		})
	}
	t.Run("form", func(t *testing.T) {
		t.Logf("%d bytes", len(formPayload()))
		var ours, base string
		f := func() *fixture {
			return newFixture(http.MethodPost, "application/x-www-form-urlencoded", formPayload(), false)
		}
		f().serve(formWithAPIRoutes(&ours))
		f().serve(formWithStdlib(t, &base))
		if ours != formWant || base != formWant {
			t.Errorf("%s: apiroutes %q, stdlib %q, want %q", formField, ours, base, formWant)
		}
	})
	t.Run("text", func(t *testing.T) {
		var ours, base string
		f := func() *fixture { return newFixture(http.MethodPost, "text/plain", textPayload(), false) }
		f().serve(textWithAPIRoutes(&ours))
		f().serve(textWithStdlib(t, &base))
		if want := string(textPayload()); ours != want || base != want {
			t.Errorf("apiroutes read %d bytes, stdlib %d, want the %d sent", len(ours), len(base), len(want))
		}
	})
}

// TestBodyParserEmptyGETDoesNotAllocate holds BenchmarkBodyParserEmptyGET's
// target between benchmark runs: a bodyless request costs no allocation.
func TestBodyParserEmptyGETDoesNotAllocate(t *testing.T) {
	f := newFixture(http.MethodGet, "", nil, false)
	h := bodyparser.New(bodyparser.Config{})(nothing)
	if n := testing.AllocsPerRun(100, func() { f.serve(h) }); n != 0 {
		t.Errorf("%v allocations per bodyless request, want 0", n)
	}
}
