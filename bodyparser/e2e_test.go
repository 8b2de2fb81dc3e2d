package bodyparser_test

// End-to-end tests of the body parser over real loopback connections: what a
// client on the wire sees when it uploads too much, lies about its length,
// compresses a bomb, or keeps a connection alive across refusals.
//
// None of these tests is parallel: two of them measure runtime.MemStats
// TotalAlloc, which is process-wide, so nothing else may allocate while they
// run.

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
)

const (
	// e2eDeadline bounds every connection and request of these tests.
	e2eDeadline = 10 * time.Second
	// memBudget is the most a whole refused request may allocate, client
	// and server together: reading the upload into memory would cost far
	// more than this, reading limit+1 bytes through pooled chunks far less.
	memBudget = 4 << 20
)

// startServer serves h on a real loopback listener for the duration of t.
func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadHeaderTimeout = e2eDeadline
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// dialRaw opens a TCP connection to srv with a deadline on every operation.
func dialRaw(t *testing.T, srv *httptest.Server) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), e2eDeadline)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if err := conn.SetDeadline(time.Now().Add(e2eDeadline)); err != nil {
		t.Fatalf("SetDeadline: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// newClient returns a client with its own transport, so that connection
// reuse and allocations belong to one test.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: e2eDeadline}
}

// totalAlloc is the process's cumulative heap allocation, after a GC so that
// finalizers and pool clean-ups of earlier work are settled.
func totalAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// echoText answers 200 with the parsed text of the body and counts its calls.
func echoText(calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls != nil {
			calls.Add(1)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, bodyparser.Text(r))
	})
}

// do sends req with a deadline and returns the status and the whole body.
func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), e2eDeadline)
	defer cancel()
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

