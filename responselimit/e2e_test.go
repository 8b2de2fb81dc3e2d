package responselimit_test

// End-to-end tests of the response checks over real loopback connections:
// streaming (server-sent events, flushes, deadlines, hijacking) through the
// whole middleware chain, what a client sees when Enforce stops a response,
// and the warnings of the default configuration.
//
// Every test is bounded: clients and requests carry timeouts, handlers never
// block longer than e2eDeadline, and logs are read only once the whole chain
// has returned (see e2eTrack).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/responselimit"
)

// e2eDeadline bounds every request, connection and wait of these tests.
const e2eDeadline = 5 * time.Second

// e2eSizeWarningTail is the text of Next.js's response size warning, after the
// "API response for <url> exceeds <limit>" prefix.
const e2eSizeWarningTail = ". API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit"

// e2eLog is a concurrency-safe log sink: handlers log on server goroutines
// while the test reads.
type e2eLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *e2eLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *e2eLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// e2eRecord is one JSON log line.
type e2eRecord map[string]any

// records parses every line logged so far.
func (b *e2eLog) records(t *testing.T) []e2eRecord {
	t.Helper()
	var out []e2eRecord
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var r e2eRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// at returns the records of one level ("WARN", "ERROR"...).
func (b *e2eLog) at(t *testing.T, level string) []e2eRecord {
	t.Helper()
	var out []e2eRecord
	for _, r := range b.records(t) {
		if r["level"] == level {
			out = append(out, r)
		}
	}
	return out
}

// e2eLogger returns a logger that records everything, from Debug up, as JSON
// lines into the returned buffer.
func e2eLogger() (*slog.Logger, *e2eLog) {
	b := &e2eLog{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// e2eTrack wraps the outermost handler so that the test can wait until the
// whole chain has returned (or panicked), when every log line is written.
func e2eTrack(h http.Handler) (http.Handler, <-chan struct{}) {
	done := make(chan struct{}, 16)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		h.ServeHTTP(w, r)
	}), done
}

// e2eWaitServed waits for one request to leave the chain tracked by done.
func e2eWaitServed(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(e2eDeadline):
		t.Fatal("the handler chain did not return in time")
	}
}

// e2eServer serves h on a real loopback listener for the duration of t,
// with net/http's own error log (aborted handlers, hijack notes) discarded.
func e2eServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Config.ReadHeaderTimeout = e2eDeadline
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// e2eClient returns a client with its own transport and a timeout.
func e2eClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: e2eDeadline}
}

