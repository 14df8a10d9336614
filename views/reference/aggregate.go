package reference

import (
	"cmp"
	"slices"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// inquiryAgg holds one inquiry's groups over a range.
type inquiryAgg struct {
	all    views.Sums             // every agent
	team   views.Sums             // interactions whose team_id is the agent's current team
	agents map[string]*views.Sums // per agent
}

// members returns the per-agent Sums sorted by agent id.
func (a *inquiryAgg) members() []views.Member {
	return sortedMembers(a.agents)
}

// agent returns the agent's Sums (zero when absent).
func (a *inquiryAgg) agent(id string) views.Sums {
	if s := a.agents[id]; s != nil {
		return *s
	}
	return views.Sums{}
}

// rangeAgg is what one scan of a model over a range gathers for one agent.
type rangeAgg struct {
	agentTotal views.Sums             // the agent over the whole model
	inquiries  map[string]*inquiryAgg // by inquiry
}

// aggregate scans the model's records in key order (so every group is
// summed in (tenant_id, interaction_id) order) and gathers, for the records
// in rng, the agent's model total and per-inquiry groups. team is the
// agent's current team ("" for none). When onlyInquiry is non-empty, only
// that inquiry's groups are gathered.
func aggregate(mi *modelIndex, rng views.Range, agent, team, onlyInquiry string) rangeAgg {
	ra := rangeAgg{inquiries: make(map[string]*inquiryAgg)}
	for _, it := range mi.recs {
		if !rng.Contains(it.EndedAt) {
			continue
		}
		if it.AgentID == agent {
			mi.learned.add(&ra.agentTotal, it)
		}
		if onlyInquiry != "" && it.Inquiry != onlyInquiry {
			continue
		}
		ia := ra.inquiries[it.Inquiry]
		if ia == nil {
			ia = &inquiryAgg{agents: make(map[string]*views.Sums)}
			ra.inquiries[it.Inquiry] = ia
		}
		mi.learned.add(&ia.all, it)
		if team != "" && it.TeamID == team {
			mi.learned.add(&ia.team, it)
		}
		addTo(mi.learned, ia.agents, it)
	}
	return ra
}

// agentSums scans the model over rng and returns every agent's Sums over
// the whole model.
func agentSums(mi *modelIndex, rng views.Range) map[string]*views.Sums {
	out := make(map[string]*views.Sums)
	for _, it := range mi.recs {
		if rng.Contains(it.EndedAt) {
			addTo(mi.learned, out, it)
		}
	}
	return out
}

func addTo(lm learnedMap, m map[string]*views.Sums, it *schemas.Interaction) {
	s := m[it.AgentID]
	if s == nil {
		s = new(views.Sums)
		m[it.AgentID] = s
	}
	lm.add(s, it)
}

func sortedMembers(m map[string]*views.Sums) []views.Member {
	out := make([]views.Member, 0, len(m))
	for id, s := range m {
		out = append(out, views.Member{ID: id, Sums: *s})
	}
	slices.SortFunc(out, func(a, b views.Member) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// selectRecs returns the model's records of agent on inquiry that satisfy
// keep, in key order.
func selectRecs(mi *modelIndex, agent, inquiry string, keep func(*schemas.Interaction) bool) []*schemas.Interaction {
	var out []*schemas.Interaction
	for _, it := range mi.recs {
		if it.AgentID == agent && it.Inquiry == inquiry && keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// sumOf sums recs in (tenant_id, interaction_id) order whatever their
// order in the slice.
func sumOf(lm learnedMap, recs []*schemas.Interaction) views.Sums {
	sorted := slices.Clone(recs)
	slices.SortFunc(sorted, func(a, b *schemas.Interaction) int {
		return cmp.Or(cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.InteractionID, b.InteractionID))
	})
	var s views.Sums
	for _, it := range sorted {
		lm.add(&s, it)
	}
	return s
}

// cloneAll deep-copies recs, so answers share nothing with the dataset.
func cloneAll(recs []*schemas.Interaction) []schemas.Interaction {
	out := make([]schemas.Interaction, len(recs))
	for i, it := range recs {
		out[i] = clone(*it)
	}
	return out
}
