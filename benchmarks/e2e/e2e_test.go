package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadGeneratorAgainstEachServer runs every server in this process
// for a moment with a few connections: each answers the expected JSON
// (runLoad checks the first body against the payload and every other one
// against the first), and the stats endpoint gives allocations per request.
// It measures nothing (the client shares the process); e2e.sh does.
func TestLoadGeneratorAgainstEachServer(t *testing.T) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			rs, err := start(im, "127.0.0.1:0", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			path := helloPath
			if im.post {
				path = echoPath
			}
			cfg := loadConfig{
				Name: im.name, URL: "http://" + rs.Addr + path, Post: im.post,
				Conns: 4, Warmup: 20 * time.Millisecond, Duration: 200 * time.Millisecond, Wait: time.Second,
				StatsURL: "http://" + rs.AdminAddr + "/__stats",
			}
			if im.full() {
				cfg.Origin, cfg.Cookie = fullOrigin, fullCookie
			}
			r, err := runLoad(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Requests == 0 || r.RPS <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Max < r.P99 {
				t.Errorf("implausible result %+v", r)
			}
			if r.AllocsPerReq <= 0 || r.BytesPerReq <= 0 || r.ServerProcs < 1 {
				t.Errorf("no server stats in %+v", r)
			}
			if want := map[bool]string{false: "GET", true: "POST"}[im.post]; r.Method != want {
				t.Errorf("method %s, want %s", r.Method, want)
			}
			// The JSON servers answer the payload, encoded their way
			// (gin and respond.JSON without a newline, echo and the
			// stdlib encoder with one).
			want := len(helloBody)
			if im.post {
				want = len(payload1KiB)
			}
			if r.ResponseBytes != want && r.ResponseBytes != want+1 {
				t.Errorf("response of %d bytes, want %d", r.ResponseBytes, want)
			}
		})
	}
}

// TestFullServersNeedTheirCookie shows the -full servers read the cookie:
// without it, the first answer is not the order and the load fails.
func TestFullServersNeedTheirCookie(t *testing.T) {
	for _, im := range impls {
		if !im.full() {
			continue
		}
		rs, err := start(im, "127.0.0.1:0", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, err = runLoad(loadConfig{Name: im.name, URL: "http://" + rs.Addr + echoPath, Post: true, Origin: fullOrigin,
			Conns: 1, Duration: 50 * time.Millisecond, Wait: time.Second})
		rs.Close()
		if err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("%s without a session cookie: %v, want a 400", im.name, err)
		}
	}
}

