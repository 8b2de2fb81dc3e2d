// Command quickstart is the smallest apiroutes server: handlers that return
// errors, rendered as JSON by apierror, behind apierror.Recover, and a
// body parsed by bodyparser.
//
//	go run ./examples/quickstart
//	curl -i localhost:3000/api/notes/1
//	curl -i localhost:3000/api/notes/9      # 404 {"error":"note 9 not found"}
//	curl -i localhost:3000/api/notes -H 'Content-Type: application/json' -d '{"text":"buy milk"}'  # 201
//	curl -i localhost:3000/api/notes -H 'Content-Type: application/json' -d '{"text":""}'          # 400
//	curl -i localhost:3000/api/notes -d '{"text":"x"}'  # 415: curl -d says it is a form
//	curl -i localhost:3000/api/panic        # 500, the panic is logged, not sent
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

type note struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

type notes struct {
	mu   sync.Mutex
	byID map[int]note
	next int
}

func (n *notes) get(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return apierror.BadRequest("id must be a number")
	}
	n.mu.Lock()
	nt, ok := n.byID[id]
	n.mu.Unlock()
	if !ok {
		return apierror.Errorf(http.StatusNotFound, "note %d not found", id)
	}
	return writeJSON(w, http.StatusOK, nt)
}

func (n *notes) create(w http.ResponseWriter, r *http.Request) error {
	// bodyparser has already read and checked the body (1mb at most, valid
	// JSON); Decode fills our type and names any field that does not fit.
	in, err := bodyparser.Decode[struct {
		Text string `json:"text"`
	}](r, bodyparser.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if in.Text == "" {
		return apierror.BadRequest("text is required").WithCode("missing_text")
	}
	n.mu.Lock()
	n.next++
	nt := note{ID: n.next, Text: in.Text}
	n.byID[nt.ID] = nt
	n.mu.Unlock()
	return writeJSON(w, http.StatusCreated, nt)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// newServer returns the quickstart API as one handler.
func newServer(logger *slog.Logger) http.Handler {
	store := &notes{byID: map[int]note{1: {ID: 1, Text: "hello from apiroutes"}}, next: 1}
	mux := http.NewServeMux()
	mux.Handle("GET /api/notes/{id}", apierror.HandlerFunc(store.get))
	mux.Handle("POST /api/notes", bodyparser.New(bodyparser.Config{})(apierror.HandlerFunc(store.create)))
	mux.HandleFunc("GET /api/panic", func(http.ResponseWriter, *http.Request) {
		panic("something went badly wrong")
	})
	return apierror.Config{Logger: logger}.Recover(mux)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:3000", "address to listen on")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           newServer(logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10, // Node allows 16 KiB; net/http's default is 1 MiB
	}
	fmt.Printf("quickstart listening on http://%s (try: curl -i http://%s/api/notes/1)\n", ln.Addr(), ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve", "error", err)
		os.Exit(1)
	}
}
