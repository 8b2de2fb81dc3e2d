//go:build race

package ratelimit

// raceEnabled: the race detector's instrumentation allocates, so
// allocations cannot be counted.
const raceEnabled = true
