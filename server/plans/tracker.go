package plans

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// index finds the in-progress plans an update touches: plan id → inquiry
// per (tenant, model, agent). Run reloads it every sweep (plans other
// servers created); this process's changes update it at once.
type index struct {
	mu    sync.RWMutex
	plans map[agentKey]map[string]string
}

type agentKey struct{ tenant, model, agent string }

func newIndex() index { return index{plans: map[agentKey]map[string]string{}} }

// put adds an in-progress plan or removes a finished one.
func (x *index) put(p views.Plan) {
	k := agentKey{p.TenantID, p.Model, p.AgentID}
	x.mu.Lock()
	defer x.mu.Unlock()
	if p.Status != views.PlanInProgress {
		delete(x.plans[k], p.ID)
		if len(x.plans[k]) == 0 {
			delete(x.plans, k)
		}
		return
	}
	if x.plans[k] == nil {
		x.plans[k] = map[string]string{}
	}
	x.plans[k][p.ID] = p.Inquiry
}

// reset replaces the index with the given in-progress plans.
func (x *index) reset(recs []store.PlanRecord) {
	m := map[agentKey]map[string]string{}
	for _, r := range recs {
		p := &r.Plan
		k := agentKey{p.TenantID, p.Model, p.AgentID}
		if m[k] == nil {
			m[k] = map[string]string{}
		}
		m[k][p.ID] = p.Inquiry
	}
	x.mu.Lock()
	x.plans = m
	x.mu.Unlock()
}

// work is one plan to re-evaluate once the store holds an update.
type work struct {
	tenant, id string
	// from is the earliest instant the update changed for the plan's
	// inquiry: sealed history days from its day on are recomputed.
	from      time.Time
	partition int32
	offset    int64
}

// OnUpdate takes one message of the processor's "updates" topic. For every
// in-progress plan of the update's tenant, model and agent on an inquiry
// the update touched (an interaction applied on it, or one of its buckets
// changed, such as a correction moving an interaction away), it queues a
// re-evaluation: once the store holds the update (the checkpoint of
// update.Partition is past update.Offset, waited for up to
// Config.UpdateWait), Run's workers recompute Now, on track and the
// history from the update's earliest day, store the plan and publish it.
//
// OnUpdate never blocks: it only reads an in-memory index and queues;
// when the queue is full the work is dropped and counted
// (agentpulse_plans_updates_total{result="dropped"}); the next update, a
// read or the sweeper brings the plan up to date. It is safe for
// concurrent use and returns an error only when ctx is done.
func (s *Service) OnUpdate(ctx context.Context, u schemas.Update) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, w := range s.touched(u) {
		select {
		case s.work <- w:
			s.met.updates.WithLabelValues("queued").Inc()
		default:
			s.met.updates.WithLabelValues("dropped").Inc()
			s.cfg.Logger.Warn("plan re-evaluation queue full; dropped (raise plans Config.QueueSize)", "plan", w.id, "capacity", cap(s.work))
		}
	}
	return nil
}

// Track is OnUpdate done synchronously, without the queue: it waits for
// the store to hold the update (up to Config.UpdateWait) and re-evaluates,
// stores and publishes every plan the update touched before returning.
// It returns the first failure.
func (s *Service) Track(ctx context.Context, u schemas.Update) error {
	for _, w := range s.touched(u) {
		if err := s.track(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// touched returns the re-evaluations an update calls for (see OnUpdate).
func (s *Service) touched(u schemas.Update) []work {
	from := map[string]time.Time{} // inquiry → earliest changed instant
	touch := func(inquiry string, t time.Time) {
		if cur, ok := from[inquiry]; !ok || t.Before(cur) {
			from[inquiry] = t
		}
	}
	for _, it := range u.Interactions {
		touch(it.Inquiry, it.EndedAt)
	}
	for _, b := range u.Buckets {
		touch(b.Inquiry, b.Hour)
	}
	if len(from) == 0 {
		return nil
	}
	s.idx.mu.RLock()
	defer s.idx.mu.RUnlock()
	var todo []work
	for id, inquiry := range s.idx.plans[agentKey{u.Tenant, u.Model, u.Agent}] {
		if t, ok := from[inquiry]; ok {
			todo = append(todo, work{tenant: u.Tenant, id: id, from: t, partition: u.Partition, offset: u.Offset})
		}
	}
	return todo
}

// worker drains the queue until ctx ends.
func (s *Service) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-s.work:
			if err := s.track(ctx, w); err != nil && ctx.Err() == nil {
				s.met.updates.WithLabelValues("failed").Inc()
				s.cfg.Logger.Error("re-evaluate plan after an update", "plan", w.id, "error", err)
				continue
			}
			s.met.updates.WithLabelValues("done").Inc()
		}
	}
}

// track waits until the store holds the update, then re-evaluates the
// plan with its history from w.from's day recomputed, stores it when it
// changed and publishes it.
func (s *Service) track(ctx context.Context, w work) error {
	s.waitStored(ctx, w.partition, w.offset)
	defer s.lock(w.tenant, w.id)()
	rec, err := s.cfg.Plans.Plan(ctx, w.tenant, w.id)
	if errors.Is(err, store.ErrPlanNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.Plan.Status != views.PlanInProgress {
		s.idx.put(rec.Plan)
		return nil
	}
	prev := rec
	if day := views.UTCDate(w.from); day.Before(rec.Sealed) {
		rec.Sealed = day
	}
	out, _, err := s.evaluate(ctx, rec, s.cfg.Now())
	if err != nil {
		return err
	}
	if sameFigures(&prev, &out) {
		return nil
	}
	saved, err := s.save(ctx, out, prev.Version)
	if err == nil {
		s.emitSettled(ctx, prev.Plan.Status, saved.Plan)
	}
	return err
}

// waitStored polls the store's checkpoint of partition until it passes
// offset, for at most Config.UpdateWait (the processor publishes an update
// before it stores the batch; the default flush is 200 ms).
func (s *Service) waitStored(ctx context.Context, partition int32, offset int64) {
	if partition == store.LearnedPartition {
		return // the outcome learner publishes its parts once stored
	}
	deadline := time.Now().Add(s.cfg.UpdateWait)
	for {
		cp, err := s.cfg.Store.Checkpoint(ctx, partition)
		if err == nil && cp > offset {
			return
		}
		if time.Now().After(deadline) {
			s.cfg.Logger.Debug("store did not reach an update in time; evaluating anyway", "partition", partition, "offset", offset, "checkpoint", cp, "error", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sameFigures reports whether b shows the same plan figures as a.
func sameFigures(a, b *store.PlanRecord) bool {
	pa, pb := &a.Plan, &b.Plan
	if pa.Status != pb.Status || pa.NowVolume != pb.NowVolume || pa.OnTrack != pb.OnTrack || !a.Sealed.Equal(b.Sealed) ||
		(pa.NowValue == nil) != (pb.NowValue == nil) || (pa.NowValue != nil && *pa.NowValue != *pb.NowValue) ||
		pa.RecentVolume != pb.RecentVolume ||
		(pa.RecentValue == nil) != (pb.RecentValue == nil) || (pa.RecentValue != nil && *pa.RecentValue != *pb.RecentValue) ||
		len(pa.History) != len(pb.History) {
		return false
	}
	for i := range pa.History {
		if pa.History[i] != pb.History[i] {
			return false
		}
	}
	return true
}
