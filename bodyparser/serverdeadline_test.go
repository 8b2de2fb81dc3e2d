package bodyparser_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// The parser's ReadTimeout (30s by default) never lengthens a shorter
// ReadTimeout of the server: a client that stalls its body is cut off at
// the operator's deadline, not the parser's.
func TestTheServersShorterReadTimeoutIsKept(t *testing.T) {
	t.Parallel()
	var ran atomic.Int32
	srv := httptest.NewUnstartedServer(bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran.Add(1) })))
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n[1,")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	took := time.Since(start)
	if err == nil {
		res.Body.Close()
		t.Logf("status %d", res.StatusCode)
		if res.StatusCode < 400 {
			t.Errorf("got %d", res.StatusCode)
		}
	}
	if took > 2*time.Second {
		t.Errorf("cut off after %v, want the server's 300ms", took)
	}
	if ran.Load() != 0 {
		t.Error("the handler ran")
	}
}
