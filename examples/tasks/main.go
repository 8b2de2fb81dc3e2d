// Command tasks is a task-manager API built with apiroutes: every user has
// their own tasks, kept in an embedded SQLite database (pure Go, no cgo).
//
//	GET    /api/tasks         the caller's tasks, newest first: ?status=todo|doing|done, ?limit=1..100 (20), ?cursor=
//	POST   /api/tasks         create: {"title": "...", "description": "...", "status": "todo"}; 201 + Location
//	GET    /api/tasks/[id]    one task, with its ETag
//	PUT    /api/tasks/[id]    replace: title required; description "" and status "todo" when left out
//	PATCH  /api/tasks/[id]    change only the members given; "description": null clears it
//	DELETE /api/tasks/[id]    204
//	POST   /api/session       trade the bearer token for a session cookie (24h), recorded on the server
//	DELETE /api/session       end the session on the server (a copied cookie stops working) and remove the cookie
//
// Requests authenticate with Authorization: Bearer <token> or with the session
// cookie. Another user's task is a 404, exactly like a task that does not
// exist. Errors are JSON, {"error": "..."}, naming the field or query
// parameter at fault; unknown body members and query parameters are refused,
// not ignored. Titles have 1 to 200 characters, descriptions at most 2000;
// bodies are limited to 16kb. PUT, PATCH and DELETE honour If-Match with
// the ETag of a GET: 412 if the task changed since, so that no client
// overwrites a change it has not seen. Responses are logged, one line each,
// to stderr.
//
// The layers: handlers.go (HTTP: route, bodyparser, respond) → service.go
// (validation, rules, ownership) → store.go (SQL, parameterised, schema
// versioned with PRAGMA user_version). auth.go has withAuth and sessions;
// app.go puts the routes together, with the access log.
//
// Flags:
//
//	-addr 127.0.0.1:3000     address to listen on
//	-db PATH                 SQLite file; default tasks.db in the user cache directory
//	                         (~/.cache/apiroutes-tasks on Linux), else in the working directory
//	-tokens alice=t1,bob=t2  users and their bearer tokens (env TASKS_TOKENS); without any,
//	                         a random token for user "dev" is generated and printed
//	-session-key KEY         at least 32 bytes that sign session cookies (env TASKS_SESSION_KEY);
//	                         without one, a random key: sessions end when the server stops
//	-cors-origin ORIGIN      the one browser origin allowed to call the API
//	                         (https://app.example); default none: same-origin only
//	-shutdown-timeout 10s    how long requests in flight may take to finish on SIGINT/SIGTERM
//	-require-precondition    refuse PUT, PATCH and DELETE without If-Match (428); default:
//	                         If-Match is optional, and checked when sent (412 if the task changed)
//	-redis URL               the Redis that keeps the rate limits (env REDIS_URL), shared by
//	                         every instance: redis://localhost:6379/0; default: process memory
//
// Signing in (POST /api/session) is limited to 5 a minute per client
// address, and creating tasks (POST /api/tasks) to 10 at once, then 30 a
// minute, per user: beyond, 429 with Retry-After and the RateLimit
// headers. With -redis, the limits hold across instances; while Redis is
// unavailable those two routes answer 503 (see limits.go).
//
// Prefer the environment for secrets: flags are visible to other local users
// in the process list.
//
// # A session with curl
//
// Start the server (from the repository's root) and keep it running:
//
//	go run ./examples/tasks
//
// It prints a line `export TOKEN=...`: paste it into another terminal, then:
//
//	BASE=http://127.0.0.1:3000
//	AUTH="Authorization: Bearer $TOKEN"
//	JSON='Content-Type: application/json'
//
//	# create: 201 Created. The headers go to the terminal, and the Location
//	# header, the new task's path, into $TASK (%header needs curl 7.84 or later).
//	TASK=$(curl -sS -D /dev/stderr -o /dev/null -w '%header{location}' -H "$AUTH" -H "$JSON" \
//	  -d '{"title":"Write the README","description":"with a curl session"}' $BASE/api/tasks)
//	curl -sS -H "$AUTH" -H "$JSON" -d '{"title":"Ship it","status":"doing"}' $BASE/api/tasks; echo
//
//	curl -sS -H "$AUTH" $BASE/api/tasks; echo                  # list: {"tasks":[...]}, newest first
//	curl -sS -H "$AUTH" "$BASE/api/tasks?limit=1"; echo        # one page, and the next_cursor to the next
//	curl -sS -H "$AUTH" "$BASE/api/tasks?status=doing"; echo   # only the tasks in progress
//	curl -sS -H "$AUTH" $BASE$TASK; echo                       # get
//	curl -sS -X PUT -H "$AUTH" -H "$JSON" -d '{"title":"Write the README","status":"doing"}' $BASE$TASK; echo
//	                                                           # replace: the description left out is now ""
//	curl -sS -X PATCH -H "$AUTH" -H "$JSON" -d '{"status":"done"}' $BASE$TASK; echo  # only the status changes
//	ETAG=$(curl -sS -o /dev/null -w '%header{etag}' -H "$AUTH" $BASE$TASK)           # the version read
//	curl -sS -X PATCH -H "$AUTH" -H "$JSON" -H "If-Match: $ETAG" -d '{"status":"doing"}' $BASE$TASK; echo
//	                                                           # only if unchanged since: else 412
//	curl -si -X DELETE -H "$AUTH" $BASE$TASK                   # 204 No Content
//	curl -si -H "$AUTH" $BASE$TASK; echo                       # 404 {"error":"task not found"}
//
//	curl -sS -H "$AUTH" -H "$JSON" -d '{"title":"x","colour":"red"}' $BASE/api/tasks; echo  # 400 naming "colour"
//	curl -sS -H "$AUTH" "$BASE/api/tasks?limit=500"; echo      # 400 naming "limit"
//	curl -si $BASE/api/tasks; echo                             # 401, WWW-Authenticate: Bearer realm="tasks"
//
//	# the session cookie instead of the header
//	curl -sS -X POST -H "$AUTH" -c jar.txt $BASE/api/session; echo   # {"user":"dev","expires_at":"..."}
//	curl -sS -b jar.txt $BASE/api/tasks; echo                        # no Authorization header
//	curl -si -X DELETE -b jar.txt -c jar.txt $BASE/api/session       # 204; the cookie is gone
//
// Stop the server with Ctrl-C: requests in flight finish, then the database
// is closed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/apiroutes/apiroutes/ratelimit"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tasks:", err)
		os.Exit(2)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, nil); err != nil {
		cfg.Logger.Error("tasks stopped", "error", err)
		os.Exit(1)
	}
}

