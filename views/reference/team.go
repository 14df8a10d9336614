package reference

import (
	"fmt"

	"github.com/agentpulse/agentpulse/views"
)

// TeamAgents answers GET /v1/teams/{team}/agents: every agent whose current
// team (TeamOf) is team and who has at least one interaction in the model
// over the range, sorted by agent_id, with their figures over the whole
// model in the range and their overall AES label among the model-level
// population (every agent of the tenant with at least MinVolume
// interactions in the model over the range; null below it). It returns an
// error wrapping views.ErrNoData when the tenant has no data for the model.
func (d *Dataset) TeamAgents(tenant, team, model string, spec views.RangeSpec) ([]views.TeamAgent, error) {
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return nil, fmt.Errorf("team agents: %w", err)
	}
	members := sortedMembers(agentSums(mi, rng))
	labels := views.MemberLabels(members, views.MetricAES, d.params)
	out := []views.TeamAgent{}
	for _, m := range members {
		if t, _ := d.TeamOf(tenant, m.ID); t != team {
			continue
		}
		ta := views.TeamAgent{AgentID: m.ID, Figures: m.Sums.Figures(d.params.Floor)}
		if l, ok := labels[m.ID]; ok {
			ta.Label = &l
		}
		out = append(out, ta)
	}
	return out, nil
}
