package cookies_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/cookies"
	"github.com/apiroutes/apiroutes/hostile"
)

// The attacks of issue 12 on Parse, over the wire: huge Cookie headers
// sent by many connections at once, and requests that mutate the map they
// were given. These tests measure process-wide heap figures: none of them
// may run in parallel.

// hostileCookieHandler parses the cookies, writes into the map when asked
// (as a handler that keeps per-request state in it would), and answers
// with what it saw of "isAdmin" and how many cookies it found.
func hostileCookieHandler(w http.ResponseWriter, r *http.Request) {
	m := cookies.Parse(r)
	admin := m["isAdmin"]
	if r.URL.Query().Has("mutate") && m != nil {
		m["isAdmin"] = "true"
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "isAdmin=%q cookies=%d", admin, len(m))
}

// cookieShape builds a Cookie header value of n bytes.
type cookieShape struct {
	name  string
	build func(n int) string
}

var hostileShapes = []cookieShape{
	// Only separators: what the old Parse counted to size its map.
	{"semicolons", func(n int) string { return strings.Repeat(";", n) }},
	// As many distinct cookies as fit: the most entries a map can get.
	{"distinct pairs", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n-16; i++ {
			b.WriteString(strconv.FormatInt(int64(i), 36))
			b.WriteString("=1;")
		}
		return b.String()
	}},
	// Values that all need percent-decoding: the most bytes decoding can
	// allocate.
	{"escaped values", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n-1040; i++ {
			b.WriteString("e" + strconv.Itoa(i) + "=")
			b.WriteString(strings.Repeat("%41", 340))
			b.WriteString("; ")
		}
		return b.String()
	}},
}

// rawRequest is a keep-alive GET with the Cookie header value cookie.
func rawRequest(path, cookie string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + "\r\n\r\n")
}

// sendOn sends req n times on one connection, reading each response, and
// returns the statuses (0 for a broken connection).
func sendOn(t *testing.T, s *hostile.Server, req []byte, n int, sent *atomic.Int64) []int {
	conn := s.Dial(t, 60*time.Second)
	br := bufio.NewReader(conn)
	var statuses []int
	for range n {
		w, err := conn.Write(req)
		sent.Add(int64(w))
		if err != nil {
			return append(statuses, 0)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			return append(statuses, 0)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
	}
	return statuses
}

// floodCookies sends a Cookie header of size bytes of every shape, on conns
// connections at once, perConn times each, and checks the bounds: peak heap
// growth under peak, heap retained after the attack under retained, every
// answer a 200, ordinary requests served throughout.
func floodCookies(t *testing.T, size, conns, perConn int, peak, retained int64, opts ...hostile.Option) {
	s := hostile.Start(t, http.HandlerFunc(hostileCookieHandler), opts...)
	for _, shape := range hostileShapes {
		req := rawRequest("/", shape.build(size))
		var mu sync.Mutex
		counts := map[int]int{}
		rep := hostile.Run(t, s, hostile.Attack{
			Name: fmt.Sprintf("%d conns × %d requests with a %s Cookie header of %s", conns, perConn, shape.name, hostile.Bytes(int64(size))),
			Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
				hostile.Concurrently(conns, func(int) {
					st := sendOn(t, s, req, perConn, sent)
					mu.Lock()
					for _, c := range st {
						counts[c]++
					}
					mu.Unlock()
				})
			},
			Probe: func(s *hostile.Server) *http.Request {
				r, _ := http.NewRequest("GET", s.URL+"/", nil)
				r.Header.Set("Cookie", "session=abc; theme=dark")
				return r
			},
			ProbeStatus: http.StatusOK,
		})
		if counts[http.StatusOK] != conns*perConn {
			t.Errorf("%s: statuses %v, want %d × 200", rep.Name, counts, conns*perConn)
		}
		hostile.Check(t, rep, peak, retained)
	}
}

// 32 connections, 416 requests of 64 KiB per shape. Parse reads at most
// maxCookieBytes (16 KiB) and keeps maxCookies (256): its own cost is a
// few tens of KiB per request. The rest of the bound is net/http reading
// 32 headers of 64 KiB at once (and the client writing them).
func TestParseBoundsMemoryUnder64KiBCookieHeaders(t *testing.T) {
	floodCookies(t, 64<<10, 32, 13, 16<<20, 1<<20)
}

// With MaxHeaderBytes raised to 2 MiB, 1 MiB Cookie headers reach the
// handler; Parse's share stays the same as for 64 KiB. net/http itself
// holds each 1 MiB header several times over while it parses it.
func TestParseBoundsMemoryUnder1MiBCookieHeaders(t *testing.T) {
	floodCookies(t, 1<<20, 8, 2, 48<<20, 1<<20,
		hostile.WithServer(func(s *http.Server) { s.MaxHeaderBytes = 2 << 20 }))
}

// A handler that writes into the map it got from Parse changes nothing for
// any other request, even when the next request has the very same Cookie
// header and is allocated where the first one was. The old cache keyed by
// the request's address handed the second request the first one's map.
func TestParseNeverHandsOneRequestsMapToAnother(t *testing.T) {
	s := hostile.Start(t, http.HandlerFunc(hostileCookieHandler))
	var sent atomic.Int64
	const cookie = "session=abc; theme=dark"
	for i := range 200 {
		if st := sendOn(t, s, rawRequest("/?mutate", cookie), 1, &sent); st[0] != http.StatusOK {
			t.Fatalf("request A: status %d", st[0])
		}
		runtime.GC() // free A's request, so that B may be allocated at its address
		conn := s.Dial(t, 10*time.Second)
		if _, err := conn.Write(rawRequest("/", cookie)); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		conn.Close()
		if want := `isAdmin="" cookies=2`; string(body) != want {
			t.Fatalf("request B (round %d) saw %s, want %s: it got the map request A wrote into", i, body, want)
		}
	}
}

// Goroutines of one handler that each call Parse and write into the result
// do not share a map: no data race (under -race), no "concurrent map
// writes" crash. The old cache returned one map to all of them.
func TestParseMapsAreTheCallersToModify(t *testing.T) {
	s := hostile.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hostile.Concurrently(8, func(i int) {
			m := cookies.Parse(r)
			for j := range 100 {
				m["k"+strconv.Itoa(j)] = strconv.Itoa(i)
			}
			for j := range 100 {
				if got := m["k"+strconv.Itoa(j)]; got != strconv.Itoa(i) || m["session"] != "abc" {
					t.Errorf("goroutine %d: k%d = %q: another goroutine wrote into this map", i, j, got)
					return
				}
			}
		})
		w.WriteHeader(http.StatusNoContent)
	}))
	var sent atomic.Int64
	hostile.Concurrently(4, func(int) {
		for _, st := range sendOn(t, s, rawRequest("/", "session=abc; theme=dark"), 25, &sent) {
			if st != http.StatusNoContent {
				t.Errorf("status %d", st)
			}
		}
	})
}
