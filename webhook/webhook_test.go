package webhook_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/webhook"
)

// deliveryCase is one delivery and what the middleware must answer. The
// header is built from the server's clock, which testing/synctest holds
// still, so that the tolerance edges are exact.
type deliveryCase struct {
	name   string
	config webhook.Config
	header func(now int64) http.Header
	body   string
	status int
	msg    string // the refusal's message; "" when the handler answers
}

// leaked finds a MAC in hex or base64 in a refusal.
var leaked = regexp.MustCompile(`[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=`)

func runDeliveries(t *testing.T, cases []deliveryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				w := post(webhook.New(tc.config)(echo), tc.header(now()), tc.body)
				if w.Code != tc.status {
					t.Fatalf("got %d %s, want %d", w.Code, w.Body, tc.status)
				}
				if tc.msg == "" {
					if got, want := w.Body.String(), "handled: "+tc.body; got != want {
						t.Fatalf("the handler read %q, want %q", got, want)
					}
					return
				}
				var e struct{ Error string }
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error != tc.msg {
					t.Fatalf("got %s, want {\"error\":%q}", w.Body, tc.msg)
				}
				if m := leaked.FindString(w.Body.String()); m != "" {
					t.Errorf("the refusal shows a MAC: %s", m)
				}
				for _, s := range tc.config.Secrets {
					if strings.Contains(w.Body.String(), s) {
						t.Errorf("the refusal shows a secret")
					}
				}
			})
		})
	}
}

func TestGitHubDeliveriesAreVerified(t *testing.T) {
	t.Parallel()
	one := webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}}
	rotated := webhook.Config{Scheme: webhook.GitHub, Secrets: []string{"the old secret", ghSecret}}
	sig := func(v ...string) func(int64) http.Header {
		return func(int64) http.Header {
			h := http.Header{}
			for _, s := range v {
				h.Add("X-Hub-Signature-256", s)
			}
			return h
		}
	}
	runDeliveries(t, []deliveryCase{
		{"GitHub's published vector", one, sig(ghSignature), ghPayload, 200, ""},
		{"upper-case hex is the same MAC", one, sig("sha256=" + strings.ToUpper(ghSignature[7:])), ghPayload, 200, ""},
		{"a JSON event", one, sig(signGitHub(ghSecret, `{"zen":"Keep it logically awesome."}`)), `{"zen":"Keep it logically awesome."}`, 200, ""},
		{"an empty body", one, sig(signGitHub(ghSecret, "")), "", 200, ""},
		{"the new secret during a rotation", rotated, sig(ghSignature), ghPayload, 200, ""},
		{"the old secret during a rotation", rotated, sig(signGitHub("the old secret", ghPayload)), ghPayload, 200, ""},
		{"one byte of the body changed", one, sig(ghSignature), "Hello, World?", 401, "Invalid signature: X-Hub-Signature-256 does not match the body"},
		{"another secret", one, sig(signGitHub("a guess", ghPayload)), ghPayload, 401, "Invalid signature: X-Hub-Signature-256 does not match the body"},
		{"no header", one, sig(), ghPayload, 401, "Missing X-Hub-Signature-256 header"},
		{"an empty header", one, sig(""), ghPayload, 401, "Missing X-Hub-Signature-256 header"},
		{"two headers", one, sig(ghSignature, ghSignature), ghPayload, 401, "X-Hub-Signature-256 header sent more than once"},
		{"the SHA-1 form", one, sig("sha1=" + strings.Repeat("0", 40)), ghPayload, 401, "Malformed X-Hub-Signature-256 header: want sha256=<64 hex digits>"},
		{"no prefix", one, sig(ghSignature[7:]), ghPayload, 401, "Malformed X-Hub-Signature-256 header: want sha256=<64 hex digits>"},
		{"not hex", one, sig("sha256=" + strings.Repeat("z", 64)), ghPayload, 401, "Malformed X-Hub-Signature-256 header: want sha256=<64 hex digits>"},
		{"truncated", one, sig(ghSignature[:len(ghSignature)-1]), ghPayload, 401, "Malformed X-Hub-Signature-256 header: want sha256=<64 hex digits>"},
		{"a 1 MB header", one, sig("sha256=" + strings.Repeat("0", 1<<20)), ghPayload, 401, "X-Hub-Signature-256 header is longer than 4096 bytes"},
	})
}

