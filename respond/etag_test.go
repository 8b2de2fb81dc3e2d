package respond

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/apiroutes/apiroutes/internal/whatwg"
)

// etagVectors (etag_vectors_test.go) are computed by Next's own
// generateETag from the npm package next: scripts/vectors regenerates them.
// The first ones are also what next@16.4.6 sent on the wire (the reference
// notes, §7).

func TestETagMatchesNextForEveryVector(t *testing.T) {
	t.Parallel()
	for _, v := range etagVectors {
		if got := ETag([]byte(v.payload)); got != v.etag {
			t.Errorf("ETag(%q) = %s; Next sends %s", v.payload, got, v.etag)
		}
		if got := referenceETag(v.payload); got != v.etag {
			t.Errorf("the reference implementation gives %s for %q; Next sends %s", got, v.payload, v.etag)
		}
	}
}

func TestBufferETagIsNextsETagOfTheStringifiedBuffer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body []byte
		etag string
	}{
		{[]byte("abc"), `"uhvwy6v527z"`},
		{nil, `"bqr0st14br"`},
		{[]byte{0, 255, 10}, `"89oxc904vjz"`},
	}
	for _, tc := range cases {
		d := bufferDigest(tc.body)
		if got := string(d.appendTag(nil)); got != tc.etag {
			t.Errorf("Buffer ETag of %v = %s; Next sends %s", tc.body, got, tc.etag)
		}
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if got, want := string(bufferDigest(all).appendTag(nil)), referenceETag(stringifyBuffer(all)); got != want {
		t.Errorf("Buffer ETag of every byte value = %s; want %s", got, want)
	}
}

func TestETagDoesNotAllocateBeyondItsResult(t *testing.T) {
	body := bytes.Repeat([]byte("héllo 😀 "), 1000)
	if n := testing.AllocsPerRun(100, func() { _ = ETag(body) }); n > 1 {
		t.Errorf("ETag allocates %v times; want 1 (the string)", n)
	}
}

// referenceETag is Next's generateETag written out as etag.ts has it: the
// four 16-bit lanes, over utf16.Encode of the string Node would decode.
func referenceETag(payload string) string {
	units := utf16.Encode([]rune(whatwg.ValidUTF8String(payload)))
	t0, v0, t1, v1, t2, v2, t3, v3 := 0, 0x2325, 0, 0x8422, 0, 0x9ce4, 0, 0xcbf2
	for _, u := range units {
		v0 ^= int(u)
		t0 = v0 * 435
		t1 = v1 * 435
		t2 = v2 * 435
		t3 = v3 * 435
		t2 += v0 << 8
		t3 += v1 << 8
		t1 += t0 >> 16
		v0 = t0 & 65535
		t2 += t1 >> 16
		v1 = t1 & 65535
		v3 = (t3 + (t2 >> 16)) & 65535
		v2 = t2 & 65535
	}
	hash := (v3&15)*281474976710656 + v2*4294967296 + v1*65536 + (v0 ^ (v3 >> 4))
	return `"` + strconv.FormatInt(int64(hash), 36) + strconv.FormatInt(int64(len(units)), 36) + `"`
}

// stringifyBuffer is JSON.stringify(Buffer.from(b)).
func stringifyBuffer(b []byte) string {
	var sb strings.Builder
	sb.WriteString(`{"type":"Buffer","data":[`)
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(int(c)))
	}
	sb.WriteString("]}")
	return sb.String()
}

// FuzzETag checks the 64-bit form of the hash and the allocation-free
// UTF-8 to UTF-16 walk against Next's lane code over utf16.Encode, for any
// bytes, valid UTF-8 or not, and the Buffer ETag against the stringified
// Buffer.
func FuzzETag(f *testing.F) {
	for _, v := range etagVectors {
		f.Add([]byte(v.payload))
	}
	f.Add([]byte("\xed\xbf\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"))
	f.Add([]byte("\xe0\x80\x80\xe0\xa0\x80\xf0\x80\x80\x80\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		want := referenceETag(string(b))
		if got := ETag(b); got != want {
			t.Fatalf("ETag(%q) = %s; the reference gives %s", b, got, want)
		}
		if got := ETag(b); got != want {
			t.Fatalf("ETag(%q) = %s; the reference gives %s", b, got, want)
		}
		if got, want := string(bufferDigest(b).appendTag(nil)), referenceETag(stringifyBuffer(b)); got != want {
			t.Fatalf("Buffer ETag of %q = %s; the reference gives %s", b, got, want)
		}
	})
}

func BenchmarkETag(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"size=1KiB", 1 << 10}, {"size=64KiB", 64 << 10}} {
		// Mostly ASCII JSON with some multi-byte text, like an API body.
		unit := []byte(`{"id":12345,"title":"write the docs","note":"héllo wörld 😀","done":false},`)
		body := bytes.Repeat(unit, size.n/len(unit)+1)[:size.n]
		b.Run(size.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = ETag(body)
			}
		})
	}
}
