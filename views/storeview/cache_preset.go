package storeview

import (
	"time"

	"github.com/agentpulse/agentpulse/views"
)

// cellKey is one (inquiry, team) of an agent: the finest grouping any
// figure needs (team figures group by the bucket's team).
type cellKey struct{ inquiry, team string }

// cells are one agent's Sums per (inquiry, team) over some hours.
type cells map[cellKey]views.Sums

func (c cells) add(k cellKey, s views.Sums) {
	cur := c[k]
	cur.Merge(s)
	c[k] = cur
}

// sub removes s from the cell (views.Sums.Unmerge: exact, the sums being
// on the grid); a cell left without interactions is deleted.
func (c cells) sub(k cellKey, s views.Sums) {
	cur := c[k]
	cur.Unmerge(s)
	if cur.Volume <= 0 {
		delete(c, k)
		return
	}
	c[k] = cur
}

// unmerged returns a without b (views.Sums.Unmerge).
func unmerged(a, b views.Sums) views.Sums {
	a.Unmerge(b)
	return a
}

// inqAgg is one inquiry's groups over a preset's range.
type inqAgg struct {
	all    views.Sums
	teams  map[string]views.Sums
	agents map[string]views.Sums // Volume > 0 only
	pop    popIndex
}

// presetAgg is everything one preset range of a model needs:
// sealed[agent] are the agent's cells over the sealed hours [From,
// hotFrom), cur[agent] over the whole range (sealed plus the hot parts
// below To); the groups and population indexes are derived from cur.
type presetAgg struct {
	rng        views.Range
	sealed     map[string]cells
	cur        map[string]cells
	inq        map[string]*inqAgg
	agentTotal map[string]views.Sums // Volume > 0 only
	model      views.Sums
	modelPop   popIndex              // AES over agentTotal: TeamAgents' labels
	teams      map[string]*teamAgg   // current team → members (cache_team.go)
	members    map[string]teamMember // agent → where counted
}

func newPresetAgg(rng views.Range) *presetAgg {
	return &presetAgg{rng: rng, sealed: map[string]cells{}, cur: map[string]cells{}, modelPop: popIndex{aesOnly: true},
		teams: map[string]*teamAgg{}, members: map[string]teamMember{}}
}

func (p *presetAgg) inquiry(name string) *inqAgg {
	ia := p.inq[name]
	if ia == nil {
		ia = &inqAgg{teams: map[string]views.Sums{}, agents: map[string]views.Sums{}}
		p.inq[name] = ia
	}
	return ia
}

// curCells returns sealed plus the agent's hot parts in [hotFrom, To).
func (p *presetAgg) curCells(agent string, hot map[partKey]hotPart, hotFrom time.Time) cells {
	out := cells{}
	for k, s := range p.sealed[agent] {
		out[k] = s
	}
	lo, hi := max(hotFrom.Unix(), p.rng.From.Unix()), p.rng.To.Unix()
	for pk, hp := range hot {
		if pk.hour >= lo && pk.hour < hi && !hp.sums.Empty() {
			out.add(cellKey{pk.inquiry, pk.team}, hp.sums)
		}
	}
	return out
}

// rebuild recomputes cur from sealed and hot, then every group and index
// from cur, from scratch (no accumulated rounding).
func (p *presetAgg) rebuild(hot map[string]map[partKey]hotPart, hotFrom time.Time, params views.Params) {
	p.cur = make(map[string]cells, len(p.sealed))
	for agent := range p.sealed {
		p.cur[agent] = p.curCells(agent, hot[agent], hotFrom)
	}
	for agent, parts := range hot {
		if _, ok := p.cur[agent]; !ok {
			if c := p.curCells(agent, parts, hotFrom); len(c) > 0 {
				p.cur[agent] = c
			}
		}
	}
	p.inq = map[string]*inqAgg{}
	p.agentTotal = make(map[string]views.Sums, len(p.cur))
	p.model = views.Sums{}
	p.modelPop = popIndex{aesOnly: true}
	var modelPop popBuilder
	for agent, c := range p.cur {
		if len(c) == 0 {
			delete(p.cur, agent)
			continue
		}
		var total views.Sums
		for k, s := range c {
			ia := p.inquiry(k.inquiry)
			ia.all.Merge(s)
			t := ia.teams[k.team]
			t.Merge(s)
			ia.teams[k.team] = t
			a := ia.agents[agent]
			a.Merge(s)
			ia.agents[agent] = a
			total.Merge(s)
		}
		p.model.Merge(total)
		p.agentTotal[agent] = total
		modelPop.appendMember(agent, total, true, params)
	}
	for _, ia := range p.inq {
		var b popBuilder
		for agent, s := range ia.agents {
			b.appendMember(agent, s, false, params)
		}
		b.build(&ia.pop)
	}
	modelPop.build(&p.modelPop)
}

// setAgent replaces the agent's cells with next and moves every group,
// index and team (teamOf: the agent's current team) by the difference.
// Old values are removed from the indexes with the Sums they were
// inserted with, so the very same bits are found.
func (p *presetAgg) setAgent(agent string, next cells, params views.Params, teamOf teamLookup) {
	prev := p.cur[agent]
	inquiries := map[string]bool{}
	for k, s := range prev {
		ia := p.inquiry(k.inquiry)
		ia.all = unmerged(ia.all, s)
		ia.teams[k.team] = unmerged(ia.teams[k.team], s)
		if ia.teams[k.team].Volume == 0 {
			delete(ia.teams, k.team)
		}
		inquiries[k.inquiry] = true
	}
	var total views.Sums
	perInquiry := map[string]views.Sums{}
	for k, s := range next {
		ia := p.inquiry(k.inquiry)
		ia.all.Merge(s)
		t := ia.teams[k.team]
		t.Merge(s)
		ia.teams[k.team] = t
		inquiries[k.inquiry] = true
		a := perInquiry[k.inquiry]
		a.Merge(s)
		perInquiry[k.inquiry] = a
		total.Merge(s)
	}
	for name := range inquiries {
		ia := p.inq[name]
		old, had := ia.agents[agent]
		if s := perInquiry[name]; had && s == old {
			ia.agents[agent] = s
			continue // the index holds these values already
		}
		if had {
			ia.pop.update(agent, old, false, params)
			delete(ia.agents, agent)
		}
		if s := perInquiry[name]; s.Volume > 0 {
			ia.agents[agent] = s
			ia.pop.update(agent, s, true, params)
		}
		if ia.all.Volume == 0 && len(ia.agents) == 0 {
			delete(p.inq, name)
		}
	}
	if old, ok := p.agentTotal[agent]; ok {
		p.modelPop.update(agent, old, false, params)
		p.model = unmerged(p.model, old)
		delete(p.agentTotal, agent)
	}
	if total.Volume > 0 {
		p.agentTotal[agent] = total
		p.modelPop.update(agent, total, true, params)
		p.model.Merge(total)
	}
	if len(next) == 0 {
		delete(p.cur, agent)
	} else {
		p.cur[agent] = next
	}
	p.syncTeam(agent, teamOf)
}