// config is everything the program can be told.
type config struct {
	Addr            string
	DBPath          string
	CORSOrigin      string
	Tokens          map[string]string // token → user; empty: a generated token for "dev"
	SessionKey      []byte            // nil: a random key
	ShutdownTimeout time.Duration
	BodyTimeout     time.Duration // how long a request body may take; 0: defaultBodyTimeout
	Logger          *slog.Logger  // nil: slog.Default()
	// RequirePrecondition refuses PUT, PATCH and DELETE without If-Match
	// (or If-None-Match) with 428 Precondition Required.
	RequirePrecondition bool
	// RedisURL names the Redis that keeps the rate limits
	// (redis://localhost:6379/0); empty: process memory.
	RedisURL string
	// LoginLimit and CreateLimit are the rate limits of POST /api/session
	// per client address and of POST /api/tasks per user; zero: the
	// defaults of limits.go.
	LoginLimit, CreateLimit ratelimit.Limit
}

// defaultBodyTimeout gives a 16kb body 1.6 KB/s: any client that is
// still connected.
const defaultBodyTimeout = 10 * time.Second

func (c config) bodyTimeout() time.Duration {
	if c.BodyTimeout > 0 {
		return c.BodyTimeout
	}
	return defaultBodyTimeout
}

// parseConfig reads the flags in args and, for what they leave out, the
// environment through getenv. Usage and flag errors go to output.
func parseConfig(args []string, getenv func(string) string, output io.Writer) (config, error) {
	fs := flag.NewFlagSet("tasks", flag.ContinueOnError)
	fs.SetOutput(output)
	var cfg config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:3000", "address to listen on")
	fs.StringVar(&cfg.DBPath, "db", "", "SQLite database `file` (default: tasks.db under the user cache directory, else the working directory)")
	fs.StringVar(&cfg.CORSOrigin, "cors-origin", "", "the browser `origin` allowed to call the API, e.g. https://app.example (default: same-origin only)")
	tokens := fs.String("tokens", "", "`user=token` pairs, comma-separated (env TASKS_TOKENS; default: a random token for user \"dev\", printed)")
	key := fs.String("session-key", "", "`secret` of at least 32 bytes that signs session cookies (env TASKS_SESSION_KEY; default: random, sessions end on restart)")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", defaultBodyTimeout, "how long a request body may take to arrive (a slower one gets a 408)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish when stopping")
	fs.BoolVar(&cfg.RequirePrecondition, "require-precondition", false, "refuse PUT, PATCH and DELETE without If-Match (the task's ETag) with 428")
	fs.StringVar(&cfg.RedisURL, "redis", "", "`URL` of the Redis that keeps the rate limits, shared by every instance, e.g. redis://localhost:6379/0 (env REDIS_URL; default: process memory)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	if cfg.BodyTimeout <= 0 {
		return config{}, fmt.Errorf("-body-timeout must be positive, got %v", cfg.BodyTimeout)
	}
	if cfg.ShutdownTimeout <= 0 {
		return config{}, fmt.Errorf("-shutdown-timeout must be positive, got %v", cfg.ShutdownTimeout)
	}

	if *tokens == "" {
		*tokens = getenv("TASKS_TOKENS")
	}
	var err error
	if cfg.Tokens, err = parseTokens(*tokens); err != nil {
		return config{}, fmt.Errorf("-tokens: %w", err)
	}

	if *key == "" {
		*key = getenv("TASKS_SESSION_KEY")
	}
	if *key != "" {
		if len(*key) < 32 {
			return config{}, fmt.Errorf("-session-key: %d bytes; use at least 32 (e.g. openssl rand -hex 32)", len(*key))
		}
		cfg.SessionKey = []byte(*key)
	}

	if cfg.RedisURL == "" {
		cfg.RedisURL = getenv("REDIS_URL")
	}

	if cfg.DBPath == "" {
		cfg.DBPath = defaultDBPath()
	}
	return cfg, nil
}

