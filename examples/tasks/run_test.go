package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// started is a run in progress.
type started struct {
	base   string          // http://127.0.0.1:port
	stdout *syncBuffer     // what run printed
	stop   func()          // cancels run's context: SIGINT in main
	done   <-chan struct{} // closed when run has returned
	err    *error          // run's result, once done is closed
}

// wait waits up to d for run to return and returns its error; ok is false
// if it did not return in time.
func (r started) wait(d time.Duration) (err error, ok bool) {
	select {
	case <-r.done:
		return *r.err, true
	case <-time.After(d):
		return nil, false
	}
}

// startRun calls run, the function main calls, on 127.0.0.1:0 and waits
// until it serves.
func startRun(t *testing.T, cfg config) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = run(ctx, cfg, out, func(base string) { ready <- base })
	}()
	r := started{stdout: out, stop: cancel, done: done, err: &runErr}
	t.Cleanup(func() {
		cancel()
		if _, ok := r.wait(10 * time.Second); !ok {
			t.Error("run did not return")
		}
	})
	select {
	case r.base = <-ready:
		return r
	case <-done:
		t.Fatalf("run: %v", runErr)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not start")
	}
	return started{}
}

// printedToken returns the dev token from run's start-up notes, checking the
// curl line printed with it.
func printedToken(t *testing.T, r started) string {
	t.Helper()
	out := r.stdout.String()
	m := regexp.MustCompile(`(?m)^    export TOKEN=([A-Za-z0-9_-]{43})$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no token in the start-up notes:\n%s", out)
	}
	for _, want := range []string{
		`curl -i -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"title":"Try apiroutes"}' ` + r.base + "/api/tasks",
		"tasks: database ",
		"signed with a random key and end when the server stops",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up notes lack %q:\n%s", want, out)
		}
	}
	return m[1]
}

