package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fetchResult is what runScenario, the page's script, returns.
type fetchResult struct {
	OK     bool               `json:"ok"`
	Status int                `json:"status"`
	Body   *string            `json:"body"`
	Error  *string            `json:"error"`
	Header map[string]*string `json:"header"`
}

func (r fetchResult) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// findChromium returns the browser to drive: $CHROMIUM, else Debian's
// /usr/bin/chromium, else the first of chromium, chromium-browser and
// google-chrome on the PATH. Without one the test is skipped, except on CI,
// which must run it.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (set CHROMIUM, or install Debian's chromium: apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the browser tests")
	}
	t.Skip(msg)
	return ""
}

// syncBuffer is an io.Writer safe for the browser's output goroutine and
// the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServers starts the page and the API on two loopback listeners.
func startServers(t *testing.T, logs io.Writer) (pageURL, apiURL string, a *api) {
	t.Helper()
	pageSrv := httptest.NewUnstartedServer(nil)
	apiSrv := httptest.NewUnstartedServer(nil)
	pageURL, apiURL = "http://"+pageSrv.Listener.Addr().String(), "http://"+apiSrv.Listener.Addr().String()
	a = newAPI(pageURL, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	pageSrv.Config.Handler = newPage(apiURL)
	apiSrv.Config.Handler = a
	pageSrv.Start()
	apiSrv.Start()
	t.Cleanup(pageSrv.Close)
	t.Cleanup(apiSrv.Close)
	return pageURL, apiURL, a
}

// startBrowser starts headless Chromium from execPath, with a profile of
// its own, and returns the context of its first tab and what it prints.
// It stops when the test ends.
func startBrowser(t *testing.T, execPath string) (context.Context, *syncBuffer) {
	t.Helper()
	out := new(syncBuffer)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(execPath),
			chromedp.NoSandbox, // as root, and in containers
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(t.TempDir()),
			chromedp.CombinedOutput(out),
		)...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	// Cleanups run last in first out: the browser, then its allocator.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelBrowser)

	// Start the browser with a context that has no timeout (its life is
	// that context's), but give up if it does not start in time.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v\n%s", execPath, err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start in 20s:\n%s", execPath, out.String())
	}
	return browserCtx, out
}

