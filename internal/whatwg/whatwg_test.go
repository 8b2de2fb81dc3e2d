package whatwg

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

type kv [2]string

// The expected values were printed by Node 20 (querystring.decode and
// URLSearchParams agree on all of them).
func TestParseURLEncodedMatchesNode(t *testing.T) {
	t.Parallel()
	const r = "\ufffd"
	cases := []struct {
		in   string
		want []kv
	}{
		{"a=1&&b=2", []kv{{"a", "1"}, {"b", "2"}}},
		{"=", []kv{{"", ""}}},
		{"&=&", []kv{{"", ""}}},
		{"a", []kv{{"a", ""}}},
		{"a=", []kv{{"a", ""}}},
		{"=b", []kv{{"", "b"}}},
		{"%zz=%zz", []kv{{"%zz", "%zz"}}},
		{"a=%E2%82", []kv{{"a", r}}},
		{"a=%E2%82x", []kv{{"a", r + "x"}}},
		{"a+b=c+d", []kv{{"a b", "c d"}}},
		{"a=1;b=2", []kv{{"a", "1;b=2"}}},
		{"a=1&a=2&a=3", []kv{{"a", "1"}, {"a", "2"}, {"a", "3"}}},
		{"a[]=1&a[]=2", []kv{{"a[]", "1"}, {"a[]", "2"}}},
		{"a=b=c", []kv{{"a", "b=c"}}},
		{"%=%", []kv{{"%", "%"}}},
		{"a=%", []kv{{"a", "%"}}},
		{"a=%2", []kv{{"a", "%2"}}},
		{"%41=%42", []kv{{"A", "B"}}},
		{"a=%C3%A9", []kv{{"a", "é"}}},
		{"a=%FF", []kv{{"a", r}}},
		{"a=%ED%A0%80", []kv{{"a", r + r + r}}},
		{"a=é", []kv{{"a", "é"}}},
		{"&&", nil},
		{"", nil},
		{"__proto__=1", []kv{{"__proto__", "1"}}},
		{"a=%F0%9F%98%80%F0", []kv{{"a", "😀" + r}}},
		{"a=%2B&b=%20+", []kv{{"a", "+"}, {"b", "  "}}},
	}
	for _, tc := range cases {
		var got []kv
		ParseURLEncoded(tc.in, 1000, func(k, v string) { got = append(got, kv{k, v}) })
		if fmt.Sprintf("%+q", got) != fmt.Sprintf("%+q", tc.want) {
			t.Errorf("ParseURLEncoded(%q) = %+q, want %+q", tc.in, got, tc.want)
		}
	}
}

func TestParseURLEncodedStopsAfterMaxPairsSegments(t *testing.T) {
	t.Parallel()
	// Node: 998 empty segments then a, b, c, d with maxKeys 1000 → {a, b}.
	var keys []string
	ParseURLEncoded(strings.Repeat("&", 998)+"a=1&b=2&c=3&d=4", 1000, func(k, _ string) { keys = append(keys, k) })
	if strings.Join(keys, ",") != "a,b" {
		t.Errorf("keys = %v, want [a b]", keys)
	}
	n := 0
	ParseURLEncoded(strings.Repeat("x=1&", 999)+"a=1&b=2", 1000, func(string, string) { n++ })
	if n != 1000 {
		t.Errorf("read %d pairs, want 1000", n)
	}
	n = 0
	ParseURLEncoded(strings.Repeat("x=1&", 5000), 0, func(string, string) { n++ })
	if n != 5000 {
		t.Errorf("without a cap read %d pairs, want 5000", n)
	}
}

func TestValidUTF8ReplacesMaximalSubparts(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"\xef\xbb\xbfA", "\ufeffA"},
		{"\xc0\x80A\xf4\x90\x80\x80", "\ufffd\ufffdA\ufffd\ufffd\ufffd\ufffd"},
		{"\xe2\x82x", "\ufffdx"},
		{"\xe2\x82", "\ufffd"},
		{"\xed\xa0\x80", "\ufffd\ufffd\ufffd"},
		{"\xf0\x9f\x98\x80\xf0", "😀\ufffd"},
		{"\xf0\x9f\x98", "\ufffd"},
		{"\xff\xfe", "\ufffd\ufffd"},
		{"\xe0\x80\x80", "\ufffd\ufffd\ufffd"},
		{"\xe0\xa0\x80", "\u0800"},
	}
	for _, tc := range cases {
		if got := string(ValidUTF8([]byte(tc.in))); got != tc.want {
			t.Errorf("ValidUTF8(%q) = %+q, want %+q", tc.in, got, tc.want)
		}
		if got := ValidUTF8String(tc.in); got != tc.want {
			t.Errorf("ValidUTF8String(%q) = %+q, want %+q", tc.in, got, tc.want)
		}
	}
}

func TestUnescapeDoesNotAllocateForPlainText(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Unescape("plain-value") }); n != 0 {
		t.Errorf("Unescape allocates %v times for plain text", n)
	}
}

// referenceValidUTF8 is a slow, independent statement of the WHATWG rule: at
// each position take a whole valid sequence if there is one, else replace the
// longest prefix that some valid sequence starts with (at least one byte).
func referenceValidUTF8(b []byte) string {
	var out strings.Builder
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			out.Write(b[i : i+size])
			i += size
			continue
		}
		n := 1
		for l := 3; l >= 2; l-- {
			if i+l <= len(b) && isValidPrefix(b[i:i+l]) {
				n = l
				break
			}
		}
		out.WriteString("\ufffd")
		i += n
	}
	return out.String()
}

func isValidPrefix(p []byte) bool {
	conts := []byte{0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf}
	for _, a := range conts {
		for _, c := range conts {
			q := append(append([]byte{}, p...), a, c, c)
			r, size := utf8.DecodeRune(q)
			if (r != utf8.RuneError || size > 1) && size > len(p) {
				return true
			}
		}
	}
	return false
}

func FuzzValidUTF8(f *testing.F) {
	for _, s := range []string{"", "a", "\xe2\x82x", "\xed\xa0\x80", "\xf0\x9f\x98\x80\xf0", "\xc0\x80", "héllo 日本"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := ValidUTF8(b)
		if !utf8.Valid(got) {
			t.Fatalf("ValidUTF8(%q) = %q is not valid UTF-8", b, got)
		}
		if utf8.Valid(b) && string(got) != string(b) {
			t.Fatalf("ValidUTF8 changed valid input %q", b)
		}
		if want := referenceValidUTF8(b); string(got) != want {
			t.Fatalf("ValidUTF8(%q) = %+q, reference %+q", b, got, want)
		}
	})
}

func FuzzParseURLEncoded(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a+b=%zz&&=&c", "%E2%82=%41%", "a=%ED%A0%80;b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var pairs int
		ParseURLEncoded(s, 0, func(k, v string) {
			pairs++
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 from %q: %q=%q", s, k, v)
			}
		})
		if pairs > strings.Count(s, "&")+1 {
			t.Fatalf("%d pairs from %q", pairs, s)
		}
		// Where net/url can decode a value and the bytes are valid UTF-8, we agree with it.
		for _, part := range strings.Split(s, "&") {
			if want, err := url.QueryUnescape(part); err == nil && utf8.ValidString(want) {
				if got := Unescape(part); got != want {
					t.Fatalf("Unescape(%q) = %q, net/url says %q", part, got, want)
				}
			}
		}
	})
}
