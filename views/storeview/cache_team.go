package storeview

import (
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/views"
)

// Team figures from the cache. Every preset keeps, per current team (the
// roster's), its members among the agents with interactions in the range
// and the merge of their totals, so that TeamAgents is O(team size) and
// Wallboard O(teams + their agents) for every preset. A member moves with
// each change of its total (setAgent) and each roster move of the agent
// (OnUpdate's roster parts); the totals are recomputed from the members
// whenever the preset's groups are (build, slide: at least every hour),
// so subtraction's rounding cannot accumulate past that.

// teamAgg is one current team of a preset: its members and their total.
type teamAgg struct {
	members map[string]struct{}
	total   views.Sums
}

// teamMember is where an agent is counted and with which total.
type teamMember struct {
	team string
	sums views.Sums
}

// teamLookup gives an agent's current team; ok false without one.
type teamLookup func(agent string) (string, bool)

// rebuildTeams recomputes every team of p from agentTotal.
func (p *presetAgg) rebuildTeams(teamOf teamLookup) {
	p.teams = map[string]*teamAgg{}
	p.members = make(map[string]teamMember, len(p.agentTotal))
	ids := make([]string, 0, len(p.agentTotal))
	for id := range p.agentTotal {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the uncached Wallboard's summation order
	for _, id := range ids {
		p.joinTeam(id, teamOf)
	}
}

// syncTeam moves the agent's membership to their current total and team.
func (p *presetAgg) syncTeam(agent string, teamOf teamLookup) {
	if m, in := p.members[agent]; in {
		t := p.teams[m.team]
		t.total = unmerged(t.total, m.sums)
		delete(t.members, agent)
		if len(t.members) == 0 {
			delete(p.teams, m.team)
		}
		delete(p.members, agent)
	}
	p.joinTeam(agent, teamOf)
}

func (p *presetAgg) joinTeam(agent string, teamOf teamLookup) {
	total, has := p.agentTotal[agent]
	if !has {
		return
	}
	team, ok := teamOf(agent)
	if !ok {
		return // no roster part yet: counted once the roster names a team
	}
	t := p.teams[team]
	if t == nil {
		t = &teamAgg{members: map[string]struct{}{}}
		p.teams[team] = t
	}
	t.members[agent] = struct{}{}
	t.total.Merge(total)
	p.members[agent] = teamMember{team, total}
}

// memberRow is one member of a team as read under the entry's lock: the
// answer (figures, sorting) is built from it after the lock is released,
// so that a wallboard of every team holds the lock (and with it the
// updates feed and every other request of the model) only for the copy.
type memberRow struct {
	id       string
	sums     views.Sums
	label    views.Label
	hasLabel bool
}

// teamRows appends the team's members to rows. The entry's lock is held.
func (p *presetAgg) teamRows(team string, params views.Params, rows []memberRow) []memberRow {
	t := p.teams[team]
	if t == nil {
		return rows
	}
	for id := range t.members {
		r := memberRow{id: id, sums: p.agentTotal[id]}
		r.label, r.hasLabel = p.modelPop.label(r.sums, views.MetricAES, params)
		rows = append(rows, r)
	}
	return rows
}

// teamAgentsOf is TeamAgents' answer from a team's rows, sorted by agent;
// no lock is needed.
func teamAgentsOf(rows []memberRow, params views.Params) []views.TeamAgent {
	out := make([]views.TeamAgent, len(rows))
	labels := make([]views.Label, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = views.TeamAgent{AgentID: r.id, Figures: r.sums.Figures(params.Floor)}
		if r.hasLabel {
			labels[i] = r.label
			out[i].Label = &labels[i]
		}
	}
	slices.SortFunc(out, func(a, b views.TeamAgent) int { return cmpString(a.AgentID, b.AgentID) })
	return out
}

// teamOf is the cache roster's lookup for the entry's tenant; the caller
// holds neither the roster's lock nor needs to (it takes it per call).
func (mc *modelCache) teamOf(agent string) (string, bool) {
	b := mc.c.roster
	b.mu.RLock()
	defer b.mu.RUnlock()
	tr := b.tenants[mc.tenant]
	if tr == nil {
		return "", false
	}
	return tr.agents[agent].team()
}

// moveAgent follows a roster move of agent in every preset. mc.mu is not
// held.
func (mc *modelCache) moveAgent(agent string) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if !mc.ready {
		return // the running job's rebuild reads the roster as it is then
	}
	for _, p := range mc.presets {
		p.syncTeam(agent, mc.teamOf)
	}
}

// moveAgent follows a roster move in every cached entry of the tenant.
func (c *cache) moveAgent(tenant, agent string) {
	c.mu.Lock()
	var mcs []*modelCache
	for k, mc := range c.models {
		if k.tenant == tenant {
			mcs = append(mcs, mc)
		}
	}
	c.mu.Unlock()
	for _, mc := range mcs {
		mc.moveAgent(agent)
	}
}

func (v *Views) teamAgentsCached(ctx context.Context, tenant, team, model string, spec views.RangeSpec) ([]views.TeamAgent, error) {
	var rows []memberRow
	err := v.withPreset(ctx, tenant, model, spec, func(pa *presetAgg, _ []views.Metric) {
		rows = pa.teamRows(team, v.params, nil)
	})
	if err != nil {
		return nil, err
	}
	return teamAgentsOf(rows, v.params), nil
}

func (v *Views) wallboardCached(ctx context.Context, tenant, model string, spec views.RangeSpec, q WallboardQuery) (Wallboard, error) {
	type teamRead struct {
		team       string
		total      views.Sums
		count      int
		start, end int // its members in rows
	}
	var (
		rng   views.Range
		teams []teamRead
		rows  []memberRow
		next  string
	)
	err := v.withPreset(ctx, tenant, model, spec, func(pa *presetAgg, _ []views.Metric) {
		rng = pa.rng
		var names []string
		if q.Only == nil {
			names = make([]string, 0, len(pa.teams))
			for t := range pa.teams {
				if q.keeps(t) {
					names = append(names, t)
				}
			}
		} else {
			for _, t := range q.Only {
				if pa.teams[t] != nil && q.keeps(t) && !slices.Contains(names, t) {
					names = append(names, t)
				}
			}
		}
		if q.Limit > 0 { // else sorted after the lock is released
			names, next = q.page(names)
		}
		if !q.NoAgents && q.Only == nil && q.Limit == 0 {
			rows = make([]memberRow, 0, len(pa.members))
		}
		teams = make([]teamRead, 0, len(names))
		for _, t := range names {
			ta := pa.teams[t]
			tr := teamRead{team: t, total: ta.total, count: len(ta.members), start: len(rows)}
			if !q.NoAgents {
				rows = pa.teamRows(t, v.params, rows)
			}
			tr.end = len(rows)
			teams = append(teams, tr)
		}
	})
	if err != nil {
		return Wallboard{}, err
	}
	slices.SortFunc(teams, func(a, b teamRead) int { return cmpString(a.team, b.team) })
	out := Wallboard{Model: model, Range: rng, Teams: make([]WallboardTeam, 0, len(teams)), Next: next}
	for _, t := range teams {
		wt := WallboardTeam{Team: t.team, Figures: t.total.Figures(v.params.Floor), AgentCount: t.count}
		if !q.NoAgents {
			wt.Agents = teamAgentsOf(rows[t.start:t.end], v.params)
		}
		out.Teams = append(out.Teams, wt)
	}
	return out, nil
}
