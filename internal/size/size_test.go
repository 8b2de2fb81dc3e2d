package size

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

const (
	kb = int64(1) << 10
	mb = int64(1) << 20
	gb = int64(1) << 30
	tb = int64(1) << 40
	pb = int64(1) << 50
)

// parseOK lists sizes Parse accepts, with the number of bytes each means.
var parseOK = []struct {
	name string
	in   string
	want int64
}{
	{"kilobytes in lower case are 1024 bytes", "1kb", 1024},
	{"kilobytes in upper case are 1024 bytes", "1KB", 1024},
	{"kilobytes in mixed case are 1024 bytes", "1Kb", 1024},
	{"kilobytes in the other mixed case are 1024 bytes", "1kB", 1024},
	{"a megabyte is binary, not a million", "1mb", 1048576},
	{"a megabyte in upper case is binary too", "1MB", 1048576},
	{"a decimal number of megabytes is multiplied exactly", "1.5mb", 1572864},
	{"a decimal number of kilobytes is multiplied exactly", "1.5kb", 1536},
	{"a decimal number with an upper-case unit is accepted", "1.5KB", 1536},
	{"half a kilobyte is 512 bytes", "0.5kb", 512},
	{"a fraction of a byte is rounded down", "0.3kb", 307},
	{"a bare number counts bytes", "100", 100},
	{"the unit b counts bytes", "100b", 100},
	{"the unit B counts bytes", "100B", 100},
	{"one byte", "1b", 1},
	{"zero", "0", 0},
	{"zero bytes", "0b", 0},
	{"zero megabytes", "0mb", 0},
	{"a space may separate the number and the unit", "1 kb", 1024},
	{"several spaces may separate the number and the unit", "1  mb", 1048576},
	{"a plus sign is accepted as Next accepts it", "+2kb", 2048},
	{"the Next body parser default of 1mb", "1mb", 1048576},
	{"the Next response limit default of 4mb", "4mb", 4194304},
	{"a gigabyte is 1024 megabytes", "1gb", gb},
	{"a terabyte is 1024 gigabytes", "1tb", tb},
	{"a petabyte is 1024 terabytes", "1pb", pb},
	{"a decimal number of bytes is rounded down", "10.7", 10},
	{"a decimal number of bytes with the unit b is rounded down", "1.5b", 1},
	{"two decimals of megabytes are exact", "10.75mb", 10*mb + 3*mb/4},
	{"the largest count in bytes", "9223372036854775807", math.MaxInt64},
	{"the largest count with the unit b", "9223372036854775807b", math.MaxInt64},
	{"a fraction of the largest count is dropped", "9223372036854775807.999", math.MaxInt64},
	{"the largest whole number of petabytes", "8191pb", 8191 * pb},
	{"just under 8192 petabytes is the largest count", "8191.99999999999999999999999pb", math.MaxInt64},
	{"leading zeros are ignored", "0000000000000000000000000001kb", 1024},
	{"the exact binary fraction of one byte", "0.0009765625kb", 1},
	{"a digit too few for one byte rounds down to zero", "0.0009765624kb", 0},
	{"one byte in petabytes needs all fifty decimals", "0.00000000000000088817841970012523233890533447265625pb", 1},
	{"one byte in petabytes less a tiny bit rounds down", "0.00000000000000088817841970012523233890533447265624999pb", 0},
	{"many nines of a kilobyte stay below a kilobyte", "0.99999999999999999999999999kb", 1023},
}

