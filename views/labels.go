package views

import "sort"

// Labels assigns each member its quartile label for metric m and returns
// the labels in input order. The rule (DESIGN.md §1 "Quartile label"):
//
//   - sort the N values best first (m's direction);
//   - a member's rank is its competition rank, counted from 0: the number
//     of values strictly better than its own ("1224" ranking, so tied
//     values share the best rank of their group);
//   - g = floor(N/4); rank < g → great, rank ≥ N − g → needs_work,
//     otherwise good.
//
// Consequences: a population under 4 is all good; 4k distinct values split
// k / 2k / k; tied values always share one label, and a tie group that
// straddles a boundary gets the better label. Ties are exact float64
// equality of the computed figures (which is why every figure is computed
// from Sums by one expression). Values must not be NaN.
func Labels(members []Scored, m Metric) []Label {
	sorted := sortBestFirst(values(members), m)
	out := make([]Label, len(members))
	for i, mem := range members {
		out[i] = QuartileLabel(rankIn(sorted, mem.Value, m), len(sorted))
	}
	return out
}

// QuartileLabel is the label of competition rank rank (0-based) in a
// population of n: see Labels.
func QuartileLabel(rank, n int) Label {
	g := n / 4
	switch {
	case rank < g:
		return LabelGreat
	case rank >= n-g:
		return LabelNeedsWork
	}
	return LabelGood
}

// Rank returns the competition rank (0-based) of value within population:
// the number of population values strictly better than value on m. The
// value need not be a member of the population.
func Rank(value float64, population []float64, m Metric) int {
	n := 0
	for _, v := range population {
		if m.Better(v, value) {
			n++
		}
	}
	return n
}

// rankIn is Rank over a slice already sorted best first.
func rankIn(sortedBestFirst []float64, value float64, m Metric) int {
	return sort.Search(len(sortedBestFirst), func(j int) bool {
		return !m.Better(sortedBestFirst[j], value)
	})
}