// e2eGet sends a GET to srv's url+target with a deadline and returns the
// response, whose body the caller reads and closes.
func e2eGet(t *testing.T, c *http.Client, srv *httptest.Server, target string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// e2eChain is the stack a real application uses, outermost first: panic
// recovery, the response checks, the body parser, and an error-returning
// handler. Recover is given the test's logger (and passes it to the
// apierror layers inside), so that every log line of the chain is captured.
func e2eChain(l *slog.Logger, rl responselimit.Config, fn apierror.HandlerFunc) http.Handler {
	rl.Logger = l
	return apierror.Config{Logger: l}.Recover(
		responselimit.New(rl)(
			bodyparser.New(bodyparser.Config{})(
				apierror.HandlerFunc(fn))))
}

// e2eReadEvent reads one server-sent event: lines up to the blank line.
func e2eReadEvent(br *bufio.Reader) (string, error) {
	var ev strings.Builder
	for {
		line, err := br.ReadString('\n')
		ev.WriteString(line)
		if err != nil {
			return ev.String(), err
		}
		if line == "\n" {
			return ev.String(), nil
		}
	}
}

// e2ePattern returns n bytes that are not all alike, so that a body that was
// reordered or cut shows.
func e2ePattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

// e2eNoLogAbove fails when anything at Warn or Error level was logged.
func e2eNoLogAbove(t *testing.T, logs *e2eLog, what string) {
	t.Helper()
	for _, level := range []string{"WARN", "ERROR"} {
		if rs := logs.at(t, level); len(rs) != 0 {
			t.Errorf("%s: logged at %s: %v", what, level, rs)
		}
	}
}

func TestServerSentEventsStreamThroughTheWholeChain(t *testing.T) {
	l, logs := e2eLogger()
	type report struct {
		what string
		err  error
	}
	reports := make(chan report, 8)
	blocked := make(chan struct{})
	release := make(chan struct{})
	sse := func(w http.ResponseWriter, r *http.Request) error {
		rc := http.NewResponseController(w)
		f, ok := w.(http.Flusher)
		if !ok {
			reports <- report{"w.(http.Flusher)", errors.New("the handler's writer is not an http.Flusher")}
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		if _, err := io.WriteString(w, "data: 1\n\n"); err != nil {
			reports <- report{"write event 1", err}
		}
		reports <- report{"Flush after event 1", rc.Flush()}
		close(blocked)
		select {
		case <-release:
		case <-r.Context().Done():
			return r.Context().Err()
		case <-time.After(e2eDeadline):
			reports <- report{"wait", errors.New("never released")}
			return nil
		}
		if _, err := io.WriteString(w, "data: 2\n\n"); err != nil {
			reports <- report{"write event 2", err}
		}
		if ok {
			f.Flush() // old-style code: the type assertion, no error
		}
		reports <- report{"Flush after event 2", rc.Flush()}
		return nil
	}
	h, done := e2eTrack(e2eChain(l, responselimit.Config{}, sse))
	srv := e2eServer(t, h)
	start := time.Now()

	res := e2eGet(t, e2eClient(t), srv, "/api/events?topic=x")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("got %d %q; want 200 text/event-stream", res.StatusCode, res.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(res.Body)
	ev, err := e2eReadEvent(br)
	if err != nil || ev != "data: 1\n\n" {
		t.Fatalf("event 1: got %q, %v", ev, err)
	}
	// Event 1 arrived while the handler, which is not released yet, had
	// not written event 2: the flush went through every layer at once.
	select {
	case <-blocked:
	case <-time.After(e2eDeadline):
		t.Fatal("the handler never reached its wait")
	}
	select {
	case <-done:
		t.Fatal("the handler returned before it was released")
	default:
	}
	close(release)
	ev, err = e2eReadEvent(br)
	if err != nil || ev != "data: 2\n\n" {
		t.Fatalf("event 2: got %q, %v", ev, err)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after event 2: got %q, %v; want a clean EOF", rest, err)
	}
	e2eWaitServed(t, done)
	close(reports)
	flushes := 0
	for rep := range reports {
		if rep.err != nil {
			t.Errorf("%s: %v", rep.what, rep.err)
		}
		if strings.HasPrefix(rep.what, "Flush") {
			flushes++
		}
	}
	if flushes != 2 {
		t.Errorf("%d flushes reported, want 2", flushes)
	}
	e2eNoLogAbove(t, logs, "SSE")
	t.Logf("two events streamed in %v", time.Since(start))
}

func TestFlushReturnsNilThroughEveryLayer(t *testing.T) {
	type result struct {
		writeDeadline, readDeadline, flush error
		flusher                            bool
	}
	// probe runs the ResponseController calls and reports what they return.
	probe := func(results chan<- result) apierror.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			rc := http.NewResponseController(w)
			var res result
			res.writeDeadline = rc.SetWriteDeadline(time.Now().Add(e2eDeadline))
			res.readDeadline = rc.SetReadDeadline(time.Now().Add(e2eDeadline))
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "flushed")
			res.flush = rc.Flush()
			_, res.flusher = w.(http.Flusher)
			results <- res
			return nil
		}
	}
	layers := []struct {
		name  string
		chain func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler
	}{
		{"responselimit", func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler {
			return responselimit.New(responselimit.Config{Logger: l})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = fn(w, r) }))
		}},
		{"responselimit with Enforce", func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler {
			return responselimit.New(responselimit.Config{Logger: l, Enforce: true, Limit: "1kb"})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = fn(w, r) }))
		}},
		{"apierror.HandlerFunc", func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler {
			return apierror.HandlerFunc(fn)
		}},
		{"apierror.Recover", func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler {
			return apierror.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = fn(w, r) }))
		}},
		{"bodyparser", func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler {
			return bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = fn(w, r) }))
		}},
		{"all layers together", func(l *slog.Logger, fn apierror.HandlerFunc) http.Handler {
			return e2eChain(l, responselimit.Config{}, fn)
		}},
	}
	for _, layer := range layers {
		t.Run(layer.name, func(t *testing.T) {
			l, logs := e2eLogger()
			results := make(chan result, 1)
			h, done := e2eTrack(layer.chain(l, probe(results)))
			srv := e2eServer(t, h)
			res := e2eGet(t, e2eClient(t), srv, "/api/flush")
			body, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != http.StatusOK || string(body) != "flushed" {
				t.Fatalf("got %d %q, %v", res.StatusCode, body, err)
			}
			e2eWaitServed(t, done)
			got := <-results
			if got.flush != nil {
				t.Errorf("Flush: %v", got.flush)
			}
			if got.writeDeadline != nil {
				t.Errorf("SetWriteDeadline: %v", got.writeDeadline)
			}
			if got.readDeadline != nil {
				t.Errorf("SetReadDeadline: %v", got.readDeadline)
			}
			if !got.flusher {
				t.Error("w.(http.Flusher) failed")
			}
			e2eNoLogAbove(t, logs, layer.name)
		})
	}
}

