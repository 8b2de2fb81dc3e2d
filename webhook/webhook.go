package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/size"
)

// Scheme is a way of signing webhooks: which headers carry the signature,
// what is signed, and how secrets are written.
type Scheme uint8

const (
	// GitHub: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>.
	// Nothing else is signed: there is no timestamp, and the event id
	// (X-GitHub-Delivery) can be changed by whoever replays a delivery.
	GitHub Scheme = iota + 1
	// Stripe: Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
	// "<t>.<body>">, one v1 per signing secret while one is rolled. The
	// secret is used whole, whsec_ prefix included. The event id is the
	// "id" of the JSON body.
	Stripe
	// StandardWebhooks (standardwebhooks.com, Svix): webhook-id,
	// webhook-timestamp and webhook-signature: v1,<base64 HMAC-SHA256 of
	// "<id>.<timestamp>.<body>">, several separated by spaces. A secret is
	// whsec_ followed by the base64 key, or the base64 key alone, as the
	// official libraries read it. The event id is webhook-id.
	StandardWebhooks
)

// Config configures the verification of one endpoint's deliveries. Scheme
// and Secrets must be set; the other fields have defaults.
type Config struct {
	// Scheme says how the deliveries are signed.
	Scheme Scheme

	// Secrets are the signing secrets. A delivery passes if any one of
	// them signed it, so that a secret can be rotated without downtime:
	// list the new one beside the old, then remove the old.
	Secrets []string

	// Tolerance is how far a signed timestamp (Stripe, Standard Webhooks)
	// may be from the server's clock, in the past or the future, in whole
	// seconds. Zero means 5 minutes, the providers' default. It must stay
	// zero for GitHub, whose deliveries carry no signed time.
	Tolerance time.Duration

	// SizeLimit is the largest body accepted, in bodyparser's grammar
	// ("1mb" = 1048576 bytes). A larger body is answered 413 after reading
	// at most SizeLimit+1 bytes. Empty means "1mb". GitHub sends up to
	// 25 MB: set "25mb" to take every delivery.
	SizeLimit string

	// Replay, when set, runs the handler once per event however often the
	// event is delivered (see [Replay]). Nil means every verified delivery
	// is handled.
	Replay Replay

	// Errors renders the refusals. Its zero value inherits the renderer of
	// an enclosing apierror layer, else JSON.
	Errors apierror.Config
}

const (
	defaultTolerance = 5 * time.Minute
	defaultSizeLimit = "1mb" // as bodyparser and Next.js

	// maxHeader bounds a signature header: Stripe and Standard Webhooks
	// send one signature per active secret, under 100 bytes each.
	maxHeader = 4096
	// maxSignatures bounds the signatures of one header that are compared.
	maxSignatures = 16
	// maxID bounds event ids: GitHub's are UUIDs (36 bytes), Stripe's
	// evt_ ids and Svix's msg_ ids about 30.
	maxID = 256
)

// Validate reports whether c is usable, with a "webhook: " error that names
// the field. It never quotes a secret.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// New returns the middleware that verifies deliveries as c says. It panics
// with the error of [Config.Validate] if c is invalid, so that a bad secret
// stops the program at start-up.
func New(c Config) func(http.Handler) http.Handler {
	v, err := c.compile()
	if err != nil {
		panic(err)
	}
	return func(next http.Handler) http.Handler {
		return &handler{verifier: v, next: next}
	}
}

// verifier is a compiled Config, shared by every handler New wraps.
type verifier struct {
	scheme    Scheme
	keys      [][]byte
	tolerance int64 // seconds; 0 for GitHub
	limit     int64
	timeout   time.Duration // the body's read
	replay    Replay
	errs      apierror.Config

	// The answers whose text depends on the config, built once.
	tooLarge, tooOld, tooNew *apierror.Error

	states sync.Pool // *state
}

