package main

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// The Next.js app these routes mirror reads numbers from the query string
// with JavaScript's Number(req.query.x), and Node turns a status code into an
// integer with `code | 0` before it checks its range. These functions are
// those two conversions, so that "?code= 201 ", "?code=0xC9" and
// "?code=2.01e2" mean what they mean in JavaScript. They are the handlers'
// business, not the library's: the library takes Go ints.

// jsNumberOf returns Number(v) for a value of route.Query: a string, a list
// (JavaScript turns an array into its elements joined with ","), or nothing
// (Number(undefined) is NaN).
func jsNumberOf(v any) float64 {
	switch v := v.(type) {
	case string:
		return jsNumber(v)
	case []string:
		return jsNumber(strings.Join(v, ","))
	default:
		return math.NaN()
	}
}

// jsNumber is JavaScript's Number(s) for a string s (ECMAScript
// StringToNumber): surrounding white space is ignored, "" is 0, "Infinity"
// with an optional sign is infinite, 0x, 0o and 0b prefixes (without a sign)
// are hexadecimal, octal and binary integers, and anything else must be a
// decimal literal ("1.", ".5", "-1e3"); everything else is NaN.
func jsNumber(s string) float64 {
	s = strings.TrimFunc(s, isJSSpace)
	switch s {
	case "":
		return 0
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			return nonDecimal(s[2:], base)
		}
	}
	if !isDecimalLiteral(s) {
		return math.NaN()
	}
	// The grammar is checked; ParseFloat only rounds (and gives ±Inf for
	// "1e400", as JavaScript does).
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// nonDecimal parses the digits of a 0x, 0o or 0b literal, rounded to the
// nearest double as JavaScript does, however many digits there are.
func nonDecimal(digits string, base int) float64 {
	for _, c := range digits {
		d := -1
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		}
		if d < 0 || d >= base {
			return math.NaN()
		}
	}
	n, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return math.NaN()
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	return f
}

// isDecimalLiteral reports whether s is a StrDecimalLiteral without
// "Infinity": [+-] digits [. digits] or . digits, then [eE [+-] digits].
func isDecimalLiteral(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// isJSSpace reports the characters String.prototype.trim removes: WhiteSpace
// and LineTerminator.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', '\u2028', '\u2029', '\ufeff':
		return true
	}
	return unicode.Is(unicode.Zs, r)
}

// jsInt32 is JavaScript's x | 0 (ToInt32), which Node applies to a status
// code before checking that it lies in 100–999: NaN and ±Infinity are 0,
// fractions are truncated, and larger numbers wrap modulo 2^32.
func jsInt32(f float64) int {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	m := math.Mod(math.Trunc(f), 1<<32)
	if m < 0 {
		m += 1 << 32
	}
	if m >= 1<<31 {
		m -= 1 << 32
	}
	return int(m)
}
