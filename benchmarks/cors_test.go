package benchmarks

import (
	"net/http"
	"strings"
	"testing"
	"time"

	chicors "github.com/go-chi/cors"
	"github.com/gorilla/handlers"
	jub0bs "github.com/jub0bs/cors"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	rscors "github.com/rs/cors"

	"github.com/apiroutes/apiroutes/cors"
)

// The CORS benchmarks compare cors.New, which validates its options and then
// hands every request to github.com/rs/cors, with rs/cors alone ("rscors",
// the floor: ours only adds a method check and, on OPTIONS, a disabled
// debug-log check) and with the other CORS middleware of the ecosystem:
// github.com/go-chi/cors ("chicors"), github.com/gorilla/handlers' CORS
// ("gorilla"), github.com/jub0bs/cors ("jub0bs") and echo's
// middleware.CORSWithConfig ("echo", in an echo.Echo). All six get the same
// policy: one origin, GET, POST and PUT, the request headers Content-Type and
// Authorization, no credentials, and a max age of 10 minutes.

const (
	corsOrigin = "https://app.example.com"
	corsMaxAge = 10 * time.Minute
)

var (
	corsMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut}
	corsHeaders = []string{"Content-Type", "Authorization"}
)

// corsImpls builds each side's middleware around next, in the order the
// benchmarks run (run.sh takes rscors, the first baseline, as the default one).
var corsImpls = []struct {
	name string
	wrap func(next http.Handler) http.Handler
}{
	{"apiroutes", func(next http.Handler) http.Handler {
		// Logger nil is slog.Default(), at Info: the debug log of refused
		// preflights is off, as it is out of the box.
		return cors.New(cors.Options{
			AllowedOrigins: []string{corsOrigin},
			AllowedMethods: corsMethods,
			AllowedHeaders: corsHeaders,
			MaxAge:         corsMaxAge,
		})(next)
	}},
	{"rscors", func(next http.Handler) http.Handler {
		return rscors.New(rscors.Options{
			AllowedOrigins: []string{corsOrigin},
			AllowedMethods: corsMethods,
			AllowedHeaders: corsHeaders,
			MaxAge:         int(corsMaxAge / time.Second),
		}).Handler(next)
	}},
	{"chicors", func(next http.Handler) http.Handler {
		return chicors.Handler(chicors.Options{
			AllowedOrigins: []string{corsOrigin},
			AllowedMethods: corsMethods,
			AllowedHeaders: corsHeaders,
			MaxAge:         int(corsMaxAge / time.Second),
		})(next)
	}},
	{"gorilla", func(next http.Handler) http.Handler {
		return handlers.CORS(
			handlers.AllowedOrigins([]string{corsOrigin}),
			handlers.AllowedMethods(corsMethods),
			handlers.AllowedHeaders(corsHeaders),
			handlers.MaxAge(int(corsMaxAge/time.Second)), // gorilla caps it at 600
		)(next)
	}},
	{"jub0bs", func(next http.Handler) http.Handler {
		mw, err := jub0bs.NewMiddleware(jub0bs.Config{
			Origins:         []string{corsOrigin},
			Methods:         corsMethods,
			RequestHeaders:  corsHeaders,
			MaxAgeInSeconds: int(corsMaxAge / time.Second),
		})
		if err != nil {
			panic(err)
		}
		return mw.Wrap(next)
	}},
	{"echo", func(next http.Handler) http.Handler {
		// echo's middleware runs on an echo.Echo: e.Use wraps whatever the
		// router found, the GET route or, for the preflight, the router's
		// OPTIONS handler, which the middleware answers before it.
		e := echo.New()
		e.Use(echomw.CORSWithConfig(echomw.CORSConfig{
			AllowOrigins: []string{corsOrigin},
			AllowMethods: corsMethods,
			AllowHeaders: corsHeaders,
			MaxAge:       int(corsMaxAge / time.Second),
		}))
		e.GET("/api/orders", echo.WrapHandler(next))
		return e
	}},
}

