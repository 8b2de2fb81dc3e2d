package benchmarks

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"github.com/apiroutes/apiroutes/internal/charset"
)

// BenchmarkCharset decodes a 64 KiB body with the iconv-lite tables that
// bodyparser uses (internal/charset, exact to Next) and with golang.org/x/text,
// which bodyparser used before (WHATWG tables).
func BenchmarkCharset(b *testing.B) {
	cases := []struct {
		name, label string
		xtext       encoding.Encoding
		unit        []byte
	}{
		{"windows-1251", "windows-1251", charmap.Windows1251, []byte("\xcf\xf0\xe8\xe2\xe5\xf2, world! ")},
		{"shift_jis", "shift_jis", japanese.ShiftJIS, []byte("\x93\xfa\x96\x7b\x8c\xea text ")},
		{"utf-16le", "utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), []byte("h\x00\xe9\x00\xe5\x65")},
	}
	for _, tc := range cases {
		body := bytes.Repeat(tc.unit, 64<<10/len(tc.unit))
		dec, ok := charset.Lookup(tc.label)
		if !ok {
			b.Fatalf("%s refused", tc.label)
		}
		theirs, err := tc.xtext.NewDecoder().Bytes(body)
		if err != nil {
			b.Fatal(err)
		}
		if ours := dec.Decode(body); !bytes.Equal(ours, theirs) {
			b.Fatalf("%s: the decoders disagree on the benchmark body", tc.name)
		}
		b.Run(tc.name+"/64KiB/x-text", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for range b.N {
				if _, err := tc.xtext.NewDecoder().Bytes(body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/64KiB/ours", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for range b.N {
				dec.Decode(body)
			}
		})
	}
}
