package responselimit_test

// Log flooding (issue 21, item 6): a warning quotes a bounded part of the
// request, and a route logs a bounded number of warnings however many
// requests trigger them, counting the ones it leaves out.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/responselimit"
)

// The bounds the package documents.
const (
	maxQuoted  = 256         // bytes of each request-derived value in a line
	warnWindow = time.Second // one line per route and kind per window
)

// elision matches the mark that ends a cut value, and its count of cut bytes.
var elision = regexp.MustCompile(`…\(\+(\d+) bytes\)$`)

// checkQuoted fails unless got is orig, or a prefix of orig of at most
// maxQuoted bytes that ends on a rune boundary, followed by the elision mark
// with the number of bytes cut.
func checkQuoted(t *testing.T, what, got, orig string) {
	t.Helper()
	if got == orig && len(orig) <= maxQuoted {
		return
	}
	m := elision.FindStringSubmatchIndex(got)
	if m == nil {
		t.Errorf("%s: %d bytes without the elision mark (from %d)", what, len(got), len(orig))
		return
	}
	kept := got[:m[0]]
	cut, _ := strconv.Atoi(got[m[2]:m[3]])
	switch {
	case len(kept) > maxQuoted || len(kept) < maxQuoted-utf8.UTFMax:
		t.Errorf("%s: kept %d bytes, want at most %d (and not much fewer)", what, len(kept), maxQuoted)
	case !strings.HasPrefix(orig, kept):
		t.Errorf("%s: %q is not the start of the value", what, kept)
	case len(kept)+cut != len(orig):
		t.Errorf("%s: kept %d bytes and says %d were cut, but the value has %d", what, len(kept), cut, len(orig))
	case !utf8.ValidString(kept) && utf8.ValidString(orig):
		t.Errorf("%s: cut inside a character: %q", what, kept[len(kept)-4:])
	}
}

// A client that sends a 60 KB request target (or method) to a route that
// warns gets one line of bounded size into the log, not 60 KB of it: the
// URL in Next's message, the path and the method are each cut to 256 bytes
// on a real loopback connection.
func TestAWarningQuotesAtMost256BytesOfTheRequest(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 60<<10)
	silent := func(w http.ResponseWriter, r *http.Request) {}
	big := func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 1024)) }
	cases := []struct {
		name, method, target string
		h                    http.HandlerFunc
		msgHead, msgTail     string
	}{
		{"unresolved, 60 KB query", "GET", "/api/silent?q=" + long, silent,
			"API resolved without sending a response for ", ", this may result in stalled requests."},
		{"unresolved, 60 KB path", "GET", "/api/" + long, silent,
			"API resolved without sending a response for ", ", this may result in stalled requests."},
		{"unresolved, 60 KB method", strings.Repeat("M", 60<<10), "/api/silent", silent,
			"API resolved without sending a response for ", ", this may result in stalled requests."},
		{"size, 60 KB query", "GET", "/api/big?q=" + long, big,
			"API response for ", " exceeds 1KB" + e2eSizeWarningTail},
		{"size, HEAD with a 60 KB query", "HEAD", "/api/big?q=" + long, big,
			"API response for ", " exceeds 1KB" + e2eSizeWarningTail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, logs := e2eLogger()
			h, done := e2eTrack(responselimit.New(responselimit.Config{Limit: "1kb", Logger: l})(tc.h))
			srv := e2eServer(t, h)
			ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tc.method, srv.URL+tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e2eClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			e2eWaitServed(t, done)

			perRequest := len(logs.String())
			t.Logf("%d bytes of log for one request of a %d-byte target and a %d-byte method", perRequest, len(tc.target), len(tc.method))
			if perRequest > 1<<10 {
				t.Errorf("%d bytes of log for one request, want at most 1 KiB", perRequest)
			}
			warns := logs.at(t, "WARN")
			if len(warns) != 1 {
				t.Fatalf("got %d warnings, want 1", len(warns))
			}
			msg, _ := warns[0]["msg"].(string)
			uri, ok := strings.CutPrefix(msg, tc.msgHead)
			if ok {
				uri, ok = strings.CutSuffix(uri, tc.msgTail)
			}
			if !ok {
				t.Fatalf("msg %.300q is not Next's %q<url>%q", msg, tc.msgHead, tc.msgTail)
			}
			checkQuoted(t, "the URL in the message", uri, tc.target)
			path, _ := warns[0]["path"].(string)
			checkQuoted(t, "path", path, strings.SplitN(tc.target, "?", 2)[0])
			method, _ := warns[0]["method"].(string)
			checkQuoted(t, "method", method, tc.method)
		})
	}
}

// The cut never splits a character: a URL of two- and three-byte
// characters is cut before the one that would cross 256 bytes.
func TestAQuotedValueIsCutOnACharacterBoundary(t *testing.T) {
	t.Parallel()
	for _, filler := range []string{"é", "€", "𝄞", "a€"} {
		for shift := range 4 {
			l, logs := e2eLogger()
			h := responselimit.New(responselimit.Config{Logger: l})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			r := httptest.NewRequest("GET", "/api/x", nil)
			r.RequestURI = "/api/x?" + strings.Repeat("q", shift) + strings.Repeat(filler, 200)
			r.URL.Path = "/api/" + strings.Repeat("q", shift) + strings.Repeat(filler, 200)
			h.ServeHTTP(httptest.NewRecorder(), r)
			warns := logs.at(t, "WARN")
			if len(warns) != 1 {
				t.Fatalf("got %d warnings, want 1", len(warns))
			}
			msg, _ := warns[0]["msg"].(string)
			uri := strings.TrimSuffix(strings.TrimPrefix(msg, "API resolved without sending a response for "), ", this may result in stalled requests.")
			what := fmt.Sprintf("%q after %d bytes", filler, shift)
			checkQuoted(t, what+": URL", uri, r.RequestURI)
			path, _ := warns[0]["path"].(string)
			checkQuoted(t, what+": path", path, r.URL.Path)
		}
	}
}

