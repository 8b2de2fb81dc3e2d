// Command webhook receives GitHub webhooks and verifies their
// X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the shared secret)
// with package webhook before trusting a byte of them. It shows the two
// ways apiroutes offers:
//
//   - POST /api/webhooks/github keeps the body parser on: the verifier runs
//     in BeforeBody, over the bytes exactly as sent, and the event is then
//     decoded with bodyparser.Decode. No need for Next's bodyParser: false
//     just to verify a signature.
//   - POST /api/webhooks/github-raw is the bodyParser: false variant
//     (Body.Raw in its compose.Config): the handler reads the verified
//     body from r.Body itself.
//
// Both accept up to 25mb (GitHub's largest payload), handle each event once
// (a redelivery of a handled X-GitHub-Delivery is answered 200 without
// running the handler again), and answer a missing, malformed or wrong
// signature with 401. Run it:
//
//	go run ./examples/webhook -secret "It's a Secret to Everybody"
//	curl -i localhost:3000/api/webhooks/github -H 'X-GitHub-Event: ping' \
//	  -H 'X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958' \
//	  -H 'X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' \
//	  --data-binary 'Hello, World!'
//
// (That signature is GitHub's own test vector for that secret and payload.)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
	"github.com/apiroutes/apiroutes/webhook"
)

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

// parsed handles a verified delivery, decoded by the body parser.
func parsed(w http.ResponseWriter, r *http.Request) error {
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

// raw reads the verified body itself (bodyParser: false).
func raw(w http.ResponseWriter, r *http.Request) error {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		return err
	}
	return respond.JSON(w, r, http.StatusOK, receipt{OK: true, Event: r.Header.Get("X-GitHub-Event"), Delivery: r.Header.Get("X-GitHub-Delivery"), Bytes: n})
}

// newServer returns the webhook API.
func newServer(secret string, logger *slog.Logger) http.Handler {
	// GitHub does not compress deliveries, and the signature covers the
	// bytes as sent: the verifier refuses a compressed body (415) before
	// anything inflates it. Each route remembers its own events.
	verify := func() []func(http.Handler) http.Handler {
		return []func(http.Handler) http.Handler{webhook.New(webhook.Config{
			Scheme:    webhook.GitHub,
			Secrets:   []string{secret},
			SizeLimit: "25mb",
			Replay:    webhook.NewMemoryReplay(10_000),
		})}
	}
	api := compose.Config{
		Body:       bodyparser.Config{SizeLimit: "25mb"},
		Errors:     apierror.Config{Logger: logger},
		BeforeBody: verify(),
	}
	rawHook := api // bodyParser: false
	rawHook.Body.Raw = true
	rawHook.BeforeBody = verify()
	mux := route.NewMux()
	mux.Handle("/api/webhooks/github", compose.Route(route.Methods{
		http.MethodPost: apierror.HandlerFunc(parsed),
	}, api))
	mux.Handle("/api/webhooks/github-raw", compose.Route(route.Methods{
		http.MethodPost: apierror.HandlerFunc(raw),
	}, rawHook))
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
		ReadTimeout:       time.Minute, // bounds the verifier's read of the body
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
