package webhook_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/webhook"
)

var quiet = slog.New(slog.DiscardHandler)

// gitHubDelivery returns the headers of a GitHub delivery of ghPayload.
func gitHubDelivery(id string) http.Header {
	return hdr("X-Hub-Signature-256", ghSignature, "X-GitHub-Delivery", id)
}

func TestAHandledEventIsAcknowledgedWithoutRunningTheHandlerAgain(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: webhook.NewMemoryReplay(10)})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			runs.Add(1)
			w.WriteHeader(http.StatusAccepted)
		}))
	for i, want := range []int{202, 200, 200} {
		w := post(h, gitHubDelivery("72d3162e-cc78-11e3-81ab-4c9367dc0958"), ghPayload)
		if w.Code != want || (i > 0 && w.Body.Len() != 0) {
			t.Errorf("delivery %d: got %d %q, want %d", i+1, w.Code, w.Body, want)
		}
	}
	if w := post(h, gitHubDelivery("another-event"), ghPayload); w.Code != 202 {
		t.Errorf("another event: got %d, want 202", w.Code)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2 (once per event)", n)
	}
}

func TestADeliveryWhoseHandlerFailedIsHandledWhenRetried(t *testing.T) {
	t.Parallel()
	failures := []struct {
		name string
		fail http.Handler
		code int
	}{
		{"a 500", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "db down", 500) }), 500},
		{"an error returned to apierror", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			return errors.New("db down")
		}), 500},
		{"a 409 of the handler's own", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			return apierror.Conflict("not yet")
		}), 409},
		{"a redirect", http.RedirectHandler("/elsewhere", http.StatusTemporaryRedirect), 307},
		{"a panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }), 500},
		{"an aborted response", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			panic(http.ErrAbortHandler)
		}), 200},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := apierror.Config{Logger: quiet}.Recover(webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: webhook.NewMemoryReplay(10)})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if calls.Add(1) == 1 {
						tc.fail.ServeHTTP(w, r)
						return
					}
					echo(w, r)
				})))
			func() {
				defer func() { _ = recover() }() // http.ErrAbortHandler goes through Recover
				if w := post(h, gitHubDelivery("d1"), ghPayload); w.Code != tc.code {
					t.Errorf("first delivery: got %d %s, want %d", w.Code, w.Body, tc.code)
				}
			}()
			if w := post(h, gitHubDelivery("d1"), ghPayload); w.Code != 200 || w.Body.String() != "handled: "+ghPayload {
				t.Errorf("the retry: got %d %q, want the handler's 200", w.Code, w.Body)
			}
			if w := post(h, gitHubDelivery("d1"), ghPayload); w.Code != 200 || w.Body.Len() != 0 || calls.Load() != 2 {
				t.Errorf("after the retry succeeded: got %d %q and %d calls, want an empty 200 and 2 calls", w.Code, w.Body, calls.Load())
			}
		})
	}
}

func TestAConcurrentDuplicateIsRefusedWhileTheFirstIsInFlight(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: webhook.NewMemoryReplay(10)})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if runs.Add(1) == 1 {
				close(entered)
				<-release
			}
			w.WriteHeader(http.StatusNoContent)
		}))
	first := make(chan int)
	go func() { first <- post(h, gitHubDelivery("d1"), ghPayload).Code }()
	<-entered
	// Many duplicates at once, while the first is being handled: all 409.
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			w := post(h, gitHubDelivery("d1"), ghPayload)
			if w.Code != 409 || w.Body.String() != `{"error":"Another delivery of this event is being handled; retry later"}` {
				t.Errorf("a duplicate in flight: got %d %s, want 409", w.Code, w.Body)
			}
		})
	}
	wg.Wait()
	close(release)
	if code := <-first; code != 204 {
		t.Errorf("the first delivery: got %d, want 204", code)
	}
	if w := post(h, gitHubDelivery("d1"), ghPayload); w.Code != 200 || runs.Load() != 1 {
		t.Errorf("after the first succeeded: got %d, %d runs; want 200 and 1 run", w.Code, runs.Load())
	}
}

