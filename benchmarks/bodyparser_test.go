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

	chimw "github.com/go-chi/chi/v5/middleware"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// The baseline of each body parser benchmark is what a careful handler does
// with net/http alone: bound the body with http.MaxBytesReader, then read
// it with encoding/json, ParseForm or io.ReadAll. BodyParserJSON and
// BodyParserTooLarge also have the body limits of two frameworks: go-chi's
// middleware.RequestSize ("chi", an http.MaxBytesReader set by a
// middleware) and echo's middleware.BodyLimit ("echo", its own counting
// reader, with c.Bind decoding the JSON through an echo.Echo).

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
	// The limits of every side: the default 1mb, or 2mb when the body
	// would not fit in it. echo's limit is written 1MiB: its "1M" is
	// 1,000,000 bytes (github.com/labstack/gommon/bytes), ours 1<<20.
	sizeLimit string
	maxBytes  int64
	echoLimit string
}

var jsonCases = sync.OnceValue(func() []jsonCase {
	var cases []jsonCase
	for _, c := range []struct {
		name string
		size int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}} {
		v, p := orderOfSize(c.size)
		jc := jsonCase{name: c.name, value: v, payload: p, maxBytes: 1 << 20, echoLimit: "1MiB"}
		if c.size >= 1<<20 {
			jc.sizeLimit, jc.maxBytes, jc.echoLimit = "2mb", 2<<20, "2MiB"
		}
		cases = append(cases, jc)
	}
	return cases
})

func (c jsonCase) fixture() *fixture {
	return newFixture(http.MethodPost, "application/json", c.payload, false)
}

func decodeWithAPIRoutes(tb testing.TB, limit string, out *Order) http.Handler {
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

func decodeWithChi(tb testing.TB, maxBytes int64, out *Order) http.Handler {
	return chimw.RequestSize(maxBytes)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v Order
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			tb.Fatalf("chi: %v", err)
		}
		*out = v
	}))
}

// decodeWithEcho is an echo.Echo routing POST /api/orders, through
// BodyLimit, to a handler that binds the body. Binding a POST reads no query
// parameters, and this route has no path parameter: c.Bind is the body's
// JSON, decoded by encoding/json.
func decodeWithEcho(tb testing.TB, limit string, out *Order) http.Handler {
	e := echo.New()
	e.Use(echomw.BodyLimit(limit))
	e.POST("/api/orders", func(c echo.Context) error {
		var v Order
		if err := c.Bind(&v); err != nil {
			tb.Fatalf("echo: %v", err)
		}
		*out = v
		return nil
	})
	return e
}

// jsonImpls are the sides of BodyParserJSON, in the order they run (stdlib,
// the first baseline, is run.sh's default one).
var jsonImpls = []struct {
	name string
	h    func(tb testing.TB, c jsonCase, out *Order) http.Handler
}{
	{"apiroutes", func(tb testing.TB, c jsonCase, out *Order) http.Handler {
		return decodeWithAPIRoutes(tb, c.sizeLimit, out)
	}},
	{"stdlib", func(tb testing.TB, c jsonCase, out *Order) http.Handler {
		return decodeWithStdlib(tb, c.maxBytes, out)
	}},
	{"chi", func(tb testing.TB, c jsonCase, out *Order) http.Handler {
		return decodeWithChi(tb, c.maxBytes, out)
	}},
	{"echo", func(tb testing.TB, c jsonCase, out *Order) http.Handler {
		return decodeWithEcho(tb, c.echoLimit, out)
	}},
}

