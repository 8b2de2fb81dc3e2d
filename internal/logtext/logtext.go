// Package logtext bounds what a log line quotes from a request: a client
// chooses the request line, and can make every request log.
package logtext

import (
	"strconv"
	"unicode/utf8"
)

// Max is how many bytes of one request value (a URL, a method, a path) a
// log line carries.
const Max = 256

// Quote returns s, or its first Max bytes (fewer, to end on a character)
// followed by "…(+N bytes)", N being how many were left out. A value within
// Max is returned as it is, without allocating.
func Quote(s string) string {
	if len(s) <= Max {
		return s
	}
	cut := Max
	// Back over at most three continuation bytes: invalid UTF-8 stays
	// invalid, but cannot make the cut walk far.
	for i := 1; i < utf8.UTFMax && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return s[:cut] + "…(+" + strconv.Itoa(len(s)-cut) + " bytes)"
}
