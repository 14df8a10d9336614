package outcomes

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFTRLHandComputed(t *testing.T) {
	m := newFTRL(Config{TableBits: 8, Alpha: 0.1, Beta: 1, L1: 0.1, L2: 1})
	idx := []uint32{3, 7}
	if p := m.predict(idx); p != 0.5 {
		t.Fatalf("empty model predicts %v, want 0.5", p)
	}
	m.update(idx, 0.5, 1)
	// g = −0.5, σ = (√0.25 − 0)/0.1 = 5, z = −0.5 − 5·0 = −0.5, n = 0.25.
	for _, i := range idx {
		if m.z[i] != -0.5 || m.n[i] != 0.25 {
			t.Fatalf("coordinate %d: z=%v n=%v, want −0.5, 0.25", i, m.z[i], m.n[i])
		}
	}
	// w = −(z − sign·l1)/((β+√n)/α + l2) = 0.4/16 = 0.025 per coordinate.
	if w := m.weight(3); math.Abs(w-0.025) > 1e-15 {
		t.Fatalf("weight %v, want 0.025", w)
	}
	want := 1 / (1 + math.Exp(-0.05))
	if p := m.predict(idx); math.Abs(p-want) > 1e-15 {
		t.Fatalf("predict %v, want σ(0.05) = %v", p, want)
	}
	// L1 keeps a small z at weight 0.
	m2 := newFTRL(Config{TableBits: 8, Alpha: 0.1, Beta: 1, L1: 0.5, L2: 1})
	m2.update(idx, 0.5, 1)
	if w := m2.weight(3); w != 0 {
		t.Fatalf("|z| = l1 gives weight %v, want 0", w)
	}
}

func TestLogLossAndSigmoidBounds(t *testing.T) {
	if p := sigmoid(1e9); p >= 1 {
		t.Fatalf("sigmoid(1e9) = %v, want < 1", p)
	}
	if ll := logLoss(0, true); math.IsInf(ll, 0) || ll <= 0 {
		t.Fatalf("logLoss(0, true) = %v, want finite positive", ll)
	}
	if ll := logLoss(0.5, false); math.Abs(ll-math.Ln2) > 1e-15 {
		t.Fatalf("logLoss(0.5) = %v, want ln 2", ll)
	}
}

func TestBlendHandComputed(t *testing.T) {
	var c Cell
	c.Add(0.5, true, true)
	c.Add(0.5, true, true)
	c.Add(0.5, false, false)
	c.Add(0.5, false, false)
	// (2 + 10)/(1 + 10) × 0.5 = 6/11.
	if v, ok := c.Blend(10); !ok || math.Abs(v-6.0/11) > 1e-15 {
		t.Fatalf("blend %v %v, want 6/11", v, ok)
	}
	hi := Cell{N: 1, SumP: 0.95, Labels: 40, Pos: 40, Exp: 20}
	if v, _ := hi.Blend(10); v != 1 {
		t.Fatalf("blend above 1 = %v, want clipped to 1", v)
	}
	if _, ok := (Cell{}).Blend(10); ok {
		t.Fatal("empty cell has a blend")
	}
	// Merge of halves equals the whole.
	var a, b Cell
	a.Add(0.25, true, false)
	b.Add(0.625, true, true)
	a.Merge(b)
	if a != (Cell{N: 2, SumP: 0.25 + 0.625, Labels: 2, Pos: 1, Exp: 0.25 + 0.625}) {
		t.Fatalf("merge %+v", a)
	}
	a.Sub(b)
	a.Sub(Cell{N: 1, SumP: 0.25, Labels: 1, Exp: 0.25})
	if a != (Cell{}) {
		t.Fatalf("sub back to empty: %+v", a)
	}
}

func TestBuckets(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want uint64
	}{{0, 0}, {0.9, 0}, {1, 1}, {3, 2}, {4, 3}, {300, 9}, {1e12, 21}, {-1, absent}, {math.NaN(), absent}} {
		if got := logBucket(c.s); got != c.want {
			t.Errorf("logBucket(%v) = %d, want %d", c.s, got, c.want)
		}
	}
}

// TestCellSumsAnyOrder: predictions are added on the 2^-20 grid, so cells
// summed in any order and grouping (the reference by record, the stores
// by bucket part and hour) are the same bytes, and tied figures stay tied.
func TestCellSumsAnyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	ps := make([]float64, 5000)
	for i := range ps {
		ps[i] = rng.Float64()
	}
	var fwd, back, grouped Cell
	for i := range ps {
		fwd.Add(ps[i], i%3 == 0, i%2 == 0)
	}
	for i := len(ps) - 1; i >= 0; i-- {
		back.Add(ps[i], i%3 == 0, i%2 == 0)
	}
	for g := range 7 {
		var part Cell
		for i := g; i < len(ps); i += 7 {
			part.Add(ps[i], i%3 == 0, i%2 == 0)
		}
		grouped.Merge(part)
	}
	if fwd != back || fwd != grouped {
		t.Fatalf("sums differ by order: %+v, %+v, %+v", fwd, back, grouped)
	}
	if math.Abs(fwd.SumP-2500) > 100 {
		t.Fatalf("sum %v of 5000 uniform predictions", fwd.SumP)
	}
}
