package views

import "slices"

// Median returns the median of vals: the middle value for an odd count, the
// mean of the two middle values for an even count. ok is false for no
// values. vals is not modified.
func Median(vals []float64) (median float64, ok bool) {
	n := len(vals)
	if n == 0 {
		return 0, false
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// ShareStrictlyBetter is the percentile position used by the "worst
// percentile" rule: the share (0..1) of the population whose value is
// strictly better than value on m. 0 for an empty population. The larger
// the share, the worse the agent stands.
func ShareStrictlyBetter(value float64, population []float64, m Metric) float64 {
	if len(population) == 0 {
		return 0
	}
	return float64(Rank(value, population, m)) / float64(len(population))
}
