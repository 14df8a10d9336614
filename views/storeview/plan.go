package storeview

import (
	"context"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// AgentInquirySums returns the Sums of the agent's interactions on one
// model and inquiry over rng, read from the hourly buckets (rng should be
// hour-aligned, as views.StartWindow is). A coaching plan's Start is its
// Value over views.StartWindow of the plan's creation.
func (v *Views) AgentInquirySums(ctx context.Context, tenant, model, agent, inquiry string, rng views.Range) (views.Sums, error) {
	return v.sumBuckets(ctx, store.BucketQuery{Tenant: tenant, Model: model, From: rng.From, To: rng.To, Agent: agent, Inquiry: inquiry})
}
