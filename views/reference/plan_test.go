package reference

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// hourly returns agent p's billing interactions n01..n25 ending at
// 2026-05-01T00:00Z + i hours (n24 at 2026-05-02T00:00Z), with handle(i).
func hourly(handle func(i int) float64) []schemas.Interaction {
	var out []schemas.Interaction
	base := ts("2026-05-01T00:00:00Z")
	for i := 1; i <= 25; i++ {
		end := base.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
		out = append(out, ix(fmt.Sprintf("n%02d", i), "p", "T1", "billing", end, handle(i), none, none))
	}
	return out
}

func planFor(metric views.Metric, created, target string) views.Plan {
	return views.Plan{TenantID: "t1", AgentID: "p", Model: "voice", Inquiry: "billing", Metric: metric,
		ImprovementPct: 10, TargetDate: target, Status: views.PlanInProgress, CreatedAt: ts(created)}
}

func TestPlanNowTwentyMostRecent(t *testing.T) {
	base := hourly(func(i int) float64 { return float64(i) })
	n := func(i int) schemas.Interaction { return base[i-1] }
	cases := []struct {
		name   string
		extra  []schemas.Interaction
		asOf   string
		want   float64
		volume int64
	}{
		// The 20 newest are n06..n25: (6+…+25)/20 = 310/20 = 15.5.
		{name: "newest twenty", asOf: "2026-05-03T00:00:00Z", want: 15.5, volume: 20},
		// m00 ends with n06; "m00" < "n06" so n06 is the newer and m00 is 21st.
		{name: "ties by interaction_id", extra: []schemas.Interaction{with(n(6), func(it *schemas.Interaction) { it.InteractionID = "m00"; it.HandleTimeS = 1000 })},
			asOf: "2026-05-03T00:00:00Z", want: 15.5, volume: 20},
		// A correction of n25 to handle 45: (310 − 25 + 45)/20 = 16.5.
		{name: "corrected handle", extra: []schemas.Interaction{with(n(25), func(it *schemas.Interaction) { it.Revision = 2; it.HandleTimeS = 45 })},
			asOf: "2026-05-03T00:00:00Z", want: 16.5, volume: 20},
		// n24 corrected to another inquiry leaves the window; n05 joins:
		// (5+…+25 − 24)/20 = 291/20 = 14.55.
		{name: "corrected inquiry", extra: []schemas.Interaction{with(n(24), func(it *schemas.Interaction) { it.Revision = 2; it.Inquiry = "tech" })},
			asOf: "2026-05-03T00:00:00Z", want: 14.55, volume: 20},
		// As of 20:00 only n01..n19 have ended (n20 ends at 20:00): 190/19 = 10.
		{name: "as of an instant", asOf: "2026-05-01T20:00:00Z", want: 10, volume: 19},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := New(append(slices.Clone(base), c.extra...), params2)
			// Created before every interaction: Now and Recent are the same.
			pr := d.PlanProgress(planFor(views.MetricAHT, "2026-05-01T00:00:00Z", "2027-01-01"), ts(c.asOf))
			if pr.NowValue == nil || !views.AlmostEqual(*pr.NowValue, c.want) || pr.NowVolume != c.volume ||
				pr.RecentValue == nil || *pr.RecentValue != *pr.NowValue || pr.RecentVolume != c.volume {
				t.Fatalf("Now = %v (%d), recent %v (%d), want %v (%d)", deref(pr.NowValue), pr.NowVolume, deref(pr.RecentValue), pr.RecentVolume, c.want, c.volume)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestPlanProgress(t *testing.T) {
	// n01..n10 handle 100, n11..n25 handle 50. Created 10:30 → start window
	// ends 11:00: n01..n10 → start 100, target 90 (10 %). Due 2026-05-02T00:00.
	// Now counts only what ended at or after 10:30: n11 (11:00) on.
	d := New(hourly(func(i int) float64 { return map[bool]float64{true: 100, false: 50}[i <= 10] }), params2)
	plan := planFor(views.MetricAHT, "2026-05-01T10:30:00Z", "2026-05-02")
	cases := []struct {
		name      string
		status    views.PlanStatus
		asOf      string
		now       any // nil: no interaction since the commit
		nowVol    int64
		recent    float64
		recentVol int64
		onTrack   bool
		want      views.PlanStatus
	}{
		// Only n01..n10 have ended: Now is empty (Start is the baseline),
		// Recent is 100 over 10.
		{"before any since the commit", views.PlanInProgress, "2026-05-01T10:45:00Z", nil, 0, 100, 10, false, views.PlanInProgress},
		// n11 alone since the commit: 50 ≤ 90; Recent n01..n11 = 1050/11.
		{"first since the commit", views.PlanInProgress, "2026-05-01T12:00:00Z", 50.0, 1, 1050.0 / 11, 11, true, views.PlanInProgress},
		// n11..n14: 4 of 20 since the commit; Recent (1000 + 200)/14.
		{"on track", views.PlanInProgress, "2026-05-01T15:00:00Z", 50.0, 4, 1200.0 / 14, 14, true, views.PlanInProgress},
		// Due: the window as of 2026-05-02T00:00 is n04..n23; since the
		// commit n11..n23 (13) = 50 → achieved; Recent (700 + 650)/20 = 67.5.
		// Frozen at the due time later.
		{"due", views.PlanInProgress, "2026-05-02T00:00:00Z", 50.0, 13, 67.5, 20, true, views.PlanAchieved},
		{"long after", views.PlanInProgress, "2026-06-01T00:00:00Z", 50.0, 13, 67.5, 20, true, views.PlanAchieved},
		// Cancelled: evaluated at asOf: window n06..n25, since n11..n25 (15);
		// Recent (500 + 750)/20 = 62.5.
		{"cancelled", views.PlanCancelled, "2026-06-01T00:00:00Z", 50.0, 15, 62.5, 20, true, views.PlanCancelled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan
			p.Status = c.status
			pr := d.PlanProgress(p, ts(c.asOf))
			if *pr.StartValue != 100 || *pr.TargetValue != 90 {
				t.Fatalf("start %v target %v", *pr.StartValue, *pr.TargetValue)
			}
			nowOK := (c.now == nil && pr.NowValue == nil) || (c.now != nil && pr.NowValue != nil && views.AlmostEqual(*pr.NowValue, c.now.(float64)))
			if !nowOK || pr.NowVolume != c.nowVol || pr.OnTrack != c.onTrack || pr.Status != c.want {
				t.Fatalf("progress = now %v (%d) on track %v status %s; want %v (%d) %v %s", deref(pr.NowValue), pr.NowVolume, pr.OnTrack, pr.Status, c.now, c.nowVol, c.onTrack, c.want)
			}
			if pr.RecentValue == nil || !views.AlmostEqual(*pr.RecentValue, c.recent) || pr.RecentVolume != c.recentVol {
				t.Fatalf("recent = %v (%d); want %v (%d)", deref(pr.RecentValue), pr.RecentVolume, c.recent, c.recentVol)
			}
		})
	}
	// 55 % (beyond the input rule, to test the settlement): target 45; Now
	// at due 50 > 45 → missed, not on track.
	plan.ImprovementPct = 55
	if pr := d.PlanProgress(plan, ts("2026-05-03T00:00:00Z")); pr.Status != views.PlanMissed || pr.OnTrack {
		t.Fatalf("55%%: %+v", pr)
	}
	// A plan committed after the last interaction and due before the next
	// one: nothing since the commit at the due time → missed, although
	// Recent (n06..n25 = 62.5) would meet its target of 63 (start 70).
	late := planFor(views.MetricAHT, "2026-05-02T02:00:00Z", "2026-05-03")
	pr := d.PlanProgress(late, ts("2026-05-04T00:00:00Z"))
	if pr.NowValue != nil || pr.NowVolume != 0 || pr.OnTrack || pr.Status != views.PlanMissed ||
		*pr.StartValue != 70 || !views.AlmostEqual(*pr.RecentValue, 62.5) {
		t.Fatalf("late plan: %+v start %v recent %v", pr, *pr.StartValue, deref(pr.RecentValue))
	}
}

func TestPlanHistory(t *testing.T) {
	// n01..n10 handle 100, n11..n25 handle i; created 10:30 (Now counts
	// n11 on).
	d := New(hourly(func(i int) float64 { return map[bool]float64{true: 100, false: float64(i)}[i <= 10] }), params2)
	plan := planFor(views.MetricAHT, "2026-05-01T10:30:00Z", "2026-05-05")
	// End of 05-01 (before 05-02T00:00): n11..n23 = 221/13 = 17; from 05-02
	// on: n11..n25 = 270/15 = 18. The last day is 05-04 (the plan ends when
	// 05-05 starts).
	want := []views.DayValue{{Date: "2026-05-01", Value: 17}, {Date: "2026-05-02", Value: 18}, {Date: "2026-05-03", Value: 18}, {Date: "2026-05-04", Value: 18}}
	assertSame(t, d.History(plan, ts("2026-06-01T00:00:00Z")), want)
	// Through 05-02 00:30: the day of through is evaluated at through, when
	// n01..n24 have ended: n11..n24 = 245/14 = 17.5.
	want = []views.DayValue{{Date: "2026-05-01", Value: 17}, {Date: "2026-05-02", Value: 17.5}}
	assertSame(t, d.History(plan, ts("2026-05-02T00:30:00Z")), want)
	if got := d.History(plan, ts("2026-04-01T00:00:00Z")); got == nil || len(got) != 0 {
		t.Fatalf("history before creation = %v", got)
	}
	// Through 10:45 on the day of the commit: nothing since the commit, no
	// point (the dashboard shows Start as the baseline).
	if got := d.History(plan, ts("2026-05-01T10:45:00Z")); len(got) != 0 {
		t.Fatalf("history before the first interaction since the commit = %v", got)
	}
}

func TestNewPlan(t *testing.T) {
	d := New(hourly(func(i int) float64 { return map[bool]float64{true: 100, false: 50}[i <= 10] }), params2)
	now := ts("2026-05-01T10:30:00Z")
	in := views.PlanInput{Model: "voice", Inquiry: "billing", Metric: views.MetricAHT, ImprovementPct: 10,
		TargetDate: "2026-05-20", Actions: []string{"  Shorter hold  "}, Assistance: []string{"Coaching"}}
	plan, err := d.NewPlan("t1", "p", "plan-1", in, now)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing since the commit: Now is empty, Recent is n01..n10.
	if plan.StartValue != 100 || plan.TargetValue != 90 || plan.NowValue != nil || plan.NowVolume != 0 ||
		*plan.RecentValue != 100 || plan.RecentVolume != 10 ||
		plan.OnTrack || plan.Status != views.PlanInProgress || plan.Actions[0].Text != "Shorter hold" || len(plan.Warnings) != 0 {
		t.Fatalf("plan = %+v", plan)
	}
	assertSame(t, plan.History, []views.DayValue{})

	// The model has no predictions: psat is refused on "metric". tech has no
	// data to start from: refused on "inquiry". A near date only warns.
	in.Metric = views.MetricPSAT
	_, err = d.NewPlan("t1", "p", "plan-2", in, now)
	var fe views.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "metric" {
		t.Fatalf("psat: %v", err)
	}
	in.Metric, in.Inquiry = views.MetricAHT, "tech"
	if _, err = d.NewPlan("t1", "p", "plan-3", in, now); !errors.As(err, &fe) || fe[0].Field != "inquiry" {
		t.Fatalf("tech: %v", err)
	}
	in.Inquiry, in.TargetDate = "billing", "2026-05-03"
	plan, err = d.NewPlan("t1", "p", "plan-4", in, now)
	if err != nil || len(plan.Warnings) != 1 {
		t.Fatalf("near date: %v %v", plan.Warnings, err)
	}
}
