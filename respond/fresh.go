package respond

import (
	"net/http"

	"github.com/apiroutes/apiroutes/internal/httptoken"
)

// fresh reports whether the client's cached copy, described by the
// request's conditional headers, is still the response tagged etag: the
// algorithm of the npm package fresh 0.5.2 that Next bundles, with no
// Last-Modified on the response. It is only consulted for GET and HEAD
// requests whose response would be 2xx (RFC 9110 §13.1.2, §13.2.1); Next
// consults it for every method and status.
//
// Header values are read as Node presents them: repeated If-None-Match and
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
		return false // an unconditional request
	}
	// An end-to-end reload: the client wants a full response.
	for _, cc := range r.Header["Cache-Control"] {
		if hasNoCache(cc) {
			return false
		}
	}
	if hasNoneMatch && !(len(noneMatch) == 1 && noneMatch[0] == "*") && !matchesETag(noneMatch, etag) {
		return false
	}
	// Without a Last-Modified on the response, fresh always counts an
	// If-Modified-Since as stale, even beside a matching If-None-Match.
	return modifiedSince == ""
}

// hasNoCache reports whether the Cache-Control value v matches
// /(?:^|,)\s*?no-cache\s*?(?:,|$)/: a comma-separated element that is
// exactly "no-cache" once JavaScript white space is trimmed. Case matters.
func hasNoCache(v string) bool {
	for start := 0; start <= len(v); {
		end := start
		for end < len(v) && v[end] != ',' {
			end++
		}
		if httptoken.TrimJS(v[start:end]) == "no-cache" {
			return true
		}
		start = end + 1
	}
	return false
}

// matchesETag reports whether any token of the If-None-Match lines matches
// etag. Tokens are split as fresh's parseTokenList splits them: on commas,
// with spaces (0x20 only) dropped at both ends; a token matches if it is
// etag, or one of the two is the other with a "W/" prefix.
func matchesETag(lines []string, etag string) bool {
	for _, line := range lines {
		start, end := 0, 0
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case ' ':
				if start == end {
					start, end = i+1, i+1
				}
			case ',':
				if tokenMatches(line[start:end], etag) {
					return true
				}
				start, end = i+1, i+1
			default:
				end = i + 1
			}
		}
		if tokenMatches(line[start:end], etag) {
			return true
		}
	}
	return false
}

func tokenMatches(tok, etag string) bool {
	return tok == etag ||
		len(tok) == len(etag)+2 && tok[:2] == "W/" && tok[2:] == etag ||
		len(etag) == len(tok)+2 && etag[:2] == "W/" && etag[2:] == tok
}
