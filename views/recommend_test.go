package views

import "testing"

var allMetrics = []Metric{MetricAES, MetricAHT, MetricPSAT, MetricPRES}

func TestRecommendedMetricMedianReplacement(t *testing.T) {
	p := DefaultParams()
	cases := []struct {
		name    string
		agent   Sums
		members []Member
		metrics []Metric
		want    Metric
	}{
		{
			// Agent AHT 300, psat 0.8, pres 0.5 → AES 300/0.4 = 750.
			// Population (volume ≥ 5): agent, b, c; d is below MinVolume.
			// Medians: AHT {300,200,250} = 250, psat {0.8,0.8,0.7} = 0.8,
			// pres {0.5,0.9,0.8} = 0.8.
			// aht → 250/0.4 = 625; psat → 750 (no change); pres → 300/0.64 = 468.75.
			name:  "pres lowers most",
			agent: means(10, 300, 0.8, 0.5),
			members: []Member{
				{"agent", means(10, 300, 0.8, 0.5)},
				{"b", means(10, 200, 0.8, 0.9)},
				{"c", means(10, 250, 0.7, 0.8)},
				{"d", means(2, 10, 1, 1)},
			},
			metrics: allMetrics,
			want:    MetricPRES,
		},
		{
			// Same, but the model has no pres: aht (625) beats psat (750).
			name:  "model without pres",
			agent: means(10, 300, 0.8, 0.5),
			members: []Member{
				{"agent", means(10, 300, 0.8, 0.5)},
				{"b", means(10, 200, 0.8, 0.9)},
				{"c", means(10, 250, 0.7, 0.8)},
			},
			metrics: []Metric{MetricAES, MetricAHT, MetricPSAT},
			want:    MetricAHT,
		},
		{
			// Agent AHT 200, psat 0.5 (no pres) → AES 400. Medians AHT 100,
			// psat 1.0: aht → 100/0.5 = 200, psat → 200/1 = 200. Equal: aht.
			name:  "tie goes to aht",
			agent: means(5, 200, 0.5, -1),
			members: []Member{
				{"agent", means(5, 200, 0.5, -1)},
				{"b", means(5, 100, 1, -1)},
				{"c", means(5, 100, 1, -1)},
			},
			metrics: []Metric{MetricAES, MetricAHT, MetricPSAT},
			want:    MetricAHT,
		},
		{
			// Agent AHT 200, psat 0.4 → 500. Medians AHT 200 (no change),
			// psat 0.8 → 250: psat.
			name:  "psat",
			agent: means(5, 200, 0.4, -1),
			members: []Member{
				{"b", means(5, 200, 0.8, -1)},
				{"c", means(5, 200, 0.8, -1)},
				{"d", means(5, 200, 0.9, -1)},
			},
			metrics: []Metric{MetricAES, MetricAHT, MetricPSAT},
			want:    MetricPSAT,
		},
		{name: "empty population", agent: means(5, 200, 0.4, 0.4), metrics: allMetrics, want: MetricAHT},
		{name: "agent without data", members: []Member{{"b", means(5, 1, 0.1, 0.1)}}, metrics: allMetrics, want: MetricAHT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := RecommendMetric(c.agent, c.members, c.metrics, p); got != c.want {
				t.Fatalf("RecommendMetric = %s, want %s", got, c.want)
			}
		})
	}
}

func TestRecommendedMetricWorstPercentile(t *testing.T) {
	p := DefaultParams()
	// Agent AHT 100, psat 0.9, pres 0.9. Medians: AHT {100,90,150,200,250}
	// = 150, psat {0.9,0.5,0.6,0.7,0.8} = 0.7, pres (see cases): replacing
	// never lowers AES, so the worst percentile decides.
	agent := means(10, 100, 0.9, 0.9)
	build := func(presC, presD float64) []Member {
		return []Member{
			{"agent", agent},
			{"b", means(10, 90, 0.5, 0.5)},
			{"c", means(10, 150, 0.6, presC)},
			{"d", means(10, 200, 0.7, presD)},
			{"e", means(10, 250, 0.8, 0.3)},
		}
	}
	// pres {0.9,0.5,0.95,0.92,0.3}: median 0.9 (no change). Shares strictly
	// better: aht 1/5 (b), psat 0, pres 2/5 (c, d) → pres.
	if got := RecommendMetric(agent, build(0.95, 0.92), allMetrics, p); got != MetricPRES {
		t.Errorf("got %s, want pres", got)
	}
	// pres {0.9,0.5,0.95,0.4,0.3}: median 0.5. Shares: aht 1/5, psat 0,
	// pres 1/5 → tie between aht and pres → aht.
	if got := RecommendMetric(agent, build(0.95, 0.4), allMetrics, p); got != MetricAHT {
		t.Errorf("got %s, want aht", got)
	}
}