func newRequest(t *testing.T, url string, body io.Reader, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// unknownLength hides the length of its reader from http.NewRequest, so the
// client sends the body chunked.
type unknownLength struct{ io.Reader }

// headRecorder keeps the first bytes read through it: the response head as
// it was on the wire, before http.ReadResponse folds Connection: close into
// resp.Close.
type headRecorder struct {
	buf [4096]byte
	n   int
}

func (h *headRecorder) Write(p []byte) (int, error) {
	h.n += copy(h.buf[h.n:], p)
	return len(p), nil
}

func (h *headRecorder) head() string {
	s := string(h.buf[:h.n])
	if i := strings.Index(s, "\r\n\r\n"); i >= 0 {
		return s[:i+2]
	}
	return s
}

// isCutOff reports whether err is what a writer sees when the peer has
// closed the connection.
func isCutOff(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func TestOversizedStreamedUploadIsRefusedEarlyWithTheConnectionClosed(t *testing.T) {
	const (
		upload   = 1 << 30 // what the client means to send
		block    = 64 << 10
		maxSent  = 64 << 20
		wantBody = `{"error":"Body exceeded 1mb limit"}`
	)
	var calls atomic.Int32
	srv := startServer(t, bodyparser.New(bodyparser.Config{SizeLimit: "1mb"})(echoText(&calls)))

	// The body buffers, reused for every write and allocated before the
	// measurement: a chunk of 64 KiB of 'a', with and without its framing.
	data := bytes.Repeat([]byte{'a'}, block)
	framed := append(append([]byte(strconv.FormatInt(block, 16)+"\r\n"), data...), "\r\n"...)

	for _, tc := range []struct {
		name    string
		chunked bool
	}{
		{"a chunked upload of 1 GiB is cut off after the limit", true},
		{"a declared Content-Length of 1 GiB is cut off without being read", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			head := "POST /upload HTTP/1.1\r\nHost: e2e\r\nContent-Type: text/plain\r\n"
			if tc.chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				head += "Content-Length: " + strconv.Itoa(upload) + "\r\n\r\n"
			}
			type result struct {
				sent int64 // bytes written on the wire after the head
				err  error // the first write error, nil if all went through
				at   time.Time
			}
			done := make(chan result, 1)

			before := totalAlloc()
			start := time.Now()
			conn := dialRaw(t, srv)
			if _, err := io.WriteString(conn, head); err != nil {
				t.Fatalf("writing the request head: %v", err)
			}
			go func() {
				var res result
				var body int64
				for body < upload {
					p := data
					if tc.chunked {
						p = framed
					}
					n, err := conn.Write(p)
					res.sent += int64(n)
					if err != nil {
						res.err = err
						break
					}
					body += block
				}
				if res.err == nil && tc.chunked {
					n, err := io.WriteString(conn, "0\r\n\r\n")
					res.sent += int64(n)
					res.err = err
				}
				res.at = time.Now()
				done <- res
			}()

			var rec headRecorder
			br := bufio.NewReader(io.TeeReader(conn, &rec))
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("reading the response: %v", err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("reading the response body: %v", err)
			}
			answered := time.Now()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("status = %d, want 413", resp.StatusCode)
			}
			if string(got) != wantBody {
				t.Errorf("body = %q, want %q", got, wantBody)
			}
			if !strings.Contains(rec.head(), "\r\nConnection: close\r\n") || !resp.Close {
				t.Errorf("the response does not carry Connection: close:\n%s", rec.head())
			}

			// The server must hang up: the uploader's writes fail...
			var res result
			select {
			case res = <-done:
			case <-time.After(5 * time.Second):
				conn.Close()
				<-done
				t.Fatalf("the client could still write 5s after the 413: the server did not close the connection")
			}
			if res.err == nil {
				t.Fatalf("the client sent the whole GiB (%d bytes) without a write error", res.sent)
			}
			if !isCutOff(res.err) {
				t.Errorf("the upload stopped with %v, want a broken pipe or a connection reset", res.err)
			}
			// ...and reading on gives EOF or a reset, not a timeout.
			var one [1]byte
			n, rerr := br.Read(one[:])
			if n != 0 || rerr == nil || isTimeout(rerr) {
				t.Errorf("read after the response = %d, %v; want 0 bytes and EOF or a reset", n, rerr)
			}
			conn.Close()
			after := totalAlloc()

			if res.sent >= maxSent {
				t.Errorf("the client sent %d bytes before the server cut it off, want < %d", res.sent, maxSent)
			}
			if c := calls.Load(); c != 0 {
				t.Errorf("the handler ran %d times for a refused body", c)
			}
			delta := int64(after - before)
			if delta >= memBudget {
				t.Errorf("TotalAlloc grew by %d bytes (%.2f MiB) for the request, want < %d", delta, float64(delta)/(1<<20), memBudget)
			}
			t.Logf("client sent %d bytes (%.2f MiB) before its writes failed with %v; 413 after %v, cut off %v later; TotalAlloc delta %d bytes (%.2f MiB)",
				res.sent, float64(res.sent)/(1<<20), res.err, answered.Sub(start).Round(time.Millisecond),
				res.at.Sub(answered).Round(time.Millisecond), delta, float64(delta)/(1<<20))
		})
	}
}

