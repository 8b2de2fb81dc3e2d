package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// manualTicker hands the test the ticks.
type manualTicker struct{ c chan time.Time }

func (m *manualTicker) new(time.Duration) (<-chan time.Time, func()) { return m.c, func() {} }

// readEvent reads one event (up to the blank line).
func readEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v (so far %q)", err, b.String())
		}
		if line == "\n" {
			return b.String()
		}
		b.WriteString(line)
	}
}

func TestEventsArriveWhileTheHandlerIsStillRunning(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	tick := &manualTicker{c: make(chan time.Time)}
	srv := httptest.NewServer(newServer(slog.New(slog.NewTextHandler(&logs, nil)), tick.new, time.Hour))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/events?count=3", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(res.Body)
	// Event 1 arrives while the handler waits for a tick that has not come.
	if got := readEvent(t, br); got != "event: tick\nid: 1\ndata: {\"n\":1,\"of\":3}\n" {
		t.Fatalf("event 1: %q", got)
	}
	for i, want := range []string{"id: 2", "id: 3"} {
		tick.c <- time.Now() // the handler is blocked until this send is taken
		if got := readEvent(t, br); !strings.Contains(got, want) {
			t.Fatalf("event %d: %q", i+2, got)
		}
	}
	if got := readEvent(t, br); got != "event: done\ndata: {}\n" {
		t.Fatalf("last event: %q", got)
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after done: %q", rest)
	}
	if strings.Contains(logs.String(), "level=") {
		t.Errorf("unexpected log: %s", logs.String())
	}
}

func TestTheStreamStopsWhenTheClientLeaves(t *testing.T) {
	t.Parallel()
	tick := &manualTicker{c: make(chan time.Time)}
	srv := httptest.NewServer(newServer(slog.New(slog.NewTextHandler(io.Discard, nil)), tick.new, time.Hour))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/events?count=1000", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readEvent(t, bufio.NewReader(res.Body))
	cancel()
	res.Body.Close()
	// The handler returns (its select sees the context); the server then
	// closes cleanly: srv.Close would block on a stuck handler.
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not stop after the client left")
	}
}

func TestBadCountsAreRefusedAndThePageIsServed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServer(slog.New(slog.NewTextHandler(io.Discard, nil)), realTicker, time.Millisecond))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/events?count=0")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || string(body) != `{"error":"count must be a whole number from 1 to 1000"}` {
		t.Errorf("got %d %s", res.StatusCode, body)
	}
	res, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "new EventSource") || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("page: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, err = http.Get(srv.URL + "/api/events?count=2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Count(string(body), "event: tick") != 2 || !strings.HasSuffix(string(body), "event: done\ndata: {}\n\n") {
		t.Errorf("with real ticks: %q", body)
	}
}
