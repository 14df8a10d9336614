package views

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func scored(vals ...float64) []Scored {
	out := make([]Scored, len(vals))
	for i, v := range vals {
		out[i] = Scored{ID: string(rune('a' + i)), Value: v}
	}
	return out
}

const (
	G = LabelGreat
	O = LabelGood
	N = LabelNeedsWork
)

func TestQuartileLabelsTies(t *testing.T) {
	cases := []struct {
		name string
		m    Metric
		vals []float64
		want []Label
	}{
		// N=8, g=2. Ranks best first (lower better): 100→0, 200→1, 200→1, 300→3,
		// 400→4 (×3), 500→7. great: rank<2 (the 200 tie straddles 1..2 and gets
		// great); needs_work: rank≥6 (the 400s rank 4, so good).
		{"aht tie straddles great", MetricAHT,
			[]float64{100, 200, 200, 300, 400, 400, 400, 500},
			[]Label{G, G, G, O, O, O, O, N}},
		// N=5, g=1. psat higher better: the four 0.9 share rank 0 → great;
		// 0.1 has rank 4 ≥ 5−1 → needs_work.
		{"psat tie at top", MetricPSAT,
			[]float64{0.9, 0.9, 0.1, 0.9, 0.9},
			[]Label{G, G, N, G, G}},
		// N=4, g=1: all tied share rank 0 → all great.
		{"all tied", MetricAES, []float64{5, 5, 5, 5}, []Label{G, G, G, G}},
		// N=8, g=2. aes: 10→0, 20→1, 30→2, 40 (×5)→3: the tie straddles the
		// needs_work boundary (ranks 3..7, boundary 6) and gets good.
		{"tie straddles needs_work", MetricAES,
			[]float64{40, 10, 40, 20, 40, 30, 40, 40},
			[]Label{O, G, O, G, O, O, O, O}},
		// N=4 with the bottom two tied: ranks 0,1,2,2 → great, good, good, good.
		{"bottom tie", MetricAHT, []float64{1, 2, 3, 3}, []Label{G, O, O, O}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Labels(scored(c.vals...), c.m); !slices.Equal(got, c.want) {
				t.Fatalf("Labels(%v) = %v, want %v", c.vals, got, c.want)
			}
		})
	}
}

func TestQuartileLabelsSmallPopulation(t *testing.T) {
	cases := []struct {
		vals []float64
		want []Label
	}{
		{nil, []Label{}},
		{[]float64{7}, []Label{O}},
		{[]float64{1, 2}, []Label{O, O}},
		{[]float64{3, 1, 2}, []Label{O, O, O}},
		// N=4, g=1: 1 / 2 / 1.
		{[]float64{4, 1, 3, 2}, []Label{N, G, O, O}},
		// N=7, g=1: 1 / 5 / 1.
		{[]float64{1, 2, 3, 4, 5, 6, 7}, []Label{G, O, O, O, O, O, N}},
	}
	for _, c := range cases {
		if got := Labels(scored(c.vals...), MetricAHT); !slices.Equal(got, c.want) {
			t.Errorf("Labels(%v) = %v, want %v", c.vals, got, c.want)
		}
	}
}

func TestQuartileLabelsSplitProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		k := 1 + r.IntN(30)
		m := Metrics()[r.IntN(4)]
		seen := map[float64]bool{}
		var vals []float64
		for len(vals) < 4*k {
			v := r.Float64() * 1000
			if !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
		labels := Labels(scored(vals...), m)
		count := map[Label]int{}
		for _, l := range labels {
			count[l]++
		}
		if count[G] != k || count[O] != 2*k || count[N] != k {
			t.Fatalf("4k=%d distinct values split %v, want %d/%d/%d", 4*k, count, k, 2*k, k)
		}
	}
}

func TestQuartileLabelsTiesShareAndMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	order := map[Label]int{G: 0, O: 1, N: 2}
	for range 300 {
		m := Metrics()[r.IntN(4)]
		n := r.IntN(40)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(r.IntN(8)) // many ties
		}
		labels := Labels(scored(vals...), m)
		for i := range vals {
			for j := range vals {
				if vals[i] == vals[j] && labels[i] != labels[j] {
					t.Fatalf("tied values %v got %s and %s", vals[i], labels[i], labels[j])
				}
				if m.Better(vals[i], vals[j]) && order[labels[i]] > order[labels[j]] {
					t.Fatalf("better value %v labelled %s below %v labelled %s", vals[i], labels[i], vals[j], labels[j])
				}
			}
		}
	}
}

func TestMemberLabelsUsesPopulationOnly(t *testing.T) {
	// Only a..d (volume ≥ 5) form the population: AHT 100, 200, 300, 400 →
	// great, good, good, needs_work; e (volume 4) is unlabelled.
	members := []Member{
		{"a", means(5, 100, -1, -1)}, {"b", means(6, 200, -1, -1)},
		{"c", means(7, 300, -1, -1)}, {"d", means(8, 400, -1, -1)},
		{"e", means(4, 1, -1, -1)},
	}
	got := MemberLabels(members, MetricAHT, DefaultParams())
	want := map[string]Label{"a": G, "b": O, "c": O, "d": N}
	if len(got) != len(want) {
		t.Fatalf("MemberLabels = %v", got)
	}
	for id, l := range want {
		if got[id] != l {
			t.Fatalf("MemberLabels = %v, want %v", got, want)
		}
	}
	// psat: nobody has a value → nobody is labelled.
	if got := MemberLabels(members, MetricPSAT, DefaultParams()); len(got) != 0 {
		t.Fatalf("psat labels = %v", got)
	}
}

func TestTopAgent(t *testing.T) {
	members := []Member{
		{"b", means(5, 100, -1, -1)}, // AES 100
		{"a", means(9, 100, -1, -1)}, // AES 100: tie, smaller id wins
		{"c", means(5, 150, -1, -1)},
		{"z", means(4, 1, -1, -1)}, // best AES but below MinVolume
	}
	top, ok := TopAgent(members, DefaultParams())
	if !ok || top.ID != "a" {
		t.Fatalf("TopAgent = %v, %v; want a", top.ID, ok)
	}
	if _, ok := TopAgent(members[3:], DefaultParams()); ok {
		t.Fatal("TopAgent of an empty population must be absent")
	}
}

func BenchmarkLabels(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	vals := make([]float64, 10000)
	for i := range vals {
		vals[i] = r.Float64()
	}
	s := scored(vals...)
	b.ReportAllocs()
	for b.Loop() {
		Labels(s, MetricAES)
	}
}
