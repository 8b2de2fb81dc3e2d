package webhook_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/webhook"
)

func TestMisconfigurationFailsAtConstructionWithoutQuotingTheSecret(t *testing.T) {
	t.Parallel()
	const notBase64 = "whsec_not*base64"
	cases := []struct {
		name   string
		config webhook.Config
		want   string // "" = valid
	}{
		{"GitHub", webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}}, ""},
		{"Stripe with a tolerance and a limit", webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret}, Tolerance: time.Minute, SizeLimit: "64kb"}, ""},
		{"Standard Webhooks, prefixed and not, padded and not", webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{swSecret, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_YWJjZA==", "whsec_YWJjZA"}}, ""},
		{"no scheme", webhook.Config{Secrets: []string{ghSecret}}, "webhook: Scheme is not set: use webhook.GitHub, webhook.Stripe or webhook.StandardWebhooks"},
		{"an unknown scheme", webhook.Config{Scheme: 9, Secrets: []string{ghSecret}}, "webhook: Scheme 9 is not webhook.GitHub, webhook.Stripe or webhook.StandardWebhooks"},
		{"no secrets", webhook.Config{Scheme: webhook.GitHub}, "webhook: Secrets is empty: list the endpoint's signing secret"},
		{"an empty secret", webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret, ""}}, "webhook: Secrets[1] is empty"},
		{"a whsec_ secret that is not base64", webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{notBase64}}, "webhook: Secrets[0] is not a Standard Webhooks secret: want whsec_ and a base64 key, and byte 3 of the key is not base64"},
		{"a whsec_ prefix alone", webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{"whsec_"}}, "webhook: Secrets[0] is an empty Standard Webhooks key"},
		{"a negative tolerance", webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret}, Tolerance: -time.Second}, "webhook: Tolerance -1s is negative; zero means 5m"},
		{"a tolerance under a second", webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret}, Tolerance: time.Millisecond}, "webhook: Tolerance 1ms: timestamps are whole seconds; use at least 1s"},
		{"a tolerance for GitHub", webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Tolerance: time.Minute}, "webhook: Tolerance 1m0s: GitHub deliveries carry no signed timestamp; leave it zero, and see Replay"},
		{"a size in MiB", webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, SizeLimit: "1MiB"}, `webhook: SizeLimit "1MiB": unknown unit "MiB"; use b, kb, mb, gb, tb or pb (all binary: 1kb = 1024 bytes)`},
		{"a zero size", webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, SizeLimit: "0"}, `webhook: SizeLimit "0" refuses every delivery`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.config.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				webhook.New(tc.config) // must not panic
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate:\n got %v\nwant %s", err, tc.want)
			}
			for _, s := range tc.config.Secrets {
				if len(s) > 6 && strings.Contains(err.Error(), s) {
					t.Errorf("the error quotes a secret: %v", err)
				}
			}
			defer func() {
				p := recover()
				if pe, ok := p.(error); !ok || !errors.Is(pe, err) && pe.Error() != err.Error() {
					t.Errorf("New panicked with %v, want the Validate error", p)
				}
			}()
			webhook.New(tc.config)
		})
	}
}

func TestNewMemoryReplayPanicsWithoutCapacity(t *testing.T) {
	t.Parallel()
	defer func() {
		if p := recover(); p == nil || !strings.HasPrefix(p.(error).Error(), "webhook: NewMemoryReplay(0)") {
			t.Errorf("recovered %v", p)
		}
	}()
	webhook.NewMemoryReplay(0)
}
