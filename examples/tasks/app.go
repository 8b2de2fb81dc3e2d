package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/compose"
	"github.com/apiroutes/apiroutes/cors"
	"github.com/apiroutes/apiroutes/route"
)

// app is the whole API: its handler and the resources behind it.
type app struct {
	handler http.Handler
	store   *Store
	// closeLimits releases the rate limits' store (a Redis client).
	closeLimits func() error

	// DevToken is the token generated for user "dev" when the
	// configuration has none; "" otherwise.
	DevToken string
	// EphemeralSessionKey reports that sessions are signed with a random
	// key, so they end when the program does.
	EphemeralSessionKey bool
}

// newApp opens the database and builds the API for cfg. Close releases it.
func newApp(cfg config) (*app, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	a := &app{}

	tokens := cfg.Tokens
	if len(tokens) == 0 {
		a.DevToken = randomSecret(32)
		tokens = map[string]string{a.DevToken: "dev"}
	}
	key := cfg.SessionKey
	if key == nil {
		key = []byte(randomSecret(32))
		a.EphemeralSessionKey = true
	}
	auth, err := newAuthenticator(tokens, key)
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if a.store, err = OpenStore(ctx, cfg.DBPath); err != nil {
		return nil, err
	}
	auth.sessions = a.store
	h := &handlers{tasks: NewService(a.store), auth: auth, requirePrecondition: cfg.RequirePrecondition}
	if a.handler, a.closeLimits, err = routes(cfg, logger, h); err != nil {
		a.store.Close()
		return nil, err
	}
	return a, nil
}

// routes builds the API:
//
//	accessLog → route.Mux
//	  /api/tasks:                  compose.Route (recover → cors → responselimit → cross-origin check → method check → withAuth → POST: rate limit per user → bodyparser 16kb) → route.Methods
//	  /api/tasks/[id]:             compose.Route (… withAuth → bodyparser 16kb) → route.Methods
//	  /api/session:                compose.Route (… method check → POST: rate limit per client address → bodyparser 1kb) → route.Methods
//
// It returns the function that releases the rate limits' store.
func routes(cfg config, logger *slog.Logger, h *handlers) (http.Handler, func() error, error) {
	// Every error answer, from the router's 404 to the body parser's 413
	// and a panic's 500, goes through this one renderer.
	errs := apierror.Config{Renderer: renderError, Logger: logger}

	// Same-origin only (no CORS headers at all) unless -cors-origin names
	// the one origin of a browser app. Credentials are allowed so that
	// such an app can use the session cookie.
	var corsOptions *cors.Options
	if cfg.CORSOrigin != "" {
		corsOptions = &cors.Options{
			AllowedOrigins:   []string{cfg.CORSOrigin},
			AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
			AllowedHeaders:   []string{"Authorization", "Content-Type", "If-Match", "If-None-Match"},
			ExposedHeaders:   []string{"ETag", "Location"}, // the app sends the ETag back in If-Match
			AllowCredentials: true,
			MaxAge:           10 * time.Minute,
		}
	}
	api := compose.Config{CORS: corsOptions, Errors: errs, Body: bodyparser.Config{ReadTimeout: cfg.bodyTimeout()}}

	// Authentication runs before the body is read (BeforeBody), so an
	// unauthenticated client is refused without the server reading up to
	// 16kb of its body; a method a route does not serve is refused before
	// authentication (compose.Route checks the route.Methods' keys first).
	// Validate rather than a panic: a bad -cors-origin is an error of
	// newApp.
	tasksConfig := api
	tasksConfig.Body.SizeLimit = "16kb"
	tasksConfig.BeforeBody = []func(http.Handler) http.Handler{h.auth.withAuth}
	sessionConfig := api
	sessionConfig.Body.SizeLimit = "1kb"
	for _, c := range []compose.Config{tasksConfig, sessionConfig} {
		if err := c.Validate(); err != nil {
			return nil, nil, fmt.Errorf("-cors-origin: %w", err)
		}
	}
	// The rate limits (limits.go) run before the body is read too: the
	// sign-in limit per client address, the creation limit per user, so
	// after withAuth.
	login, create, closeLimits, err := limits(cfg, errs, logger)
	if err != nil {
		return nil, nil, err
	}
	listConfig := tasksConfig // GET and POST /api/tasks
	listConfig.BeforeBody = []func(http.Handler) http.Handler{h.auth.withAuth, create}
	sessionConfig.BeforeBody = []func(http.Handler) http.Handler{login}

	mux := route.NewMux()
	mux.Errors = errs // its 404 for unknown paths
	mux.Handle("/api/tasks", compose.Route(route.Methods{
		http.MethodGet:  apierror.HandlerFunc(h.listTasks),
		http.MethodPost: apierror.HandlerFunc(h.createTask),
	}, listConfig))
	mux.Handle("/api/tasks/[id]", compose.Route(route.Methods{
		http.MethodGet:    apierror.HandlerFunc(h.getTask),
		http.MethodPut:    apierror.HandlerFunc(h.replaceTask),
		http.MethodPatch:  apierror.HandlerFunc(h.patchTask),
		http.MethodDelete: apierror.HandlerFunc(h.deleteTask),
	}, tasksConfig))
	mux.Handle("/api/session", compose.Route(route.Methods{
		http.MethodPost:   apierror.HandlerFunc(h.createSession),
		http.MethodDelete: apierror.HandlerFunc(h.deleteSession),
	}, sessionConfig))

	// The session cookie is SameSite=Lax, which still lets a page on a
	// sibling subdomain send it: every compose route refuses the writes
	// that browsers mark as cross-origin (Sec-Fetch-Site, Origin) with a
	// 403, except from the -cors-origin app, which its CORS config names;
	// clients that are not browsers (curl) send neither header and pass.
	return accessLog(logger)(mux), closeLimits, nil
}

