package webhook_test

// Signing by hand, as each provider documents it, to test the middleware
// with deliveries it did not produce itself; the npm libraries' own
// signatures are in vectors_test.go.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

const (
	// GitHub's published vector (docs.github.com, "Validating webhook
	// deliveries").
	ghSecret    = "It's a Secret to Everybody"
	ghPayload   = "Hello, World!"
	ghSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	stripeSecret = "whsec_test_5ebe2294ecd0e0f08eab7690d2a6ee69"
	// Svix's documented example secret.
	swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		io.WriteString(m, p)
	}
	return m.Sum(nil)
}

func signGitHub(secret, body string) string {
	return "sha256=" + hex.EncodeToString(mac([]byte(secret), body))
}

// stripeV1 is the v1 signature of body at t with secret, used whole.
func stripeV1(secret string, t int64, body string) string {
	return hex.EncodeToString(mac([]byte(secret), strconv.FormatInt(t, 10), ".", body))
}

func signStripe(secret string, t int64, body string) string {
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + stripeV1(secret, t, body)
}

// swKey decodes a whsec_ secret.
func swKey(secret string) []byte {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		panic(err)
	}
	return k
}

// swV1 is the "v1,<base64>" signature of a Standard Webhooks delivery.
func swV1(secret, id string, t int64, body string) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(swKey(secret), id, ".", strconv.FormatInt(t, 10), ".", body))
}

// swHeaders returns the three headers of a Standard Webhooks delivery.
func swHeaders(secret, id string, t int64, body string) http.Header {
	return http.Header{
		"Webhook-Id":        {id},
		"Webhook-Timestamp": {strconv.FormatInt(t, 10)},
		"Webhook-Signature": {swV1(secret, id, t, body)},
	}
}

// echo answers 200 with the body it read from r.Body.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	_, _ = io.WriteString(w, "handled: "+string(b))
})

// post sends a POST with the headers and body through h, in process.
func post(h http.Handler, header http.Header, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/api/webhooks", strings.NewReader(body))
	for k, vs := range header {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// now is the server's clock in seconds. In a testing/synctest bubble it
// stands still until the test sleeps.
func now() int64 { return time.Now().Unix() }

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}
