package store

import (
	"context"
	"time"

	"github.com/agentpulse/agentpulse/views"
)

// The interfaces below are optional: a Reader that implements them does
// on its side what a reader of the read side would otherwise do by
// streaming every bucket part (Buckets) — at 10,000 agents × 90 days,
// millions of parts. Their answers must equal the same computation over
// Buckets, bit for bit: the parts' sums are on the grid of views.Sums, so
// summation order does not matter (storetest checks it).

// SumQuery selects, like BucketQuery, the buckets of one tenant's model
// (optionally one agent) whose hour lies in [min(Starts), To), and asks for
// their Sums per (agent, inquiry, team) over each [Starts[i], To).
type SumQuery struct {
	Tenant string
	Model  string
	Agent  string // empty: every agent (or those of Agents)
	// Agents, when not empty (and Agent is empty), selects these agents
	// only: a cache re-reading its dirty agents in one query.
	Agents []string
	To     time.Time
	// Starts are the ranges' starts, at least one, each before To.
	Starts []time.Time
}

// CellSums is the merge of the current parts of one (agent, inquiry, team)
// per range of a SumQuery: Sums[i] over [Starts[i], To), zero when no
// non-empty part lies there. A cell is reported when one of its Sums is
// not zero.
type CellSums struct {
	Agent   string
	Inquiry string
	Team    string
	Sums    []views.Sums
}

// Selects reports whether q selects agent's cells.
func (q SumQuery) Selects(agent string) bool {
	switch {
	case q.Agent != "":
		return agent == q.Agent
	case len(q.Agents) > 0:
		for _, a := range q.Agents {
			if a == agent {
				return true
			}
		}
		return false
	}
	return true
}

// Summer is a Reader that merges bucket parts itself.
type Summer interface {
	// SumBuckets calls fn once per (agent, inquiry, team) with a non-empty
	// part in the query's hours, in no particular order. fn may keep
	// c.Sums. It stops at fn's first error and returns it.
	SumBuckets(ctx context.Context, q SumQuery, fn func(c CellSums) error) error
}

// TenantModel names one tenant's model.
type TenantModel struct {
	Tenant string
	Model  string
}

// ModelsLister is a Reader that lists the (tenant, model) pairs it holds
// data of.
type ModelsLister interface {
	// TenantModels returns every (tenant, model) with at least one roster
	// part stored (empty or not: every applied interaction writes one),
	// sorted by tenant then model. It reads a small table, never buckets.
	TenantModels(ctx context.Context) ([]TenantModel, error)
}
