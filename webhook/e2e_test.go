package webhook_test

// End-to-end tests on real loopback servers: what a sender sees on the
// wire, through compose's standard chain.

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/webhook"
)

func serveE2E(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, srv *httptest.Server, header http.Header, body io.Reader) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/webhooks/stripe", body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A Stripe endpoint as an application writes it: the verifier in
// BeforeBody, the event decoded by the body parser, one handling per event.
// The first delivery fails (the database is down): Stripe's retry, signed
// again at a later time, is handled; the retry after that is acknowledged
// without handling.
func TestAStripeEventIsHandledOnceAcrossRetriesOnTheWire(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	handle := func(w http.ResponseWriter, r *http.Request) error {
		ev, err := bodyparser.Decode[struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}](r)
		if err != nil {
			return err
		}
		if attempts.Add(1) == 1 {
			return apierror.New(http.StatusServiceUnavailable, "database down")
		}
		_, err = io.WriteString(w, "handled "+ev.Type+" "+ev.ID)
		return err
	}
	api := compose.Config{
		Errors: apierror.Config{Logger: quiet},
		BeforeBody: []func(http.Handler) http.Handler{webhook.New(webhook.Config{
			Scheme: webhook.Stripe, Secrets: []string{stripeSecret}, Replay: webhook.NewMemoryReplay(100),
		})},
	}
	srv := serveE2E(t, compose.RouteFunc(handle, api))
	const event = `{"id":"evt_3","object":"event","type":"invoice.paid"}`
	deliver := func() (int, string) {
		return send(t, srv, hdr("Stripe-Signature", signStripe(stripeSecret, time.Now().Unix(), event), "Content-Type", "application/json"), strings.NewReader(event))
	}
	for i, want := range []struct {
		status int
		body   string
	}{
		{503, `{"error":"database down"}`},
		{200, "handled invoice.paid evt_3"},
		{200, ""},
	} {
		if status, body := deliver(); status != want.status || body != want.body {
			t.Errorf("delivery %d: got %d %q, want %d %q", i+1, status, body, want.status, want.body)
		}
	}
	if status, body := send(t, srv, hdr("Stripe-Signature", signStripe("whsec_guess", time.Now().Unix(), event)), strings.NewReader(event)); status != 401 {
		t.Errorf("a forged delivery: got %d %s", status, body)
	}
}

// While the first delivery of an event is being handled, a second one on
// another connection gets 409 at once.
func TestADuplicateOnAnotherConnectionGets409WhileTheFirstIsHandled(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var n atomic.Int32
	h := webhook.New(webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{swSecret}, Replay: webhook.NewMemoryReplay(100)})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				close(entered)
				select {
				case <-release:
				case <-time.After(10 * time.Second):
				}
			}
			w.WriteHeader(http.StatusNoContent)
		}))
	srv := serveE2E(t, h)
	header := swHeaders(swSecret, "msg_7", time.Now().Unix(), `{"type":"ping"}`)
	first := make(chan int, 1)
	go func() {
		status, _ := send(t, srv, header, strings.NewReader(`{"type":"ping"}`))
		first <- status
	}()
	<-entered
	if status, body := send(t, srv, header, strings.NewReader(`{"type":"ping"}`)); status != 409 {
		t.Errorf("the duplicate: got %d %s, want 409", status, body)
	}
	close(release)
	if status := <-first; status != 204 {
		t.Errorf("the first delivery: got %d, want 204", status)
	}
}

// An oversized chunked upload gets its 413 on the wire, and the server
// closes the connection rather than read the rest.
func TestAnOversizedUploadGets413AndTheConnectionIsClosed(t *testing.T) {
	t.Parallel()
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, SizeLimit: "64kb"})(echo)
	srv := serveE2E(t, h)
	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	head := "POST /api/webhooks/github HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Hub-Signature-256: " + ghSignature + "\r\n\r\n"
	go func() { // keep uploading: 8 MiB in 64 KiB chunks, until the server hangs up
		io.WriteString(conn, head)
		chunk := strconv.FormatInt(64<<10, 16) + "\r\n" + strings.Repeat("x", 64<<10) + "\r\n"
		for range 128 {
			if _, err := io.WriteString(conn, chunk); err != nil {
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || string(body) != `{"error":"Body exceeded 64kb limit"}` || !res.Close {
		t.Errorf("got %d %s (close %v), want 413 and the connection closed", res.StatusCode, body, res.Close)
	}
}
