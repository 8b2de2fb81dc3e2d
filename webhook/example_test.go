package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/webhook"
)

func ExampleNew() {
	verify := webhook.New(webhook.Config{
		Scheme:  webhook.GitHub,
		Secrets: []string{"It's a Secret to Everybody"},
	})
	h := verify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body) // the verified bytes
		fmt.Fprintf(w, "verified %q", b)
	}))
	for _, sig := range []string{
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", // GitHub's published vector
		"sha256=0000000000000000000000000000000000000000000000000000000000000000",
		"",
	} {
		r := httptest.NewRequest("POST", "/api/webhooks/github", strings.NewReader("Hello, World!"))
		if sig != "" {
			r.Header.Set("X-Hub-Signature-256", sig)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 200 verified "Hello, World!"
	// 401 {"error":"Invalid signature: X-Hub-Signature-256 does not match the body"}
	// 401 {"error":"Missing X-Hub-Signature-256 header"}
}

func ExampleNewMemoryReplay() {
	const secret = "whsec_test_secret"
	handled := 0
	verify := webhook.New(webhook.Config{
		Scheme:  webhook.Stripe,
		Secrets: []string{secret},
		Replay:  webhook.NewMemoryReplay(100_000),
	})
	h := verify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled++
		fmt.Fprint(w, "fulfilled")
	}))
	// Stripe signs "<t>.<body>" with the whole secret, and delivers an
	// event again when it got no 2xx in time.
	event := `{"id":"evt_1","type":"checkout.session.completed"}`
	deliver := func(secret string) {
		t := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		io.WriteString(mac, t+"."+event)
		r := httptest.NewRequest("POST", "/api/webhooks/stripe", strings.NewReader(event))
		r.Header.Set("Stripe-Signature", "t="+t+",v1="+hex.EncodeToString(mac.Sum(nil)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d %q\n", w.Code, w.Body)
	}
	deliver(secret)
	deliver(secret)         // the same event again: acknowledged, not handled
	deliver("whsec_forged") // refused before the replay check
	fmt.Println("handled", handled, "time")
	// Output:
	// 200 "fulfilled"
	// 200 ""
	// 401 "{\"error\":\"Invalid signature: no v1 signature of Stripe-Signature matches the body\"}"
	// handled 1 time
}

// In a compose chain, the verifier goes in BeforeBody: a forged delivery
// is refused before the body parser runs, and the handler decodes the
// verified body as usual.
func Example_compose() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // a Standard Webhooks (Svix) secret
	api := compose.Config{Body: bodyparser.Config{SizeLimit: "256kb"}}
	hook := api
	hook.BeforeBody = []func(http.Handler) http.Handler{webhook.New(webhook.Config{
		Scheme:  webhook.StandardWebhooks,
		Secrets: []string{secret},
		Errors:  apierror.Config{Renderer: apierror.RenderProblem},
	})}
	h := compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
		ev, err := bodyparser.Decode[struct{ Type string }](r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "got %s", ev.Type)
		return err
	}, hook)

	body := `{"type":"invoice.paid"}`
	id, t := "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", strconv.FormatInt(time.Now().Unix(), 10)
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, id+"."+t+"."+body)
	for _, ts := range []string{t, "1700000000"} {
		r := httptest.NewRequest("POST", "/api/webhooks/svix", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("webhook-id", id)
		r.Header.Set("webhook-timestamp", ts)
		r.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 200 got invoice.paid
	// 401 {"type":"about:blank","title":"Unauthorized","status":401,"detail":"webhook-timestamp is more than 5m0s old"}
}
