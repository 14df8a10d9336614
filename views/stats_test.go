package views

import (
	"slices"
	"testing"
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