func TestConcurrentDeliveriesOfOneEventRunTheHandlerOnce(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: webhook.NewMemoryReplay(1000)})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { runs.Add(1) }))
	var wg sync.WaitGroup
	var codes sync.Map
	for i := range 64 {
		wg.Go(func() {
			w := post(h, gitHubDelivery("event-"+string(rune('a'+i%4))), ghPayload)
			codes.Store(i, w.Code)
		})
	}
	wg.Wait()
	if n := runs.Load(); n != 4 {
		t.Errorf("the handler ran %d times for 4 events", n)
	}
	codes.Range(func(k, v any) bool {
		if c := v.(int); c != 200 && c != 409 {
			t.Errorf("delivery %v: got %d, want 200 or 409", k, c)
		}
		return true
	})
}

// spy records what the middleware asks of a Replay.
type spy struct {
	webhook.Replay
	mu     sync.Mutex
	claims []string
}

func (s *spy) Claim(ctx context.Context, id string) (bool, bool, error) {
	s.mu.Lock()
	s.claims = append(s.claims, id)
	s.mu.Unlock()
	return s.Replay.Claim(ctx, id)
}

func TestOnlyVerifiedDeliveriesReachTheReplay(t *testing.T) {
	t.Parallel()
	sp := &spy{Replay: webhook.NewMemoryReplay(10)}
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: sp})(echo)
	for _, forged := range []http.Header{
		hdr("X-GitHub-Delivery", "d1"),
		hdr("X-GitHub-Delivery", "d1", "X-Hub-Signature-256", signGitHub("guess", ghPayload)),
		hdr("X-GitHub-Delivery", "d1", "X-Hub-Signature-256", "sha256=zz"),
	} {
		if w := post(h, forged, ghPayload); w.Code != 401 {
			t.Errorf("forged: got %d, want 401", w.Code)
		}
	}
	if len(sp.claims) != 0 {
		t.Fatalf("forged deliveries claimed %q", sp.claims)
	}
	if w := post(h, gitHubDelivery("d1"), ghPayload); w.Code != 200 || w.Body.String() != "handled: "+ghPayload {
		t.Errorf("the genuine delivery after the forged ones: got %d %q", w.Code, w.Body)
	}
}

