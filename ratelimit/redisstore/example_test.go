package redisstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apiroutes/apiroutes/ratelimit"
	"github.com/apiroutes/apiroutes/ratelimit/redisstore"
)

// A Store for a login route: fail closed (the default) so that an outage
// never lifts the limit, with timeouts short enough that a dead Redis costs
// each request a fraction of a second, not seconds.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{
		Addr:          "localhost:6379",
		DialTimeout:   250 * time.Millisecond,
		ReadTimeout:   250 * time.Millisecond,
		WriteTimeout:  250 * time.Millisecond,
		DialerRetries: 1,
		MaxRetries:    1,
	})
	defer client.Close()
	store := redisstore.New(client, redisstore.Options{
		Prefix: "myapp:ratelimit:",
		Logger: slog.Default(),
	})

	login := ratelimit.Limit{Rate: 5, Period: time.Minute, Burst: 5}
	res, err := store.Allow(context.Background(), "login:203.0.113.7", login, 1)
	if err != nil {
		fmt.Println("Redis unavailable: answer 503")
		return
	}
	fmt.Println(res.Allowed, res.Remaining)
}
