package schemas

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestParseInteger(t *testing.T) {
	tests := []struct {
		lit            string
		n              int64
		isInt, inRange bool
	}{
		{"1", 1, true, true},
		{"0", 0, true, false},
		{"-0", 0, true, false},
		{"-1", 0, true, false},
		{"9007199254740991", 9007199254740991, true, true},
		{"9007199254740992", 9007199254740992, true, false},
		{"99999999999999999999", 0, true, false},
		{"1.0", 1, true, true},
		{"1.5", 0, false, false},
		{"1e2", 100, true, true},
		{"0.1e1", 1, true, true},
		{"100e-2", 1, true, true},
		{"1e-1", 0, false, false},
		{"1e400", 0, true, false},
		{"1E+15", 1e15, true, true},
		{"9.007199254740991e15", 9007199254740991, true, true},
		{"0.0", 0, true, false},
	}
	for _, tt := range tests {
		n, isInt, inRange := parseInteger([]byte(tt.lit))
		if isInt != tt.isInt || inRange != tt.inRange || inRange && n != tt.n {
			t.Errorf("parseInteger(%s) = %d, %v, %v; want %d, %v, %v", tt.lit, n, isInt, inRange, tt.n, tt.isInt, tt.inRange)
		}
	}
}

func TestInRange(t *testing.T) {
	tests := []struct {
		lit  string
		lo   bound
		hi   bound
		want bool
	}{
		{"0", boundZero, boundOne, true},
		{"-0", boundZero, boundOne, true},
		{"-0.0e5", boundZero, boundOne, true},
		{"1", boundZero, boundOne, true},
		{"1.0000000000000000000000001", boundZero, boundOne, false},
		{"0.99999999999999999999", boundZero, boundOne, true},
		{"-1e-400", boundZero, boundOne, false},
		{"1e-400", boundZero, boundOne, true},
		{"86400", boundZero, boundHandleTime, true},
		{"86400.0000000000000001", boundZero, boundHandleTime, false},
		{"8.64e4", boundZero, boundHandleTime, true},
		{"1e400", boundZero, boundHandleTime, false},
		{"-9007199254740991", boundAttrMin, boundAttrMax, true},
		{"-9007199254740991.1", boundAttrMin, boundAttrMax, false},
		{"9007199254740992", boundAttrMin, boundAttrMax, false},
	}
	for _, tt := range tests {
		if _, got := inRange([]byte(tt.lit), tt.lo, tt.hi); got != tt.want {
			t.Errorf("inRange(%s) = %v, want %v", tt.lit, got, tt.want)
		}
	}
}

// TestDecimalCmpProperty compares decimal.cmp with big.Rat on random
// literals built around a few magnitudes, so that ties and near-ties occur.
func TestDecimalCmpProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	lit := func() string {
		mant := []string{"0", "1", "9", "10", "86400", "864", "9007199254740991", "1000000000000000001"}[r.IntN(8)]
		s := mant
		if r.IntN(2) == 0 {
			s += "." + fmt.Sprint(r.IntN(3)) + []string{"", "0", "00", "1"}[r.IntN(4)]
		}
		if r.IntN(2) == 0 {
			s += fmt.Sprintf("e%d", r.IntN(41)-20)
		}
		if r.IntN(3) == 0 {
			s = "-" + s
		}
		return s
	}
	for range 20000 {
		a, b := lit(), lit()
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		if got, want := parseDecimal([]byte(a)).cmp(parseDecimal([]byte(b))), ra.Cmp(rb); got != want {
			t.Fatalf("cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
		if got, want := parseDecimal([]byte(a)).isInt(), ra.IsInt(); got != want {
			t.Fatalf("isInt(%s) = %v, want %v", a, got, want)
		}
	}
}
