package reference

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// StartValue returns the agent's value of metric on the model and inquiry
// over views.StartWindow(createdAt); ok is false without one.
func (d *Dataset) StartValue(tenant, agent, model, inquiry string, metric views.Metric, createdAt time.Time) (float64, bool) {
	mi := d.models[tenantModel{tenant, model}]
	if mi == nil {
		return 0, false
	}
	w := views.StartWindow(createdAt)
	recs := selectRecs(mi, agent, inquiry, func(it *schemas.Interaction) bool { return w.Contains(it.EndedAt) })
	return sumOf(mi.learned, recs).Value(metric, d.params.Floor)
}

// nowSeries is the agent's interactions on a plan's model and inquiry,
// newest first, from which Now at any instant is cut.
type nowSeries struct {
	recs    []*schemas.Interaction
	learned learnedMap
}

func (d *Dataset) nowSeries(tenant, agent, model, inquiry string) nowSeries {
	mi := d.models[tenantModel{tenant, model}]
	if mi == nil {
		return nowSeries{}
	}
	recs := selectRecs(mi, agent, inquiry, func(*schemas.Interaction) bool { return true })
	slices.SortFunc(recs, views.CompareNewestFirst)
	return nowSeries{recs, mi.learned}
}

// at returns the Sums as of instant t of the views.NowWindowSize most
// recent interactions that ended before t (recent), and of those of them
// that ended at or after createdAt (now: views.SinceCommit).
func (s nowSeries) at(t, createdAt time.Time) (now, recent views.Sums) {
	r := s.recs
	i := sort.Search(len(r), func(i int) bool { return r[i].EndedAt.Before(t) })
	win := r[i:min(len(r), i+views.NowWindowSize)]
	since := win
	for k, it := range win {
		if !views.SinceCommit(it.EndedAt, createdAt) {
			since = win[:k]
			break
		}
	}
	return sumOf(s.learned, since), sumOf(s.learned, win)
}

// PlanProgress returns the plan's figures at instant asOf, recomputed from
// the dataset: Start over views.StartWindow(plan.CreatedAt), the target
// (views.PlanTarget), Recent (the views.NowWindowSize most recent
// interactions on the plan's model and inquiry that ended before the
// evaluation instant), Now (those of them that ended at or after
// plan.CreatedAt), on track (of Now), and the status. The evaluation instant is asOf,
// except for a plan that is (or was) in progress and whose due time
// (views.DueAt) is not after asOf: then it is the due time, and an
// in-progress plan is settled as achieved or missed (views.Settle). A
// cancelled plan keeps its status and is evaluated at asOf.
func (d *Dataset) PlanProgress(plan views.Plan, asOf time.Time) views.PlanProgress {
	var pr views.PlanProgress
	start, hasStart := d.StartValue(plan.TenantID, plan.AgentID, plan.Model, plan.Inquiry, plan.Metric, plan.CreatedAt)
	var target float64
	if hasStart {
		target = views.PlanTarget(plan.Metric, start, plan.ImprovementPct)
		pr.StartValue, pr.TargetValue = &start, &target
	}
	at, due := asOf, false
	if dueAt, err := views.DueAt(plan.TargetDate); err == nil && plan.Status != views.PlanCancelled && !asOf.Before(dueAt) {
		at, due = dueAt, true
	}
	now, recent := d.nowSeries(plan.TenantID, plan.AgentID, plan.Model, plan.Inquiry).at(at, plan.CreatedAt)
	v, hasNow := now.Value(plan.Metric, d.params.Floor)
	if hasNow {
		pr.NowValue = &v
	}
	pr.NowVolume = now.Volume
	if rv, ok := recent.Value(plan.Metric, d.params.Floor); ok {
		pr.RecentValue = &rv
	}
	pr.RecentVolume = recent.Volume
	pr.OnTrack = hasStart && views.OnTrack(plan.Metric, v, hasNow, target)
	pr.Status = plan.Status
	if due && plan.Status == views.PlanInProgress {
		pr.Status = views.PlanMissed
		if pr.OnTrack {
			pr.Status = views.PlanAchieved
		}
	}
	return pr
}

// History returns the plan's daily Now values: one point per UTC day from
// the day of plan.CreatedAt through the day of through, and no later than
// the day before the target date (the plan ends when its target date
// starts). Each point is Now (since the commit) as of the end of its day (interactions ended
// before the next midnight UTC), or as of through for the day of through
// (so no point looks past through); days on which Now has no interactions
// are left out. The result is never nil.
func (d *Dataset) History(plan views.Plan, through time.Time) []views.DayValue {
	out := []views.DayValue{}
	last := views.UTCDate(through)
	if dueAt, err := views.DueAt(plan.TargetDate); err == nil {
		if lastDay := dueAt.AddDate(0, 0, -1); lastDay.Before(last) {
			last = lastDay
		}
	}
	series := d.nowSeries(plan.TenantID, plan.AgentID, plan.Model, plan.Inquiry)
	for day := views.UTCDate(plan.CreatedAt); !day.After(last); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		if through.Before(end) {
			end = through
		}
		now, _ := series.at(end, plan.CreatedAt)
		if v, ok := now.Value(plan.Metric, d.params.Floor); ok {
			out = append(out, views.DayValue{Date: day.Format(views.DateLayout), Value: v})
		}
	}
	return out
}

// NewPlan validates in for the agent at instant now (views.ValidatePlan,
// with the model's metrics and the agent's Start value from this dataset)
// and returns the in-progress plan it creates, with CreatedAt now and the
// progress and history as of now. The error is a views.FieldErrors listing
// every broken rule.
func (d *Dataset) NewPlan(tenant, agent, id string, in views.PlanInput, now time.Time) (views.Plan, error) {
	in = in.Normalized()
	_, haveStart := d.StartValue(tenant, agent, in.Model, in.Inquiry, in.Metric, now)
	warnings, err := views.ValidatePlan(in, now, d.ModelMetrics(tenant, in.Model), haveStart)
	if err != nil {
		return views.Plan{}, fmt.Errorf("new plan: %w", err)
	}
	plan := views.Plan{
		ID: id, TenantID: tenant, AgentID: agent,
		Model: in.Model, Inquiry: in.Inquiry, Metric: in.Metric,
		ImprovementPct: in.ImprovementPct, TargetDate: in.TargetDate,
		Status: views.PlanInProgress, CreatedAt: now.UTC(),
		Assistance: slices.Clone(in.Assistance), Warnings: []string{}, Comments: []views.PlanComment{},
	}
	for _, a := range in.Actions {
		plan.Actions = append(plan.Actions, views.PlanAction{Text: a})
	}
	for _, w := range warnings {
		plan.Warnings = append(plan.Warnings, w.Error())
	}
	pr := d.PlanProgress(plan, now)
	plan.StartValue, plan.TargetValue = *pr.StartValue, *pr.TargetValue
	plan.NowValue, plan.NowVolume, plan.OnTrack = pr.NowValue, pr.NowVolume, pr.OnTrack
	plan.RecentValue, plan.RecentVolume = pr.RecentValue, pr.RecentVolume
	plan.History = d.History(plan, now)
	return plan, nil
}
