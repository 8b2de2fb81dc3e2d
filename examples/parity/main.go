// Command parity serves, route for route, the Next.js app in nextjs/app
// (pages/api files and one App Router route handler), built from this
// module's packages the way a user would build it, so that the same requests
// can be sent to both servers and the answers compared: nextjs/compare.sh
// does that, and nextjs/README.md lists what differs and why.
//
//	go run ./examples/parity -addr 127.0.0.1:3001 [-errors json|text|problem]
//	curl -i 'http://127.0.0.1:3001/api/echo?a=1&a=2' -H 'Content-Type: application/json' -d '{"x":null}'
//	curl -i 'http://127.0.0.1:3001/api/send?kind=string'        # ETag "2caikvdqo85", no Content-Type
//	curl -i 'http://127.0.0.1:3001/api/status?code=0xC9'        # 201: the code is read like Number()
//	curl -s 'http://127.0.0.1:3001/api/big?n=4194304' >/dev/null # one warning line on stderr
//	curl -i  http://127.0.0.1:3001/api/post/abc/                # 308 to /api/post/abc
//
// The routes (handlers in server.go):
//
//	/api/echo, /api/small (100b), /api/limit-1kb, /api/limit-decimal (1.5kb)
//	                        {method, query, body, bodyType, cookies, contentType}
//	/api/raw                bodyParser: false; {length, sha256, bodyIsUndefined}
//	/api/status?code=N      res.status(Number(N)).json({ok: true})
//	/api/send?kind=K        res.send / res.json with every kind of value
//	/api/redirect?mode=M    res.redirect in every form
//	/api/big?n=N            N bytes of "a" (&mode=write: 64 KiB writes); the
//	                        4mb response warning; /api/big-nolimit has none,
//	                        /api/big-8mb warns from 8mb
//	/api/noresponse         answers nothing: the unresolved-response warning
//	/api/external           answers nothing, externalResolver: no warning
//	/api/throw, /api/throw-async   a panic, a returned error: 500, cause logged
//	/api/post/create, /api/post/[pid], /api/post/[...slug], /api/opt/[[...slug]]
//	                        {which, query}
//	/api/cookies            req.cookies
//	/api/returns-value      {"returned":true}
//	/api/handler            a route handler exporting GET and POST
//
// Errors are JSON ({"error":"Invalid JSON"}), apierror's default; with
// -errors text they are Next's plain text ("Invalid JSON", no Content-Type),
// which is what compare.sh uses so that its diff shows the other differences.
//
// Warnings and errors go to stderr, one line per record: a warning's line is
// exactly the text Next prints with console.warn; an error's line is its
// message followed by its attributes (see lineHandler).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3001", "address to listen on (port 0 picks a free one)")
	errorsFlag := flag.String("errors", "json", "how errors are rendered: json (apierror's default), text (Next's plain text) or problem (RFC 9457)")
	flag.Parse()
	renderers := map[string]apierror.Renderer{"json": apierror.RenderJSON, "text": apierror.RenderText, "problem": apierror.RenderProblem}
	renderer, ok := renderers[*errorsFlag]
	if !ok {
		fmt.Fprintf(os.Stderr, "parity: -errors %q: want json, text or problem\n", *errorsFlag)
		os.Exit(2)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parity:", err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           newServerWith(os.Stderr, renderer),
		ReadHeaderTimeout: 5 * time.Second,
		// Bodies and responses go up to tens of megabytes (/api/raw,
		// /api/big-nolimit): a minute is ample on loopback.
		ReadTimeout:  time.Minute,
		WriteTimeout: time.Minute,
		IdleTimeout:  2 * time.Minute,
		// Node allows 16 KiB of headers; net/http's default is 1 MiB.
		MaxHeaderBytes: 64 << 10,
	}
	fmt.Printf("parity listening on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "parity:", err)
		os.Exit(1)
	}
	<-done
}
