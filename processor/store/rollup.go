package store

import (
	"context"
	"time"
)

// Rollups. A store that is a Compactor keeps, beside the hourly bucket
// parts, merged daily rows (one per (tenant, model, agent, inquiry, team,
// UTC day), the parts of every log partition summed), rows of aligned runs
// of 2 to 32 days (each summed from its two halves) and monthly rows
// (summed from the daily rows of a UTC calendar month). Compact seals a
// day once the event-time watermark of its model (the newest bucket hour
// the store holds) has passed the day's end by a lateness allowance, and a
// month once every day of it is sealed. A write that touches a day after
// it was sealed makes the day (and its month) stale: reads stop using the
// stale rows at once (they read the day's hours instead), and the next
// Compact redoes them. Rollups change what a read costs, never what it
// answers: SumBuckets reads hours only at the ragged ends of a range and
// where a day is not sealed or stale, then days and runs of days, then
// months.

// Span is the length of a rollup period.
type Span uint8

const (
	// SpanDay is one UTC day.
	SpanDay Span = 1
	// SpanMonth is one UTC calendar month.
	SpanMonth Span = 2
	// SpanBlock2 .. SpanBlock32 are runs of 2, 4, 8, 16 and 32 UTC days
	// aligned on the unix epoch (a run of 2^k days starts on a day whose
	// number since 1970-01-01 is a multiple of 2^k): a range's days that
	// are not a whole month are covered by O(log days) runs instead of a
	// row per day (a month to date, a custom range's ragged month).
	SpanBlock2  Span = 3
	SpanBlock32 Span = 7
)

// Spans lists every span, shortest first after days: days, the runs,
// then months.
var Spans = []Span{SpanDay, SpanBlock2, 4, 5, 6, SpanBlock32, SpanMonth}

// runsLongestFirst are the runs PlanRange tries at a day's start.
var runsLongestFirst = []Span{SpanBlock32, 6, 5, 4, SpanBlock2, SpanDay}

// BlockDays returns the days of a run span (2^(span-2)), 1 for a day and
// 0 for a month.
func (s Span) BlockDays() int64 {
	switch {
	case s == SpanDay:
		return 1
	case s >= SpanBlock2 && s <= SpanBlock32:
		return 1 << (s - 2)
	}
	return 0
}

// BlockOf returns the run of span s (SpanDay..SpanBlock32) holding the
// UTC day (unix seconds) day.
func BlockOf(s Span, day int64) Period {
	n := s.BlockDays()
	idx := day / 86400
	return Period{Span: s, Start: (idx - ((idx%n)+n)%n) * 86400}
}

// Period is one rollup period: Start is a UTC midnight (SpanDay) or the
// first of a month at midnight UTC (SpanMonth), in unix seconds.
type Period struct {
	Span  Span
	Start int64
}

// End returns the first second after p.
func (p Period) End() int64 {
	if p.Span == SpanMonth {
		return time.Unix(p.Start, 0).UTC().AddDate(0, 1, 0).Unix()
	}
	return p.Start + p.Span.BlockDays()*86400
}

// Halves returns the two runs (or days) a run of SpanBlock2..SpanBlock32
// is made of.
func (p Period) Halves() [2]Period {
	h := Period{Span: p.Span - 1, Start: p.Start}
	if p.Span == SpanBlock2 {
		h.Span = SpanDay
	}
	return [2]Period{h, {Span: h.Span, Start: p.Start + h.Span.BlockDays()*86400}}
}

// DayOf returns the UTC midnight, in unix seconds, of the day holding the
// unix second sec.
func DayOf(sec int64) int64 { return sec - ((sec%86400)+86400)%86400 }

// MonthOf returns the first second of the UTC month holding sec.
func MonthOf(sec int64) int64 {
	t := time.Unix(sec, 0).UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Unix()
}

// Rollup says whether a period's rollup can be read: Use is true when the
// store holds a rollup of the period that includes every current part of
// it, Gen is its generation (0 for a period without any part, which needs
// no read at all).
type Rollup struct {
	Use bool
	Gen uint64
}

// RangePlan is how a read covers a range: the periods whose rollups it
// reads and, for the rest, intervals [lo, hi) of hours (unix seconds,
// whole hours, sorted, not adjacent) read part by part.
type RangePlan struct {
	Periods []PeriodGen
	Hours   [][2]int64
}

// PeriodGen is a period to read at a generation.
type PeriodGen struct {
	Period
	Gen uint64
}

// PlanRange covers the bucket hours in [lo, hi) (unix seconds, whole
// hours) with the largest usable rollups: a calendar month lying wholly
// in the range when usable, else the longest usable run of days starting
// there and lying wholly in it, else the day, else its hours. Hours before extentLo or from extentHi on hold no part
// and are left out (extentLo >= extentHi: nothing holds a part). rollup
// says whether a period can be read; it is called only for periods inside
// [extentLo, extentHi).
func PlanRange(lo, hi, extentLo, extentHi int64, rollup func(Period) Rollup) RangePlan {
	var plan RangePlan
	lo, hi = max(lo, extentLo), min(hi, extentHi)
	addHours := func(a, b int64) {
		if n := len(plan.Hours); n > 0 && plan.Hours[n-1][1] == a {
			plan.Hours[n-1][1] = b
			return
		}
		plan.Hours = append(plan.Hours, [2]int64{a, b})
	}
	for t := lo; t < hi; {
		if MonthOf(t) == t {
			m := Period{SpanMonth, t}
			if end := m.End(); end <= hi {
				if r := rollup(m); r.Use {
					if r.Gen != 0 {
						plan.Periods = append(plan.Periods, PeriodGen{m, r.Gen})
					}
					t = end
					continue
				}
			}
		}
		if DayOf(t) == t && t+86400 <= hi {
			took := false
			for _, span := range runsLongestFirst {
				b := BlockOf(span, t)
				if b.Start != t || b.End() > hi {
					continue
				}
				if r := rollup(b); r.Use {
					if r.Gen != 0 {
						plan.Periods = append(plan.Periods, PeriodGen{b, r.Gen})
					}
					t = b.End()
					took = true
					break
				}
			}
			if took {
				continue
			}
		}
		next := min(DayOf(t)+86400, hi)
		addHours(t, next)
		t = next
	}
	return plan
}

// CompactStats says what one Compact call did.
type CompactStats struct {
	// Days, Blocks (runs of days) and Months are the rollups written
	// (sealed for the first time or redone after a later write touched
	// them).
	Days, Blocks, Months int
}

// Compactor is a store that keeps daily and monthly rollups (see above).
type Compactor interface {
	// Compact seals, in every (tenant, model), each day whose end is at
	// least lateness before the model's watermark (its newest bucket hour
	// plus one hour) into daily rows, and each month whose days are all
	// sealed into monthly rows, redoing any that a write touched since.
	// It is idempotent and safe to run concurrently with writes, reads
	// and other Compact calls (on other processes too).
	Compact(ctx context.Context, lateness time.Duration) (CompactStats, error)
}

// Sealable reports whether the period p ends at least lateness before
// watermark (unix seconds).
func Sealable(p Period, watermark int64, lateness time.Duration) bool {
	return p.End()+int64(lateness/time.Second) <= watermark
}
