package httptoken

import (
	"strings"
	"testing"
)

func TestIsTokenAcceptsExactlyTheTokenCharacters(t *testing.T) {
	t.Parallel()
	const tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for c := 0; c < 256; c++ {
		want := strings.IndexByte(tchar, byte(c)) >= 0
		if got := IsTokenByte(byte(c)); got != want {
			t.Errorf("IsTokenByte(%#x) = %v, want %v", c, got, want)
		}
		if got := IsToken(string(rune(c))[:1]); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", byte(c), got, want)
		}
	}
	for s, want := range map[string]bool{"": false, "GET": true, "Content-Type": true, "a b": false, "a,b": false, "x\x00": false} {
		if got := IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestTrimJSTrimsWhatJavaScriptTrimsInALatin1String(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                     "",
		" \t\n\v\f\r a b \r\n": "a b",
		"\xa0x\xa0":            "x",
		"\u00a0x\u00a0":        "\xc2\xa0x\xc2", // UTF-8 C2 A0: only A0 is space in latin1
		"\x85x\x1c":            "\x85x\x1c",     // NEL and the separators are not trimmed
		"   ":                  "",
	} {
		if got := TrimJS(in); got != want {
			t.Errorf("TrimJS(%q) = %q, want %q", in, got, want)
		}
	}
}
