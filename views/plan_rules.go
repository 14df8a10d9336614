package views

import (
	"fmt"
	"time"
)

// Plan rule constants (DESIGN.md §1 "Coaching plans").
const (
	// NowWindowSize is how many of the agent's most recent interactions on
	// the plan's model and inquiry make up Now.
	NowWindowSize = 20
	// MinImprovementPct and MaxImprovementPct bound improvement_pct
	// (inclusive).
	MinImprovementPct = 5
	MaxImprovementPct = 50
	// MaxPlanEntries bounds actions and assistance (at least 1 each).
	MaxPlanEntries = 3
	// MaxActionLen and MaxAssistanceLen bound one entry, in characters
	// (Unicode code points) after trimming white space.
	MaxActionLen     = 500
	MaxAssistanceLen = 200
	// WarnSoonerThanDays: a target date fewer days away is accepted with a
	// warning; so is one later than WarnLaterThanMonths calendar months.
	WarnSoonerThanDays  = 14
	WarnLaterThanMonths = 3
	// MaxPlanComments bounds a plan's conversation; MaxCommentLen one
	// comment, in characters after trimming.
	MaxPlanComments = 100
	MaxCommentLen   = 1000
	// AtRiskDays: an in-progress plan not on track is at risk once its due
	// time is this close, or once less than a quarter of its span (commit
	// to due time) remains, whichever comes first.
	AtRiskDays = 7
)

// DateLayout is the layout of a civil date such as a plan's target_date.
const DateLayout = "2006-01-02"

// ParseDate parses a civil date "YYYY-MM-DD" (exactly that form, a real
// calendar day) as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", clip(s), err)
	}
	if t.Format(DateLayout) != s {
		return time.Time{}, fmt.Errorf("parse date %q: not in the form YYYY-MM-DD", clip(s))
	}
	return t, nil
}

// UTCDate returns midnight UTC of t's UTC calendar day.
func UTCDate(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// PlanTarget is the target value for a start value and an improvement in
// percent: lower-is-better start × (1 − pct/100); higher-is-better
// min(1, start × (1 + pct/100)).
func PlanTarget(m Metric, start, pct float64) float64 {
	if m.LowerIsBetter() {
		return start * (1 - pct/100)
	}
	return min(1, start*(1+pct/100))
}

// Meets reports whether value meets target on m: lower-is-better value ≤
// target, higher-is-better value ≥ target.
func Meets(m Metric, value, target float64) bool {
	if m.LowerIsBetter() {
		return value <= target
	}
	return value >= target
}

// OnTrack reports whether Now meets the target; false when Now has no
// interactions (hasNow false).
func OnTrack(m Metric, now float64, hasNow bool, target float64) bool {
	return hasNow && Meets(m, now, target)
}

// SinceCommit reports whether an interaction that ended at ended counts
// toward the coaching Now of a plan created at createdAt: it ended at or
// after the commit. Of the NowWindowSize most recent interactions (newest
// first) those that count are a prefix.
func SinceCommit(ended, createdAt time.Time) bool { return !ended.Before(createdAt) }

// StartWindow is the range Start is computed over: the 3 months before the
// plan's creation, hour-aligned so hourly buckets answer it:
// [CeilHour(createdAt).AddDate(0,-3,0), CeilHour(createdAt)).
func StartWindow(createdAt time.Time) Range {
	to := CeilHour(createdAt)
	return Range{From: to.AddDate(0, -3, 0), To: to}
}

// DueAt is the instant an in-progress plan ends: midnight UTC at the start
// of its target date ("when the UTC date reaches target_date"). Now as of
// DueAt (interactions ended before it) decides achieved or missed.
func DueAt(targetDate string) (time.Time, error) { return ParseDate(targetDate) }

// AtRisk reports whether plan p is at risk at instant now: in progress,
// not on track (Now does not meet the target, or there is no Now yet),
// before its due time, and with little time left: at most AtRiskDays days,
// or less than a quarter of the span from its commit to its due time.
func AtRisk(p *Plan, now time.Time) bool {
	if p.Status != PlanInProgress || p.OnTrack {
		return false
	}
	due, err := DueAt(p.TargetDate)
	if err != nil || !now.Before(due) {
		return false
	}
	left := due.Sub(now)
	return left <= AtRiskDays*24*time.Hour || 4*left < due.Sub(p.CreatedAt)
}

// Settle returns the status an in-progress plan ends with at DueAt:
// achieved when Now then meets the target, otherwise missed (also when Now
// has no interactions).
func Settle(m Metric, now float64, hasNow bool, target float64) PlanStatus {
	if OnTrack(m, now, hasNow, target) {
		return PlanAchieved
	}
	return PlanMissed
}
