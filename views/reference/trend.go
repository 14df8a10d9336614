package reference

import (
	"fmt"
	"slices"

	"github.com/agentpulse/agentpulse/views"
)

// Trend answers GET /v1/agents/{agent}/trend from the raw records: the
// range resolved as every figure's, cut into periods of step
// (views.TrendPeriods); per period the agent's figures on the model (only
// inquiry's interactions when inquiry is not empty), their current team's
// (interactions whose team_id is that team) and the population's quartile
// bands (every agent with at least MinVolume interactions in the period).
// It returns an error wrapping views.ErrNoData when the tenant has no
// data for the model.
func (d *Dataset) Trend(tenant, agent, model, inquiry string, spec views.RangeSpec, step views.TrendStep) (views.Trend, error) {
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return views.Trend{}, fmt.Errorf("trend: %w", err)
	}
	team, _ := d.TeamOf(tenant, agent)
	periods := views.TrendPeriods(rng, step)
	type acc struct {
		agent, team views.Sums
		agents      map[string]*views.Sums
	}
	accs := make([]acc, len(periods))
	for _, it := range mi.recs { // key order: every group adds in (tenant, interaction) order
		if inquiry != "" && it.Inquiry != inquiry {
			continue
		}
		i := views.PeriodIndex(periods, it.EndedAt)
		if i < 0 {
			continue
		}
		a := &accs[i]
		if a.agents == nil {
			a.agents = map[string]*views.Sums{}
		}
		addTo(mi.learned, a.agents, it)
		if it.AgentID == agent {
			mi.learned.add(&a.agent, it)
		}
		if team != "" && it.TeamID == team {
			mi.learned.add(&a.team, it)
		}
	}
	out := views.Trend{AgentID: agent, TeamID: team, Model: model, Inquiry: inquiry, Step: step, From: rng.From, To: rng.To,
		Points: make([]views.TrendPoint, len(periods))}
	for i, per := range periods {
		out.Points[i] = views.NewTrendPoint(per, accs[i].agent, accs[i].team, sortedMembers(accs[i].agents), d.params)
	}
	return out, nil
}

// TeamTrend answers GET /v1/teams/{team}/trend: per period, the figures of
// every agent of TeamAgents (current team is team, an interaction in the
// model over the range).
func (d *Dataset) TeamTrend(tenant, team, model string, spec views.RangeSpec, step views.TrendStep) (views.TeamTrend, error) {
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return views.TeamTrend{}, fmt.Errorf("team trend: %w", err)
	}
	periods := views.TrendPeriods(rng, step)
	sums := map[string][]views.Sums{}
	for _, it := range mi.recs {
		i := views.PeriodIndex(periods, it.EndedAt)
		if i < 0 {
			continue
		}
		if t, _ := d.TeamOf(tenant, it.AgentID); t != team {
			continue
		}
		row := sums[it.AgentID]
		if row == nil {
			row = make([]views.Sums, len(periods))
			sums[it.AgentID] = row
		}
		mi.learned.add(&row[i], it)
	}
	agents := make([]string, 0, len(sums))
	for a := range sums {
		agents = append(agents, a)
	}
	slices.Sort(agents)
	return views.NewTeamTrend(team, model, step, rng, periods, agents, sums, d.params), nil
}

// Standing answers GET /v1/agents/{agent}/standing: the agent's label,
// rank and share of agents with a worse AES among the model-level
// population over the range (as TeamAgents' labels).
func (d *Dataset) Standing(tenant, agent, model string, spec views.RangeSpec) (views.Standing, error) {
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return views.Standing{}, fmt.Errorf("standing: %w", err)
	}
	return views.NewStanding(model, rng, agent, sortedMembers(agentSums(mi, rng)), d.params), nil
}
