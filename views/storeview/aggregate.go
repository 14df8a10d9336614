package storeview

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// inquiryAgg holds one inquiry's groups over a range.
type inquiryAgg struct {
	all    views.Sums             // every agent
	team   views.Sums             // buckets whose team is the agent's current team
	agents map[string]*views.Sums // per agent
}

func newInquiryAgg() *inquiryAgg { return &inquiryAgg{agents: map[string]*views.Sums{}} }

// members returns the per-agent Sums sorted by agent id.
func (a *inquiryAgg) members() []views.Member { return sortedMembers(a.agents) }

// agent returns the agent's Sums (zero when absent).
func (a *inquiryAgg) agent(id string) views.Sums {
	if s := a.agents[id]; s != nil {
		return *s
	}
	return views.Sums{}
}

// rangeAgg is what one read of a model's buckets over a range gathers for
// one agent.
type rangeAgg struct {
	model      views.Sums             // every bucket read
	agentTotal views.Sums             // the agent over the whole model
	inquiries  map[string]*inquiryAgg // by inquiry
}

// aggregate reads the buckets of q (a model over a range, possibly one
// inquiry) and gathers the agent's model total and the per-inquiry groups;
// team is the agent's current team ("" for none). Bucket parts are merged
// straight into the groups: Merge is additive, so merging the parts of a
// key first and then the keys gives the same Sums up to float rounding.
func (v *Views) aggregate(ctx context.Context, q store.BucketQuery, agent, team string) (rangeAgg, error) {
	ra := rangeAgg{inquiries: map[string]*inquiryAgg{}}
	add := func(agentID, inquiry, cellTeam string, s views.Sums) {
		ra.model.Merge(s)
		if agentID == agent {
			ra.agentTotal.Merge(s)
		}
		ia := ra.inquiries[inquiry]
		if ia == nil {
			ia = newInquiryAgg()
			ra.inquiries[inquiry] = ia
		}
		ia.all.Merge(s)
		if team != "" && cellTeam == team {
			ia.team.Merge(s)
		}
		mergeInto(ia.agents, agentID, s)
	}
	var err error
	if q.Team == "" && q.Inquiry == "" {
		// Every group is a sum of (agent, inquiry, team) cells: let the
		// store merge the parts.
		sq := store.SumQuery{Tenant: q.Tenant, Model: q.Model, Agent: q.Agent, To: q.To, Starts: []time.Time{q.From}}
		err = v.sumCells(ctx, sq, func(c store.CellSums) error {
			add(c.Agent, c.Inquiry, c.Team, c.Sums[0])
			return nil
		})
	} else {
		err = v.r.Buckets(ctx, q, func(b store.Bucket) error {
			add(b.Agent, b.Inquiry, b.Team, b.Sums)
			return nil
		})
	}
	if err != nil {
		return rangeAgg{}, fmt.Errorf("read buckets of tenant %q model %q: %w", q.Tenant, q.Model, err)
	}
	return ra, nil
}

// agentSums reads the buckets of q and returns every agent's Sums.
func (v *Views) agentSums(ctx context.Context, q store.BucketQuery) (map[string]*views.Sums, views.Sums, error) {
	out := map[string]*views.Sums{}
	var total views.Sums
	var err error
	if q.Team == "" && q.Inquiry == "" {
		sq := store.SumQuery{Tenant: q.Tenant, Model: q.Model, Agent: q.Agent, To: q.To, Starts: []time.Time{q.From}}
		err = v.sumCells(ctx, sq, func(c store.CellSums) error {
			total.Merge(c.Sums[0])
			mergeInto(out, c.Agent, c.Sums[0])
			return nil
		})
	} else {
		err = v.r.Buckets(ctx, q, func(b store.Bucket) error {
			total.Merge(b.Sums)
			mergeInto(out, b.Agent, b.Sums)
			return nil
		})
	}
	if err != nil {
		return nil, views.Sums{}, fmt.Errorf("read buckets of tenant %q model %q: %w", q.Tenant, q.Model, err)
	}
	return out, total, nil
}

// sumBuckets returns the merge of every bucket q selects.
func (v *Views) sumBuckets(ctx context.Context, q store.BucketQuery) (views.Sums, error) {
	var s views.Sums
	err := v.r.Buckets(ctx, q, func(b store.Bucket) error {
		s.Merge(b.Sums)
		return nil
	})
	if err != nil {
		return views.Sums{}, fmt.Errorf("read buckets of tenant %q model %q: %w", q.Tenant, q.Model, err)
	}
	return s, nil
}

func mergeInto(m map[string]*views.Sums, id string, s views.Sums) {
	cur := m[id]
	if cur == nil {
		cur = new(views.Sums)
		m[id] = cur
	}
	cur.Merge(s)
}

func sortedMembers(m map[string]*views.Sums) []views.Member {
	out := make([]views.Member, 0, len(m))
	for id, s := range m {
		out = append(out, views.Member{ID: id, Sums: *s})
	}
	slices.SortFunc(out, func(a, b views.Member) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// rangeQuery selects the buckets of a model over rng.
func rangeQuery(tenant, model string, rng views.Range) store.BucketQuery {
	return store.BucketQuery{Tenant: tenant, Model: model, From: rng.From, To: rng.To}
}
