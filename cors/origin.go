package cors

import (
	"net/http"

	rscors "github.com/rs/cors"
)

// OriginAllowed returns the test that the middleware of New(o) applies to a
// request's Origin header: it reports whether o allows that origin,
// through AllowOriginFunc when set, else AllowedOrigins, their wildcards
// and "*" as documented there. A request without an Origin is not
// allowed. The test is compiled once, here, and allocates nothing for an
// exact or wildcard origin. OriginAllowed panics with a "cors: " error when
// o is invalid, as New does.
//
// compose uses it to trust, for its cross-origin protection, the origins a
// route's CORS policy names (see compose.Config).
func (o Options) OriginAllowed() func(r *http.Request) bool {
	p, err := compile(o)
	if err != nil {
		panic(err)
	}
	c := rscors.New(p.rs)
	return func(r *http.Request) bool {
		return r.Header.Get("Origin") != "" && c.OriginAllowed(r)
	}
}
