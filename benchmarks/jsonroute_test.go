package benchmarks

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cookies"
	"github.com/apiroutes/apiroutes/cors"
	apirespond "github.com/apiroutes/apiroutes/respond"
)

// The JSONRoute benchmarks measure a whole JSON route in process: a POST of
// an order decoded into an Order and sent back as JSON, the work of
// benchmarks/e2e's json-* servers without the connection. At 1 KiB, 64 KiB
// and 1 MiB, the cases and limits of BodyParserJSON (echo and gin have no
// body limit here, as in e2e), on:
//
//   - stdlib: json.NewDecoder(http.MaxBytesReader(...)).Decode and
//     json.NewEncoder(w).Encode;
//   - apiroutes: compose.RouteFunc, bodyparser.Decode, respond.JSON (Next's
//     1mb limit, 400 before the handler, ETag, Content-Length);
//   - echo: echo.New() + middleware.Recover(), c.Bind, c.JSON;
//   - gin: gin.New() + gin.Recovery(), c.ShouldBindJSON, c.JSON;
//
// and, as chain=cors-cookies, apiroutes with compose's CORS on and a
// session cookie read with cookies.Parse, against echo with
// middleware.CORS and c.Cookie (the request carries an Origin and a Cookie
// header). The names are Benchmark<family>/<case>/<impl>, as run.sh reads
// them.

const (
	routeOrigin = "https://app.example"
	routeCookie = "theme=dark; session=s3cr3t-session-id; _ga=GA1.2.3"
)

var jsonRouteImpls = []struct {
	name string // the impl
	full bool   // chain=cors-cookies: the request carries Origin and Cookie
	h    func(tb testing.TB, c jsonCase) http.Handler
}{
	{"stdlib", false, func(tb testing.TB, c jsonCase) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var o Order
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, c.maxBytes)).Decode(&o); err != nil {
				tb.Fatalf("stdlib: %v", err)
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(o)
		})
	}},
	{"apiroutes", false, func(tb testing.TB, c jsonCase) http.Handler {
		return compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
			o, err := bodyparser.Decode[Order](r)
			if err != nil {
				tb.Fatalf("apiroutes: %v", err)
			}
			return apirespond.JSON(w, r, http.StatusOK, o)
		}, compose.Config{Body: bodyparser.Config{SizeLimit: c.sizeLimit}})
	}},
	{"apiroutes", true, func(tb testing.TB, c jsonCase) http.Handler {
		return compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
			if cookies.Parse(r)["session"] == "" {
				tb.Fatal("apiroutes: no session cookie")
			}
			o, err := bodyparser.Decode[Order](r)
			if err != nil {
				tb.Fatalf("apiroutes: %v", err)
			}
			return apirespond.JSON(w, r, http.StatusOK, o)
		}, compose.Config{Body: bodyparser.Config{SizeLimit: c.sizeLimit}, CORS: &cors.Options{AllowedOrigins: []string{routeOrigin}, AllowCredentials: true}})
	}},
	{"echo", false, func(tb testing.TB, c jsonCase) http.Handler {
		e := echo.New()
		e.Use(echomw.Recover())
		e.POST("/api/orders", func(c echo.Context) error {
			var o Order
			if err := c.Bind(&o); err != nil {
				tb.Fatalf("echo: %v", err)
			}
			return c.JSON(http.StatusOK, o)
		})
		return e
	}},
	{"echo", true, func(tb testing.TB, c jsonCase) http.Handler {
		e := echo.New()
		e.Use(echomw.Recover())
		e.Use(echomw.CORSWithConfig(echomw.CORSConfig{AllowOrigins: []string{routeOrigin}, AllowCredentials: true}))
		e.POST("/api/orders", func(c echo.Context) error {
			if ck, err := c.Cookie("session"); err != nil || ck.Value == "" {
				tb.Fatal("echo: no session cookie")
			}
			var o Order
			if err := c.Bind(&o); err != nil {
				tb.Fatalf("echo: %v", err)
			}
			return c.JSON(http.StatusOK, o)
		})
		return e
	}},
	{"gin", false, func(tb testing.TB, c jsonCase) http.Handler {
		gin.SetMode(gin.ReleaseMode)
		g := gin.New()
		g.Use(gin.Recovery())
		g.POST("/api/orders", func(c *gin.Context) {
			var o Order
			if err := c.ShouldBindJSON(&o); err != nil {
				tb.Fatalf("gin: %v", err)
			}
			c.JSON(http.StatusOK, o)
		})
		return g
	}},
}

func BenchmarkJSONRoute(b *testing.B) {
	for _, c := range jsonCases() {
		b.Run("size="+c.name, func(b *testing.B) {
			for _, impl := range jsonRouteImpls {
				b.Run(jsonRouteChain(impl.full)+"/"+impl.name, func(b *testing.B) {
					f := c.fixture()
					if impl.full {
						f.tmpl.Header.Set("Origin", routeOrigin)
						f.tmpl.Header.Set("Cookie", routeCookie)
					}
					benchServe(b, f, impl.h(b, c), true, http.StatusOK)
				})
			}
		})
	}
}

func jsonRouteChain(full bool) string {
	if full {
		return "chain=cors-cookies"
	}
	return "chain=default"
}

// TestJSONRouteSidesAgree makes the comparison fair: every side answers 200
// with the order it was sent, as JSON, and the full sides with CORS headers.
func TestJSONRouteSidesAgree(t *testing.T) {
	for _, c := range jsonCases() {
		for _, impl := range jsonRouteImpls {
			t.Run(c.name+"/"+jsonRouteChain(impl.full)+"/"+impl.name, func(t *testing.T) {
				f := c.fixture()
				if impl.full {
					f.tmpl.Header.Set("Origin", routeOrigin)
					f.tmpl.Header.Set("Cookie", routeCookie)
				}
				rec := newRecordingWriter()
				*f.req = *f.tmpl
				f.req.Body = f.body
				impl.h(t, c).ServeHTTP(rec, f.req)
				var got Order
				if err := json.Unmarshal(rec.body, &got); err != nil || rec.status != http.StatusOK {
					t.Fatalf("status %d, body %q: %v", rec.status, rec.body, err)
				}
				want, _ := json.Marshal(c.value)
				if again, _ := json.Marshal(got); string(again) != string(want) {
					t.Errorf("answered a different order:\n%s\nwant\n%s", again, want)
				}
				if impl.full && rec.header.Get("Access-Control-Allow-Origin") != routeOrigin {
					t.Errorf("no CORS header: %v", rec.header)
				}
			})
		}
	}
}

// recordingWriter keeps what a handler wrote.
type recordingWriter struct {
	header http.Header
	status int
	body   []byte
}

func newRecordingWriter() *recordingWriter { return &recordingWriter{header: make(http.Header)} }

func (w *recordingWriter) Header() http.Header { return w.header }

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
