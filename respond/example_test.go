package respond_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/respond"
)

// show sends a request to h and prints the status, the headers named, and
// the body.
func show(h http.Handler, method, url string, reqHeader map[string]string, names ...string) {
	r := httptest.NewRequest(method, url, nil)
	for k, v := range reqHeader {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code)
	for _, name := range names {
		if v := rec.Header().Values(name); len(v) > 0 {
			fmt.Printf("%s: %s\n", name, strings.Join(v, ", "))
		}
	}
	fmt.Printf("%q\n", rec.Body.String())
}

func ExampleJSON() {
	type Task struct {
		ID    int    `json:"id"`
		Title string `json:"title"`
	}
	h := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.JSON(w, r, http.StatusOK, Task{ID: 1, Title: "ship <respond> & test"})
	})
	show(h, "GET", "/api/tasks/1", nil, "Content-Type", "Content-Length", "Etag")

	// A client that has the body asks again with its ETag: 304, no body.
	show(h, "GET", "/api/tasks/1", map[string]string{"If-None-Match": `"rlc3jnkg9214"`}, "Content-Type", "Etag")
	// Output:
	// 200
	// Content-Type: application/json; charset=utf-8
	// Content-Length: 40
	// Etag: "rlc3jnkg9214"
	// "{\"id\":1,\"title\":\"ship <respond> & test\"}"
	// 304
	// Etag: "rlc3jnkg9214"
	// ""
}

func ExampleSend() {
	send := func(v any) http.Handler {
		return apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			return respond.Send(w, r, http.StatusOK, v)
		})
	}
	show(send("hello"), "GET", "/", nil, "Content-Type", "Etag")                       // text, no Content-Type
	show(send([]byte("abc")), "GET", "/", nil, "Content-Type", "Etag")                 // bytes
	show(send(map[string]int{"a": 1}), "GET", "/", nil, "Content-Type", "Etag")        // JSON
	show(send(strings.NewReader("streamed")), "GET", "/", nil, "Content-Type", "Etag") // a stream: no ETag
	// Output:
	// 200
	// Etag: "2caikvdqo85"
	// "hello"
	// 200
	// Content-Type: application/octet-stream
	// Etag: "uhvwy6v527z"
	// "abc"
	// 200
	// Content-Type: application/json; charset=utf-8
	// Etag: "147uiiad94i7"
	// "{\"a\":1}"
	// 200
	// Content-Type: application/octet-stream
	// "streamed"
}

func ExampleRedirect() {
	login := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Query().Get("moved") != "" {
			return respond.Redirect(w, r, http.StatusPermanentRedirect, "/api/v2/login")
		}
		return respond.Redirect(w, r, http.StatusTemporaryRedirect, "/login?next=/api/me") // 307
	})
	show(login, "GET", "/api/login", nil, "Location")
	show(login, "GET", "/api/login?moved=1", nil, "Location")
	// Output:
	// 307
	// Location: /login?next=/api/me
	// "/login?next=/api/me"
	// 308
	// Location: /api/v2/login
	// "/api/v2/login"
}

func ExampleStatus() {
	remove := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.Status(w, http.StatusNoContent) // sent now: no body follows
	})
	show(remove, "DELETE", "/api/tasks/1", nil)
	// Output:
	// 204
	// ""
}

func ExampleETag() {
	fmt.Println(respond.ETag([]byte("hello")))
	fmt.Println(respond.ETag([]byte("héllo 😀"))) // hashed and counted in UTF-16 code units
	fmt.Println(respond.ETag([]byte(`{"a":1}`)))
	// Output:
	// "2caikvdqo85"
	// "l3cu71limy8"
	// "147uiiad94i7"
}

// Route handlers of the App Router answer with Response.json and
// NextResponse.redirect(new URL(path, request.url)).
func ExampleAppRouterJSON() {
	h := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Query().Get("code") == "" {
			return respond.AppRouterRedirect(w, r, http.StatusTemporaryRedirect, "/login?error=auth_failed")
		}
		w.Header().Set("Cache-Control", "no-store") // NextResponse.json(body, { headers })
		return respond.AppRouterJSON(w, r, http.StatusOK, map[string]bool{"ok": true})
	})
	show(h, "POST", "http://app.example/api/auth/callback?code=abc", nil, "Content-Type", "Cache-Control", "Etag")
	show(h, "POST", "http://app.example/api/auth/callback", nil, "Location")
	// Output:
	// 200
	// Content-Type: application/json
	// Cache-Control: no-store
	// "{\"ok\":true}"
	// 307
	// Location: http://app.example/login?error=auth_failed
	// ""
}

// A redirect resolved against request.url follows the Host header the
// client sent; under PublicOrigin it goes to the origin you serve on.
func ExamplePublicOrigin() {
	callback := apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return respond.AppRouterRedirect(w, r, http.StatusSeeOther, "/login?error=auth_failed")
	})
	show(callback, "POST", "http://evil.example/api/auth/callback", nil, "Location")
	show(respond.PublicOrigin("https://app.example")(callback), "POST", "http://evil.example/api/auth/callback", nil, "Location")
	// Output:
	// 303
	// Location: http://evil.example/login?error=auth_failed
	// ""
	// 303
	// Location: https://app.example/login?error=auth_failed
	// ""
}
