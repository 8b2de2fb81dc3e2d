// Package hostile is the test harness for attacks on a real server: it serves
// a handler on a loopback listener, runs an attack against it, and measures
// what the attack cost the server (peak heap growth while it ran, heap still
// held after it ended) and what it cost everybody else (the latency and
// failures of ordinary requests sent during the attack).
//
// It is support code for tests, not part of the library: it imports testing,
// so it lives in a module of its own with the attack tests that use it, one
// directory per library package (black-box tests of its exported API). The
// examples module's attack tests use it too. The attack runs in the test's
// process, so the figures include the client's own allocations: attacks
// should write raw bytes on net.Conns, which allocate next to nothing, and
// bounds should leave room for that.
//
// Tests that use it must not run in parallel with others: heap figures are
// process-wide.
package hostile

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a handler served on a loopback listener for one test.
type Server struct {
	*httptest.Server
	// Addr is the listener's host:port, for raw connections.
	Addr string
	// HTTP2 reports whether the server speaks HTTP/2 (over TLS).
	HTTP2 bool
}

// Option changes how [Start] serves.
type Option func(*httptest.Server)

// WithHTTP2 serves over TLS with HTTP/2 enabled; [Server.Client] speaks it.
func WithHTTP2() Option {
	return func(s *httptest.Server) { s.EnableHTTP2 = true }
}

// WithServer lets a test set http.Server fields (timeouts, limits) before
// the server starts.
func WithServer(f func(*http.Server)) Option {
	return func(s *httptest.Server) { f(s.Config) }
}

// Start serves h on 127.0.0.1 until the test ends. The server's
// ReadHeaderTimeout is 10 s unless an option sets another, so that a broken
// attack cannot hang the test.
func Start(t testing.TB, h http.Handler, opts ...Option) *Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ReadHeaderTimeout = 10 * time.Second
	s.Config.ErrorLog = nil
	for _, o := range opts {
		o(s)
	}
	if s.EnableHTTP2 {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return &Server{Server: s, Addr: s.Listener.Addr().String(), HTTP2: s.EnableHTTP2}
}

