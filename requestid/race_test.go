//go:build race

package requestid

// raceEnabled: the race detector changes what escapes to the heap, so
// allocation counts hold only without it.
const raceEnabled = true
