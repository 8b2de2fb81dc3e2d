// Package jsonscan has the loop that the JSON validator, decoder and
// encoder spend most of their time in: finding the end of a run of string
// bytes that need no attention.
package jsonscan

// PlainRun returns the index of the first byte at or after i that is not
// printable ASCII held as it is in a JSON string: a quote, a backslash, a
// control character (below 0x20) or a byte of a multi-byte sequence (0x80
// and above); len(s) if there is none.
//
// It tests a lookup table eight bytes per step. A SWAR version (eight bytes
// as one word, tested with the "has a byte less than n" and "has a zero
// byte" tricks) was slower on this machine, on short keys and on long text
// alike (BenchmarkPlainRun, BenchmarkPlainRunLong).
func PlainRun[S string | []byte](s S, i int) int {
	for i+8 <= len(s) && plain[s[i]] && plain[s[i+1]] && plain[s[i+2]] && plain[s[i+3]] &&
		plain[s[i+4]] && plain[s[i+5]] && plain[s[i+6]] && plain[s[i+7]] {
		i += 8
	}
	for ; i < len(s); i++ {
		if !plain[s[i]] {
			return i
		}
	}
	return i
}

// plain marks the bytes PlainRun passes over.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
