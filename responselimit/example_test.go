package responselimit_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/apiroutes/apiroutes/responselimit"
)

// stdoutLogger prints records without their time, for the examples.
func stdoutLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func ExampleNew() {
	export := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		for range 5 {
			fmt.Fprint(w, strings.Repeat("x", 1<<10)) // 5 KiB in all
		}
	})
	h := responselimit.New(responselimit.Config{Limit: "4kb", Logger: stdoutLogger()})(export)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export?year=2025", nil))
	fmt.Println(rec.Code, rec.Body.Len(), "bytes sent: the response is not changed")
	// Output:
	// level=WARN msg="API response for /api/export?year=2025 exceeds 4KB. API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit" method=GET path=/api/export bytes=5120 limit=4096
	// 200 5120 bytes sent: the response is not changed
}

func ExampleConfig_externalResolver() {
	forgetful := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// returns without answering
	})
	responselimit.New(responselimit.Config{Logger: stdoutLogger()})(forgetful).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/noresponse", nil))

	// A handler whose answer is sent by something else says so.
	responselimit.New(responselimit.Config{ExternalResolver: true, Logger: stdoutLogger()})(forgetful).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/external", nil))
	// Output:
	// level=WARN msg="API resolved without sending a response for /api/noresponse, this may result in stalled requests." method=GET path=/api/noresponse
}

func ExampleConfig_enforce() {
	h := responselimit.New(responselimit.Config{Limit: "1kb", Enforce: true, Logger: stdoutLogger()})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err := w.Write(make([]byte, 2048))
			fmt.Println("handler's write:", err)
		}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/big", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// handler's write: response refused: it reached the response size limit
	// level=WARN msg="API response for /api/big exceeds 1KB. API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit" method=GET path=/api/big bytes=2048 limit=1024 enforced=true
	// 500 {"error":"Internal Server Error"}
}
