package storeview

import (
	"context"
	"fmt"
	"slices"

	"github.com/agentpulse/agentpulse/views"
)

// Wallboard is a model's figures per team over a range: the snapshot of
// the websocket channel wallboard:{model}.
type Wallboard struct {
	Model string `json:"model"`
	views.Range
	Teams []WallboardTeam `json:"teams"`
}

// WallboardTeam is one team of a Wallboard: the figures over the
// interactions in the range of the agents whose current team (TeamOf) it
// is, and those agents as GET /v1/teams/{team}/agents gives them.
type WallboardTeam struct {
	Team string `json:"team"`
	views.Figures
	Agents []views.TeamAgent `json:"agents"`
}

// Wallboard returns the model's wallboard over spec: every team with an
// agent active in the range, sorted by team id, or only the teams in only
// when it is not nil. Agents are grouped by their current team, like
// TeamAgents. It returns an error wrapping views.ErrNoData when the tenant
// has no data for the model.
func (v *Views) Wallboard(ctx context.Context, tenant, model string, spec views.RangeSpec, only []string) (Wallboard, error) {
	if v.cached(spec) {
		wb, err := v.wallboardCached(ctx, tenant, model, spec, only)
		if err != nil {
			return Wallboard{}, fmt.Errorf("wallboard: %w", err)
		}
		return wb, nil
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return Wallboard{}, fmt.Errorf("wallboard: %w", err)
	}
	sums, _, err := v.agentSums(ctx, rangeQuery(tenant, model, rng))
	if err != nil {
		return Wallboard{}, fmt.Errorf("wallboard: %w", err)
	}
	teamOf, err := v.teamLookup(ctx, tenant)
	if err != nil {
		return Wallboard{}, fmt.Errorf("wallboard: %w", err)
	}
	members := sortedMembers(sums)
	labels := views.MemberLabels(members, views.MetricAES, v.params)
	byTeam := map[string]*WallboardTeam{}
	teamSums := map[string]*views.Sums{}
	for _, m := range members {
		t, ok := teamOf(m.ID)
		if !ok {
			continue // no current interaction: no team (not in the range either)
		}
		if only != nil && !slices.Contains(only, t) {
			continue
		}
		wt := byTeam[t]
		if wt == nil {
			wt = &WallboardTeam{Team: t, Agents: []views.TeamAgent{}}
			byTeam[t] = wt
		}
		ta := views.TeamAgent{AgentID: m.ID, Figures: m.Sums.Figures(v.params.Floor)}
		if l, ok := labels[m.ID]; ok {
			ta.Label = &l
		}
		wt.Agents = append(wt.Agents, ta)
		mergeInto(teamSums, t, m.Sums)
	}
	out := Wallboard{Model: model, Range: rng, Teams: make([]WallboardTeam, 0, len(byTeam))}
	for t, wt := range byTeam {
		wt.Figures = teamSums[t].Figures(v.params.Floor)
		out.Teams = append(out.Teams, *wt)
	}
	slices.SortFunc(out.Teams, func(a, b WallboardTeam) int {
		if a.Team < b.Team {
			return -1
		}
		if a.Team > b.Team {
			return 1
		}
		return 0
	})
	return out, nil
}

// TenantModels returns the models the tenant may have data in (the
// Reader's list, or the configured one), sorted.
func (v *Views) TenantModels(ctx context.Context, tenant string) ([]string, error) {
	return v.modelsOf(ctx, tenant)
}
