package store

import (
	"fmt"
	"testing"
	"time"
)

func TestPlanRange(t *testing.T) {
	sec := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Unix()
	}
	day := func(s string) Period { return Period{SpanDay, sec(s + "T00:00:00Z")} }
	month := func(s string) Period { return Period{SpanMonth, sec(s + "-01T00:00:00Z")} }
	usable := map[Period]uint64{
		month("2026-02"): 7, day("2026-01-30"): 1, day("2026-01-31"): 2, day("2026-03-01"): 3,
		day("2026-03-03"): 4, // Mar 2 is stale or unsealed
	}
	empty := map[Period]bool{day("2026-01-29"): true}
	rollup := func(p Period) Rollup {
		if empty[p] {
			return Rollup{Use: true}
		}
		g, ok := usable[p]
		return Rollup{Use: ok, Gen: g}
	}
	cases := []struct {
		lo, hi string
		want   string
	}{
		// Ragged start and end, a month, days either side, a stale day.
		{"2026-01-29T05:00:00Z", "2026-03-04T07:00:00Z",
			"[{{1 1769731200} 1} {{1 1769817600} 2} {{2 1769904000} 7} {{1 1772323200} 3} {{1 1772496000} 4}] " +
				"[[1769662800 1769731200] [1772409600 1772496000]]"}, // Mar 4 is past the extent
		// Jan 29 has no part: read as nothing; Feb is not whole.
		{"2026-01-29T00:00:00Z", "2026-02-28T00:00:00Z",
			"[{{1 1769731200} 1} {{1 1769817600} 2}] [[1769904000 1772236800]]"},
		// Clipped to the extent.
		{"1970-01-01T00:00:00Z", "2106-01-01T00:00:00Z",
			"[{{1 1769731200} 1} {{1 1769817600} 2} {{2 1769904000} 7} {{1 1772323200} 3} {{1 1772496000} 4}] [[1772409600 1772496000]]"},
		{"2026-03-02T03:30:00Z", "2026-03-02T03:30:00Z", "[] []"},
	}
	for _, c := range cases {
		p := PlanRange(sec(c.lo), sec(c.hi), sec("2026-01-29T00:00:00Z"), sec("2026-03-04T00:00:00Z"), rollup)
		got := fmt.Sprint(p.Periods, " ", p.Hours)
		if p.Periods == nil {
			got = fmt.Sprint("[] ", p.Hours)
		}
		if p.Hours == nil {
			got = got[:len(got)-len(fmt.Sprint(p.Hours))] + "[]"
		}
		if got != c.want {
			t.Errorf("PlanRange(%s, %s) = %s, want %s", c.lo, c.hi, got, c.want)
		}
	}
}
