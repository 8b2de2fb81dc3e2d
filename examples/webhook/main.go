// Command webhook receives GitHub webhooks and verifies their
// X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the shared secret)
// before trusting a byte of them. It shows the two ways apiroutes offers:
//
//   - POST /api/webhooks/github keeps the body parser on: the signature is
//     checked over bodyparser.Bytes(r), the bytes exactly as sent, and the
//     event is then decoded with bodyparser.Decode. No need for Next's
//     bodyParser: false just to verify a signature.
//   - POST /api/webhooks/github-raw is the bodyParser: false variant
//     (Body.Raw in its compose.Config): the handler streams the body through the HMAC itself,
//     within an explicit 25mb limit (GitHub's largest payload).
//
// A missing, malformed or wrong signature is answered 401, in constant
// time. Run it:
//
//	go run ./examples/webhook -secret "It's a Secret to Everybody"
//	curl -i localhost:3000/api/webhooks/github -H 'X-GitHub-Event: ping' \
//	  -H 'X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' \
//	  --data-binary 'Hello, World!'
//
// (That signature is GitHub's own test vector for that secret and payload.)
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/route"
)

// errSignature is the answer to every bad signature: which check failed is
// logged, not told.
var errSignature = apierror.Unauthorized("invalid or missing X-Hub-Signature-256")

// verifier checks GitHub signatures with one secret.
type verifier struct{ secret []byte }

// parseSignature returns the MAC from a "sha256=<64 hex digits>" header.
func parseSignature(header string) ([]byte, error) {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSum) != 2*sha256.Size {
		return nil, errors.New("want sha256=<64 hex digits>")
	}
	return hex.DecodeString(hexSum)
}

func (v verifier) newMAC() hash.Hash { return hmac.New(sha256.New, v.secret) }

// check compares the MAC of what was read with the signature header, in
// constant time.
func (v verifier) check(r *http.Request, mac hash.Hash) error {
	want, err := parseSignature(r.Header.Get("X-Hub-Signature-256"))
	if err != nil {
		return apierror.Wrap(err, errSignature.Status, errSignature.Message)
	}
	if !hmac.Equal(mac.Sum(nil), want) {
		return apierror.Wrap(errors.New("signature mismatch"), errSignature.Status, errSignature.Message)
	}
	return nil
}

// event is the part of a GitHub event this example reads.
type event struct {
	Action     string `json:"action"`
	Zen        string `json:"zen"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

type receipt struct {
	OK         bool   `json:"ok"`
	Event      string `json:"event"`
	Delivery   string `json:"delivery,omitempty"`
	Bytes      int64  `json:"bytes"`
	Action     string `json:"action,omitempty"`
	Repository string `json:"repository,omitempty"`
}

// parsed verifies over the bytes the body parser kept, then decodes.
func (v verifier) parsed(w http.ResponseWriter, r *http.Request) error {
	mac := v.newMAC()
	mac.Write(bodyparser.Bytes(r))
	if err := v.check(r, mac); err != nil {
		return err
	}
	rc := receipt{OK: true, Event: r.Header.Get("X-GitHub-Event"), Delivery: r.Header.Get("X-GitHub-Delivery"), Bytes: int64(len(bodyparser.Bytes(r)))}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ev, err := bodyparser.Decode[event](r)
		if err != nil {
			return err
		}
		rc.Action, rc.Repository = ev.Action, ev.Repository.FullName
	}
	return respond.JSON(w, r, http.StatusOK, rc)
}

// raw streams the untouched body through the MAC (bodyParser: false).
func (v verifier) raw(w http.ResponseWriter, r *http.Request) error {
	mac := v.newMAC()
	n, err := io.Copy(mac, r.Body) // a body past the limit fails here: 413
	if err != nil {
		return err
	}
	if err := v.check(r, mac); err != nil {
		return err
	}
	return respond.JSON(w, r, http.StatusOK, receipt{OK: true, Event: r.Header.Get("X-GitHub-Event"), Delivery: r.Header.Get("X-GitHub-Delivery"), Bytes: n})
}

// newServer returns the webhook API.
func newServer(secret string, logger *slog.Logger) http.Handler {
	v := verifier{secret: []byte(secret)}
	// GitHub does not compress deliveries, and the signature covers the
	// bytes as sent: a compressed body is refused (415) rather than inflated.
	api := compose.Config{
		Body:   bodyparser.Config{SizeLimit: "25mb", DisableDecompression: true},
		Errors: apierror.Config{Logger: logger},
	}
	raw := api // bodyParser: false
	raw.Body.Raw = true
	mux := route.NewMux()
	mux.Handle("/api/webhooks/github", compose.Route(route.Methods{
		http.MethodPost: apierror.HandlerFunc(v.parsed),
	}, api))
	mux.Handle("/api/webhooks/github-raw", compose.Route(route.Methods{
		http.MethodPost: apierror.HandlerFunc(v.raw),
	}, raw))
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:3000", "address to listen on")
	secret := flag.String("secret", os.Getenv("GITHUB_WEBHOOK_SECRET"), "the webhook secret (default $GITHUB_WEBHOOK_SECRET)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *secret == "" {
		fmt.Fprintln(os.Stderr, "webhook: set -secret or GITHUB_WEBHOOK_SECRET (GitHub's test secret is \"It's a Secret to Everybody\")")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           newServer(*secret, logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10, // Node allows 16 KiB; net/http's default is 1 MiB
	}
	fmt.Printf("webhook listening on http://%s/api/webhooks/github (and /api/webhooks/github-raw)\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve", "error", err)
		os.Exit(1)
	}
}
