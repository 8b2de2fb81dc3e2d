package bodyparser

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

// What a client can make the server inflate is bounded by what it sends:
// the decoded bytes stop within one read of ratio times the wire bytes.
func TestDecodingStopsAtTheRatioOfTheBytesOnTheWire(t *testing.T) {
	var once, twice bytes.Buffer
	zw := gzip.NewWriter(&once)
	_, _ = zw.Write([]byte(strings.Repeat("0", 26<<20)))
	_ = zw.Close()
	zw = gzip.NewWriter(&twice)
	_, _ = zw.Write(once.Bytes())
	_ = zw.Close()
	for _, ratio := range []int64{0, 10, 200, 1000} {
		cs := contentCodings(map[string][]string{"Content-Encoding": {"gzip, gzip"}})
		wire := &capReader{r: bytes.NewReader(twice.Bytes()), n: 64 << 20}
		d, err := decode(wire, &cs, ratio)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readLimited(d, 64<<20)
		d.release()
		if ratio == 0 {
			if err != nil || d.decoded != 26<<20 {
				t.Fatalf("without a ratio: %v after %d bytes, want all 26 MiB", err, d.decoded)
			}
			t.Logf("no ratio: %d bytes on the wire inflated to %d", wire.read, d.decoded)
			continue
		}
		if !errors.Is(err, errExpanded) {
			t.Fatalf("ratio %d: got %v, want errExpanded", ratio, err)
		}
		if max := ratio*(wire.read+1) + chunkSize; d.decoded > max {
			t.Errorf("ratio %d: %d wire bytes inflated to %d, want at most %d", ratio, wire.read, d.decoded, max)
		}
		t.Logf("ratio %d: %d bytes on the wire inflated to %d before the 413", ratio, wire.read, d.decoded)
	}
}
