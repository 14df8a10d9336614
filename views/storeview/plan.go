package storeview

import (
	"context"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// AgentInquirySums returns the Sums of the agent's interactions on one
// model and inquiry over rng (rng should be hour-aligned, as
// views.StartWindow is). A coaching plan's Start is its Value over
// views.StartWindow of the plan's creation. It reads the agent's cells
// over rng (store.Summer: the store's rollups for the sealed days and
// months inside rng, hours only at its ragged ends) and keeps the
// inquiry's, of every team.
func (v *Views) AgentInquirySums(ctx context.Context, tenant, model, agent, inquiry string, rng views.Range) (views.Sums, error) {
	var s views.Sums
	q := store.SumQuery{Tenant: tenant, Model: model, Agent: agent, To: rng.To, Starts: []time.Time{rng.From}}
	err := v.sumCells(ctx, q, func(c store.CellSums) error {
		if c.Agent == agent && c.Inquiry == inquiry {
			s.Merge(c.Sums[0])
		}
		return nil
	})
	if err != nil {
		return views.Sums{}, fmt.Errorf("read buckets of tenant %q model %q: %w", tenant, model, err)
	}
	return s, nil
}
