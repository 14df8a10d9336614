package storeview

import (
	"context"
	"fmt"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// periodCells reads the cells of a model (one inquiry's when inquiry is
// not empty) over periods and calls fn with each cell's period index,
// agent, team and Sums. It is the one place a trend reads the store:
// today from the hourly buckets (a period is whole hours, so every bucket
// lies in one period); a read from daily rollups replaces this function
// alone.
func (v *Views) periodCells(ctx context.Context, tenant, model, inquiry string, periods []views.Period, fn func(i int, agent, team string, s views.Sums)) error {
	if len(periods) == 0 {
		return nil
	}
	q := store.BucketQuery{Tenant: tenant, Model: model, Inquiry: inquiry, From: periods[0].Range.From, To: periods[len(periods)-1].Range.To}
	err := v.r.Buckets(ctx, q, func(b store.Bucket) error {
		if i := views.PeriodIndex(periods, b.Hour); i >= 0 {
			fn(i, b.Agent, b.Team, b.Sums)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read buckets of tenant %q model %q: %w", tenant, model, err)
	}
	return nil
}

// Trend answers GET /v1/agents/{agent}/trend like reference.Dataset.Trend:
// per period of step over the resolved range, the agent's figures on the
// model (or one inquiry), their current team's and the population's
// quartile bands. One read of the range's cells (periodCells). It returns
// an error wrapping views.ErrNoData when the tenant has no data for the
// model.
func (v *Views) Trend(ctx context.Context, tenant, agent, model, inquiry string, spec views.RangeSpec, step views.TrendStep) (views.Trend, error) {
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return views.Trend{}, fmt.Errorf("trend: %w", err)
	}
	team, _, err := v.TeamOf(ctx, tenant, agent)
	if err != nil {
		return views.Trend{}, fmt.Errorf("trend: %w", err)
	}
	periods := views.TrendPeriods(rng, step)
	type acc struct {
		agent, team views.Sums
		agents      map[string]*views.Sums
	}
	accs := make([]acc, len(periods))
	for i := range accs {
		accs[i].agents = map[string]*views.Sums{}
	}
	err = v.periodCells(ctx, tenant, model, inquiry, periods, func(i int, a, t string, s views.Sums) {
		mergeInto(accs[i].agents, a, s)
		if a == agent {
			accs[i].agent.Merge(s)
		}
		if team != "" && t == team {
			accs[i].team.Merge(s)
		}
	})
	if err != nil {
		return views.Trend{}, fmt.Errorf("trend: %w", err)
	}
	out := views.Trend{AgentID: agent, TeamID: team, Model: model, Inquiry: inquiry, Step: step, From: rng.From, To: rng.To,
		Points: make([]views.TrendPoint, len(periods))}
	for i, per := range periods {
		out.Points[i] = views.NewTrendPoint(per, accs[i].agent, accs[i].team, sortedMembers(accs[i].agents), v.params)
	}
	return out, nil
}

// TeamTrend answers GET /v1/teams/{team}/trend like
// reference.Dataset.TeamTrend: per period, the figures of every agent
// whose current team is team and who has an interaction in the model over
// the range. One read of the range's cells plus the agents' current
// teams (as TeamAgents).
func (v *Views) TeamTrend(ctx context.Context, tenant, team, model string, spec views.RangeSpec, step views.TrendStep) (views.TeamTrend, error) {
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return views.TeamTrend{}, fmt.Errorf("team trend: %w", err)
	}
	periods := views.TrendPeriods(rng, step)
	sums := map[string][]views.Sums{}
	err = v.periodCells(ctx, tenant, model, "", periods, func(i int, a, _ string, s views.Sums) {
		row := sums[a]
		if row == nil {
			row = make([]views.Sums, len(periods))
			sums[a] = row
		}
		row[i].Merge(s)
	})
	if err != nil {
		return views.TeamTrend{}, fmt.Errorf("team trend: %w", err)
	}
	teamOf, err := v.teamLookup(ctx, tenant)
	if err != nil {
		return views.TeamTrend{}, fmt.Errorf("team trend: %w", err)
	}
	agents := []string{}
	for a := range sums {
		if t, ok := teamOf(a); ok && t == team {
			agents = append(agents, a)
		}
	}
	slices.Sort(agents)
	return views.NewTeamTrend(team, model, step, rng, periods, agents, sums, v.params), nil
}

// Standing answers GET /v1/agents/{agent}/standing like
// reference.Dataset.Standing: one read of every agent's model totals over
// the range.
func (v *Views) Standing(ctx context.Context, tenant, agent, model string, spec views.RangeSpec) (views.Standing, error) {
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return views.Standing{}, fmt.Errorf("standing: %w", err)
	}
	sums, _, err := v.agentSums(ctx, rangeQuery(tenant, model, rng))
	if err != nil {
		return views.Standing{}, fmt.Errorf("standing: %w", err)
	}
	return views.NewStanding(model, rng, agent, sortedMembers(sums), v.params), nil
}
