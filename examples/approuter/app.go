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
	api := compose.Defaults{Errors: errs, Logger: logger, SizeLimit: "64kb"}
	chain := func(c compose.Config) route.Middleware { return compose.Chain(api.Merge(c)).Then }
	authed := []func(http.Handler) http.Handler{h.auth.authenticate}

	mux := route.NewMux()
	mux.Errors = errs
	// request.json(): JSON whatever the Content-Type (fetch with a string body
	// sends text/plain;charset=UTF-8).
	mux.Use(chain(compose.Config{BeforeBody: authed, AlwaysJSON: true}))
	mux.Handle("/api/chat/sessions", h.chatSessions())
	mux.Handle("/api/artifacts/[id]", h.artifact())

	// request.formData(): up to 5mb of file, on the stream; parts beyond
	// 256kb of memory go to a temporary file removed after the handler.
	mux.Replace(chain(compose.Config{BeforeBody: authed, SizeLimit: "6mb", Multipart: &bodyparser.MultipartConfig{
		MaxFileSize: "5mb", MaxParts: 8, MaxMemory: "256kb",
	}})).Handle("/api/artifacts", h.artifacts())

	// The login callback has no user yet, and takes a small form. Its
	// redirect is new URL(path, request.url): on our origin, not the
	// client's Host.
	publicOrigin := []func(http.Handler) http.Handler{respond.PublicOrigin(origin)}
	mux.Replace(chain(compose.Config{SizeLimit: "4kb", BeforeBody: publicOrigin})).Handle("/api/auth/callback", h.authCallback())
	mux.Replace(chain(compose.Config{SizeLimit: "1kb"})).Handle("/api/auth/logout", h.logout())
	return mux
}
