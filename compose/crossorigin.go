package compose

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/internal/logtext"
	"github.com/apiroutes/apiroutes/internal/reqid"
)

// crossOriginMessage is the 403's message. It quotes nothing of the
// request: RenderText sends it without a Content-Type.
const crossOriginMessage = "Cross-origin request refused: the browser sent it from an origin this route does not trust"

// crossOriginCheck returns the layer that refuses the state-changing
// requests a browser sends from another origin, as cop.Check decides,
// unless the route's CORS policy names their origin. It runs
// net/http's check unchanged and asks CORS only about a request Check
// refused, so a request that passes costs what Check costs.
func (c *Config) crossOriginCheck() func(http.Handler) http.Handler {
	cop := c.CrossOriginProtection
	if cop == nil {
		cop = new(http.CrossOriginProtection) // this chain's own: no one else can change it
	}
	trusted := corsTrust(c.CORS)
	errs, logger := c.Errors, c.Errors.Logger
	refused := apierror.Forbidden(crossOriginMessage) // Render only reads it
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := cop.Check(r)
			if err == nil || trusted != nil && trusted(r) {
				next.ServeHTTP(w, r)
				return
			}
			l := logger
			if l == nil {
				l = slog.Default()
			}
			if l.Enabled(r.Context(), slog.LevelDebug) {
				attrs := make([]slog.Attr, 0, 6)
				attrs = append(attrs, slog.String("method", logtext.Quote(r.Method)), slog.String("path", logtext.Quote(r.URL.Path)))
				attrs = reqid.AppendAttr(r.Context(), attrs)
				attrs = append(attrs,
					slog.String("origin", logtext.Quote(r.Header.Get("Origin"))),
					slog.String("sec_fetch_site", logtext.Quote(r.Header.Get("Sec-Fetch-Site"))),
					slog.String("reason", err.Error()))
				l.LogAttrs(r.Context(), slog.LevelDebug, "compose: cross-origin request refused", attrs...)
			}
			errs.Render(w, r, refused)
		})
	}
}

// corsTrust returns whether the route's CORS policy o names a request's
// origin, or nil when it names none. "*" names no one: it lets any site
// read what the route answers without credentials, which says nothing of
// which sites may make the user's browser change things.
func corsTrust(o *cors.Options) func(*http.Request) bool {
	if o == nil {
		return nil
	}
	named := *o
	named.AllowedOrigins = slices.DeleteFunc(slices.Clone(o.AllowedOrigins), func(s string) bool { return s == "*" })
	if named.AllowOriginFunc == nil && len(named.AllowedOrigins) == 0 {
		return nil
	}
	return named.OriginAllowed()
}
