package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/agentpulse/agentpulse/views"
)

// The interfaces below are optional: a Reader that implements them does
// on its side what a reader of the read side would otherwise do by
// streaming every bucket part (Buckets) — at 10,000 agents × 90 days,
// millions of parts. Their answers must equal the same computation over
// Buckets (storetest checks it; float sums may differ in summation order).

// SumQuery selects, like BucketQuery, the buckets of one tenant's model
// (optionally one agent) whose hour lies in [min(Starts), To), and asks for
// their Sums per (agent, inquiry, team) over each [Starts[i], To).
type SumQuery struct {
	Tenant string
	Model  string
	Agent  string // empty: every agent
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

// Summer is a Reader that merges bucket parts itself.
type Summer interface {
	// SumBuckets calls fn once per (agent, inquiry, team) with a non-empty
	// part in the query's hours, in no particular order. fn may keep
	// c.Sums. It stops at fn's first error and returns it.
	SumBuckets(ctx context.Context, q SumQuery, fn func(c CellSums) error) error
}

// AgentNewest is what one model's buckets say about an agent's newest
// interaction: the newest hour holding a non-empty part of the agent, and
// the (inquiry, team) of every non-empty part of that hour (a pair may
// repeat, once per log partition).
type AgentNewest struct {
	Agent   string
	Hour    time.Time
	Inquiry []string
	Team    []string // Team[i] goes with Inquiry[i]
}

// NewestReader is a Reader that finds every agent's newest hour itself.
type NewestReader interface {
	// NewestBuckets calls fn once per agent with a non-empty part in the
	// tenant's model (only agent when not empty), in no particular order.
	NewestBuckets(ctx context.Context, tenant, model, agent string, fn func(AgentNewest) error) error
}

// NewestByScan is NewestBuckets computed from r.Buckets over every hour a
// store can hold (up to 2106, ClickHouse's DateTime): for a Reader that is
// not a NewestReader, and for a store that re-reads one agent.
func NewestByScan(ctx context.Context, r Reader, tenant, model, agent string, fn func(AgentNewest) error) error {
	by := map[string]*AgentNewest{}
	q := BucketQuery{Tenant: tenant, Model: model, Agent: agent, From: time.Unix(0, 0).UTC(), To: time.Unix(math.MaxUint32, 0).UTC()}
	err := r.Buckets(ctx, q, func(b Bucket) error {
		a := by[b.Agent]
		if a == nil {
			a = &AgentNewest{Agent: b.Agent}
			by[b.Agent] = a
		}
		switch {
		case a.Hour.IsZero() || b.Hour.After(a.Hour):
			a.Hour, a.Inquiry, a.Team = b.Hour, a.Inquiry[:0], a.Team[:0]
		case b.Hour.Before(a.Hour):
			return nil
		}
		a.Inquiry = append(a.Inquiry, b.Inquiry)
		a.Team = append(a.Team, b.Team)
		return nil
	})
	if err != nil {
		return fmt.Errorf("newest buckets of tenant %q model %q: %w", tenant, model, err)
	}
	for _, a := range by {
		if err := fn(*a); err != nil {
			return err
		}
	}
	return nil
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
