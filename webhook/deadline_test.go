package webhook

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A body that stops short of its Content-Length is answered 408 at the
// read deadline, and the handler does not run; a body that arrives in time
// leaves no deadline behind for the next request on the connection.
func TestTheBodyMustArriveBeforeTheReadDeadline(t *testing.T) {
	v, err := Config{Scheme: GitHub, Secrets: []string{"s3cret"}}.compile()
	if err != nil {
		t.Fatal(err)
	}
	v.timeout = 300 * time.Millisecond
	var ran atomic.Int32
	srv := httptest.NewServer(&handler{verifier: v, next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran.Add(1)
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})})
	defer srv.Close()

	body := `{"zen":"Keep it logically awesome."}`
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write([]byte(body))
	head := "POST / HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=" + hex.EncodeToString(m.Sum(nil)) +
		"\r\nContent-Type: application/json\r\nContent-Length: "

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)

	// In time, then a pause past the deadline, then a second request on the
	// same connection: both served.
	for i := range 2 {
		if _, err := io.WriteString(conn, head+strconv.Itoa(len(body))+"\r\n\r\n"+body); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("request %d: status %d", i, res.StatusCode)
		}
		time.Sleep(2 * v.timeout)
	}

	// Announced, half sent, then nothing.
	start := time.Now()
	if _, err := io.WriteString(conn, head+strconv.Itoa(len(body))+"\r\n\r\n"+body[:10]); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "Body not received within 300ms") || !res.Close {
		t.Errorf("stalled body: %d %q, Connection: close %v", res.StatusCode, b, res.Close)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("408 after %v", took)
	}
	if n := ran.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2", n)
	}
}

// The verifier never gives a body more time than the server's own
// ReadTimeout: a shorter one stays in force.
func TestTheServersShorterReadTimeoutIsKept(t *testing.T) {
	v, err := Config{Scheme: GitHub, Secrets: []string{"s3cret"}}.compile()
	if err != nil {
		t.Fatal(err)
	}
	var ran atomic.Int32
	srv := httptest.NewUnstartedServer(&handler{verifier: v, next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran.Add(1) })})
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256="+strings.Repeat("0", 64)+"\r\nContent-Length: 10\r\n\r\n12345")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if took := time.Since(start); res.StatusCode != http.StatusRequestTimeout || took > 2*time.Second {
		t.Errorf("got %d %q after %v, want 408 at the server's 300ms", res.StatusCode, b, took)
	}
	if !strings.Contains(string(b), "the server's ReadTimeout") {
		t.Errorf("408 says %q", b)
	}
	if ran.Load() != 0 {
		t.Error("the handler ran")
	}
}
