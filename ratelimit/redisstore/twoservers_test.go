package redisstore_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore/redistest"
)

// childEnv names the Redis a re-executed test binary serves with; see
// TestHelperServer.
const childEnv = "REDISSTORE_TEST_CHILD_REDIS"

// twoServersLimit is the limit both server processes enforce: a burst of
// 10, then one request an hour, so that the test's seconds add nothing.
var twoServersLimit = ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 10}

// TestTwoServerProcessesShareOneLimit runs two server processes (this test
// binary, re-executed as TestHelperServer), each with the ratelimit
// middleware and a Store on the same Redis, and sends
// requests alternately to both: together they allow the burst once, not
// once each.
func TestTwoServerProcessesShareOneLimit(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a, b := startChild(t, srv.Addr()), startChild(t, srv.Addr())
	if a == b {
		t.Fatalf("both children listen on %s", a)
	}

	const requests = 40
	allowed := map[string]int{}
	refused := 0
	for i := range requests {
		base := a
		if i%2 == 1 {
			base = b
		}
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			allowed[base]++
		case http.StatusTooManyRequests:
			refused++
			if resp.Header.Get("Retry-After") == "" || resp.Header.Get("RateLimit") == "" {
				t.Errorf("request %d to %s: 429 without Retry-After or RateLimit: %v", i+1, base, resp.Header)
			}
		default:
			t.Fatalf("request %d to %s: status %d", i+1, base, resp.StatusCode)
		}
	}
	total := allowed[a] + allowed[b]
	t.Logf("%d requests alternately to two processes: %d allowed by %s, %d by %s, %d refused",
		requests, allowed[a], a, allowed[b], b, refused)
	if total != twoServersLimit.Burst {
		t.Errorf("the two processes allowed %d requests together, want one burst of %d (not %d)",
			total, twoServersLimit.Burst, 2*twoServersLimit.Burst)
	}
	if allowed[a] == 0 || allowed[b] == 0 {
		t.Errorf("one process allowed nothing: %v", allowed)
	}
}

// startChild runs this test binary as an HTTP server limited through the
// Redis at redisAddr, and returns its base URL. The child stops when the
// test ends.
func startChild(t *testing.T, redisAddr string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperServer$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+redisAddr)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	deadline := time.AfterFunc(30*time.Second, cancel)
	defer deadline.Stop()
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			go func() { // keep reading, so that the child never blocks on stdout
				for lines.Scan() {
				}
			}()
			return "http://" + addr
		}
	}
	t.Fatalf("the child server did not say where it listens: %v", lines.Err())
	return ""
}

// TestHelperServer is not a test: it is the server process that
// TestTwoServerProcessesShareOneLimit starts, twice. It serves until it is
// killed.
func TestHelperServer(t *testing.T) {
	redisAddr := os.Getenv(childEnv)
	if redisAddr == "" {
		t.Skip("a helper process for TestTwoServerProcessesShareOneLimit")
	}
	store := redisstore.New(newClient(t, redisAddr), redisstore.Options{})
	handler := childHandler(store)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	t.Fatal(http.Serve(l, handler))
}

// childHandler is the server both processes run: the ratelimit
// middleware with twoServersLimit per client address, through the Redis
// store.
func childHandler(store ratelimit.Store) http.Handler {
	limit := ratelimit.New(ratelimit.Config{Limit: twoServersLimit, Store: store, Name: "twoservers"})
	return limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))
}
