package storeview

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestSortedListMatchesSlice drives a sortedList and a flat sorted slice
// with the same random inserts and removals (many duplicates, enough
// elements to split and empty blocks) and compares every read.
func TestSortedListMatchesSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, span := range []int{5, 300, 100_000} {
		l := sortedList[float64]{cmp: cmp.Compare[float64]}
		var want []float64
		check := func(step int) {
			t.Helper()
			if l.len() != len(want) {
				t.Fatalf("span %d step %d: len %d, want %d", span, step, l.len(), len(want))
			}
			for _, b := range l.blocks {
				if len(b) == 0 || len(b) > sortedBlockMax {
					t.Fatalf("span %d step %d: block of %d", span, step, len(b))
				}
			}
			for range 5 {
				if len(want) > 0 {
					i := rng.IntN(len(want))
					if got := l.at(i); got != want[i] {
						t.Fatalf("span %d step %d: at(%d) = %v, want %v", span, step, i, got, want[i])
					}
				}
				x := float64(rng.IntN(span + 2))
				for _, pred := range []func(float64) bool{func(v float64) bool { return v >= x }, func(v float64) bool { return v > x }} {
					got := l.search(pred)
					exp := sort.Search(len(want), func(j int) bool { return pred(want[j]) })
					if got != exp {
						t.Fatalf("span %d step %d: search(%v) = %d, want %d", span, step, x, got, exp)
					}
				}
			}
		}
		initial := make([]float64, rng.IntN(2000))
		for i := range initial {
			initial[i] = float64(rng.IntN(span))
		}
		slices.Sort(initial)
		want = slices.Clone(initial)
		l.reset(initial)
		check(-1)
		for step := range 6000 {
			x := float64(rng.IntN(span))
			// Grow for the first half, shrink for the second.
			if (step < 3000) == (rng.IntN(4) != 0) {
				l.insert(x)
				i, _ := slices.BinarySearch(want, x)
				want = slices.Insert(want, i, x)
			} else {
				i, found := slices.BinarySearch(want, x)
				if got := l.remove(x); got != found {
					t.Fatalf("span %d step %d: remove(%v) = %v, want %v", span, step, x, got, found)
				}
				if found {
					want = slices.Delete(want, i, i+1)
				}
			}
			if l.contains(x) != slices.Contains(want, x) {
				t.Fatalf("span %d step %d: contains(%v) disagrees", span, step, x)
			}
			if step%50 == 0 {
				check(step)
			}
		}
		check(6000)
	}
}
