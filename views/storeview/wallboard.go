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
	// Next, when not empty, is the After of the next page: the answer was
	// cut at WallboardQuery.Limit teams and more follow.
	Next string `json:"next,omitempty"`
}

// WallboardTeam is one team of a Wallboard: the figures over the
// interactions in the range of the agents whose current team (TeamOf) it
// is, how many such agents there are, and those agents as GET
// /v1/teams/{team}/agents gives them (nil, and left out of the JSON, when
// WallboardQuery.NoAgents asked for the teams alone).
type WallboardTeam struct {
	Team string `json:"team"`
	views.Figures
	AgentCount int               `json:"agent_count"`
	Agents     []views.TeamAgent `json:"agents,omitempty"`
}

// WallboardQuery selects what a Wallboard holds. The zero value is every
// team with its agents.
type WallboardQuery struct {
	// Only, when not nil, keeps only these teams (a supervisor's, or the
	// teams a client asked for).
	Only []string
	// NoAgents leaves every team's agents out: the teams' figures and
	// agent counts only, O(teams) from the cache whatever the number of
	// agents.
	NoAgents bool
	// After keeps only the teams whose id sorts after it (a page's
	// cursor: the previous answer's Next); Limit > 0 keeps at most Limit
	// teams and sets Next when more follow.
	After string
	Limit int
}

// Wallboard returns the model's wallboard over spec: every team with an
// agent active in the range, sorted by team id, narrowed by q. Agents are
// grouped by their current team, like TeamAgents. It returns an error
// wrapping views.ErrNoData when the tenant has no data for the model.
func (v *Views) Wallboard(ctx context.Context, tenant, model string, spec views.RangeSpec, q WallboardQuery) (Wallboard, error) {
	var (
		wb  Wallboard
		err error
	)
	if v.cached(spec) {
		wb, err = v.wallboardCached(ctx, tenant, model, spec, q)
	} else {
		wb, err = v.wallboardUncached(ctx, tenant, model, spec, q)
	}
	if err != nil {
		return Wallboard{}, fmt.Errorf("wallboard: %w", err)
	}
	return wb, nil
}

// wallboardUncached is Wallboard from a range's sums, every agent's.
func (v *Views) wallboardUncached(ctx context.Context, tenant, model string, spec views.RangeSpec, q WallboardQuery) (Wallboard, error) {
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return Wallboard{}, err
	}
	sums, _, err := v.agentSums(ctx, rangeQuery(tenant, model, rng))
	if err != nil {
		return Wallboard{}, err
	}
	teamOf, err := v.teamLookup(ctx, tenant)
	if err != nil {
		return Wallboard{}, err
	}
	members := sortedMembers(sums)
	var labels map[string]views.Label
	if !q.NoAgents { // labels are the agents'
		labels = views.MemberLabels(members, views.MetricAES, v.params)
	}
	byTeam := map[string]*WallboardTeam{}
	teamSums := map[string]*views.Sums{}
	for _, m := range members {
		t, ok := teamOf(m.ID)
		if !ok {
			continue // no current interaction: no team (not in the range either)
		}
		if !q.keeps(t) {
			continue
		}
		wt := byTeam[t]
		if wt == nil {
			wt = &WallboardTeam{Team: t}
			if !q.NoAgents {
				wt.Agents = []views.TeamAgent{}
			}
			byTeam[t] = wt
		}
		wt.AgentCount++
		if !q.NoAgents {
			ta := views.TeamAgent{AgentID: m.ID, Figures: m.Sums.Figures(v.params.Floor)}
			if l, ok := labels[m.ID]; ok {
				ta.Label = &l
			}
			wt.Agents = append(wt.Agents, ta)
		}
		mergeInto(teamSums, t, m.Sums)
	}
	names := make([]string, 0, len(byTeam))
	for t := range byTeam {
		names = append(names, t)
	}
	names, next := q.page(names)
	out := Wallboard{Model: model, Range: rng, Teams: make([]WallboardTeam, 0, len(names)), Next: next}
	for _, t := range names {
		wt := byTeam[t]
		wt.Figures = teamSums[t].Figures(v.params.Floor)
		out.Teams = append(out.Teams, *wt)
	}
	return out, nil
}

// keeps reports whether team passes q's Only and After.
func (q WallboardQuery) keeps(team string) bool {
	return (q.Only == nil || slices.Contains(q.Only, team)) && (q.After == "" || team > q.After)
}

// page sorts the kept team ids and cuts them at q.Limit; next is the last
// one kept when more follow.
func (q WallboardQuery) page(names []string) (kept []string, next string) {
	slices.Sort(names)
	if q.Limit > 0 && len(names) > q.Limit {
		names = names[:q.Limit]
		next = names[len(names)-1]
	}
	return names, next
}

// TenantModels returns the models the tenant may have data in (the
// Reader's list, or the configured one), sorted.
func (v *Views) TenantModels(ctx context.Context, tenant string) ([]string, error) {
	return v.modelsOf(ctx, tenant)
}