// corsAnswer is what a side answered one request: the status, the CORS
// response headers, and whether the wrapped handler ran.
type corsAnswer struct {
	status                           int
	allowOrigin, allowMethods, allow string // Access-Control-Allow-{Origin,Methods,Headers}
	maxAge, vary                     string // Access-Control-Max-Age, Vary (lines joined with "; ")
	handlerRan                       bool
}

// corsCase is one request of the benchmarks, and what each side answers it.
// want holds the answers every side gives; differ the sides that answer
// otherwise, each with its own.
type corsCase struct {
	name   string
	method string
	header map[string]string
	want   corsAnswer
	differ map[string]corsAnswer
}

// answer returns what impl answers in case c.
func (c *corsCase) answer(impl string) corsAnswer {
	if a, ok := c.differ[impl]; ok {
		return a
	}
	return c.want
}

// adversarialACRH is an Access-Control-Request-Headers of 1,024 commas and no
// name, as in rs/cors's BenchmarkPreflightAdversarialACRH: a header that
// costs whoever splits it on commas.
var adversarialACRH = strings.Repeat(",", 1024)

// echoPreflight is echo's answer to both preflights: it reads neither
// Access-Control-Request-Method nor Access-Control-Request-Headers.
var echoPreflight = corsAnswer{
	status: http.StatusNoContent, allowOrigin: corsOrigin, allowMethods: "GET,POST,PUT",
	allow: "Content-Type,Authorization", maxAge: "600",
	vary: "Origin; Access-Control-Request-Method; Access-Control-Request-Headers",
}