// parseBad lists texts Parse rejects, with words the reason must contain.
var parseBad = []struct {
	name   string
	in     string
	reason string // a substring of Error.Reason
	units  bool   // whether the reason must list the units
}{
	{"the empty string is rejected", "", "empty size", true},
	{"a leading space is rejected", " 1mb", "leading or trailing space", false},
	{"a trailing space is rejected", "1mb ", "leading or trailing space", false},
	{"a leading tab is rejected", "\t1mb", "leading or trailing space", false},
	{"a trailing newline is rejected", "1mb\n", "leading or trailing space", false},
	{"a leading non-breaking space is rejected", "\u00a01mb", "leading or trailing space", false},
	{"a space alone is rejected", " ", "leading or trailing space", false},
	{"m is not a unit", "1m", `unknown unit "m"`, true},
	{"k is not a unit", "1k", `unknown unit "k"`, true},
	{"mib is not a unit", "1mib", `unknown unit "mib"`, true},
	{"MiB is not a unit and is quoted as written", "1MiB", `unknown unit "MiB"`, true},
	{"kib is not a unit", "1kib", `unknown unit "kib"`, true},
	{"eb is not a unit", "1eb", `unknown unit "eb"`, true},
	{"bytes is not a unit", "1 bytes", `unknown unit "bytes"`, true},
	{"the unit message says the units are binary", "1mib", "1kb = 1024 bytes", true},
	{"a decimal comma is rejected", "1,5mb", "use a dot for decimals", true},
	{"a thousands separator is rejected", "1,000kb", "no thousands separators", true},
	{"a negative size is rejected", "-1mb", "negative", false},
	{"a negative count of bytes is rejected", "-1", "negative", false},
	{"negative zero is rejected", "-0", "negative", false},
	{"a number must not start with a dot", ".5mb", `like "0.5mb"`, false},
	{"a number must not start with a dot, even without a unit", ".5", `like "0.5"`, false},
	{"a lone dot is not a size", ".", "not a size", true},
	{"a zero does not fix a number with two dots", ".5.5mb", "not a size", true},
	{"a number must not end with a dot", "1.", "after the decimal point", false},
	{"a dot before the unit is rejected", "1.mb", "after the decimal point", false},
	{"an exponent is rejected", "1e3", "not a size", true},
	{"letters alone are rejected", "abc", "not a size", true},
	{"a unit without a number is rejected", "mb", "not a size", true},
	{"a sign alone is rejected", "+", "not a size", true},
	{"two signs are rejected", "+-1", "not a size", true},
	{"a space after the sign is rejected", "+ 1", "not a size", true},
	{"a tab between number and unit is rejected", "1\tmb", "not a size", true},
	{"8192 petabytes do not fit in an int64", "8192pb", "too large", false},
	{"one more than the largest count is too large", "9223372036854775808", "too large", false},
	{"twenty nines are too large", "99999999999999999999", "too large", false},
	{"a very long number is too large", "99999999999999999999999999", "too large", false},
	{"a long number of kilobytes is too large", "9007199254740992kb", "too large", false},
	{"two decimal points are rejected", "1.5.5mb", "not a size", true},
	{"spaces around the decimal point are rejected", "1 . 5mb", "not a size", true},
	{"hexadecimal is rejected", "0x10", "not a size", true},
	{"digit separators are rejected", "1_000", "not a size", true},
	{"non-ASCII digits are rejected", "١mb", "not a size", true},
	{"a non-ASCII unit is rejected", "1µb", "not a size", true},
	{"the Kelvin sign is not a k", "1\u212ab", "not a size", true},
}

func TestParseAcceptsSizes(t *testing.T) {
	for _, tc := range parseOK {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got.Bytes != tc.want {
				t.Errorf("Parse(%q).Bytes = %d, want %d", tc.in, got.Bytes, tc.want)
			}
			if got.Text != tc.in {
				t.Errorf("Parse(%q).Text = %q, want the input verbatim", tc.in, got.Text)
			}
		})
	}
}

func TestParseRejectsNonSizes(t *testing.T) {
	for _, tc := range parseBad {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tc.in, got)
			}
			if got != (Size{}) {
				t.Errorf("Parse(%q) returned %+v with its error, want the zero Size", tc.in, got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned %T, want *Error", tc.in, err)
			}
			if e.Value != tc.in {
				t.Errorf("Error.Value = %q, want the input %q", e.Value, tc.in)
			}
			msg := err.Error()
			if want := strconv.Quote(tc.in) + ": "; !strings.HasPrefix(msg, want) {
				t.Errorf("error %q does not start with the quoted value %s", msg, want)
			}
			if !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("reason %q does not contain %q", e.Reason, tc.reason)
			}
			if tc.units && !strings.Contains(e.Reason, "b, kb, mb, gb, tb or pb") {
				t.Errorf("reason %q does not list the units", e.Reason)
			}
		})
	}
}

