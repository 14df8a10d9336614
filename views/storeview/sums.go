package storeview

import (
	"cmp"
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// sumCells calls fn with the Sums per (agent, inquiry, team) and range
// start of q: from the Reader when it is a store.Summer (the server merges
// the parts), else merged here from Buckets.
func (v *Views) sumCells(ctx context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	if s, ok := v.r.(store.Summer); ok {
		return s.SumBuckets(ctx, q, fn)
	}
	return sumCellsFromBuckets(ctx, v.r, q, fn)
}

// sumCellsFromBuckets is store.Summer's SumBuckets computed over r.Buckets.
func sumCellsFromBuckets(ctx context.Context, r store.Reader, q store.SumQuery, fn func(store.CellSums) error) error {
	if len(q.Starts) == 0 {
		return nil
	}
	from := q.Starts[0]
	for _, t := range q.Starts[1:] {
		from = minTime(from, t)
	}
	type key struct{ agent, inquiry, team string }
	cells := map[key][]views.Sums{}
	var order []key
	agents := []string{q.Agent} // "": every agent
	if q.Agent == "" && len(q.Agents) > 0 {
		agents = q.Agents
	}
	for _, agent := range agents {
		bq := store.BucketQuery{Tenant: q.Tenant, Model: q.Model, Agent: agent, From: from, To: q.To}
		if err := r.Buckets(ctx, bq, func(b store.Bucket) error {
			k := key{b.Agent, b.Inquiry, b.Team}
			sums := cells[k]
			for i, t := range q.Starts {
				if b.Hour.Before(t) {
					continue
				}
				if sums == nil {
					sums = make([]views.Sums, len(q.Starts))
					cells[k] = sums
					order = append(order, k)
				}
				sums[i].Merge(b.Sums)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	for _, k := range order {
		if err := fn(store.CellSums{Agent: k.agent, Inquiry: k.inquiry, Team: k.team, Sums: cells[k]}); err != nil {
			return err
		}
	}
	return nil
}

var (
	_ store.Summer = (*Overlay)(nil)
)

// overlayAgents returns the agents with overlay parts of the tenant's
// model in [from, to) (only agent, when not empty).
func (o *Overlay) overlayAgents(tenant, model, agent string, from, to int64) map[string]bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out map[string]bool
	for id, byKey := range o.parts[modelKey{tenant, model}] {
		if agent != "" && id != agent {
			continue
		}
		for pk := range byKey {
			if pk.hour >= from && pk.hour < to {
				if out == nil {
					out = map[string]bool{}
				}
				out[id] = true
				break
			}
		}
	}
	return out
}

// SumBuckets is the store's SumBuckets (when it has one) for the agents
// without overlay parts in the query's hours; the few agents with some
// are merged part by part from Buckets (store and overlay).
func (o *Overlay) SumBuckets(ctx context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	s, ok := o.st.(store.Summer)
	if !ok || len(q.Starts) == 0 {
		return sumCellsFromBuckets(ctx, o, q, fn)
	}
	from := q.Starts[0]
	for _, t := range q.Starts[1:] {
		from = minTime(from, t)
	}
	over := o.overlayAgents(q.Tenant, q.Model, q.Agent, from.Unix(), q.To.Unix())
	for a := range over {
		if !q.Selects(a) {
			delete(over, a)
		}
	}
	if len(over) == 0 {
		return s.SumBuckets(ctx, q, fn)
	}
	err := s.SumBuckets(ctx, q, func(c store.CellSums) error {
		if over[c.Agent] {
			return nil
		}
		return fn(c)
	})
	if err != nil {
		return err
	}
	for agent := range over {
		aq := q
		aq.Agent, aq.Agents = agent, nil
		if err := sumCellsFromBuckets(ctx, o, aq, fn); err != nil {
			return err
		}
	}
	return nil
}

var _ store.ModelsLister = (*Overlay)(nil)

// TenantModels is the store's list (empty when the store is not a
// store.ModelsLister) with the pairs only the overlay holds added.
func (o *Overlay) TenantModels(ctx context.Context) ([]store.TenantModel, error) {
	var out []store.TenantModel
	if ml, ok := o.st.(store.ModelsLister); ok {
		var err error
		if out, err = ml.TenantModels(ctx); err != nil {
			return nil, err
		}
	}
	o.mu.RLock()
	for mk := range o.parts {
		tm := store.TenantModel{Tenant: mk.tenant, Model: mk.model}
		if !slices.Contains(out, tm) {
			out = append(out, tm)
		}
	}
	o.mu.RUnlock()
	slices.SortFunc(out, func(a, b store.TenantModel) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Model, b.Model))
	})
	return out, nil
}
