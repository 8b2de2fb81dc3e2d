package benchmarks

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	// Aliased: responselimit_test.go has a func respond.
	apirespond "github.com/apiroutes/apiroutes/respond"
)

// The precondition benchmarks measure respond.Preconditions.Check, the
// check of a PATCH's If-Match against the current ETag, beside what a
// handler writes with net/http and strings alone ("stdlib"): split the
// field on commas, trim, compare. That loop splits a tag holding a comma
// and accepts weak tags and malformed lists, which Check does not; it is
// the floor, not an equivalent.

const preconditionETag = `"2caikvdqo85"`

// stdlibIfMatch is the hand-written check.
func stdlibIfMatch(r *http.Request, etag string) bool {
	v := r.Header.Get("If-Match")
	if v == "" || strings.TrimSpace(v) == "*" {
		return true
	}
	for more := true; more; {
		var tok string
		tok, v, more = strings.Cut(v, ",")
		if strings.TrimSpace(tok) == etag {
			return true
		}
	}
	return false
}

func BenchmarkPrecondition(b *testing.B) {
	tags := make([]string, 100)
	for i := range tags {
		tags[i] = `"` + strconv.FormatInt(int64(1e9+i), 36) + `"`
	}
	tags[99] = preconditionETag
	var hostile strings.Builder
	for i := 0; hostile.Len() < 64<<10; i++ {
		hostile.WriteString(`"` + strconv.Itoa(i) + `", `)
	}
	cases := []struct {
		name, ifMatch string
		pass          bool
	}{
		{"if-match", preconditionETag, true},
		{"list-100", strings.Join(tags, ", "), true},
		{"stale", `"2caikvdqo84"`, false},
		{"hostile-64KiB", hostile.String(), false},
	}
	p := apirespond.Preconditions{ETag: preconditionETag, LastModified: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPatch, "/api/tasks/1", nil)
		r.Header.Set("If-Match", c.ifMatch)
		b.Run(c.name+"/apiroutes", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.ifMatch)))
			var err error
			for b.Loop() {
				err = p.Check(r)
			}
			if (err == nil) != c.pass {
				b.Fatalf("Check: %v; want pass %v", err, c.pass)
			}
		})
		b.Run(c.name+"/stdlib", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.ifMatch)))
			var ok bool
			for b.Loop() {
				ok = stdlibIfMatch(r, preconditionETag)
			}
			if ok != c.pass {
				b.Fatalf("stdlib: %v; want %v", ok, c.pass)
			}
		})
	}
	// If-Unmodified-Since alone: the date is parsed on every request.
	r := httptest.NewRequest(http.MethodPatch, "/api/tasks/1", nil)
	r.Header.Set("If-Unmodified-Since", "Fri, 14 Mar 2025 09:26:53 GMT")
	b.Run("if-unmodified-since/apiroutes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := p.Check(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