// 1,000 requests in a burst to a route that answers nothing log one line
// per second, not one each; the line after the burst says how many were
// left out, so that the lines plus what they say was suppressed add up to
// every request.
func TestABurstOfUnresolvedRequestsLogsOneLinePerSecond(t *testing.T) {
	t.Parallel()
	const burst, clients = 1000, 8
	l, logs := e2eLogger()
	var served atomic.Int64
	h := responselimit.New(responselimit.Config{Logger: l})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		served.Add(1)
	}))
	srv := e2eServer(t, h)
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: e2eDeadline}
	get := func() {
		res, err := c.Get(srv.URL + "/api/silent?q=" + strings.Repeat("x", 1000))
		if err != nil {
			t.Error(err)
			return
		}
		res.Body.Close()
	}

	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= burst {
				get()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	inBurst := len(logs.at(t, "WARN"))
	// The warning is logged before net/http answers a handler that wrote
	// nothing, so every request of the burst has been counted by now. The
	// next window's first line reports them.
	time.Sleep(warnWindow + warnWindow/10)
	get()

	warns := logs.at(t, "WARN")
	t.Logf("%d requests in %v: %d lines during the burst, %d with the one after it, %d bytes of log",
		served.Load(), elapsed.Round(time.Millisecond), inBurst, len(warns), len(logs.String()))
	if maxLines := 1 + int(elapsed/warnWindow); inBurst > maxLines {
		t.Errorf("%d lines for %d requests in %v, want at most %d (one per second)", inBurst, burst, elapsed, maxLines)
	}
	var suppressed int
	for _, w := range warns {
		if n, ok := w["suppressed"].(float64); ok {
			suppressed += int(n)
		}
	}
	if int(served.Load()) != burst+1 || len(warns)+suppressed != burst+1 {
		t.Errorf("%d requests served, %d lines logged + %d suppressed; want both %d", served.Load(), len(warns), suppressed, burst+1)
	}
	if last, _ := warns[len(warns)-1]["suppressed"].(float64); last == 0 {
		t.Errorf("the line after the burst says nothing of the lines left out: %v", warns[len(warns)-1])
	}
}

// The limit is per route and per kind: a route whose warnings are being
// held back does not silence another route built from the same
// middleware, nor its own warning of the other kind.
func TestWarningsAreThrottledPerRouteAndPerKind(t *testing.T) {
	t.Parallel()
	l, logs := e2eLogger()
	mw := responselimit.New(responselimit.Config{Limit: "1kb", Logger: l})
	mixed := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("big") {
			_, _ = w.Write(make([]byte, 1024))
		}
	}))
	other := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	serve := func(h http.Handler, target string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	for range 5 {
		serve(mixed, "/api/mixed")
	}
	serve(mixed, "/api/mixed?big")
	serve(other, "/api/other")
	serve(mixed, "/api/mixed?big")

	var got []string
	for _, w := range logs.at(t, "WARN") {
		got = append(got, fmt.Sprint(w["msg"]))
	}
	want := []string{
		"API resolved without sending a response for /api/mixed, this may result in stalled requests.",
		"API response for /api/mixed?big exceeds 1KB" + e2eSizeWarningTail,
		"API resolved without sending a response for /api/other, this may result in stalled requests.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Throttling holds back log lines, never the check itself: with Enforce,
// every oversized response is refused even when its warning is not logged.
func TestEnforceRefusesEveryResponseWhileItsWarningsAreThrottled(t *testing.T) {
	t.Parallel()
	l, logs := e2eLogger()
	h := responselimit.New(responselimit.Config{Limit: "1kb", Enforce: true, Logger: l})(writeN(2000, 0))
	for i := range 20 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/big", nil))
		if rec.Code != 500 {
			t.Fatalf("response %d: %d, want the 500 of Enforce", i, rec.Code)
		}
	}
	if warns := logs.at(t, "WARN"); len(warns) != 1 || warns[0]["enforced"] != true {
		t.Errorf("warnings %v, want the first one only", warns)
	}
}

// A warning that the throttle holds back costs no more than a response that
// triggers nothing: the wrapper, and no allocation to build a line that is
// not logged.
func TestAHeldBackWarningAllocatesOnlyTheWrapper(t *testing.T) {
	l, logs := e2eLogger()
	h := responselimit.New(responselimit.Config{Logger: l})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest("GET", "/api/silent", nil)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, r) // logs: the window starts
	// A window that ends during the run logs one line, whose allocations,
	// shared by every run, round down to none.
	if n := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) }); n > 1 {
		t.Errorf("%v allocations per held-back warning, want at most 1 (the wrapper)", n)
	}
	if warns := logs.at(t, "WARN"); len(warns) > 2 {
		t.Errorf("%d lines logged, want the first (and at most one more)", len(warns))
	}
}