func TestHijackWorksThroughTheChain(t *testing.T) {
	const raw = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked"
	ways := []struct {
		name   string
		hijack func(w http.ResponseWriter) (interface{ Close() error }, *bufio.ReadWriter, error)
	}{
		{"with http.NewResponseController", func(w http.ResponseWriter) (interface{ Close() error }, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		}},
		{"with the http.Hijacker type assertion", func(w http.ResponseWriter) (interface{ Close() error }, *bufio.ReadWriter, error) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				return nil, nil, errors.New("the handler's writer is not an http.Hijacker")
			}
			return hj.Hijack()
		}},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			l, logs := e2eLogger()
			errs := make(chan error, 2)
			fn := func(w http.ResponseWriter, r *http.Request) error {
				conn, brw, err := way.hijack(w)
				errs <- err
				if err != nil {
					return err
				}
				defer conn.Close()
				_, _ = brw.WriteString(raw)
				errs <- brw.Flush()
				return nil
			}
			h, done := e2eTrack(e2eChain(l, responselimit.Config{}, fn))
			srv := e2eServer(t, h)
			res := e2eGet(t, e2eClient(t), srv, "/api/hijack?x=1")
			body, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != http.StatusOK || string(body) != "hijacked" {
				t.Fatalf("got %d %q, %v; want 200 \"hijacked\"", res.StatusCode, body, err)
			}
			e2eWaitServed(t, done)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("hijack: %v", err)
				}
			}
			e2eNoLogAbove(t, logs, "hijack")
		})
	}
}

