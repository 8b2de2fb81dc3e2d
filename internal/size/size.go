// Package size parses and formats byte sizes in the grammar of the npm
// "bytes" package, which Next.js uses for API route limits such as
// bodyParser.sizeLimit and responseLimit ("1mb", "4mb", "500kb"):
//
//	size   = ["+"] digits ["." digits] {" "} [unit]
//	digits = "0" … "9" {"0" … "9"}
//	unit   = "b" | "kb" | "mb" | "gb" | "tb" | "pb"   (any letter case)
//
// A number without a unit counts bytes. Every unit is binary, as in
// bytes.js: 1kb = 1024 bytes, 1mb = 1048576, never 1,000,000. That is why
// this package does not use go-humanize's ParseBytes, which is SI: a limit
// copied from a Next.js config would silently shrink by almost 5%. IEC
// spellings ("10MiB") are rejected too, because Next.js reads "10MiB" as
// 10 bytes: every size Parse accepts means the same in a Next.js config.
//
// The value is the number times the unit, rounded down to a whole byte
// ("0.3kb" is 307), computed exactly with integers; bytes.js multiplies
// floats, and can be a byte or more off beyond about 15 significant digits
// or for sizes of many terabytes.
//
// bytes.js falls back to parseInt for anything its pattern does not match,
// so Next.js quietly reads "1mib", "1m", "1,5mb", "1e3", " 1mb" and "1mb "
// all as 1 byte, and accepts negative sizes. [Parse] rejects these, and
// sizes above [math.MaxInt64] bytes, with an [*Error] that says what to
// write instead, so that a mistyped limit stops the program at start-up
// rather than rejecting every request.
package size

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size is a byte count together with the text it was written as, to print
// in messages.
type Size struct {
	Bytes int64
	Text  string
}

// Error is the error [Parse] returns.
type Error struct {
	Value  string // the text that failed, verbatim
	Reason string // what is wrong and what to do, e.g. `unknown unit "mib"; use b, kb, mb, gb, tb or pb`
}

// Error has no package prefix: callers wrap it with the name of the
// setting, e.g. fmt.Errorf("bodyparser: SizeLimit %w", err).
func (e *Error) Error() string {
	return strconv.Quote(e.Value) + ": " + e.Reason
}

// units lists the units from the smallest up; units[i] is 1<<(10*i) bytes.
var units = [...]string{"b", "kb", "mb", "gb", "tb", "pb"}

const (
	unitList     = "b, kb, mb, gb, tb or pb"
	reasonSyntax = `not a size: want a number with an optional unit (` + unitList + `), like "1mb" or "1.5kb"`
)

// Parse parses s as a size (see the package doc); the Size keeps s verbatim
// in Text. Callers treat "" as "use the default" before calling Parse,
// which rejects it.
func Parse(s string) (Size, error) {
	n, reason := parse(s)
	if reason != "" {
		return Size{}, &Error{Value: s, Reason: reason}
	}
	return Size{Bytes: n, Text: s}, nil
}

// parse returns the byte count, or the reason for an [Error].
func parse(s string) (int64, string) {
	if s == "" {
		return 0, `empty size; want a number with an optional unit (` + unitList + `), like "1mb"`
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return 0, `leading or trailing space`
	}

	rest := s
	negative := false
	if rest[0] == '+' || rest[0] == '-' {
		negative = rest[0] == '-'
		rest = rest[1:]
	}
	whole, rest := leadingDigits(rest)
	if whole == "" {
		if rest != "" && rest[0] == '.' {
			if _, reason := parse("0" + rest); reason == "" {
				return 0, `want a digit before the decimal point, like ` + strconv.Quote("0"+rest)
			}
		}
		return 0, reasonSyntax
	}
	var frac string
	if rest != "" && rest[0] == '.' {
		frac, rest = leadingDigits(rest[1:])
		if frac == "" {
			return 0, `want digits after the decimal point, like "1.5kb"`
		}
	}
	rest = strings.TrimLeft(rest, " ")

	shift := 0 // the unit is 1<<shift bytes
	if rest != "" {
		if !isLetters(rest) {
			if strings.Contains(rest, ",") {
				return 0, `not a size: use a dot for decimals and no thousands separators, like "1.5mb" or "1000kb"; units are ` + unitList
			}
			return 0, reasonSyntax
		}
		i := slices.Index(units[:], strings.ToLower(rest)) // rest is ASCII
		if i < 0 {
			return 0, `unknown unit ` + strconv.Quote(rest) + `; use ` + unitList + ` (all binary: 1kb = 1024 bytes)`
		}
		shift = 10 * i
	}

	if negative {
		return 0, `negative size`
	}
	n, ok := value(whole, frac, shift)
	if !ok {
		return 0, `too large: the most is 9223372036854775807 bytes (just under 8192pb)`
	}
	return n, ""
}

