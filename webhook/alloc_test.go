package webhook_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/webhook"
)

// rewind is a request body that can be sent again without allocating.
type rewind struct{ bytes.Reader }

func (*rewind) Close() error { return nil }

// nopWriter is a ResponseWriter that allocates nothing.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

// A verified delivery allocates what the handler keeps: the body, its
// reader (a bytes.Reader in io.NopCloser), and r's restoration; the MACs
// and the read are pooled.
func TestAVerifiedDeliveryAllocatesOnlyWhatTheHandlerKeeps(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	body := binary(64 << 10)
	ts := time.Now().Unix()
	for _, tc := range []struct {
		name   string
		config webhook.Config
		header http.Header
	}{
		{"GitHub", webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}}, hdr("X-Hub-Signature-256", signGitHub(ghSecret, string(body)))},
		{"Stripe, two secrets", webhook.Config{Scheme: webhook.Stripe, Secrets: []string{"whsec_old", stripeSecret}}, hdr("Stripe-Signature", signStripe(stripeSecret, ts, string(body)))},
		{"Standard Webhooks", webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{swSecret}}, swHeaders(swSecret, "msg_1", ts, string(body))},
	} {
		h := webhook.New(tc.config)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n, _ := io.Copy(io.Discard, r.Body); n != int64(len(body)) {
				t.Fatalf("the handler read %d bytes", n)
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		rd := &rewind{}
		req := httptest.NewRequest("POST", "/", nil)
		req.Header = tc.header
		w := &nopWriter{h: http.Header{}}
		serve := func() {
			rd.Reset(body)
			req.Body, req.ContentLength = rd, int64(len(body))
			w.status = 0
			h.ServeHTTP(w, req)
		}
		serve()
		if w.status != 204 {
			t.Fatalf("%s: status %d", tc.name, w.status)
		}
		if n := testing.AllocsPerRun(100, serve); n > 4 {
			t.Errorf("%s: %v allocations per verified 64 KiB delivery, want at most 4", tc.name, n)
		}
	}
}