func TestStripeDeliveriesAreVerified(t *testing.T) {
	t.Parallel()
	const event = `{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"payment_intent.succeeded","data":{"object":{"amount":2000,"currency":"eur","description":"Café crème ☕"}}}`
	one := webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret}}
	rotated := webhook.Config{Scheme: webhook.Stripe, Secrets: []string{"whsec_old", stripeSecret}}
	minute := webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret}, Tolerance: time.Minute}
	h := func(f func(now int64) string) func(int64) http.Header {
		return func(now int64) http.Header { return hdr("Stripe-Signature", f(now)) }
	}
	at := func(d int64) func(int64) http.Header { // signed d seconds from now
		return h(func(now int64) string { return signStripe(stripeSecret, now+d, event) })
	}
	v1 := func(now int64) string { return stripeV1(stripeSecret, now, event) }
	ts := func(now int64) string { return "t=" + strconv.FormatInt(now, 10) }
	const (
		format  = "Malformed Stripe-Signature header: no v1 signature is 64 hex digits"
		noMatch = "Invalid signature: no v1 signature of Stripe-Signature matches the body"
	)
	runDeliveries(t, []deliveryCase{
		{"a delivery", one, at(0), event, 200, ""},
		{"the new secret during a rotation", rotated, at(0), event, 200, ""},
		{"the old secret during a rotation", rotated, h(func(n int64) string { return signStripe("whsec_old", n, event) }), event, 200, ""},
		{"several v1 signatures, the matching one last", one, h(func(n int64) string {
			return ts(n) + ",v1=" + stripeV1("whsec_other", n, event) + ",v1=" + v1(n)
		}), event, 200, ""},
		{"v0 and unknown keys are ignored", one, h(func(n int64) string {
			return ts(n) + ",v0=" + strings.Repeat("0", 64) + ",v1=" + v1(n) + ",secret=wh***,x"
		}), event, 200, ""},
		{"blanks around the items", one, h(func(n int64) string { return ts(n) + ", v1=" + v1(n) + " " }), event, 200, ""},
		{"the secret is used whole, whsec_ included", one, h(func(n int64) string {
			return signStripe(strings.TrimPrefix(stripeSecret, "whsec_"), n, event)
		}), event, 401, noMatch},
		{"one byte of the body changed", one, at(0), strings.Replace(event, "2000", "2001", 1), 401, noMatch},
		{"another timestamp than the signed one", one, h(func(n int64) string { return "t=" + strconv.FormatInt(n-1, 10) + ",v1=" + v1(n) }), event, 401, noMatch},
		{"exactly 5 minutes old", one, at(-300), event, 200, ""},
		{"a second more than 5 minutes old", one, at(-301), event, 401, "Stripe-Signature timestamp is more than 5m0s old"},
		{"exactly 5 minutes ahead", one, at(300), event, 200, ""},
		{"a second more than 5 minutes ahead", one, at(301), event, 401, "Stripe-Signature timestamp is more than 5m0s in the future; check the sender's clock"},
		{"far in the future", one, h(func(int64) string { return signStripe(stripeSecret, 999999999999999999, event) }), event, 401, "Stripe-Signature timestamp is more than 5m0s in the future; check the sender's clock"},
		{"t=0", one, h(func(int64) string { return signStripe(stripeSecret, 0, event) }), event, 401, "Stripe-Signature timestamp is more than 5m0s old"},
		{"a tolerance of a minute: at the edge", minute, at(-60), event, 200, ""},
		{"a tolerance of a minute: past it", minute, at(-61), event, 401, "Stripe-Signature timestamp is more than 1m0s old"},
		{"no header", one, func(int64) http.Header { return http.Header{} }, event, 401, "Missing Stripe-Signature header"},
		{"two headers", one, func(n int64) http.Header {
			return hdr("Stripe-Signature", signStripe(stripeSecret, n, event), "Stripe-Signature", signStripe(stripeSecret, n, event))
		}, event, 401, "Stripe-Signature header sent more than once"},
		{"no timestamp", one, h(func(n int64) string { return "v1=" + v1(n) }), event, 401, "Malformed Stripe-Signature header: no t=<unix time>"},
		{"two timestamps", one, h(func(n int64) string { return ts(n) + "," + ts(n) + ",v1=" + v1(n) }), event, 401, "Malformed Stripe-Signature header: t= appears more than once"},
		{"a timestamp that is not a number", one, h(func(n int64) string { return "t=12a,v1=" + v1(n) }), event, 401, "Malformed Stripe-Signature header: t is not a unix time in seconds"},
		{"a negative timestamp", one, h(func(n int64) string { return "t=-1,v1=" + v1(n) }), event, 401, "Malformed Stripe-Signature header: t is not a unix time in seconds"},
		{"a 19-digit timestamp", one, h(func(n int64) string { return "t=1000000000000000000,v1=" + v1(n) }), event, 401, "Malformed Stripe-Signature header: t is not a unix time in seconds"},
		{"no v1", one, h(func(n int64) string { return ts(n) + ",v0=" + v1(n) }), event, 401, "Stripe-Signature header has no v1 signature"},
		{"a malformed v1 beside a matching one, as stripe-node skips it", one, h(func(n int64) string { return ts(n) + ",v1=zz,v1=" + v1(n) }), event, 200, ""},
		{"a short v1", one, h(func(n int64) string { return ts(n) + ",v1=" + v1(n)[:62] }), event, 401, format},
		{"a v1 that is not hex", one, h(func(n int64) string { return ts(n) + ",v1=" + strings.Repeat("g", 64) }), event, 401, format},
		{"17 v1 signatures", one, h(func(n int64) string { return ts(n) + strings.Repeat(",v1="+v1(n), 17) }), event, 401, "Stripe-Signature header has more than 16 v1 signatures"},
		{"5000 v1 signatures", one, h(func(n int64) string { return ts(n) + strings.Repeat(",v1="+v1(n), 5000) }), event, 401, "Stripe-Signature header is longer than 4096 bytes"},
	})
}

