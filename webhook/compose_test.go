package webhook_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/webhook"
)

// pushEvent is what the handlers of these tests decode.
type pushEvent struct {
	Ref string `json:"ref"`
}

const push = `{"ref":"refs/heads/main","pusher":{"name":"Zoë"}}`

// report answers what the handler got through each way of reading the
// body: bodyparser's Decode and Bytes when the parser ran, and r.Body.
func report(w http.ResponseWriter, r *http.Request) error {
	var decoded string
	if ev, err := bodyparser.Decode[pushEvent](r); err == nil {
		decoded = ev.Ref
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "decoded="+decoded+" bytes="+strconv.Itoa(len(bodyparser.Bytes(r)))+" body="+strconv.Itoa(len(b)))
	return err
}

func TestTheVerifierWorksAnywhereInAComposeChain(t *testing.T) {
	t.Parallel()
	verify := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}})
	before := compose.Config{BeforeBody: []func(http.Handler) http.Handler{verify}}
	raw := compose.Config{Body: bodyparser.Config{Raw: true}}
	rawBefore := raw
	rawBefore.BeforeBody = before.BeforeBody
	rawSmall := compose.Config{Body: bodyparser.Config{Raw: true, SizeLimit: "16b"}}
	n := strconv.Itoa(len(push))
	for _, tc := range []struct {
		name   string
		h      http.Handler
		status int
		want   string
	}{
		{"in BeforeBody, before the body parser", compose.RouteFunc(report, before), 200, "decoded=refs/heads/main bytes=" + n + " body=" + n},
		{"appended after the body parser", compose.Chain(compose.Config{}).Append(verify).Then(apierror.HandlerFunc(report)), 200, "decoded=refs/heads/main bytes=" + n + " body=" + n},
		{"after the parser in Raw mode", compose.Chain(raw).Append(verify).Then(apierror.HandlerFunc(report)), 200, "decoded= bytes=0 body=" + n},
		{"before the parser in Raw mode", compose.RouteFunc(report, rawBefore), 200, "decoded= bytes=0 body=" + n},
		{"after a Raw parser with a smaller limit", compose.Chain(rawSmall).Append(verify).Then(apierror.HandlerFunc(report)), 413, `{"error":"Body exceeded 16b limit"}`},
		{"alone", verify(apierror.HandlerFunc(report)), 200, "decoded= bytes=0 body=" + n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, sig := range []string{signGitHub(ghSecret, push), signGitHub("guess", push)} {
				w := post(tc.h, hdr("X-Hub-Signature-256", sig, "Content-Type", "application/json"), push)
				want, status := tc.want, tc.status
				if sig != signGitHub(ghSecret, push) && status == 200 {
					want, status = `{"error":"Invalid signature: X-Hub-Signature-256 does not match the body"}`, 401
				}
				if w.Code != status || w.Body.String() != want {
					t.Errorf("got %d %s, want %d %s", w.Code, w.Body, status, want)
				}
			}
		})
	}
}

func TestACompressedBodyIsVerifiedDecodedBehindTheParserAndRefusedBeforeIt(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, push)
	zw.Close()
	verify := webhook.New(webhook.Config{Scheme: webhook.GitHub, Secrets: []string{ghSecret}})
	behind := compose.Chain(compose.Config{}).Append(verify).Then(apierror.HandlerFunc(report))
	before := compose.RouteFunc(report, compose.Config{BeforeBody: []func(http.Handler) http.Handler{verify}})
	header := hdr("X-Hub-Signature-256", signGitHub(ghSecret, push), "Content-Type", "application/json", "Content-Encoding", "gzip")
	n := strconv.Itoa(len(push))
	if w := post(behind, header, gz.String()); w.Code != 200 || w.Body.String() != "decoded=refs/heads/main bytes="+n+" body="+n {
		t.Errorf("behind the parser: got %d %s, want the decoded payload verified", w.Code, w.Body)
	}
	if w := post(before, header, gz.String()); w.Code != 415 || w.Header().Get("Accept-Encoding") != "identity" {
		t.Errorf("before the parser: got %d %s, want 415 with Accept-Encoding: identity", w.Code, w.Body)
	}
}
