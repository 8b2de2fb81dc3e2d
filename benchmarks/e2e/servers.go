package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cookies"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/jsoncodec/gojson"
	"github.com/apiroutes/apiroutes/respond"
)

// The two routes every server is measured on: a GET answered with a small
// fixed JSON body (bare, chain), and a POST of payload1KiB decoded into an
// Order and encoded back (json-*).
const (
	helloPath = "/api/hello"
	echoPath  = "/api/echo"
)

// helloBody is what the hello handler writes.
var helloBody = []byte(`{"message":"hello"}`)

// hello is the handler of (a) and (b): the same function, alone or behind
// the compose chain. It does what a small API handler does: sets a
// Content-Type and writes a body.
func hello(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(helloBody)
}

// impl is one server under test.
type impl struct {
	name string
	// post tells the load generator to POST payload1KiB to echoPath;
	// otherwise it GETs helloPath.
	post bool
	// what describes the server in the report.
	what    string
	handler func() http.Handler
}

// full reports whether the server reads a session cookie and answers
// CORS (its name ends in -full): the load generator then sends fullOrigin
// and fullCookie.
func (im impl) full() bool { return strings.HasSuffix(im.name, "-full") }

// The Origin and Cookie the -full servers expect: a browser's request from
// the allowed origin, with a session and two other cookies.
const (
	fullOrigin = "https://app.example"
	fullCookie = "theme=dark; session=s3cr3t-session-id; _ga=GA1.2.3"
)

// echoOrderMux serves json-apiroutes' route under c: the order decoded,
// then sent back.
func echoOrderMux(c compose.Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+echoPath, compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
		o, err := bodyparser.Decode[Order](r)
		if err != nil {
			return err
		}
		return respond.JSON(w, r, http.StatusOK, o)
	}, c))
	return mux
}

// impls are the servers, in the order of the report; the first is the
// baseline of every ratio.
var impls = []impl{
	{"bare", false, "net/http: `ServeMux` → `hello` (Content-Type + 19-byte JSON)", func() http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET "+helloPath, hello)
		return mux
	}},
	{"chain", false, "the same `hello` behind `compose.Route(hello, compose.Config{})` (Recover → responselimit → bodyparser)", func() http.Handler {
		mux := http.NewServeMux()
		mux.Handle("GET "+helloPath, compose.Route(http.HandlerFunc(hello), compose.Config{}))
		return mux
	}},
	{"json-apiroutes", true, "`compose.RouteFunc` → `bodyparser.Decode[Order]` → `respond.JSON(w, r, 200, order)`", func() http.Handler {
		return echoOrderMux(compose.Config{})
	}},
	{"json-apiroutes-gojson", true, "json-apiroutes with goccy/go-json as the route's codec (`apierror.Config{Codec: gojson.Codec{}}`, module jsoncodec/gojson)", func() http.Handler {
		return echoOrderMux(compose.Config{Errors: apierror.Config{Codec: gojson.Codec{}}})
	}},
	{"json-apiroutes-full", true, "the same with compose's CORS (one allowed origin, credentials) and `cookies.Parse(r)[\"session\"]` checked (400 without it); the request carries Origin and Cookie", func() http.Handler {
		mux := http.NewServeMux()
		mux.Handle("POST "+echoPath, compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
			if cookies.Parse(r)["session"] == "" {
				return apierror.BadRequest("no session")
			}
			o, err := bodyparser.Decode[Order](r)
			if err != nil {
				return err
			}
			return respond.JSON(w, r, http.StatusOK, o)
		}, compose.Config{CORS: &cors.Options{AllowedOrigins: []string{fullOrigin}, AllowCredentials: true}}))
		return mux
	}},
	{"json-stdlib", true, "net/http alone: `json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&order)`, `json.NewEncoder(w).Encode(order)`", func() http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST "+echoPath, func(w http.ResponseWriter, r *http.Request) {
			var o Order
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&o); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(o)
		})
		return mux
	}},
	{"json-echo", true, "echo v4: `echo.New()` + `middleware.Recover()`, `c.Bind(&order)`, `c.JSON(200, order)`", func() http.Handler {
		e := echo.New()
		e.Use(echomw.Recover())
		e.POST(echoPath, func(c echo.Context) error {
			var o Order
			if err := c.Bind(&o); err != nil {
				return err
			}
			return c.JSON(http.StatusOK, o)
		})
		return e
	}},
	{"json-echo-full", true, "echo with `middleware.CORSWithConfig` (the same origin, credentials) and `c.Cookie(\"session\")` checked; the request carries Origin and Cookie", func() http.Handler {
		e := echo.New()
		e.Use(echomw.Recover())
		e.Use(echomw.CORSWithConfig(echomw.CORSConfig{AllowOrigins: []string{fullOrigin}, AllowCredentials: true}))
		e.POST(echoPath, func(c echo.Context) error {
			if ck, err := c.Cookie("session"); err != nil || ck.Value == "" {
				return echo.NewHTTPError(http.StatusBadRequest, "no session")
			}
			var o Order
			if err := c.Bind(&o); err != nil {
				return err
			}
			return c.JSON(http.StatusOK, o)
		})
		return e
	}},
	{"json-gin", true, "gin in release mode: `gin.New()` + `gin.Recovery()` (gin.Default without its Logger), `c.ShouldBindJSON(&order)`, `c.JSON(200, order)`", func() http.Handler {
		gin.SetMode(gin.ReleaseMode)
		g := gin.New()
		g.Use(gin.Recovery())
		g.POST(echoPath, func(c *gin.Context) {
			var o Order
			if err := c.ShouldBindJSON(&o); err != nil {
				c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": err.Error()})
				return
			}
			c.JSON(http.StatusOK, o)
		})
		return g
	}},
}

func findImpl(name string) (impl, error) {
	name, _, _ = strings.Cut(name, "@") // json-echo@64KiB is json-echo's server
	for _, im := range impls {
		if im.name == name {
			return im, nil
		}
	}
	return impl{}, fmt.Errorf("unknown -impl %q (want one of %s)", name, implNames())
}

func implNames() string {
	names := make([]string, len(impls))
	for i, im := range impls {
		names[i] = im.name
	}
	return strings.Join(names, ", ")
}

// sortCases sorts case names into the order of the report: the servers in
// their order, then any other name (nextjs) by name.
func sortCases(names []string) {
	pos := func(n string) int {
		for i, im := range impls {
			if im.name == n {
				return i
			}
		}
		return len(impls)
	}
	sort.SliceStable(names, func(i, j int) bool {
		pi, pj := pos(names[i]), pos(names[j])
		if pi != pj {
			return pi < pj
		}
		return names[i] < names[j]
	})
}

// counted counts the requests h serves: the server's side of the
// allocations-per-request figure. One atomic add, the same for every
// server.
type counted struct {
	h http.Handler
	n atomic.Uint64
}

func (c *counted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	c.h.ServeHTTP(w, r)
}
