package views

import (
	"math/rand/v2"
	"testing"
)

func TestAESFloor(t *testing.T) {
	cases := []struct {
		name  string
		recs  []*Sums
		sums  Sums
		floor float64
		want  float64
	}{
		// AHT (100+200)/2 = 150; psat (0.8+0.6)/2 = 0.7; pres 0.5 → 150/(0.7×0.5) = 428.571428…,
		// with 0.8 and 0.6 on the 2^-20 grid (838861 and 629146 grains): 428.57125…
		{name: "no floor needed", sums: sumsOf(rec(100, 0.8, 0.5), rec(200, 0.6, 0.5)), floor: 0.05, want: 150 / ((838861 + 629146) / 2.0 / (1 << 20) * 0.5)},
		// psat mean 0.03 is floored to 0.05; AHT (50+150)/2 = 100 → 100/(0.05×1) = 2000
		{name: "psat floored", sums: sumsOf(rec(50, 0.02, 1), rec(150, 0.04, 1)), floor: 0.05, want: 2000},
		// both means 0 → 60/(0.05×0.05) = 24000
		{name: "both floored", sums: sumsOf(rec(60, 0, 0)), floor: 0.05, want: 24000},
		// floor 0.1: psat 0.08 → 0.1; 100/(0.1×0.5) = 2000
		{name: "custom floor", sums: sumsOf(rec(100, 0.08, 0.5)), floor: 0.1, want: 2000},
		// pres absent → factor 1: 300/0.6 = 500; 0.6 on the grid: 629146 grains → 499.99968…
		{name: "pres absent", sums: sumsOf(rec(300, 0.6, -1)), floor: 0.05, want: 300 / (629146.0 / (1 << 20))},
		// no predictions: AES = AHT = (100+140)/2 = 120
		{name: "email", sums: sumsOf(rec(100, -1, -1), rec(140, -1, -1)), floor: 0.05, want: 120},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.sums.AES(c.floor)
			if !ok || !AlmostEqual(got, c.want) {
				t.Fatalf("AES = %v, %v; want %v", got, ok, c.want)
			}
		})
	}
	if _, ok := (Sums{}).AES(0.05); ok {
		t.Fatal("AES of an empty group must be absent")
	}
}

func TestAESRatioOfMeansNotMeanOfRatios(t *testing.T) {
	// AHT (100+300)/2 = 200, psat (1+0.5)/2 = 0.75, pres 1 → 200/0.75 = 266.67.
	// The mean of per-interaction ratios would be (100/1 + 300/0.5)/2 = 350.
	s := sumsOf(rec(100, 1, 1), rec(300, 0.5, 1))
	got, _ := s.AES(0.05)
	if !AlmostEqual(got, 200/0.75) {
		t.Fatalf("AES = %v, want %v", got, 200/0.75)
	}
}

func TestAESEqualsAHTWithoutPredictions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var s Sums
		for range 1 + r.IntN(50) {
			s.Add(rec(r.Float64()*86400, -1, -1))
		}
		aes, _ := s.AES(0.05)
		aht, _ := s.AHT()
		if aes != aht {
			t.Fatalf("AES %v != AHT %v without predictions", aes, aht)
		}
		if _, ok := s.PSAT(); ok {
			t.Fatal("PSAT must be absent without predictions")
		}
		if f := s.Figures(0.05); f.PSAT != nil || f.PRES != nil || *f.AES != *f.AHT {
			t.Fatalf("Figures = %+v", f)
		}
	}
}

func TestSumsMergeEqualsAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var whole, a, b Sums
		for range r.IntN(40) {
			it := rec(float64(r.IntN(2000)), r.Float64(), r.Float64())
			whole.Add(it)
			if r.IntN(2) == 0 {
				a.Add(it)
			} else {
				b.Add(it)
			}
		}
		a.Merge(b)
		if a != whole {
			t.Fatalf("merge %+v differs from adding %+v", a, whole)
		}
	}
}

func TestSumsSubUndoesAdd(t *testing.T) {
	x, y, z := rec(100, 0.9, 0.8), rec(250, 0.3, -1), rec(75, -1, 0.2)
	s := sumsOf(x, y, z)
	s.Sub(y)
	if want := sumsOf(x, z); s != want {
		t.Fatalf("sub %+v differs from adding the rest %+v", s, want)
	}
}

func TestSumsFigures(t *testing.T) {
	// AHT (100+200)/2 = 150, psat 0.5 (one value), pres absent, AES 150/0.5 = 300.
	f := sumsOf(rec(100, 0.5, -1), rec(200, -1, -1)).Figures(0.05)
	if f.Volume != 2 || *f.AHT != 150 || *f.PSAT != 0.5 || f.PRES != nil || *f.AES != 300 {
		t.Fatalf("Figures = %+v", f)
	}
	if f := (Sums{}).Figures(0.05); f.AES != nil || f.AHT != nil || f.Volume != 0 {
		t.Fatalf("empty Figures = %+v", f)
	}
}

func TestModelMetrics(t *testing.T) {
	cases := []struct {
		sums Sums
		want []Metric
	}{
		{Sums{}, nil},
		{means(3, 100, -1, -1), []Metric{MetricAES, MetricAHT}},
		{means(3, 100, 0.5, -1), []Metric{MetricAES, MetricAHT, MetricPSAT}},
		{means(3, 100, 0.5, 0.5), []Metric{MetricAES, MetricAHT, MetricPSAT, MetricPRES}},
	}
	for _, c := range cases {
		if got := ModelMetrics(c.sums); !equalMetrics(got, c.want) {
			t.Errorf("ModelMetrics(%+v) = %v, want %v", c.sums, got, c.want)
		}
	}
}

func equalMetrics(a, b []Metric) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParamsDefaultsAndValidate(t *testing.T) {
	if p := (Params{}).WithDefaults(); p != DefaultParams() {
		t.Fatalf("defaults = %+v", p)
	}
	for _, c := range []struct {
		p     Params
		field string
	}{
		{Params{MinVolume: -1}, "min_volume"},
		{Params{Floor: -0.1}, "floor"},
		{Params{Floor: 1.5}, "floor"},
		{Params{MinVolume: 3, Floor: 1}, ""},
	} {
		err := c.p.Validate()
		if got := firstField(err); got != c.field {
			t.Errorf("Validate(%+v) = %v, want field %q", c.p, err, c.field)
		}
	}
}

func BenchmarkSumsAdd(b *testing.B) {
	it := rec(300, 0.8, 0.7)
	var s Sums
	b.ReportAllocs()
	for b.Loop() {
		s.Add(it)
	}
	_ = s
}
