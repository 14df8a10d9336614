package embedded

import (
	"cmp"
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

var (
	_ store.Summer       = (*Store)(nil)
	_ store.NewestReader = (*Store)(nil)
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
	collect := func(agent string, byKey parts) {
		byKey.each(q.Tenant, q.Model, agent, func(b *store.Bucket) {
			if b.Volume == 0 || !b.Hour.Before(q.To) {
				return
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
		})
	}
	if q.Agent != "" {
		collect(q.Agent, agents[q.Agent])
	} else {
		for agent, byKey := range agents {
			collect(agent, byKey)
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

// NewestBuckets finds every agent's newest hour with a non-empty part in
// the tenant's model and the (inquiry, team) of that hour's parts.
func (s *Store) NewestBuckets(_ context.Context, tenant, model, agent string, fn func(store.AgentNewest) error) error {
	var out []store.AgentNewest
	s.mu.RLock()
	agents := s.buckets[modelKey{tenant, model}]
	newest := func(id string, byKey parts) {
		a := store.AgentNewest{Agent: id}
		byKey.each(tenant, model, id, func(b *store.Bucket) {
			switch {
			case b.Volume == 0 || b.Hour.Before(a.Hour):
				return
			case b.Hour.After(a.Hour):
				a.Hour, a.Inquiry, a.Team = b.Hour, a.Inquiry[:0], a.Team[:0]
			}
			a.Inquiry = append(a.Inquiry, b.Inquiry)
			a.Team = append(a.Team, b.Team)
		})
		if len(a.Inquiry) > 0 {
			out = append(out, a)
		}
	}
	if agent != "" {
		newest(agent, agents[agent])
	} else {
		for id, byKey := range agents {
			newest(id, byKey)
		}
	}
	s.mu.RUnlock()
	for _, a := range out {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// TenantModels lists the (tenant, model) pairs with stored bucket parts.
func (s *Store) TenantModels(context.Context) ([]store.TenantModel, error) {
	s.mu.RLock()
	out := make([]store.TenantModel, 0, len(s.buckets))
	for k := range s.buckets {
		out = append(out, store.TenantModel{Tenant: k.tenant, Model: k.model})
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b store.TenantModel) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Model, b.Model))
	})
	return out, nil
}
