package bodyparser_test

// Helpers these attack tests share with bodyparser's own end-to-end tests
// (bodyparser/e2e_test.go, in the library module), copied: a test file
// cannot be imported.

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// echoText answers 200 with the parsed text of the body and counts its calls.
func echoText(calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls != nil {
			calls.Add(1)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, bodyparser.Text(r))
	})
}

// isCutOff reports whether err is what a writer sees when the peer has
// closed the connection.
func isCutOff(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
