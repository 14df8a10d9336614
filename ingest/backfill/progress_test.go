package backfill

import (
	"testing"
	"time"
)

func TestProgressFigures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      Progress
		bar    string
		eta    time.Duration
		etaKnw bool
	}{
		{
			name: "fresh start",
			p:    Progress{Elapsed: 4 * time.Second, Records: 400_000, Done: 40_000_000, Total: 100_000_000},
			// 40 MB in 4 s → 60 MB left takes 6 s.
			bar: "[############------------------]  40.0%  400000 records  100000 rec/s  40.0/100.0 MB  ETA 6s",
			eta: 6 * time.Second, etaKnw: true,
		},
		{
			name: "resumed half way",
			p:    Progress{Elapsed: 2 * time.Second, Records: 1000, Done: 75, Start: 50, Total: 100},
			// 25 bytes in 2 s → 25 left takes 2 s; the rate counts this run only.
			bar: "[######################--------]  75.0%  1000 records  500 rec/s  0.0/0.0 MB  ETA 2s",
			eta: 2 * time.Second, etaKnw: true,
		},
		{
			name: "nothing yet",
			p:    Progress{Elapsed: time.Second, Start: 10, Done: 10, Total: 100},
			bar:  "[###---------------------------]  10.0%  0 records  0 rec/s  0.0/0.0 MB  ETA -",
		},
		{
			name: "empty file",
			p:    Progress{},
			bar:  "[##############################] 100.0%  0 records  0 rec/s  0.0/0.0 MB  ETA -",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Bar(30); got != tc.bar {
				t.Errorf("Bar =\n%q, want\n%q", got, tc.bar)
			}
			eta, ok := tc.p.ETA()
			if eta != tc.eta || ok != tc.etaKnw {
				t.Errorf("ETA = %v, %v; want %v, %v", eta, ok, tc.eta, tc.etaKnw)
			}
		})
	}
}
