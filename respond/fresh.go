package respond

import (
	"net/http"
	"strings"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// fresh reports whether the client's cached copy is still the response
// tagged etag: the npm package fresh 0.5.2 that Next bundles, with no
// Last-Modified on the response, and only for GET and HEAD requests whose
// response would be 2xx (RFC 9110 §13.1.2, §13.2.1; Next asks for any).
// Headers are read as Node presents them: repeated If-None-Match and
// Cache-Control lines are one comma-joined list, and only the first
// If-Modified-Since counts.
func fresh(r *http.Request, status int, etag string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || status < 200 || status > 299 {
		return false
	}
	var modifiedSince string
	if v := r.Header["If-Modified-Since"]; len(v) > 0 {
		modifiedSince = v[0]
	}
	noneMatch := r.Header["If-None-Match"]
	// Node joins repeated lines with ", ", so the joined value is empty
	// (falsy) only for a single empty line.
	hasNoneMatch := len(noneMatch) > 1 || len(noneMatch) == 1 && noneMatch[0] != ""
	if modifiedSince == "" && !hasNoneMatch {
		return false
	}
	// Cache-Control matching /(?:^|,)\s*?no-cache\s*?(?:,|$)/ (JavaScript's
	// white space) asks for a full response.
	for _, cc := range r.Header["Cache-Control"] {
		for more := true; more; {
			var tok string
			tok, cc, more = strings.Cut(cc, ",")
			if httptoken.TrimJS(tok) == "no-cache" {
				return false
			}
		}
	}
	if hasNoneMatch && !(len(noneMatch) == 1 && noneMatch[0] == "*") && !matchesETag(noneMatch, etag) {
		return false
	}
	// Without a Last-Modified on the response, fresh counts any
	// If-Modified-Since as stale, even beside a matching If-None-Match.
	return modifiedSince == ""
}

// matchesETag reports whether a token of the If-None-Match lines, split as
// fresh's parseTokenList splits them (on commas, spaces trimmed), is etag,
// or one of the two is the other with a "W/" prefix.
//
// It is deliberately not scanTags (precondition.go), which reads the same
// field by RFC 9110's grammar: a 304 follows Next byte for byte, oddities
// of Node's split included, while a write refused or performed on a
// misread list is an API bug. On a well-formed list they differ only where
// tabs surround a comma or a tag holds one (Next's ETags hold none).
func matchesETag(lines []string, etag string) bool {
	for _, line := range lines {
		for more := true; more; {
			var tok string
			tok, line, more = strings.Cut(line, ",")
			tok = strings.Trim(tok, " ")
			if tok == etag || strings.TrimPrefix(tok, "W/") == etag || strings.TrimPrefix(etag, "W/") == tok {
				return true
			}
		}
	}
	return false
}