func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Tokens = nil     // as with no -tokens: a dev token is generated and printed
	cfg.SessionKey = nil // and no -session-key: a random one
	r := startRun(t, cfg)
	token := printedToken(t, r)

	// The printed token works.
	req, _ := http.NewRequest("POST", r.base+"/api/tasks", strings.NewReader(`{"title":"before shutdown"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	taskPath := res.Header.Get("Location")
	client.CloseIdleConnections()

	// A request in flight: a PUT whose body the server has started to
	// read. With Expect: 100-continue, the server says "100 Continue" when
	// the body parser asks for the body, so we know the handler chain is
	// running before shutting down.
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	body := `{"title":"finished during shutdown","status":"done"}`
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: tasks\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		taskPath, token, len(body))
	br := bufio.NewReader(conn)
	put, _ := http.NewRequest("PUT", taskPath, nil)
	cont, err := http.ReadResponse(br, put)
	if err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v, %v", cont, err)
	}

	r.stop() // what SIGINT does in main

	// Shutdown has begun once the listener refuses new connections...
	eventually(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(r.base, "http://"), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	// ...and run waits for our request.
	if err, returned := r.wait(100 * time.Millisecond); returned {
		t.Fatalf("run returned (%v) with a request in flight", err)
	}

	// The request completes normally.
	io.WriteString(conn, body)
	final, err := http.ReadResponse(br, put)
	if err != nil {
		t.Fatalf("the request in flight failed: %v", err)
	}
	got, _ := io.ReadAll(final.Body)
	final.Body.Close()
	if final.StatusCode != http.StatusOK || !strings.Contains(string(got), `"title":"finished during shutdown"`) {
		t.Fatalf("in-flight PUT: %d %s", final.StatusCode, got)
	}

	// Then the server stops and the database is closed cleanly: its WAL
	// has been folded into the file, and the update is there.
	if err, ok := r.wait(10 * time.Second); !ok {
		t.Fatal("run did not return after the last request")
	} else if err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := os.Stat(cfg.DBPath + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WAL still there after run returned: %v", err)
	}
	store, err := OpenStore(context.Background(), cfg.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var id int64
	fmt.Sscanf(taskPath, "/api/tasks/%d", &id)
	if task, err := store.Get(context.Background(), "dev", id); err != nil || task.Title != "finished during shutdown" || task.Status != StatusDone {
		t.Errorf("after shutdown the task is %+v, %v", task, err)
	}
}

func TestShutdownTimeoutCutsStuckRequests(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.ShutdownTimeout = 200 * time.Millisecond
	r := startRun(t, cfg)

	// A request whose body never comes.
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	fmt.Fprintf(conn, "POST /api/tasks HTTP/1.1\r\nHost: tasks\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n", aliceToken)
	br := bufio.NewReader(conn)
	if cont, err := http.ReadResponse(br, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v, %v", cont, err)
	}

	start := time.Now()
	r.stop()
	if err, ok := r.wait(10 * time.Second); !ok {
		t.Fatal("run waited past its shutdown timeout")
	} else if err != nil {
		t.Fatalf("run: %v", err)
	}
	if d := time.Since(start); d < cfg.ShutdownTimeout {
		t.Errorf("run returned after %v, before the shutdown timeout", d)
	}
	// The stuck connection was closed rather than left hanging.
	if _, err := br.ReadByte(); err == nil {
		t.Error("the stuck connection is still open")
	}
}

// A body slower than -body-timeout gets its 408: the server's WriteTimeout
// leaves time to write it. With the body parser's default (30 s) equal to
// the WriteTimeout, the client saw the connection close without an answer.
func TestASlowBodyGetsItsAnswerBeforeTheServerGivesUp(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.BodyTimeout = 300 * time.Millisecond
	r := startRun(t, cfg)

	conn, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	fmt.Fprintf(conn, "POST /api/tasks HTTP/1.1\r\nHost: tasks\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", aliceToken)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer after %v: %v", time.Since(start), err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "Body not received within 300ms") {
		t.Errorf("got %d %s, want 408", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the 408 came after %v", d)
	}
}

func TestRunReportsAnAddressInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testConfig(t)
	cfg.Addr = ln.Addr().String()
	err = run(context.Background(), cfg, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "-addr") {
		t.Errorf("run on a busy address: %v", err)
	}
}

func TestParseConfig(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux
	t.Setenv("HOME", cache)           // and on macOS
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	cfg, err := parseConfig(nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:3000" || cfg.CORSOrigin != "" || len(cfg.Tokens) != 0 || cfg.SessionKey != nil || cfg.ShutdownTimeout != 10*time.Second || cfg.BodyTimeout != 10*time.Second || cfg.RedisURL != "" {
		t.Errorf("defaults: %+v", cfg)
	}
	if filepath.Base(cfg.DBPath) != "tasks.db" || filepath.Base(filepath.Dir(cfg.DBPath)) != "apiroutes-tasks" || !strings.HasPrefix(cfg.DBPath, cache) {
		t.Errorf("default -db %q, want apiroutes-tasks/tasks.db under %s", cfg.DBPath, cache)
	}
	if fi, err := os.Stat(filepath.Dir(cfg.DBPath)); err != nil || !fi.IsDir() {
		t.Errorf("the default folder was not created: %v", err)
	}

	// The environment fills what the flags leave out.
	env["TASKS_TOKENS"] = "alice=a1, bob=b1,alice=a2"
	env["TASKS_SESSION_KEY"] = strings.Repeat("k", 32)
	env["REDIS_URL"] = "redis://redis.internal:6379/1"
	cfg, err = parseConfig([]string{"-addr", ":0", "-db", "x.db", "-cors-origin", "https://app.example"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantTokens := map[string]string{"a1": "alice", "b1": "bob", "a2": "alice"}
	if fmt.Sprint(cfg.Tokens) != fmt.Sprint(wantTokens) || string(cfg.SessionKey) != env["TASKS_SESSION_KEY"] ||
		cfg.Addr != ":0" || cfg.DBPath != "x.db" || cfg.CORSOrigin != "https://app.example" || cfg.RedisURL != env["REDIS_URL"] {
		t.Errorf("from the environment: %+v", cfg)
	}
	// Flags win over the environment.
	cfg, err = parseConfig([]string{"-tokens", "carol=c1", "-session-key", strings.Repeat("f", 40), "-redis", "redis://localhost:6379/0"}, getenv, io.Discard)
	if err != nil || fmt.Sprint(cfg.Tokens) != "map[c1:carol]" || string(cfg.SessionKey) != strings.Repeat("f", 40) || cfg.RedisURL != "redis://localhost:6379/0" {
		t.Errorf("flags over env: %+v, %v", cfg, err)
	}

	env = map[string]string{}
	for _, bad := range [][]string{
		{"-tokens", "alice"},
		{"-tokens", "=tok"},
		{"-tokens", "alice="},
		{"-tokens", "al ice=tok"},
		{"-tokens", "alice=to k"},
		{"-tokens", "alice=same,bob=same"},
		{"-session-key", "too short"},
		{"-shutdown-timeout", "0s"},
		{"-nope"},
		{"extra"},
	} {
		if _, err := parseConfig(bad, getenv, io.Discard); err == nil {
			t.Errorf("parseConfig(%q) accepted it", bad)
		}
	}
	if _, err := parseConfig([]string{"-h"}, getenv, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestDisplayAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0.0.0.0:3000":   "127.0.0.1:3000",
		"[::]:3000":      "[::1]:3000",
		"127.0.0.1:3000": "127.0.0.1:3000",
		"10.1.2.3:80":    "10.1.2.3:80",
	} {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayAddr(addr); got != want {
			t.Errorf("displayAddr(%s) = %s, want %s", in, got, want)
		}
	}
}