// Dial opens a raw TCP connection to the server (TLS with ALPN h2 when the
// server speaks HTTP/2) with a deadline on every operation. The connection
// is closed when the test ends.
func (s *Server) Dial(t testing.TB, deadline time.Duration) net.Conn {
	t.Helper()
	var conn net.Conn
	var err error
	d := &net.Dialer{Timeout: deadline}
	if s.HTTP2 {
		conn, err = tls.DialWithDialer(d, "tcp", s.Addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
	} else {
		conn, err = d.Dial("tcp", s.Addr)
	}
	if err != nil {
		t.Fatalf("hostile: dial %s: %v", s.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(deadline))
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Attack is one attack on a server.
type Attack struct {
	// Name says what the attack does, for the report.
	Name string
	// Run carries out the attack and returns when it is over (or ctx is
	// done). It adds every byte it sends to sent.
	Run func(ctx context.Context, s *Server, sent *atomic.Int64)
	// Probe builds the ordinary request sent during the attack, to measure
	// how the server treats everybody else. Nil: GET / on the server.
	Probe func(s *Server) *http.Request
	// ProbeStatus is the status the probe must get; 0 means any status
	// below 500.
	ProbeStatus int
}

// Report is what an attack cost.
type Report struct {
	Name string
	// Sent is the number of bytes the attack sent.
	Sent int64
	// PeakGrowth is the highest heap in use seen while the attack ran,
	// minus the heap in use before it.
	PeakGrowth int64
	// Retained is the heap still in use after the attack ended and its
	// connections closed, after a GC, minus the heap before it: what the
	// server kept of the attacker's requests.
	Retained int64
	// PeakRSS is the process's peak resident set growth (VmHWM) over the
	// attack, where /proc tells it; -1 elsewhere.
	PeakRSS int64
	// Probes, ProbeFailures: ordinary requests sent during the attack, and
	// those that failed or got an unexpected status.
	Probes, ProbeFailures int
	// ProbeP50, ProbeMax: their latencies.
	ProbeP50, ProbeMax time.Duration
	// Duration of the attack.
	Duration time.Duration
}

func (r Report) String() string {
	return fmt.Sprintf("%s: sent %s in %v; peak heap growth %s, retained %s, peak RSS growth %s; %d probes during the attack, %d failed, p50 %v, max %v",
		r.Name, Bytes(r.Sent), r.Duration.Round(time.Millisecond), Bytes(r.PeakGrowth), Bytes(r.Retained), Bytes(r.PeakRSS),
		r.Probes, r.ProbeFailures, r.ProbeP50.Round(10*time.Microsecond), r.ProbeMax.Round(10*time.Microsecond))
}

// Bytes prints a byte count for people in IEC units ("512 B", "1.5 KiB",
// "64 MiB"); negative counts (a heap that shrank) get a minus sign.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + ibytes(uint64(-(n+1))+1) // -(n+1) cannot overflow
	}
	return ibytes(uint64(n))
}

func ibytes(n uint64) string {
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	f, unit := float64(n)/1024, 0
	for f >= 1024 && unit < 5 {
		f, unit = f/1024, unit+1
	}
	prec := 1 // under 10: "1.5 KiB"; above: "64 MiB"
	if f >= 10 {
		prec = 0
	}
	return strconv.FormatFloat(f, 'f', prec, 64) + " " + [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}[unit]
}

// Run carries out a against s and measures it. It logs the report.
func Run(t testing.TB, s *Server, a Attack) Report {
	t.Helper()
	client := s.Client()
	if tr, ok := client.Transport.(*http.Transport); ok {
		tr.DisableCompression = true
		t.Cleanup(tr.CloseIdleConnections)
	}
	client.Timeout = 10 * time.Second
	probe := a.Probe
	if probe == nil {
		probe = func(s *Server) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
			return req
		}
	}
	// One probe before the attack, so that the probe's own connection and
	// the server's pools are warm and not counted as the attack's.
	if _, err := send(client, probe(s), a.ProbeStatus); err != nil {
		t.Fatalf("hostile: %s: the probe fails before any attack: %v", a.Name, err)
	}

	before := heapAfterGC()
	rssBefore := rss("VmRSS")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup

	var peak atomic.Uint64
	wg.Add(1)
	go func() { // sampler
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	var mu sync.Mutex
	var latencies []time.Duration
	failures := 0
	var firstFailure error
	wg.Add(1)
	go func() { // prober
		defer wg.Done()
		for ctx.Err() == nil {
			start := time.Now()
			_, err := send(client, probe(s), a.ProbeStatus)
			d := time.Since(start)
			mu.Lock()
			latencies = append(latencies, d)
			if err != nil {
				failures++
				if firstFailure == nil {
					firstFailure = err
				}
			}
			mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	var sent atomic.Int64
	start := time.Now()
	a.Run(ctx, s, &sent)
	dur := time.Since(start)
	cancel()
	wg.Wait()

	// Let the server finish with the attack's connections before measuring
	// what it kept.
	s.CloseClientConnections()
	client.CloseIdleConnections()
	time.Sleep(50 * time.Millisecond)
	after := heapAfterGC()

	rep := Report{
		Name:          a.Name,
		Sent:          sent.Load(),
		PeakGrowth:    int64(peak.Load()) - int64(before),
		Retained:      int64(after) - int64(before),
		PeakRSS:       -1,
		Probes:        len(latencies),
		ProbeFailures: failures,
		Duration:      dur,
	}
	if hwm := rss("VmHWM"); hwm > 0 && rssBefore > 0 {
		rep.PeakRSS = max(0, hwm-rssBefore)
	}
	if len(latencies) > 0 {
		slices.Sort(latencies)
		rep.ProbeP50 = latencies[len(latencies)/2]
		rep.ProbeMax = latencies[len(latencies)-1]
	}
	t.Log(rep.String())
	if firstFailure != nil {
		t.Logf("hostile: %s: first probe failure: %v", a.Name, firstFailure)
	}
	return rep
}

func send(c *http.Client, req *http.Request, want int) (int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if (want == 0 && resp.StatusCode >= 500) || (want != 0 && resp.StatusCode != want) {
		return resp.StatusCode, fmt.Errorf("probe %s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return resp.StatusCode, nil
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// rss reads a size field of /proc/self/status in bytes, 0 where there is
// none. VmHWM is the peak resident set since the process started: it only
// says something when the attack raises it above every earlier peak.
func rss(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0
			}
			return n << 10
		}
	}
	return 0
}

// Concurrently runs f n times at once and waits for all of them.
func Concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// Check fails the test when the report breaks a bound: peak heap growth
// over peak, retained heap over retained, or any probe that failed.
func Check(t testing.TB, r Report, peak, retained int64) {
	t.Helper()
	if r.PeakGrowth > peak {
		t.Errorf("%s: peak heap growth %s, over the bound of %s", r.Name, Bytes(r.PeakGrowth), Bytes(peak))
	}
	if r.Retained > retained {
		t.Errorf("%s: %s of heap still held after the attack, over the bound of %s", r.Name, Bytes(r.Retained), Bytes(retained))
	}
	if r.ProbeFailures > 0 {
		t.Errorf("%s: %d of %d ordinary requests failed during the attack", r.Name, r.ProbeFailures, r.Probes)
	}
}