var userName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// parseTokens reads "alice=tok1,bob=tok2" into token → user. A user may have
// several tokens; a token belongs to one user.
func parseTokens(s string) (map[string]string, error) {
	tokens := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return tokens, nil
	}
	for pair := range strings.SplitSeq(s, ",") {
		user, token, ok := strings.Cut(strings.TrimSpace(pair), "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("%q is not user=token", pair)
		case !userName.MatchString(user):
			return nil, fmt.Errorf("user %q: use 1 to 64 letters, digits, '.', '_' or '-'", user)
		case token == "" || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			return nil, fmt.Errorf("user %q: the token must be non-empty, without spaces or control characters", user)
		}
		if other, dup := tokens[token]; dup {
			return nil, fmt.Errorf("users %q and %q have the same token", other, user)
		}
		tokens[token] = user
	}
	return tokens, nil
}

// defaultDBPath is tasks.db in apiroutes-tasks under the user cache
// directory, created if needed, or in the working directory when there is
// no usable cache directory.
func defaultDBPath() string {
	if dir, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(dir, "apiroutes-tasks")
		if err := os.MkdirAll(dir, 0o700); err == nil {
			return filepath.Join(dir, "tasks.db")
		}
	}
	return "tasks.db"
}

// run serves the API on cfg.Addr until ctx is done, then shuts down
// gracefully: the listener closes, requests in flight get
// cfg.ShutdownTimeout to finish, and the database is closed last. It prints
// the start-up notes to stdout and calls ready, if not nil, with the base URL
// once the server accepts connections.
func run(ctx context.Context, cfg config, stdout io.Writer, ready func(baseURL string)) error {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	a, err := newApp(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		// 3000 is also next dev's port: say how to pick another one.
		err = fmt.Errorf("%w; choose another address with -addr (e.g. -addr 127.0.0.1:3001)", err)
		return errors.Join(err, a.Close())
	}
	// The body parser's deadline (cfg.BodyTimeout) replaces the server's
	// ReadTimeout while a body is read, and must end well before
	// WriteTimeout, which counts from the end of the headers: else its 408
	// cannot be written and a slow client sees the connection close instead.
	body := cfg.bodyTimeout()
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       5*time.Second + body, // headers, then a body of up to 16kb
		WriteTimeout:      20*time.Second + body,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	base := "http://" + displayAddr(ln.Addr())
	printBanner(stdout, base, a, cfg)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if ready != nil {
		ready(base)
	}

	select {
	case err := <-served: // the listener failed
		return errors.Join(err, a.Close())
	case <-ctx.Done():
	}
	logger.Info("shutting down: waiting for requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still in flight after the shutdown timeout: closing their connections", "error", err)
		errs = append(errs, srv.Close())
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	// database/sql's Close waits for queries still running (a handler
	// whose connection was just closed), then SQLite folds the WAL into
	// the database file.
	errs = append(errs, a.Close())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logger.Info("stopped; database closed", "db", a.DBPath())
	return nil
}

