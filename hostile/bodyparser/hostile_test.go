package bodyparser_test

// Attacks on the body parser over real loopback connections (issue 12),
// measured with internal/hostile: what each costs the server's heap, what
// it keeps afterwards, and how ordinary requests fare meanwhile. None of
// these tests is parallel: heap figures are process-wide.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/hostile"
)

// okJSON answers 200 with the size of the parsed body.
var okJSON = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = bodyparser.Value(r)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"bytes":%d}`, len(bodyparser.Bytes(r)))
})

// jsonProbe is the ordinary request sent during every attack.
func jsonProbe(s *hostile.Server) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/probe", strings.NewReader(`{"probe":true}`))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// statuses counts the answers an attack got, by status; 0 counts
// connections that ended without an answer.
type statuses struct {
	mu sync.Mutex
	n  map[int]int
}

func (s *statuses) add(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[int]int{}
	}
	s.n[code]++
}

func (s *statuses) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.n)
}

// only fails t unless every answer had status want.
func (s *statuses) only(t *testing.T, want int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for code, n := range s.n {
		if code != want {
			t.Errorf("%d answers had status %d (all: %v); want only %d", n, code, s.n, want)
		}
	}
}

// exchange sends req on a new raw connection and returns the status of the
// answer and its body, or 0 when the connection ended without one.
func exchange(t *testing.T, s *hostile.Server, req []byte, sent *atomic.Int64) (int, string) {
	conn := s.Dial(t, 20*time.Second)
	defer conn.Close()
	n, _ := conn.Write(req)
	sent.Add(int64(n))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err.Error()
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// Every Content-Encoding entry used to cost a decoder, built before a byte
// was decoded: a 2-byte body with 8,000 of them allocated ~310 MB. The list
// is now refused past two codings, whether in one header line or many,
// before anything is built. Every request that reaches the handler gets our
// 415. From Go 1.27, net/http itself refuses more than 500 header values
// (Server.MaxHeaderValueCount) with a 431 before any handler runs, so 3,000
// lines may get that instead; 400 lines stay under its limit and test our
// code on every Go.
func TestContentEncodingListsCostNothingInProportionToTheHeader(t *testing.T) {
	const conns, rounds = 18, 2
	list := "Content-Encoding: " + strings.TrimSuffix(strings.Repeat("deflate,", 8000), ",") + "\r\n"
	lines := func(n int) string { return strings.Repeat("Content-Encoding: gzip\r\n", n) }
	requests := []struct {
		path string
		req  []byte
	}{
		{"/list", []byte("POST /list HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + list + "Content-Length: 2\r\n\r\n{}")},
		{"/lines", []byte("POST /lines HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + lines(3000) + "Content-Length: 2\r\n\r\n{}")},
		{"/fewer-lines", []byte("POST /fewer-lines HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + lines(400) + "Content-Length: 2\r\n\r\n{}")},
	}

	// What net/http alone answers to 3,000 lines: a handler that reads
	// nothing either runs (200) or is never reached (431, Go 1.27 on).
	var bareReached atomic.Int32
	bare := hostile.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { bareReached.Add(1) }))
	var unused atomic.Int64
	bareCode, bareBody := exchange(t, bare, requests[1].req, &unused)
	netHTTPRefuses := bareCode == http.StatusRequestHeaderFieldsTooLarge
	t.Logf("net/http with a bare handler answers 3,000 lines with %d %q (handler ran %d times)", bareCode, bareBody, bareReached.Load())
	switch {
	case netHTTPRefuses && (bareReached.Load() != 0 || bareBody != "431 Request Header Fields Too Large"):
		t.Fatalf("a 431 that is not net/http's own: %q, handler ran %d times", bareBody, bareReached.Load())
	case !netHTTPRefuses && (bareCode != http.StatusOK || bareReached.Load() != 1):
		t.Fatalf("net/http with a bare handler answered %d %q, handler ran %d times; want 200 or its own 431", bareCode, bareBody, bareReached.Load())
	}

	var reached [3]atomic.Int32
	parser := bodyparser.New(bodyparser.Config{})(okJSON)
	s := hostile.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i, rq := range requests {
			if r.URL.Path == rq.path {
				reached[i].Add(1)
			}
		}
		parser.ServeHTTP(w, r)
	}))
	var got [3]statuses
	var body atomic.Value
	rep := hostile.Run(t, s, hostile.Attack{
		Name: fmt.Sprintf("%d×%d requests with 8,000 codings in one line, 3,000 lines or 400 lines", conns, rounds),
		Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			hostile.Concurrently(conns, func(i int) {
				for range rounds {
					code, b := exchange(t, s, requests[i%3].req, sent)
					got[i%3].add(code)
					body.Store(b)
				}
			})
		},
		Probe:       jsonProbe,
		ProbeStatus: http.StatusOK,
	})
	for i, rq := range requests {
		t.Logf("%s: answers %v, handler reached %d times", rq.path, &got[i], reached[i].Load())
	}
	t.Logf("last body %q", body.Load())
	got[0].only(t, http.StatusUnsupportedMediaType)
	got[2].only(t, http.StatusUnsupportedMediaType)
	if netHTTPRefuses {
		// net/http's refusal, as the bare handler got it: ours never ran.
		got[1].only(t, http.StatusRequestHeaderFieldsTooLarge)
		if n := reached[1].Load(); n != 0 {
			t.Errorf("3,000 lines reached the handler %d times, yet net/http refused them", n)
		}
	} else {
		got[1].only(t, http.StatusUnsupportedMediaType)
	}
	if n := reached[0].Load() + reached[2].Load(); n != conns/3*2*rounds {
		t.Errorf("the handler saw %d of the %d requests under net/http's limits", n, conns/3*2*rounds)
	}
	// Before: 310 MB a request. Now: net/http's own copy of the header and
	// nothing in proportion to it in the parser.
	hostile.Check(t, rep, 16<<20, 2<<20)
}

// A declared Content-Length used to be allocated before a byte of the body
// arrived. Memory now follows the bytes received.
func TestDeclaredContentLengthIsNotAllocatedBeforeTheBytesArrive(t *testing.T) {
	const conns = 500
	t.Run("500 connections announce 1 MB and send 1 byte", func(t *testing.T) {
		var active, closed atomic.Int32
		s := hostile.Start(t, bodyparser.New(bodyparser.Config{})(okJSON), hostile.WithServer(func(srv *http.Server) {
			srv.ConnState = func(_ net.Conn, st http.ConnState) {
				switch st {
				case http.StateActive:
					active.Add(1)
				case http.StateClosed:
					closed.Add(1)
				}
			}
		}))
		var got statuses
		rep := hostile.Run(t, s, hostile.Attack{
			Name: fmt.Sprintf("%d connections announcing 1 MB, sending 1 byte", conns),
			Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
				req := []byte("POST /lie HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{")
				held := make([]net.Conn, conns)
				for i := range held {
					held[i] = s.Dial(t, 20*time.Second)
					n, _ := held[i].Write(req)
					sent.Add(int64(n))
				}
				// Hold them until the server has them all in the body
				// reader (the probe's connection is active too).
				for deadline := time.Now().Add(10 * time.Second); active.Load() < conns && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(300 * time.Millisecond)
				var wg sync.WaitGroup
				for _, c := range held {
					_ = c.(*net.TCPConn).CloseWrite() // the body ends short
					wg.Add(1)
					go func() {
						defer wg.Done()
						code := 0
						if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
							code = resp.StatusCode
							resp.Body.Close()
						}
						got.add(code)
						c.Close()
					}()
				}
				wg.Wait()
				for deadline := time.Now().Add(10 * time.Second); closed.Load() < conns && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
			},
			Probe:       jsonProbe,
			ProbeStatus: http.StatusOK,
		})
		t.Logf("answers: %v", &got)
		got.only(t, http.StatusBadRequest)
		// Before: 500 MiB. Now: a 1 KiB first chunk per connection, next
		// to net/http's own buffers.
		hostile.Check(t, rep, 24<<20, 2<<20)
	})

	t.Run("a 512 GiB Content-Length under a 1tb limit", func(t *testing.T) {
		s := hostile.Start(t, bodyparser.New(bodyparser.Config{SizeLimit: "1tb"})(okJSON))
		var got statuses
		rep := hostile.Run(t, s, hostile.Attack{
			Name: "a 512 GiB Content-Length, 64 KiB sent",
			Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
				conn := s.Dial(t, 20*time.Second)
				defer conn.Close()
				head := fmt.Sprintf("POST /huge HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", int64(512)<<30)
				n, _ := io.WriteString(conn, head)
				sent.Add(int64(n))
				m, _ := conn.Write(bytes.Repeat([]byte("x"), 64<<10))
				sent.Add(int64(m))
				time.Sleep(200 * time.Millisecond)
				_ = conn.(*net.TCPConn).CloseWrite()
				code := 0
				if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
					code = resp.StatusCode
					resp.Body.Close()
				}
				got.add(code)
			},
			Probe:       jsonProbe,
			ProbeStatus: http.StatusOK,
		})
		t.Logf("answers: %v", &got)
		got.only(t, http.StatusBadRequest)
		hostile.Check(t, rep, 8<<20, 2<<20)
	})
}

// Refusing an oversized body on HTTP/2 used to set Connection: close, which
// Go's HTTP/2 server turns into a GOAWAY for the whole connection: requests
// multiplexed beside it failed. Only the one stream may be reset.
func TestOversizedBodiesOnHTTP2DoNotDisturbTheirNeighbours(t *testing.T) {
	const workers, perWorker = 8, 150
	var conns atomic.Int32
	s := hostile.Start(t, bodyparser.New(bodyparser.Config{SizeLimit: "1kb"})(okJSON), hostile.WithHTTP2(), hostile.WithServer(func(srv *http.Server) {
		srv.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		}
	}))
	client := s.Client()
	big := bytes.Repeat([]byte("x"), 64<<10)
	var oversized statuses
	var normalFailed, normalSent atomic.Int32
	var firstFailure atomic.Value
	post := func(body []byte) (int, error) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		req.GetBody = nil // a request the transport cannot replay on another connection
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			return resp.StatusCode, fmt.Errorf("spoke HTTP/%d", resp.ProtoMajor)
		}
		return resp.StatusCode, nil
	}
	rep := hostile.Run(t, s, hostile.Attack{
		Name: fmt.Sprintf("%d×%d oversized bodies and as many normal requests on one HTTP/2 connection", workers, perWorker),
		Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			hostile.Concurrently(2*workers, func(i int) {
				for range perWorker {
					if i%2 == 0 {
						code, _ := post(big)
						oversized.add(code)
						sent.Add(int64(len(big)))
						continue
					}
					normalSent.Add(1)
					code, err := post([]byte("hello"))
					if err == nil && code != http.StatusOK {
						err = fmt.Errorf("status %d", code)
					}
					if err != nil {
						normalFailed.Add(1)
						firstFailure.CompareAndSwap(nil, err.Error())
					}
				}
			})
		},
		Probe:       jsonProbe,
		ProbeStatus: http.StatusOK,
	})
	t.Logf("oversized answers: %v; normal requests: %d sent, %d failed (first: %v); connections opened: %d",
		&oversized, normalSent.Load(), normalFailed.Load(), firstFailure.Load(), conns.Load())
	if n := normalFailed.Load(); n > 0 {
		t.Errorf("%d of %d normal requests multiplexed beside oversized ones failed; first: %v", n, normalSent.Load(), firstFailure.Load())
	}
	oversized.only(t, http.StatusRequestEntityTooLarge)
	if n := conns.Load(); n != 1 {
		t.Errorf("the clients opened %d connections; want 1: the server must not send GOAWAY", n)
	}
	hostile.Check(t, rep, 32<<20, 2<<20)
}

// slowConfig is the configuration of the slow-body attacks.
func slowConfig() bodyparser.Config {
	return bodyparser.Config{ReadTimeout: 500 * time.Millisecond}
}

// A body sent a byte at a time used to hold its request for as long as the
// client liked. The body read deadline frees it, while others are served.
func TestSlowBodiesAreCutOffAtTheReadDeadline(t *testing.T) {
	const conns = 100
	const every = 100 * time.Millisecond
	s := hostile.Start(t, bodyparser.New(slowConfig())(okJSON))
	var got statuses
	var body atomic.Value
	var longest atomic.Int64
	rep := hostile.Run(t, s, hostile.Attack{
		Name: fmt.Sprintf("%d bodies of 1 KiB sent a byte every %v", conns, every),
		Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			hostile.Concurrently(conns, func(i int) {
				conn := s.Dial(t, 20*time.Second)
				defer conn.Close()
				start := time.Now()
				n, _ := io.WriteString(conn, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n")
				sent.Add(int64(n))
				answered := make(chan struct{})
				go func() {
					defer close(answered)
					code := 0
					resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
					if err == nil {
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						code = resp.StatusCode
						body.Store(string(b))
						if !resp.Close {
							t.Errorf("the %d answer does not close the connection", code)
						}
					}
					got.add(code)
					if d := int64(time.Since(start)); d > longest.Load() {
						longest.Store(d)
					}
				}()
				// Trickle until answered, or for at most 5 s (a 1 KiB body
				// would take 100 s at this rate).
				tick := time.NewTicker(every)
				defer tick.Stop()
				for stop := time.After(5 * time.Second); ; {
					select {
					case <-answered:
						return
					case <-stop:
						conn.Close()
						<-answered
						return
					case <-tick.C:
						if n, err := conn.Write([]byte("x")); err == nil {
							sent.Add(int64(n))
						}
					}
				}
			})
		},
		Probe:       jsonProbe,
		ProbeStatus: http.StatusOK,
	})
	t.Logf("answers: %v; last body %q; longest hold %v", &got, body.Load(), time.Duration(longest.Load()).Round(time.Millisecond))
	got.only(t, http.StatusRequestTimeout)
	if b, _ := body.Load().(string); b != `{"error":"Body not received within 500ms"}` {
		t.Errorf("the 408 says %q", b)
	}
	hostile.Check(t, rep, 16<<20, 2<<20)
}
