package main

import (
	"math"
	"testing"
)

// The expected values were printed by Node 20: Number(s) and Number(s) | 0.
func TestJSNumberIsJavaScriptsNumber(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	cases := []struct {
		in    string
		want  float64
		int32 int
	}{
		{"", 0, 0},
		{" 42 ", 42, 42},
		{"\t\n42\u00a0\u3000", 42, 42},
		{"\ufeff7", 7, 7},
		{"0x1F", 31, 31},
		{"0X1f", 31, 31},
		{"0o17", 15, 15},
		{"0b11", 3, 3},
		{"-0x10", nan, 0},
		{"0x", nan, 0},
		{"0x1p3", nan, 0},
		{"0xFFFFFFFFFFFFFFFFF", 295147905179352830000, 0},
		{"1e2", 100, 100},
		{"1E+2", 100, 100},
		{"2.01e2", 201, 201},
		{"1.", 1, 1},
		{".5", 0.5, 0},
		{"-.5", -0.5, 0},
		{"+5", 5, 5},
		{"00012", 12, 12},
		{"0.1e-5", 0.000001, 0},
		{".", nan, 0},
		{"1e", nan, 0},
		{"e1", nan, 0},
		{"abc", nan, 0},
		{"NaN", nan, 0},
		{"- 1", nan, 0},
		{"1_000", nan, 0},
		{"1,2", nan, 0},
		{"12px", nan, 0},
		{"infinity", nan, 0},
		{"Infinity", math.Inf(1), 0},
		{"+Infinity", math.Inf(1), 0},
		{"-Infinity", math.Inf(-1), 0},
		{"1e400", math.Inf(1), 0},
		{"-1e400", math.Inf(-1), 0},
		{"4294967497", 4294967497, 201},
		{"-1", -1, -1},
		{"201.9", 201.9, 201},
		{"-201.9", -201.9, -201},
		{"2147483648", 2147483648, -2147483648},
	}
	for _, tc := range cases {
		got := jsNumber(tc.in)
		if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("Number(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if i := jsInt32(got); i != tc.int32 {
			t.Errorf("Number(%q) | 0 = %d, want %d", tc.in, i, tc.int32)
		}
	}
	// Query values: a list is joined with ",", nothing is undefined.
	if got := jsNumberOf([]string{"5"}); got != 5 {
		t.Errorf(`Number(["5"]) = %v, want 5`, got)
	}
	if got := jsNumberOf([]string{"1", "2"}); !math.IsNaN(got) {
		t.Errorf(`Number(["1","2"]) = %v, want NaN`, got)
	}
	if got := jsNumberOf(nil); !math.IsNaN(got) {
		t.Errorf("Number(undefined) = %v, want NaN", got)
	}
}