func TestEnforceOnTheWire(t *testing.T) {
	const limit = 1024
	enforced := responselimit.Config{Limit: "1kb", Enforce: true}

	// serve runs fn behind the full chain with Enforce and returns the
	// server, the log and the done channel.
	serve := func(t *testing.T, fn apierror.HandlerFunc) (*httptest.Server, *e2eLog, <-chan struct{}) {
		l, logs := e2eLogger()
		h, done := e2eTrack(e2eChain(l, enforced, fn))
		return e2eServer(t, h), logs, done
	}
	// oneEnforcedWarning checks the single size warning of an enforced
	// response and returns it.
	oneEnforcedWarning := func(t *testing.T, logs *e2eLog, url string) e2eRecord {
		t.Helper()
		warns := logs.at(t, "WARN")
		if len(warns) != 1 {
			t.Fatalf("got %d warnings, want 1: %v", len(warns), warns)
		}
		w := warns[0]
		if w["msg"] != "API response for "+url+" exceeds 1KB"+e2eSizeWarningTail || w["enforced"] != true || w["limit"] != float64(limit) {
			t.Errorf("warning = %v", w)
		}
		for _, r := range logs.at(t, "ERROR") {
			if r["msg"] == "apierror: panic recovered" {
				t.Errorf("Recover logged the abort as a panic: %v", r)
			}
		}
		return w
	}

	t.Run("a write over the limit before anything was sent becomes a JSON 500", func(t *testing.T) {
		type result struct {
			n   int
			err error
		}
		results := make(chan result, 1)
		srv, logs, done := serve(t, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/plain")
			n, err := w.Write(e2ePattern(2000))
			results <- result{n, err}
			return err
		})
		res := e2eGet(t, e2eClient(t), srv, "/api/one?x=1")
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("body: %v", err)
		}
		if res.StatusCode != http.StatusInternalServerError || string(body) != `{"error":"Internal Server Error"}` {
			t.Errorf("got %d %q; want the JSON 500", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		e2eWaitServed(t, done)
		got := <-results
		if got.n != 0 || !errors.Is(got.err, responselimit.ErrLimitExceeded) {
			t.Errorf("Write = %d, %v; want 0, ErrLimitExceeded", got.n, got.err)
		}
		oneEnforcedWarning(t, logs, "/api/one?x=1")
	})

	t.Run("a write that reaches the limit exactly is refused too", func(t *testing.T) {
		errs := make(chan error, 1)
		srv, logs, done := serve(t, func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write(e2ePattern(limit))
			errs <- err
			return err
		})
		res := e2eGet(t, e2eClient(t), srv, "/api/exact")
		body, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusInternalServerError || string(body) != `{"error":"Internal Server Error"}` {
			t.Errorf("got %d %q, %v; want the JSON 500", res.StatusCode, body, err)
		}
		e2eWaitServed(t, done)
		if err := <-errs; !errors.Is(err, responselimit.ErrLimitExceeded) {
			t.Errorf("Write: %v, want ErrLimitExceeded", err)
		}
		oneEnforcedWarning(t, logs, "/api/exact")
	})

	// partial serves 512 bytes, flushes, then tries 600 more; with
	// contentLength it declares the full 1112 first.
	partial := func(t *testing.T, contentLength bool) (*http.Response, *e2eLog, <-chan struct{}, <-chan error) {
		errs := make(chan error, 2)
		srv, logs, done := serve(t, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/plain")
			if contentLength {
				w.Header().Set("Content-Length", "1112")
			}
			if _, err := w.Write(e2ePattern(512)); err != nil {
				errs <- err
				return err
			}
			if err := http.NewResponseController(w).Flush(); err != nil {
				errs <- err
				return err
			}
			_, err := w.Write(e2ePattern(600))
			errs <- err
			return err
		})
		return e2eGet(t, e2eClient(t), srv, "/api/partial?cl="+strconv.FormatBool(contentLength)), logs, done, errs
	}
	checkPartial := func(t *testing.T, res *http.Response, logs *e2eLog, done <-chan struct{}, errs <-chan error, url string) error {
		t.Helper()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200 (the header was sent)", res.StatusCode)
		}
		first := make([]byte, 512)
		if _, err := io.ReadFull(res.Body, first); err != nil || !bytes.Equal(first, e2ePattern(512)) {
			t.Fatalf("first 512 bytes: %v", err)
		}
		rest, err := io.ReadAll(res.Body)
		if err == nil {
			t.Errorf("the body ended cleanly after %d bytes: a truncated response looks complete", 512+len(rest))
		}
		if len(rest) != 0 {
			t.Errorf("%d bytes of the refused write reached the client", len(rest))
		}
		e2eWaitServed(t, done)
		if werr := <-errs; !errors.Is(werr, responselimit.ErrLimitExceeded) {
			t.Errorf("second Write: %v, want ErrLimitExceeded", werr)
		}
		oneEnforcedWarning(t, logs, url)
		return err
	}

	t.Run("a write over the limit after a flush aborts the chunked response", func(t *testing.T) {
		res, logs, done, errs := partial(t, false)
		err := checkPartial(t, res, logs, done, errs, "/api/partial?cl=false")
		t.Logf("client read error: %v", err)
	})

	t.Run("a write over the limit after a flush aborts a response with Content-Length", func(t *testing.T) {
		res, logs, done, errs := partial(t, true)
		if res.ContentLength != 1112 {
			t.Errorf("ContentLength = %d, want 1112", res.ContentLength)
		}
		err := checkPartial(t, res, logs, done, errs, "/api/partial?cl=true")
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("client read error = %v, want io.ErrUnexpectedEOF", err)
		}
	})

	t.Run("a write over the limit after buffered writes never yields a clean response", func(t *testing.T) {
		// The first write started the response (net/http holds it in its
		// buffer, unsent): the second one is refused and the response
		// aborted. The client must not get a 200 whose body looks whole.
		errs := make(chan error, 1)
		srv, logs, done := serve(t, func(w http.ResponseWriter, r *http.Request) error {
			_, _ = w.Write(e2ePattern(1000))
			_, err := w.Write(e2ePattern(100))
			errs <- err
			return err
		})
		ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/buffered", nil)
		res, err := e2eClient(t).Do(req)
		if err == nil {
			body, rerr := io.ReadAll(res.Body)
			res.Body.Close()
			if rerr == nil {
				t.Errorf("got a complete %d response of %d bytes; want a broken one", res.StatusCode, len(body))
			}
			err = rerr
		}
		t.Logf("client error: %v", err)
		e2eWaitServed(t, done)
		if werr := <-errs; !errors.Is(werr, responselimit.ErrLimitExceeded) {
			t.Errorf("second Write: %v, want ErrLimitExceeded", werr)
		}
		oneEnforcedWarning(t, logs, "/api/buffered")
	})

	t.Run("a response just under the limit goes through whole", func(t *testing.T) {
		errs := make(chan error, 1)
		srv, logs, done := serve(t, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/plain")
			_, err := w.Write(e2ePattern(limit - 1))
			errs <- err
			return err
		})
		res := e2eGet(t, e2eClient(t), srv, "/api/under")
		body, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK || !bytes.Equal(body, e2ePattern(limit-1)) {
			t.Errorf("got %d, %d bytes, %v; want 200 with the 1023 bytes", res.StatusCode, len(body), err)
		}
		e2eWaitServed(t, done)
		if err := <-errs; err != nil {
			t.Errorf("Write: %v", err)
		}
		e2eNoLogAbove(t, logs, "1023 bytes")
	})
}

