package bodyparser_test

// The body read deadline (Config.ReadTimeout) on real connections: what a
// slow client gets, what a route's deadline leaves to the next request on
// the connection, and how it reaches net/http through foreign wrappers.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/hostile"
)

// trickle sends head, then body one byte every interval, until the server
// answers. It returns the answer (nil when the connection ended without
// one), the raw response head and whether the connection was then closed.
func trickle(t *testing.T, s *hostile.Server, head string, body []byte, every time.Duration) (resp *http.Response, text string, closed bool) {
	t.Helper()
	conn := s.Dial(t, 10*time.Second)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		resp *http.Response
		text string
		br   *bufio.Reader
	}
	answered := make(chan answer, 1)
	go func() {
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			answered <- answer{}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answered <- answer{resp, string(b), br}
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; {
		select {
		case a := <-answered:
			if a.resp == nil {
				return nil, "", true
			}
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err := a.br.ReadByte()
			if err != nil && !isTimeout(err) && err != io.EOF && !isCutOff(err) {
				t.Logf("after the answer: %v", err)
			}
			// A reset counts as closed: the server may close with unread
			// bytes of ours in its buffer.
			return a.resp, a.text, err == io.EOF || isCutOff(err)
		case <-tick.C:
			if i < len(body) {
				_, _ = conn.Write(body[i : i+1])
				i++
			}
		}
	}
}

