package embedded

import (
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

var _ store.WorstReader = (*Store)(nil)

// Worst returns the agent's current interactions of q, poorest first.
func (s *Store) Worst(_ context.Context, q store.WorstQuery) ([]schemas.Interaction, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	s.mu.RLock()
	var out []schemas.Interaction
	for _, r := range s.byAgent[agentKey{q.Tenant, q.Model, q.Agent}] {
		if ended := r.endedAt(); s.strs[r.inquiry] != q.Inquiry || ended.Before(q.From) || !ended.Before(q.To) || !s.current(r) {
			continue
		}
		full := s.full(r)
		if _, ok := views.InteractionValue(&full.Interaction, q.Metric, q.Floor); ok {
			out = append(out, full.Interaction)
		}
	}
	s.mu.RUnlock()
	order := views.CompareWorstFirst(q.Metric, q.Floor)
	slices.SortFunc(out, func(a, b schemas.Interaction) int { return order(&a, &b) })
	return out[:min(len(out), q.Limit)], nil
}
