package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// loadConfig is one run of the load generator.
type loadConfig struct {
	// Name labels the result (the server's impl, or nextjs).
	Name string
	// URL is the route: http://127.0.0.1:port/path.
	URL string
	// Post sends an order of about Size bytes (1 KiB if zero) as
	// application/json; otherwise a GET.
	Post bool
	Size int
	// Origin and Cookie, if set, are sent as those headers (the -full
	// servers read both).
	Origin, Cookie string
	// Conns is the number of keep-alive connections, each with one
	// request in flight (a closed loop).
	Conns int
	// Rate, if above zero, makes the loop open: requests are due at Rate
	// per second in all, evenly spaced from the start, each sent by the
	// first connection free once it is due, and its latency counts from
	// when it was due, so the time it waited for a free connection is in
	// it (no coordinated omission). At the same Rate every server gets the
	// same offered load, which a closed loop cannot give: there, a faster
	// server is sent more. Conns bounds the requests in flight.
	Rate float64
	// Warmup runs the load unmeasured first; Duration is the measured
	// window after it.
	Warmup, Duration time.Duration
	// Wait is how long to retry connecting while the server starts.
	Wait time.Duration
	// StatsURL, if set, is the server's GET /__stats, read at both ends of
	// the window for allocations and CPU per request.
	StatsURL string
	// PID, if set and StatsURL is not, is the server's process, whose CPU
	// time (descendants included) is read from /proc.
	PID int
}

// result is what one run measured, one JSON line of results.jsonl.
type result struct {
	Name     string  `json:"name"`
	Method   string  `json:"method"`
	URL      string  `json:"url"`
	Conns    int     `json:"conns"`
	Warmup   float64 `json:"warmupSeconds"`
	Seconds  float64 `json:"seconds"`
	Requests uint64  `json:"requests"`
	RPS      float64 `json:"rps"`
	// Latencies in microseconds, from writing the request (in an open
	// loop: from when it was due) to reading the last byte of the response.
	P50  float64 `json:"p50us"`
	P90  float64 `json:"p90us"`
	P99  float64 `json:"p99us"`
	Max  float64 `json:"maxus"`
	Mean float64 `json:"meanus"`
	// Rate is the open loop's offered requests/s (loadConfig.Rate), 0 for
	// a closed loop.
	Rate float64 `json:"rate,omitempty"`
	// Server side, per request over the window; -1 where unknown.
	AllocsPerReq float64 `json:"allocsPerReq"`
	BytesPerReq  float64 `json:"bytesPerReq"`
	GCs          int64   `json:"gcs"`
	ServerCPUus  float64 `json:"serverCPUusPerReq"`
	ServerProcs  int     `json:"serverGOMAXPROCS"`
	// LoadCPU is the load generator's CPU use over the window, in cores:
	// near its GOMAXPROCS, the client rather than the server set the pace.
	LoadCPU   float64 `json:"loadCPU"`
	LoadProcs int     `json:"loadGOMAXPROCS"`
	// ResponseBytes is the size of the (identical) response bodies.
	ResponseBytes int `json:"responseBytes"`
	// Redials counts the connections opened again in the window, after
	// the server closed one (none with keep-alive working).
	Redials uint64 `json:"redials"`
}

// target is a parsed URL: where to dial and the request bytes to send.
type target struct {
	addr   string
	method string
	req    []byte
	// want is the JSON value every response body must decode to.
	want any
}

func newTarget(rawURL string, post bool) (*target, error) {
	return newTargetWith(loadConfig{URL: rawURL, Post: post})
}

