package bodyparser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

var validJSONCases = []string{
	``, ` `, `{}`, `[]`, `{ }`, `[ ]`, `{"a":1}`, `{"a" : 1 , "b":[true,false,null]}`, `[1,2,3]`, `[1,]`, `[,1]`, `{"a":1,}`,
	`{"a"}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`, `[1 2]`, `"abc"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\uD83D\uDE00"`, `"\uD800"`,
	`"\u00g0"`, `"\x"`, `"\'"`, "\"a\tb\"", "\"a\x00\"", "\"a\x1f\"", "\"\x7f\"", "\"\xff\xfe\"", `"unterminated`, `"\`, `"\u12`,
	`0`, `-0`, `01`, `-01`, `1.`, `.5`, `1.5`, `-1.5e10`, `1e`, `1e+`, `1E-5`, `1e5.5`, `+1`, `--1`, `-`, `1.5.5`, `0x10`, `Infinity`, `NaN`,
	`true`, `false`, `null`, `tru`, `nul`, `truex`, `True`, `nulll`, `[true false]`, `{} {}`, `1 2`, `[]]`, `[[]`, `{"a":{"b":[{}]}}`,
	" \t\n\r{\"a\" \n:\r[\t1 ] }\n", "\v1", "\f1", "1\v", `[1e400]`, `{"a":1}x`, `"` + strings.Repeat("x", 100) + `"`,
	`["` + strings.Repeat("é", 40) + `"]`, strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70),
}

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range validJSONCases {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid says %v", s, got, want)
		}
	}
}

func TestValidJSONDoesNotAllocate(t *testing.T) {
	doc := []byte(`{"a":[1,2,{"b":"c\u00e9"}],"d":null,"e":-1.5e3}`)
	if n := testing.AllocsPerRun(100, func() { validJSON(doc) }); n != 0 {
		t.Errorf("validJSON allocates %v times", n)
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range validJSONCases {
		if len(s) < 1000 {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

func benchDoc(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"items":[`)
	for i := 0; buf.Len() < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"id":%d,"title":"task number %d with a longer title","done":%v,"score":%d.25,"tags":["a","b\n"]}`, i, i, i%2 == 0, i)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

// BenchmarkValidJSON is validJSON's reason to exist: it must beat
// json.Valid by a real margin at every size, or go.
func BenchmarkValidJSON(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}} {
		doc := benchDoc(size.n)
		for _, impl := range []struct {
			name  string
			valid func([]byte) bool
		}{{"apiroutes", validJSON}, {"stdlib", json.Valid}} {
			b.Run("size="+size.name+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for range b.N {
					if !impl.valid(doc) {
						b.Fatal("invalid")
					}
				}
			})
		}
	}
}
