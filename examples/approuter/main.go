// Command approuter is the App Router guide's API in Go: chat sessions
// filtered by ?type=, artifacts uploaded as multipart/form-data, a login
// callback that redirects, all behind withAuth, on a Route → Service →
// Database stack with embedded SQLite.
//
//	GET    /api/chat/sessions?type=chat   the user's sessions, of one type if given
//	POST   /api/chat/sessions             {"title","type"} → 201
//	PATCH  /api/chat/sessions?id=…        {"title"} → the session
//	DELETE /api/chat/sessions?id=…        204; its artifacts go too
//	POST   /api/artifacts                 multipart: file, sessionId → 201
//	GET    /api/artifacts/[id]            metadata; ?download=1 for the file
//	DELETE /api/artifacts/[id]            204
//	POST   /api/auth/callback             code=… → 303 to / with a session cookie,
//	                                      or to /login?error=auth_failed
//	POST   /api/auth/logout               ends the session → 204
//
// Run it from the repository's root:
//
//	go run ./examples/approuter
//
// Redirects go to the app's public origin, never to the Host header a
// client sends: set it with -origin or APPROUTER_ORIGIN (such as
// https://app.example) wherever the app is not reached at its listening
// address; the default is that address (http://127.0.0.1:3001).
//
// It prints a bearer token and a one-time login code for user "dev":
//
//	curl -sS -H "Authorization: Bearer $TOKEN" -d '{"title":"Plan"}' http://127.0.0.1:3001/api/chat/sessions
//	curl -sS -H "Authorization: Bearer $TOKEN" -F sessionId=ID -F file=@notes.txt http://127.0.0.1:3001/api/artifacts
//	curl -si -c jar.txt -d code=CODE http://127.0.0.1:3001/api/auth/callback
//
// The JSON routes take JSON whatever the Content-Type, as request.json()
// does, so curl's -d without a Content-Type works.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3001", "address to listen on")
	db := flag.String("db", ":memory:", "SQLite file; :memory: keeps nothing after the server stops")
	origin := flag.String("origin", os.Getenv("APPROUTER_ORIGIN"), "public origin redirects go to, such as https://app.example (default $APPROUTER_ORIGIN, else http://<addr>)")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("approuter: %v (choose another address with -addr)", err)
	}
	if *origin == "" {
		*origin = localOrigin(ln.Addr())
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	token := randomString(24)
	handler, a, closeDB, err := newApp(context.Background(), *db, *origin, map[string]string{token: "dev"}, logger)
	if err != nil {
		log.Fatal(err)
	}
	defer closeDB()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second, // the body parser's 30s deadline comes first
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Printf("approuter: serving http://%s/api/chat/sessions\n\n    export TOKEN=%s\n    login code for the callback: %s\n\n", ln.Addr(), token, a.IssueCode("dev"))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// localOrigin is the origin of a local run: http on the listening address,
// with 127.0.0.1 for an unspecified one (-addr :3001).
func localOrigin(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); err != nil || ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
