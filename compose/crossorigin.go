package compose

import (
	"log/slog"
	"net/http"
	"strings"

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
			if err == nil || trusted != nil && trusted.Check(r) == nil {
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

// corsTrust returns a protection that trusts the exact origins the route's
// CORS policy o lists, or nil when it lists none. Patterns and
// AllowOriginFunc are not trusted: they let a page read answers, and a
// sibling subdomain or a func that reflects any origin ("null" included)
// must not thereby be able to act with the user's cookies. Nor is "*".
// net/http's own AddTrustedOrigin matches them, as Check does; an entry it
// refuses is not trusted.
func corsTrust(o *cors.Options) *http.CrossOriginProtection {
	if o == nil {
		return nil
	}
	var trusted *http.CrossOriginProtection
	for _, origin := range o.AllowedOrigins {
		if strings.Contains(origin, "*") {
			continue
		}
		if trusted == nil {
			trusted = http.NewCrossOriginProtection()
		}
		_ = trusted.AddTrustedOrigin(strings.ToLower(origin)) // browsers send it lower-case
	}
	return trusted
}
