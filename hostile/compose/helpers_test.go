package compose_test

// A helper these attack tests share with compose's own tests
// (compose/beforebody_test.go, in the library module), copied: a test file
// cannot be imported.

import (
	"net/http"

	"github.com/apiroutes/apiroutes/apierror"
)

// requireToken answers 401 unless the request carries the bearer token.
func requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret" {
			apierror.Write(w, r, apierror.Unauthorized("missing or bad token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
