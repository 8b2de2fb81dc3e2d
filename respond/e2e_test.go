package respond_test

// End-to-end tests on a real loopback server, for what only shows on the
// wire: headers net/http would add (a sniffed Content-Type, a computed
// Content-Length), chunked streams and their flushing, the 304 round trip
// of a caching client, and raw Location bytes.

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/respond"
)

const e2eDeadline = 5 * time.Second

// serve starts a server for h and returns a client that does not follow
// redirects.
func serve(t *testing.T, h http.Handler) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := srv.Client()
	c.Timeout = e2eDeadline
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return srv, c
}

func do(t *testing.T, c *http.Client, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestOnTheWireNetHTTPAddsNoContentTypeToTextOrEmptyBodies(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/text", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, 200, "<html><body>sniffable</body></html>")
	}))
	mux.Handle("/nil", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, 200, nil)
	}))
	mux.Handle("/redirect", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/<html>")
	}))
	srv, c := serve(t, mux)
	for _, path := range []string{"/text", "/nil", "/redirect"} {
		resp, body := do(t, c, "GET", srv.URL+path, nil)
		if ct, ok := resp.Header["Content-Type"]; ok {
			t.Errorf("GET %s: Content-Type %q on the wire (body %q); want none", path, ct, body)
		}
	}
	resp, body := do(t, c, "GET", srv.URL+"/text", nil)
	if resp.ContentLength != 35 || resp.Header.Get("Etag") != respond.ETag([]byte(body)) {
		t.Errorf("GET /text: Content-Length %d, ETag %q; want 35 and the ETag of the body", resp.ContentLength, resp.Header.Get("Etag"))
	}
}

func TestOnTheWireHelloIsWhatNextSends(t *testing.T) {
	t.Parallel()
	srv, c := serve(t, apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, 200, "hello")
	}))
	for _, method := range []string{"GET", "HEAD"} {
		resp, body := do(t, c, method, srv.URL, nil)
		wantBody := "hello"
		if method == "HEAD" {
			wantBody = ""
		}
		if resp.StatusCode != 200 || body != wantBody || resp.Header.Get("Etag") != `"2caikvdqo85"` || resp.Header.Get("Content-Length") != "5" {
			t.Errorf("%s: %d %q ETag %q Content-Length %q; want 200 %q, \"2caikvdqo85\", 5",
				method, resp.StatusCode, body, resp.Header.Get("Etag"), resp.Header.Get("Content-Length"), wantBody)
		}
	}
}

func TestOnTheWireAConditionalGETRoundTripsTo304(t *testing.T) {
	t.Parallel()
	srv, c := serve(t, apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-cache") // the response's: revalidate every time
		return respond.JSON(w, r, http.StatusOK, message{"Hello from Next.js!"})
	}))
	first, body := do(t, c, "GET", srv.URL, nil)
	tag := first.Header.Get("Etag")
	if first.StatusCode != 200 || body != `{"message":"Hello from Next.js!"}` || tag != `"x0q7xhtzoxx"` {
		t.Fatalf("first GET: %d %q ETag %q", first.StatusCode, body, tag)
	}
	for _, method := range []string{"GET", "HEAD"} {
		second, body := do(t, c, method, srv.URL, map[string]string{"If-None-Match": tag})
		if second.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("%s with If-None-Match: %d %q; want 304 with an empty body", method, second.StatusCode, body)
		}
		if got := second.Header.Get("Etag"); got != tag {
			t.Errorf("%s with If-None-Match: ETag %q; want %q", method, got, tag)
		}
		if ct, ok := second.Header["Content-Type"]; ok {
			t.Errorf("%s with If-None-Match: Content-Type %q; want none", method, ct)
		}
		if got := second.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s with If-None-Match: Cache-Control %q; the 304 must keep it", method, got)
		}
	}
	post, body := do(t, c, "POST", srv.URL, map[string]string{"If-None-Match": tag})
	if post.StatusCode != 200 || body == "" {
		t.Errorf("POST with If-None-Match: %d %q; want the full 200", post.StatusCode, body)
	}
}

func TestOnTheWireStreamsAreChunkedWithoutLengthOrETag(t *testing.T) {
	t.Parallel()
	srv, c := serve(t, apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, 200, strings.NewReader("a small stream"))
	}))
	resp, body := do(t, c, "GET", srv.URL, nil)
	if body != "a small stream" {
		t.Errorf("body %q", body)
	}
	if resp.ContentLength != -1 || len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("Content-Length %d, Transfer-Encoding %q; want a chunked body without length", resp.ContentLength, resp.TransferEncoding)
	}
	if resp.Header.Get("Content-Type") != "application/octet-stream" || resp.Header.Get("Etag") != "" {
		t.Errorf("Content-Type %q, ETag %q; want application/octet-stream and none", resp.Header.Get("Content-Type"), resp.Header.Get("Etag"))
	}
}