// TestEnforcedWarningReportsTheSizeTheResponseWouldHaveReached documents what
// the bytes attribute of an enforced warning should say: the size the
// response would have reached with the refused write (always >= limit, as
// "exceeds 1KB" claims), not the bytes actually sent, and never the bytes of
// the middleware's own 500 body.
func TestEnforcedWarningReportsTheSizeTheResponseWouldHaveReached(t *testing.T) {
	cases := []struct {
		name   string
		writes []int
		flush  bool
		want   int
	}{
		{"one write of 2000 bytes", []int{2000}, false, 2000},
		{"512 bytes, a flush, then 600", []int{512, 600}, true, 1112},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, logs := e2eLogger()
			h, done := e2eTrack(e2eChain(l, responselimit.Config{Limit: "1kb", Enforce: true}, func(w http.ResponseWriter, r *http.Request) error {
				for i, n := range tc.writes {
					if _, err := w.Write(e2ePattern(n)); err != nil {
						return err
					}
					if i == 0 && tc.flush {
						_ = http.NewResponseController(w).Flush()
					}
				}
				return nil
			}))
			srv := e2eServer(t, h)
			res := e2eGet(t, e2eClient(t), srv, "/api/size")
			_, _ = io.ReadAll(res.Body)
			e2eWaitServed(t, done)
			warns := logs.at(t, "WARN")
			if len(warns) != 1 {
				t.Fatalf("got %d warnings, want 1: %v", len(warns), warns)
			}
			if got := warns[0]["bytes"]; got != float64(tc.want) {
				t.Errorf("bytes = %v, want %d (the size the response would have reached; limit 1024)", got, tc.want)
			}
		})
	}
}

