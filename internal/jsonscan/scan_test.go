package jsonscan

import "testing"

// plainRun is the definition, a byte at a time.
func plainRun(s []byte, i int) int {
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

func TestPlainRunStopsAtEveryByteThatNeedsAttention(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 20; pos++ {
			s := []byte("abcdefghijklmnopqrstuvwxyz")
			s[pos] = byte(c)
			for start := 0; start <= pos; start++ {
				want := plainRun(s, start)
				if got := PlainRun(s, start); got != want {
					t.Fatalf("byte %#x at %d, from %d: got %d, want %d", c, pos, start, got, want)
				}
				if got := PlainRun(string(s), start); got != want {
					t.Fatalf("string: byte %#x at %d, from %d: got %d, want %d", c, pos, start, got, want)
				}
			}
		}
	}
}

func FuzzPlainRun(f *testing.F) {
	f.Add([]byte("hello, \"world\"\x00\xff"), 0)
	f.Fuzz(func(t *testing.T, s []byte, i int) {
		if i < 0 || i > len(s) {
			return
		}
		if got, want := PlainRun(s, i), plainRun(s, i); got != want {
			t.Fatalf("PlainRun(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}
