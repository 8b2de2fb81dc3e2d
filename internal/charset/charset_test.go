package charset

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/whatwg"
)

// refused are the labels Next accepts and this package refuses on purpose
// (see the package doc).
var refused = map[string]bool{"utf7": true, "unicode11utf7": true, "utf7imap": true}

// TestDecodesEveryLabelAsNextDoes replays testdata/next.json, recorded from
// the raw-body and iconv-lite bundled in Next.js 16.4.6 (gen/next.js): for
// every label iconv-lite knows, whether Next accepts it and the UTF-8 text
// it makes of each input.
func TestDecodesEveryLabelAsNextDoes(t *testing.T) {
	b, err := os.ReadFile("testdata/next.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Inputs   map[string]string             `json:"inputs"`
		Charsets map[string]map[string]*string `json:"charsets"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	labels := make([]string, 0, len(rec.Charsets))
	for l := range rec.Charsets {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	if len(labels) < 400 {
		t.Fatalf("testdata has %d labels; want every iconv-lite label", len(labels))
	}
	for _, label := range labels {
		want := rec.Charsets[label]
		d, ok := Lookup(label)
		switch {
		case want == nil && ok:
			t.Errorf("%s: accepted; Next refuses it", label)
			continue
		case want == nil || refused[label]:
			if ok {
				t.Errorf("%s: accepted; refused on purpose", label)
			}
			continue
		case !ok:
			t.Errorf("%s: refused; Next accepts it", label)
			continue
		}
		for name, in := range rec.Inputs {
			raw, _ := hex.DecodeString(in)
			exp := want[name]
			if exp == nil {
				t.Errorf("%s %s: Next failed to decode; the recording is broken", label, name)
				continue
			}
			got := d.Decode(raw)
			if d == nil {
				got = whatwg.ValidUTF8(got)
			}
			if !utf8.Valid(got) {
				t.Errorf("%s %s: invalid UTF-8 %x", label, name, got)
			}
			// Next's body parser strips one leading U+FEFF after decoding; so
			// does bodyparser. The recording has it stripped.
			if len(got) >= 3 && string(got[:3]) == "\uFEFF" {
				got = got[3:]
			}
			if hex.EncodeToString(got) != *exp {
				t.Errorf("%s %s:\n got %q\nwant %q", label, name, got, mustHex(*exp))
			}
		}
	}
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

func TestNormalizeMatchesIconvLite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"utf8", "utf8"},
		{"UTF-8", "utf8"},
		{"Utf_8", "utf8"},
		{"ISO-8859-1:1987", "iso88591"},
		{"windows-1252:2000", "windows1252"},
		{"x:2000x", "x2000x"},
		{"utf-8:200", "utf8200"},
		{"\xc4latin1", "latin1"},
		{"", ""},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLookupAllocatesNothingWhateverTheLabel(t *testing.T) {
	for _, l := range load().labelNames() {
		if len(l) > maxLabel {
			t.Errorf("label %q is longer than maxLabel (%d)", l, maxLabel)
		}
	}
	long := strings.Repeat("-", 1<<20) + "utf-8" // punctuation is dropped: still a label Next knows
	if d, ok := Lookup(long); !ok || d != nil {
		t.Errorf("a 1 MiB label that normalizes to utf8: %v, %v", d, ok)
	}
	for _, l := range []string{"windows-1251", "UTF-16LE", strings.Repeat("x", 1<<20), "shift_jis:2000"} {
		if n := testing.AllocsPerRun(10, func() { Lookup(l) }); n != 0 {
			t.Errorf("Lookup(%.20q): %v allocations", l, n)
		}
	}
}

func TestUTF8NeedsNoTables(t *testing.T) {
	for _, l := range []string{"utf-8", "UTF8", "unicode-1-1-utf-8"} {
		if d, ok := Lookup(l); !ok || d != nil {
			t.Errorf("Lookup(%q) = %v, %v; want nil, true", l, d, ok)
		}
	}
}

// Every decoder's output is valid UTF-8 and bounded by a small multiple of
// its input, whatever the bytes: a body cannot make decoding allocate past
// what the size limit allows by more than that factor.
func FuzzDecode(f *testing.F) {
	f.Add("shift_jis", []byte{0xf0, 0x40, 0x81})
	f.Add("gb18030", []byte{0x81, 0x30, 0x81, 0x30, 0x81, 0x30, 0x81})
	f.Add("utf-16", []byte{0, 'a', 0xd8, 0})
	f.Add("cesu8", []byte{0xed, 0xa0, 0xbd, 0xed})
	f.Add("big5", []byte{0x88, 0x62, 0x88, 0x64, 0x88})
	f.Add("base64", []byte{0xff})
	f.Fuzz(func(t *testing.T, label string, in []byte) {
		d, ok := Lookup(label)
		if !ok {
			return
		}
		out := d.Decode(in)
		if d == nil {
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("%s: invalid UTF-8 from %x", label, in)
		}
		if len(out) > 3*len(in)+4 {
			t.Fatalf("%s: %d bytes of output from %d of input", label, len(out), len(in))
		}
	})
}

func (t *tables) labelNames() []string {
	names := make([]string, 0, len(t.labels))
	for l := range t.labels {
		names = append(names, l)
	}
	return names
}