func BenchmarkBodyParserJSON(b *testing.B) {
	for _, c := range jsonCases() {
		b.Run("size="+c.name, func(b *testing.B) {
			for _, impl := range jsonImpls {
				b.Run(impl.name, func(b *testing.B) {
					// Every side writes nothing on success (status 0),
					// and the last request decoded the value sent.
					var out Order
					benchServe(b, c.fixture(), impl.h(b, c, &out), true, 0)
					if !reflect.DeepEqual(out, c.value) {
						b.Fatalf("%s did not decode the value sent", impl.name)
					}
				})
			}
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

// tooLargePayload is 2 MiB of letters. It is not JSON: a decoder would stop
// at its first byte (400), so the baselines' handlers read it with
// io.ReadAll, as stdlib's does, to reach the limit.
var tooLargePayload = sync.OnceValue(func() []byte {
	payload := make([]byte, 2<<20)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	return payload
})

func tooLargeFixture() *fixture {
	return newFixture(http.MethodPost, "application/json", tooLargePayload(), true)
}

// tooLargeImpls are the sides of BodyParserTooLarge, each with a limit of
// 1 MiB. On the chunked body, only ours refuses it before the handler; the
// others hand the handler a reader that fails past the limit. stdlib's and
// chi's handler then write the 413; echo's returns the reader's error,
// echo.ErrStatusRequestEntityTooLarge, which echo's error handler answers
// (413, and a JSON message). echo's BodyLimit refuses a body before the
// handler only on its Content-Length, which this body has none of.
var tooLargeImpls = []struct {
	name string
	h    func(tb testing.TB) http.Handler
}{
	{"apiroutes", func(tb testing.TB) http.Handler {
		return bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tb.Fatal("apiroutes: the handler ran for an oversized body")
		}))
	}},
	{"stdlib", func(tb testing.TB) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20)); err == nil {
				tb.Fatal("stdlib: read an oversized body")
			}
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		})
	}},
	{"chi", func(tb testing.TB) http.Handler {
		return chimw.RequestSize(1 << 20)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err == nil {
				tb.Fatal("chi: read an oversized body")
			}
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}))
	}},
	{"echo", func(tb testing.TB) http.Handler {
		e := echo.New()
		e.Use(echomw.BodyLimit("1MiB"))
		e.POST("/api/orders", func(c echo.Context) error {
			_, err := io.ReadAll(c.Request().Body)
			if err == nil {
				tb.Fatal("echo: read an oversized body")
			}
			return err
		})
		return e
	}},
}

// BenchmarkBodyParserTooLarge is the adversarial case: a 2 MiB chunked body
// (no Content-Length to refuse it early) against the 1mb limit. Every side
// reads past the limit (ours and http.MaxBytesReader limit+1 bytes, echo's
// reader to the end of the Read that crosses it) and answers 413.
func BenchmarkBodyParserTooLarge(b *testing.B) {
	for _, impl := range tooLargeImpls {
		b.Run(impl.name, func(b *testing.B) {
			benchServe(b, tooLargeFixture(), impl.h(b), false, http.StatusRequestEntityTooLarge)
		})
	}
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
// every payload, ours and the baselines produce the same value, the one that
// was sent, and every side answers the oversized body 413.
func TestBodyParserBenchmarksDecodeTheSameValue(t *testing.T) {
	for _, c := range jsonCases() {
		t.Run("json/size="+c.name, func(t *testing.T) {
			t.Logf("%d bytes, %d lines", len(c.payload), len(c.value.Lines))
			var ours Order
			c.fixture().serve(decodeWithAPIRoutes(t, c.sizeLimit, &ours))
			if !reflect.DeepEqual(ours, c.value) {
				t.Errorf("apiroutes did not decode the value sent")
			}
			for _, impl := range jsonImpls[1:] {
				var base Order
				f := c.fixture()
				f.serve(impl.h(t, c, &base))
				if !reflect.DeepEqual(ours, base) {
					t.Errorf("apiroutes and %s decoded different values", impl.name)
				}
				if f.w.status != 0 {
					t.Errorf("%s: status %d, want none written", impl.name, f.w.status)
				}
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
	t.Run("too-large", func(t *testing.T) {
		for _, impl := range tooLargeImpls {
			f := tooLargeFixture()
			f.serve(impl.h(t))
			if f.w.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: status %d, want 413", impl.name, f.w.status)
			}
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