// Handler returns the API's handler.
func (a *app) Handler() http.Handler { return a.handler }

// DBPath returns the absolute path of the database file.
func (a *app) DBPath() string { return a.store.Path() }

// Close closes the database, after the queries in progress. Call it once the
// server has stopped handing requests to Handler.
func (a *app) Close() error { return errors.Join(a.store.Close(), a.closeLimits()) }

// # The access log
//
// The log line wants the status and the size of every response. The usual
// way to learn them is to wrap the ResponseWriter, but this project allows
// one wrapper per request, and it belongs to the library (internal, shared
// by every layer, the one that keeps Flusher, Hijacker and
// ResponseController working). So the access log does not wrap: it is the
// outermost middleware, it puts an *exchange in the request's context, and
// the places that decide a status write it there:
//
//   - renderError, the apierror Renderer of every layer (router 404/405,
//     body parser 400/413/415, withAuth 401, the cross-origin 403,
//     handler errors, a panic's 500): all error answers of the app;
//   - sendJSON and sendStatus, through which every handler answers.
//
// The size is the Content-Length the answer declared (respond and apierror
// always set one; a 204 has none: 0). The few answers that the library gives
// by itself without an error (the router's 308 to a path without its
// trailing slash, an OPTIONS 204 with Allow, a CORS preflight) are logged
// without a status rather than with a guessed one.

// exchange is what the access log learns about a request from the layers
// inside it. The request's own goroutine writes it; the log reads it after.
type exchange struct {
	status int
	user   string
}

type exchangeKey struct{}

func noteStatus(r *http.Request, status int) {
	if ex, ok := r.Context().Value(exchangeKey{}).(*exchange); ok {
		ex.status = status
	}
}

func noteUser(r *http.Request, user string) {
	if ex, ok := r.Context().Value(exchangeKey{}).(*exchange); ok {
		ex.user = user
	}
}

// renderError is apierror.RenderJSON ({"error": "..."}) that notes the status.
func renderError(w http.ResponseWriter, r *http.Request, e *apierror.Error) {
	noteStatus(r, e.Status)
	apierror.RenderJSON(w, r, e)
}

// accessLog logs one line per request at Info: method, path, status, bytes,
// duration, and the user once authenticated. See the comment above for
// where the status comes from.
func accessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ex := &exchange{}
			r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex))
			aborted := true
			defer func() {
				attrs := make([]slog.Attr, 0, 7)
				attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path))
				if ex.status != 0 {
					attrs = append(attrs, slog.Int("status", ex.status))
				}
				n, _ := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
				attrs = append(attrs, slog.Int64("bytes", n), slog.Duration("duration", time.Since(start)))
				if ex.user != "" {
					attrs = append(attrs, slog.String("user", ex.user))
				}
				if aborted { // a panic after the response started: net/http cuts the connection
					attrs = append(attrs, slog.Bool("aborted", true))
				}
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			}()
			next.ServeHTTP(w, r)
			aborted = false
		})
	}
}
