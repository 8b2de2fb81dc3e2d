package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/route"
)

// csrfSeen is what the CSRF API records of a request: the headers a
// browser's cross-origin protection decides on, and the answer.
type csrfSeen struct {
	Method, Origin, Site, Mode string // Origin, Sec-Fetch-Site, Sec-Fetch-Mode
	Status                     int
}

// csrfAPI is a route behind compose's default chain, whose CORS policy
// allows one origin (the app's). It counts the handler's runs: a refused
// request must leave it at zero.
type csrfAPI struct {
	route   http.Handler
	handled atomic.Int64

	mu   sync.Mutex
	seen []csrfSeen
}

func newCSRFAPI(appOrigin string) *csrfAPI {
	a := &csrfAPI{}
	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.handled.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"created":true}`)
	})
	a.route = compose.Route(route.Methods{http.MethodPost: create}, compose.Config{
		CORS: &cors.Options{AllowedOrigins: []string{appOrigin}, AllowedMethods: []string{"POST"}, AllowedHeaders: []string{"Content-Type"}},
	})
	return a
}

// statusWriter records the status of the answer, for the test's log only.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (a *csrfAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/tasks":
		sw := &statusWriter{ResponseWriter: w}
		a.route.ServeHTTP(sw, r)
		a.mu.Lock()
		a.seen = append(a.seen, csrfSeen{r.Method, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Sec-Fetch-Mode"), sw.status})
		a.mu.Unlock()
	default:
		blankPage(w, r)
	}
}

// take returns and forgets what the API saw, and how many times the
// handler ran.
func (a *csrfAPI) take() ([]csrfSeen, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := a.seen
	a.seen = nil
	return seen, a.handled.Swap(0)
}

// blankPage is every page of the test: the scripts are evaluated in it.
func blankPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/favicon.ico" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, "<!doctype html><title>page</title><body>")
}

// serveLoopback starts h on a loopback port and returns the port.
func serveLoopback(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// compose's cross-origin protection in Chromium: what a browser sends for
// each kind of request, and what reaches the handler. The API is on
// 127.0.0.1; a page on localhost is another site (ports do not make a
// site: 127.0.0.1:A and 127.0.0.1:B are the same site).
func TestBrowserCrossSiteWritesAreRefused(t *testing.T) {
	execPath := findChromium(t)

	evilPort := serveLoopback(t, http.HandlerFunc(blankPage))
	appPort := serveLoopback(t, http.HandlerFunc(blankPage))
	siblingPort := serveLoopback(t, http.HandlerFunc(blankPage))
	evil, app, sibling := "http://localhost:"+evilPort, "http://localhost:"+appPort, "http://127.0.0.1:"+siblingPort
	a := newCSRFAPI(app)
	api := "http://127.0.0.1:" + serveLoopback(t, a)

	browserCtx, browserOut := startBrowser(t, execPath)
	defer func() {
		if t.Failed() {
			t.Logf("Chromium's output:\n%s", browserOut.String())
		}
	}()
	tab := func(t *testing.T, pageURL string) context.Context {
		ctx, cancel := chromedp.NewContext(browserCtx)
		t.Cleanup(cancel)
		ctx, cancelTimeout := context.WithTimeout(ctx, 15*time.Second)
		t.Cleanup(cancelTimeout)
		if err := chromedp.Do(ctx, chromedp.Navigate(pageURL+"/")); err != nil {
			t.Fatalf("opening %s: %v", pageURL, err)
		}
		return ctx
	}
	// fetchFrom runs fetch(api/api/tasks, init) in a page on origin and
	// returns what the script could see.
	fetchFrom := func(t *testing.T, origin, init string) string {
		got, err := chromedp.Run(tab(t, origin), chromedp.Evaluate[string](`fetch(`+jsString(api+"/api/tasks")+`, `+init+`)
			.then(async r => r.type + " " + r.status + " " + await r.text(), e => String(e))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		return got
	}
	const jsonPost = `{method: "POST", headers: {"Content-Type": "application/json"}, body: '{"title":"x"}'}`

	for _, tc := range []struct {
		name string
		// do makes the request and returns what the page could see.
		do func(t *testing.T) string
		// page is what the page saw; site the Sec-Fetch-Site Chromium sent.
		page, site string
		origin     string
		status     int
	}{
		{name: "a form on another site posts to the API (a navigation)", site: "cross-site", origin: evil, status: 403,
			page: `403 {"error":"Cross-origin request refused: the browser sent it from an origin this route does not trust"}`,
			do: func(t *testing.T) string {
				ctx := tab(t, evil)
				res, err := chromedp.RunResponse(ctx, chromedp.Evaluate[chromedp.Void](`{
					const f = document.createElement("form");
					f.method = "POST";
					f.action = `+jsString(api+"/api/tasks")+`;
					const i = document.createElement("input");
					i.name = "title";
					i.value = "pwned";
					f.append(i);
					document.body.append(f);
					f.submit();
				}`))
				if err != nil {
					t.Fatalf("submitting the form: %v", err)
				}
				body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
				if err != nil {
					t.Fatalf("reading the answer: %v", err)
				}
				return fmt.Sprint(res.Status, " ", body)
			}},
		{name: "a page on another site fetches in no-cors mode", site: "cross-site", origin: evil, status: 403,
			page: "opaque 0 ", // the script learns nothing, the handler did nothing
			do: func(t *testing.T) string {
				return fetchFrom(t, evil, `{method: "POST", mode: "no-cors", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "title=pwned"}`)
			}},
		{name: "a page on another site fetches a simple CORS request", site: "cross-site", origin: evil, status: 403,
			page: "TypeError: Failed to fetch",
			do: func(t *testing.T) string {
				return fetchFrom(t, evil, `{method: "POST", headers: {"Content-Type": "text/plain"}, body: "title=pwned"}`)
			}},
		{name: "a page on another port of the same site fetches in no-cors mode", site: "same-site", origin: sibling, status: 403,
			page: "opaque 0 ",
			do: func(t *testing.T) string {
				return fetchFrom(t, sibling, `{method: "POST", mode: "no-cors", body: "title=pwned"}`)
			}},
		{name: "the API's own page fetches", site: "same-origin", origin: api, status: 201,
			page: `basic 201 {"created":true}`,
			do:   func(t *testing.T) string { return fetchFrom(t, api, jsonPost) }},
		{name: "the app the route's CORS allows fetches", site: "cross-site", origin: app, status: 201,
			page: `cors 201 {"created":true}`,
			do:   func(t *testing.T) string { return fetchFrom(t, app, jsonPost) }},
		{name: "a Go client, without Origin or Sec-Fetch-Site", status: 201,
			page: `201 {"created":true}`,
			do: func(t *testing.T) string {
				res, err := http.Post(api+"/api/tasks", "application/json", strings.NewReader(`{"title":"x"}`))
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return fmt.Sprint(res.StatusCode, " ", string(b))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.take()
			page := tc.do(t)
			seen, handled := a.take()
			// Preflights (the app's JSON POST) are answered by CORS.
			var writes []csrfSeen
			for _, s := range seen {
				t.Logf("the API saw %s from %q, Sec-Fetch-Site %q, Sec-Fetch-Mode %q: %d", s.Method, s.Origin, s.Site, s.Mode, s.Status)
				if s.Method == "POST" {
					writes = append(writes, s)
				}
			}
			t.Logf("the page saw %s", page)
			if page != tc.page {
				t.Errorf("the page saw %q, want %q", page, tc.page)
			}
			if len(writes) != 1 {
				t.Fatalf("the API saw %d POSTs, want 1", len(writes))
			}
			if w := writes[0]; w.Site != tc.site || w.Origin != tc.origin || w.Status != tc.status {
				t.Errorf("the POST came with Sec-Fetch-Site %q and Origin %q, answered %d; want %q, %q, %d",
					w.Site, w.Origin, w.Status, tc.site, tc.origin, tc.status)
			}
			want := int64(0) // a refused request leaves no trace
			if tc.status == 201 {
				want = 1
			}
			if handled != want {
				t.Errorf("the handler ran %d times, want %d", handled, want)
			}
		})
	}
}