// value returns floor(whole.frac × 2^shift), where whole is a non-empty and
// frac a possibly empty string of decimal digits and 0 <= shift <= 50, and
// reports whether it fits in an int64.
func value(whole, frac string, shift int) (int64, bool) {
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 19 { // at least 10^19 > MaxInt64
		return 0, false
	}
	w, _ := strconv.ParseUint(whole, 10, 64) // 19 digits fit in a uint64; "" is 0
	hi, lo := bits.Mul64(w, 1<<shift)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	lo += fracBytes(frac, shift) // both terms are below 2^63: no wrap-around
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// fracBytes returns floor(0.frac × 2^shift) for a string of decimal digits
// frac and 0 <= shift <= 50. The result is below 2^shift.
//
// Only the first shift digits of frac matter. Let x be 0.frac and x' its first
// shift digits; then x'·2^shift = F/5^shift for some integer F, so it lies
// r/5^shift above an integer m, with 0 <= r < 5^shift. Since
// x - x' < 10^-shift, x·2^shift < m + r/5^shift + 1/5^shift <= m + 1, and both
// round down to m. Cutting frac keeps the arithmetic small for long inputs.
func fracBytes(frac string, shift int) uint64 {
	if len(frac) > shift {
		frac = frac[:shift]
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return 0
	}
	f, _ := new(big.Int).SetString(frac, 10) // frac is all digits
	f.Lsh(f, uint(shift))
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil)
	return f.Quo(f, pow).Uint64()
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Format prints n in the grammar [Parse] reads, in lower case and without
// spaces: in the largest unit (pb, tb, gb, mb or kb) that is at most n and in
// which n has at most two decimals exactly, with trailing zeros dropped;
// otherwise as a count of bytes with the unit b. For example 1024 is "1kb",
// 1536 is "1.5kb", 1572864 is "1.5mb", 1500 is "1500b" and 0 is "0b".
//
// For every n >= 0, Parse(Format(n)) gives n back. A negative n is printed
// with a leading "-", which Parse rejects.
func Format(n int64) string {
	sign, m := split(n)
	for i := len(units) - 1; i > 0; i-- {
		u := uint64(1) << (10 * i)
		rem := m % u
		if m < u || rem*100%u != 0 { // rem*100 < 2^57: no overflow
			continue
		}
		return sign + decimal(m/u, rem*100/u) + units[i]
	}
	return sign + strconv.FormatUint(m, 10) + "b"
}

// FormatUpper prints n as bytes.js's format() does with its default options,
// the way Next.js prints limits in its warnings: in the largest of PB, TB,
// GB, MB and KB that is at most n, or else in B; rounded to two decimals,
// ties away from zero as JavaScript's toFixed(2) does; trailing zeros and a
// trailing dot dropped; no space; upper-case unit. For example 4194304 is
// "4MB", 1536 is "1.5KB", 5000000 is "4.77MB", 1152 is "1.13KB" and 1000 is
// "1000B".
//
// The rounding is done exactly on n. bytes.js gets the same digits as long
// as n is exact in a JavaScript number, that is for |n| <= 2^53.
func FormatUpper(n int64) string {
	sign, m := split(n)
	i := len(units) - 1
	for i > 0 && m < 1<<(10*i) {
		i--
	}
	u := uint64(1) << (10 * i)
	whole, rem := m/u, m%u
	// toFixed(2) picks the nearer of two neighbouring hundredths, and the
	// larger one on a tie; the value is exactly whole + rem/u.
	hundredths := (rem*200 + u) / (2 * u) // floor(rem*100/u + 1/2); rem*200+u < 2^58
	if hundredths == 100 {
		whole, hundredths = whole+1, 0
	}
	return sign + decimal(whole, hundredths) + strings.ToUpper(units[i])
}

// split returns the sign of n, "-" or "", and its magnitude (2^63 for
// math.MinInt64).
func split(n int64) (string, uint64) {
	if n < 0 {
		return "-", -uint64(n)
	}
	return "", uint64(n)
}

// decimal prints whole plus hundredths/100 (hundredths < 100) with trailing
// zeros and a trailing dot dropped: 1, 50 gives "1.5"; 1, 5 gives "1.05".
func decimal(whole, hundredths uint64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%02d", whole, hundredths), "0"), ".")
}