func TestEventIDsAreReadWhereEachSchemePutsThem(t *testing.T) {
	t.Parallel()
	const stripeEvent = `{"object":"event","data":{"id":"not this one"},"id":"evt_1","type":"ping"}`
	long := strings.Repeat("i", 257)
	cases := []struct {
		name    string
		scheme  webhook.Scheme
		secret  string
		deliver func(now int64, id, body string) http.Header
		id      string // the GitHub header or the Standard Webhooks id
		body    string
		first   int
		second  int
		msg     string
	}{
		{"GitHub: X-GitHub-Delivery", webhook.GitHub, ghSecret, func(_ int64, id, body string) http.Header {
			return hdr("X-Hub-Signature-256", signGitHub(ghSecret, body), "X-GitHub-Delivery", id)
		}, "d1", ghPayload, 200, 200, ""},
		{"GitHub without X-GitHub-Delivery", webhook.GitHub, ghSecret, func(_ int64, _, body string) http.Header {
			return hdr("X-Hub-Signature-256", signGitHub(ghSecret, body))
		}, "", ghPayload, 400, 400, "Missing X-GitHub-Delivery header: the event has no id"},
		{"GitHub with a 257-byte X-GitHub-Delivery", webhook.GitHub, ghSecret, func(_ int64, id, body string) http.Header {
			return hdr("X-Hub-Signature-256", signGitHub(ghSecret, body), "X-GitHub-Delivery", id)
		}, long, ghPayload, 400, 400, "Event id is longer than 256 bytes"},
		{"Stripe: the event's top-level id, signed again for the retry", webhook.Stripe, stripeSecret, func(now int64, _, body string) http.Header {
			return hdr("Stripe-Signature", signStripe(stripeSecret, now, body))
		}, "", stripeEvent, 200, 200, ""},
		{"Stripe: a body that is not an object", webhook.Stripe, stripeSecret, func(now int64, _, body string) http.Header {
			return hdr("Stripe-Signature", signStripe(stripeSecret, now, body))
		}, "", `["evt_1"]`, 400, 400, `Stripe event has no id: want a JSON object with a string "id"`},
		{"Stripe: an id that is a number", webhook.Stripe, stripeSecret, func(now int64, _, body string) http.Header {
			return hdr("Stripe-Signature", signStripe(stripeSecret, now, body))
		}, "", `{"id":1}`, 400, 400, `Stripe event has no id: want a JSON object with a string "id"`},
		{"Stripe: a 257-byte id", webhook.Stripe, stripeSecret, func(now int64, _, body string) http.Header {
			return hdr("Stripe-Signature", signStripe(stripeSecret, now, body))
		}, "", `{"id":"` + long + `"}`, 400, 400, "Event id is longer than 256 bytes"},
		{"Standard Webhooks: webhook-id, signed again for the retry", webhook.StandardWebhooks, swSecret, func(now int64, id, body string) http.Header {
			return swHeaders(swSecret, id, now, body)
		}, "msg_1", `{"a":1}`, 200, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var runs atomic.Int32
				h := webhook.New(webhook.Config{Scheme: tc.scheme, Secrets: []string{tc.secret}, Replay: webhook.NewMemoryReplay(10)})(
					http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { runs.Add(1); echo(w, r) }))
				for i, want := range []int{tc.first, tc.second} {
					w := post(h, tc.deliver(now(), tc.id, tc.body), tc.body)
					if w.Code != want || tc.msg != "" && w.Body.String() != `{"error":"`+strings.ReplaceAll(tc.msg, `"`, `\"`)+`"}` {
						t.Fatalf("delivery %d: got %d %s, want %d %s", i+1, w.Code, w.Body, want, tc.msg)
					}
				}
				wantRuns := int32(1) // for the two deliveries of a valid event
				if tc.msg != "" {
					wantRuns = 0
				}
				if n := runs.Load(); n != wantRuns {
					t.Errorf("the handler ran %d times, want %d", n, wantRuns)
				}
			})
		})
	}
}

func TestMemoryReplayForgetsTheOldestIDAtCapacity(t *testing.T) {
	t.Parallel()
	m := webhook.NewMemoryReplay(3)
	claim := func(id string) (bool, bool) {
		c, h, _ := m.Claim(bg, id)
		if c {
			m.Done(bg, id, true)
		}
		return c, h
	}
	for _, id := range []string{"a", "b", "c"} {
		if c, _ := claim(id); !c {
			t.Fatalf("%s: not claimed", id)
		}
	}
	if c, h := claim("a"); c || !h {
		t.Fatalf("a again: claimed %v handled %v, want a handled duplicate", c, h)
	}
	claim("d") // forgets a
	if c, _ := claim("a"); !c {
		t.Fatal("a was not forgotten when d came at capacity")
	}
	// a pushed b out, the oldest: c, d and a are left.
	for _, id := range []string{"c", "d", "a"} {
		if c, h, _ := m.Claim(bg, id); c || !h {
			t.Errorf("%s: claimed %v handled %v, want remembered as handled", id, c, h)
		}
	}
	if c, _, _ := m.Claim(bg, "b"); !c {
		t.Error("b: still remembered")
	}
}

