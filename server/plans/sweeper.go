package plans

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// Run runs the update workers and the sweeper until ctx ends, then returns
// nil. Every Config.SweepInterval (and once at start) the sweeper reloads
// the in-progress plans (the index OnUpdate reads), settles those whose
// target date has started (achieved or missed, stored and published) and
// seals the history days that ended (not while Config.Hold says the store
// is catching up). A failing plan is logged and retried
// next sweep; Run returns an error only when the first load fails.
func (s *Service) Run(ctx context.Context) error {
	if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("plans: first sweep: %w", err)
	}
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() { s.worker(ctx) })
	}
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
			if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Error("plan sweep", "error", err)
			}
		}
	}
}

// Sweep is one pass of the sweeper (see Run). It returns an error when the
// in-progress plans cannot be listed; failures of single plans are logged
// and counted.
func (s *Service) Sweep(ctx context.Context) error {
	recs, err := s.cfg.Plans.Plans(ctx, store.PlanQuery{Status: views.PlanInProgress})
	if err != nil {
		return fmt.Errorf("list in-progress plans: %w", err)
	}
	s.idx.reset(recs)
	if s.cfg.Hold != nil && s.cfg.Hold() != nil {
		return nil // settle and seal at the next sweep, on the whole history
	}
	now := s.cfg.Now().UTC()
	today := views.UTCDate(now)
	for _, r := range recs {
		dueAt, err := views.DueAt(r.Plan.TargetDate)
		if err != nil {
			continue
		}
		if now.Before(dueAt) && !r.Sealed.Before(today) {
			// nothing to settle or seal; tell once when it is at risk
			// (confirmed on a fresh evaluation)
			if _, told := s.riskTold.Load(r.Plan.TenantID + "/" + r.Plan.ID); !told && s.cfg.Events != nil && views.AtRisk(&r.Plan, now) {
				if cur, err := s.refresh(ctx, r.Plan.TenantID, r.Plan.ID, nil); err == nil {
					s.checkAtRisk(ctx, cur.Plan)
				}
			}
			continue
		}
		cur, err := s.refresh(ctx, r.Plan.TenantID, r.Plan.ID, nil)
		if err == nil && cur.Plan.Status == views.PlanInProgress {
			s.checkAtRisk(ctx, cur.Plan)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.met.evalFails.Inc()
			s.cfg.Logger.Error("settle or seal plan", "plan", r.Plan.ID, "error", err)
		}
	}
	return nil
}
