package benchmarks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/webhook"
)

// The webhook benchmarks verify a 64 KiB delivery, signed with the one
// secret the endpoint has. "apiroutes" is webhook.New around a handler that
// answers 204 without reading: the middleware reads the body (bounded by
// its 1mb default), checks the headers and the signature, and hands the
// bytes on as r.Body. "stdlib" is the check written by hand: io.Copy of
// r.Body into hmac.New(sha256.New, secret), the header's MAC decoded (hex
// for GitHub and Stripe, base64 for Standard Webhooks), hmac.Equal, and for
// the timestamped schemes strconv.ParseInt and a 5-minute tolerance. It
// keeps no copy of the body for a handler, and here hashes the fixture's
// bytes.Reader in place through its WriteTo, which a body read from a
// connection does not have. "stdlib_bounded" is the same with the body
// behind http.MaxBytesReader(w, r.Body, 1<<20), as a careful handler
// writes it: io.Copy then reads it through a 32 KiB buffer.

const (
	whGitHubSecret   = "It's a Secret to Everybody"
	whStripeSecret   = "whsec_test_5ebe2294ecd0e0f08eab7690d2a6ee69"
	whStandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	whStandardID     = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
)

func whMAC(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

func whStandardKey() []byte {
	k, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(whStandardSecret, "whsec_"))
	return k
}

// whRefuse answers 401 for the stdlib side's failed checks.
func whRefuse(w http.ResponseWriter) { w.WriteHeader(http.StatusUnauthorized) }

// whFresh reports whether a header's unix time is within 5 minutes of now.
func whFresh(v string) (int64, bool) {
	ts, err := strconv.ParseInt(v, 10, 64)
	d := time.Now().Unix() - ts
	return ts, err == nil && d <= 300 && d >= -300
}

type whCase struct {
	name   string
	config webhook.Config
	header func(body []byte) http.Header
	stdlib func(bound func(w http.ResponseWriter, r *http.Request) io.Reader) http.HandlerFunc
}

// whBody is stdlib's r.Body as it is; whBounded, behind http.MaxBytesReader.
func whBody(w http.ResponseWriter, r *http.Request) io.Reader { return r.Body }
func whBounded(w http.ResponseWriter, r *http.Request) io.Reader {
	return http.MaxBytesReader(w, r.Body, 1<<20)
}

var whCases = []whCase{
	{
		name:   "github",
		config: webhook.Config{Scheme: webhook.GitHub, Secrets: []string{whGitHubSecret}},
		header: func(body []byte) http.Header {
			return http.Header{"X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(whMAC([]byte(whGitHubSecret), body))}}
		},
		stdlib: func(body func(w http.ResponseWriter, r *http.Request) io.Reader) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				mac := hmac.New(sha256.New, []byte(whGitHubSecret))
				if _, err := io.Copy(mac, body(w, r)); err != nil {
					w.WriteHeader(http.StatusRequestEntityTooLarge)
					return
				}
				hexMAC, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256=")
				want, err := hex.DecodeString(hexMAC)
				if !ok || err != nil || !hmac.Equal(mac.Sum(nil), want) {
					whRefuse(w)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}
		},
	},
	{
		name:   "stripe",
		config: webhook.Config{Scheme: webhook.Stripe, Secrets: []string{whStripeSecret}},
		header: func(body []byte) http.Header {
			t := strconv.FormatInt(time.Now().Unix(), 10)
			return http.Header{"Stripe-Signature": {"t=" + t + ",v1=" + hex.EncodeToString(whMAC([]byte(whStripeSecret), []byte(t+"."), body))}}
		},
		stdlib: func(body func(w http.ResponseWriter, r *http.Request) io.Reader) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				var t string
				var sigs []string
				for _, item := range strings.Split(r.Header.Get("Stripe-Signature"), ",") {
					k, v, _ := strings.Cut(item, "=")
					switch k {
					case "t":
						t = v
					case "v1":
						sigs = append(sigs, v)
					}
				}
				if _, ok := whFresh(t); !ok {
					whRefuse(w)
					return
				}
				mac := hmac.New(sha256.New, []byte(whStripeSecret))
				io.WriteString(mac, t+".")
				if _, err := io.Copy(mac, body(w, r)); err != nil {
					w.WriteHeader(http.StatusRequestEntityTooLarge)
					return
				}
				sum := mac.Sum(nil)
				for _, s := range sigs {
					if want, err := hex.DecodeString(s); err == nil && hmac.Equal(sum, want) {
						w.WriteHeader(http.StatusNoContent)
						return
					}
				}
				whRefuse(w)
			}
		},
	},
	{
		name:   "standardwebhooks",
		config: webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{whStandardSecret}},
		header: func(body []byte) http.Header {
			t := strconv.FormatInt(time.Now().Unix(), 10)
			return http.Header{
				"Webhook-Id":        {whStandardID},
				"Webhook-Timestamp": {t},
				"Webhook-Signature": {"v1," + base64.StdEncoding.EncodeToString(whMAC(whStandardKey(), []byte(whStandardID+"."+t+"."), body))},
			}
		},
		stdlib: func(body func(w http.ResponseWriter, r *http.Request) io.Reader) http.HandlerFunc {
			key := whStandardKey()
			return func(w http.ResponseWriter, r *http.Request) {
				id, t := r.Header.Get("Webhook-Id"), r.Header.Get("Webhook-Timestamp")
				if _, ok := whFresh(t); !ok || id == "" {
					whRefuse(w)
					return
				}
				mac := hmac.New(sha256.New, key)
				io.WriteString(mac, id+"."+t+".")
				if _, err := io.Copy(mac, body(w, r)); err != nil {
					w.WriteHeader(http.StatusRequestEntityTooLarge)
					return
				}
				sum := mac.Sum(nil)
				for _, s := range strings.Split(r.Header.Get("Webhook-Signature"), " ") {
					v, ok := strings.CutPrefix(s, "v1,")
					if want, err := base64.StdEncoding.DecodeString(v); ok && err == nil && hmac.Equal(sum, want) {
						w.WriteHeader(http.StatusNoContent)
						return
					}
				}
				whRefuse(w)
			}
		},
	},
}

func BenchmarkWebhook(b *testing.B) {
	item := `{"ref":"refs/heads/main","pusher":{"name":"Zoë"}},`
	payload := []byte(strings.Repeat(item, 64<<10/len(item)+1))[:64<<10]
	noContent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, c := range whCases {
		impls := []struct {
			name string
			h    http.Handler
		}{
			{"apiroutes", webhook.New(c.config)(noContent)},
			{"stdlib", c.stdlib(whBody)},
			{"stdlib_bounded", c.stdlib(whBounded)},
		}
		for _, impl := range impls {
			b.Run("scheme="+c.name+"/size=64KiB/"+impl.name, func(b *testing.B) {
				f := newFixture(http.MethodPost, "application/json", payload, false)
				for k, v := range c.header(payload) {
					f.tmpl.Header[k] = v
				}
				benchServe(b, f, impl.h, true, http.StatusNoContent)
			})
		}
	}
}
