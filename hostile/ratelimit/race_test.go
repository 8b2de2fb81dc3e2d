//go:build race

package ratelimit_test

// raceEnabled: the race detector's shadow memory grows the resident set.
const raceEnabled = true
