package responselimit_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/internal/testlog"
	"github.com/apiroutes/apiroutes/responselimit"
)

func newLogger() (*slog.Logger, *testlog.Buffer) { return testlog.New(slog.LevelInfo) }

// writeN writes n bytes in pieces of the given size (0: one Write).
func writeN(n, piece int) http.HandlerFunc {
	if piece == 0 {
		piece = n
	}
	chunk := bytes.Repeat([]byte("a"), piece)
	return func(w http.ResponseWriter, r *http.Request) {
		for left := n; left > 0; {
			k := min(left, piece)
			_, _ = w.Write(chunk[:k])
			left -= k
		}
	}
}

const nextTail = ". API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit"

func TestSizeWarningThresholdIsInclusive(t *testing.T) {
	t.Parallel()
	cases := []struct {
		limit   string
		bytes   int
		printed string
	}{
		{"", 4 << 20, "4MB"},
		{"4mb", 4 << 20, "4MB"},
		{"8mb", 8 << 20, "8MB"},
		{"1kb", 1024, "1KB"},
		{strconv.FormatInt(1500, 10), 1500, "1.46KB"}, // a typed count
	}
	for _, tc := range cases {
		for _, delta := range []int{-1, 0, 1} {
			logger, logs := newLogger()
			h := responselimit.New(responselimit.Config{Limit: tc.limit, Logger: logger})(writeN(tc.bytes+delta, 64<<10))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/big?n=1", nil))
			if rec.Body.Len() != tc.bytes+delta {
				t.Fatalf("the response was changed: %d bytes", rec.Body.Len())
			}
			lines := logs.Lines()
			if delta < 0 {
				if len(lines) != 0 {
					t.Errorf("%q, %d bytes: warned %q", tc.limit, tc.bytes+delta, lines)
				}
				continue
			}
			want := `level=WARN msg="API response for /api/big?n=1 exceeds ` + tc.printed + nextTail + `" method=GET path=/api/big bytes=`
			if len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
				t.Errorf("%q, %d bytes: log %q, want one line starting %q", tc.limit, tc.bytes+delta, lines, want)
			}
		}
	}
}

func TestEveryWayOfWritingIsCounted(t *testing.T) {
	t.Parallel()
	const limit = 1024
	handlers := map[string]http.HandlerFunc{
		"many small writes": writeN(limit, 7),
		"WriteString": func(w http.ResponseWriter, r *http.Request) {
			for range limit / 4 {
				_, _ = io.WriteString(w, "abcd")
			}
		},
		"io.Copy (ReadFrom)": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(w, strings.NewReader(strings.Repeat("x", limit)))
		},
		"io.Copy from a reader that is not special": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(w, struct{ io.Reader }{strings.NewReader(strings.Repeat("x", limit))})
		},
	}
	for name, h := range handlers {
		for _, method := range []string{"GET", "HEAD"} {
			logger, logs := newLogger()
			srv := httptest.NewServer(responselimit.New(responselimit.Config{Limit: "1kb", Logger: logger})(h))
			req, _ := http.NewRequest(method, srv.URL+"/api/x", nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			srv.Close()
			if lines := logs.Lines(); len(lines) != 1 || !strings.Contains(lines[0], "bytes=1024") {
				t.Errorf("%s %s: log %q", method, name, lines)
			}
		}
	}
}

func TestDisabledMeansNoSizeCheck(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	h := responselimit.New(responselimit.Config{Disabled: true, Logger: logger})(writeN(5<<20, 0))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if lines := logs.Lines(); len(lines) != 0 {
		t.Errorf("disabled, but logged %q", lines)
	}
}

func TestUnresolvedResponsesAreReported(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		cfg      responselimit.Config
		h        http.HandlerFunc
		warnings int
	}{
		{"nothing written", responselimit.Config{}, func(http.ResponseWriter, *http.Request) {}, 1},
		{"headers set but not sent", responselimit.Config{}, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-A", "b") }, 1},
		{"nothing written, external resolver", responselimit.Config{ExternalResolver: true}, func(http.ResponseWriter, *http.Request) {}, 0},
		{"only WriteHeader(204)", responselimit.Config{}, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, 0},
		{"only a 103 early hint", responselimit.Config{}, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(103) }, 1},
		{"an empty write", responselimit.Config{}, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(nil) }, 0},
		{"size check off keeps this check", responselimit.Config{Disabled: true}, func(http.ResponseWriter, *http.Request) {}, 1},
	}
	for _, tc := range cases {
		logger, logs := newLogger()
		tc.cfg.Logger = logger
		responselimit.New(tc.cfg)(tc.h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/noresponse?x=1", nil))
		lines := logs.Lines()
		if len(lines) != tc.warnings {
			t.Errorf("%s: log %q, want %d warnings", tc.name, lines, tc.warnings)
			continue
		}
		want := `level=WARN msg="API resolved without sending a response for /api/noresponse?x=1, this may result in stalled requests." method=POST path=/api/noresponse`
		if tc.warnings == 1 && lines[0] != want {
			t.Errorf("%s: log %q, want %q", tc.name, lines[0], want)
		}
	}
}