func TestMemoryReplayFreesTheRoomOfAFailedClaim(t *testing.T) {
	t.Parallel()
	m := webhook.NewMemoryReplay(2)
	if c, _, _ := m.Claim(bg, "x"); !c {
		t.Fatal("x not claimed")
	}
	if c, h, _ := m.Claim(bg, "x"); c || h {
		t.Fatalf("x in flight: claimed %v handled %v, want neither", c, h)
	}
	m.Done(bg, "x", false) // the handler failed: x is free again
	if c, _, _ := m.Claim(bg, "x"); !c {
		t.Fatal("x not claimable after a failure")
	}
	m.Done(bg, "x", true)
	m.Claim(bg, "y")
	m.Done(bg, "y", false) // y leaves no trace: x is not pushed out by z
	m.Claim(bg, "z")
	m.Done(bg, "z", true)
	if c, h, _ := m.Claim(bg, "x"); c || !h {
		t.Errorf("x after a failed y and a handled z: claimed %v handled %v, want handled", c, h)
	}
	m.Done(bg, "never-claimed", true) // nothing to do
	if c, _, _ := m.Claim(bg, "never-claimed"); !c {
		t.Error("Done on an unclaimed id recorded it")
	}
}

func TestMemoryReplayIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	m := webhook.NewMemoryReplay(64)
	var claimed atomic.Int32
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			for j := range 200 {
				id := string(rune('a' + j%8))
				if c, _, _ := m.Claim(bg, id); c {
					if id == "a" {
						claimed.Add(1)
					}
					m.Done(bg, id, i%2 == 0 || id == "a")
				}
			}
		})
	}
	wg.Wait()
	if n := claimed.Load(); n != 1 {
		t.Errorf("a, always handled, was claimed %d times", n)
	}
}

var bg = context.Background()

// brokenStore is a Replay whose store is down.
type brokenStore struct{ claim, done error }

func (b brokenStore) Claim(context.Context, string) (bool, bool, error) {
	return b.claim == nil, false, b.claim
}
func (b brokenStore) Done(context.Context, string, bool) error { return b.done }

