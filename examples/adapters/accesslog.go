package adapters

import (
	"fmt"
	"net/http"

	"github.com/felixge/httpsnoop"
)

// accessLog writes one line per request with httpsnoop: the foreign
// wrapper in front of ServeMux.
func accessLog(a *API, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := httpsnoop.CaptureMetrics(next, w, r)
		fmt.Fprintf(a.AccessLog, "%s %s %d %dB\n", r.Method, r.URL.Path, m.Code, m.Written)
	})
}