func (c Config) compile() (*verifier, error) {
	v := &verifier{scheme: c.Scheme, replay: c.Replay, errs: c.Errors, timeout: readTimeout}
	switch {
	case c.Scheme == 0:
		return nil, errors.New("webhook: Scheme is not set: use webhook.GitHub, webhook.Stripe or webhook.StandardWebhooks")
	case c.Scheme > StandardWebhooks:
		return nil, fmt.Errorf("webhook: Scheme %d is not webhook.GitHub, webhook.Stripe or webhook.StandardWebhooks", c.Scheme)
	}
	if len(c.Secrets) == 0 {
		return nil, errors.New("webhook: Secrets is empty: list the endpoint's signing secret")
	}
	for i, s := range c.Secrets {
		key, err := decodeSecret(c.Scheme, s)
		if err != nil {
			return nil, fmt.Errorf("webhook: Secrets[%d] %w", i, err)
		}
		v.keys = append(v.keys, key)
	}
	switch {
	case c.Tolerance < 0:
		return nil, fmt.Errorf("webhook: Tolerance %v is negative; zero means 5m", c.Tolerance)
	case c.Tolerance != 0 && c.Scheme == GitHub:
		return nil, fmt.Errorf("webhook: Tolerance %v: GitHub deliveries carry no signed timestamp; leave it zero, and see Replay", c.Tolerance)
	case c.Tolerance > 0 && c.Tolerance < time.Second:
		return nil, fmt.Errorf("webhook: Tolerance %v: timestamps are whole seconds; use at least 1s", c.Tolerance)
	}
	if c.Scheme != GitHub {
		tol := c.Tolerance
		if tol == 0 {
			tol = defaultTolerance
		}
		v.tolerance = int64(tol / time.Second)
		what := "Stripe-Signature timestamp"
		if c.Scheme == StandardWebhooks {
			what = "webhook-timestamp"
		}
		t := (time.Duration(v.tolerance) * time.Second).String()
		v.tooOld = apierror.Unauthorized(what + " is more than " + t + " old")
		v.tooNew = apierror.Unauthorized(what + " is more than " + t + " in the future; check the sender's clock")
	}
	text := c.SizeLimit
	if text == "" {
		text = defaultSizeLimit
	}
	s, err := size.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("webhook: SizeLimit %w", err)
	}
	if s.Bytes == 0 {
		return nil, fmt.Errorf("webhook: SizeLimit %q refuses every delivery", text)
	}
	v.limit = s.Bytes
	v.tooLarge = apierror.New(http.StatusRequestEntityTooLarge, "Body exceeded "+s.Text+" limit")
	v.states.New = v.newState
	return v, nil
}

// decodeSecret returns the HMAC key of a secret. The error never quotes it.
func decodeSecret(scheme Scheme, s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("is empty")
	}
	if scheme != StandardWebhooks {
		return []byte(s), nil // Stripe's whsec_ secrets are keys as they are
	}
	// As the official libraries: the prefix is optional, the rest is the
	// base64 key. @stablelib/base64 also reads it without padding.
	b64 := strings.TrimPrefix(s, "whsec_")
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil && !strings.Contains(b64, "=") {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		var at base64.CorruptInputError
		if errors.As(err, &at) {
			return nil, fmt.Errorf("is not a Standard Webhooks secret: want whsec_ and a base64 key, and byte %d of the key is not base64", int64(at))
		}
		return nil, errors.New("is not a Standard Webhooks secret: want whsec_ and a base64 key")
	}
	if len(key) == 0 {
		return nil, errors.New("is an empty Standard Webhooks key")
	}
	return key, nil
}

// state is what one request needs, pooled: the keys' MACs, the signatures
// of the header, and the body buffer of a refused delivery (a verified
// one's goes to the handler, which may keep it).
type state struct {
	macs    []hash.Hash
	sums    [][sha256.Size]byte
	sig     signatures
	scratch []byte // the signed prefix ("<id>.<t>.")
	buf     []byte // the body of a refused delivery; a verified one keeps its own
}

func (v *verifier) newState() any {
	s := &state{macs: make([]hash.Hash, len(v.keys)), sums: make([][sha256.Size]byte, len(v.keys)), scratch: make([]byte, 0, maxID+24)}
	for i, k := range v.keys {
		s.macs[i] = hmac.New(sha256.New, k)
	}
	return s
}

// maxPooledBody is the largest body buffer kept for the next request.
const maxPooledBody = 256 << 10

func (v *verifier) putState(s *state) {
	if cap(s.buf) > maxPooledBody {
		s.buf = nil
	}
	v.states.Put(s)
}

// matches reports whether one of the header's signatures is the MAC of
// prefix+body with one of the keys. Each key's MAC is computed once.
func (v *verifier) matches(s *state, prefix, body []byte) bool {
	for i, mac := range s.macs {
		mac.Reset()
		mac.Write(prefix)
		mac.Write(body)
		mac.Sum(s.sums[i][:0])
	}
	for j := range s.sig.n {
		for i := range s.sums {
			if hmac.Equal(s.sig.mac[j][:], s.sums[i][:]) {
				return true
			}
		}
	}
	return false
}