// TestOversizedUploadIsAnsweredWithoutWaitingForUnsentBytes: the 413 is
// decided once the limit is passed, or from Content-Length alone, so it must
// not wait for body bytes that the client has not sent (a client streaming
// from a slow source, or one that waits for an early answer before
// uploading the rest).
//
// signalTooLarge (read.go) reads one more byte of the body through
// http.MaxBytesReader to reach net/http's requestTooLarge hook; without the
// short read deadline it sets, that read blocked until the client sent
// another byte, and with no ReadTimeout on the server the 413 was withheld
// indefinitely. This test failed before the deadline was added.
func TestOversizedUploadIsAnsweredWithoutWaitingForUnsentBytes(t *testing.T) {
	const (
		upload   = 1 << 30
		wantBody = `{"error":"Body exceeded 1mb limit"}`
	)
	var calls atomic.Int32
	srv := startServer(t, bodyparser.New(bodyparser.Config{SizeLimit: "1mb"})(echoText(&calls)))
	for _, tc := range []struct {
		name string
		head string
		body string
	}{
		{
			"a declared Content-Length of 1 GiB is answered before any body byte arrives",
			"Content-Length: " + strconv.Itoa(upload) + "\r\n\r\n",
			"",
		},
		{
			"a chunked upload that pauses right after passing the limit is answered at once",
			"Transfer-Encoding: chunked\r\n\r\n",
			strconv.FormatInt(1<<20+1, 16) + "\r\n" + strings.Repeat("a", 1<<20+1) + "\r\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			conn := dialRaw(t, srv)
			if _, err := io.WriteString(conn, "POST /upload HTTP/1.1\r\nHost: e2e\r\nContent-Type: text/plain\r\n"+tc.head+tc.body); err != nil {
				t.Fatalf("writing the request: %v", err)
			}
			// No timing here: a server that waits for the unsent bytes never
			// answers, and the connection's e2eDeadline ends the test; how
			// soon the 413 comes is BenchmarkBodyParserEarly413's business.
			start := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				// Closing the connection (cleanup) releases the server.
				t.Fatalf("no answer %v after the request while the client waits with the rest of the body unsent: %v", time.Since(start).Round(time.Millisecond), err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || string(got) != wantBody || !resp.Close {
				t.Errorf("got %d %s (close %v), want 413 %s and Connection: close", resp.StatusCode, got, resp.Close, wantBody)
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("the handler ran %d times for a refused body", n)
			}
			t.Logf("answered in %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

// bombs are 64 MiB of zeros, compressed once for the whole run.
var bombs struct {
	once       sync.Once
	gzip, zlib []byte
}

// compressedZeros returns 64 MiB of zeros compressed at BestCompression as
// gzip (~64 KiB) and as zlib. The zlib stream reuses the gzip stream's
// deflate data, which is the same at the same level, because compressing
// 64 MiB takes seconds under -race: zlib is a 2-byte header (0x78 0xDA for
// BestCompression), the deflate data and the Adler-32 of the input, which
// for n zeros is (n mod 65521)<<16 | 1.
func compressedZeros(t *testing.T) (gz, zl []byte) {
	t.Helper()
	const size = 64 << 20
	bombs.once.Do(func() {
		zeros := make([]byte, 1<<20)
		var g bytes.Buffer
		gw, _ := gzip.NewWriterLevel(&g, gzip.BestCompression)
		for range size / len(zeros) {
			gw.Write(zeros)
		}
		if err := gw.Close(); err != nil {
			panic(err)
		}
		bombs.gzip = g.Bytes()
		deflate := bombs.gzip[10 : len(bombs.gzip)-8] // gzip.Writer's header is 10 bytes, its trailer 8
		zl := append([]byte{0x78, 0xda}, deflate...)
		bombs.zlib = binary.BigEndian.AppendUint32(zl, uint32(size%65521)<<16|1)
		if _, err := zlib.NewReader(bytes.NewReader(bombs.zlib)); err != nil {
			panic(err)
		}
	})
	return bombs.gzip, bombs.zlib
}

// compress returns s compressed as the Content-Encoding enc: "gzip",
// "deflate" (zlib-wrapped, as RFC 9110 means it) or "raw deflate" (what some
// clients send as deflate).
func compress(enc, s string) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "raw deflate":
		w, _ = flate.NewWriter(&b, flate.DefaultCompression)
	default:
		panic(enc)
	}
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

func TestGzipBombIsRefusedAfterTheLimitOfDecodedBytes(t *testing.T) {
	gz, zl := compressedZeros(t)
	var calls atomic.Int32
	// Without a decompression ratio, which would refuse the bomb sooner
	// (TestCompressedBodiesExpandNoMoreThanTheRatio), to test the limit.
	srv := startServer(t, bodyparser.New(bodyparser.Config{SizeLimit: "1mb", MaxDecompressionRatio: -1})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		v, ok := bodyparser.Value(r)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"value":           v,
			"defined":         ok,
			"contentEncoding": r.Header.Values("Content-Encoding"),
			"contentLength":   r.ContentLength,
			"raw":             string(bodyparser.Bytes(r)),
		})
	})))

	for _, tc := range []struct {
		name     string
		encoding string
		body     []byte
	}{
		{"a gzip stream of 64 MiB of zeros is refused with 413", "gzip", gz},
		{"a deflate (zlib) stream of 64 MiB of zeros is refused with 413", "deflate", zl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			c := newClient(t)
			before := totalAlloc()
			req := newRequest(t, srv.URL, bytes.NewReader(tc.body), "Content-Type", "application/json", "Content-Encoding", tc.encoding)
			resp, got := do(t, c, req)
			c.CloseIdleConnections()
			after := totalAlloc()

			if resp.StatusCode != http.StatusRequestEntityTooLarge || got != `{"error":"Body exceeded 1mb limit"}` {
				t.Errorf("got %d %s, want 413 {\"error\":\"Body exceeded 1mb limit\"}", resp.StatusCode, got)
			}
			if !resp.Close {
				t.Errorf("the 413 does not close the connection")
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("the handler ran %d times", n)
			}
			delta := int64(after - before)
			if delta >= memBudget {
				t.Errorf("TotalAlloc grew by %d bytes (%.2f MiB), want < %d", delta, float64(delta)/(1<<20), memBudget)
			}
			t.Logf("%s bomb: %d bytes on the wire for 64 MiB decoded; TotalAlloc delta %d bytes (%.2f MiB)",
				tc.encoding, len(tc.body), delta, float64(delta)/(1<<20))
		})
	}

	for _, enc := range []string{"gzip", "deflate", "raw deflate"} {
		t.Run("a small "+enc+" JSON body reaches the handler decoded and without Content-Encoding", func(t *testing.T) {
			calls.Store(0)
			header := strings.TrimPrefix(enc, "raw ")
			req := newRequest(t, srv.URL, bytes.NewReader(compress(enc, `{"a":1}`)), "Content-Type", "application/json", "Content-Encoding", header)
			resp, got := do(t, newClient(t), req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d %s, want 200", resp.StatusCode, got)
			}
			var seen struct {
				Value           map[string]any
				Defined         bool
				ContentEncoding []string
				ContentLength   int64
				Raw             string
			}
			if err := json.Unmarshal([]byte(got), &seen); err != nil {
				t.Fatalf("decoding %s: %v", got, err)
			}
			if !seen.Defined || len(seen.Value) != 1 || seen.Value["a"] != 1.0 {
				t.Errorf("the handler saw Value = %v (defined %v), want map[a:1]", seen.Value, seen.Defined)
			}
			if len(seen.ContentEncoding) != 0 {
				t.Errorf("the handler saw Content-Encoding %q, want none", seen.ContentEncoding)
			}
			if seen.Raw != `{"a":1}` || seen.ContentLength != 7 {
				t.Errorf("the handler saw Raw %q and ContentLength %d, want {\"a\":1} and 7", seen.Raw, seen.ContentLength)
			}
		})
	}

	for _, tc := range []struct {
		name, encoding, body string
		status               int
		want                 string
	}{
		{"plain text labelled gzip is 400 Invalid body", "gzip", `{"a":1}`, 400, `{"error":"Invalid body"}`},
		{"plain text labelled deflate is 400 Invalid body", "deflate", `{"a":1}`, 400, `{"error":"Invalid body"}`},
		{"a gzip stream cut short is 400 Invalid body", "gzip", string(compress("gzip", `{"a":1}`)[:12]), 400, `{"error":"Invalid body"}`},
		{"Content-Encoding br is 415", "br", `{"a":1}`, 415, `{"error":"Unsupported Content-Encoding: br"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			req := newRequest(t, srv.URL, strings.NewReader(tc.body), "Content-Type", "application/json", "Content-Encoding", tc.encoding)
			resp, got := do(t, newClient(t), req)
			if resp.StatusCode != tc.status || got != tc.want {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, got, tc.status, tc.want)
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("the handler ran %d times", n)
			}
		})
	}
}

func TestAClientThatLiesAboutContentLength(t *testing.T) {
	var calls atomic.Int32
	srv := startServer(t, bodyparser.New(bodyparser.Config{SizeLimit: "1mb"})(echoText(&calls)))

	t.Run("a body shorter than its Content-Length is 400 Invalid body and never reaches the handler", func(t *testing.T) {
		calls.Store(0)
		conn := dialRaw(t, srv)
		req := "POST /short HTTP/1.1\r\nHost: e2e\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789"
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatalf("CloseWrite: %v", err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || string(got) != `{"error":"Invalid body"}` {
			t.Errorf("got %d %s, want 400 {\"error\":\"Invalid body\"}", resp.StatusCode, got)
		}
		if n := calls.Load(); n != 0 {
			t.Errorf("the handler ran %d times for a truncated body", n)
		}
	})

	t.Run("bytes after the declared length are not part of the body and the server keeps serving", func(t *testing.T) {
		calls.Store(0)
		conn := dialRaw(t, srv)
		req := "POST /long HTTP/1.1\r\nHost: e2e\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloEXTRA-GARBAGE\r\n\r\n"
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(got) != "hello" {
			t.Errorf("got %d %q, want 200 \"hello\"", resp.StatusCode, got)
		}
		// What follows is net/http's answer to the garbage read as the
		// next request; it must not reach the handler.
		if next, err := http.ReadResponse(br, nil); err == nil {
			b, _ := io.ReadAll(next.Body)
			next.Body.Close()
			t.Logf("the extra bytes were answered as a request of their own: %d %q", next.StatusCode, b)
			if next.StatusCode == http.StatusOK {
				t.Errorf("the extra bytes were served as a request: %d %q", next.StatusCode, b)
			}
		} else {
			t.Logf("after the first response: %v", err)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("the handler ran %d times, want 1", n)
		}

		resp2, got2 := do(t, newClient(t), newRequest(t, srv.URL, strings.NewReader("again"), "Content-Type", "text/plain"))
		if resp2.StatusCode != http.StatusOK || got2 != "again" {
			t.Errorf("a well-formed request on a new connection got %d %q, want 200 \"again\"", resp2.StatusCode, got2)
		}
	})
}

// pull counts the bytes read from a request's original body.
type pull struct {
	n       atomic.Int64
	chunked atomic.Bool
}

type countingBody struct {
	io.ReadCloser
	p *pull
}

func (c countingBody) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	c.p.n.Add(int64(n))
	return n, err
}

func TestChunkedBodiesAreCountedLikeContentLength(t *testing.T) {
	for _, lim := range []struct {
		limit string
		n     int
	}{
		{"100b", 100},
		{"1kb", 1024},
	} {
		// The outer layer replaces r.Body, before bodyparser, with a reader
		// that counts what is pulled from the connection; requests are told
		// apart by X-Id.
		var pulls sync.Map // X-Id → *pull
		inner := bodyparser.New(bodyparser.Config{SizeLimit: lim.limit})(echoText(nil))
		srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := &pull{}
			p.chunked.Store(r.ContentLength == -1 && len(r.TransferEncoding) == 1 && r.TransferEncoding[0] == "chunked")
			pulls.Store(r.Header.Get("X-Id"), p)
			r.Body = countingBody{r.Body, p}
			inner.ServeHTTP(w, r)
		}))
		c := newClient(t)
		tooLarge := fmt.Sprintf(`{"error":"Body exceeded %s limit"}`, lim.limit)

		for _, tc := range []struct {
			size   int
			status int
		}{
			{lim.n - 1, 200},
			{lim.n, 200},
			{lim.n + 1, 413},
			{10 << 10, 413},
		} {
			name := fmt.Sprintf("a chunked body of %d bytes under a limit of %s is %d", tc.size, lim.limit, tc.status)
			t.Run(name, func(t *testing.T) {
				body := strings.Repeat("x", tc.size-1) + "y"
				id := strconv.Itoa(tc.size)
				req := newRequest(t, srv.URL, unknownLength{strings.NewReader(body)}, "Content-Type", "text/plain", "X-Id", id)
				resp, got := do(t, c, req)
				v, ok := pulls.Load(id)
				if !ok {
					t.Fatalf("the request never reached the server")
				}
				p := v.(*pull)
				if !p.chunked.Load() {
					t.Fatalf("the client did not send the body chunked")
				}
				pulled := p.n.Load()
				switch tc.status {
				case 200:
					if resp.StatusCode != 200 || got != body {
						t.Errorf("got %d and %d bytes, want 200 and the %d bytes echoed", resp.StatusCode, len(got), tc.size)
					}
					if pulled != int64(tc.size) {
						t.Errorf("bodyparser pulled %d bytes of a %d-byte body", pulled, tc.size)
					}
				case 413:
					if resp.StatusCode != 413 || got != tooLarge {
						t.Errorf("got %d %s, want 413 %s", resp.StatusCode, got, tooLarge)
					}
					if !resp.Close {
						t.Errorf("the 413 does not close the connection")
					}
					// limit+1 bytes tell that the body is too large; the one
					// byte more is the read through http.MaxBytesReader that
					// makes net/http close the connection (signalTooLarge),
					// which also goes through r.Body.
					if max := int64(lim.n) + 2; pulled > max || pulled < int64(lim.n)+1 {
						t.Errorf("bodyparser pulled %d bytes of a %d-byte body, want %d to %d", pulled, tc.size, lim.n+1, max)
					}
				}
				t.Logf("pulled %d bytes of %d", pulled, tc.size)
			})
		}
	}
}

func TestTheServerKeepsServingAfterRefusals(t *testing.T) {
	srv := startServer(t, bodyparser.New(bodyparser.Config{SizeLimit: "1kb"})(echoText(nil)))
	c := newClient(t)
	oversized := strings.Repeat("x", 2<<10)

	type refusal struct {
		name   string
		req    func() *http.Request
		status int
		want   string
	}
	kinds := []refusal{
		{"invalid JSON", func() *http.Request {
			return newRequest(t, srv.URL, strings.NewReader(`{"a":`), "Content-Type", "application/json")
		}, 400, `{"error":"Invalid JSON"}`},
		{"bad gzip", func() *http.Request {
			return newRequest(t, srv.URL, strings.NewReader(`not gzip at all`), "Content-Type", "application/json", "Content-Encoding", "gzip")
		}, 400, `{"error":"Invalid body"}`},
		{"unknown charset", func() *http.Request {
			return newRequest(t, srv.URL, strings.NewReader(`hello`), "Content-Type", "text/plain; charset=klingon")
		}, 400, `{"error":"Invalid body"}`},
		{"oversized with Content-Length", func() *http.Request {
			return newRequest(t, srv.URL, strings.NewReader(oversized), "Content-Type", "text/plain")
		}, 413, `{"error":"Body exceeded 1kb limit"}`},
		{"invalid JSON", func() *http.Request {
			return newRequest(t, srv.URL, strings.NewReader(`[1,2`), "Content-Type", "application/json")
		}, 400, `{"error":"Invalid JSON"}`},
		{"oversized and chunked", func() *http.Request {
			return newRequest(t, srv.URL, unknownLength{strings.NewReader(oversized)}, "Content-Type", "text/plain")
		}, 413, `{"error":"Body exceeded 1kb limit"}`},
	}

	// send does one request and reports whether it went over a connection
	// used before.
	send := func(req *http.Request) (*http.Response, string, bool) {
		var reused atomic.Bool
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused.Store(info.Reused) }}
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, got := do(t, c, req)
		return resp, got, reused.Load()
	}

	prevClosed := true // the first request needs a new connection
	var kept, closed int
	for i := range 20 {
		k := kinds[i%len(kinds)]
		resp, got, reused := send(k.req())
		if resp.StatusCode != k.status || got != k.want {
			t.Errorf("request %d (%s): got %d %s, want %d %s", i, k.name, resp.StatusCode, got, k.status, k.want)
		}
		if reused != !prevClosed {
			t.Errorf("request %d (%s): reused a connection = %v, want %v (the previous answer closed it: %v)", i, k.name, reused, !prevClosed, prevClosed)
		}
		if wantClose := k.status == 413; resp.Close != wantClose {
			t.Errorf("request %d (%s): the %d answer closes the connection = %v, want %v", i, k.name, resp.StatusCode, resp.Close, wantClose)
		}
		if resp.Close {
			closed++
		} else {
			kept++
		}
		prevClosed = resp.Close
	}
	t.Logf("%d refusals kept the connection alive, %d closed it", kept, closed)

	for i := range 2 {
		resp, got, reused := send(newRequest(t, srv.URL, strings.NewReader(`{"ok":true}`), "Content-Type", "application/json"))
		if resp.StatusCode != http.StatusOK || got != `{"ok":true}` {
			t.Errorf("a normal JSON request after the refusals got %d %s, want 200 {\"ok\":true}", resp.StatusCode, got)
		}
		if reused != !prevClosed {
			t.Errorf("normal request %d: reused a connection = %v, want %v", i, reused, !prevClosed)
		}
		prevClosed = resp.Close
	}
}