func newTargetWith(cfg loadConfig) (*target, error) {
	rawURL, post := cfg.URL, cfg.Post
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%s: only http:// URLs", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	if err := loopbackOnly(addr); err != nil {
		return nil, err
	}
	t := &target{addr: addr, method: http.MethodGet}
	var b bytes.Buffer
	var body []byte
	if post {
		t.method, body = http.MethodPost, payloadOf(cfg.Size)
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: apiroutes-e2e\r\nAccept: application/json\r\n", t.method, u.RequestURI(), u.Host)
	if cfg.Origin != "" {
		fmt.Fprintf(&b, "Origin: %s\r\n", cfg.Origin)
	}
	if cfg.Cookie != "" {
		fmt.Fprintf(&b, "Cookie: %s\r\n", cfg.Cookie)
	}
	if post {
		fmt.Fprintf(&b, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	t.req = b.Bytes()
	want := helloBody
	if post {
		want = body
	}
	if err := json.Unmarshal(want, &t.want); err != nil {
		return nil, err
	}
	return t, nil
}

// conn is one keep-alive connection of the client: it writes the request
// bytes built once and parses the response with no allocation, which
// keeps the client's CPU per request well under the servers'.
type conn struct {
	t     *target
	c     net.Conn
	br    *bufio.Reader
	body  []byte
	dials uint64
}

func (c *conn) dial() error {
	nc, err := net.Dial("tcp", c.t.addr)
	if err != nil {
		return err
	}
	c.c = nc
	c.dials++
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 16<<10)
	} else {
		c.br.Reset(nc)
	}
	return nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// do sends the request and reads the response into c.body, reconnecting
// first if the connection was closed. A response that asked to close the
// connection closes it after being read.
func (c *conn) do() (status int, err error) {
	if c.c == nil {
		if err := c.dial(); err != nil {
			return 0, err
		}
	}
	if _, err := c.c.Write(c.t.req); err != nil {
		c.close()
		return 0, err
	}
	status, keep, err := c.read()
	if err != nil || !keep {
		c.close()
	}
	return status, err
}

var errMalformed = errors.New("malformed HTTP response")

// read parses one HTTP/1.x response: the status line, the headers that
// frame the body (Content-Length, Transfer-Encoding: chunked, Connection),
// and the body.
func (c *conn) read() (status int, keepAlive bool, err error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	keepAlive = line[7] == '1'
	status = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	length, chunked := -1, false
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return status, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		i := bytes.IndexByte(line, ':')
		if i < 0 {
			return status, false, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		name, value := line[:i], bytes.TrimSpace(line[i+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseUint(value, 10)
			if !ok {
				return status, false, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keepAlive = false
			} else if bytes.EqualFold(value, []byte("keep-alive")) {
				keepAlive = true
			}
		}
	}
	c.body = c.body[:0]
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified || status/100 == 1:
	case chunked:
		err = c.readChunked()
	case length >= 0:
		err = c.readN(length)
	default: // delimited by the end of the connection
		var rest []byte
		rest, err = io.ReadAll(c.br)
		c.body = append(c.body, rest...)
		keepAlive = false
	}
	return status, keepAlive, err
}

// parseUint parses a Content-Length (base 10) or a chunk size (base 16) of
// at most 1 GiB, without the allocation strconv's error would make.
func parseUint(b []byte, base int) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		var d int
		switch {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case base == 16 && 'a' <= c|0x20 && c|0x20 <= 'f':
			d = int(c|0x20-'a') + 10
		default:
			return 0, false
		}
		n = n*base + d
		if n > 1<<30 {
			return 0, false
		}
	}
	return n, true
}

func (c *conn) readN(n int) error {
	start := len(c.body)
	c.body = append(c.body, make([]byte, n)...) // no allocation once c.body has grown
	_, err := io.ReadFull(c.br, c.body[start:])
	return err
}

