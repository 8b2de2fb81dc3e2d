package webhook

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
)

// The header parsers take any bytes a client sends: they must never panic,
// never keep more than maxSignatures, and every signature they return must
// be one the header spells out. Through the middleware, a fuzzed header is
// a 401 with one of the documented messages, never anything else.

var fuzzSecrets = map[Scheme][]string{
	GitHub:           {"It's a Secret to Everybody"},
	Stripe:           {"whsec_test"},
	StandardWebhooks: {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
}

// refusal sends the header through the middleware and fails unless the
// answer is a documented 401.
func refusal(t *testing.T, scheme Scheme, key, value string, known ...string) {
	t.Helper()
	h := New(Config{Scheme: scheme, Secrets: fuzzSecrets[scheme]})(http.NotFoundHandler())
	r := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
	if scheme == StandardWebhooks && key != "Webhook-Id" {
		r.Header.Set("Webhook-Id", "msg_1")
		r.Header.Set("Webhook-Timestamp", "946684800")
	}
	r.Header[key] = []string{value}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var e struct{ Error string }
	if w.Code != 401 || json.Unmarshal(w.Body.Bytes(), &e) != nil {
		t.Fatalf("%s: %q: got %d %s, want a 401", key, value, w.Code, w.Body)
	}
	for _, k := range known {
		if e.Error == k {
			return
		}
	}
	t.Fatalf("%s: %q: an unknown message %q", key, value, e.Error)
}

// messages lists the refusals' texts: of headerErrors, *apierror.Errors
// and strings.
func messages(es ...any) []string {
	var out []string
	for _, e := range es {
		switch e := e.(type) {
		case headerErrors:
			out = append(out, e.missing.Message, e.repeated.Message, e.tooLong.Message)
		case *apierror.Error:
			out = append(out, e.Message)
		case string:
			out = append(out, e)
		}
	}
	return out
}

func FuzzStripeSignature(f *testing.F) {
	for _, s := range []string{
		"t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
		"t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39",
		"t=1, v1=" + strings.Repeat("A", 64) + " ,v1=" + strings.Repeat("0", 64),
		"t=1,t=2", "v1=", "t=", "=", ",,,", "t=1,v1=" + strings.Repeat("0", 63) + "g",
		"t=1" + strings.Repeat(",v1="+strings.Repeat("f", 64), 17),
	} {
		f.Add(s)
	}
	msgs := messages(stripeErrors, errStripeNoTime, errStripeTwoTimes, errStripeTime, errStripeFormat, errStripeNoV1, errStripeTooMany, errStripeMatch,
		"Stripe-Signature timestamp is more than 5m0s old", "Stripe-Signature timestamp is more than 5m0s in the future; check the sender's clock")
	f.Fuzz(func(t *testing.T, v string) {
		var sig signatures
		if e := parseStripe(v, &sig); e == nil {
			if sig.n < 1 || sig.n > maxSignatures || sig.ts < 0 {
				t.Fatalf("%q: accepted with %d signatures and t=%d", v, sig.n, sig.ts)
			}
			for i := range sig.n {
				if !strings.Contains(strings.ToLower(v), "v1="+hex.EncodeToString(sig.mac[i][:])) {
					t.Fatalf("%q: signature %d is not in the header", v, i)
				}
			}
		}
		refusal(t, Stripe, "Stripe-Signature", v, msgs...)
	})
}

func FuzzStandardWebhooksSignature(f *testing.F) {
	for _, s := range []string{
		"v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,bm9wZQ== v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==",
		"v1,", ",", " ", "v1", "v2,x", "v1," + strings.Repeat("A", 43) + "B",
		strings.Repeat("v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= ", 17),
	} {
		f.Add(s)
	}
	msgs := messages(signatureErrors, errStandardFormat, errStandardNoV1, errStandardTooMany, errStandardMatch,
		"webhook-timestamp is more than 5m0s old", "webhook-timestamp is more than 5m0s in the future; check the sender's clock")
	f.Fuzz(func(t *testing.T, v string) {
		var sig signatures
		if e := parseStandard(v, &sig); e == nil {
			if sig.n < 1 || sig.n > maxSignatures {
				t.Fatalf("%q: accepted with %d signatures", v, sig.n)
			}
			for i := range sig.n {
				if !strings.Contains(v, "v1,"+base64.StdEncoding.EncodeToString(sig.mac[i][:])) {
					t.Fatalf("%q: signature %d is not in the header", v, i)
				}
			}
		}
		refusal(t, StandardWebhooks, "Webhook-Signature", v, msgs...)
	})
}

func FuzzGitHubSignature(f *testing.F) {
	for _, s := range []string{
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=", "sha1=" + strings.Repeat("0", 40), "SHA256=" + strings.Repeat("0", 64), "sha256=" + strings.Repeat("0", 65),
	} {
		f.Add(s)
	}
	msgs := messages(gitHubErrors, errGitHubFormat, errGitHubMatch)
	f.Fuzz(func(t *testing.T, v string) {
		var sig signatures
		if e := parseGitHub(v, &sig); e == nil {
			if sig.n != 1 || strings.ToLower(v) != "sha256="+hex.EncodeToString(sig.mac[0][:]) {
				t.Fatalf("%q: accepted as %x", v, sig.mac[0])
			}
		}
		refusal(t, GitHub, "X-Hub-Signature-256", v, msgs...)
	})
}

func FuzzStripeEventID(f *testing.F) {
	for _, s := range []string{
		`{"id":"evt_1","object":"event"}`, `{"object":"event","data":{"id":"x"},"id":"evt_2"}`,
		`{"id":1}`, `[]`, `{`, `{"id":"a","id":"b"}`, `{"a":[{"id":"x"}],"id":"\u0065vt"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		id, ok := stripeEventID(body)
		if !ok {
			return
		}
		// The id is a top-level member: decoding the object (when it is
		// valid JSON without duplicate ids) finds the same.
		var top map[string]json.RawMessage
		if json.Unmarshal(body, &top) == nil && strings.Count(string(body), `"id"`) == 1 {
			var want string
			if json.Unmarshal(top["id"], &want) != nil || want != id {
				t.Fatalf("%q: got id %q, want %q", body, id, want)
			}
		}
	})
}
