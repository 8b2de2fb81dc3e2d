//go:build race

package respond

// raceEnabled: the race detector drops a quarter of what is put in a
// sync.Pool, so pooling cannot be counted.
const raceEnabled = true