// corsCases are the requests of BenchmarkCORS. Their differ entries are the
// behavioural differences between the libraries (TestCORSBaselinesAgree
// holds them):
//
//   - Preflight status: 204 for apiroutes, rs/cors, jub0bs/cors and echo; 200
//     for go-chi/cors (not configurable) and gorilla (OptionStatusCode
//     changes it).
//   - Vary on a preflight: rs/cors (so apiroutes) sends one line "Origin,
//     Access-Control-Request-Method, Access-Control-Request-Headers" from a
//     slice built once; go-chi/cors and echo the same three names in three
//     lines;
//     jub0bs/cors v0.11 none (it no longer caters to caches that store
//     OPTIONS responses, which RFC 9110 forbids); gorilla none.
//   - Vary on actual and non-CORS requests: every library but gorilla sends
//     "Vary: Origin", with or without an Origin. gorilla sends it only when
//     more than one origin is allowed, and never on a request without an
//     Origin: a shared cache can then store the no-origin answer (without
//     Access-Control-Allow-Origin) and serve it to the allowed origin,
//     whose browser refuses it.
//   - Access-Control-Allow-Methods on a preflight of PUT: "PUT" (the
//     requested method) everywhere. gorilla leaves it out for GET, HEAD
//     and POST; jub0bs/cors for the safelisted GET, HEAD and POST. echo
//     sends its whole list, "GET,POST,PUT", whatever was requested.
//   - Access-Control-Allow-Headers: rs/cors, apiroutes and jub0bs/cors echo
//     the request's "authorization,content-type"; go-chi/cors canonicalises
//     it into "Authorization, Content-Type", gorilla into
//     "Authorization,Content-Type" (both allocate to do so). echo sends its
//     configured list, "Content-Type,Authorization", without looking at the
//     request's.
//   - Max age: all send 600. gorilla caps MaxAge at 600, so no policy of
//     more than 10 minutes can be written with it.
//   - The adversarial preflight (1,024 commas): rs/cors (so apiroutes) and
//     jub0bs/cors tolerate 16 empty list elements, then stop and refuse
//     it; rs/cors still answers 204, with only its Vary, jub0bs/cors 403
//     with nothing. go-chi/cors scans the whole header (into a slice made
//     for 1,024 names) and gorilla splits it into 1,025 empty strings; both
//     find no name and accept the preflight (200, the origin allowed, no
//     Access-Control-Allow-Headers). echo reads neither the requested
//     method nor the requested headers: it accepts the preflight as any
//     other (204, its method and header lists).
//   - A refused preflight: rs/cors (so apiroutes) answers 204 without
//     Access-Control-Allow-Origin, jub0bs/cors 403, go-chi/cors 200;
//     gorilla 200 for an origin it does not allow, 405 for a method, 403
//     for a header; echo 204, with Vary: Origin alone, for an origin it does
//     not allow, and accepts any method or header requested. Browsers fail
//     all of them alike (for echo, when the method or a header is not in its
//     lists).
var corsCases = []*corsCase{
	{
		name:   "preflight",
		method: http.MethodOptions,
		header: map[string]string{
			"Origin":                         corsOrigin,
			"Access-Control-Request-Method":  http.MethodPut,
			"Access-Control-Request-Headers": "authorization,content-type",
		},
		want: corsAnswer{
			status: http.StatusNoContent, allowOrigin: corsOrigin, allowMethods: http.MethodPut,
			allow: "authorization,content-type", maxAge: "600",
			vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
		},
		differ: map[string]corsAnswer{
			"chicors": {
				status: http.StatusOK, allowOrigin: corsOrigin, allowMethods: http.MethodPut,
				allow: "Authorization, Content-Type", maxAge: "600",
				vary: "Origin; Access-Control-Request-Method; Access-Control-Request-Headers",
			},
			"gorilla": {
				status: http.StatusOK, allowOrigin: corsOrigin, allowMethods: http.MethodPut,
				allow: "Authorization,Content-Type", maxAge: "600",
			},
			"jub0bs": {
				status: http.StatusNoContent, allowOrigin: corsOrigin, allowMethods: http.MethodPut,
				allow: "authorization,content-type", maxAge: "600",
			},
			"echo": echoPreflight,
		},
	},
	{
		name:   "actual",
		method: http.MethodGet,
		header: map[string]string{"Origin": corsOrigin},
		want:   corsAnswer{status: http.StatusOK, allowOrigin: corsOrigin, vary: "Origin", handlerRan: true},
		differ: map[string]corsAnswer{
			"gorilla": {status: http.StatusOK, allowOrigin: corsOrigin, handlerRan: true},
		},
	},
	{
		name:   "no-origin",
		method: http.MethodGet,
		want:   corsAnswer{status: http.StatusOK, vary: "Origin", handlerRan: true},
		differ: map[string]corsAnswer{
			"gorilla": {status: http.StatusOK, handlerRan: true},
		},
	},
	{
		name:   "preflight-adversarial",
		method: http.MethodOptions,
		header: map[string]string{
			"Origin":                         corsOrigin,
			"Access-Control-Request-Method":  http.MethodPut,
			"Access-Control-Request-Headers": adversarialACRH,
		},
		want: corsAnswer{
			status: http.StatusNoContent,
			vary:   "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
		},
		differ: map[string]corsAnswer{
			"chicors": {
				status: http.StatusOK, allowOrigin: corsOrigin, allowMethods: http.MethodPut, maxAge: "600",
				vary: "Origin; Access-Control-Request-Method; Access-Control-Request-Headers",
			},
			"gorilla": {status: http.StatusOK, allowOrigin: corsOrigin, allowMethods: http.MethodPut, maxAge: "600"},
			"jub0bs":  {status: http.StatusForbidden},
			"echo":    echoPreflight,
		},
	},
}

// corsHandler is the handler behind every middleware: it answers 200 with
// no body, and counts its calls so that a benchmark can tell that it ran on
// every actual request and on no preflight.
type corsHandler struct{ calls int }

func (h *corsHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.calls++
	w.WriteHeader(http.StatusOK)
}