func TestOnTheWireStreamsReachTheClientChunkByChunk(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
	defer cancel()
	next := make(chan struct{})
	srv, c := serve(t, apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		pr, pw := io.Pipe()
		go func() {
			_, _ = io.WriteString(pw, "first\n")
			select { // the second chunk waits until the client has the first
			case <-next:
			case <-ctx.Done():
			}
			_, _ = io.WriteString(pw, "second\n")
			pw.Close()
		}()
		return respond.Send(w, r, 200, pr)
	}))
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk %q, %v; want it before the stream ends", line, err)
	}
	close(next)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "second\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

func TestOnTheWireRedirectLocationIsSentAsGiven(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/a", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/dest?a=1")
	}))
	mux.Handle("/b", apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Redirect(w, r, http.StatusPermanentRedirect, "/日本")
	}))
	srv, c := serve(t, mux)
	resp, body := do(t, c, "GET", srv.URL+"/a", nil)
	if resp.StatusCode != 307 || resp.Header.Get("Location") != "/dest?a=1" || body != "/dest?a=1" {
		t.Errorf("GET /a: %d Location %q body %q; want 307 /dest?a=1", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	// Read the raw response: Location carries the URL percent-encoded, the body as given.
	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), e2eDeadline)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(e2eDeadline))
	_, _ = io.WriteString(conn, "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	raw, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(raw), "HTTP/1.1 308 Permanent Redirect\r\n") || !strings.Contains(string(raw), "\r\nLocation: /%E6%97%A5%E6%9C%AC\r\n") || !strings.HasSuffix(string(raw), "\r\n\r\n/日本") {
		t.Errorf("raw response:\n%s\nwant 308, Location: /日本 percent-encoded, body /日本", raw)
	}
}

func TestOnTheWireRefusalsAreCleanInternalServerErrors(t *testing.T) {
	t.Parallel()
	srv, c := serve(t, apierror.Config{Logger: quietLogger()}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain")
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/x\r\nSet-Cookie: session=stolen")
	})))
	resp, body := do(t, c, "GET", srv.URL, nil)
	if resp.StatusCode != 500 || body != `{"error":"Internal Server Error"}` || resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("Location") != "" {
		t.Errorf("%d %q %v; want a clean 500 without Location", resp.StatusCode, body, resp.Header)
	}
}

// A body without a Content-Type is sniffed by browsers: a redirect with a
// status outside 3xx, or a string, that echoes markup from the query would
// run as HTML of this origin. Every such body says nosniff on the wire;
// bodies with a type and answers without a body do not.
func TestOnTheWireBodiesWithoutAContentTypeAreMarkedNosniff(t *testing.T) {
	t.Parallel()
	const xss = "<script>alert(document.domain)</script>"
	mux := http.NewServeMux()
	handle := func(path string, h func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(path, apierror.HandlerFunc(h))
	}
	handle("/redirect-200", func(w http.ResponseWriter, r *http.Request) error {
		return respond.Redirect(w, r, http.StatusOK, r.URL.Query().Get("to"))
	})
	handle("/redirect", func(w http.ResponseWriter, r *http.Request) error {
		return respond.Redirect(w, r, http.StatusFound, "/login")
	})
	handle("/text", func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, http.StatusOK, r.URL.Query().Get("q"))
	})
	handle("/html", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return respond.Send(w, r, http.StatusOK, "<p>meant as HTML</p>")
	})
	handle("/json", func(w http.ResponseWriter, r *http.Request) error {
		return respond.JSON(w, r, http.StatusOK, xss)
	})
	handle("/bytes", func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, http.StatusOK, []byte(xss))
	})
	handle("/nil", func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, http.StatusOK, nil)
	})
	handle("/204", func(w http.ResponseWriter, r *http.Request) error {
		return respond.Send(w, r, http.StatusNoContent, xss)
	})
	srv, c := serve(t, mux)
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
		nosniff      bool
	}{
		{"GET", "/redirect-200?to=" + url.QueryEscape(xss), 200, xss, true},
		{"HEAD", "/redirect-200?to=" + url.QueryEscape(xss), 200, "", true},
		{"GET", "/redirect", 302, "/login", true},
		{"GET", "/text?q=" + url.QueryEscape(xss), 200, xss, true},
		{"GET", "/html", 200, "<p>meant as HTML</p>", false},
		{"GET", "/json", 200, `"` + xss + `"`, false},
		{"GET", "/bytes", 200, xss, false},
		{"GET", "/nil", 200, "", false},
		{"GET", "/204", 204, "", false},
	} {
		resp, body := do(t, c, tc.method, srv.URL+tc.path, nil)
		got := resp.Header.Values("X-Content-Type-Options")
		if resp.StatusCode != tc.status || body != tc.body {
			t.Errorf("%s %s: %d %q; want %d %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.body)
		}
		switch {
		case tc.nosniff && (len(got) != 1 || got[0] != "nosniff"):
			t.Errorf("%s %s: X-Content-Type-Options %q, Content-Type %q; want nosniff", tc.method, tc.path, got, resp.Header.Get("Content-Type"))
		case !tc.nosniff && len(got) != 0:
			t.Errorf("%s %s: X-Content-Type-Options %q; want none", tc.method, tc.path, got)
		}
	}
}
