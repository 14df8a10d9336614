package storeview

import (
	"context"
	"fmt"

	"github.com/agentpulse/agentpulse/views"
)

// TeamAgents answers GET /v1/teams/{team}/agents like
// reference.Dataset.TeamAgents: every agent whose current team (TeamOf)
// is team and who has interactions in the model over the range, sorted by
// agent_id, with their figures over the model in the range and their
// overall AES label among the model-level population. Current teams are
// roster lookups. It returns an error wrapping
// views.ErrNoData when the tenant has no data for the model.
func (v *Views) TeamAgents(ctx context.Context, tenant, team, model string, spec views.RangeSpec) ([]views.TeamAgent, error) {
	if v.cached(spec) {
		out, err := v.teamAgentsCached(ctx, tenant, team, model, spec)
		if err != nil {
			return nil, fmt.Errorf("team agents: %w", err)
		}
		return out, nil
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return nil, fmt.Errorf("team agents: %w", err)
	}
	sums, _, err := v.agentSums(ctx, rangeQuery(tenant, model, rng))
	if err != nil {
		return nil, fmt.Errorf("team agents: %w", err)
	}
	teamOf, err := v.teamLookup(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("team agents: %w", err)
	}
	members := sortedMembers(sums)
	labels := views.MemberLabels(members, views.MetricAES, v.params)
	out := []views.TeamAgent{}
	for _, m := range members {
		if t, ok := teamOf(m.ID); !ok || t != team {
			continue
		}
		ta := views.TeamAgent{AgentID: m.ID, Figures: m.Sums.Figures(v.params.Floor)}
		if l, ok := labels[m.ID]; ok {
			ta.Label = &l
		}
		out = append(out, ta)
	}
	return out, nil
}
