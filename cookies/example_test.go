package cookies_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/apiroutes/apiroutes/cookies"
)

func ExampleParse() {
	r := httptest.NewRequest("GET", "/api/cookies", nil)
	r.Header.Set("Cookie", `theme=dark; theme=light; cart="a%3Bb"; broken=%zz; flag`)
	c := cookies.Parse(r)
	fmt.Println(c["theme"], c["cart"], c["broken"], len(c))
	// Output:
	// dark a;b %zz 3
}

// The map is the caller's: a handler may add to it or delete from it,
// even when the request had no Cookie header (the map is then empty).
func ExampleParse_modify() {
	r := httptest.NewRequest("GET", "/api/me", nil)
	r.Header.Set("Cookie", "theme=dark")
	c := cookies.Parse(r)
	c["theme"] = "light"
	fmt.Println(c["theme"], cookies.Parse(r)["theme"])

	none := cookies.Parse(httptest.NewRequest("GET", "/api/me", nil))
	none["seen"] = "1"
	fmt.Println(len(none), none["theme"] == "")
	// Output:
	// light dark
	// 1 true
}

func ExampleSet() {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/login", nil)
	_ = cookies.Set(rec, r, "greeting", "hello, world; bye", cookies.Options{})
	_ = cookies.Delete(rec, r, "old", cookies.Options{})
	for _, line := range rec.Header()["Set-Cookie"] {
		fmt.Println(line)
	}
	err := cookies.Set(rec, r, "bad name", "x", cookies.Options{})
	fmt.Println(err)
	// Output:
	// greeting=hello%2C%20world%3B%20bye; Path=/; HttpOnly; SameSite=Lax
	// old=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax
	// cookies: invalid cookie name: "bad name": a cookie name is an HTTP token (letters, digits and !#$%&'*+-.^_`|~)
}

func ExampleSigned() {
	// In a real server the keys come from configuration, 32 random bytes each.
	current := []byte("0123456789abcdef0123456789abcdef")
	signer := cookies.Signed(current)

	rec := httptest.NewRecorder()
	_ = signer.Set(rec, nil, "user", "42", cookies.Options{MaxAge: time.Hour})

	// The browser sends it back...
	r := httptest.NewRequest("GET", "/api/me", nil)
	r.Header.Set("Cookie", (&http.Response{Header: rec.Header()}).Cookies()[0].String())
	user, err := signer.Get(r, "user")
	fmt.Println(user, err)

	// ...or a forged one.
	r.Header.Set("Cookie", "user=1.forged")
	_, err = signer.Get(r, "user")
	fmt.Println(err)
	// Output:
	// 42 <nil>
	// cookies: invalid signature: the cookie was tampered with, truncated, or signed with a key no longer in use
}