// displayAddr is addr as a client reaches it: an unspecified IP (":3000",
// "0.0.0.0:3000") is reachable on loopback.
func displayAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	ip := "127.0.0.1"
	if tcp.IP.To4() == nil {
		ip = "::1"
	}
	return net.JoinHostPort(ip, fmt.Sprint(tcp.Port))
}

func printBanner(w io.Writer, base string, a *app, cfg config) {
	fmt.Fprintf(w, "tasks: serving %s/api/tasks\n", base)
	fmt.Fprintf(w, "tasks: database %s\n", a.DBPath())
	if a.DevToken != "" {
		fmt.Fprintf(w, "tasks: no -tokens or TASKS_TOKENS: generated this token for user \"dev\", valid until the server stops:\n\n")
		fmt.Fprintf(w, "    export TOKEN=%s\n", a.DevToken)
		fmt.Fprintf(w, "    curl -i -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"title\":\"Try apiroutes\"}' %s/api/tasks\n\n", base)
	} else {
		users := make([]string, 0, len(cfg.Tokens))
		for _, u := range cfg.Tokens {
			if !slices.Contains(users, u) {
				users = append(users, u)
			}
		}
		slices.Sort(users)
		fmt.Fprintf(w, "tasks: users %s\n", strings.Join(users, ", "))
	}
	if a.EphemeralSessionKey {
		fmt.Fprintln(w, "tasks: no -session-key or TASKS_SESSION_KEY: session cookies are signed with a random key and end when the server stops")
	}
	if cfg.CORSOrigin != "" {
		fmt.Fprintf(w, "tasks: CORS allowed for %s\n", cfg.CORSOrigin)
	}
	if cfg.RedisURL != "" {
		fmt.Fprintln(w, "tasks: rate limits kept in Redis")
	} else {
		fmt.Fprintln(w, "tasks: rate limits kept in process memory (-redis or REDIS_URL to share them)")
	}
}