func TestErrorMessageNamesTheValueThenTheReason(t *testing.T) {
	_, err := Parse("1mib")
	want := `"1mib": unknown unit "mib"; use b, kb, mb, gb, tb or pb (all binary: 1kb = 1024 bytes)`
	if err == nil || err.Error() != want {
		t.Fatalf("Parse(\"1mib\") error = %v, want %s", err, want)
	}
}

func TestWrappedErrorReadsAsOneSentence(t *testing.T) {
	_, err := Parse("1mib")
	wrapped := fmt.Errorf("bodyparser: SizeLimit %w", err) // as a caller names the setting
	want := `bodyparser: SizeLimit "1mib": unknown unit "mib"; use b, kb, mb, gb, tb or pb (all binary: 1kb = 1024 bytes)`
	if wrapped.Error() != want {
		t.Errorf("wrapped error = %q, want %q", wrapped.Error(), want)
	}
	var e *Error
	if !errors.As(wrapped, &e) || e.Value != "1mib" {
		t.Errorf("errors.As through a wrapper gave %+v", e)
	}
}

// Long inputs are parsed exactly; how fast is measured by BenchmarkSizeParse
// in benchmarks/, not here.
func TestLongInputsAreParsedExactly(t *testing.T) {
	long := strings.Repeat("9", 1<<20)
	zeros := strings.Repeat("0", 1<<20)
	tests := []struct {
		name string
		in   string
		want int64 // -1 for an error
	}{
		{"a million nines are too large", long, -1},
		{"a million nines of petabytes are too large", long + "pb", -1},
		{"a million leading zeros are ignored", zeros + "1mb", mb},
		{"a million decimals are cut exactly", "1." + long + "kb", 2*kb - 1},
		{"a million zero decimals add nothing", "1." + zeros + "pb", pb},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			switch {
			case tc.want < 0 && err == nil:
				t.Errorf("Parse gave %d, want an error", got.Bytes)
			case tc.want >= 0 && err != nil:
				t.Errorf("Parse: %.80v", err)
			case tc.want >= 0 && got.Bytes != tc.want:
				t.Errorf("Parse gave %d, want %d", got.Bytes, tc.want)
			}
		})
	}
}

