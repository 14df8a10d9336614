package simulator

import (
	"math"
	"testing"
	"time"
)

func TestRNGIsReproducibleAndKeyed(t *testing.T) {
	a, b := rng{state: derive(1, 2, 3)}, rng{state: derive(1, 2, 3)}
	for range 100 {
		if a.uint64() != b.uint64() {
			t.Fatal("same seed, different streams")
		}
	}
	// Keys are order sensitive and every key matters.
	seen := map[uint64]bool{}
	for _, k := range [][]uint64{{1, 2, 3}, {3, 2, 1}, {1, 2, 4}, {1, 2}, {0, 1, 2, 3}, {2, 2, 3}} {
		h := derive(k...)
		if seen[h] {
			t.Errorf("derive(%v) collides", k)
		}
		seen[h] = true
	}
}

// TestRNGDistributions checks the moments every draw relies on, with
// tolerances of several standard errors for 200,000 draws.
func TestRNGDistributions(t *testing.T) {
	const n = 200_000
	r := rng{state: derive(99)}
	var su, sn, sn2, se float64
	counts := make([]float64, 3)
	weights := []float64{1, 2, 7}
	for range n {
		u := r.float64()
		if u < 0 || u >= 1 {
			t.Fatalf("float64() = %v", u)
		}
		su += u
		z := r.norm()
		sn += z
		sn2 += z * z
		se += r.exp(3)
		counts[r.pick(weights)]++
		if x := r.logUniform(60, 3600); x < 60 || x >= 3600 {
			t.Fatalf("logUniform = %v", x)
		}
		if i := r.intn(5); i < 0 || i >= 5 {
			t.Fatalf("intn(5) = %d", i)
		}
	}
	check := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.4f, want %.4f ± %.4f", name, got, want, tol)
		}
	}
	check("uniform mean", su/n, 0.5, 0.003)
	check("normal mean", sn/n, 0, 0.01)
	check("normal variance", sn2/n, 1, 0.015)
	check("exponential mean", se/n, 3, 0.03)
	for i, w := range weights {
		check("pick share", counts[i]/n, w/10, 0.005)
	}
}

func TestCalendarHelpers(t *testing.T) {
	for day := int64(-800); day < 800; day += 37 {
		if got, want := weekday(day), int(time.Unix(day*86400, 0).UTC().Weekday()); got != want {
			t.Errorf("weekday(%d) = %d, want %d", day, got, want)
		}
	}
	tests := []struct{ a, b, want int64 }{{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 86400, -1}}
	for _, tt := range tests {
		if got := floorDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("floorDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestOccupancyFollowsTheCurves(t *testing.T) {
	for d := range 7 {
		for h := range 24 {
			if o := occupancyTable[d][h]; o < minOccupancy || o > maxOccupancy {
				t.Errorf("occupancy[%d][%d] = %v outside [%v, %v]", d, h, o, minOccupancy, maxOccupancy)
			}
		}
	}
	if got := occupancyTable[time.Wednesday][10]; math.Abs(got-targetOccupancy) > 1e-9 {
		t.Errorf("reference hour occupancy %v, want %v", got, targetOccupancy)
	}
	// With most agents on, the busy late morning keeps them busier than the
	// evening tail.
	if occupancyTable[time.Tuesday][10] <= occupancyTable[time.Tuesday][17] {
		t.Errorf("Tuesday 10:00 occupancy %v <= 17:00 %v", occupancyTable[time.Tuesday][10], occupancyTable[time.Tuesday][17])
	}
}

func TestSkillAtFollowsTrend(t *testing.T) {
	a := Agent{Skill: 0.2, Trend: 1}
	for _, tt := range []struct{ p, want float64 }{{-1, 0.2}, {0, 0.2}, {0.5, 0.7}, {1, 1.2}, {2, 1.2}} {
		if got := a.SkillAt(tt.p); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("SkillAt(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
