package webhook

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
)

// signatures are the signatures of a header, decoded, and its timestamp.
// They live in the pooled state: parsing allocates nothing.
type signatures struct {
	n   int
	mac [maxSignatures][sha256.Size]byte
	ts  int64
}

// headerErrors are the refusals about one header. None quotes the header:
// it may be long, and whatever a sender put in it is its own business.
type headerErrors struct {
	missing, repeated, tooLong *apierror.Error
}

func errorsFor(name string) headerErrors {
	return headerErrors{
		missing:  apierror.Unauthorized("Missing " + name + " header"),
		repeated: apierror.Unauthorized(name + " header sent more than once"),
		tooLong:  apierror.Unauthorized(name + " header is longer than " + strconv.Itoa(maxHeader) + " bytes"),
	}
}

var (
	gitHubErrors    = errorsFor("X-Hub-Signature-256")
	errGitHubFormat = apierror.Unauthorized("Malformed X-Hub-Signature-256 header: want sha256=<64 hex digits>")
	errGitHubMatch  = apierror.Unauthorized("Invalid signature: X-Hub-Signature-256 does not match the body")

	stripeErrors       = errorsFor("Stripe-Signature")
	errStripeNoTime    = apierror.Unauthorized("Malformed Stripe-Signature header: no t=<unix time>")
	errStripeTwoTimes  = apierror.Unauthorized("Malformed Stripe-Signature header: t= appears more than once")
	errStripeTime      = apierror.Unauthorized("Malformed Stripe-Signature header: t is not a unix time in seconds")
	errStripeFormat    = apierror.Unauthorized("Malformed Stripe-Signature header: no v1 signature is 64 hex digits")
	errStripeNoV1      = apierror.Unauthorized("Stripe-Signature header has no v1 signature")
	errStripeTooMany   = apierror.Unauthorized("Stripe-Signature header has more than " + strconv.Itoa(maxSignatures) + " v1 signatures")
	errStripeMatch     = apierror.Unauthorized("Invalid signature: no v1 signature of Stripe-Signature matches the body")
	idErrors           = errorsFor("webhook-id")
	timestampErrors    = errorsFor("webhook-timestamp")
	signatureErrors    = errorsFor("webhook-signature")
	errStandardID      = apierror.Unauthorized("webhook-id header is longer than " + strconv.Itoa(maxID) + " bytes")
	errStandardTime    = apierror.Unauthorized("Malformed webhook-timestamp header: want a unix time in seconds")
	errStandardFormat  = apierror.Unauthorized("Malformed webhook-signature header: no v1 signature is 32 bytes in base64")
	errStandardNoV1    = apierror.Unauthorized("webhook-signature header has no v1 signature")
	errStandardTooMany = apierror.Unauthorized("webhook-signature header has more than " + strconv.Itoa(maxSignatures) + " v1 signatures")
	errStandardMatch   = apierror.Unauthorized("Invalid signature: no v1 signature of webhook-signature matches the body")
)

// single returns the one value of a header, or the refusal for none, an
// empty one, several, or one too long.
func single(h http.Header, key string, e *headerErrors) (string, *apierror.Error) {
	vs := h[key]
	switch {
	case len(vs) == 0 || vs[0] == "":
		return "", e.missing
	case len(vs) > 1:
		return "", e.repeated
	case len(vs[0]) > maxHeader:
		return "", e.tooLong
	}
	return vs[0], nil
}

// parseGitHub reads X-Hub-Signature-256: sha256=<hex>.
func parseGitHub(v string, sig *signatures) *apierror.Error {
	sig.n, sig.ts = 0, 0
	hexMAC, ok := strings.CutPrefix(v, "sha256=")
	if !ok || !decodeHex(&sig.mac[0], hexMAC) {
		return errGitHubFormat
	}
	sig.n = 1
	return nil
}

// parseStripe reads Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...],
// ignoring other schemes (v0) and unknown keys as stripe-node does. Blanks
// around the items are allowed; stripe-node would not match them. A v1
// that is not 64 hex digits cannot match, as in stripe-node: the header is
// malformed only when no v1 can.
func parseStripe(v string, sig *signatures) *apierror.Error {
	sig.n, sig.ts = 0, -1
	entries := 0
	for rest := v; rest != ""; {
		var item string
		item, rest, _ = strings.Cut(rest, ",")
		key, val, ok := strings.Cut(strings.Trim(item, " \t"), "=")
		if !ok {
			continue
		}
		switch key {
		case "t":
			if sig.ts >= 0 {
				return errStripeTwoTimes
			}
			if sig.ts, ok = parseUnix(val); !ok {
				return errStripeTime
			}
		case "v1":
			if entries++; entries > maxSignatures {
				return errStripeTooMany
			}
			if decodeHex(&sig.mac[sig.n], val) {
				sig.n++
			}
		}
	}
	switch {
	case sig.ts < 0:
		return errStripeNoTime
	case entries == 0:
		return errStripeNoV1
	case sig.n == 0:
		return errStripeFormat
	}
	return nil
}

// parseStandard reads webhook-signature: v1,<base64> [v1,<base64>...],
// separated by spaces, ignoring other versions (v1a) as the official
// libraries do. As with Stripe, a v1 that is not a MAC in base64 cannot
// match, and the header is malformed only when no v1 can.
func parseStandard(v string, sig *signatures) *apierror.Error {
	sig.n = 0
	entries := 0
	for rest := v; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, " ")
		version, val, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		if entries++; entries > maxSignatures {
			return errStandardTooMany
		}
		if decodeBase64(&sig.mac[sig.n], val) {
			sig.n++
		}
	}
	switch {
	case entries == 0:
		return errStandardNoV1
	case sig.n == 0:
		return errStandardFormat
	}
	return nil
}

// parseUnix reads a timestamp in seconds: 1 to 18 digits, nothing else.
func parseUnix(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// decodeHex decodes 64 hex digits into dst. The copy keeps s's bytes on
// the stack: hex.Decode takes a []byte.
func decodeHex(dst *[sha256.Size]byte, s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	var src [2 * sha256.Size]byte
	copy(src[:], s)
	_, err := hex.Decode(dst[:], src[:])
	return err == nil
}

// strictBase64 refuses encodings with stray bits, as a comparison of the
// base64 text (the libraries' way) does.
var strictBase64 = base64.StdEncoding.Strict()

// b64MAC is the length of a MAC in padded base64.
const b64MAC = (sha256.Size + 2) / 3 * 4

// decodeBase64 decodes a MAC in padded standard base64 into dst.
func decodeBase64(dst *[sha256.Size]byte, s string) bool {
	if len(s) != b64MAC {
		return false
	}
	var src [b64MAC]byte
	var out [b64MAC / 4 * 3]byte
	copy(src[:], s)
	n, err := strictBase64.Decode(out[:], src[:])
	if err != nil || n != sha256.Size {
		return false
	}
	copy(dst[:], out[:n])
	return true
}