func (c *conn) readChunked() error {
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, ok := parseUint(bytes.TrimSpace(line), 16)
		if !ok {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			for { // trailers, up to the empty line
				line, err := c.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if err := c.readN(n); err != nil {
			return err
		}
		if _, err := c.br.Discard(2); err != nil { // the chunk's CRLF
			return err
		}
	}
}

// reference makes one request and checks that the server answers 200 with
// a JSON body equal to the expected value (the payload, for a POST). The
// load then requires every body to be byte-for-byte this one.
func (t *target) reference(wait time.Duration) ([]byte, error) {
	deadline := time.Now().Add(wait)
	c := &conn{t: t}
	defer c.close()
	for {
		err := c.dial()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("server at %s not up after %s: %w", t.addr, wait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	status, err := c.do()
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("%s %s: status %d, body %.200q", t.method, t.addr, status, c.body)
	}
	var got any
	if err := json.Unmarshal(c.body, &got); err != nil {
		return nil, fmt.Errorf("%s %s: response is not JSON: %v: %.200q", t.method, t.addr, err, c.body)
	}
	if !reflect.DeepEqual(got, t.want) {
		return nil, fmt.Errorf("%s %s: response %.300s is not the value expected", t.method, t.addr, c.body)
	}
	return bytes.Clone(c.body), nil
}

// Phases of a run.
const (
	warming int32 = iota
	measuring
	stopping
)

// worker is one connection's closed loop.
type worker struct {
	c       conn
	hist    histogram
	n       uint64
	redials uint64
	err     error
}

// pacer hands out the due times of an open loop's requests.
type pacer struct {
	start time.Time
	every time.Duration
	next  atomic.Int64
}

func (pc *pacer) due() time.Time {
	return pc.start.Add(time.Duration(pc.next.Add(1)-1) * pc.every)
}

func (w *worker) run(phase *atomic.Int32, pace *pacer, ref []byte, fail func()) {
	defer w.c.close()
	for {
		p := phase.Load()
		if p == stopping {
			return
		}
		var start time.Time
		if pace != nil {
			start = pace.due()
			if wait := time.Until(start); wait > 0 {
				time.Sleep(wait)
				if p = phase.Load(); p == stopping {
					return
				}
			}
		}
		dials := w.c.dials
		if pace == nil {
			start = time.Now()
		}
		status, err := w.c.do()
		lat := time.Since(start)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("status %d, body %.200q", status, w.c.body)
		}
		if err == nil && !bytes.Equal(w.c.body, ref) {
			err = fmt.Errorf("body %.200q differs from the first response's %.200q", w.c.body, ref)
		}
		if err != nil {
			if phase.Load() != stopping {
				w.err = err
				fail()
			}
			return
		}
		if p == measuring && phase.Load() == measuring {
			w.hist.record(uint64(lat))
			w.n++
			if dials > 0 { // not the connection's first
				w.redials += w.c.dials - dials
			}
		}
	}
}

// snapshot is the server's counters at one end of the window.
type snapshot struct {
	stats  *serverStats // from StatsURL, or nil
	pidCPU int64        // from /proc for PID, or -1
}

func takeSnapshot(cfg loadConfig) (snapshot, error) {
	s := snapshot{pidCPU: -1}
	if cfg.StatsURL != "" {
		resp, err := http.Get(cfg.StatsURL)
		if err != nil {
			return s, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return s, fmt.Errorf("GET %s: %s", cfg.StatsURL, resp.Status)
		}
		s.stats = new(serverStats)
		if err := json.NewDecoder(resp.Body).Decode(s.stats); err != nil {
			return s, fmt.Errorf("GET %s: %w", cfg.StatsURL, err)
		}
	}
	if cfg.PID > 0 {
		s.pidCPU = treeCPU(cfg.PID)
	}
	return s, nil
}

// sleep waits for d, or until done is closed; it reports whether the whole
// d elapsed.
func sleep(d time.Duration, done <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// runLoad drives cfg.Conns connections for cfg.Warmup, then measures for
// cfg.Duration, and stops. The first error (a refused connection, a wrong
// status or body) ends the run: the numbers of a server that answers
// wrongly mean nothing.
func runLoad(cfg loadConfig) (result, error) {
	if cfg.Conns < 1 || cfg.Duration <= 0 || cfg.Warmup < 0 || cfg.Rate < 0 || cfg.Rate > 1e6 {
		return result{}, fmt.Errorf("need -conns ≥ 1, -duration > 0, -warmup ≥ 0 and 0 ≤ -rate ≤ 1e6")
	}
	t, err := newTargetWith(cfg)
	if err != nil {
		return result{}, err
	}
	ref, err := t.reference(cfg.Wait)
	if err != nil {
		return result{}, err
	}
	var phase atomic.Int32
	failed := make(chan struct{})
	var once sync.Once
	fail := func() { once.Do(func() { close(failed) }) }
	var pace *pacer
	if cfg.Rate > 0 {
		pace = &pacer{start: time.Now(), every: time.Duration(float64(time.Second) / cfg.Rate)}
	}
	workers := make([]*worker, cfg.Conns)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{c: conn{t: t}}
		workers[i] = w
		wg.Go(func() { w.run(&phase, pace, ref, fail) })
	}
	firstErr := func() error {
		for _, w := range workers {
			if w.err != nil {
				return fmt.Errorf("%s %s: %w", t.method, cfg.URL, w.err)
			}
		}
		return nil
	}
	stop := func() {
		phase.Store(stopping)
		wg.Wait()
	}

	if !sleep(cfg.Warmup, failed) {
		stop()
		return result{}, firstErr()
	}
	before, err := takeSnapshot(cfg)
	if err != nil {
		stop()
		return result{}, err
	}
	cpu0 := selfCPU()
	t0 := time.Now()
	phase.Store(measuring)
	sleep(cfg.Duration, failed)
	phase.Store(stopping)
	elapsed := time.Since(t0)
	cpu1 := selfCPU()
	after, err := takeSnapshot(cfg)
	wg.Wait()
	if err := firstErr(); err != nil {
		return result{}, err
	}
	if err != nil {
		return result{}, err
	}

	var h histogram
	var n, redials uint64
	for _, w := range workers {
		h.merge(&w.hist)
		n += w.n
		redials += w.redials
	}
	if n == 0 {
		return result{}, fmt.Errorf("%s %s: no request completed in %s", t.method, cfg.URL, cfg.Duration)
	}
	us := func(ns uint64) float64 { return float64(ns) / 1e3 }
	r := result{
		Name: cfg.Name, Method: t.method, URL: cfg.URL, Conns: cfg.Conns,
		Warmup: cfg.Warmup.Seconds(), Seconds: elapsed.Seconds(),
		Requests: n, RPS: float64(n) / elapsed.Seconds(),
		P50: us(h.quantile(0.50)), P90: us(h.quantile(0.90)), P99: us(h.quantile(0.99)),
		Max: us(h.max), Mean: us(h.sum / h.n), Rate: cfg.Rate,
		AllocsPerReq: -1, BytesPerReq: -1, GCs: -1, ServerCPUus: -1,
		LoadProcs: runtime.GOMAXPROCS(0), ResponseBytes: len(ref), Redials: redials,
	}
	if cpu0 >= 0 && cpu1 >= 0 {
		r.LoadCPU = float64(cpu1-cpu0) / float64(elapsed)
	}
	if b, a := before.stats, after.stats; b != nil && a != nil && a.Requests > b.Requests {
		// Per request the server finished in the window, by its own count.
		reqs := float64(a.Requests - b.Requests)
		r.AllocsPerReq = float64(a.Mallocs-b.Mallocs) / reqs
		r.BytesPerReq = float64(a.TotalAlloc-b.TotalAlloc) / reqs
		r.GCs = int64(a.NumGC - b.NumGC)
		r.ServerProcs = a.GOMAXPROCS
		if b.CPUNanos >= 0 && a.CPUNanos >= 0 {
			r.ServerCPUus = float64(a.CPUNanos-b.CPUNanos) / 1e3 / reqs
		}
	} else if c0, c1 := before.pidCPU, after.pidCPU; c0 >= 0 && c1 >= 0 {
		// No stats endpoint (Next.js): the process tree's CPU from /proc,
		// per request the client completed.
		r.ServerCPUus = float64(c1-c0) / 1e3 / float64(n)
	}
	return r, nil
}

func loadMain(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var cfg loadConfig
	fs.StringVar(&cfg.Name, "name", "", "label of the result (default: the URL)")
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080"+helloPath, "loopback URL of the route")
	fs.BoolVar(&cfg.Post, "post", false, "POST a JSON order (and expect it back) instead of a GET expecting "+string(helloBody))
	fs.IntVar(&cfg.Size, "size", 1<<10, "with -post: the order's size in bytes, at most (1024, 65536, 1048576...)")
	fs.StringVar(&cfg.Origin, "origin", "", "an Origin header to send")
	fs.StringVar(&cfg.Cookie, "cookie", "", "a Cookie header to send")
	fs.IntVar(&cfg.Conns, "conns", 32, "keep-alive connections, one request in flight on each")
	fs.Float64Var(&cfg.Rate, "rate", 0, "open loop: requests/s offered in all, latency counted from when each was due (0: closed loop)")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "unmeasured load before the window")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured window")
	fs.DurationVar(&cfg.Wait, "wait", 30*time.Second, "how long to wait for the server to accept connections")
	fs.StringVar(&cfg.StatsURL, "stats", "", "the server's GET /__stats URL (e2e serve -admin), for allocations and CPU per request")
	fs.IntVar(&cfg.PID, "pid", 0, "the server's process id, for its CPU per request from /proc when it has no -stats")
	asJSON := fs.Bool("json", false, "print the result as one JSON line (for e2e report)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Name == "" {
		cfg.Name = cfg.URL
	}
	if cfg.Duration > time.Hour || cfg.Warmup > time.Hour {
		return fmt.Errorf("-duration and -warmup are bounded to 1h")
	}
	r, err := runLoad(cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Printf("%s: %s %s, %d conns, %.1f s: %d requests, %.0f req/s, p50 %.0f µs, p99 %.0f µs",
		r.Name, r.Method, r.URL, r.Conns, r.Seconds, r.Requests, r.RPS, r.P50, r.P99)
	if r.Rate > 0 {
		fmt.Printf(" (open loop at %.0f req/s offered, p90 %.0f µs, max %.0f µs)", r.Rate, r.P90, r.Max)
	}
	if r.AllocsPerReq >= 0 {
		fmt.Printf(", %.1f allocs/req, %.0f B/req", r.AllocsPerReq, r.BytesPerReq)
	}
	if r.ServerCPUus >= 0 {
		fmt.Printf(", server CPU %.1f µs/req", r.ServerCPUus)
	}
	fmt.Printf(", load generator CPU %.2f cores, %d connections reopened\n", r.LoadCPU, r.Redials)
	return nil
}

// histogram counts latencies in nanoseconds in log-linear buckets: exact
// below 64 ns, then 64 buckets per power of two, so a quantile is within
// 1/64 (1.6%) of the true value. It takes 30 KB and never allocates.
type histogram struct {
	counts [(64 - histSubBits + 1) << histSubBits]uint64
	n, sum uint64
	max    uint64
}

const histSubBits = 6

func histBucket(v uint64) int {
	if v < 1<<histSubBits {
		return int(v)
	}
	e := bits.Len64(v) - histSubBits - 1 // v>>e is in [64, 128)
	return (e+1)<<histSubBits + int(v>>e) - 1<<histSubBits
}

// histValue is the middle of bucket i.
func histValue(i int) uint64 {
	if i < 1<<histSubBits {
		return uint64(i)
	}
	e := i>>histSubBits - 1
	m := uint64(i&(1<<histSubBits-1) + 1<<histSubBits)
	return m<<e + (uint64(1)<<e)/2
}

func (h *histogram) record(v uint64) {
	h.counts[histBucket(v)]++
	h.n++
	h.sum += v
	h.max = max(h.max, v)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the value below which a fraction q of the samples lie.
func (h *histogram) quantile(q float64) uint64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(histValue(i), h.max)
		}
	}
	return h.max
}
