package main

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// GitHub's published test vector
// (docs.github.com, "Validating webhook deliveries").
const (
	vectorSecret    = "It's a Secret to Everybody"
	vectorPayload   = "Hello, World!"
	vectorSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
)

func sign(secret, payload string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(payload))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// deliver posts a GitHub delivery to srv and returns the status and body.
func deliver(t *testing.T, srv *httptest.Server, path, delivery, contentType, signature string, body io.Reader) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-GitHub-Event", "ping")
	req.Header.Set("X-GitHub-Delivery", delivery)
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestGitHubSignaturesAreVerified(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServer(vectorSecret, slog.New(slog.DiscardHandler)))
	defer srv.Close()

	event := `{"action":"opened","repository":{"full_name":"octo/hello"}}`
	const (
		mismatch  = `{"error":"Invalid signature: X-Hub-Signature-256 does not match the body"}`
		malformed = `{"error":"Malformed X-Hub-Signature-256 header: want sha256=<64 hex digits>"}`
	)
	cases := []struct {
		name, payload, contentType, signature string
		status                                int
		body                                  string
	}{
		{"the published vector", vectorPayload, "text/plain", vectorSignature, 200, `"bytes":13`},
		{"a JSON event is decoded after verification", event, "application/json", sign(vectorSecret, event), 200, `"action":"opened","repository":"octo/hello"`},
		{"one flipped byte", "Hello, World?", "text/plain", vectorSignature, 401, mismatch},
		{"no signature", vectorPayload, "text/plain", "", 401, `{"error":"Missing X-Hub-Signature-256 header"}`},
		{"sha1 header form", vectorPayload, "text/plain", "sha1=" + strings.Repeat("0", 40), 401, malformed},
		{"not hex", vectorPayload, "text/plain", "sha256=" + strings.Repeat("z", 64), 401, malformed},
		{"truncated", vectorPayload, "text/plain", vectorSignature[:len(vectorSignature)-2], 401, malformed},
		{"another secret", vectorPayload, "text/plain", sign("guess", vectorPayload), 401, mismatch},
	}
	for _, path := range []string{"/api/webhooks/github", "/api/webhooks/github-raw"} {
		for _, tc := range cases {
			status, body := deliver(t, srv, path, path+" "+tc.name, tc.contentType, tc.signature, strings.NewReader(tc.payload))
			want := tc.body
			if path == "/api/webhooks/github-raw" && strings.Contains(want, `"action"`) {
				want = `"ok":true` // the raw variant does not decode the event
			}
			if status != tc.status || !strings.Contains(body, want) {
				t.Errorf("%s %s: got %d %s, want %d containing %s", path, tc.name, status, body, tc.status, want)
			}
		}
	}
}

// GitHub redelivers an event with the same X-GitHub-Delivery: once one
// delivery was handled, the others are acknowledged without handling it
// again; a delivery whose handling failed (here a body that is not JSON)
// is handled when it comes again fixed.
func TestEachEventIsHandledOnce(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServer(vectorSecret, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	const path = "/api/webhooks/github"
	bad, good := `{"action":`, `{"action":"closed"}`
	steps := []struct {
		name, payload string
		status        int
		body          string
	}{
		{"a delivery the handler fails on", bad, 400, `"error"`},
		{"its redelivery", good, 200, `"action":"closed"`},
		{"a redelivery after it was handled", good, 200, ""},
	}
	for _, s := range steps {
		status, body := deliver(t, srv, path, "d-1", "application/json", sign(vectorSecret, s.payload), strings.NewReader(s.payload))
		if status != s.status || !strings.Contains(body, s.body) || s.body == "" && body != "" {
			t.Errorf("%s: got %d %q, want %d with %q", s.name, status, body, s.status, s.body)
		}
	}
	if status, body := deliver(t, srv, path, "", "application/json", sign(vectorSecret, good), strings.NewReader(good)); status != 400 {
		t.Errorf("no X-GitHub-Delivery: got %d %s, want 400", status, body)
	}
}

// 216 bytes of "gzip, gzip" inflated to 26 MB before the signature check
// could refuse them; compressed bodies are now refused as they come.
func TestACompressedBodyIsRefusedBeforeItIsInflated(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServer(vectorSecret, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	var once, twice bytes.Buffer
	zw := gzip.NewWriter(&once)
	zw.Write(bytes.Repeat([]byte("0"), 20<<20))
	zw.Close()
	zw = gzip.NewWriter(&twice)
	zw.Write(once.Bytes())
	zw.Close()
	for _, path := range []string{"/api/webhooks/github", "/api/webhooks/github-raw"} {
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(twice.Bytes()))
		req.Header.Set("Content-Encoding", "gzip, gzip")
		req.Header.Set("X-GitHub-Delivery", "d-gzip")
		req.Header.Set("X-Hub-Signature-256", sign(vectorSecret, twice.String()))
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType || res.Header.Get("Accept-Encoding") != "identity" {
			t.Errorf("%s: got %d %s (Accept-Encoding %q), want 415 with Accept-Encoding: identity", path, res.StatusCode, body, res.Header.Get("Accept-Encoding"))
		}
	}
}

func TestAnOversizedBodyIs413OnBothRoutes(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServer(vectorSecret, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	for _, path := range []string{"/api/webhooks/github", "/api/webhooks/github-raw"} {
		big := strings.NewReader(strings.Repeat("x", 25<<20+1))
		status, body := deliver(t, srv, path, "d-big", "text/plain", vectorSignature, struct{ io.Reader }{big}) // chunked
		if status != 413 || body != `{"error":"Body exceeded 25mb limit"}` {
			t.Errorf("%s: got %d %s", path, status, body)
		}
	}
}