func TestStandardWebhooksDeliveriesAreVerified(t *testing.T) {
	t.Parallel()
	const (
		id    = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
		event = `{"type":"user.created","data":{"name":"Zoë"}}`
	)
	one := webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{swSecret}}
	raw := webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{strings.TrimPrefix(swSecret, "whsec_")}}
	const otherSecret = "whsec_c2VjcmV0IG51bWJlciB0d28="
	rotated := webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{otherSecret, swSecret}}
	at := func(d int64) func(int64) http.Header {
		return func(now int64) http.Header { return swHeaders(swSecret, id, now+d, event) }
	}
	with := func(key, value string) func(int64) http.Header { // a valid delivery with one header replaced
		return func(now int64) http.Header {
			h := swHeaders(swSecret, id, now, event)
			if value == "" {
				h.Del(key)
			} else {
				h.Set(key, value)
			}
			return h
		}
	}
	sigs := func(f func(now int64) string) func(int64) http.Header {
		return func(now int64) http.Header {
			h := swHeaders(swSecret, id, now, event)
			h.Set("Webhook-Signature", f(now))
			return h
		}
	}
	good := func(n int64) string { return swV1(swSecret, id, n, event) }
	const noMatch = "Invalid signature: no v1 signature of webhook-signature matches the body"
	runDeliveries(t, []deliveryCase{
		{"a delivery", one, at(0), event, 200, ""},
		{"a secret without its whsec_ prefix", raw, at(0), event, 200, ""},
		{"the new secret during a rotation", rotated, at(0), event, 200, ""},
		{"the old secret during a rotation", rotated, func(n int64) http.Header { return swHeaders(otherSecret, id, n, event) }, event, 200, ""},
		{"several signatures, v1a skipped, the matching one last", one, sigs(func(n int64) string {
			return "v1a,c29tZSBlZDI1NTE5IHNpZ25hdHVyZQ== " + swV1(otherSecret, id, n, event) + " " + good(n)
		}), event, 200, ""},
		{"an empty body", one, func(n int64) http.Header { return swHeaders(swSecret, id, n, "") }, "", 200, ""},
		{"a timestamp with leading zeros is signed as its number", one, func(n int64) http.Header {
			h := swHeaders(swSecret, id, n, event)
			h.Set("Webhook-Timestamp", "00"+strconv.FormatInt(n, 10))
			return h
		}, event, 200, ""},
		{"one byte of the body changed", one, at(0), strings.Replace(event, "Zoë", "Zoe", 1), 401, noMatch},
		{"another id than the signed one", one, with("Webhook-Id", id+"x"), event, 401, noMatch},
		{"another timestamp than the signed one", one, func(n int64) http.Header {
			h := swHeaders(swSecret, id, n, event)
			h.Set("Webhook-Timestamp", strconv.FormatInt(n+1, 10))
			return h
		}, event, 401, noMatch},
		{"exactly 5 minutes old", one, at(-300), event, 200, ""},
		{"a second more than 5 minutes old", one, at(-301), event, 401, "webhook-timestamp is more than 5m0s old"},
		{"exactly 5 minutes ahead", one, at(300), event, 200, ""},
		{"a second more than 5 minutes ahead", one, at(301), event, 401, "webhook-timestamp is more than 5m0s in the future; check the sender's clock"},
		{"no webhook-id", one, with("Webhook-Id", ""), event, 401, "Missing webhook-id header"},
		{"no webhook-timestamp", one, with("Webhook-Timestamp", ""), event, 401, "Missing webhook-timestamp header"},
		{"no webhook-signature", one, with("Webhook-Signature", ""), event, 401, "Missing webhook-signature header"},
		{"a 257-byte webhook-id", one, with("Webhook-Id", strings.Repeat("m", 257)), event, 401, "webhook-id header is longer than 256 bytes"},
		{"a webhook-timestamp in milliseconds as a decimal", one, with("Webhook-Timestamp", "1700000000.5"), event, 401, "Malformed webhook-timestamp header: want a unix time in seconds"},
		{"an ISO webhook-timestamp", one, with("Webhook-Timestamp", "2025-01-01T00:00:00Z"), event, 401, "Malformed webhook-timestamp header: want a unix time in seconds"},
		{"a malformed v1 beside a matching one, as the libraries skip it", one, sigs(func(n int64) string { return "v1,!!! " + good(n) }), event, 200, ""},
		{"v1 that is not base64", one, sigs(func(int64) string { return "v1," + strings.Repeat("*", 44) }), event, 401, "Malformed webhook-signature header: no v1 signature is 32 bytes in base64"},
		{"v1 without padding", one, sigs(func(n int64) string { return strings.TrimSuffix(good(n), "=") }), event, 401, "Malformed webhook-signature header: no v1 signature is 32 bytes in base64"},
		{"comma-separated instead of space-separated", one, sigs(func(n int64) string { return good(n) + "," + good(n) }), event, 401, "Malformed webhook-signature header: no v1 signature is 32 bytes in base64"},
		{"no v1", one, sigs(func(n int64) string { return "v2," + good(n)[3:] }), event, 401, "webhook-signature header has no v1 signature"},
		{"17 signatures", one, sigs(func(n int64) string { return strings.TrimSpace(strings.Repeat(good(n)+" ", 17)) }), event, 401, "webhook-signature header has more than 16 v1 signatures"},
		{"a 1 MB webhook-signature", one, sigs(func(n int64) string { return strings.Repeat("v1,x ", 200000) }), event, 401, "webhook-signature header is longer than 4096 bytes"},
	})
}

