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

// TestPlanRangeRuns: days that are not a whole month are covered by the
// longest usable aligned runs; a stale run falls back to shorter ones.
func TestPlanRangeRuns(t *testing.T) {
	day := func(s string) int64 {
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Unix()
	}
	// Nov 1 starts a 2-day run, Nov 3 an 8-day one, Nov 11 a 16-day one.
	// The 8-day run Nov 3..10 is stale: two 4-day runs cover it.
	stale := map[Period]bool{BlockOf(SpanBlock2+2, day("2026-11-05")): true}
	rollup := func(p Period) Rollup {
		if stale[p] || p.Span == SpanMonth {
			return Rollup{}
		}
		return Rollup{Use: true, Gen: uint64(p.Span)}
	}
	p := PlanRange(day("2026-11-01"), day("2026-11-30")+5*3600, day("2026-09-01"), day("2026-12-01"), rollup)
	var got []string
	covered := int64(0)
	for _, pg := range p.Periods {
		got = append(got, fmt.Sprintf("%s+%d", time.Unix(pg.Start, 0).UTC().Format("01-02"), pg.Span.BlockDays()))
		covered += pg.End() - pg.Start
	}
	for _, h := range p.Hours {
		covered += h[1] - h[0]
	}
	want := "[11-01+2 11-03+4 11-07+4 11-11+16 11-27+2 11-29+1]"
	if fmt.Sprint(got) != want || fmt.Sprint(p.Hours) != fmt.Sprint([][2]int64{{day("2026-11-30"), day("2026-11-30") + 5*3600}}) {
		t.Errorf("PlanRange = %v %v, want %s and Nov 30's first 5 hours", got, p.Hours, want)
	}
	if covered != 29*86400+5*3600 {
		t.Errorf("covered %d s, want %d", covered, 29*86400+5*3600)
	}
}