func TestFormatPrintsTheLargestExactUnit(t *testing.T) {
	tests := []struct {
		name string
		in   int64
		want string
	}{
		{"zero is in bytes", 0, "0b"},
		{"a hundred is in bytes", 100, "100b"},
		{"a thousand is in bytes, units being binary", 1000, "1000b"},
		{"1024 is a kilobyte", 1024, "1kb"},
		{"1500 has no exact short kilobyte spelling", 1500, "1500b"},
		{"1536 is one and a half kilobytes", 1536, "1.5kb"},
		{"a quarter past one kilobyte has two decimals", 1280, "1.25kb"},
		{"a mebibyte is 1mb", 1048576, "1mb"},
		{"one and a half megabytes", 1572864, "1.5mb"},
		{"the response limit default", 4194304, "4mb"},
		{"a petabyte", 1 << 50, "1pb"},
		{"8191 petabytes", 8191 * pb, "8191pb"},
		{"1023 kilobytes stay in kilobytes", 1023 * kb, "1023kb"},
		{"a megabyte and a kilobyte need more than two decimals", mb + kb, "1025kb"},
		{"the largest count is in bytes", math.MaxInt64, "9223372036854775807b"},
		{"a negative count gets a minus sign", -1536, "-1.5kb"},
		{"the smallest int64 is 8192 petabytes below zero", math.MinInt64, "-8192pb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.in); got != tc.want {
				t.Errorf("Format(%d) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatDecimalsAreAlwaysQuarters(t *testing.T) {
	// A binary unit divides n*100 only when n/unit is a whole number of
	// quarters, so Format never prints .05 or .1 and the like.
	for n, want := range map[int64]string{1280: "1.25kb", 1792: "1.75kb", 1075: "1075b", 1126: "1126b", 2*gb + gb/4: "2.25gb"} {
		if got := Format(n); got != want {
			t.Errorf("Format(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFormatUpperMatchesBytesJS(t *testing.T) {
	// The expected strings come from bytes.js format() on Node.js.
	tests := []struct {
		name string
		in   int64
		want string
	}{
		{"the body parser default as Next prints it", 1048576, "1MB"},
		{"the response limit default as Next prints it", 4194304, "4MB"},
		{"a kilobyte", 1024, "1KB"},
		{"one and a half kilobytes", 1536, "1.5KB"},
		{"a thousand bytes stay in bytes", 1000, "1000B"},
		{"five million bytes round to hundredths of a megabyte", 5000000, "4.77MB"},
		{"one and a half million bytes round down", 1500000, "1.43MB"},
		{"zero", 0, "0B"},
		{"one byte", 1, "1B"},
		{"a tie rounds up as toFixed does", 1152, "1.13KB"},
		{"another tie rounds up", 1408, "1.38KB"},
		{"a hundredth keeps its leading zero", 1034, "1.01KB"},
		{"almost two kilobytes round up to 2KB", 2047, "2KB"},
		{"almost a megabyte rounds up within kilobytes", mb - 1, "1024KB"},
		{"a petabyte", pb, "1PB"},
		{"the largest count", math.MaxInt64, "8192PB"},
		{"a negative count", -1536, "-1.5KB"},
		{"a negative tie rounds away from zero", -1152, "-1.13KB"},
		{"the smallest int64", math.MinInt64, "-8192PB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatUpper(tc.in); got != tc.want {
				t.Errorf("FormatUpper(%d) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatRoundTripsThroughParse(t *testing.T) {
	ns := []int64{0, 1, 1023, 1024, 1025, 1500, 1536, 307, mb - 1, mb, mb + 1, 1572864,
		3 * pb / 4, 8191 * pb, math.MaxInt64, math.MaxInt64 - 1, math.MaxInt64 / 100 * 100}
	for s := 0; s < 63; s++ {
		ns = append(ns, int64(1)<<s, int64(1)<<s-1, int64(1)<<s+int64(1)<<s/4)
	}
	for _, n := range ns {
		checkRoundTrip(t, n)
	}
}

// checkRoundTrip checks that Format(n) is lower case, has no spaces and
// parses back to n.
func checkRoundTrip(t *testing.T, n int64) {
	t.Helper()
	s := Format(n)
	if s != strings.ToLower(s) || strings.ContainsAny(s, " \t") {
		t.Errorf("Format(%d) = %q, want lower case and no spaces", n, s)
	}
	got, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(Format(%d)) = Parse(%q): %v", n, s, err)
	}
	if got.Bytes != n {
		t.Errorf("Parse(Format(%d)) = Parse(%q) = %d", n, s, got.Bytes)
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseOK {
		f.Add(tc.in)
	}
	for _, tc := range parseBad {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned %T, want *Error", s, err)
			}
			if e.Value != s {
				t.Fatalf("Parse(%q): Error.Value = %q", s, e.Value)
			}
			if !strings.HasPrefix(err.Error(), strconv.Quote(s)+": ") {
				t.Fatalf("Parse(%q) error %q does not start with the quoted value", s, err)
			}
			return
		}
		if got.Bytes < 0 {
			t.Fatalf("Parse(%q).Bytes = %d, want >= 0", s, got.Bytes)
		}
		if got.Text != s {
			t.Fatalf("Parse(%q).Text = %q", s, got.Text)
		}
		again, err := Parse(got.Text)
		if err != nil || again.Bytes != got.Bytes {
			t.Fatalf("Parse(Parse(%q).Text) = %d, %v; want %d", s, again.Bytes, err, got.Bytes)
		}
		checkRoundTrip(t, got.Bytes)
	})
}

func FuzzFormat(f *testing.F) {
	for _, n := range []int64{0, 1, 100, 1000, 1024, 1500, 1536, mb, 1572864, 4 * mb, pb, 8191 * pb, math.MaxInt64} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		if n < 0 {
			n = -(n + 1) // covers 0 … MaxInt64 without overflow
		}
		checkRoundTrip(t, n)
		// Format and FormatUpper choose units differently but never panic.
		_ = FormatUpper(n)
		_ = FormatUpper(-n)
		_ = Format(-n)
	})
}
