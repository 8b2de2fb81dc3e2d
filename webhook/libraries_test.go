package webhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/apiroutes/apiroutes/webhook"
)

var schemes = map[string]webhook.Scheme{"github": webhook.GitHub, "stripe": webhook.Stripe, "standardwebhooks": webhook.StandardWebhooks}

// vectorHeader builds the request headers of a vector.
func vectorHeader(scheme, id string, ts int64, header string) http.Header {
	switch scheme {
	case "github":
		return hdr("X-Hub-Signature-256", header, "X-GitHub-Delivery", id)
	case "stripe":
		return hdr("Stripe-Signature", header)
	}
	return hdr("Webhook-Id", id, "Webhook-Timestamp", strconv.FormatInt(ts, 10), "Webhook-Signature", header)
}

// flip changes the byte at i to another one of the same alphabet (hex
// digit, base64 letter, anything), so that the change cannot be a
// different spelling of the same value.
func flip(s string, i int) string {
	b := []byte(s)
	switch c := b[i]; {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'e', c >= 'A' && c <= 'Y':
		b[i]++
	default:
		b[i] ^= 0x01
		if b[i] == c {
			b[i] = '0'
		}
	}
	return string(b)
}

// The deliveries signed by @octokit/webhooks-methods, stripe and
// standardwebhooks (scripts/vectors/webhooks.mjs) verify; each one with a
// byte of its body, signature, id or timestamp changed does not.
func TestTheProvidersOwnLibrariesSignaturesVerify(t *testing.T) {
	t.Parallel()
	for _, v := range webhookVectors {
		t.Run(v.scheme+"/"+v.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				if v.timestamp != 0 {
					time.Sleep(time.Until(time.Unix(v.timestamp, 0))) // the bubble's clock jumps there
				}
				h := webhook.New(webhook.Config{Scheme: schemes[v.scheme], Secrets: v.secrets})(echo)
				if w := post(h, vectorHeader(v.scheme, v.id, v.timestamp, v.header), v.body); w.Code != 200 || w.Body.String() != "handled: "+v.body {
					t.Fatalf("the library's delivery: got %d %q", w.Code, w.Body)
				}
				type change struct {
					what             string
					id, body, header string
					ts               int64
				}
				var changes []change
				if v.body == "" {
					changes = append(changes, change{"a byte added to the body", v.id, "x", v.header, v.timestamp})
				}
				for _, i := range []int{0, len(v.body) / 2, len(v.body) - 1} {
					if i >= 0 && i < len(v.body) {
						changes = append(changes, change{"body byte " + strconv.Itoa(i), v.id, flip(v.body, i), v.header, v.timestamp})
					}
				}
				// A digit of each signature, the first and the last significant
				// one, must count as much as a signature that cannot match: with
				// several (a rotation), the others may still verify.
				prefix, size, zero := "v1=", 64, strings.Repeat("0", 64)
				switch v.scheme {
				case "github":
					prefix = "sha256="
				case "standardwebhooks":
					prefix, size, zero = "v1,", 44, strings.Repeat("A", 43)+"="
				}
				neutral := v.header
				for off := strings.Index(v.header, prefix); off >= 0; {
					start := off + len(prefix)
					last := start + size - 1
					if v.scheme == "standardwebhooks" {
						last-- // the pad
					}
					without := v.header[:start] + zero + v.header[start+size:]
					neutral = neutral[:start] + zero + neutral[start+size:]
					want := post(h, vectorHeader(v.scheme, v.id, v.timestamp, without), v.body).Code
					for _, i := range []int{start, last} {
						if w := post(h, vectorHeader(v.scheme, v.id, v.timestamp, flip(v.header, i)), v.body); w.Code != want {
							t.Errorf("signature digit %d changed: got %d, want %d as without that signature", i, w.Code, want)
						}
					}
					next := strings.Index(v.header[start:], prefix)
					if next < 0 {
						break
					}
					off = start + next
				}
				if w := post(h, vectorHeader(v.scheme, v.id, v.timestamp, neutral), v.body); w.Code != 401 {
					t.Errorf("no signature that can match: got %d, want 401", w.Code)
				}
				switch v.scheme {
				case "standardwebhooks":
					changes = append(changes, change{"id", flip(v.id, len(v.id)-1), v.body, v.header, v.timestamp},
						change{"timestamp", v.id, v.body, v.header, v.timestamp + 1})
				case "stripe":
					changes = append(changes, change{"timestamp", v.id, v.body, strings.Replace(v.header, "t="+strconv.FormatInt(v.timestamp, 10), "t="+strconv.FormatInt(v.timestamp+1, 10), 1), v.timestamp})
				}
				for _, c := range changes {
					if w := post(h, vectorHeader(v.scheme, c.id, c.ts, c.header), c.body); w.Code != 401 {
						t.Errorf("%s changed: got %d %q, want 401", c.what, w.Code, w.Body)
					}
				}
			})
		})
	}
}
