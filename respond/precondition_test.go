package respond

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
)

// The table of RFC 9110 §8.8.3.2, both ways round, and the cases around it.
func TestETagComparisonFollowsTheRFC9110Table(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b         string
		strong, weak bool
	}{
		{`W/"1"`, `W/"1"`, false, true},
		{`W/"1"`, `W/"2"`, false, false},
		{`W/"1"`, `"1"`, false, true},
		{`"1"`, `"1"`, true, true},
		{`"1"`, `"2"`, false, false},
		{`""`, `""`, true, true},
		{`"a,b"`, `"a,b"`, true, true},
		{"\"\x80\xff\"", "\"\x80\xff\"", true, true},
	}
	for _, c := range cases {
		for _, pair := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
			cur, err := parseCurrent(pair[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, strong := range []bool{true, false} {
				want := map[bool]bool{true: c.strong, false: c.weak}[strong]
				if got := scanTags([]string{pair[1]}, cur, strong) == listMatch; got != want {
					t.Errorf("%s vs %s, strong %v: match %v; want %v", pair[0], pair[1], strong, got, want)
				}
			}
		}
	}
}

func TestCheckFollowsRFC9110(t *testing.T) {
	t.Parallel()
	const cur = `"v2"`
	lastModified := time.Date(2025, 3, 14, 9, 26, 53, 500_000_000, time.UTC) // sent as 09:26:53
	existing := Preconditions{ETag: cur}
	dated := Preconditions{ETag: cur, LastModified: lastModified}
	onlyDated := Preconditions{LastModified: lastModified}
	weak := Preconditions{ETag: `W/"v2"`}
	absent := Preconditions{}
	type hdr = map[string][]string
	cases := []struct {
		name   string
		method string // PATCH unless set
		p      Preconditions
		header hdr
		want   error // nil, or one of Check's errors
	}{
		{name: "an unconditional request passes", p: existing},
		{name: "an unconditional request to nothing passes", p: absent},

		// If-Match: strong comparison (§13.1.1)
		{name: "If-Match with the current tag passes", p: existing, header: hdr{"If-Match": {cur}}},
		{name: "If-Match with another tag fails", p: existing, header: hdr{"If-Match": {`"v1"`}}, want: errIfMatch},
		{name: "If-Match with the weak form of a strong tag fails", p: existing, header: hdr{"If-Match": {`W/"v2"`}}, want: errIfMatch},
		{name: "If-Match with a weak tag never matches a weak current tag", p: weak, header: hdr{"If-Match": {`W/"v2"`}}, want: errIfMatch},
		{name: "If-Match with the strong form of a weak current tag fails", p: weak, header: hdr{"If-Match": {cur}}, want: errIfMatch},
		{name: "If-Match is case-sensitive", p: existing, header: hdr{"If-Match": {`"V2"`}}, want: errIfMatch},
		{name: "If-Match * passes when the resource exists", p: existing, header: hdr{"If-Match": {"*"}}},
		{name: "If-Match * passes for a weak current tag", p: weak, header: hdr{"If-Match": {"*"}}},
		{name: "If-Match * passes for a resource with a date only", p: onlyDated, header: hdr{"If-Match": {" * "}}},
		{name: "If-Match * fails when the resource does not exist", p: absent, header: hdr{"If-Match": {"*"}}, want: errIfMatchStar},
		{name: "If-Match with a tag fails when the resource does not exist", p: absent, header: hdr{"If-Match": {cur}}, want: errIfMatch},
		{name: "If-Match against no ETag fails", p: onlyDated, header: hdr{"If-Match": {cur}}, want: errIfMatch},
		{name: "If-Match list with the tag last passes", p: existing, header: hdr{"If-Match": {`"a", "b", ` + cur}}},
		{name: "If-Match list without spaces passes", p: existing, header: hdr{"If-Match": {`"a",` + cur + `,"b"`}}},
		{name: "If-Match list with tabs and empty elements passes", p: existing, header: hdr{"If-Match": {",\t, \"a\" ,,\t" + cur + "\t,"}}},
		{name: "If-Match lines form one list", p: existing, header: hdr{"If-Match": {`"a"`, `"b", ` + cur}}},
		{name: "If-Match list without the tag fails", p: existing, header: hdr{"If-Match": {`"a", W/"v2", "v22"`}}, want: errIfMatch},
		{name: "If-Match tag holding a comma matches whole", p: Preconditions{ETag: `"a,b"`}, header: hdr{"If-Match": {`"x", "a,b"`}}},
		{name: "If-Match tag holding a comma is not split", p: Preconditions{ETag: `"a"`}, header: hdr{"If-Match": {`"a,b"`}}, want: errIfMatch},
		{name: "empty If-Match lists no tag and fails", p: existing, header: hdr{"If-Match": {""}}, want: errIfMatch},
		{name: "If-Match of commas lists no tag and fails", p: existing, header: hdr{"If-Match": {" , ,"}}, want: errIfMatch},

		// Malformed lists fail whatever they list.
		{name: "unquoted If-Match fails", p: existing, header: hdr{"If-Match": {"v2"}}, want: errIfMatchSyntax},
		{name: "lower-case w/ fails", p: weak, header: hdr{"If-Match": {`w/"v2"`}}, want: errIfMatchSyntax},
		{name: "an unterminated tag fails", p: existing, header: hdr{"If-Match": {`"v2`}}, want: errIfMatchSyntax},
		{name: "tags without a comma fail", p: existing, header: hdr{"If-Match": {cur + ` "a"`}}, want: errIfMatchSyntax},
		{name: "text after a tag fails", p: existing, header: hdr{"If-Match": {cur + `x`}}, want: errIfMatchSyntax},
		{name: "a space inside a tag fails", p: Preconditions{ETag: `"a"`}, header: hdr{"If-Match": {`"a b"`}}, want: errIfMatchSyntax},
		{name: "a control byte inside a tag fails", p: existing, header: hdr{"If-Match": {"\"v\x012\""}}, want: errIfMatchSyntax},
		{name: "DEL inside a tag fails", p: existing, header: hdr{"If-Match": {"\"v\x7f\""}}, want: errIfMatchSyntax},
		{name: "a match before junk fails", p: existing, header: hdr{"If-Match": {cur + `, junk`}}, want: errIfMatchSyntax},
		{name: "a match after junk fails", p: existing, header: hdr{"If-Match": {`junk, ` + cur}}, want: errIfMatchSyntax},
		{name: "junk on another line fails", p: existing, header: hdr{"If-Match": {cur, `junk`}}, want: errIfMatchSyntax},
		{name: "* beside a tag fails", p: existing, header: hdr{"If-Match": {`*, ` + cur}}, want: errIfMatchSyntax},
		{name: "* twice fails", p: existing, header: hdr{"If-Match": {"*", "*"}}, want: errIfMatchSyntax},
		{name: "* with text fails", p: existing, header: hdr{"If-Match": {"*x"}}, want: errIfMatchSyntax},

		// If-Unmodified-Since (§13.1.4): one-second resolution, ignored when invalid
		{name: "the same second passes", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:53 GMT"}}},
		{name: "a later date passes", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:54 GMT"}}},
		{name: "the second before fails", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT"}}, want: errModified},
		{name: "an RFC 850 date is read", p: dated, header: hdr{"If-Unmodified-Since": {"Friday, 14-Mar-25 09:26:52 GMT"}}, want: errModified},
		{name: "an RFC 850 date of the same second passes", p: dated, header: hdr{"If-Unmodified-Since": {"Friday, 14-Mar-25 09:26:53 GMT"}}},
		{name: "an asctime date is read", p: dated, header: hdr{"If-Unmodified-Since": {"Fri Mar 14 09:26:52 2025"}}, want: errModified},
		{name: "an asctime date with a one-digit day is read", p: Preconditions{LastModified: time.Date(2025, 3, 4, 9, 0, 1, 0, time.UTC)}, header: hdr{"If-Unmodified-Since": {"Tue Mar  4 09:00:00 2025"}}, want: errModified},
		{name: "a date only is enough", p: onlyDated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT"}}, want: errModified},
		{name: "an invalid date is ignored", p: dated, header: hdr{"If-Unmodified-Since": {"yesterday"}}},
		{name: "an ISO date is ignored", p: dated, header: hdr{"If-Unmodified-Since": {"2000-01-01T00:00:00Z"}}},
		{name: "an RFC 850 date out of GMT is ignored", p: dated, header: hdr{"If-Unmodified-Since": {"Friday, 14-Mar-25 09:26:52 PST"}}},
		{name: "an IMF date out of GMT is ignored", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 UTC"}}},
		{name: "a list of dates is ignored", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT, Fri, 14 Mar 2025 09:26:52 GMT"}}},
		{name: "two date lines are ignored", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT", "Fri, 14 Mar 2025 09:26:52 GMT"}}},
		{name: "a huge date is ignored", p: dated, header: hdr{"If-Unmodified-Since": {strings.Repeat("Fri, 14 Mar 2025 09:26:52 GMT ", 1000)}}},
		{name: "a date without Last-Modified is ignored", p: existing, header: hdr{"If-Unmodified-Since": {"Sat, 01 Jan 2000 00:00:00 GMT"}}},
		{name: "a date for nothing is ignored", p: absent, header: hdr{"If-Unmodified-Since": {"Sat, 01 Jan 2000 00:00:00 GMT"}}},

		// Precedence (§13.2.2)
		{name: "If-Match passing wins over a failing date", p: dated, header: hdr{"If-Match": {cur}, "If-Unmodified-Since": {"Sat, 01 Jan 2000 00:00:00 GMT"}}},
		{name: "If-Match failing wins over a passing date", p: dated, header: hdr{"If-Match": {`"v1"`}, "If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:54 GMT"}}, want: errIfMatch},
		{name: "If-Match fails before If-None-Match", p: existing, header: hdr{"If-Match": {`"v1"`}, "If-None-Match": {cur}}, want: errIfMatch},
		{name: "If-None-Match is read after a passing If-Match", p: existing, header: hdr{"If-Match": {cur}, "If-None-Match": {cur}}, want: errIfNoneMatch},
		{name: "If-None-Match is read after a passing date", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:53 GMT"}, "If-None-Match": {"*"}}, want: errIfNoneMatchStar},
		{name: "a failing date comes before If-None-Match", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT"}, "If-None-Match": {"*"}}, want: errModified},

		// If-None-Match on unsafe methods: weak comparison (§13.1.2)
		{name: "If-None-Match * on nothing passes (create-only PUT)", method: "PUT", p: absent, header: hdr{"If-None-Match": {"*"}}},
		{name: "If-None-Match * on a resource fails", method: "PUT", p: existing, header: hdr{"If-None-Match": {"*"}}, want: errIfNoneMatchStar},
		{name: "If-None-Match * on a dated resource fails", method: "PUT", p: onlyDated, header: hdr{"If-None-Match": {"*"}}, want: errIfNoneMatchStar},
		{name: "If-None-Match with the tag fails", p: existing, header: hdr{"If-None-Match": {cur}}, want: errIfNoneMatch},
		{name: "If-None-Match with the weak form fails", p: existing, header: hdr{"If-None-Match": {`"a", W/"v2"`}}, want: errIfNoneMatch},
		{name: "If-None-Match with the strong form of a weak tag fails", p: weak, header: hdr{"If-None-Match": {cur}}, want: errIfNoneMatch},
		{name: "If-None-Match with other tags passes", p: existing, header: hdr{"If-None-Match": {`"v1", W/"v3"`}}},
		{name: "If-None-Match with a tag on nothing passes", p: absent, header: hdr{"If-None-Match": {cur}}},
		{name: "an empty If-None-Match passes", p: existing, header: hdr{"If-None-Match": {""}}},
		{name: "a malformed If-None-Match fails", p: existing, header: hdr{"If-None-Match": {"v1"}}, want: errIfNoneMatchSyntax},
		{name: "If-None-Match * beside a tag fails", method: "PUT", p: absent, header: hdr{"If-None-Match": {`"a", *`}}, want: errIfNoneMatchSyntax},
		{name: "If-None-Match on POST is read", method: "POST", p: existing, header: hdr{"If-None-Match": {cur}}, want: errIfNoneMatch},
		{name: "If-None-Match on DELETE is read", method: "DELETE", p: existing, header: hdr{"If-None-Match": {"*"}}, want: errIfNoneMatchStar},

		// CONNECT, OPTIONS and TRACE: ignored (§13.2.1)
		{name: "If-None-Match on OPTIONS is ignored", method: "OPTIONS", p: existing, header: hdr{"If-None-Match": {cur}}},
		{name: "If-Match on OPTIONS is ignored", method: "OPTIONS", p: existing, header: hdr{"If-Match": {`"v1"`}}},
		{name: "If-Match on TRACE is ignored", method: "TRACE", p: absent, header: hdr{"If-Match": {"*"}}},
		{name: "If-Unmodified-Since on CONNECT is ignored", method: "CONNECT", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT"}}},

		// Safe methods: If-Match and the date apply, If-None-Match is the response's
		{name: "If-None-Match on GET is left to the response", method: "GET", p: existing, header: hdr{"If-None-Match": {cur}}},
		{name: "If-None-Match * on HEAD is left to the response", method: "HEAD", p: existing, header: hdr{"If-None-Match": {"*"}}},
		{name: "a malformed If-None-Match on GET is left to the response", method: "GET", p: existing, header: hdr{"If-None-Match": {"v1"}}},
		{name: "If-Match on GET fails", method: "GET", p: existing, header: hdr{"If-Match": {`"v1"`}}, want: errIfMatch},
		{name: "If-Unmodified-Since on HEAD fails", method: "HEAD", p: dated, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:52 GMT"}}, want: errModified},

		// Required: 428 for unsafe requests without a precondition (RFC 6585)
		{name: "Required refuses an unconditional PATCH", p: Preconditions{ETag: cur, Required: true}, want: errRequiredETag},
		{name: "Required refuses an unconditional DELETE", method: "DELETE", p: Preconditions{ETag: cur, LastModified: lastModified, Required: true}, want: errRequiredETag},
		{name: "Required asks for the date without an ETag", method: "POST", p: Preconditions{LastModified: lastModified, Required: true}, want: errRequiredDate},
		{name: "Required asks for * for nothing", method: "PUT", p: Preconditions{Required: true}, want: errRequiredAbsent},
		{name: "Required passes If-Match", p: Preconditions{ETag: cur, Required: true}, header: hdr{"If-Match": {cur}}},
		{name: "Required passes If-None-Match", method: "PUT", p: Preconditions{Required: true}, header: hdr{"If-None-Match": {"*"}}},
		{name: "Required does not count an empty If-None-Match", method: "PUT", p: Preconditions{ETag: cur, Required: true}, header: hdr{"If-None-Match": {""}}, want: errRequiredETag},
		{name: "Required does not count If-None-Match with other tags", method: "PUT", p: Preconditions{ETag: cur, Required: true}, header: hdr{"If-None-Match": {`"other", W/"v6"`}}, want: errRequiredETag},
		{name: "Required passes a date", p: Preconditions{ETag: cur, LastModified: lastModified, Required: true}, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:53 GMT"}}},
		{name: "Required does not count an invalid date", p: Preconditions{ETag: cur, LastModified: lastModified, Required: true}, header: hdr{"If-Unmodified-Since": {"soon"}}, want: errRequiredETag},
		{name: "Required does not count a date it cannot compare", p: Preconditions{ETag: cur, Required: true}, header: hdr{"If-Unmodified-Since": {"Fri, 14 Mar 2025 09:26:53 GMT"}}, want: errRequiredETag},
		{name: "Required still fails a failing If-Match with 412", p: Preconditions{ETag: cur, Required: true}, header: hdr{"If-Match": {`"v1"`}}, want: errIfMatch},
		{name: "Required lets GET through", method: "GET", p: Preconditions{ETag: cur, Required: true}},
		{name: "Required lets HEAD through", method: "HEAD", p: Preconditions{ETag: cur, Required: true}},
		{name: "Required lets OPTIONS through", method: "OPTIONS", p: Preconditions{ETag: cur, Required: true}},
		{name: "Required lets CONNECT through", method: "CONNECT", p: Preconditions{ETag: cur, Required: true}},
		{name: "Required applies to any other method", method: "PROPPATCH", p: Preconditions{ETag: cur, Required: true}, want: errRequiredETag},
		{name: "Required counts If-None-Match on GET", method: "GET", p: Preconditions{ETag: cur, Required: true}, header: hdr{"If-None-Match": {cur}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodPatch
			}
			r := httptest.NewRequest(method, "/api/tasks/1", nil)
			for k, v := range tc.header {
				r.Header[k] = v
			}
			if got := tc.p.Check(r); got != tc.want {
				t.Errorf("%+v.Check(%s %q) = %v; want %v", tc.p, method, tc.header, got, tc.want)
			}
		})
	}
}

func TestCheckRefusesAnETagThatIsNotOneWithA500(t *testing.T) {
	t.Parallel()
	for _, etag := range []string{`v1`, `"v1`, `W/v1`, `w/"v1"`, `"v1" `, `"a" "b"`, `"a","b"`, "\"\x00\"", `*`} {
		r := httptest.NewRequest("PATCH", "/", nil) // unconditional: the error must not depend on the client
		err := Preconditions{ETag: etag}.Check(r)
		var ae *apierror.Error
		if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError || !strings.Contains(err.Error(), "is not an entity-tag") {
			t.Errorf("ETag %q: %v; want a 500 naming the bad ETag", etag, err)
		}
	}
}

// The errors render like any other, in the chain's format, on the wire.
func TestCheckErrorsAreRenderedByApierror(t *testing.T) {
	t.Parallel()
	cur := Preconditions{ETag: `"v2"`, Required: true}
	srv := httptest.NewServer(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if err := cur.Check(r); err != nil {
			return err
		}
		return JSON(w, r, http.StatusOK, map[string]bool{"ok": true})
	}))
	defer srv.Close()
	for _, c := range []struct {
		ifMatch string
		status  int
		body    string
	}{
		{`"v2"`, 200, `{"ok":true}`},
		{`"v1"`, 412, `{"error":"Precondition Failed: If-Match does not match the current ETag"}`},
		{"", 428, `{"error":"Precondition Required: send If-Match with the current ETag"}`},
	} {
		req, _ := http.NewRequest("DELETE", srv.URL, nil)
		if c.ifMatch != "" {
			req.Header.Set("If-Match", c.ifMatch)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body json.RawMessage
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != c.status || string(body) != c.body {
			t.Errorf("If-Match %q: %d %s (%v); want %d %s", c.ifMatch, res.StatusCode, body, err, c.status, c.body)
		}
	}
}

func TestHTTPDatesAreTheThreeFormsInGMT(t *testing.T) {
	t.Parallel()
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", true},
		{"Sunday, 06-Nov-94 08:49:37 GMT", true},
		{"Sun Nov  6 08:49:37 1994", true},
		{"Sun, 06 Nov 1994 08:49:37 UTC", false},
		{"Sunday, 06-Nov-94 08:49:37 CET", false},
		{"Sun, 06 Nov 1994 08:49:37 +0000", false},
		{"Sun, 6 Nov 1994 08:49:37 GMT", false},
		{"Sun, 06 Nov 1994 08:49:37 GMT ", false},
		{"Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT", false},
		{"Sun Nov 6 08:49:37 1994", false},
		{"", false},
	} {
		got, ok := parseHTTPDate(c.s)
		if ok != c.ok || ok && !got.Equal(want) {
			t.Errorf("parseHTTPDate(%q) = %v, %v; want ok %v", c.s, got, ok, c.ok)
		}
	}
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is
// the most recent past year with the same last two digits.
func TestRFC850YearsFollowTheFiftyYearRule(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		parsed, now time.Time
		want        int
	}{
		{at(1994, 11, 6), at(2025, 3, 14), 1994},
		{at(2025, 3, 14), at(2025, 3, 14), 2025},
		{at(1970, 1, 1), at(2025, 3, 14), 2070},  // Go reads 70 as 1970; 2070 is 45 years ahead
		{at(1976, 1, 1), at(2025, 3, 14), 1976},  // 2076 is more than 50 years ahead
		{at(1975, 3, 14), at(2025, 3, 14), 2075}, // exactly 50 years ahead
		{at(1975, 3, 15), at(2025, 3, 14), 1975}, // a day more
		{at(2001, 6, 1), at(2099, 1, 1), 2101},   // two years ahead
		{at(1999, 6, 1), at(2099, 1, 1), 2099},
		{at(2049, 6, 1), at(2099, 1, 1), 2049}, // 2149 would be 50 years and 5 months ahead
	} {
		if got := rfc850Year(c.parsed, c.now); got.Year() != c.want || got.Month() != c.parsed.Month() || got.Day() != c.parsed.Day() {
			t.Errorf("rfc850Year(%v, now %v) = %v; want the year %d", c.parsed, c.now, got, c.want)
		}
	}
}

// refScanTags is a reference for scanTags written another way: the lines
// joined as RFC 9110 §5.3 joins them, then read element by element with a
// regular expression. Bytes from 0x80 are mapped to '~' (both are etagc)
// so that the expression sees ASCII; tags are compared in the original.
func refScanTags(lines []string, cur currentTag, strong bool) listResult {
	orig := strings.Join(lines, ", ")
	ascii := []byte(orig)
	for i, c := range ascii {
		if c >= 0x80 {
			ascii[i] = '~'
		}
	}
	s := string(ascii)
	stars, tags, match := 0, 0, false
	for pos := 0; pos < len(s); {
		if m := refEmpty.FindStringIndex(s[pos:]); m != nil {
			pos += m[1]
			continue
		}
		m := refElement.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			return listInvalid
		}
		if m[2] >= 0 {
			stars++
		} else {
			tags++
			weak := m[4] >= 0
			opaque := orig[pos+m[6] : pos+m[7]]
			if opaque == cur.opaque && (!strong || !weak && !cur.weak) {
				match = true
			}
		}
		pos += m[1]
	}
	switch {
	case stars == 1 && tags == 0:
		return listStar
	case stars > 0:
		return listInvalid
	case match:
		return listMatch
	}
	return listNoMatch
}

var (
	refEmpty   = regexp.MustCompile(`^[ \t]*(?:,|$)`)
	refElement = regexp.MustCompile(`^[ \t]*(?:(\*)|(W/)?("[!#-~]*"))[ \t]*(?:,|$)`)
)

// FuzzPreconditionList checks scanTags against the reference, for two
// lines and a current tag, by strong and weak comparison, and that a strong
// match is always a weak one.
func FuzzPreconditionList(f *testing.F) {
	for _, s := range [][3]string{
		{`"v2"`, ``, `"v2"`},
		{`W/"v2", "a"`, `*`, `W/"v2"`},
		{`*`, ``, ``},
		{" ,\t\"a,b\" ,", `"c"`, `"a,b"`},
		{`"a`, `b"`, `"a,b"`},
		{`w/"x"`, `"x"junk`, `"x"`},
		{"\"\x80\xff\"", "", "W/\"\x80\xff\""},
		{`"", ""`, `,,`, `""`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, etag string) {
		cur, err := parseCurrent(etag)
		if err != nil {
			return
		}
		lines := []string{a, b}
		for _, strong := range []bool{true, false} {
			got, want := scanTags(lines, cur, strong), refScanTags(lines, cur, strong)
			if got != want {
				t.Fatalf("scanTags(%q, %q, strong %v) = %d; the reference says %d", lines, etag, strong, got, want)
			}
		}
		if scanTags(lines, cur, true) == listMatch && scanTags(lines, cur, false) != listMatch {
			t.Fatalf("%q matches %q strongly but not weakly", lines, etag)
		}
	})
}

func TestCheckDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are counted without the race detector") // as the other allocation tests
	}
	list := make([]string, 100)
	for i := range list {
		list[i] = `"v` + strings.Repeat("0", i%7) + `"`
	}
	list[99] = `"v2"`
	dated := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	for _, c := range []struct {
		name   string
		p      Preconditions
		header map[string]string
	}{
		{"a passing If-Match", Preconditions{ETag: `"v2"`}, map[string]string{"If-Match": `"v2"`}},
		{"a list of 100 tags", Preconditions{ETag: `"v2"`}, map[string]string{"If-Match": strings.Join(list, ", ")}},
		{"a failing If-Match", Preconditions{ETag: `"v2"`}, map[string]string{"If-Match": `"v1"`}},
		{"a passing date", Preconditions{ETag: `"v2"`, LastModified: dated}, map[string]string{"If-Unmodified-Since": "Fri, 14 Mar 2025 09:26:53 GMT"}},
		{"a failing date", Preconditions{ETag: `"v2"`, LastModified: dated}, map[string]string{"If-Unmodified-Since": "Fri, 14 Mar 2025 09:26:52 GMT"}},
		{"a date that is not one", Preconditions{ETag: `"v2"`, LastModified: dated}, map[string]string{"If-Unmodified-Since": "yesterday"}},
		{"a create-only PUT", Preconditions{}, map[string]string{"If-None-Match": "*"}},
		{"a 428", Preconditions{ETag: `"v2"`, Required: true}, nil},
	} {
		r := httptest.NewRequest("PUT", "/", nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if n := testing.AllocsPerRun(100, func() { _ = c.p.Check(r) }); n != 0 {
			t.Errorf("%s: %v allocations; want 0", c.name, n)
		}
	}
}

// Hostile fields: megabytes of tags, of commas, one endless tag. Each is
// read once, and the tag at the end of a long list is still found.
func TestCheckReadsHugeFieldsOnce(t *testing.T) {
	t.Parallel()
	p := Preconditions{ETag: `"needle"`}
	many := strings.Repeat(`"hay",`, 200_000) + `"needle"`
	for _, c := range []struct {
		name  string
		value string
		want  error
	}{
		{"200k tags then the match", many, nil},
		{"200k tags then junk", many + ", junk", errIfMatchSyntax},
		{"a megabyte of commas", strings.Repeat(", ", 1<<19), errIfMatch},
		{"an unterminated megabyte tag", `"` + strings.Repeat("a", 1<<20), errIfMatchSyntax},
		{"a megabyte of stars", strings.Repeat("*,", 1<<19), errIfMatchSyntax},
	} {
		r := httptest.NewRequest("PATCH", "/", nil)
		r.Header.Set("If-Match", c.value)
		start := time.Now()
		if got := p.Check(r); got != c.want {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: %v for %d bytes", c.name, d, len(c.value))
		}
	}
}
