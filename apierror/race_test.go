//go:build race

package apierror_test

// raceEnabled: the race detector changes what escapes to the heap, so
// allocation counts hold only without it.
const raceEnabled = true
