package schemas

import (
	"strconv"
	"unsafe"
)

// decimal is the exact value of a JSON number literal:
// (-1)^neg × digits × 10^exp, where digits has no leading or trailing zeros.
// Zero has empty digits (and neg is ignored: -0 equals 0). The schema library
// compares numbers exactly (big.Rat), so bounds are checked on this exact
// value and never on a rounded float64.
type decimal struct {
	neg    bool
	digits []byte
	exp    int64
}

// expLimit saturates exponents; no input is long enough to make the
// difference between 1e(expLimit) and a larger exponent observable.
const expLimit = 1 << 40

// parseDecimal returns the exact value of lit, which must be a valid JSON
// number (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
func parseDecimal(lit []byte) decimal {
	var d decimal
	i := 0
	if i < len(lit) && lit[i] == '-' {
		d.neg = true
		i++
	}
	digits := make([]byte, 0, len(lit))
	var frac int64
	for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
		digits = append(digits, lit[i])
	}
	if i < len(lit) && lit[i] == '.' {
		for i++; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			digits = append(digits, lit[i])
			frac++
		}
	}
	var exp int64
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		eneg := false
		if lit[i] == '+' || lit[i] == '-' {
			eneg = lit[i] == '-'
			i++
		}
		for ; i < len(lit); i++ {
			if exp < expLimit {
				exp = exp*10 + int64(lit[i]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	exp -= frac
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	d.digits = digits
	d.exp = exp
	return d
}

// isZero reports whether d is 0 (or -0).
func (d decimal) isZero() bool { return len(d.digits) == 0 }

// isInt reports whether d has no fractional part.
func (d decimal) isInt() bool { return d.isZero() || d.exp >= 0 }

// cmp returns -1, 0 or +1 as d is less than, equal to or greater than o.
func (d decimal) cmp(o decimal) int {
	ds, os := d.sign(), o.sign()
	if ds != os {
		if ds < os {
			return -1
		}
		return 1
	}
	if ds == 0 {
		return 0
	}
	c := cmpMagnitude(d, o)
	if ds < 0 {
		return -c
	}
	return c
}

func (d decimal) sign() int {
	switch {
	case d.isZero():
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// cmpMagnitude compares |a| and |b|, both non-zero.
func cmpMagnitude(a, b decimal) int {
	// The leading digit of a sits at 10^(len(digits)+exp-1).
	la, lb := int64(len(a.digits))+a.exp, int64(len(b.digits))+b.exp
	if la != lb {
		if la < lb {
			return -1
		}
		return 1
	}
	for i := 0; i < len(a.digits) || i < len(b.digits); i++ {
		var x, y byte = '0', '0'
		if i < len(a.digits) {
			x = a.digits[i]
		}
		if i < len(b.digits) {
			y = b.digits[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// bound is an inclusive number bound, as a float64 and as its exact decimal.
type bound struct {
	f float64
	d decimal
}

func newBound(s string) bound {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return bound{f: f, d: parseDecimal([]byte(s))}
}

// inRange parses lit (a valid JSON number) and reports whether its exact
// value lies in [lo, hi]. Rounding to float64 is monotone, so the float is
// decisive except when it equals a bound; only then is the exact decimal
// compared. f is the nearest float64 (±Inf or 0 when out of float64 range).
func inRange(lit []byte, lo, hi bound) (f float64, ok bool) {
	f, _ = strconv.ParseFloat(bytesString(lit), 64)
	switch {
	case f < lo.f || f > hi.f:
		return f, false
	case (f == lo.f || f == hi.f) && shortInteger(lit):
		// Exactly the bound: a plain integer of at most 15 digits
		// converts exactly (0 is the common case: no hold, no transfers).
		return f, true
	case f == lo.f:
		return f, parseDecimal(lit).cmp(lo.d) >= 0
	case f == hi.f:
		return f, parseDecimal(lit).cmp(hi.d) <= 0
	}
	return f, true
}

// shortInteger reports whether lit is -?[0-9]{1,15}: an integer literal
// that float64 holds exactly.
func shortInteger(lit []byte) bool {
	if len(lit) > 0 && lit[0] == '-' {
		lit = lit[1:]
	}
	if len(lit) == 0 || len(lit) > 15 {
		return false
	}
	for _, c := range lit {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseInteger returns the value of lit (a valid JSON number) when it is an
// integer in [1, MaxRevision]. isInt reports whether it is an integer at all
// (1.0 and 1e2 are: the schema's "integer" means an integral value).
func parseInteger(lit []byte) (n int64, isInt, inRange bool) {
	if len(lit) <= 16 {
		fast := true
		for _, c := range lit {
			if c < '0' || c > '9' {
				fast = false
				break
			}
		}
		if fast {
			for _, c := range lit {
				n = n*10 + int64(c-'0')
			}
			return n, true, n >= 1 && n <= MaxRevision
		}
	}
	d := parseDecimal(lit)
	if !d.isInt() {
		return 0, false, false
	}
	if d.isZero() || d.neg || int64(len(d.digits))+d.exp > 16 {
		return 0, true, false
	}
	for _, c := range d.digits {
		n = n*10 + int64(c-'0')
	}
	for e := d.exp; e > 0; e-- {
		n *= 10
	}
	return n, true, n <= MaxRevision
}

// bytesString views b as a string without copying. The string must not
// outlive b's contents, and is only passed to strconv, which copies what it
// keeps.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