func TestWarningsOnTheWire(t *testing.T) {
	const limit = 4 << 20 // defaultLimit, 4mb
	big := e2ePattern(limit)

	// bigHandler writes the first n bytes of big, n from the query, in one
	// Write or through ReadFrom.
	bigHandler := func(readFrom bool) apierror.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			n, err := strconv.Atoi(r.URL.Query().Get("n"))
			if err != nil || n > len(big) {
				return apierror.BadRequest("bad n")
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			if readFrom {
				// Hide bytes.Reader's WriteTo so that io.Copy uses the
				// writer's ReadFrom.
				_, err = io.Copy(w, struct{ io.Reader }{bytes.NewReader(big[:n])})
			} else {
				_, err = w.Write(big[:n])
			}
			return err
		}
	}

	for _, way := range []struct {
		name     string
		readFrom bool
	}{{"in one Write", false}, {"through ReadFrom", true}} {
		t.Run("one byte under 4mb is not reported, "+way.name, func(t *testing.T) {
			l, logs := e2eLogger()
			h, done := e2eTrack(e2eChain(l, responselimit.Config{}, bigHandler(way.readFrom)))
			srv := e2eServer(t, h)
			res := e2eGet(t, e2eClient(t), srv, "/api/big?n=4194303")
			body, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != http.StatusOK || !bytes.Equal(body, big[:limit-1]) {
				t.Errorf("got %d, %d bytes, %v; want 200 with 4194303 intact bytes", res.StatusCode, len(body), err)
			}
			e2eWaitServed(t, done)
			e2eNoLogAbove(t, logs, "4194303 bytes")
		})

		t.Run("exactly 4mb is reported once with the Next text and sent intact, "+way.name, func(t *testing.T) {
			l, logs := e2eLogger()
			h, done := e2eTrack(e2eChain(l, responselimit.Config{}, bigHandler(way.readFrom)))
			srv := e2eServer(t, h)
			res := e2eGet(t, e2eClient(t), srv, "/api/big?n=4194304")
			body, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != http.StatusOK || !bytes.Equal(body, big) {
				t.Errorf("got %d, %d bytes, %v; want 200 with 4194304 intact bytes", res.StatusCode, len(body), err)
			}
			e2eWaitServed(t, done)
			warns := logs.at(t, "WARN")
			if len(warns) != 1 {
				t.Fatalf("got %d warnings, want 1: %v", len(warns), warns)
			}
			w := warns[0]
			if want := "API response for /api/big?n=4194304 exceeds 4MB" + e2eSizeWarningTail; w["msg"] != want {
				t.Errorf("msg = %q\nwant  %q", w["msg"], want)
			}
			if w["method"] != "GET" || w["path"] != "/api/big" || w["bytes"] != float64(limit) || w["limit"] != float64(limit) {
				t.Errorf("attributes = %v; want method=GET path=/api/big bytes=4194304 limit=4194304", w)
			}
			if _, ok := w["enforced"]; ok {
				t.Errorf("a warning without Enforce says enforced: %v", w)
			}
			if errs := logs.at(t, "ERROR"); len(errs) != 0 {
				t.Errorf("errors logged: %v", errs)
			}
		})
	}

	t.Run("a HEAD response counts what the handler wrote", func(t *testing.T) {
		l, logs := e2eLogger()
		h, done := e2eTrack(e2eChain(l, responselimit.Config{}, bigHandler(false)))
		srv := e2eServer(t, h)
		ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodHead, srv.URL+"/api/big?n=4194304", nil)
		res, err := e2eClient(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("status %d, want 200", res.StatusCode)
		}
		e2eWaitServed(t, done)
		warns := logs.at(t, "WARN")
		if len(warns) != 1 || warns[0]["method"] != "HEAD" || warns[0]["bytes"] != float64(limit) ||
			warns[0]["msg"] != "API response for /api/big?n=4194304 exceeds 4MB"+e2eSizeWarningTail {
			t.Errorf("warnings = %v; want one for HEAD with bytes=4194304", warns)
		}
	})

	unresolved := []struct {
		name       string
		cfg        responselimit.Config
		fn         apierror.HandlerFunc
		target     string
		wantStatus int
		wantWarn   string
	}{
		{
			name:       "a handler that returns without answering is reported with its path and query",
			fn:         func(w http.ResponseWriter, r *http.Request) error { return nil },
			target:     "/api/noresponse?x=1",
			wantStatus: http.StatusOK, // net/http's own answer
			wantWarn:   "API resolved without sending a response for /api/noresponse?x=1, this may result in stalled requests.",
		},
		{
			name:       "the unresolved warning quotes the URL as the client sent it, escapes included",
			fn:         func(w http.ResponseWriter, r *http.Request) error { return nil },
			target:     "/api/no%20response?x=%2F&y=a+b",
			wantStatus: http.StatusOK,
			wantWarn:   "API resolved without sending a response for /api/no%20response?x=%2F&y=a+b, this may result in stalled requests.",
		},
		{
			name:       "with ExternalResolver a handler that returns without answering is not reported",
			cfg:        responselimit.Config{ExternalResolver: true},
			fn:         func(w http.ResponseWriter, r *http.Request) error { return nil },
			target:     "/api/noresponse?x=1",
			wantStatus: http.StatusOK,
		},
		{
			name: "a handler that only sends a 204 is not reported",
			fn: func(w http.ResponseWriter, r *http.Request) error {
				w.WriteHeader(http.StatusNoContent)
				return nil
			},
			target:     "/api/nocontent?x=1",
			wantStatus: http.StatusNoContent,
		},
	}
	for _, tc := range unresolved {
		t.Run(tc.name, func(t *testing.T) {
			l, logs := e2eLogger()
			h, done := e2eTrack(e2eChain(l, tc.cfg, tc.fn))
			srv := e2eServer(t, h)
			res := e2eGet(t, e2eClient(t), srv, tc.target)
			body, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != tc.wantStatus || len(body) != 0 {
				t.Errorf("got %d %q, %v; want %d and no body", res.StatusCode, body, err, tc.wantStatus)
			}
			e2eWaitServed(t, done)
			warns := logs.at(t, "WARN")
			if tc.wantWarn == "" {
				if len(warns) != 0 {
					t.Errorf("warnings: %v", warns)
				}
				return
			}
			if len(warns) != 1 {
				t.Fatalf("got %d warnings, want 1: %v", len(warns), warns)
			}
			w := warns[0]
			rawPath, _, _ := strings.Cut(tc.target, "?")
			path, _ := url.PathUnescape(rawPath) // the attribute is r.URL.Path
			if w["msg"] != tc.wantWarn || w["method"] != "GET" || w["path"] != path {
				t.Errorf("warning = %v\nwant msg %q method=GET path=%s", w, tc.wantWarn, path)
			}
		})
	}
}