// TestLoadPostsOrdersOfEachSize checks the sizes e2e.sh measures: each is
// within its bound and at least 90% of it, and a server echoes it whole.
func TestLoadPostsOrdersOfEachSize(t *testing.T) {
	im, _ := findImpl("json-apiroutes@64KiB")
	rs, err := start(im, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for _, size := range []int{64 << 10, 1 << 20} {
		p := payloadOf(size)
		if len(p) > size || len(p) < size*9/10 {
			t.Errorf("payload of %d bytes for %d", len(p), size)
		}
		// One request, as the load's first: a 1 MiB round trip under the
		// race detector takes longer than a short load window.
		tg, err := newTargetWith(loadConfig{URL: "http://" + rs.Addr + echoPath, Post: true, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		body, err := tg.reference(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(body) != len(p) {
			t.Errorf("answered %d bytes for a %d-byte order", len(body), len(p))
		}
	}
}

func TestPayloadIsAbout1KiB(t *testing.T) {
	if n := len(payload1KiB); n > 1024 || n < 900 {
		t.Errorf("payload of %d bytes", n)
	}
	var o Order
	if err := json.Unmarshal(payload1KiB, &o); err != nil || len(o.Lines) == 0 {
		t.Errorf("payload does not decode into an Order: %v", err)
	}
}

// serve runs h on a loopback listener for the test.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func quickLoad(url string, post bool) (result, error) {
	return runLoad(loadConfig{Name: "t", URL: url, Post: post, Conns: 2, Duration: 100 * time.Millisecond, Wait: time.Second})
}

func TestTheLoadGeneratorFailsOnAWrongAnswer(t *testing.T) {
	var n atomic.Int64
	cases := map[string]http.HandlerFunc{
		"wrong first body": func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"message":"bye"}`)) },
		"not JSON":         func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`hello`)) },
		"status 500":       func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) },
		"a later body differs": func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) > 10 {
				_, _ = w.Write([]byte(`{"message": "hello"}`))
				return
			}
			_, _ = w.Write(helloBody)
		},
		"a later status differs": func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) > 10 {
				w.WriteHeader(http.StatusAccepted)
			}
			_, _ = w.Write(helloBody)
		},
	}
	for name, h := range cases {
		n.Store(0)
		if _, err := quickLoad(serve(t, h)+"/", false); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTheClientReadsChunkedAndClosedResponses(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"chunked": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(helloBody[:5])
			w.(http.Flusher).Flush()
			_, _ = w.Write(helloBody[5:])
		},
		"Connection: close": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			_, _ = w.Write(helloBody)
		},
		"echo": func(w http.ResponseWriter, r *http.Request) {
			var b bytes.Buffer
			_, _ = b.ReadFrom(r.Body)
			if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" || !bytes.Equal(b.Bytes(), payload1KiB) {
				http.Error(w, "bad request", 400)
				return
			}
			_, _ = w.Write(b.Bytes())
		},
	}
	for name, h := range cases {
		r, err := quickLoad(serve(t, h)+"/x", name == "echo")
		if err != nil || r.Requests == 0 {
			t.Errorf("%s: %v, %d requests", name, err, r.Requests)
		}
		if closes := name == "Connection: close"; (r.Redials > 0) != closes {
			t.Errorf("%s: %d connections reopened for %d requests", name, r.Redials, r.Requests)
		}
	}
}

func TestTheLoadGeneratorStaysOnLoopback(t *testing.T) {
	for _, u := range []string{"http://example.com/", "http://0.0.0.0:80/", "http://10.0.0.1:8080/", "https://127.0.0.1/"} {
		if _, err := newTarget(u, false); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, a := range []string{"127.0.0.1:0", "[::1]:0"} {
		if err := loopbackOnly(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	if _, err := start(impls[0], ":0", "127.0.0.1:0"); err == nil {
		t.Error("serve listened on every interface")
	}
}

func TestTheLoadGeneratorWaitsThenGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	_, err = runLoad(loadConfig{URL: "http://" + addr + "/", Conns: 1, Duration: time.Second, Wait: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "not up after") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %s", d)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for v := uint64(1); v <= 100000; v++ {
		h.record(v * 1000) // 1 µs to 100 ms
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		got, want := float64(h.quantile(q)), q*100000*1000
		if d := got/want - 1; d < -1.0/64 || d > 1.0/64 {
			t.Errorf("q%.2f = %.0f, want %.0f ±1/64", q, got, want)
		}
	}
	if h.quantile(1) != 100000*1000 || h.max != 100000*1000 {
		t.Errorf("max %d, q1 %d", h.max, h.quantile(1))
	}
	for i := range len(h.counts) - 1 { // buckets are contiguous and increasing
		if histBucket(histValue(i)) != i {
			t.Fatalf("bucket %d: value %d falls in %d", i, histValue(i), histBucket(histValue(i)))
		}
	}
	var small histogram
	small.record(3)
	if small.quantile(0.5) != 3 {
		t.Errorf("exact below 64 ns: %d", small.quantile(0.5))
	}
}

func TestReportComputesRatiosAndVerdicts(t *testing.T) {
	res := func(name string, rps, p99, allocs float64) result {
		return result{Name: name, Method: "GET", URL: "http://127.0.0.1:1/api/hello", Conns: 32, Seconds: 10, Warmup: 2,
			RPS: rps, P50: p99 / 4, P99: p99, AllocsPerReq: allocs, BytesPerReq: 100, ServerCPUus: 10, LoadCPU: 0.5}
	}
	results := []result{
		res("bare", 1000, 100, 10), res("chain", 950, 110, 11), res("json-apiroutes", 550, 200, 60),
		res("json-echo", 480, 210, 70), res("json-gin", 520, 190, 70),
		res("bare", 1100, 100, 10), res("chain", 1000, 110, 11), res("json-apiroutes", 570, 200, 60),
		res("json-echo", 500, 210, 70), res("json-gin", 510, 190, 70),
		res("bare", 900, 100, 10), res("chain", 880, 110, 11), res("json-apiroutes", 560, 200, 60),
		res("json-echo", 490, 210, 70), res("json-gin", 530, 190, 70),
		res("json-apiroutes@64KiB", 300, 900, 80), res("json-echo@64KiB", 150, 1900, 90),
		res("json-apiroutes-full", 540, 210, 65), res("json-echo-full", 450, 220, 80),
		res("json-stdlib", 700, 150, 50), res("json-apiroutes-gojson", 600, 180, 40),
	}
	for i := range results {
		if strings.HasPrefix(results[i].Name, "json-apiroutes") {
			results[i].ServerCPUus = 8 // less than the others' 10
		}
	}
	var b strings.Builder
	err := writeReport(&b, results, reportOptions{base: "bare", command: "./e2e.sh", setup: "pinned"})
	if !errors.Is(err, errTargetMissed) {
		t.Errorf("err = %v, want errTargetMissed (the net/http handler is faster)", err)
	}
	out := b.String()
	for _, want := range []string{
		"| (a) bare | 1,000 (900–1,100) | 1.00× |",
		"| (b) chain | 950 (880–1,000) | 0.95× |",
		"| (c) json-apiroutes | 560 (550–570) | 0.56× |",
		"- ✅ (b) chain keeps 95% of (a) bare's requests/s (target ≥ 90%) (by round: 0.95, 0.91, 0.98)",
		"- ✅ (c) json-apiroutes serves 1.14× json-echo's requests/s (target ≥ 0.95×) at 8.0 µs of server CPU per request against 10.0",
		"- ✅ (c) json-apiroutes serves 1.08× json-gin's requests/s (target ≥ 0.95×)",
		"- ❌ (c) json-apiroutes serves 0.80× json-stdlib's requests/s (target ≥ 0.92×)",
		"- ✅ json-apiroutes-gojson serves 1.22× json-echo's requests/s (target ≥ 1.10×)",
		"| 1KiB | 8.0 (560) | 10.0 (700) | 10.0 (490) | 10.0 (520) | 0.80× | 1.14× (1.15, 1.14, 1.14) | 1.08× (1.06, 1.12, 1.06) |",
		"| 64KiB | 8.0 (300) | – | 10.0 (150) | – | – | 2.00× | – |",
		"json-apiroutes-full 8.0 µs per request, 540 requests/s; json-echo-full 10.0 µs, 450 requests/s: 1.20× echo's requests/s.",
		"CORS and cookies cost apiroutes 0.0 µs per request over json-apiroutes.",
		"Measured with `./e2e.sh`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Against Next.js: ratios to nextjs, the 10× and p99 targets.
	next := []result{res("json-apiroutes", 20000, 3000, 60), res("nextjs", 1500, 40000, -1)}
	next[1].ServerCPUus = 600
	b.Reset()
	if err := writeReport(&b, next, reportOptions{base: "nextjs", what: map[string]string{"nextjs": "Next.js"}}); err != nil {
		t.Errorf("err = %v", err)
	}
	for _, want := range []string{"| (c) json-apiroutes | 20,000 | 13.33× |", "| nextjs | 1,500 | 1.00× |", "n/a", "- ✅ json-apiroutes serves 13.3× Next.js's", "- ✅ json-apiroutes p99 3,000 µs vs Next.js 40,000 µs", "- `nextjs`: GET /api/hello; Next.js"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestResultsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := result{Name: "bare", RPS: 12.5, AllocsPerReq: -1}
	line, _ := json.Marshal(r)
	path := dir + "/results.jsonl"
	content := fmt.Sprintf("# run: ./e2e.sh\n# date: 2026-01-01 00:00 UTC\n%s\n\n%s\n", line, line)
	if err := writeFile(path, content); err != nil {
		t.Fatal(err)
	}
	h := map[string]string{}
	got, err := readResults([]string{path}, h)
	if err != nil || len(got) != 2 || !reflect.DeepEqual(got[0], r) {
		t.Errorf("got %+v, %v", got, err)
	}
	if h["run"] != "./e2e.sh" || h["date"] != "2026-01-01 00:00 UTC" {
		t.Errorf("headers %v", h)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }

func TestParseUint(t *testing.T) {
	for _, c := range []struct {
		in   string
		base int
		want int
		ok   bool
	}{
		{"0", 10, 0, true}, {"922", 10, 922, true}, {"1f", 16, 31, true}, {"3FF", 16, 1023, true},
		{"", 10, 0, false}, {"-1", 10, 0, false}, {"1f", 10, 0, false}, {"12 ", 10, 0, false}, {"99999999999", 10, 0, false},
	} {
		got, ok := parseUint([]byte(c.in), c.base)
		if got != c.want || ok != c.ok {
			t.Errorf("parseUint(%q, %d) = %d, %v", c.in, c.base, got, ok)
		}
	}
}

// TestTheClientDoesNotAllocate keeps the load generator's cost per request
// low: a request and the parsing of its answer, chunked or not, allocate
// nothing once the connection is open.
func TestTheClientDoesNotAllocate(t *testing.T) {
	for name, chunked := range map[string]bool{"Content-Length": false, "chunked": true} {
		url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(helloBody[:5])
			if chunked {
				w.(http.Flusher).Flush()
			}
			_, _ = w.Write(helloBody[5:])
		}))
		tg, err := newTarget(url+"/", false)
		if err != nil {
			t.Fatal(err)
		}
		c := &conn{t: tg}
		defer c.close()
		if _, err := c.do(); err != nil {
			t.Fatal(err)
		}
		// The server shares the process: count only the client's calls,
		// with the server's work done in between. The server may still be
		// finishing the last request (a scheduler under load delays it past
		// the sleep), so a read that saw allocations is allowed now and then;
		// a client that allocates does so on every read and still fails.
		allocating := 0
		for range 20 {
			var before, after runtime.MemStats
			if _, err := c.c.Write(tg.req); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond) // the answer is in the socket
			runtime.ReadMemStats(&before)
			_, _, err := c.read()
			runtime.ReadMemStats(&after)
			if err != nil || !bytes.Equal(c.body, helloBody) {
				t.Fatalf("%s: %v, %q", name, err, c.body)
			}
			if after.Mallocs != before.Mallocs {
				allocating++
			}
		}
		if allocating > 5 {
			t.Errorf("%s: %d of 20 reads allocated", name, allocating)
		}
	}
}

// TestTheOpenLoopOffersItsRate checks -rate: a fast server is sent the rate
// asked for, not as many as it can take; and a server slower than the rate
// gets a queue whose wait is in the latencies (they count from when each
// request was due, not from when a connection was free to send it).
func TestTheOpenLoopOffersItsRate(t *testing.T) {
	fast, err := start(impls[0], "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	r, err := runLoad(loadConfig{URL: "http://" + fast.Addr + helloPath, Conns: 4, Rate: 200,
		Duration: time.Second, Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests < 150 || r.Requests > 210 || r.Rate != 200 {
		t.Errorf("fast server at -rate 200 for 1 s: %d requests (rate %v), want about 200", r.Requests, r.Rate)
	}

	const service = 20 * time.Millisecond // 50 requests/s on one connection
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(service)
		w.Write(helloBody)
	}))
	defer slow.Close()
	r, err = runLoad(loadConfig{URL: slow.URL + helloPath, Conns: 1, Rate: 100,
		Duration: time.Second, Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Half of what is due gets done; the last waited about half a second.
	if r.Requests > 60 {
		t.Errorf("slow server: %d requests in 1 s, more than one connection can carry", r.Requests)
	}
	if r.Max < 200e3 || r.P50 < 2*float64(service/time.Microsecond) {
		t.Errorf("slow server at twice its rate: p50 %.0f µs, max %.0f µs; the queue's wait is missing", r.P50, r.Max)
	}
}
