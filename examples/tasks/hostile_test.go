package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/hostile"
)

// Attacks on the session layer, over the wire (issue 12, item 7). Heap
// figures are process-wide: these tests must not run in parallel.

// hostileApp serves the app on loopback, logging nowhere (one line per
// request would be most of what the attack costs).
func hostileApp(t *testing.T) (*app, *hostile.Server) {
	cfg := testConfig(t)
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := newApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, hostile.Start(t, a.Handler())
}

// flood sends req on conns connections at once, perConn times each, and
// returns the count of each status (0: a broken connection).
func flood(t *testing.T, s *hostile.Server, req []byte, conns, perConn int, sent *atomic.Int64) map[int]int {
	var mu sync.Mutex
	counts := map[int]int{}
	hostile.Concurrently(conns, func(int) {
		conn := s.Dial(t, 60*time.Second)
		br := bufio.NewReader(conn)
		for range perConn {
			n, err := conn.Write(req)
			sent.Add(int64(n))
			status := 0
			if err == nil {
				if res, err := http.ReadResponse(br, nil); err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					status = res.StatusCode
				}
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
			if status == 0 {
				return
			}
		}
	})
	return counts
}

func bearerProbe(s *hostile.Server) *http.Request {
	r, _ := http.NewRequest("GET", s.URL+"/api/tasks", nil)
	r.Header.Set("Authorization", "Bearer "+aliceToken)
	return r
}

// A revoked session's cookie (validly signed: every request reaches the
// database) and forged ones, in 16 KiB Cookie headers, from 16 connections
// at once: every request is a 401, the server keeps nothing, and a user with
// a bearer token is served throughout.
func TestRevokedAndForgedSessionCookiesUnderLoad(t *testing.T) {
	_, s := hostileApp(t)
	// The session to revoke: opened and closed through the API.
	client := s.Client()
	req, _ := http.NewRequest("POST", s.URL+"/api/session", nil)
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/session: %v %v", res, err)
	}
	res.Body.Close()
	cookie, _, _ := strings.Cut(res.Header.Get("Set-Cookie"), ";")
	req, _ = http.NewRequest("DELETE", s.URL+"/api/session", nil)
	req.Header.Set("Cookie", cookie)
	if res, err = client.Do(req); err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE /api/session: %v %v", res, err)
	}
	res.Body.Close()
	pad := "pad=" + strings.Repeat("x", 16<<10-len(cookie)-16) + "; "
	for _, attack := range []struct{ name, cookie string }{
		{"revoked session cookie", pad + cookie},
		{"forged session cookie", pad + sessionCookie + "=alice%7C9999999999%7Cx.AAAA"},
	} {
		req := []byte("GET /api/tasks HTTP/1.1\r\nHost: x\r\nCookie: " + attack.cookie + "\r\n\r\n")
		var counts map[int]int
		rep := hostile.Run(t, s, hostile.Attack{
			Name: "16 conns × 100 requests with a " + attack.name + " in 16 KiB",
			Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
				counts = flood(t, s, req, 16, 100, sent)
			},
			Probe:       bearerProbe,
			ProbeStatus: http.StatusOK,
		})
		if counts[http.StatusUnauthorized] != 1600 {
			t.Errorf("%s: statuses %v, want 1600 × 401", rep.Name, counts)
		}
		hostile.Check(t, rep, 16<<20, 1<<20)
	}
}

// An authenticated client that opens sessions in a loop, from 8
// connections at once, leaves at most maxSessionsPerUser records and no
// heap behind.
func TestSessionFloodLeavesABoundedTable(t *testing.T) {
	a, s := hostileApp(t)
	req := []byte("POST /api/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + aliceToken + "\r\nContent-Length: 0\r\n\r\n")
	var counts map[int]int
	rep := hostile.Run(t, s, hostile.Attack{
		Name: "8 conns × 50 POST /api/session",
		Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			counts = flood(t, s, req, 8, 50, sent)
		},
		Probe:       bearerProbe,
		ProbeStatus: http.StatusOK,
	})
	if counts[http.StatusOK] != 400 {
		t.Errorf("statuses %v, want 400 × 200", counts)
	}
	hostile.Check(t, rep, 16<<20, 1<<20)
	var n int
	if err := a.store.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil || n > maxSessionsPerUser {
		t.Errorf("%d sessions in the table (%v), want at most %d", n, err, maxSessionsPerUser)
	}
	t.Logf("sessions table after the flood: %d rows", n)
}
