// Package jsonscan has the loop that the JSON validator, decoder and
// encoder spend most of their time in: finding the end of a run of string
// bytes that need no attention, eight bytes at a time.
package jsonscan

const (
	lo = 0x0101010101010101
	hi = 0x8080808080808080
)

// PlainRun returns the index of the first byte at or after i that is not
// printable ASCII held as it is in a JSON string: a quote, a backslash, a
// control character (below 0x20) or a byte of a multi-byte sequence (0x80
// and above); len(s) if there is none.
func PlainRun[S string | []byte](s S, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// Each term has a byte's top bit set when some byte of w is
		// below 0x20, a quote or a backslash (the classic "has a byte
		// less than n" and "has a zero byte" tests, exact as to whether
		// any byte matches), or is 0x80 or above.
		q := w ^ ('"' * lo)
		b := w ^ ('\\' * lo)
		if ((w-0x20*lo)&^w|(q-lo)&^q|(b-lo)&^b|w)&hi != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}
