package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
)

// # Rate limits
//
// Two routes are limited: signing in (POST /api/session), per client
// address, because it is where a token is guessed; and creating a task
// (POST /api/tasks), per user, because it is what fills the database. The
// other requests are not limited.
//
// The limits live in process memory unless -redis (or REDIS_URL) names a
// Redis: then every instance of the program that uses it shares them. The
// Redis store fails closed: while Redis is unavailable, the two limited
// routes answer 503 (a guessed token must not become unlimited because
// Redis is down), and the outage is logged once, not per request.

// The default limits.
var (
	// defaultLoginLimit: 5 sign-ins at once per client address, then one
	// every 12 seconds.
	defaultLoginLimit = ratelimit.Limit{Rate: 5, Period: time.Minute, Burst: 5}
	// defaultCreateLimit: 10 tasks at once per user, then one every 2
	// seconds.
	defaultCreateLimit = ratelimit.Limit{Rate: 30, Period: time.Minute, Burst: 10}
)

// limits builds the two limits' middlewares for cfg, and returns what
// Close must release: the Redis client, when there is one.
func limits(cfg config, errs apierror.Config, logger *slog.Logger) (login, create func(http.Handler) http.Handler, closeStore func() error, err error) {
	loginLimit, createLimit := cfg.LoginLimit, cfg.CreateLimit
	if loginLimit == (ratelimit.Limit{}) {
		loginLimit = defaultLoginLimit
	}
	if createLimit == (ratelimit.Limit{}) {
		createLimit = defaultCreateLimit
	}

	loginConfig := ratelimit.Config{Name: "login", Limit: loginLimit, Errors: errs}
	createConfig := ratelimit.Config{
		Name: "create", Limit: createLimit, Errors: errs,
		Key: func(r *http.Request) string { // withAuth has run: there is a user
			user, _ := userFrom(r.Context())
			return user
		},
	}
	for _, c := range []ratelimit.Config{loginConfig, createConfig} {
		if err := c.Validate(); err != nil {
			return nil, nil, nil, fmt.Errorf("%w (limit %s)", err, c.Name)
		}
	}

	// Without Redis, each limit has a memory store of its own, made now
	// rather than at its first request: its 1 MiB is there from the start.
	loginConfig.Store, createConfig.Store = ratelimit.NewMemoryStore(0), ratelimit.NewMemoryStore(0)
	closeStore = func() error { return nil }
	if cfg.RedisURL != "" {
		client, err := openRedis(cfg.RedisURL)
		if err != nil {
			return nil, nil, nil, err
		}
		// One store for both limits: their Names keep their keys apart.
		store := redisstore.New(client, redisstore.Options{Prefix: "apiroutes-tasks:", Logger: logger})
		loginConfig.Store, createConfig.Store = store, store
		closeStore = client.Close
	}
	login = forMethod(http.MethodPost, ratelimit.New(loginConfig))
	create = forMethod(http.MethodPost, ratelimit.New(createConfig))
	return login, create, closeStore, nil
}

// openRedis connects to the Redis at url (redis://host:6379/0), with
// timeouts short enough that a dead Redis costs a limited request a
// fraction of a second, and checks that it answers.
func openRedis(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("-redis: %w", err)
	}
	// The URL's query (?dial_timeout=1s) may set these; else a rate
	// limit's short ones, rather than go-redis's seconds.
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 250 * time.Millisecond
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 250 * time.Millisecond
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 250 * time.Millisecond
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 1
	}
	quietRedis.Do(func() {
		// go-redis logs every failed dial to stderr; the store logs an
		// outage once. Its logger is global: set it once, before the
		// first client.
		redis.SetLogger(&logging.VoidLogger{})
	})
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("-redis: Redis at %s does not answer: %w", opts.Addr, err)
	}
	return client, nil
}

var quietRedis sync.Once

// forMethod applies mw to the requests of one method, and passes the
// others straight to the handler.
func forMethod(method string, mw func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		limited := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == method {
				limited.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
