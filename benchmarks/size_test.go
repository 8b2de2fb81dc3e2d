package benchmarks

import (
	"strings"
	"testing"

	"github.com/apiroutes/apiroutes/bodyparser"
)

// BenchmarkSizeParse measures how a size limit of pathological length is
// parsed at start-up (through bodyparser.Config.Validate, the public door to
// internal/size): a million digits must cost linear time, not quadratic,
// and the decimals beyond what a byte count can hold must be cut.
func BenchmarkSizeParse(b *testing.B) {
	nines := strings.Repeat("9", 1<<20)
	zeros := strings.Repeat("0", 1<<20)
	for _, bc := range []struct {
		name, limit string
		valid       bool
	}{
		{"short", "1.5mb", true},
		{"million-nines", nines, false},
		{"million-nines-pb", nines + "pb", false},
		{"million-leading-zeros", zeros + "1mb", true},
		{"million-decimals", "1." + nines + "kb", true},
		{"million-zero-decimals", "1." + zeros + "pb", true},
	} {
		c := bodyparser.Config{SizeLimit: bc.limit}
		b.Run(bc.name+"/ours", func(b *testing.B) {
			b.SetBytes(int64(len(bc.limit)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Validate(); (err == nil) != bc.valid {
					b.Fatalf("Validate: %.80v", err)
				}
			}
		})
	}
}
