package store

import (
	"context"
	"time"
)

// Rollups. A store that is a Compactor keeps, beside the hourly bucket
// parts, merged daily rows (one per (tenant, model, agent, inquiry, team,
// UTC day), the parts of every log partition summed) and monthly rows
// (summed from the daily rows of a UTC calendar month). Compact seals a
// day once the event-time watermark of its model (the newest bucket hour
// the store holds) has passed the day's end by a lateness allowance, and a
// month once every day of it is sealed. A write that touches a day after
// it was sealed makes the day (and its month) stale: reads stop using the
// stale rows at once (they read the day's hours instead), and the next
// Compact redoes them. Rollups change what a read costs, never what it
// answers: SumBuckets reads hours only at the ragged ends of a range and
// where a day is not sealed or stale, then days, then months.

// Span is the length of a rollup period.
type Span uint8

const (
	// SpanDay is one UTC day.
	SpanDay Span = 1
	// SpanMonth is one UTC calendar month.
	SpanMonth Span = 2
)

// Period is one rollup period: Start is a UTC midnight (SpanDay) or the
// first of a month at midnight UTC (SpanMonth), in unix seconds.
type Period struct {
	Span  Span
	Start int64
}

// End returns the first second after p.
func (p Period) End() int64 {
	t := time.Unix(p.Start, 0).UTC()
	if p.Span == SpanMonth {
		return t.AddDate(0, 1, 0).Unix()
	}
	return t.AddDate(0, 0, 1).Unix()
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
// in the range when usable, else each day lying wholly in it when usable,
// else its hours. Hours before extentLo or from extentHi on hold no part
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
			d := Period{SpanDay, t}
			if r := rollup(d); r.Use {
				if r.Gen != 0 {
					plan.Periods = append(plan.Periods, PeriodGen{d, r.Gen})
				}
				t += 86400
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
	// Days and Months are the rollups written (sealed for the first time
	// or redone after a later write touched them).
	Days, Months int
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
