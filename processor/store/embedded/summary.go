package embedded

import (
	"cmp"
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
)

var (
	_ store.Summer       = (*Store)(nil)
	_ store.NewestReader = (*Store)(nil)
	_ store.ModelsLister = (*Store)(nil)
)

// NewestBuckets finds every agent's newest hour with a non-empty part in
// the tenant's model and the (inquiry, team) of that hour's parts.
func (s *Store) NewestBuckets(_ context.Context, tenant, model, agent string, fn func(store.AgentNewest) error) error {
	var out []store.AgentNewest
	s.mu.RLock()
	agents := s.buckets[modelKey{tenant, model}]
	newest := func(id string, byKey map[partKey]*store.Bucket) {
		a := store.AgentNewest{Agent: id}
		for _, b := range byKey {
			switch {
			case b.Volume == 0 || b.Hour.Before(a.Hour):
				continue
			case b.Hour.After(a.Hour):
				a.Hour, a.Inquiry, a.Team = b.Hour, a.Inquiry[:0], a.Team[:0]
			}
			a.Inquiry = append(a.Inquiry, b.Inquiry)
			a.Team = append(a.Team, b.Team)
		}
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
