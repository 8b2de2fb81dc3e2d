package webhook_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/hostile"
	"github.com/apiroutes/apiroutes/webhook"
)

const secret = "whsec_test_5ebe2294ecd0e0f08eab7690d2a6ee69"

const event = `{"id":"evt_1","object":"event","type":"invoice.paid"}`

func stripeV1(t int64, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, strconv.FormatInt(t, 10)+"."+body)
	return hex.EncodeToString(m.Sum(nil))
}

// Clients that send Stripe-Signature headers of thousands of v1 entries,
// from 16 connections at once (issue 24): each gets a 401 that names the
// bound, at a cost that does not grow with the entries (the header is
// measured before it is parsed, and at most 16 signatures are compared),
// and genuine deliveries are verified throughout. What the server holds is
// net/http's own copy of each header. Heap figures are process-wide: this
// test must not run in parallel.
func TestStripeSignaturesOfThousandsOfEntriesCostABoundedRefusal(t *testing.T) {
	h := webhook.New(webhook.Config{Scheme: webhook.Stripe, Secrets: []string{secret}, Replay: webhook.NewMemoryReplay(1000)})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	s := hostile.Start(t, h)
	var delivery atomic.Int64
	for _, tc := range []struct {
		name    string
		entries int
		want    string
	}{
		// 8,000 entries of 68 bytes: 544 KB, under net/http's 1 MB of headers.
		{"8000 v1 entries", 8000, "Stripe-Signature header is longer than 4096 bytes"},
		// As many as fit in the 4096 bytes the header may have.
		{"59 v1 entries", 59, "Stripe-Signature header has more than 16 v1 signatures"},
	} {
		now := time.Now().Unix()
		sig := "t=" + strconv.FormatInt(now, 10) + strings.Repeat(",v1="+stripeV1(now, event+" "), tc.entries)
		req := []byte("POST /api/webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(event)) + "\r\nStripe-Signature: " + sig + "\r\n\r\n" + event)
		rep := hostile.Run(t, s, hostile.Attack{
			Name: tc.name + ": 16 connections × 50 requests",
			Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
				hostile.Concurrently(16, func(int) {
					conn := s.Dial(t, 60*time.Second)
					defer conn.Close()
					br := bufio.NewReader(conn)
					for range 50 {
						if ctx.Err() != nil {
							return
						}
						n, err := conn.Write(req)
						sent.Add(int64(n))
						if err != nil {
							t.Errorf("write: %v", err)
							return
						}
						res, err := http.ReadResponse(br, nil)
						if err != nil {
							t.Errorf("read: %v", err)
							return
						}
						body, _ := io.ReadAll(res.Body)
						res.Body.Close()
						if res.StatusCode != 401 || string(body) != `{"error":"`+tc.want+`"}` {
							t.Errorf("got %d %s, want 401 %s", res.StatusCode, body, tc.want)
							return
						}
					}
				})
			},
			Probe: func(s *hostile.Server) *http.Request {
				now := time.Now().Unix()
				body := `{"id":"evt_probe_` + strconv.FormatInt(delivery.Add(1), 10) + `"}`
				r, _ := http.NewRequest("POST", s.URL+"/api/webhooks/stripe", strings.NewReader(body))
				r.Header.Set("Stripe-Signature", "t="+strconv.FormatInt(now, 10)+",v1="+stripeV1(now, body))
				return r
			},
			ProbeStatus: http.StatusNoContent,
		})
		// 16 requests in flight hold 16 headers of 544 KB in net/http's
		// buffers and strings: about 20 MB; nothing is kept.
		hostile.Check(t, rep, 32<<20, 2<<20)
	}
}

// Clients that announce a body at the limit (1mb) behind a well-formed,
// fresh Stripe-Signature, send one byte and wait, from 64 connections: the
// signature cannot be checked before the body is read, and what each one
// makes the server hold is what it sent plus 64 KiB, not the 1 MB it
// announced. Heap figures are process-wide: this test must not run in
// parallel.
func TestAnnouncedBodiesThatNeverComeCostWhatArrived(t *testing.T) {
	const conns = 64
	h := webhook.New(webhook.Config{Scheme: webhook.Stripe, Secrets: []string{secret}})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	s := hostile.Start(t, h)
	now := time.Now().Unix()
	head := "POST /api/webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nStripe-Signature: t=" +
		strconv.FormatInt(now, 10) + ",v1=" + stripeV1(now, event) + "\r\n\r\n{"
	rep := hostile.Run(t, s, hostile.Attack{
		Name: strconv.Itoa(conns) + " connections announcing 1 MB and sending 1 byte",
		Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
			hostile.Concurrently(conns, func(int) {
				conn := s.Dial(t, 10*time.Second)
				defer conn.Close()
				n, _ := io.WriteString(conn, head)
				sent.Add(int64(n))
				select { // the server now waits for the rest, holding what it allocated
				case <-ctx.Done():
				case <-time.After(500 * time.Millisecond):
				}
			})
		},
		Probe: func(s *hostile.Server) *http.Request {
			now := time.Now().Unix()
			r, _ := http.NewRequest("POST", s.URL+"/api/webhooks/stripe", strings.NewReader(event))
			r.Header.Set("Stripe-Signature", "t="+strconv.FormatInt(now, 10)+",v1="+stripeV1(now, event))
			return r
		},
		ProbeStatus: http.StatusNoContent,
	})
	// 64 × 64 KiB = 4 MiB, plus the connections' own buffers (a handler
	// that reads nothing shows 2 MiB of peak growth); trusting the
	// Content-Length would be 64 MiB. Afterwards, net/http and the harness
	// hold about 850 KiB, and the verifier's pool a few buffers until the
	// next collection.
	hostile.Check(t, rep, 8<<20, 2<<20)
}
