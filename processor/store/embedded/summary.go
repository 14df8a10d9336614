package embedded

import (
	"context"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

var (
	_ store.Summer       = (*Store)(nil)
	_ store.ModelsLister = (*Store)(nil)
)

// SumBuckets merges the current parts of q per (agent, inquiry, team) and
// range start, under the read lock, and calls fn once the lock is released.
func (s *Store) SumBuckets(_ context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	if len(q.Starts) == 0 {
		return nil
	}
	type key struct{ agent, inquiry, team string }
	cells := map[key][]views.Sums{}
	var order []key
	s.mu.RLock()
	agents := s.buckets[modelKey{q.Tenant, q.Model}]
	collect := func(byKey map[partKey]*store.Bucket) {
		for _, b := range byKey {
			if b.Volume == 0 || !b.Hour.Before(q.To) {
				continue
			}
			var sums []views.Sums
			for i, t := range q.Starts {
				if b.Hour.Before(t) {
					continue
				}
				if sums == nil {
					k := key{b.Agent, b.Inquiry, b.Team}
					if sums = cells[k]; sums == nil {
						sums = make([]views.Sums, len(q.Starts))
						cells[k] = sums
						order = append(order, k)
					}
				}
				sums[i].Merge(b.Sums)
			}
		}
	}
	if q.Agent != "" {
		collect(agents[q.Agent])
	} else {
		for _, byKey := range agents {
			collect(byKey)
		}
	}
	s.mu.RUnlock()
	for _, k := range order {
		if err := fn(store.CellSums{Agent: k.agent, Inquiry: k.inquiry, Team: k.team, Sums: cells[k]}); err != nil {
			return err
		}
	}
	return nil
}
