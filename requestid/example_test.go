package requestid_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/requestid"
)

func Example() {
	// Logs without the time, so that the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	errs := apierror.Config{Renderer: apierror.RenderProblem, Logger: logger}
	api := errs.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		logger.InfoContext(r.Context(), "loading task", "request_id", requestid.From(r.Context()))
		return fmt.Errorf("the database is down")
	}))
	h := requestid.Handler(api) // outermost: every layer inside sees the id

	r := httptest.NewRequest(http.MethodGet, "/api/tasks/7", nil)
	r.Header.Set("X-Request-Id", "f47ac10b-58cc-4372-a567-0e02b2c3d479") // from a proxy
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("X-Request-Id"))
	fmt.Println(w.Body.String())
	// Output:
	// level=INFO msg="loading task" request_id=f47ac10b-58cc-4372-a567-0e02b2c3d479
	// level=ERROR msg="apierror: server error" method=GET path=/api/tasks/7 request_id=f47ac10b-58cc-4372-a567-0e02b2c3d479 status=500 error="the database is down"
	// 500 f47ac10b-58cc-4372-a567-0e02b2c3d479
	// {"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Internal Server Error","instance":"f47ac10b-58cc-4372-a567-0e02b2c3d479"}
}
