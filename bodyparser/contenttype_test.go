package bodyparser

import (
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// TestParseContentTypeMatchesTheNpmVectors checks parseContentType against
// contentTypeVectors (contenttype_vectors_test.go), computed by the npm
// package content-type that Next.js bundles: scripts/vectors regenerates
// them. content-type lower-cases the type and parseContentType does not
// (callers compare with EqualFold), so types are compared that way.
func TestParseContentTypeMatchesTheNpmVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range contentTypeVectors {
		typ, charset, ok := parseContentType(tc.in)
		if !strings.EqualFold(typ, tc.typ) || charset != tc.charset || ok != tc.ok {
			t.Errorf("parseContentType(%q) = %q, %q, %v; content-type gives %q, %q, %v", tc.in, typ, charset, ok, tc.typ, tc.charset, tc.ok)
		}
	}
}

// isToken is the shared token rule, under the name the fuzz tests use.
func isToken(s string) bool { return httptoken.IsToken(s) }