func TestCompressedBodiesAreRefusedBeforeTheyAreRead(t *testing.T) {
	t.Parallel()
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}})(echo)
	for _, tc := range []struct {
		encoding string
		status   int
	}{
		{"gzip", 415}, {"identity, gzip", 415}, {"br", 415}, {"identity", 200}, {" Identity ", 200},
	} {
		w := post(h, hdr("X-Hub-Signature-256", ghSignature, "Content-Encoding", tc.encoding), ghPayload)
		if w.Code != tc.status {
			t.Errorf("Content-Encoding %q: got %d %s, want %d", tc.encoding, w.Code, w.Body, tc.status)
		}
		if tc.status == 415 && (w.Header().Get("Accept-Encoding") != "identity" ||
			w.Body.String() != `{"error":"Unsupported Content-Encoding: webhook signatures are checked over the body as sent; send it uncompressed"}`) {
			t.Errorf("Content-Encoding %q: got Accept-Encoding %q, %s", tc.encoding, w.Header().Get("Accept-Encoding"), w.Body)
		}
	}
}

func TestRefusalsAreRenderedInTheChainsFormat(t *testing.T) {
	t.Parallel()
	own := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Errors: apierror.Config{Renderer: apierror.RenderProblem}})(echo)
	inherited := apierror.Config{Renderer: apierror.RenderText}.Recover(webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}})(echo))
	for _, tc := range []struct {
		name        string
		h           http.Handler
		contentType string
		body        string
	}{
		{"its own Errors", own, "application/problem+json", `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"Missing X-Hub-Signature-256 header"}`},
		{"an enclosing apierror layer's", inherited, "", "Missing X-Hub-Signature-256 header"},
	} {
		w := post(tc.h, nil, ghPayload)
		if w.Code != 401 || w.Header().Get("Content-Type") != tc.contentType || w.Body.String() != tc.body {
			t.Errorf("%s: got %d %q %s, want 401 %q %s", tc.name, w.Code, w.Header().Get("Content-Type"), w.Body, tc.contentType, tc.body)
		}
	}
}
