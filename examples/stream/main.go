// Command stream serves a server-sent-events endpoint through the full
// compose.Route chain (recover, response checks, body parser, typed errors),
// and a small page that consumes it with EventSource:
//
//	go run ./examples/stream
//	open http://127.0.0.1:3000/            # or: curl -N localhost:3000/api/events?count=5
//
// Each event is flushed as soon as it is written, through every layer: the
// chain shares one response wrapper that keeps http.Flusher, and
// http.NewResponseController reaches the connection through it. The stream
// ends after ?count events (default 10, at most 1000) or when the client
// goes away.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/route"
)

const page = `<!doctype html>
<meta charset="utf-8">
<title>apiroutes: server-sent events</title>
<h1>Events</h1>
<ol id="events"></ol>
<script>
  const list = document.getElementById("events");
  const source = new EventSource("/api/events?count=10");
  source.addEventListener("tick", (e) => {
    const item = document.createElement("li");
    item.textContent = e.data;
    list.append(item);
  });
  source.addEventListener("done", () => source.close());
</script>
`

// ticker returns a channel of ticks and a function that stops it; tests
// replace it to control time.
type ticker func(time.Duration) (<-chan time.Time, func())

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// events streams count "tick" events, one per interval, then "done".
func events(newTicker ticker, interval time.Duration) apierror.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		count := 10
		if s := r.URL.Query().Get("count"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 1000 {
				return apierror.BadRequest("count must be a whole number from 1 to 1000")
			}
			count = n
		}
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no") // proxies such as nginx must not buffer it
		rc := http.NewResponseController(w)
		ticks, stop := newTicker(interval)
		defer stop()
		for i := 1; ; i++ {
			if _, err := fmt.Fprintf(w, "event: tick\nid: %d\ndata: {\"n\":%d,\"of\":%d}\n\n", i, i, count); err != nil {
				return err
			}
			if err := rc.Flush(); err != nil {
				return err
			}
			if i == count {
				break
			}
			select {
			case <-ticks:
			case <-r.Context().Done():
				return nil // the client left; nothing to answer
			}
		}
		if _, err := fmt.Fprint(w, "event: done\ndata: {}\n\n"); err != nil {
			return err
		}
		return rc.Flush()
	}
}

// newServer returns the page and the event stream.
func newServer(logger *slog.Logger, newTicker ticker, interval time.Duration) http.Handler {
	api := compose.Config{Errors: apierror.Config{Logger: logger}} // errors and warnings to logger
	mux := route.NewMux()
	mux.Handle("/", compose.RouteFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return respond.Send(w, r, http.StatusOK, page)
	}, api))
	mux.Handle("GET /api/events", compose.RouteFunc(events(newTicker, interval), api))
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:3000", "address to listen on")
	interval := flag.Duration("interval", time.Second, "time between events")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           newServer(logger, realTicker, *interval),
		ReadHeaderTimeout: 5 * time.Second,
		// The request, body included; a GET stream has no body, and net/http
		// lifts the read deadline once a body is read, so the stream may last.
		ReadTimeout:    30 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10, // Node allows 16 KiB; net/http's default is 1 MiB
		// No WriteTimeout: a stream is a long response. The handler ends it.
	}
	fmt.Printf("stream listening on http://%s/ (events at /api/events)\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			_ = srv.Close() // streams still open after the grace period are cut
		}
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve", "error", err)
		os.Exit(1)
	}
}
