package views

import (
	"slices"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		vals []float64
		want float64
		ok   bool
	}{
		{nil, 0, false},
		{[]float64{3}, 3, true},
		{[]float64{1, 3}, 2, true},
		{[]float64{3, 1, 2}, 2, true},
		{[]float64{4, 1, 3, 2}, 2.5, true}, // (2+3)/2
		{[]float64{5, 5, 1, 9}, 5, true},
	}
	for _, c := range cases {
		in := slices.Clone(c.vals)
		got, ok := Median(in)
		if got != c.want || ok != c.ok {
			t.Errorf("Median(%v) = %v, %v; want %v, %v", c.vals, got, ok, c.want, c.ok)
		}
		if !slices.Equal(in, c.vals) {
			t.Errorf("Median modified its input: %v", in)
		}
	}
}

func TestShareStrictlyBetter(t *testing.T) {
	cases := []struct {
		m    Metric
		v    float64
		pop  []float64
		want float64
	}{
		{MetricAHT, 300, []float64{100, 200, 300, 400}, 0.5},   // 100 and 200 are better
		{MetricPSAT, 0.8, []float64{0.9, 0.8, 0.7}, 1.0 / 3.0}, // 0.9 is better
		{MetricAHT, 100, []float64{100, 100}, 0},               // ties are not better
		{MetricAHT, 100, nil, 0},
	}
	for _, c := range cases {
		if got := ShareStrictlyBetter(c.v, c.pop, c.m); got != c.want {
			t.Errorf("ShareStrictlyBetter(%v, %v, %s) = %v, want %v", c.v, c.pop, c.m, got, c.want)
		}
	}
}

func TestQuantileAndPeriods(t *testing.T) {
	vals := []float64{1, 2, 3, 4}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {0.75, 3.25}, {1, 4}} {
		if got, _ := Quantile(vals, c.p); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got, _ := Quantile([]float64{1, 2, 3, 4, 5}, 0.5); got != 3 {
		t.Errorf("odd median = %v", got)
	}
	if _, ok := Quantile(nil, 0.5); ok {
		t.Error("quantile of nothing")
	}
	// 2026-11-25 is a Wednesday: weeks start Monday 11-23 and 11-30.
	rng := Range{From: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
	w := TrendPeriods(rng, TrendWeek)
	if len(w) != 2 || !w[0].Start.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) || !w[0].Range.From.Equal(rng.From) ||
		!w[0].Partial || !w[1].Range.To.Equal(rng.To) || !w[1].Partial || !w[1].Range.From.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("weeks = %+v", w)
	}
	d := TrendPeriods(rng, TrendDay)
	if len(d) != 8 || !d[0].Partial || d[1].Partial || d[7].Partial || PeriodIndex(d, rng.From) != 0 ||
		PeriodIndex(d, time.Date(2026, 12, 2, 23, 59, 0, 0, time.UTC)) != 7 || PeriodIndex(d, rng.To) != -1 || PeriodIndex(d, rng.From.Add(-time.Second)) != -1 {
		t.Errorf("days = %d %+v", len(d), d)
	}
	if _, err := ParseTrendStep("month"); err == nil {
		t.Error("month accepted")
	}
}