// A store that cannot claim answers 503 without running the handler, and
// one that cannot record the outcome is logged, with the event's id.
func TestAReplayStoreThatFailsIsAnsweredAndLogged(t *testing.T) {
	t.Parallel()
	down := errors.New("dial tcp 10.0.0.7:6379: connection refused")
	for _, tc := range []struct {
		name     string
		store    brokenStore
		wantCode int
		wantRuns int32
		wantLog  string
	}{
		{"claim fails", brokenStore{claim: down}, http.StatusServiceUnavailable, 0, "connection refused"},
		{"done fails", brokenStore{done: down}, http.StatusAccepted, 1, `msg="webhook: Replay.Done failed" method=POST path=/api/webhooks event_id=github:evt-1 error="dial tcp 10.0.0.7:6379: connection refused"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var runs atomic.Int32
			var logs strings.Builder
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}}))
			h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: tc.store,
				Errors: apierror.Config{Logger: logger}})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					runs.Add(1)
					w.WriteHeader(http.StatusAccepted)
				}))
			w := post(h, gitHubDelivery("evt-1"), ghPayload)
			if w.Code != tc.wantCode || runs.Load() != tc.wantRuns {
				t.Errorf("got %d %q with %d runs, want %d with %d", w.Code, w.Body, runs.Load(), tc.wantCode, tc.wantRuns)
			}
			if tc.wantCode == http.StatusServiceUnavailable && !strings.Contains(w.Body.String(), "retry later") {
				t.Errorf("503 body %q", w.Body)
			}
			if !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("log %q, want it to contain %q", logs.String(), tc.wantLog)
			}
		})
	}
}

// A flood of new events cannot push out one whose handler is running: its
// retry stays a 409, never a second run; with every place in flight, a new
// event is answered 503 and its sender retries.
func TestMemoryReplayNeverForgetsAnEventInFlight(t *testing.T) {
	t.Parallel()
	m := webhook.NewMemoryReplay(2)
	if c, _, err := m.Claim(bg, "running"); !c || err != nil {
		t.Fatalf("running: claimed %v, %v", c, err)
	}
	for _, id := range []string{"a", "b", "c"} { // handled, each pushing out the one before
		if c, _, err := m.Claim(bg, id); !c || err != nil {
			t.Fatalf("%s: claimed %v, %v", id, c, err)
		}
		m.Done(bg, id, true)
	}
	if c, h, err := m.Claim(bg, "running"); c || h || err != nil {
		t.Errorf("retry of running: claimed %v handled %v %v, want in flight", c, h, err)
	}
	if c, _, err := m.Claim(bg, "other"); !c || err != nil { // takes c's place
		t.Fatalf("other: claimed %v, %v", c, err)
	}
	if c, _, err := m.Claim(bg, "one too many"); c || err == nil {
		t.Errorf("with every place in flight: claimed %v, err %v; want an error", c, err)
	}
	m.Done(bg, "running", false) // its handler failed: the retry runs it
	if c, _, err := m.Claim(bg, "running"); !c || err != nil {
		t.Errorf("running after its failure: claimed %v, %v", c, err)
	}

	// Through the middleware: the error is a 503.
	h := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: m,
		Errors: apierror.Config{Logger: quiet}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran")
	}))
	if w := post(h, gitHubDelivery("new"), ghPayload); w.Code != http.StatusServiceUnavailable {
		t.Errorf("full store: %d %q, want 503", w.Code, w.Body)
	}
}

// Svix names the Standard Webhooks headers svix-* by default; either set
// verifies, read whole, and a delivery mixing them does not.
func TestSvixHeadersAreStandardWebhooksToo(t *testing.T) {
	t.Parallel()
	h := webhook.New(webhook.Config{Scheme: webhook.StandardWebhooks, Secrets: []string{swSecret}, Errors: apierror.Config{Logger: quiet}})(echo)
	ts := now()
	std := swHeaders(swSecret, "msg_1", ts, "{}")
	svix := http.Header{"Svix-Id": std["Webhook-Id"], "Svix-Timestamp": std["Webhook-Timestamp"], "Svix-Signature": std["Webhook-Signature"]}
	mixed := http.Header{"Svix-Id": {"msg_2"}, "Webhook-Timestamp": std["Webhook-Timestamp"], "Svix-Signature": std["Webhook-Signature"]}
	for name, tc := range map[string]struct {
		h    http.Header
		want int
	}{"webhook-*": {std, 200}, "svix-*": {svix, 200}, "mixed": {mixed, 401}} {
		if w := post(h, tc.h, "{}"); w.Code != tc.want {
			t.Errorf("%s: %d %q, want %d", name, w.Code, w.Body, tc.want)
		}
	}
}

// A Replay shared by endpoints keeps each scheme's ids apart: a GitHub
// delivery, whose id is not signed, cannot take a Stripe event's.
func TestASharedReplayKeepsEachSchemesIDsApart(t *testing.T) {
	t.Parallel()
	shared := webhook.NewMemoryReplay(10)
	var runs atomic.Int32
	count := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { runs.Add(1) })
	gh := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}, Replay: shared})(count)
	st := webhook.New(webhook.Config{Scheme: webhook.Stripe, Secrets: []string{stripeSecret}, Replay: shared})(count)
	if w := post(gh, gitHubDelivery("evt_1"), ghPayload); w.Code != 200 {
		t.Fatalf("GitHub delivery: %d", w.Code)
	}
	body := `{"id":"evt_1","type":"charge.succeeded"}`
	if w := post(st, hdr("Stripe-Signature", signStripe(stripeSecret, now(), body)), body); w.Code != 200 || runs.Load() != 2 {
		t.Errorf("Stripe event evt_1 after a GitHub delivery evt_1: %d, handler ran %d times, want 2", w.Code, runs.Load())
	}
}
