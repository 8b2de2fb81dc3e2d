package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/apiroutes/apiroutes/cors"
)

func Example() {
	api := cors.New(cors.Options{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{"GET", "POST", "PUT", "DELETE"},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	})
	tasks := api(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":1}]`)
	}))

	// The browser's preflight for a PUT with a JSON body and a token.
	r := httptest.NewRequest("OPTIONS", "/api/tasks/1", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	rec := httptest.NewRecorder()
	tasks.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Allow-Methods"),
		rec.Header().Get("Access-Control-Allow-Credentials"), rec.Header().Get("Access-Control-Max-Age"))

	// Another site gets no CORS headers: its scripts cannot read the answer.
	r = httptest.NewRequest("GET", "/api/tasks", nil)
	r.Header.Set("Origin", "https://evil.example")
	rec = httptest.NewRecorder()
	tasks.ServeHTTP(rec, r)
	fmt.Printf("%d %q %q\n", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Vary"))
	// Output:
	// 204 https://app.example.com PUT true 600
	// 200 "" "Origin"
}

func ExampleOptions_Validate() {
	// Mistakes that rs/cors would accept silently fail at start-up: New
	// panics with these errors, Validate returns them.
	err := cors.Options{AllowedOrigins: []string{"*"}, AllowCredentials: true}.Validate()
	fmt.Println(err)
	err = cors.Options{AllowedOrigins: []string{"https://app.example.com/"}}.Validate()
	fmt.Println(err)
	// Output:
	// cors: AllowedOrigins "*" with AllowCredentials: any site could then read your users' responses with their cookies; list the exact origins instead
	// cors: AllowedOrigins "https://app.example.com/": an origin has no path, query, fragment or trailing slash; write "https://app.example.com"
}