func TestASlowBodyIsAnswered408AndItsConnectionClosed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"a":1}`))
	_ = zw.Close()
	cases := []struct {
		name string
		cfg  bodyparser.Config
		head string
		body []byte
	}{
		{"with a Content-Length", bodyparser.Config{ReadTimeout: 300 * time.Millisecond},
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", bytes.Repeat([]byte(" "), 100)},
		{"chunked", bodyparser.Config{ReadTimeout: 300 * time.Millisecond},
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", []byte("64\r\n" + strings.Repeat(" ", 100))},
		{"gzip, stalled in its header", bodyparser.Config{ReadTimeout: 300 * time.Millisecond},
			fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", gz.Len()), gz.Bytes()[:3]},
		{"deflate, stalled before its second byte", bodyparser.Config{ReadTimeout: 300 * time.Millisecond},
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: deflate\r\nContent-Length: 10\r\n\r\n", []byte{0x78}},
		{"in Raw mode with a ReadTimeout", bodyparser.Config{Raw: true, SizeLimit: "1kb", ReadTimeout: 300 * time.Millisecond},
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", bytes.Repeat([]byte(" "), 100)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := bodyparser.New(tc.cfg)(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				if _, err := io.ReadAll(r.Body); err != nil {
					return err // Raw mode: the deadline's error is a 408
				}
				_, err := io.WriteString(w, "ok")
				return err
			}))
			s := hostile.Start(t, h)
			resp, text, closed := trickle(t, s, tc.head, tc.body, 50*time.Millisecond)
			if resp == nil {
				t.Fatal("the connection ended without an answer")
			}
			if resp.StatusCode != http.StatusRequestTimeout || text != `{"error":"Body not received within 300ms"}` {
				t.Errorf("got %d %s, want 408 {\"error\":\"Body not received within 300ms\"}", resp.StatusCode, text)
			}
			if !resp.Close || !closed {
				t.Errorf("Connection: close sent %v, connection closed %v; want both", resp.Close, closed)
			}
		})
	}
}

func TestEachRouteHasItsOwnBodyDeadline(t *testing.T) {
	// The same slow client (20 bytes, one every 40 ms: 800 ms) on three
	// routes: the upload route allows it, the JSON route does not, and a
	// negative ReadTimeout sets no deadline at all.
	mux := http.NewServeMux()
	mux.Handle("POST /upload", bodyparser.New(bodyparser.Config{ReadTimeout: 10 * time.Second})(echoText(nil)))
	mux.Handle("POST /json", bodyparser.New(bodyparser.Config{ReadTimeout: 200 * time.Millisecond})(echoText(nil)))
	mux.Handle("POST /none", bodyparser.New(bodyparser.Config{ReadTimeout: -1})(echoText(nil)))
	s := hostile.Start(t, mux, hostile.WithServer(func(srv *http.Server) { srv.ReadTimeout = 5 * time.Second }))
	body := []byte(`"twenty bytes long!"`)
	for _, tc := range []struct {
		path   string
		status int
	}{{"/upload", 200}, {"/json", 408}, {"/none", 200}} {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", tc.path, len(body))
		resp, text, _ := trickle(t, s, head, body, 40*time.Millisecond)
		if resp == nil || resp.StatusCode != tc.status {
			t.Errorf("%s: got %v %q, want %d", tc.path, resp, text, tc.status)
		}
	}
}

func TestTheBodyDeadlineDoesNotReachTheNextRequestOnTheConnection(t *testing.T) {
	// No server timeouts at all. (Go 1.23 to 1.26 also lift a read deadline
	// themselves once a body hits EOF and before a keep-alive wait: this
	// guards the outcome, whichever of the two does it.)
	for _, cfg := range []bodyparser.Config{
		{ReadTimeout: 200 * time.Millisecond},
		{Raw: true, ReadTimeout: 200 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("raw=%v", cfg.Raw), func(t *testing.T) {
			h := bodyparser.New(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				w.Write(b)
			}))
			s := hostile.Start(t, h, hostile.WithServer(func(srv *http.Server) { srv.ReadHeaderTimeout = 0 }))
			conn := s.Dial(t, 10*time.Second)
			br := bufio.NewReader(conn)
			for i := range 3 {
				if i > 0 {
					time.Sleep(400 * time.Millisecond) // past the first deadline
				}
				fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n#%d", i)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("request %d on the kept-alive connection: %v", i, err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != fmt.Sprintf("#%d", i) || resp.Close {
					t.Fatalf("request %d: got %d %q (close %v)", i, resp.StatusCode, b, resp.Close)
				}
			}
		})
	}
}

// unwrapper is a foreign wrapper that only knows Unwrap, as chi's, gorilla's
// or httpsnoop's do.
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// opaque is a wrapper that hides the writer it wraps.
type opaque struct{ http.ResponseWriter }

func TestTheBodyDeadlineReachesThroughForeignWrappers(t *testing.T) {
	inner := bodyparser.New(bodyparser.Config{ReadTimeout: 200 * time.Millisecond})(echoText(nil))
	head := "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
	body := bytes.Repeat([]byte("x"), 100)

	t.Run("a wrapper with Unwrap", func(t *testing.T) {
		s := hostile.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner.ServeHTTP(unwrapper{w}, r)
		}))
		resp, text, _ := trickle(t, s, head, body, 50*time.Millisecond)
		if resp == nil || resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("got %v %q, want 408", resp, text)
		}
	})
	t.Run("a wrapper without Unwrap falls back on the server's ReadTimeout", func(t *testing.T) {
		s := hostile.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner.ServeHTTP(opaque{w}, r)
		}), hostile.WithServer(func(srv *http.Server) { srv.ReadTimeout = 800 * time.Millisecond }))
		start := time.Now()
		resp, text, _ := trickle(t, s, head, body, 50*time.Millisecond)
		if resp == nil || resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("got %v %q, want 408 from the server's deadline", resp, text)
		}
		t.Logf("answered after %v", time.Since(start).Round(time.Millisecond))
	})
}

func TestASlowBodyOnHTTP2ResetsOnlyItsStream(t *testing.T) {
	var conns atomic.Int32
	h := bodyparser.New(bodyparser.Config{ReadTimeout: 300 * time.Millisecond})(echoText(nil))
	s := hostile.Start(t, h, hostile.WithHTTP2(), hostile.WithServer(func(srv *http.Server) {
		srv.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		}
	}))
	client := s.Client()
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		for range 40 {
			if _, err := pw.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	slow, _ := http.NewRequest(http.MethodPost, s.URL+"/slow", pr)
	slow.Header.Set("Content-Type", "text/plain")
	resp, err := client.Do(slow)
	if err != nil {
		t.Fatalf("the slow request: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || resp.Header.Get("Connection") != "" {
		t.Errorf("got %d %q with Connection %q; want 408 and no Connection header", resp.StatusCode, b, resp.Header.Get("Connection"))
	}
	for i := range 20 {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader("hello"))
		req.GetBody = nil
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d after the 408: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d after the 408: %d", i, resp.StatusCode)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections; want 1", n)
	}
}
