package bodyparser_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

// post sends body to h and prints the answer.
func post(h http.Handler, contentType, body string) {
	r := httptest.NewRequest("POST", "/api/echo", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
}

func Example() {
	// Next's req.body: the value depends on the Content-Type.
	echo := bodyparser.New(bodyparser.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := bodyparser.Value(r)
		fmt.Fprintf(w, "%T %v", v, v)
	}))
	post(echo, "application/json", `{"title":"write docs"}`)
	post(echo, "application/json", `42`)
	post(echo, "application/x-www-form-urlencoded", `tag=a&tag=b&q=x+y`)
	post(echo, "text/plain", `hello`)
	post(echo, "application/json", `{"title":`)
	// Output:
	// 200 map[string]interface {} map[title:write docs]
	// 200 float64 42
	// 200 map[string]interface {} map[q:x y tag:[a b]]
	// 200 string hello
	// 400 {"error":"Invalid JSON"}
}

func ExampleDecode() {
	type NewTask struct {
		Title    string `json:"title"`
		Priority int    `json:"priority"`
	}
	create := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		in, err := bodyparser.Decode[NewTask](r, bodyparser.DisallowUnknownFields)
		if err != nil {
			return err // already an *apierror.Error: 400 or 415
		}
		if in.Title == "" {
			return apierror.BadRequest("title is required")
		}
		_, err = fmt.Fprintf(w, "created %q with priority %d", in.Title, in.Priority)
		return err
	})
	h := bodyparser.New(bodyparser.Config{SizeLimit: "10kb"})(create)
	post(h, "application/json", `{"title":"write docs","priority":2}`)
	post(h, "application/json", `{"title":"write docs","priority":"high"}`)
	post(h, "application/json", `{"titel":"typo"}`)
	post(h, "text/plain", `{"title":"write docs"}`)
	post(h, "application/json", strings.Repeat(" ", 10241))
	// Output:
	// 200 created "write docs" with priority 2
	// 400 {"error":"Invalid JSON: field \"priority\" must be an integer, got string"}
	// 400 {"error":"Invalid JSON: unknown field \"titel\""}
	// 415 {"error":"Content-Type must be application/json or application/*+json"}
	// 413 {"error":"Body exceeded 10kb limit"}
}

func ExampleBytes() {
	// A webhook signature is checked over the bytes as sent, with the parser
	// still on: no need for bodyParser: false.
	secret := []byte("It's a Secret to Everybody")
	hook := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		mac := hmac.New(sha256.New, secret)
		mac.Write(bodyparser.Bytes(r))
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
			return apierror.Unauthorized("bad signature")
		}
		_, err := io.WriteString(w, "verified: "+bodyparser.Text(r))
		return err
	})
	h := bodyparser.New(bodyparser.Config{})(hook)
	for _, sig := range []string{
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=0000000000000000000000000000000000000000000000000000000000000000",
	} {
		r := httptest.NewRequest("POST", "/api/webhooks/github", strings.NewReader("Hello, World!"))
		r.Header.Set("X-Hub-Signature-256", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 verified: Hello, World!
	// 401 {"error":"bad signature"}
}

func ExampleConfig_raw() {
	// Raw is Next's bodyParser: false: the handler streams the body itself.
	upload := bodyparser.New(bodyparser.Config{Raw: true, SizeLimit: "100mb"})(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		n, err := io.Copy(io.Discard, r.Body) // a read past 100mb fails: 413
		if err != nil {
			return err
		}
		_, defined := bodyparser.Value(r)
		_, err = fmt.Fprintf(w, "streamed %d bytes; req.body defined: %v", n, defined)
		return err
	}))
	post(upload, "application/octet-stream", strings.Repeat("x", 5<<20))
	// Output:
	// 200 streamed 5242880 bytes; req.body defined: false
}

func ExampleConfig_readTimeout() {
	// One server, two deadlines: a JSON route gives a body 100ms (a
	// second or two is more usual), an upload route a minute.
	mux := http.NewServeMux()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "got %d bytes", len(bodyparser.Bytes(r)))
	})
	mux.Handle("POST /api/tasks", bodyparser.New(bodyparser.Config{ReadTimeout: 100 * time.Millisecond})(echo))
	mux.Handle("POST /api/upload", bodyparser.New(bodyparser.Config{SizeLimit: "50mb", ReadTimeout: time.Minute})(echo))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A client that stops for half a second in the middle of its body.
	for _, path := range []string{"/api/tasks", "/api/upload"} {
		pr, pw := io.Pipe()
		go func() {
			io.WriteString(pw, `{"title":`)
			time.Sleep(500 * time.Millisecond)
			io.WriteString(pw, `"write docs"}`)
			pw.Close()
		}()
		resp, err := http.Post(srv.URL+path, "application/json", pr)
		if err != nil {
			fmt.Println(err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(path, resp.StatusCode, string(b))
	}
	// Output:
	// /api/tasks 408 {"error":"Body not received within 100ms"}
	// /api/upload 200 got 22 bytes
}