// TestServerSentEventsAndEnforceWorkOverHTTP2Too runs the streaming and Enforce checks
// over HTTP/2 (TLS loopback), whose ResponseWriter is a Flusher and a Pusher
// but neither a Hijacker nor a ReaderFrom: flushes go through the chain at
// once, and an enforced response that had started is reset, not ended
// cleanly.
func TestServerSentEventsAndEnforceWorkOverHTTP2Too(t *testing.T) {
	startTLS := func(t *testing.T, h http.Handler) (*httptest.Server, *http.Client) {
		t.Helper()
		srv := httptest.NewUnstartedServer(h)
		srv.EnableHTTP2 = true
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		t.Cleanup(srv.Close)
		c := srv.Client()
		c.Timeout = e2eDeadline
		t.Cleanup(c.CloseIdleConnections)
		return srv, c
	}

	t.Run("a flushed event arrives while the handler is blocked", func(t *testing.T) {
		l, logs := e2eLogger()
		flushErrs := make(chan error, 2)
		release := make(chan struct{})
		h, done := e2eTrack(e2eChain(l, responselimit.Config{}, func(w http.ResponseWriter, r *http.Request) error {
			rc := http.NewResponseController(w)
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: 1\n\n")
			flushErrs <- rc.Flush()
			select {
			case <-release:
			case <-time.After(e2eDeadline):
				return errors.New("never released")
			}
			_, _ = io.WriteString(w, "data: 2\n\n")
			flushErrs <- rc.Flush()
			return nil
		}))
		srv, c := startTLS(t, h)
		res := e2eGet(t, c, srv, "/api/events")
		if res.ProtoMajor != 2 {
			t.Fatalf("served over %s, want HTTP/2", res.Proto)
		}
		br := bufio.NewReader(res.Body)
		if ev, err := e2eReadEvent(br); err != nil || ev != "data: 1\n\n" {
			t.Fatalf("event 1: got %q, %v", ev, err)
		}
		close(release)
		if ev, err := e2eReadEvent(br); err != nil || ev != "data: 2\n\n" {
			t.Fatalf("event 2: got %q, %v", ev, err)
		}
		if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
			t.Fatalf("after event 2: got %q, %v; want a clean end", rest, err)
		}
		e2eWaitServed(t, done)
		for range 2 {
			if err := <-flushErrs; err != nil {
				t.Errorf("Flush: %v", err)
			}
		}
		e2eNoLogAbove(t, logs, "HTTP/2 SSE")
	})

	t.Run("an enforced response that had started is reset", func(t *testing.T) {
		l, logs := e2eLogger()
		writeErr := make(chan error, 1)
		h, done := e2eTrack(e2eChain(l, responselimit.Config{Limit: "1kb", Enforce: true}, func(w http.ResponseWriter, r *http.Request) error {
			_, _ = w.Write(e2ePattern(512))
			_ = http.NewResponseController(w).Flush()
			_, err := w.Write(e2ePattern(600))
			writeErr <- err
			return err
		}))
		srv, c := startTLS(t, h)
		res := e2eGet(t, c, srv, "/api/partial")
		if res.ProtoMajor != 2 || res.StatusCode != http.StatusOK {
			t.Fatalf("got %s %d, want HTTP/2 200", res.Proto, res.StatusCode)
		}
		body, err := io.ReadAll(res.Body)
		if err == nil {
			t.Errorf("the stream ended cleanly after %d bytes: a truncated response looks complete", len(body))
		}
		if len(body) > 512 {
			t.Errorf("%d bytes reached the client, want at most 512", len(body))
		}
		t.Logf("client read error after %d bytes: %v", len(body), err)
		e2eWaitServed(t, done)
		if err := <-writeErr; !errors.Is(err, responselimit.ErrLimitExceeded) {
			t.Errorf("second Write: %v, want ErrLimitExceeded", err)
		}
		if warns := logs.at(t, "WARN"); len(warns) != 1 || warns[0]["enforced"] != true {
			t.Errorf("warnings = %v, want one enforced warning", warns)
		}
	})
}
