package embedded

import (
	"cmp"
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
)

var (
	_ store.RosterReader = (*Store)(nil)
	_ store.ModelsLister = (*Store)(nil)
)

// rosterKey names one partition's roster part of an agent's model.
type rosterKey struct {
	model     string
	partition int32
}

// applyRoster stores a roster part (the higher version wins) and its
// (tenant, model) pair. s.mu is held.
func (s *Store) applyRoster(p store.RosterPart) {
	p.EndedAt = p.EndedAt.UTC()
	p.Agent = s.renamed(p.Tenant, p.Agent)
	agents := s.roster[p.Tenant]
	if agents == nil {
		agents = map[string]map[rosterKey]store.RosterPart{}
		s.roster[p.Tenant] = agents
	}
	parts := agents[p.Agent]
	if parts == nil {
		parts = map[rosterKey]store.RosterPart{}
		agents[p.Agent] = parts
	}
	k := rosterKey{p.Model, p.Partition}
	if old, ok := parts[k]; ok && old.Version > p.Version {
		return
	}
	parts[k] = p
	s.models[modelKey{p.Tenant, p.Model}] = true
}

// Roster calls fn with every roster part of the tenant (only agent's when
// agent is not empty).
func (s *Store) Roster(_ context.Context, tenant, agent string, fn func(store.RosterPart) error) error {
	s.mu.RLock()
	var out []store.RosterPart
	for id, parts := range s.roster[tenant] {
		if agent != "" && id != agent {
			continue
		}
		for _, p := range parts {
			out = append(out, p)
		}
	}
	s.mu.RUnlock()
	for _, p := range out {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// TenantModels lists the (tenant, model) pairs with stored roster parts.
func (s *Store) TenantModels(context.Context) ([]store.TenantModel, error) {
	s.mu.RLock()
	out := make([]store.TenantModel, 0, len(s.models))
	for k := range s.models {
		out = append(out, store.TenantModel{Tenant: k.tenant, Model: k.model})
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b store.TenantModel) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Model, b.Model))
	})
	return out, nil
}
