// Package webhook verifies the signatures of GitHub, Stripe and Standard
// Webhooks (Svix) deliveries over the exact bytes of the body, before the
// handler sees any of them. Next.js routes need bodyParser: false and a
// hand-written check for this; here it is one middleware:
//
//	verify := webhook.New(webhook.Config{
//		Scheme:  webhook.Stripe,
//		Secrets: []string{os.Getenv("STRIPE_WEBHOOK_SECRET")},
//		Replay:  webhook.NewMemoryReplay(100_000),
//	})
//	mux.Handle("POST /api/webhooks/stripe", verify(handleEvent))
//
// The body is read once, bounded, and handed on: the handler, or a body
// parser after the middleware, reads the same bytes from r.Body. In a
// compose chain, put it in BeforeBody (a forged delivery then costs no
// parsing), or Append it after the body parser, Raw or not.
//
// A delivery passes when one of its signatures is the HMAC-SHA256 of the
// signed content with one of the secrets (compared in constant time), and
// its timestamp (Stripe, Standard Webhooks) is within the tolerance of the
// server's clock, in the past or the future. Otherwise it gets a 401 that
// says what is wrong (a header missing or malformed, no signature matching,
// a timestamp too old or too new), never what was expected, and the
// handler does not run. Refusals are rendered by Config.Errors, in the
// chain's format.
//
// # Defaults and bounds
//
//   - Tolerance 5 minutes; SizeLimit "1mb": 413 after reading at most
//     limit+1 bytes, and a Content-Length reserves 64 KiB at most. The
//     body must arrive within 30 seconds (bodyparser's default
//     ReadTimeout), else 408.
//   - A signature header over 4096 bytes, or with more than 16 signatures
//     of the scheme's version, is refused before the body is read. Each
//     secret's MAC is computed once per request, in pooled state; a
//     verified delivery allocates only the body the handler is given.
//   - No Replay: a verified delivery is handled however often it comes.
//     See [Replay] for what a duplicate is answered, and why.
//
// # Content-Encoding
//
// Providers sign the payload they send, and none compresses it. A body
// with a Content-Encoding other than identity is refused with 415 and
// Accept-Encoding: identity before it is read. When bodyparser runs first,
// it decodes gzip and deflate, and the decoded bytes are what is verified:
// the payload a sender would have signed before compressing it.
//
// GitHub signs the body alone: no time, and X-GitHub-Delivery can be
// changed by whoever replays a delivery. Its Replay check suppresses
// GitHub's own redeliveries; it cannot stop an attacker who captured one.
//
// One Config covers the three schemes, rather than a constructor each, so
// that [Config.Validate] can check a secret the way its scheme reads it.
package webhook