// corsFixture is c's request on the harness's fixture: a copy of a template
// into storage made once, served into a discardWriter whose header map is
// cleared, not replaced, between requests. That is the choice among the two
// ways to keep the writer's allocations out of the numbers (rs/cors's own
// benchmarks build b.N writers beforehand, each with a header map holding a
// Content-Type, which b.Loop's unknown count rules out): the cleared map keeps
// its buckets, so that setting the CORS headers allocates no map storage,
// and the clear is a few nanoseconds charged to every side alike.
func corsFixture(c *corsCase) *fixture {
	f := newFixture(c.method, "", nil, false)
	for k, v := range c.header {
		f.tmpl.Header.Set(k, v)
	}
	return f
}

// corsAnswered returns what the last request through f answered, its
// handler having been called calls times out of n requests.
func corsAnswered(f *fixture, calls, n int) corsAnswer {
	h := f.w.header
	return corsAnswer{
		status:       f.w.status,
		allowOrigin:  strings.Join(h.Values("Access-Control-Allow-Origin"), "; "),
		allowMethods: strings.Join(h.Values("Access-Control-Allow-Methods"), "; "),
		allow:        strings.Join(h.Values("Access-Control-Allow-Headers"), "; "),
		maxAge:       strings.Join(h.Values("Access-Control-Max-Age"), "; "),
		vary:         strings.Join(h.Values("Vary"), "; "),
		handlerRan:   calls == n && n > 0,
	}
}

func BenchmarkCORS(b *testing.B) {
	for _, c := range corsCases {
		b.Run(c.name, func(b *testing.B) {
			for _, impl := range corsImpls {
				b.Run(impl.name, func(b *testing.B) {
					next := new(corsHandler)
					h := impl.wrap(next)
					f := corsFixture(c)
					b.ReportAllocs()
					for b.Loop() {
						f.serve(h)
					}
					// The last answer is the expected one, and the handler
					// ran on every request (b.N of them) or on none.
					got, want := corsAnswered(f, next.calls, b.N), c.answer(impl.name)
					if got != want || next.calls != 0 && next.calls != b.N {
						b.Fatalf("answered %+v with the handler called %d times in %d requests, want %+v", got, next.calls, b.N, want)
					}
				})
			}
		})
	}
}

// TestCORSBaselinesAgree makes the comparison fair: every side allows the
// origin on the preflight and on the actual request, and sends no
// Access-Control-Allow-Origin without an Origin. It also holds the
// differences listed at corsCases, so that an upgrade that changes one of
// them shows here.
func TestCORSBaselinesAgree(t *testing.T) {
	for _, c := range corsCases {
		for _, impl := range corsImpls {
			t.Run(c.name+"/"+impl.name, func(t *testing.T) {
				next := new(corsHandler)
				f := corsFixture(c)
				f.serve(impl.wrap(next))
				got := corsAnswered(f, next.calls, 1)
				switch c.name {
				case "preflight", "actual":
					if got.allowOrigin != corsOrigin {
						t.Errorf("Access-Control-Allow-Origin %q, want %q", got.allowOrigin, corsOrigin)
					}
				case "no-origin":
					if got.allowOrigin != "" {
						t.Errorf("Access-Control-Allow-Origin %q, want none", got.allowOrigin)
					}
				}
				if want := c.answer(impl.name); got != want {
					t.Errorf("answered\n\t%+v\nwant\n\t%+v", got, want)
				}
			})
		}
	}
}

// TestCORSNoOriginDoesNotAllocate holds the 0-allocation target of
// BenchmarkCORS/no-origin/apiroutes between benchmark runs.
func TestCORSNoOriginDoesNotAllocate(t *testing.T) {
	for _, c := range corsCases {
		if c.name != "no-origin" {
			continue
		}
		f := corsFixture(c)
		h := corsImpls[0].wrap(new(corsHandler))
		if corsImpls[0].name != "apiroutes" {
			t.Fatalf("corsImpls[0] is %s, want apiroutes", corsImpls[0].name)
		}
		if n := testing.AllocsPerRun(100, func() { f.serve(h) }); n != 0 {
			t.Errorf("%v allocations per request without an Origin, want 0", n)
		}
	}
}
