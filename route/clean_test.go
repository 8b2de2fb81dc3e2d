package route

import (
	"strings"
	"testing"
)

// FuzzCleanChecksAgree holds isClean's two ways, the byte loop for usual
// paths and the searches for long ones, to the same answer on any path.
func FuzzCleanChecksAgree(f *testing.F) {
	for _, s := range []string{"/", "/users/octocat", "/a/./b", "/a//b", "/a/b/", "/a/%2e%2E/b", "/a/.x/b",
		"/a/%2f/b", "/x%2F", "/a/..", "/.", "/%2e", "/%2E.", "/.well-known/x", "/a/%2ex", "/" + strings.Repeat("a/", 100) + ".."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if p == "" || p[0] != '/' {
			return
		}
		if loop, scan := isCleanLoop(p), isCleanScan(p); loop != scan {
			t.Fatalf("%q: the byte loop says %v, the searches %v", p, loop, scan)
		}
	})
}