func TestBothChecksOffIsThePlainHandler(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	got := responselimit.New(responselimit.Config{Disabled: true, ExternalResolver: true})(h)
	if _, ok := got.(http.HandlerFunc); !ok {
		t.Errorf("got %T; with nothing to check the middleware should step aside", got)
	}
}

func TestEnforceRefusesBeforeTheHeaderWithA500(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	var writeErr error
	h := responselimit.New(responselimit.Config{Limit: "1kb", Enforce: true, Logger: logger})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, writeErr = w.Write(make([]byte, 2000))
		w.WriteHeader(http.StatusTeapot)     // ignored: the response is sealed
		_, _ = io.WriteString(w, "trailing") // refused too
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/big", nil))
	if rec.Code != 500 || rec.Body.String() != `{"error":"Internal Server Error"}` {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
	if !errors.Is(writeErr, responselimit.ErrLimitExceeded) {
		t.Errorf("the handler's write returned %v", writeErr)
	}
	var sc interface{ StatusCode() int }
	if !errors.As(writeErr, &sc) || sc.StatusCode() != 500 {
		t.Errorf("ErrLimitExceeded carries no 500 status")
	}
	if lines := logs.Lines(); len(lines) != 1 || !strings.Contains(lines[0], "enforced=true") {
		t.Errorf("log %q", lines)
	}
}

func TestEnforceWithAnErrorHandlerAnswersOnce(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	h := responselimit.New(responselimit.Config{Limit: "1kb", Enforce: true, Logger: logger})(
		apierror.Config{Logger: logger}.Recover(apierror.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write(make([]byte, 4096))
			return err // apierror must not try to answer again
		})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/big", nil))
	if rec.Code != 500 || rec.Body.String() != `{"error":"Internal Server Error"}` {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
	for _, l := range logs.Lines() {
		if strings.Contains(l, "level=ERROR") {
			t.Errorf("a refusal is not a server error to log twice: %q", l)
		}
	}
}

func TestEnforceAbortsAResponseThatHasStarted(t *testing.T) {
	t.Parallel()
	logger, _ := newLogger()
	h := responselimit.New(responselimit.Config{Limit: "1kb", Enforce: true, Logger: logger})(writeN(2000, 512))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/big", nil))
	t.Errorf("the handler returned normally")
}

func TestEnforceLetsSmallerResponsesThrough(t *testing.T) {
	t.Parallel()
	h := responselimit.New(responselimit.Config{Limit: "1kb", Enforce: true})(writeN(1023, 100))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 || rec.Body.Len() != 1023 {
		t.Errorf("got %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestInvalidConfigFailsAtStartUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  responselimit.Config
		want string
	}{
		{responselimit.Config{Limit: "4m"}, `responselimit: Limit "4m": unknown unit "m"`},
		{responselimit.Config{Limit: "0"}, `responselimit: Limit "0": a zero limit reports every response; set Disabled`},
		{responselimit.Config{Enforce: true, Disabled: true}, `responselimit: Enforce and Disabled are both set`},
	}
	for _, tc := range cases {
		if err := tc.cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", tc.cfg)
				}
			}()
			responselimit.New(tc.cfg)
		}()
	}
}

func TestAResponseThatTriggersNothingAllocatesOnlyTheWrapper(t *testing.T) {
	logger, _ := newLogger()
	body := []byte("ok")
	h := responselimit.New(responselimit.Config{Logger: logger})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body)
	}))
	r := httptest.NewRequest("GET", "/", nil)
	w := &discard{h: http.Header{}}
	if n := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) }); n > 1 {
		t.Errorf("%v allocations per response, want at most 1 (the wrapper)", n)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	unresolved := responselimit.New(responselimit.Config{Logger: quiet})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	if n := testing.AllocsPerRun(200, func() { unresolved.ServeHTTP(w, r) }); n > 1 {
		t.Errorf("a warning below the log level costs %v allocations, want only the wrapper's", n)
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
