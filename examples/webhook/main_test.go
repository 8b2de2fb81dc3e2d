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

func TestGitHubSignaturesAreVerified(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	srv := httptest.NewServer(newServer(vectorSecret, slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()

	event := `{"action":"opened","repository":{"full_name":"octo/hello"}}`
	cases := []struct {
		name, payload, contentType, signature string
		status                                int
		body                                  string
	}{
		{"the published vector", vectorPayload, "text/plain", vectorSignature, 200, `"bytes":13`},
		{"a JSON event is decoded after verification", event, "application/json", sign(vectorSecret, event), 200, `"action":"opened","repository":"octo/hello"`},
		{"one flipped byte", "Hello, World?", "text/plain", vectorSignature, 401, `{"error":"invalid or missing X-Hub-Signature-256"}`},
		{"no signature", vectorPayload, "text/plain", "", 401, `{"error":"invalid or missing X-Hub-Signature-256"}`},
		{"sha1 header form", vectorPayload, "text/plain", "sha1=" + strings.Repeat("0", 40), 401, `invalid or missing`},
		{"not hex", vectorPayload, "text/plain", "sha256=" + strings.Repeat("z", 64), 401, `invalid or missing`},
		{"truncated", vectorPayload, "text/plain", vectorSignature[:len(vectorSignature)-2], 401, `invalid or missing`},
		{"another secret", vectorPayload, "text/plain", sign("guess", vectorPayload), 401, `invalid or missing`},
	}
	for _, path := range []string{"/api/webhooks/github", "/api/webhooks/github-raw"} {
		for _, tc := range cases {
			req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(tc.payload))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("X-GitHub-Event", "ping")
			if tc.signature != "" {
				req.Header.Set("X-Hub-Signature-256", tc.signature)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			want := tc.body
			if path == "/api/webhooks/github-raw" && strings.Contains(want, `"action"`) {
				want = `"ok":true` // the raw variant does not decode the event
			}
			if res.StatusCode != tc.status || !strings.Contains(string(body), want) {
				t.Errorf("%s %s: got %d %s, want %d containing %s", path, tc.name, res.StatusCode, body, tc.status, want)
			}
		}
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
	req, _ := http.NewRequest("POST", srv.URL+"/api/webhooks/github", bytes.NewReader(twice.Bytes()))
	req.Header.Set("Content-Encoding", "gzip, gzip")
	req.Header.Set("X-Hub-Signature-256", sign(vectorSecret, twice.String()))
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType || res.Header.Get("Accept-Encoding") != "identity" {
		t.Errorf("got %d %s (Accept-Encoding %q), want 415 with Accept-Encoding: identity", res.StatusCode, body, res.Header.Get("Accept-Encoding"))
	}
}

func TestTheRawVariantEnforcesItsLimitWhileStreaming(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServer(vectorSecret, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	big := strings.NewReader(strings.Repeat("x", 25<<20+1))
	req, _ := http.NewRequest("POST", srv.URL+"/api/webhooks/github-raw", struct{ io.Reader }{big}) // chunked
	req.Header.Set("X-Hub-Signature-256", vectorSignature)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 || string(body) != `{"error":"Body exceeded 25mb limit"}` {
		t.Errorf("got %d %s", res.StatusCode, body)
	}
}