// The scenarios of the page, run in headless Chromium: what the browser lets
// the page's script read, and what reached the API's handlers.
func TestBrowserEnforcesTheAPIsCORS(t *testing.T) {
	execPath := findChromium(t)
	start := time.Now()

	var apiLogs syncBuffer
	pageURL, apiURL, a := startServers(t, &apiLogs)

	browserCtx, browserOut := startBrowser(t, execPath)
	defer func() {
		if t.Failed() {
			t.Logf("API log:\n%s", apiLogs.String())
			t.Logf("Chromium's output:\n%s", browserOut.String())
		}
	}()
	t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))

	// Two tabs of the same browser, sharing its cookies: one on the page
	// origin, one on the API origin.
	pageTab, cancelPage := chromedp.NewContext(browserCtx)
	defer cancelPage()
	apiTab, cancelAPITab := chromedp.NewContext(browserCtx)
	defer cancelAPITab()

	within := func(parent context.Context, d time.Duration) context.Context {
		ctx, cancel := context.WithTimeout(parent, d)
		t.Cleanup(cancel)
		return ctx
	}
	// Log in on the API origin (sets the session cookie), then open the
	// page on the page origin, with #manual so that it does not run the
	// scenarios by itself.
	if err := chromedp.Do(within(apiTab, 10*time.Second),
		chromedp.Navigate(apiURL+"/login"),
		chromedp.Navigate(apiURL+"/same-origin.html#manual"),
	); err != nil {
		t.Fatalf("opening the API origin's pages: %v", err)
	}
	// The browser's console says why it refused each request.
	console := chromedp.Console(pageTab)
	if err := chromedp.Do(within(pageTab, 10*time.Second), chromedp.Navigate(pageURL+"/#manual")); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	var consoleMu sync.Mutex
	var consoleMsgs []chromedp.ConsoleMessage
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			consoleMu.Lock()
			consoleMsgs = append(consoleMsgs, m)
			consoleMu.Unlock()
		}
	}()
	// consoleAbout returns, and forgets, the console messages about url.
	// The console reports asynchronously, so when a CORS message is
	// expected it waits for it a little.
	consoleAbout := func(url string, waitForCORS bool) (lines []string, cors bool) {
		deadline := time.Now().Add(2 * time.Second)
		for {
			consoleMu.Lock()
			var rest []chromedp.ConsoleMessage
			for _, m := range consoleMsgs {
				if strings.Contains(m.Text, url) || m.URL == url {
					lines = append(lines, m.String())
					cors = cors || strings.Contains(m.Text, "blocked by CORS policy")
				} else {
					rest = append(rest, m)
				}
			}
			consoleMsgs = rest
			consoleMu.Unlock()
			if cors || !waitForCORS || time.Now().After(deadline) {
				return lines, cors
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	str := func(s string) *string { return &s }
	cases := []struct {
		name string
		tab  context.Context
		// want is what the script sees; a nil Error means fetch resolved.
		want fetchResult
		// server checks the requests that reached the API during the
		// scenario.
		server func(t *testing.T, reqs []request)
	}{
		{name: "public", tab: pageTab,
			want: fetchResult{OK: true, Status: 200, Body: str(`{"message":"hello from the API origin"}`)},
			server: func(t *testing.T, reqs []request) {
				want(t, reqs, request{Method: "GET", Path: "/api/public", Origin: pageURL, Handled: true})
			}},
		{name: "refused", tab: pageTab,
			want: fetchResult{Error: str("TypeError: Failed to fetch")},
			server: func(t *testing.T, reqs []request) {
				// Sent and handled: CORS only hides the answer.
				want(t, reqs, request{Method: "GET", Path: "/api/refused", Origin: pageURL, Handled: true})
			}},
		{name: "put-preflighted", tab: pageTab,
			want: fetchResult{OK: true, Status: 200, Body: str(`{"id":"1","requestId":"req-1","title":"write docs"}`)},
			server: func(t *testing.T, reqs []request) {
				want(t, reqs,
					request{Method: "OPTIONS", Path: "/api/tasks/1", Origin: pageURL, Preflight: "PUT"},
					request{Method: "PUT", Path: "/api/tasks/1", Origin: pageURL, Handled: true})
			}},
		{name: "delete-refused", tab: pageTab,
			want: fetchResult{Error: str("TypeError: Failed to fetch")},
			server: func(t *testing.T, reqs []request) {
				// The preflight only: the DELETE never reached the API.
				want(t, reqs, request{Method: "OPTIONS", Path: "/api/readonly", Origin: pageURL, Preflight: "DELETE"})
				if !strings.Contains(apiLogs.String(), `msg="cors: preflight refused: method not allowed" origin=`+pageURL+` method=DELETE`) {
					t.Errorf("the API did not log why it refused the DELETE:\n%s", apiLogs.String())
				}
			}},
		{name: "credentials", tab: pageTab,
			want: fetchResult{OK: true, Status: 200, Body: str(`{"session":"abc"}`)},
			server: func(t *testing.T, reqs []request) {
				// A preflight never carries cookies; the POST does.
				want(t, reqs,
					request{Method: "OPTIONS", Path: "/api/me-creds", Origin: pageURL, Preflight: "POST"},
					request{Method: "POST", Path: "/api/me-creds", Origin: pageURL, Cookie: true, Handled: true})
			}},
		{name: "credentials-not-asked", tab: pageTab,
			want: fetchResult{OK: true, Status: 200, Body: str(`{"session":""}`)},
			server: func(t *testing.T, reqs []request) {
				// The preflight answer is still cached from "credentials".
				want(t, withoutPreflights(reqs),
					request{Method: "POST", Path: "/api/me-creds", Origin: pageURL, Handled: true})
			}},
		{name: "credentials-not-allowed", tab: pageTab,
			want: fetchResult{Error: str("TypeError: Failed to fetch")},
			server: func(t *testing.T, reqs []request) {
				// The server accepted the preflight, without
				// Access-Control-Allow-Credentials; the browser stopped
				// there: no POST, so no cookie, reached the handler.
				want(t, reqs, request{Method: "OPTIONS", Path: "/api/me-nocreds", Origin: pageURL, Preflight: "POST"})
			}},
		{name: "credentials-other-origin", tab: pageTab,
			want: fetchResult{Error: str("TypeError: Failed to fetch")},
			server: func(t *testing.T, reqs []request) {
				want(t, reqs, request{Method: "OPTIONS", Path: "/api/me-otherorigin", Origin: pageURL, Preflight: "POST"})
			}},
		{name: "exposed-headers", tab: pageTab,
			want: fetchResult{OK: true, Status: 200, Body: str(`["first","second"]`),
				Header: map[string]*string{"X-Total-Count": str("42"), "X-Internal": nil}},
			server: func(t *testing.T, reqs []request) {
				want(t, reqs, request{Method: "GET", Path: "/api/exposed", Origin: pageURL, Handled: true})
			}},
		{name: "unwrapped", tab: pageTab,
			want: fetchResult{Error: str("TypeError: Failed to fetch")},
			server: func(t *testing.T, reqs []request) {
				want(t, reqs, request{Method: "GET", Path: "/api/unwrapped", Origin: pageURL, Handled: true})
			}},
		{name: "unwrapped-same-origin", tab: apiTab,
			want: fetchResult{OK: true, Status: 200, Body: str(`{"message":"same origin only"}`)},
			server: func(t *testing.T, reqs []request) {
				// Same origin: no Origin header on a GET, and the cookie
				// goes by default.
				want(t, reqs, request{Method: "GET", Path: "/api/unwrapped", Cookie: true, Handled: true})
			}},
	}
	var names []string
	for _, s := range scenarios {
		names = append(names, s.Name)
	}
	for _, tc := range cases {
		if !slices.Contains(names, tc.name) {
			t.Fatalf("no scenario %q in main.go", tc.name)
		}
		names = slices.DeleteFunc(names, func(n string) bool { return n == tc.name })
	}
	if len(names) > 0 {
		t.Fatalf("scenarios without a test case: %v", names)
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(a.seen())
			got, err := chromedp.Run(within(tc.tab, 10*time.Second),
				chromedp.Evaluate[fetchResult](`runScenario(`+jsString(tc.name)+`)`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("runScenario: %v", err)
			}
			t.Logf("script saw: %v", got)
			if got.String() != tc.want.String() {
				t.Errorf("script saw %v\nwant %v", got, tc.want)
			}
			reqs := a.seen()[before:]
			if len(reqs) == 0 {
				t.Fatalf("no request reached the API")
			}
			for _, r := range reqs {
				t.Logf("API saw: %+v", r)
			}
			tc.server(t, reqs)
			if tc.tab == pageTab {
				lines, cors := consoleAbout(apiURL+reqs[0].Path, tc.want.Error != nil)
				for _, line := range lines {
					t.Logf("console: %s", line)
				}
				if tc.want.Error != nil && !cors {
					t.Errorf("Chromium's console says nothing of CORS about %s: the fetch failed for another reason?", reqs[0].Path)
				}
			}
		})
	}

	// The page as a person sees it: it runs every scenario on load and
	// marks each as expected or not.
	t.Run("page-runs-by-itself", func(t *testing.T) {
		type row struct{ Name, Verdict string }
		rows, err := chromedp.Run(within(pageTab, 10*time.Second), func(ctx context.Context, tg *chromedp.Target) ([]row, error) {
			if _, err := chromedp.Navigate(pageURL+"/")(ctx, tg); err != nil {
				return nil, err
			}
			return chromedp.Poll[[]row](`document.getElementById("seen").textContent !== "" &&
				Array.from(document.querySelectorAll("#results tr"), tr => ({Name: tr.cells[0].textContent, Verdict: tr.cells[4].textContent}))`,
				chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(8*time.Second))(ctx, tg)
		})
		if err != nil {
			t.Fatalf("the page did not finish: %v", err)
		}
		if len(rows) != len(scenariosFor("page")) {
			t.Errorf("the page shows %d scenarios, want %d", len(rows), len(scenariosFor("page")))
		}
		for _, r := range rows {
			t.Logf("%s: %s", r.Name, r.Verdict)
			if r.Verdict != "as expected" {
				t.Errorf("the page says %s: %s", r.Name, r.Verdict)
			}
		}
	})

	consoleMu.Lock()
	for _, m := range consoleMsgs {
		if m.IsException() {
			t.Errorf("the page threw: %v", m)
		}
	}
	consoleMu.Unlock()

	// Nothing that carried the cookie reached the routes without
	// AllowCredentials for the page, in any scenario.
	for _, r := range a.seen() {
		if r.Cookie && (r.Path == "/api/me-nocreds" || r.Path == "/api/me-otherorigin") {
			t.Errorf("a request with the cookie reached %s: %+v", r.Path, r)
		}
		if r.Method == "DELETE" {
			t.Errorf("a DELETE reached the API: %+v", r)
		}
	}
	t.Logf("all scenarios in %v", time.Since(start).Round(time.Millisecond))
}

// want checks that reqs are exactly the requests listed.
func want(t *testing.T, reqs []request, list ...request) {
	t.Helper()
	if !slices.Equal(reqs, list) {
		t.Errorf("the API saw\n%+v\nwant\n%+v", reqs, list)
	}
}

func withoutPreflights(reqs []request) []request {
	return slices.DeleteFunc(slices.Clone(reqs), func(r request) bool { return r.Preflight != "" })
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The API's CORS answers, checked without a browser, so the example is
// tested where Chromium is absent too.
func TestAPIAnswersWithoutABrowser(t *testing.T) {
	const page = "http://127.0.0.1:3001"
	var logs syncBuffer
	a := newAPI(page, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	do := func(method, path string, header ...string) *http.Response {
		r := httptest.NewRequest(method, "http://127.0.0.1:3002"+path, strings.NewReader(`{"title":"x"}`))
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		return w.Result()
	}
	preflight := func(path, method, headers string) *http.Response {
		h := []string{"Origin", page, "Access-Control-Request-Method", method}
		if headers != "" {
			h = append(h, "Access-Control-Request-Headers", headers)
		}
		return do("OPTIONS", path, h...)
	}
	check := func(name string, res *http.Response, status int, header ...string) {
		t.Helper()
		if res.StatusCode != status {
			t.Errorf("%s: status %d, want %d", name, res.StatusCode, status)
		}
		for i := 0; i+1 < len(header); i += 2 {
			if got := res.Header.Get(header[i]); !strings.EqualFold(got, header[i+1]) {
				t.Errorf("%s: %s = %q, want %q", name, header[i], got, header[i+1])
			}
		}
	}
	acao, acac, aceh := "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers"

	check("public", do("GET", "/api/public", "Origin", page), 200, acao, page, "Vary", "Origin")
	check("refused", do("GET", "/api/refused", "Origin", page), 200, acao, "")
	check("put preflight", preflight("/api/tasks/1", "PUT", "content-type,x-request-id"), 204,
		acao, page, "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "content-type,x-request-id")
	check("put", do("PUT", "/api/tasks/1", "Origin", page, "Content-Type", "application/json"), 200, acao, page)
	check("delete preflight", preflight("/api/readonly", "DELETE", ""), 204, acao, "", "Access-Control-Allow-Methods", "")
	check("creds preflight", preflight("/api/me-creds", "POST", "content-type"), 204, acao, page, acac, "true")
	check("nocreds preflight", preflight("/api/me-nocreds", "POST", "content-type"), 204, acao, page, acac, "")
	check("otherorigin preflight", preflight("/api/me-otherorigin", "POST", "content-type"), 204, acao, "", acac, "")
	check("exposed", do("GET", "/api/exposed", "Origin", page), 200, acao, page, aceh, "X-Total-Count", "X-Total-Count", "42")
	check("unwrapped", do("GET", "/api/unwrapped", "Origin", page), 200, acao, "")
	check("unwrapped OPTIONS", preflight("/api/unwrapped", "GET", ""), 405, acao, "", "Allow", "GET")

	login := do("GET", "/login")
	if c := login.Cookies(); len(c) != 1 || c[0].Name != "session" || c[0].Value != "abc" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
		t.Errorf("/login cookies: %v", c)
	}

	// Preflights are answered by cors: no handler ran for them.
	for _, r := range a.seen() {
		if r.Method == "OPTIONS" && r.Handled && r.Path != "/api/unwrapped" {
			t.Errorf("a handler ran for a preflight: %+v", r)
		}
	}
	for _, reason := range []string{"origin not allowed", "method not allowed"} {
		if !strings.Contains(logs.String(), "cors: preflight refused: "+reason) {
			t.Errorf("no %q in the API's log:\n%s", reason, logs.String())
		}
	}

	pageRes := httptest.NewRecorder()
	newPage("http://127.0.0.1:3002").ServeHTTP(pageRes, httptest.NewRequest("GET", "/", nil))
	body := pageRes.Body.String()
	if pageRes.Code != 200 || !strings.Contains(body, `const API = "http://127.0.0.1:3002";`) || !strings.Contains(body, `"name":"credentials-not-allowed"`) {
		t.Errorf("page: %d\n%s", pageRes.Code, body)
	}
	if strings.Contains(body, `"unwrapped-same-origin"`) {
		t.Errorf("the page lists the scenario of the API origin's page")
	}
}
