package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
)

func init() {
	// go-redis logs every failed dial; the outage tests count the Store's
	// own lines.
	redis.SetLogger(&logging.VoidLogger{})
}

// newClient returns a client with the short timeouts a rate limit wants.
func newClient(t testing.TB, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr:          addr,
		DialTimeout:   250 * time.Millisecond,
		ReadTimeout:   250 * time.Millisecond,
		WriteTimeout:  250 * time.Millisecond,
		DialerRetries: 1,
		MaxRetries:    1,
		PoolSize:      4,
	})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING %s: %v", addr, err)
	}
	return c
}
