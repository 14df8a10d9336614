package plans

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// nowSums returns the Sums as of instant at of the agent's
// views.NowWindowSize most recent interactions on the plan's model and
// inquiry that ended before at (recent), and of those of them that ended
// at or after the plan's commit (now: views.SinceCommit). They are added
// in (tenant, interaction) order, as the reference adds them, so the
// figures are equal to the last bit.
func (s *Service) nowSums(ctx context.Context, p *views.Plan, at time.Time) (now, recent views.Sums, err error) {
	its, err := s.cfg.Store.RecentBefore(ctx, p.TenantID, p.Model, p.AgentID, p.Inquiry, at, views.NowWindowSize)
	if err != nil {
		return views.Sums{}, views.Sums{}, fmt.Errorf("read now of plan %q: %w", p.ID, err)
	}
	slices.SortFunc(its, func(a, b schemas.Interaction) int {
		return cmp.Or(cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.InteractionID, b.InteractionID))
	})
	for i := range its {
		recent.Add(&its[i])
		if views.SinceCommit(its[i].EndedAt, p.CreatedAt) {
			now.Add(&its[i])
		}
	}
	return now, recent, nil
}

// evaluate returns rec as of instant asOf (views/reference PlanProgress
// and History):
//
//   - the evaluation instant is asOf, or the due time (views.DueAt) when
//     it has passed and the plan is not cancelled;
//   - Now (since the commit), Recent (all of the last 20) and on_track
//     (of Now) as of that instant;
//   - an in-progress plan past its due time settled (views.Settle);
//   - History: the stored points of sealed days (before rec.Sealed), the
//     days that ended since then sealed (Now as of each day's end), and
//     today's point (Now as of asOf) while the plan runs.
//
// durable reports a change that must be stored: a settlement or newly
// sealed days. A change of Now alone is not one (every read recomputes it).
func (s *Service) evaluate(ctx context.Context, rec store.PlanRecord, asOf time.Time) (out store.PlanRecord, durable bool, err error) {
	p := rec.Plan
	if p.Comments == nil { // stored before plans had comments
		p.Comments = []views.PlanComment{}
	}
	asOf = asOf.UTC()
	floor := s.cfg.Views.Params().Floor
	dueAt, derr := views.DueAt(p.TargetDate)
	if derr != nil {
		return store.PlanRecord{}, false, fmt.Errorf("plan %q has a bad target date: %w", p.ID, derr)
	}
	at, due := asOf, false
	if p.Status != views.PlanCancelled && !asOf.Before(dueAt) {
		at, due = dueAt, true
	}
	now, recent, err := s.nowSums(ctx, &p, at)
	if err != nil {
		return store.PlanRecord{}, false, err
	}
	v, hasNow := now.Value(p.Metric, floor)
	p.NowValue = nil
	if hasNow {
		p.NowValue = &v
	}
	p.NowVolume = now.Volume
	p.RecentValue = nil
	if rv, ok := recent.Value(p.Metric, floor); ok {
		p.RecentValue = &rv
	}
	p.RecentVolume = recent.Volume
	p.OnTrack = views.OnTrack(p.Metric, v, hasNow, p.TargetValue)
	if due && p.Status == views.PlanInProgress {
		p.Status = views.Settle(p.Metric, v, hasNow, p.TargetValue)
		s.met.settled.WithLabelValues(string(p.Status)).Inc()
		durable = true
	}

	// History: days [created, lastDay]; a day is sealed once it ended
	// (before today).
	today := views.UTCDate(asOf)
	lastDay := today
	if d := dueAt.AddDate(0, 0, -1); d.Before(lastDay) {
		lastDay = d
	}
	sealed := views.UTCDate(p.CreatedAt)
	if rec.Sealed.After(sealed) {
		sealed = rec.Sealed.UTC()
	}
	cut := sealed.Format(views.DateLayout)
	hist := make([]views.DayValue, 0, len(p.History)+1)
	for _, pt := range p.History {
		if pt.Date < cut {
			hist = append(hist, pt)
		}
	}
	for d := sealed; !d.After(lastDay) && d.Before(today); d = d.AddDate(0, 0, 1) {
		end := d.AddDate(0, 0, 1)
		day, _, err := s.nowSums(ctx, &p, end)
		if err != nil {
			return store.PlanRecord{}, false, err
		}
		if dv, ok := day.Value(p.Metric, floor); ok {
			hist = append(hist, views.DayValue{Date: d.Format(views.DateLayout), Value: dv})
		}
		sealed, durable = end, true
	}
	if !today.After(lastDay) && hasNow {
		hist = append(hist, views.DayValue{Date: today.Format(views.DateLayout), Value: v})
	}
	p.History = hist
	return store.PlanRecord{Plan: p, Sealed: sealed, Version: rec.Version}, durable, nil
}
