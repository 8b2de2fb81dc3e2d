package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/respond"
	"github.com/apiroutes/apiroutes/route"
)

// newApp opens the database at dbPath and returns the API, with tokens
// (token → user) for bearer authentication, redirecting to origin.
func newApp(ctx context.Context, dbPath, origin string, tokens map[string]string, logger *slog.Logger) (http.Handler, *auth, func() error, error) {
	store, err := OpenStore(ctx, dbPath)
	if err != nil {
		return nil, nil, nil, err
	}
	a := newAuth(tokens)
	h := &handlers{svc: &Service{store: store, now: time.Now}, auth: a}
	return routes(h, origin, logger), a, store.Close, nil
}

// routes is the app/api tree. Every route gets the standard chain (recover,
// response checks, body parser) from the Mux's default; routes that need a
// user authenticate before their body is read (BeforeBody), and each route
// reads its body the way its route.ts does: request.json() for JSON routes,
// request.formData() for the upload, a form for the login callback.
// Redirects resolve against origin, the app's public origin, never against
// the Host header a client sends.
func routes(h *handlers, origin string, logger *slog.Logger) http.Handler {
	errs := apierror.Config{Logger: logger}
	api := compose.Config{Errors: errs, Body: bodyparser.Config{SizeLimit: "64kb"}}

	mux := route.NewMux()
	mux.Errors = errs
	// request.json(): JSON whatever the Content-Type (fetch with a string body
	// sends text/plain;charset=UTF-8).
	authedJSON := api
	authedJSON.BeforeBody = []func(http.Handler) http.Handler{h.auth.authenticate}
	authedJSON.Body.AlwaysJSON = true
	mux.Use(compose.Chain(authedJSON).Then)
	mux.Handle("/api/chat/sessions", h.chatSessions())
	mux.Handle("/api/artifacts/[id]", h.artifact())

	// request.formData(): up to 5mb of file, on the stream; parts beyond
	// 256kb of memory go to a temporary file removed after the handler.
	upload := api
	upload.BeforeBody = authedJSON.BeforeBody
	upload.Body.SizeLimit = "6mb"
	upload.Body.Multipart = &bodyparser.MultipartConfig{MaxFileSize: "5mb", MaxParts: 8, MaxMemory: "256kb"}
	mux.Replace(compose.Chain(upload).Then).Handle("/api/artifacts", h.artifacts())

	// The login callback has no user yet, and takes a small form. Its
	// redirect is new URL(path, request.url): on our origin, not the
	// client's Host.
	callback := api
	callback.Body.SizeLimit = "4kb"
	callback.BeforeBody = []func(http.Handler) http.Handler{respond.PublicOrigin(origin)}
	mux.Replace(compose.Chain(callback).Then).Handle("/api/auth/callback", h.authCallback())
	logout := api
	logout.Body.SizeLimit = "1kb"
	mux.Replace(compose.Chain(logout).Then).Handle("/api/auth/logout", h.logout())
	return mux
}
