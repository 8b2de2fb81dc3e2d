package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/ratelimit"
)

// Tokens of the test users.
const (
	aliceToken = "alice-token-0123456789"
	bobToken   = "bob-token-9876543210"
)

// testConfig is a configuration with two users, a fixed session key and a
// database in a fresh temporary folder, logging to the test's output.
func testConfig(t *testing.T) config {
	t.Helper()
	return config{
		Addr:            "127.0.0.1:0",
		DBPath:          filepath.Join(t.TempDir(), "tasks.db"),
		Tokens:          map[string]string{aliceToken: "alice", bobToken: "bob"},
		SessionKey:      []byte("0123456789abcdef0123456789abcdef"),
		ShutdownTimeout: 5 * time.Second,
		Logger:          slog.New(slog.NewTextHandler(t.Output(), nil)),
		// Far above what a test sends: ratelimit_test.go tests the
		// default limits.
		LoginLimit:  testLimit,
		CreateLimit: testLimit,
	}
}

// testLimit is the rate limit of testConfig's routes.
var testLimit = ratelimit.Limit{Rate: 1_000_000, Period: time.Minute, Burst: 100_000}

// api is the app behind a real loopback HTTP server.
type api struct {
	t      *testing.T
	app    *app
	srv    *httptest.Server
	client *http.Client
}

// startAPI serves newApp(cfg) on 127.0.0.1 until the test ends.
func startAPI(t *testing.T, cfg config) *api {
	t.Helper()
	a, err := newApp(cfg)
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	s := &api{t: t, app: a, srv: srv, client: srv.Client()}
	s.client.Timeout = 10 * time.Second
	s.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.Cleanup(s.stop)
	return s
}

// stop closes the server, then the app; calling it twice is harmless.
func (s *api) stop() {
	if s.srv == nil {
		return
	}
	s.srv.Close()
	s.srv = nil
	if err := s.app.Close(); err != nil {
		s.t.Errorf("app.Close: %v", err)
	}
}

// answer is a response, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
	res    *http.Response
}

// option changes a request before it is sent.
type option func(*http.Request)

func bearer(token string) option {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func header(name, value string) option {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func withCookie(c *http.Cookie) option {
	return func(r *http.Request) { r.AddCookie(c) }
}

// do sends a request; a non-empty body is sent as application/json unless
// an option says otherwise.
func (s *api) do(method, path, body string, opts ...option) answer {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.srv.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: b, res: res}
}

// want fails the test unless the answer has the status.
func (a answer) want(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", a.res.Request.Method, a.res.Request.URL.Path, a.status, status, a.body)
	}
	return a
}

// errorMessage returns the "error" of a JSON error body.
func (a answer) errorMessage(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == "" {
		t.Fatalf("not a JSON error: %q (%v)", a.body, err)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("error Content-Type %q", ct)
	}
	return e.Error
}

func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", a.body, err)
	}
	return v
}

// create makes a task for token and returns it.
func (s *api) create(token, body string) Task {
	s.t.Helper()
	return decode[Task](s.t, s.do("POST", "/api/tasks", body, bearer(token)).want(s.t, http.StatusCreated))
}

// syncBuffer is a bytes.Buffer that server goroutines may write to while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// eventually polls cond every 10ms for up to 5s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
