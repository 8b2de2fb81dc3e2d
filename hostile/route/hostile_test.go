package route_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/hostile"
	"github.com/apiroutes/apiroutes/route"
)

// hostileMux is a Next-style API with every kind of route an attacker can
// aim a path at.
func hostileMux() *route.Mux {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.PathValue("id")+r.PathValue("slug"))
	})
	m := route.NewMux()
	m.Handle("/api/tasks", ok)
	m.Handle("/api/tasks/[id]", ok)
	m.Handle("/api/tasks/[id]/comments/[comment]", ok)
	m.Handle("/api/docs/[...slug]", ok)
	m.Handle("/api/opt/[[...slug]]", ok)
	return m
}

// pathAttack sends GETs of path from conns connections at once, one
// request per connection (Connection: close), following redirects the way
// a browser does, up to 20, until the context ends or each connection has
// sent rounds requests. It counts the responses that were redirects to the
// path itself (the loop of issue 12).
func pathAttack(conns, rounds int, path string, selfRedirects *atomic.Int64) func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
	return func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
		hostile.Concurrently(conns, func(int) {
			buf := bufio.NewReaderSize(nil, 4096)
			for i := 0; i < rounds && ctx.Err() == nil; i++ {
				target := path
				for hop := 0; hop < 20 && ctx.Err() == nil; hop++ {
					c, err := net.DialTimeout("tcp", s.Addr, 10*time.Second)
					if err != nil {
						return
					}
					_ = c.SetDeadline(time.Now().Add(10 * time.Second))
					n, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
					sent.Add(int64(n))
					if err != nil {
						c.Close()
						break
					}
					buf.Reset(c)
					res, err := http.ReadResponse(buf, nil)
					if err != nil {
						c.Close()
						break
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					c.Close()
					loc := res.Header.Get("Location")
					if res.StatusCode != http.StatusPermanentRedirect {
						break
					}
					if loc == target {
						selfRedirects.Add(1)
					}
					target = loc
				}
			}
		})
	}
}

// TestHostilePathsCostABoundedAmount is issue 12's attack on route: paths
// a client controls (very long, thousands of segments, escapes, the
// self-redirecting shapes) cost the server at most a few copies of the
// path while the request lasts, nothing after it, and leave ordinary
// requests served; no redirect ever points at itself.
func TestHostilePathsCostABoundedAmount(t *testing.T) {
	if testing.Short() {
		t.Skip("a loopback attack")
	}
	const long = 256 << 10 // the request line: under the server's 1 MiB header limit
	attacks := []struct {
		name   string
		path   string
		conns  int
		rounds int
	}{
		{"a 256 KiB path into a catch-all (128k segments)", "/api/docs" + strings.Repeat("/a", long/2), 16, 8},
		{"a 256 KiB path no route matches (128k segments)", "/api/tasks/1/comments/2" + strings.Repeat("/a", long/2), 16, 8},
		{"a 256 KiB parameter of %-escapes", "/api/tasks/" + strings.Repeat("%41", long/3), 16, 8},
		{"256 KiB of slashes (a redirect)", "/api/tasks" + strings.Repeat("/", long), 16, 8},
		{"256 KiB of dot segments (a redirect)", "/api/tasks" + strings.Repeat("/.", long/2), 16, 8},
		{"/api/tasks/x%2F, which redirected to itself", "/api/tasks/x%2F", 16, 100},
		{"/%2F%2Fevil.com, which redirected to itself", "/%2F%2Fevil.com", 16, 100},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			s := hostile.Start(t, hostileMux())
			var self atomic.Int64
			rep := hostile.Run(t, s, hostile.Attack{
				Name: a.name,
				Run:  pathAttack(a.conns, a.rounds, a.path, &self),
				Probe: func(s *hostile.Server) *http.Request {
					req, _ := http.NewRequest("GET", s.URL+"/api/tasks/1/comments/2", nil)
					return req
				},
				ProbeStatus: http.StatusOK,
			})
			if n := self.Load(); n > 0 {
				t.Errorf("%d redirects to the path itself: a client following them never gets an answer", n)
			}
			// Each in-flight request may hold the server's copy of the
			// request line, our decoded value or clean path, and the
			// Location, Refresh and body of a redirect: a few times the
			// path, per connection.
			hostile.Check(t, rep, int64(a.conns)*8*int64(len(a.path))+8<<20, 2<<20)
		})
	}
}
